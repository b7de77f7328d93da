/**
 * Acceptance: every keepalived sample config gets keepalived 2.2.7's `-t` verdict from
 * keepalived-ts, in the environment the verdicts were recorded in (a network namespace with
 * eth0 eth1 eth2 eth3 eth0.1, cwd = the sample directory, config-id "vm"; see the corpus README).
 *
 * The samples and their expected verdicts (EXPECTED.tsv) are in test/fixtures/keepalived-samples
 * (keepalived's own sample configs, as Debian ships them). The real keepalived is run on the same files in the same namespace, so a host
 * that cannot reproduce the recorded verdicts (e.g. no `killall`) is reported as such.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, Netns, requireCommand, requireNetnsLab } from './netns.js';

const corpusDir = fileURLToPath(new URL('../fixtures/keepalived-samples', import.meta.url));
const expectedTsv = `${corpusDir}/EXPECTED.tsv`;

interface Verdict {
  readonly exit: number;
  readonly first: string | undefined;
}

function parseExpected(tsv: string): Map<string, Verdict> {
  const out = new Map<string, Verdict>();
  for (const line of tsv.trim().split('\n').slice(1)) {
    const [file, verdict] = line.split('\t') as [string, string];
    if (verdict === 'accept') out.set(file, { exit: 0, first: undefined });
    else {
      const m = /^reject \(exit (\d+)\): (.*)$/.exec(verdict);
      if (!m) throw new Error(`cannot read verdict '${verdict}' for ${file}`);
      out.set(file, { exit: Number(m[1]), first: m[2] });
    }
  }
  return out;
}

const expected = parseExpected(readFileSync(expectedTsv, 'utf8'));

/**
 * How our first message may differ from keepalived's. keepalived prints the messages of its
 * end-of-config checks without a location; keepalived-ts keeps the text and adds the location of
 * the block concerned (README, "Differences from keepalived"). Nothing else may differ.
 */
function sameMessage(ours: string | undefined, theirs: string): boolean {
  if (ours === theirs) return true;
  const located = /^\([^)]*: Line \d+\) (.*)$/.exec(ours ?? '');
  return !/^\([^)]*: Line \d+\) /.test(theirs) && located?.[1] === theirs;
}

let ns: Netns;

beforeAll(() => {
  requireNetnsLab();
  requireCommand(
    'keepalived',
    "install Debian's keepalived (.ci/run does), the reference for these verdicts",
  );
  ns = Netns.create('kts-corpus', ['eth0', 'eth1', 'eth2', 'eth3', 'eth0.1']);
});

afterAll(() => ns?.destroy());

describe('keepalived sample corpus: keepalived-ts -t gives keepalived 2.2.7 verdicts', () => {
  it('has the corpus and the verdict table', () => {
    const files = readdirSync(corpusDir).filter((f) => f.startsWith('keepalived.conf.'));
    expect(files.sort()).toEqual([...expected.keys()].sort());
  });

  it.each([...expected.keys()])('%s', (file) => {
    const want = expected.get(file) as Verdict;

    // The environment must reproduce keepalived's recorded verdict, or the comparison means nothing.
    const reference = ns.exec(['keepalived', '-t', '-f', file], { cwd: corpusDir });
    expect(reference.status, `keepalived itself gives another verdict here:\n${reference.stderr}`).toBe(
      want.exit,
    );

    const ours = ns.exec(['node', CLI, '-t', '-f', file], { cwd: corpusDir });
    const lines = ours.stderr.split('\n').filter((l) => l !== '');
    expect(ours.status, ours.stderr).toBe(want.exit);
    if (want.first !== undefined) {
      // Our own notes ("keepalived-ts: ...") are not keepalived messages.
      const first = lines.find((l) => !/^(\([^)]*\) )?keepalived-ts: /.test(l));
      expect(sameMessage(first, want.first), `first message: ${first}\nkeepalived: ${want.first}`).toBe(true);
    }
  });
});
