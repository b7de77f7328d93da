/**
 * `keepalived-ts migrate-defaults` on real files: DAEMON_ARGS from keepalived's environment file
 * into KEEPALIVED_TS_OPTIONS, other lines kept, the pid file option left out, options that do
 * nothing here named, bad input refused with a clear line.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
let dir: string;
const migrate = (...args: string[]) =>
  spawnSync(process.execPath, [CLI, 'migrate-defaults', ...args], { encoding: 'utf8', cwd: dir });

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
  dir = mkdtempSync(join(tmpdir(), 'kts-migrate-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('keepalived-ts migrate-defaults', () => {
  it("writes keepalived's DAEMON_ARGS as KEEPALIVED_TS_OPTIONS, keeping the file's other lines", () => {
    const from = join(dir, 'keepalived');
    const to = join(dir, 'keepalived-ts');
    writeFileSync(
      from,
      '# Options to pass to keepalived\nDAEMON_ARGS="-D -S 1 --snmp -X -p /run/keepalived.pid"\n',
    );
    writeFileSync(to, '# mine\nKEEPALIVED_TS_OPTIONS="--log-format=json"\nOTHER=1\n');
    const r = migrate('--from', from, '--to', to);
    expect(r.status).toBe(0);
    expect(readFileSync(to, 'utf8')).toBe('# mine\nKEEPALIVED_TS_OPTIONS="-D -S 1 --snmp -X"\nOTHER=1\n');
    expect(r.stderr.split('\n').filter(Boolean)).toEqual([
      "keepalived-ts: -X/--release-vips has no effect: keepalived-ts removes an instance's VIPs every time it leaves MASTER, and any left over at start-up, so there is nothing more to release",
      "keepalived-ts migrate-defaults: '-p /run/keepalived.pid' left out: the unit's pid file is /run/keepalived-ts/keepalived-ts.pid",
    ]);
  });

  it('creates the file when there is none; --dry-run only prints the line', () => {
    const from = join(dir, 'keepalived2');
    writeFileSync(from, 'DAEMON_ARGS="--config-id \'lb 1\' -f /etc/keepalived/lb.conf"\n');
    const dry = migrate('--from', from, '--to', join(dir, 'absent'), '--dry-run');
    expect([dry.status, dry.stdout]).toEqual([
      0,
      `KEEPALIVED_TS_OPTIONS="--config-id 'lb 1' -f /etc/keepalived/lb.conf"\n`,
    ]);
    expect(existsSync(join(dir, 'absent'))).toBe(false);
    const to = join(dir, 'created');
    expect(migrate('--from', from, '--to', to).status).toBe(0);
    expect(readFileSync(to, 'utf8')).toBe(
      `# From DAEMON_ARGS in ${from} (keepalived-ts migrate-defaults)\nKEEPALIVED_TS_OPTIONS="--config-id 'lb 1' -f /etc/keepalived/lb.conf"\n`,
    );
  });

  it('refuses an option neither daemon knows, shell expansion, and a missing file', () => {
    const bad = join(dir, 'bad');
    writeFileSync(bad, 'DAEMON_ARGS="--frobnicate"\n');
    const r = migrate('--from', bad, '--to', join(dir, 'x'));
    expect([r.status, r.stderr]).toEqual([
      1,
      `keepalived-ts migrate-defaults: DAEMON_ARGS in ${bad}: unrecognized option '--frobnicate'\n`,
    ]);
    writeFileSync(bad, 'DAEMON_ARGS="-i $(hostname)"\n');
    expect(migrate('--from', bad, '--to', join(dir, 'x')).status).toBe(1);
    const missing = migrate('--from', join(dir, 'nope'));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^keepalived-ts migrate-defaults: cannot read .*nope: ENOENT/);
    expect(existsSync(join(dir, 'x'))).toBe(false);
  });
});
