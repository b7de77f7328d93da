/**
 * Differential test against the real keepalived 2.2.7: each config in test/fixtures/conformance
 * (one per kind of problem, plus clean ones) must get the same `-t` exit code from keepalived-ts
 * as from keepalived, run side by side in a namespace with interfaces eth0..eth3. Both run through
 * the differential harness's worker (keepalived-ts in-process, as `-t` does), each file read from
 * its own folder so relative includes resolve.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Outcome } from '../differential/compare.js';
import { runCases } from '../differential/harness.js';
import { Netns, requireCommand, requireNetnsLab } from './netns.js';

const DIR = fileURLToPath(new URL('../fixtures/conformance', import.meta.url));
const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.conf'))
  .sort();

let ns: Netns | undefined;
const outcomes = new Map<string, Outcome>();

beforeAll(async () => {
  requireNetnsLab();
  requireCommand(
    'keepalived',
    "install Debian's keepalived (npm run setup:test-host does): it is the reference",
  );
  ns = Netns.create('kts-conform', ['eth0', 'eth1', 'eth2', 'eth3']);
  for (const o of await runCases(
    ns,
    files.map((f) => ({ id: f, file: join(DIR, f) })),
  ))
    outcomes.set(o.id, o);
});

afterAll(() => ns?.destroy());

describe('keepalived-ts -t agrees with keepalived -t', () => {
  it('has fixtures', () => {
    expect(files.length).toBeGreaterThan(40);
  });

  it.each(files)('%s', (file) => {
    const o = outcomes.get(file);
    expect(o, `no outcome for ${file}`).toBeDefined();
    const reference = o?.keepalived;
    expect([0, 2, 4, 5, 6], `keepalived crashed on ${file}: ${reference?.lines.join('\n')}`).toContain(
      reference?.status,
    );
    expect(
      o?.ours.status,
      `keepalived said:\n${reference?.lines.join('\n')}\nkeepalived-ts said:\n${o?.ours.lines.join('\n')}`,
    ).toBe(reference?.status);
  });
});
