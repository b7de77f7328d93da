/**
 * The VM lab: a real Linux kernel (Debian's stock `linux-image-amd64`, which has IPVS, netem,
 * dummy, bonding, ipip and VLAN modules that this machine's kernel lacks) booted under QEMU's
 * software emulation, with the host's root filesystem as its root (9p, read-only, under a tmpfs
 * overlay: everything is writable in the guest, nothing reaches the host). A scenario is a bash
 * script run as root in the guest, in the host's working directory; it sees this checkout, Node
 * and every Debian package of the host at their usual paths, and writes what it wants to keep into
 * `$KTS_RUN` (the run folder, shared read-write). QEMU is always killed: on exit, on a timeout, and
 * when the test process goes away.
 *
 * Boot: the kernel is booted uncompressed (extracted from the bzImage: its own XZ decompression
 * costs seconds under emulation) with a small initramfs built here (busybox-static, the virtio, 9p
 * and overlay modules, guest-init.sh and guest-stage2.sh). About 3 s to the scenario's first line.
 * Use it for behaviour, never for timing: Node runs about 10 times slower inside.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { cpioArchive, type CpioEntry } from './cpio.js';

/** The package root: the nearest folder above this file with a package.json (also when compiled for bench/). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}
const HERE = join(packageRoot(), 'test', 'vm');
const SETUP_HINT =
  'run `npm run setup:test-host` as root (it installs qemu-system-x86, linux-image-amd64, busybox-static, xz-utils)';

export interface VmOptions {
  /** Seconds before QEMU is killed (default 600). */
  readonly timeoutS?: number;
  readonly cpus?: number;
  readonly memMiB?: number;
  /** Modules loaded before the script (`modprobe`). */
  readonly modules?: readonly string[];
  /** Keep the run folder (its path is in the result). */
  readonly keep?: boolean;
  /** Each console line as it arrives (the scenario's output). */
  readonly onLine?: (line: string) => void;
}

export interface VmResult {
  /** The script's exit status; 124 on timeout; 125 when the guest never reported one. */
  readonly code: number;
  /** What the scenario printed (stdout and stderr, merged by the serial console). */
  readonly output: string;
  /** The run folder ($KTS_RUN in the guest); deleted unless `keep`. */
  readonly dir: string;
  /** Files the scenario wrote into $KTS_RUN, read before the folder is removed. */
  readonly files: ReadonlyMap<string, string>;
  readonly wallMs: number;
}

/** The kernel to boot: the newest /boot/vmlinuz-* whose modules are in /lib/modules. */
export function kernelVersion(): string {
  const versions = existsSync('/boot')
    ? readdirSync('/boot')
        .filter((f) => f.startsWith('vmlinuz-'))
        .map((f) => f.slice('vmlinuz-'.length))
        .filter((v) => existsSync(join('/lib/modules', v, 'modules.dep')))
        .sort()
    : [];
  const v = versions.at(-1);
  if (!v)
    throw new Error(`the VM lab needs a kernel image with its modules (/boot/vmlinuz-*): ${SETUP_HINT}`);
  return v;
}

/** Throws a clear error unless the VM lab can run here. */
export function requireVmLab(): void {
  if (process.getuid?.() !== 0)
    throw new Error('the VM lab runs QEMU with the host root over 9p: run as root');
  for (const [cmd, arg] of [
    ['qemu-system-x86_64', '--version'],
    ['xz', '--version'],
    ['modprobe', '--version'],
  ] as const)
    if (spawnSync(cmd, [arg]).status !== 0) throw new Error(`${cmd} is missing: ${SETUP_HINT}`);
  if (!existsSync('/usr/bin/busybox') && !existsSync('/bin/busybox'))
    throw new Error(`busybox is missing: ${SETUP_HINT}`);
  kernelVersion();
}

const stateDir = (): string => join(tmpdir(), `kts-vmlab-${process.getuid?.() ?? 0}`);

