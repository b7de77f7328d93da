/**
 * The differential harness in CI: every generated case (test/differential/cases.ts) through
 * keepalived 2.2.7's `-t` and keepalived-ts's, in a namespace. Every verdict must agree unless
 * test/differential/known-differences.ts explains it; message agreement must not fall below the
 * figure docs/config-agreement.md reports. With KTS_DIFF_REPORT=FILE set (`npm run diff:config`)
 * it also writes the agreement table to FILE.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allCases, type Case } from '../differential/cases.js';
import { compare, type Outcome, type Verdict } from '../differential/compare.js';
import { differentialLab, runCases } from '../differential/harness.js';
import { KNOWN_DIFFERENCES } from '../differential/known-differences.js';
import { agreementTable } from '../differential/report.js';
import { PACKAGE_ROOT, requireCommand, requireNetnsLab, type Netns } from './netns.js';

let ns: Netns | undefined;
let cases: Case[] = [];
let outcomes: Outcome[] = [];
let verdicts: Verdict[] = [];

beforeAll(async () => {
  requireNetnsLab();
  requireCommand(
    'keepalived',
    "install Debian's keepalived (npm run setup:test-host does): it is the reference",
  );
  // KTS_DIFF_ONLY=REGEX: only the cases whose id matches (while working on one area).
  const only = process.env.KTS_DIFF_ONLY ? new RegExp(process.env.KTS_DIFF_ONLY) : undefined;
  cases = allCases().filter((c) => !only || only.test(c.id));
  ns = differentialLab();
  outcomes = await runCases(ns, cases);
  verdicts = outcomes.map(compare);
  if (process.env.KTS_DIFF_OUTCOMES) writeFileSync(process.env.KTS_DIFF_OUTCOMES, JSON.stringify(outcomes));
  const report = process.env.KTS_DIFF_REPORT;
  if (report) {
    const v = spawnSync('keepalived', ['--version'], { encoding: 'utf8' });
    const version = `${v.stdout}${v.stderr}`.split('\n')[0] ?? '';
    writeFileSync(
      report,
      agreementTable({
        date: new Date().toISOString().slice(0, 10),
        machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`,
        keepalived: version.trim(),
        cases,
        verdicts,
        known: KNOWN_DIFFERENCES,
      }),
    );
  }
}, 900_000);

afterAll(() => ns?.destroy());

const show = (ids: readonly string[]): string =>
  ids
    .map((id) => {
      const o = outcomes.find((x) => x.id === id);
      return `${id}: keepalived ${o?.keepalived.status} [${o?.keepalived.lines.join(' / ')}] keepalived-ts ${o?.ours.status} [${o?.ours.lines.join(' / ')}]`;
    })
    .join('\n');

describe('keepalived-ts -t against keepalived 2.2.7 -t, keyword by keyword', () => {
  it('runs thousands of cases, every keyword at every level', () => {
    expect(cases.length).toBeGreaterThan(2000);
    expect(outcomes.length).toBe(cases.length);
  });

  it('keepalived knows every keyword of the catalogue where the catalogue puts it', () => {
    // The catalogue's own check: a valid value at its level must never be an unknown keyword.
    const wrong = outcomes
      .filter((o) => !/\/(in [a-z_]+|no brace|no name)$/.test(o.id) && !o.id.startsWith('combination/'))
      .filter((o) => o.keepalived.lines.some((l) => l.includes(`Unknown keyword '${o.id.split('/')[1]}'`)));
    expect(wrong.map((o) => o.id)).toEqual([]);
  });

  it('keepalived-ts never crashes or hangs; keepalived only where the differences say so', () => {
    const ours = outcomes.filter((o) => typeof o.ours.status !== 'number');
    expect(show(ours.map((o) => o.id))).toBe('');
    const theirs = outcomes.filter(
      (o) => typeof o.keepalived.status !== 'number' && !(o.id in KNOWN_DIFFERENCES),
    );
    expect(show(theirs.map((o) => o.id))).toBe('');
  });

  it("gives keepalived's verdict on every case but the listed differences", () => {
    const unexplained = verdicts
      .filter((v) => !v.verdictAgrees && !(v.id in KNOWN_DIFFERENCES))
      .map((v) => v.id);
    expect(show(unexplained)).toBe('');
  });

  it('lists no difference that has gone', () => {
    const agreeing = new Set(verdicts.filter((v) => v.verdictAgrees).map((v) => v.id));
    const known = new Set(cases.map((c) => c.id));
    const stale = Object.keys(KNOWN_DIFFERENCES).filter((id) => agreeing.has(id) || !known.has(id));
    expect(stale).toEqual([]);
  });

  it('prints the same messages at least as often as docs/config-agreement.md says', () => {
    const doc = readFileSync(join(PACKAGE_ROOT, 'docs', 'config-agreement.md'), 'utf8');
    const m = /\| \*\*all\*\* \| \*\*(\d+)\*\* \| [^|]+\| \*\*(\d+) /.exec(doc);
    expect(m, 'docs/config-agreement.md has its totals row').not.toBeNull();
    const documented = Number(m?.[2]);
    const same = verdicts.filter((v) => v.messagesAgree).length;
    expect(same).toBeGreaterThanOrEqual(documented);
  });
});
