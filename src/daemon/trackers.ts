/**
 * The tracked objects that are not interfaces: vrrp_script runners and track_file watchers,
 * started for the scripts and files some instance, sync group or FILE_CHECK uses (keepalived:
 * "Warning - script chk is not used" for the others, which never run).
 */
import type { Config } from '../config/model.js';
import type { Logger } from './log.js';
import { startTrackFiles } from './track-files.js';
import type { ScriptStatus } from '../vrrp/script-state.js';
import { startVrrpScripts } from './vrrp-scripts.js';

export interface TrackerSinks {
  scriptStatus(name: string, status: 'up' | 'down'): void;
  fileValue(name: string, value: number): void;
}

export interface Trackers {
  /** The current value of a watched track_file (FILE_CHECK reads it). */
  fileValue(name: string): number | undefined;
  /** A vrrp_script's status (the USR1 data dump). */
  scriptStatus(name: string): ScriptStatus | undefined;
  stop(): void;
}

export function trackedNames(config: Config, kind: 'trackScripts' | 'trackFiles'): Set<string> {
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
  // FILE_CHECK reads root track_files too.
  for (const vs of config.virtualServers)
    for (const rs of vs.realServers)
      for (const c of rs.checkers) if (c.type === 'FILE_CHECK') usedFiles.add(c.trackFile);
  const files = startTrackFiles({
    files: config.trackFiles.filter((f) => usedFiles.has(f.name)),
    log,
    onValue: (name, value) => sinks.fileValue(name, value),
  });
  return {
    fileValue: (name) => files.value(name),
    scriptStatus: (name) => scripts.status(name),
    stop: () => {
      files.stop();
      void scripts.stop();
    },
  };
}
