/**
 * A Debian 12 machine with systemd as PID 1, booted with `systemd-nspawn --boot` from a debootstrap
 * root file system, for the package's system test. The root file system is made once and kept in
 * ROOTFS_CACHE (about 60 s from deb.debian.org); every boot runs on it with --volatile=overlay, so
 * what the test installs lives in a tmpfs and the cache stays clean. The machine's network is a
 * namespace the test creates (--network-namespace-path), with CAP_NET_ADMIN kept for it.
 *
 * Commands run in the machine with nsenter into all of its namespaces (the host has no
 * systemd-machined for `machinectl shell`), with a clean environment.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, closeSync } from 'node:fs';
import { join } from 'node:path';

/** What the test's commands need besides systemd: ip, jq and socat (the docs' recipes), and the .deb's Depends that Debian 12 has (adduser, procps). */
const INCLUDE = ['systemd', 'systemd-sysv', 'dbus', 'iproute2', 'procps', 'adduser', 'jq', 'socat'];
const SUITE = 'bookworm';
const MIRROR = process.env.KTS_DEBIAN_MIRROR ?? 'http://deb.debian.org/debian';
const CACHE_DIR = '/var/cache/keepalived-ts-test';
const KEY = createHash('sha256')
  .update(`${SUITE} minbase ${INCLUDE.join(',')}`)
  .digest('hex')
  .slice(0, 12);
export const ROOTFS_CACHE = join(CACHE_DIR, `${SUITE}-${KEY}`);
const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

