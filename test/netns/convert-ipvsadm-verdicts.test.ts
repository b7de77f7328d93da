/**
 * Acceptance: what `keepalived-ts convert --from ipvsadm` writes from the ipvsadm fixtures
 * (test/fixtures/convert/ipvsadm: ipvsadm-save output and a script of ipvsadm commands), with each
 * checker it offers, is a config keepalived 2.2.7 accepts (`keepalived -t`: exit 0, no message)
 * and keepalived-ts accepts too, in a fresh network namespace.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, Netns, requireCommand, requireNetnsLab } from './netns.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/convert/ipvsadm', import.meta.url));
const CHECKS = ['TCP_CHECK', 'HTTP_GET', 'SSL_GET'];
const cases = readdirSync(FIXTURES)
  .sort()
  .flatMap((f) => CHECKS.map((c) => [f, c] as const));

let ns: Netns;
let dir: string;

beforeAll(() => {
  requireNetnsLab();
  requireCommand(
    'keepalived',
    "install Debian's keepalived (.ci/run does), the reference for these verdicts",
  );
  ns = Netns.create('kts-convert-ipvsadm', []);
  dir = mkdtempSync(join(tmpdir(), 'kts-convert-ipvsadm-'));
});

afterAll(() => {
  ns?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('convert --from ipvsadm: keepalived 2.2.7 accepts the result', () => {
  it('has fixtures', () => expect(cases.length).toBeGreaterThanOrEqual(2 * CHECKS.length));

  it.each(cases)('%s with %s', (fixture, check) => {
    const converted = spawnSync(
      'node',
      [CLI, 'convert', '--from', 'ipvsadm', '--check', check, join(FIXTURES, fixture)],
      { encoding: 'utf8' },
    );
    expect(converted.status, converted.stderr).toBe(0);
    expect(converted.stdout).toMatch(/^virtual_server /m);
    const conf = join(dir, `${fixture}.${check}.conf`);
    writeFileSync(conf, converted.stdout);

    const theirs = ns.exec(['keepalived', '-t', '-f', conf]);
    expect(theirs.status, theirs.stderr).toBe(0);
    expect(theirs.stderr.trim()).toBe('');
    const ours = ns.exec(['node', CLI, '-t', '-f', conf]);
    expect(ours.status, ours.stderr).toBe(0);
  });
});
