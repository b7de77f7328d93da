/**
 * The tracked objects that are not interfaces: vrrp_script runners and track_file watchers,
 * started for the scripts and files some instance or sync group tracks (keepalived: "Warning -
 * script chk is not used" for the others, which never run).
 */
import type { Config } from '../config/model.js';
import type { Logger } from './log.js';
import { startTrackFiles } from './track-files.js';
import { startVrrpScripts } from './vrrp-scripts.js';

export interface TrackerSinks {
  scriptStatus(name: string, status: 'up' | 'down'): void;
  fileValue(name: string, value: number): void;
}

export interface Trackers {
  stop(): void;
}

function trackedNames(config: Config, kind: 'trackScripts' | 'trackFiles'): Set<string> {
  const names = new Set<string>();
  for (const owner of [...config.vrrpInstances, ...config.vrrpSyncGroups])
    for (const t of owner[kind]) names.add(t.name);
  return names;
}

export function startTrackers(config: Config, log: Logger, sinks: TrackerSinks): Trackers {
  const usedScripts = trackedNames(config, 'trackScripts');
  for (const s of config.vrrpScripts)
    if (!usedScripts.has(s.name))
      log.warn({ event: 'vrrp.script.unused', script: s.name }, `Warning - script ${s.name} is not used`);
  const scripts = startVrrpScripts({
    scripts: config.vrrpScripts.filter((s) => usedScripts.has(s.name)),
    global: config.globalDefs,
    log,
    onStatus: (name, status) => sinks.scriptStatus(name, status),
  });
  const usedFiles = trackedNames(config, 'trackFiles');
  const files = startTrackFiles({
    files: config.trackFiles.filter((f) => usedFiles.has(f.name)),
    log,
    onValue: (name, value) => sinks.fileValue(name, value),
  });
  return {
    stop: () => {
      files.stop();
      void scripts.stop();
    },
  };
}
