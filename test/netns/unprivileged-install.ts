/**
 * A copy of the built daemon that an unprivileged user can run. The checkout may sit under a
 * directory only root can enter (a clone in a `mktemp -d` folder is mode 0700), so uid 65534
 * cannot load dist/cli.js from there. When it cannot, the daemon's runtime files (package.json,
 * dist/, the native addon and the production dependencies, as `npm ls --omit=dev` lists them)
 * are copied into `dir`, which the caller makes world-readable, and the copy's cli.js is returned.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CLI, PACKAGE_ROOT } from './netns.js';

/** True if `uid` (with gid `uid`, no supplementary groups) can read `path`. */
export function canRead(uid: number, path: string): boolean {
  const r = spawnSync('setpriv', [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', 'test', '-r', path]);
  return r.status === 0;
}

/** dist/cli.js if `uid` can load it where it is, otherwise a copy of what it needs under `dir`. */
export function cliFor(uid: number, dir: string): string {
  if (canRead(uid, CLI)) return CLI;
  const ls = spawnSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], {
    cwd: PACKAGE_ROOT,
    encoding: 'utf8',
  });
  if (ls.status !== 0) throw new Error(`npm ls --omit=dev failed: ${ls.stderr}`);
  const deps = ls.stdout
    .split('\n')
    .filter((p) => p.startsWith(join(PACKAGE_ROOT, 'node_modules')))
    .map((p) => relative(PACKAGE_ROOT, p));
  const root = join(dir, 'keepalived-ts');
  mkdirSync(root, { recursive: true, mode: 0o755 });
  for (const part of ['package.json', 'dist', join('build', 'Release', 'rawsock.node'), ...deps]) {
    const from = join(PACKAGE_ROOT, part);
    if (!existsSync(from)) throw new Error(`${from} is missing: run \`npm ci && npm run build\``);
    cpSync(from, join(root, part), { recursive: true });
  }
  const cli = join(root, 'dist', 'cli.js');
  if (!canRead(uid, cli))
    throw new Error(`uid ${uid} cannot read the copy at ${cli} either: is ${dir} world-readable?`);
  return cli;
}