/** insmod order for the modules the initramfs needs (modprobe --show-depends). */
function bootModules(kver: string): string[] {
  const out: string[] = [];
  for (const m of ['virtio_pci', '9pnet_virtio', '9p', 'overlay']) {
    const r = spawnSync('modprobe', ['-S', kver, '--show-depends', m], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`modprobe --show-depends ${m}: ${r.stderr}`);
    for (const line of r.stdout.split('\n')) {
      const path = /^insmod (\S+)/.exec(line)?.[1];
      if (path && !out.includes(path)) out.push(path);
    }
  }
  return out;
}

/** A module file's bytes, decompressed when the distribution compresses modules. */
function moduleBytes(path: string): Buffer {
  if (path.endsWith('.ko')) return readFileSync(path);
  const tool = path.endsWith('.xz') ? 'xz' : path.endsWith('.zst') ? 'zstd' : null;
  if (!tool) throw new Error(`unknown module compression: ${path}`);
  const r = spawnSync(tool, ['-dc', path], { maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${tool} -dc ${path} failed`);
  return r.stdout;
}

/** The initramfs (cached by kernel version and the guest scripts' contents). */
function initramfs(kver: string): string {
  const init = readFileSync(join(HERE, 'guest-init.sh'));
  const stage2 = readFileSync(join(HERE, 'guest-stage2.sh'));
  const tag = createHash('sha256').update(kver).update(init).update(stage2).digest('hex').slice(0, 12);
  const file = join(stateDir(), `initramfs-${kver}-${tag}.cpio.gz`);
  if (existsSync(file)) return file;
  const busybox = readFileSync(existsSync('/usr/bin/busybox') ? '/usr/bin/busybox' : '/bin/busybox');
  const modules = bootModules(kver);
  const entries: CpioEntry[] = [
    ...['bin', 'dev', 'proc', 'sys', 'lib', 'lib/mod'].map((name) => ({ name, type: 'dir' as const })),
    { name: 'dev/console', type: 'char', major: 5, minor: 1, mode: 0o600 },
    { name: 'dev/null', type: 'char', major: 1, minor: 3, mode: 0o666 },
    { name: 'bin/busybox', type: 'file', data: busybox, mode: 0o755 },
    { name: 'bin/sh', type: 'symlink', target: 'busybox' },
    { name: 'init', type: 'file', data: init, mode: 0o755 },
    { name: 'stage2', type: 'file', data: stage2, mode: 0o755 },
    ...modules.map((m) => ({
      name: `lib/mod/${basename(m).replace(/\.(xz|zst)$/, '')}`,
      type: 'file' as const,
      data: moduleBytes(m),
      mode: 0o644,
    })),
    {
      name: 'lib/mod/order',
      type: 'file',
      data: Buffer.from(modules.map((m) => `${basename(m).replace(/\.(xz|zst)$/, '')}\n`).join('')),
      mode: 0o644,
    },
  ];
  mkdirSync(stateDir(), { recursive: true });
  writeFileSync(`${file}.tmp`, gzipSync(cpioArchive(entries), { level: 1 }));
  renameSync(`${file}.tmp`, file);
  return file;
}

/**
 * The uncompressed kernel (an ELF QEMU boots directly through its PVH entry), extracted from the
 * bzImage's XZ payload; the bzImage itself when that fails.
 */
function kernelImage(kver: string): string {
  const bz = `/boot/vmlinuz-${kver}`;
  const out = join(stateDir(), `vmlinux-${kver}`);
  if (existsSync(out)) return out;
  const image = readFileSync(bz);
  const at = image.indexOf(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]));
  if (at < 0) return bz;
  const r = spawnSync('xz', ['-dc', '--single-stream'], { input: image.subarray(at), maxBuffer: 512 << 20 });
  const elf = r.stdout;
  if (!elf || elf.length < 4 || elf.readUInt32BE(0) !== 0x7f454c46) return bz;
  mkdirSync(stateDir(), { recursive: true });
  writeFileSync(`${out}.tmp`, elf);
  renameSync(`${out}.tmp`, out);
  return out;
}

/** QEMU processes still running, killed if the test process exits first. */
const running = new Set<number>();
process.on('exit', () => {
  for (const pid of running) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
});

/** Boot the VM, run `script` (bash) as root in it, power off. */
export async function runInVm(script: string, opts: VmOptions = {}): Promise<VmResult> {
  requireVmLab();
  const kver = kernelVersion();
  const kernel = kernelImage(kver);
  const initrd = initramfs(kver);
  mkdirSync(join(stateDir(), 'runs'), { recursive: true });
  const dir = mkdtempSync(join(stateDir(), 'runs', 'run-'));
  const modules = (opts.modules ?? []).map((m) => `modprobe ${m}\n`).join('');
  writeFileSync(join(dir, 'cmd.sh'), `export KTS_RUN='${dir}'\nset -e\n${modules}set +e\n${script}\n`);
  writeFileSync(join(dir, 'cwd'), process.cwd());
  const started = Date.now();
  const args = [
    ...['-accel', 'tcg,thread=multi', '-cpu', 'max', '-smp', String(opts.cpus ?? 2)],
    ...['-m', String(opts.memMiB ?? 2048), '-M', 'pc', '-nodefaults', '-no-reboot', '-no-user-config'],
    ...['-display', 'none', '-vga', 'none', '-kernel', kernel, '-initrd', initrd],
    '-append',
    `console=ttyS0 quiet loglevel=1 cryptomgr.notests panic=-1 mitigations=off 8250.nr_uarts=1 kts.run=${dir}`,
    ...['-chardev', 'stdio,id=con,signal=off', '-serial', 'chardev:con'],
    '-virtfs',
    'local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap',
    '-virtfs',
    `local,path=${dir},mount_tag=run,security_model=none`,
    ...['-device', 'virtio-rng-pci', '-net', 'none'],
  ];
  const qemu = spawn('qemu-system-x86_64', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  if (qemu.pid) running.add(qemu.pid);
  let raw = '';
  let pending = '';
  let inScenario = false;
  const lines: string[] = [];
  const onData = (chunk: Buffer): void => {
    const text = chunk.toString('utf8').replace(/\r/g, '');
    raw += text;
    pending += text;
    const parts = pending.split('\n');
    pending = parts.pop() ?? '';
    for (const line of parts) {
      if (!inScenario) {
        if (line === '@@KTS_VM_BEGIN@@') inScenario = true;
        continue;
      }
      if (line.includes('@@KTS_VM_RC=')) {
        inScenario = false;
        continue;
      }
      lines.push(line);
      opts.onLine?.(line);
    }
  };
  qemu.stdout.on('data', onData);
  qemu.stderr.on('data', onData);
  let timedOut = false;
  const timer = setTimeout(
    () => {
      timedOut = true;
      qemu.kill('SIGKILL');
    },
    (opts.timeoutS ?? 600) * 1000,
  );
  await new Promise<void>((resolve) => qemu.once('close', () => resolve()));
  clearTimeout(timer);
  if (qemu.pid) running.delete(qemu.pid);
  const rcFile = join(dir, 'rc');
  const marker = /@@KTS_VM_RC=(\d+)@@/.exec(raw)?.[1];
  const code = existsSync(rcFile)
    ? Number(readFileSync(rcFile, 'utf8').trim())
    : timedOut
      ? 124
      : marker !== undefined
        ? Number(marker)
        : 125;
  const files = new Map<string, string>();
  for (const f of readdirSync(dir))
    if (!['cmd.sh', 'cwd', 'rc'].includes(f)) {
      try {
        files.set(f, readFileSync(join(dir, f), 'utf8'));
      } catch {
        // a folder or unreadable file: not collected
      }
    }
  const output =
    code === 125 && lines.length === 0 ? raw.split('\n').slice(-40).join('\n') : lines.join('\n');
  if (!opts.keep) rmSync(dir, { recursive: true, force: true });
  return { code, output, dir, files, wallMs: Date.now() - started };
}
