/** Small helpers the benchmarks share: processes, /proc readings, statistics. */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { cpus as cpus_, release, totalmem } from 'node:os';
import { join } from 'node:path';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Run a command to completion; throw with its stderr when it fails. */
export function sh(cmd: string, args: readonly string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr || r.error?.message}`);
  return r.stdout;
}

export function requireCommand(cmd: string, install: string): void {
  if (spawnSync('sh', ['-c', `command -v ${cmd}`]).status !== 0)
    throw new Error(`${cmd} is not installed (apt-get install ${install})`);
}

/** USER_HZ: the unit of /proc/PID/stat times. */
export const TICKS_PER_S = 100;

/** utime + stime of a process, all its threads included, in ticks. */
export function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

export function rssKiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0);
}

/** A process and its children (keepalived -P: the parent and its VRRP child), in KiB; 0 once gone. */
export function treeRssKiB(pid: number): number {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    const pids = children ? [pid, ...children.split(/\s+/).map(Number)] : [pid];
    return pids.reduce((sum, p) => sum + rssKiB(p), 0);
  } catch {
    return 0;
  }
}

export async function waitFor(what: string, probe: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

/**
 * Run a benchmark's main(): report an error as exit code 1, then always kill the process groups it
 * started, everything left in its namespace, the namespace, and its temporary folder.
 */
export function runBench(
  main: () => Promise<void>,
  cleanup: { readonly procs: readonly ChildProcess[]; readonly ns: string; readonly dir: string },
): void {
  main()
    .catch((err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    })
    .finally(() => {
      for (const p of cleanup.procs)
        if (p.pid && p.exitCode === null)
          try {
            process.kill(-p.pid, 'SIGKILL');
          } catch {
            /* gone */
          }
      spawnSync('sh', ['-c', `ip netns pids ${cleanup.ns} | xargs -r kill -9; ip netns del ${cleanup.ns}`]);
      rmSync(cleanup.dir, { recursive: true, force: true });
    });
}

/** The line every benchmark prints first: when, and on what (cores, CPU model, memory, kernel, Node). */
export function machineLine(): string {
  const cpus = cpus_();
  return `${new Date().toISOString()} on ${cpus.length} x ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Linux ${release()}, Node ${process.version}`;
}

/**
 * The argv of a checker-only keepalived-ts (`-C -n`) on DIR/keepalived.conf with its pid file in
 * DIR, then `extra`. PROF=dir in the environment adds a V8 CPU profile of every thread, written when
 * the daemon stops.
 */
export function checkerDaemonArgv(cli: string, dir: string, extra: readonly string[] = []): string[] {
  return [
    process.execPath,
    ...(process.env.PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PROF}`] : []),
    cli,
    '-C',
    '-n',
    '-f',
    join(dir, 'keepalived.conf'),
    '-p',
    join(dir, 'kts.pid'),
    ...extra,
  ];
}
