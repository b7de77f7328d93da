/**
 * The package an operator installs (issue 17): `npm pack` of a copy of this checkout, then
 * `npm install --global` of the tarball into a throwaway prefix with nothing on PATH but node,
 * npm and sh: no python3, make or C compiler, so node-gyp cannot compile anything and the install works
 * only if the tarball's prebuilt addon is used. Then the installed command checks a config and the
 * installed package's addon opens a socket. The runtime dependencies come from npm's cache (filled
 * by `npm ci`) or the npm registry.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** What `npm pack` needs from the checkout (node_modules is linked, not copied). */
const SOURCES = [
  'package.json',
  'man',
  'package-lock.json',
  'tsconfig.json',
  'tsconfig.build.json',
  'binding.gyp',
  'README.md',
  'src',
  'grammar',
  'native',
  'scripts',
  'etc',
  'systemd',
];
const PLATFORM = `${process.platform}-${process.arch}`;

let dir: string;
let tarball: string;
/** PATH for the install: a folder holding only `node`, `npm` and `sh` (npm runs scripts with it). */
let bareBin: string;

const run = (cmd: string, args: string[], cwd: string, path?: string): SpawnSyncReturns<string> =>
  spawnSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...(path ? { PATH: path } : {}), npm_config_update_notifier: 'false' },
    maxBuffer: 64 * 1024 * 1024,
  });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kts-pack-'));
  const src = join(dir, 'src');
  mkdirSync(src);
  for (const part of SOURCES) cpSync(join(ROOT, part), join(src, part), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(src, 'node_modules'));
  const pack = run('npm', ['pack', '--pack-destination', dir], src);
  if (pack.status !== 0) throw new Error(`npm pack failed (${pack.status}):\n${pack.stdout}\n${pack.stderr}`);
  tarball = join(dir, (pack.stdout.trim().split('\n').at(-1) ?? '').trim());
  bareBin = join(dir, 'bin');
  mkdirSync(bareBin);
  symlinkSync(process.execPath, join(bareBin, 'node'));
  const npm = run('/bin/sh', ['-c', 'command -v npm'], dir).stdout.trim();
  symlinkSync(realpathSync(npm), join(bareBin, 'npm'));
  symlinkSync('/bin/sh', join(bareBin, 'sh'));
}, 240_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('npm pack, then npm install --global without a toolchain', () => {
  it('packs the built code, the prebuilt addon for this platform and the unit, not a local build', () => {
    const list = run('tar', ['tzf', tarball], dir).stdout.split('\n');
    expect(list).toContain('package/dist/cli.js');
    expect(list).toContain('package/dist/config/generated/keepalived-parser.js');
    expect(list).toContain(`package/prebuilds/${PLATFORM}/keepalived-ts.napi.glibc.node`);
    expect(list).toContain('package/systemd/keepalived-ts.service');
    expect(list).toContain('package/native/rawsock.c');
    expect(list).toContain('package/man/keepalived-ts.8');
    expect(list).toContain('package/man/keepalived-ts.conf.5');
    expect(list.filter((f) => f.startsWith('package/build/'))).toEqual([]);
  });

  it('installs with only node, npm and sh on PATH, using the prebuilt addon', () => {
    // The premise: nothing on this PATH can compile.
    for (const tool of ['python3', 'make', 'cc', 'gcc', 'g++'])
      expect(run('/bin/sh', ['-c', `command -v ${tool} || true`], dir, bareBin).stdout.trim(), tool).toBe('');
    const prefix = join(dir, 'prefix');
    const r = run(
      'npm',
      [
        'install',
        '--global',
        '--prefix',
        prefix,
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--foreground-scripts',
        tarball,
      ],
      dir,
      bareBin,
    );
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(`${r.stdout}${r.stderr}`).toContain('keepalived-ts: using the prebuilt native addon');
    const pkg = join(prefix, 'lib', 'node_modules', 'keepalived-ts');
    expect(existsSync(join(pkg, 'build'))).toBe(false);
    // npm links the man pages where man finds them.
    expect(existsSync(join(prefix, 'share', 'man', 'man8', 'keepalived-ts.8'))).toBe(true);
    expect(existsSync(join(prefix, 'share', 'man', 'man5', 'keepalived-ts.conf.5'))).toBe(true);

    // The command is there and works.
    const bin = join(prefix, 'bin', 'keepalived-ts');
    writeFileSync(join(dir, 'ok.conf'), 'global_defs {\n router_id pack-test\n}\n');
    const check = run(bin, ['-t', '-f', join(dir, 'ok.conf')], dir, bareBin);
    expect([check.status, check.stderr]).toEqual([0, '']);

    // The installed package's addon loads (from prebuilds/) and makes a socket.
    const native = join(pkg, 'dist', 'net', 'native.js');
    const probe = run(
      'node',
      [
        '--input-type=module',
        '-e',
        `const { rawSock } = await import(${JSON.stringify(native)}); const a = rawSock(); ` +
          `const fd = a.socket(1, 2, 0); a.close(fd); console.log(fd >= 0 ? 'socket ok' : 'no socket');`,
      ],
      dir,
      bareBin,
    );
    expect(probe.stdout.trim(), probe.stderr).toBe('socket ok');
  });
});
