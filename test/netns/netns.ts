/**
 * Network namespaces for integration tests. Tests that need them must run as root with iproute2;
 * without that they fail with a clear message (never a silent skip). Every namespace made here is
 * deleted by `destroy()`, which the tests call in afterAll, also after a failure.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root: the nearest folder above this file with a package.json (also when compiled for bench/). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

export const PACKAGE_ROOT = packageRoot();
export const CLI = join(PACKAGE_ROOT, 'dist', 'cli.js');

/** Throw an explanatory error unless this process can create network namespaces. */
export function requireNetnsLab(): void {
  if (process.getuid?.() !== 0) {
    throw new Error(
      'netns tests need root (CAP_NET_ADMIN) to create network namespaces: run `sudo npm test`',
    );
  }
  const ip = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  if (ip.error || ip.status !== 0) {
    throw new Error(`netns tests need iproute2's \`ip netns\`: ${ip.error?.message ?? ip.stderr}`);
  }
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
}

export function requireCommand(cmd: string, hint: string): void {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} is not installed: ${hint}`);
}

function run(cmd: string, args: readonly string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr || r.error?.message}`);
  return r.stdout;
}

/**
 * Send `signal` to a child started by Netns.start() and wait for it to exit, with SIGKILL after
 * `timeoutMs`; resolves with its exit code (null when a signal ended it). Harmless if it is gone.
 */
export function stopProcess(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
  timeoutMs = 10_000,
): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    child.kill(signal);
  });
}

export class Netns {
  private constructor(readonly name: string) {}

  /** A namespace whose interfaces `names` exist and are up (veth pairs, peers named p0, p1...). */
  static create(prefix: string, names: readonly string[]): Netns {
    const ns = new Netns(`${prefix}-${process.pid}`);
    spawnSync('ip', ['netns', 'del', ns.name]);
    run('ip', ['netns', 'add', ns.name]);
    try {
      names.forEach((name, i) => {
        run('ip', ['-n', ns.name, 'link', 'add', name, 'type', 'veth', 'peer', 'name', `p${i}`]);
        run('ip', ['-n', ns.name, 'link', 'set', name, 'up']);
        run('ip', ['-n', ns.name, 'link', 'set', `p${i}`, 'up']);
      });
    } catch (err) {
      ns.destroy();
      throw err;
    }
    return ns;
  }

  /** An empty namespace called exactly `name` (a leftover of that name is deleted first). */
  static createNamed(name: string): Netns {
    const ns = new Netns(name);
    spawnSync('ip', ['netns', 'del', ns.name]);
    run('ip', ['netns', 'add', ns.name]);
    return ns;
  }

  /** A veth pair from interface `name` here to `peerName` in `peer`, both ends up. */
  veth(name: string, peer: Netns, peerName: string): void {
    run('ip', [
      '-n',
      this.name,
      'link',
      'add',
      name,
      'type',
      'veth',
      'peer',
      'name',
      peerName,
      'netns',
      peer.name,
    ]);
    run('ip', ['-n', this.name, 'link', 'set', name, 'up']);
    run('ip', ['-n', peer.name, 'link', 'set', peerName, 'up']);
  }

  /** `ip -n NAME ARGS...`, throwing with ip's message when it fails; returns its stdout. */
  ip(args: readonly string[]): string {
    return run('ip', ['-n', this.name, ...args]);
  }

  /**
   * Start a long-running command in the namespace and resolve once `ready` matches its stderr
   * (or stdout); reject if it exits or `timeoutMs` passes first. The caller stops it (stopProcess).
   */
  start(argv: readonly string[], ready: RegExp, timeoutMs = 10_000): Promise<ChildProcess> {
    const child = spawn('ip', ['netns', 'exec', this.name, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
    return new Promise((resolve, reject) => {
      let seen = '';
      const done = (err?: Error): void => {
        clearTimeout(timer);
        child.stdout.off('data', onData);
        child.stderr.off('data', onData);
        child.off('exit', onExit);
        child.off('error', done);
        if (err) {
          child.kill('SIGKILL');
          reject(err);
        } else resolve(child);
      };
      const onData = (chunk: Buffer): void => {
        seen += chunk.toString();
        if (ready.test(seen)) done();
      };
      const onExit = (code: number | null, signal: string | null): void =>
        done(new Error(`${argv.join(' ')} exited (${code ?? signal}) before ${ready}: ${seen}`));
      const timer = setTimeout(
        () => done(new Error(`${argv.join(' ')}: no ${ready} within ${timeoutMs} ms: ${seen}`)),
        timeoutMs,
      );
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.on('exit', onExit);
      child.on('error', done);
    });
  }

  exec(argv: readonly string[], opts: { cwd?: string } = {}): SpawnSyncReturns<string> {
    return spawnSync('ip', ['netns', 'exec', this.name, ...argv], {
      encoding: 'utf8',
      cwd: opts.cwd,
      timeout: 60_000,
      maxBuffer: 64 * 1024 * 1024,
    });
  }

  destroy(): void {
    spawnSync('ip', ['netns', 'del', this.name]);
  }
}
