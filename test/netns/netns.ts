/**
 * Network namespaces for integration tests. Tests that need them must run as root with iproute2;
 * without that they fail with a clear message (never a silent skip). Every namespace made here is
 * deleted by `destroy()`, which the tests call in afterAll, also after a failure.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

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

function run(cmd: string, args: readonly string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr || r.error?.message}`);
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
