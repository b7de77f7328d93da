/**
 * The built command line (dist/cli.js) on real files: keepalived's -t contract and --dump-config.
 * The configs here use no interfaces, so the host's interface names do not matter.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
let dir: string;

const CLEAN =
  'virtual_server 192.0.2.1 80 {\n lb_algo rr\n lb_kind NAT\n protocol TCP\n real_server 198.51.100.1 80 {\n }\n}\n';

function cli(...args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: dir });
}

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
  dir = mkdtempSync(join(tmpdir(), 'kts-cli-'));
  writeFileSync(join(dir, 'clean.conf'), CLEAN);
  writeFileSync(join(dir, 'warn.conf'), CLEAN.replace(' protocol TCP\n', ''));
  // keepalived 2.2.7 exits 2 here (its parser reads a word that is not there; router_id alone is a plain error).
  writeFileSync(join(dir, 'missing-param.conf'), 'global_defs {\n smtp_connect_timeout\n}\n');
  writeFileSync(join(dir, 'unsupported.conf'), `global_defs {\n enable_dbus\n}\n${CLEAN}`);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('keepalived-ts -t', () => {
  it('exits 0 and prints nothing for a clean config', () => {
    const r = cli('-t', '-f', 'clean.conf');
    expect([r.status, r.stderr]).toEqual([0, '']);
  });

  it('prints keepalived-style messages on stderr and exits 5 for warnings', () => {
    const r = cli('--config-test', '--use-file=warn.conf');
    expect(r.status).toBe(5);
    expect(r.stderr).toBe(
      '(warn.conf: Line 1) Virtual server [192.0.2.1]:none:80: no protocol set - defaulting to UDP\n',
    );
  });

  it('exits 2 on a missing parameter, 4 when the file does not exist', () => {
    expect(cli('-t', '-f', 'missing-param.conf').status).toBe(2);
    const r = cli('-t', '-f', 'nope.conf');
    expect([r.status, r.stderr]).toEqual([4, "Config files missing 'nope.conf'.\n"]);
  });

  it('our own notes do not change the exit code', () => {
    const r = cli('-t', '-f', 'unsupported.conf');
    expect([r.status, r.stderr]).toEqual([
      0,
      '(unsupported.conf: Line 2) keepalived-ts: enable_dbus: not supported - ignored\n',
    ]);
  });

  it('-t=LOG_FILE writes the messages to that file', () => {
    const r = cli('-t', '-f', 'warn.conf', '--config-test=check.log');
    expect([r.status, r.stderr]).toEqual([5, '']);
    expect(readFileSync(join(dir, 'check.log'), 'utf8')).toContain('no protocol set - defaulting to UDP');
  });
});

describe('keepalived-ts --dump-config and the rest of the command line', () => {
  it('prints the validated config as JSON', () => {
    const r = cli('--dump-config', '-f', 'clean.conf');
    expect(r.status).toBe(0);
    const dump = JSON.parse(r.stdout) as {
      files: string[];
      config: { virtualServers: { display: string; lbAlgo: string }[] };
    };
    expect(dump.files).toEqual([join(dir, 'clean.conf')]);
    expect(dump.config.virtualServers.map((v) => [v.display, v.lbAlgo])).toEqual([
      ['[192.0.2.1]:tcp:80', 'rr'],
    ]);
  });

  it('--dump-config fails only on errors', () => {
    expect(cli('--dump-config', '-f', 'warn.conf').status).toBe(0);
    expect(cli('--dump-config', '-f', 'missing-param.conf').status).toBe(1);
  });

  it('version, help, bad options', () => {
    // keepalived -v's shape, on stderr: the version line, then the kernel it runs on.
    const v = cli('-v');
    expect([v.status, v.stdout]).toEqual([0, '']);
    expect(v.stderr).toMatch(/^Keepalived-ts v\d+\.\d+\.\d+ \(keepalived v2\.2\.7 compatible\)\n/);
    expect(v.stderr).toMatch(/\nRunning on Linux \S+ /);
    expect(v.stderr).toContain('\nConfig options:  LVS ');
    expect(cli('--help').stdout).toContain('--config-test');
    const bad = cli('--frobnicate');
    expect([bad.status, bad.stderr.split('\n')[0]]).toEqual([
      1,
      "keepalived-ts: unrecognized option '--frobnicate'",
    ]);
  });
});
