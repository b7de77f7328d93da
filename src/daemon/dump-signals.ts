/**
 * keepalived's dump signals (keepalived(8) SIGNALS; 2.2.7 core/main.c): USR1 writes $TMPDIR/keepalived.data (and
 * keepalived_check.data), USR2 keepalived.stats, SIGRTMIN+2 keepalived.json, SIGRTMIN+29 the stats
 * too (keepalived then zeroes its counters; keepalived-ts keeps them and says so). Node cannot name
 * real-time signals, whose default action would end the process: the addon catches them.
 */
import type { Config } from '../config/model.js';
import type { HealthChecks } from '../check/health-checks.js';
import { rawSock } from '../net/native.js';
import { formatCheckDataFile } from './dumps/check-data-file.js';
import { formatVrrpDataFile } from './dumps/data-file.js';
import { formatJsonFile } from './dumps/json-file.js';
import { formatStatsFile } from './dumps/stats-file.js';
import { dumpPaths, localUtcOffsetMinutes, writeDump } from './dumps/write-dump.js';
import type { Logger } from './log.js';
import { resolveScriptUser } from '../host/run-script.js';
import { instanceStatus } from './status.js';
import type { Trackers } from './trackers.js';
import type { VrrpNode } from './vrrp-node.js';

/** glibc's SIGRTMIN is 34 (NPTL keeps 32 and 33): keepalived's `--signum` JSON and STATS_CLEAR. */
const SIGNAL_JSON = 36;
const SIGNAL_STATS_CLEAR = 63;

export type DumpKind = 'data' | 'stats' | 'json';

export interface DumpSources {
  /** The running configuration (it changes on reload). */
  readonly config: () => Config;
  readonly log: Logger;
  readonly node: () => VrrpNode | undefined;
  readonly checks: () => HealthChecks | undefined;
  readonly trackers: () => Trackers | undefined;
  /** The daemon clock's now (ms). */
  readonly now: () => number;
}

/** The files of one kind of dump, with their text. */
function dumpTexts(kind: DumpKind, src: DumpSources): [string, string][] {
  const paths = dumpPaths(process.env);
  const config = src.config();
  const node = src.node();
  const instances = node?.instances().map(instanceStatus) ?? [];
  const clockMs = src.now();
  const time = { clockMs, epochMs: Date.now() };
  const scriptUser = (spec: Parameters<typeof resolveScriptUser>[0]) =>
    resolveScriptUser(spec, config.globalDefs);
  const files: [string, string][] = [];
  if (kind === 'stats') files.push([paths.stats, formatStatsFile(instances)]);
  if (kind === 'json') files.push([paths.json, formatJsonFile(config, instances, time)]);
  if (kind === 'data') {
    const trackers = src.trackers();
    files.push([
      paths.data,
      formatVrrpDataFile({
        config,
        instances,
        syncGroups: node?.groups() ?? [],
        time,
        utcOffsetMinutes: localUtcOffsetMinutes,
        ...(trackers ? { scriptStatus: (name: string) => trackers.scriptStatus(name) } : {}),
        scriptUser,
      }),
    ]);
    const checks = src.checks();
    if (checks)
      files.push([
        paths.checkData,
        formatCheckDataFile({ config, virtualServers: checks.status(), scriptUser }),
      ]);
  }
  return files;
}

/** keepalived -d: the configuration and state, as the data dump has them, into the log at start. */
export function logConfigDump(src: DumpSources): void {
  for (const [, text] of dumpTexts('data', src))
    for (const line of text.split('\n')) if (line !== '') src.log.info({ event: 'daemon.dump-conf' }, line);
}

/** Write one kind of dump; failures are logged, never thrown. */
async function writeDumps(kind: DumpKind, src: DumpSources): Promise<void> {
  const { log } = src;
  const files = dumpTexts(kind, src);
  const what = { data: 'data', stats: 'stats', json: 'as json' }[kind];
  log.info(
    { event: 'daemon.dump', kind, files: files.map(([p]) => p) },
    `Printing VRRP ${what} for process(${process.pid}) on signal`,
  );
  for (const [path, text] of files) {
    try {
      await writeDump(path, text);
    } catch (err) {
      log.error(
        { event: 'daemon.dump-failed', kind, path, err },
        `cannot write ${path}: ${(err as Error).message}`,
      );
    }
  }
}

/** Install the handlers; returns a function that removes the Node ones (the addon's stay, harmless). */
export function installDumpSignals(src: DumpSources): () => void {
  const dump = (kind: DumpKind) => () => void writeDumps(kind, src);
  const onUsr1 = dump('data');
  const onUsr2 = dump('stats');
  process.on('SIGUSR1', onUsr1);
  process.on('SIGUSR2', onUsr2);
  let stopRt = (): void => undefined;
  try {
    const addon = rawSock();
    const fd = addon.catchSignals([SIGNAL_JSON, SIGNAL_STATS_CLEAR]);
    const handle = addon.poll(fd, () => {
      for (let m = addon.recvmsg(fd, 16, 0); m !== null; m = addon.recvmsg(fd, 16, 0)) {
        const signo = m.data[0];
        if (signo === SIGNAL_JSON) void writeDumps('json', src);
        else if (signo === SIGNAL_STATS_CLEAR) {
          src.log.warn(
            { event: 'daemon.stats-clear' },
            'keepalived-ts: SIGRTMIN+29 writes the stats but does not clear the counters',
          );
          void writeDumps('stats', src);
        }
      }
    });
    stopRt = () => addon.pollStop(handle);
  } catch (err) {
    src.log.error(
      { event: 'daemon.signals', err },
      `cannot catch SIGRTMIN+2/SIGRTMIN+29 (the JSON dump): ${(err as Error).message}`,
    );
  }
  return () => {
    process.off('SIGUSR1', onUsr1);
    process.off('SIGUSR2', onUsr2);
    stopRt();
  };
}