function has(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

/** Throw an explanatory error unless this host can debootstrap and boot a container. */
export function requireSystemLab(): void {
  if (process.getuid?.() !== 0) {
    throw new Error(
      'the system test needs root (debootstrap, systemd-nspawn): run `sudo npm run test:system`',
    );
  }
  const needs: readonly (readonly [string, string])[] = [
    ['debootstrap', 'debootstrap'],
    ['systemd-nspawn', 'systemd-container'],
    ['dpkg-deb', 'dpkg'],
    ['tcpdump', 'tcpdump'],
    ['nsenter', 'util-linux'],
  ];
  const missing = needs.filter(([cmd]) => !has(cmd));
  if (missing.length > 0) {
    throw new Error(
      `the system test needs ${missing.map(([c, p]) => `${c} (Debian package ${p})`).join(', ')}: ` +
        'run `npm run setup:test-host`',
    );
  }
}

/** The cached Debian 12 root file system, made with debootstrap when it is not there yet. */
export async function ensureRootfs(log: (line: string) => void): Promise<string> {
  if (existsSync(join(ROOTFS_CACHE, 'usr/lib/systemd/systemd'))) return ROOTFS_CACHE;
  mkdirSync(CACHE_DIR, { recursive: true });
  const building = `${ROOTFS_CACHE}.partial-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  const logFile = `${building}.log`;
  const fd = openSync(logFile, 'w');
  log(`debootstrap ${SUITE} into ${ROOTFS_CACHE} (once; log ${logFile})`);
  try {
    const args = ['--variant=minbase', `--include=${INCLUDE.join(',')}`, SUITE, building, MIRROR];
    const child = spawn('debootstrap', args, { stdio: ['ignore', fd, fd] });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    if (code !== 0) {
      throw new Error(`debootstrap exited ${code}: ${readFileSync(logFile, 'utf8').slice(-2000)}`);
    }
  } catch (err) {
    rmSync(building, { recursive: true, force: true });
    throw err;
  } finally {
    closeSync(fd);
  }
  // A root file system appears complete or not at all, also when two runs race.
  if (existsSync(ROOTFS_CACHE)) rmSync(building, { recursive: true, force: true });
  else renameSync(building, ROOTFS_CACHE);
  rmSync(logFile, { force: true });
  return ROOTFS_CACHE;
}

export interface Exec {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface BootOptions {
  readonly rootfs: string;
  readonly name: string;
  /** /run/netns/<netns> becomes the machine's network namespace. */
  readonly netns: string;
  /** Host directories the machine sees read-only: [host, machine]. */
  readonly bindReadOnly: readonly (readonly [string, string])[];
  /** Where the machine's console (systemd's boot messages) goes. */
  readonly consoleLog: string;
}

export class Machine {
  private constructor(
    private readonly nspawn: ChildProcess,
    /** The machine's PID 1 (systemd) as the host sees it. */
    readonly leader: number,
  ) {}

  static async boot(opts: BootOptions): Promise<Machine> {
    const fd = openSync(opts.consoleLog, 'w');
    const args = [
      '--boot',
      '--volatile=overlay',
      `--directory=${opts.rootfs}`,
      `--machine=${opts.name}`,
      `--network-namespace-path=/run/netns/${opts.netns}`,
      // nspawn keeps CAP_NET_ADMIN only for a private network; this namespace is the machine's own.
      '--capability=CAP_NET_ADMIN',
      // No systemd on the host: no machined to register with, no scope to allocate.
      '--register=no',
      '--keep-unit',
      '--console=passive',
      ...opts.bindReadOnly.map(([host, guest]) => `--bind-ro=${host}:${guest}`),
    ];
    const nspawn = spawn('systemd-nspawn', args, { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    // Under a loaded CI machine a boot can take a while; it takes 2-4 s here when idle.
    const until = Date.now() + 120_000;
    let leader = 0;
    while (leader === 0) {
      if (nspawn.exitCode !== null || Date.now() > until) {
        nspawn.kill('SIGKILL');
        throw new Error(`systemd-nspawn did not boot: ${readFileSync(opts.consoleLog, 'utf8').slice(-3000)}`);
      }
      await new Promise((r) => setTimeout(r, 50));
      leader = childNamed(nspawn.pid ?? -1, 'systemd');
    }
    const machine = new Machine(nspawn, leader);
    // "degraded" is a booted system too (a unit of the minimal image may fail in a container).
    // Until systemd has its bus socket up systemctl prints nothing, and until it has created
    // /run/systemd/system it says "offline": ask again.
    let state: Exec = { status: null, stdout: '', stderr: '' };
    while (Date.now() < until) {
      state = machine.sh('systemctl is-system-running --wait');
      if (!['', 'offline'].includes(state.stdout.trim())) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const booted = state.stdout.trim();
    if (booted !== 'running' && booted !== 'degraded') {
      await machine.shutdown();
      throw new Error(`the machine booted into "${booted}": ${state.stderr}`);
    }
    return machine;
  }

  /** `script` under /bin/sh in the machine, as root, with a clean environment. */
  sh(script: string, input?: string): Exec {
    const r = spawnSync(
      'nsenter',
      [
        '--target',
        String(this.leader),
        '--all',
        'env',
        '-i',
        `PATH=${PATH}`,
        'LANG=C.UTF-8',
        'sh',
        '-c',
        script,
      ],
      { encoding: 'utf8', input, timeout: 120_000 },
    );
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  /** Like sh(), but throws with the output unless the script exits 0. */
  ok(script: string, input?: string): string {
    const r = this.sh(script, input);
    if (r.status !== 0)
      throw new Error(`in the machine: ${script}\nexit ${r.status}\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  }

  /** A systemd property of a unit (systemctl show -P). */
  property(unit: string, name: string): string {
    return this.ok(`systemctl show -P ${name} ${unit}`).trim();
  }

  /** Power off (nspawn turns SIGTERM into the machine's shutdown), SIGKILL after 30 s. */
  async shutdown(): Promise<void> {
    const nspawn = this.nspawn;
    if (nspawn.exitCode !== null || nspawn.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => nspawn.kill('SIGKILL'), 30_000);
      nspawn.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      nspawn.kill('SIGTERM');
    });
  }
}

/** The pid of `parent`'s child whose command is `comm`, or 0. */
function childNamed(parent: number, comm: string): number {
  const r = spawnSync('ps', ['-o', 'pid=,comm=', '--ppid', String(parent)], { encoding: 'utf8' });
  for (const line of r.stdout.split('\n')) {
    const [pid, name] = line.trim().split(/\s+/);
    if (name === comm) return Number(pid);
  }
  return 0;
}
