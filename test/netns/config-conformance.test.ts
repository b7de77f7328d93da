/**
 * Differential test against the real keepalived 2.2.7: each config in test/fixtures/conformance
 * (one per kind of problem, plus clean ones) must get the same `-t` exit code from keepalived-ts
 * as from keepalived, run side by side in a namespace with interfaces eth0..eth3.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, Netns, requireCommand, requireNetnsLab } from './netns.js';

const DIR = fileURLToPath(new URL('../fixtures/conformance', import.meta.url));
const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.conf'))
  .sort();

let ns: Netns;

beforeAll(() => {
  requireNetnsLab();
  requireCommand('keepalived', "install Debian's keepalived (.ci/run does): it is the reference");
  ns = Netns.create('kts-conform', ['eth0', 'eth1', 'eth2', 'eth3']);
});

afterAll(() => ns?.destroy());

describe('keepalived-ts -t agrees with keepalived -t', () => {
  it('has fixtures', () => {
    expect(files.length).toBeGreaterThan(40);
  });

  it.each(files)('%s', (file) => {
    const reference = ns.exec(['keepalived', '-t', '-f', file], { cwd: DIR });
    expect([0, 2, 4, 5, 6], `keepalived crashed on ${file}: ${reference.stderr}`).toContain(reference.status);
    const ours = ns.exec(['node', CLI, '-t', '-f', file], { cwd: DIR });
    expect(ours.status, `keepalived said:\n${reference.stderr}\nkeepalived-ts said:\n${ours.stderr}`).toBe(
      reference.status,
    );
  });
});
