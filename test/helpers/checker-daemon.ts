/** A built keepalived-ts daemon in checker mode (-C) on loopback, for the adapter tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { CLI } from '../netns/netns.js';
import { waitFor } from './process.js';

export interface CheckerDaemonOptions {
  readonly conf: string;
  readonly pidFile: string;
  readonly controlSocket: string;
  /** Every output line (stdout and stderr) is pushed here. */
  readonly lines: string[];
  readonly extra?: readonly string[];
}

/** Start `keepalived-ts -C -n` and resolve once it says "Startup complete". */
export async function startCheckerDaemon(o: CheckerDaemonOptions): Promise<ChildProcess> {
  const daemon = spawn(
    process.execPath,
    [CLI, '-C', '-n', '-f', o.conf, '-p', o.pidFile, '--control-socket', o.controlSocket, ...(o.extra ?? [])],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let partial = '';
  const onData = (c: Buffer): void => {
    partial += c.toString();
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    o.lines.push(...parts);
  };
  daemon.stdout.on('data', onData);
  daemon.stderr.on('data', onData);
  await waitFor(
    () => o.lines.some((l) => l.includes('Startup complete')),
    10_000,
    () => o.lines.join('\n'),
  );
  return daemon;
}
