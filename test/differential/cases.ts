/**
 * Every case the differential harness runs: for each keyword keepalived 2.2.7 knows at each level
 * (catalogue.ts), its probes (probes.ts), the keyword twice, and the keyword at a level where it
 * does not exist; then the hand-written combinations keepalived cross-checks (combinations.ts).
 * Pure and deterministic: the same list, in the same order, on every run.
 */
import { CATALOGUE, type KeywordSpec, type LevelName } from './catalogue.js';
import { COMBINATIONS } from './combinations.js';
import { probesFor } from './probes.js';
import { configFor, type Slots } from './skeletons.js';

export interface Case {
  /** `level/keyword/probe`, unique. */
  readonly id: string;
  readonly level: string;
  readonly keyword: string;
  readonly probe: string;
  readonly config: string;
}

const LEVELS = Object.keys(CATALOGUE) as LevelName[];

/** Levels that exist only inside the skeleton's blocks; 'root' takes whole blocks, see below. */
const line = (kw: KeywordSpec, words: string): string => (words ? `${kw.name} ${words}` : kw.name);

function blockProbes(level: LevelName, kw: KeywordSpec): { label: string; lines: string[] }[] {
  const head = kw.header ? `${kw.name} ${kw.header}` : kw.name;
  if (kw.value.kind === 'values') {
    const body = kw.valid ? kw.valid.split('\n') : [];
    return [
      { label: 'valid', lines: [`${head} {`, ...body.map((b) => `  ${b}`), '}'] },
      { label: 'empty', lines: [`${head} {`, '}'] },
      { label: 'unknown entry', lines: [`${head} {`, '  bogus', '}'] },
      { label: 'no brace', lines: [`${head} ${body[0] ?? ''}`.trim()] },
    ];
  }
  // A block with keywords of its own (vrrp_instance, url, a checker): empty, without its name or
  // address, and without its brace. Complete ones are the skeleton itself.
  const out = [
    { label: 'empty', lines: [`${head} {`, '}'] },
    { label: 'no brace', lines: [head] },
  ];
  if (kw.header && level === 'root') out.push({ label: 'no name', lines: [`${kw.name} {`, '}'] });
  return out;
}

/** Lines a keyword needs before it in its block (catalogue `context`). */
const ctxOf = (kw: KeywordSpec): readonly string[] => kw.context ?? [];

/** A level where `name` is not a keyword, to put it in the wrong block. */
function wrongLevel(name: string): LevelName | undefined {
  const known = (l: LevelName): boolean => (CATALOGUE[l] ?? []).some((k) => k.name === name);
  return (['global_defs', 'vrrp_instance', 'real_server'] as LevelName[]).find((l) => !known(l));
}

export function allCases(): Case[] {
  const cases: Case[] = [];
  const add = (level: string, keyword: string, probe: string, slots: Slots): void => {
    cases.push({ id: `${level}/${keyword}/${probe}`, level, keyword, probe, config: configFor(slots) });
  };
  const misplaced = new Set<string>();
  for (const level of LEVELS) {
    for (const kw of CATALOGUE[level]) {
      const kind = kw.value.kind;
      if (kind === 'block' || kind === 'values') {
        for (const b of blockProbes(level, kw))
          add(level, kw.name, b.label, { [level]: [...ctxOf(kw), ...b.lines] });
      } else {
        for (const pr of probesFor(kw.value, kw.valid))
          add(level, kw.name, pr.label, { [level]: [...ctxOf(kw), line(kw, pr.words)] });
        add(level, kw.name, 'twice', { [level]: [...ctxOf(kw), line(kw, kw.valid), line(kw, kw.valid)] });
      }
      const wrong = wrongLevel(kw.name);
      if (!misplaced.has(kw.name) && wrong && kind !== 'block' && kind !== 'values') {
        misplaced.add(kw.name);
        add(level, kw.name, `in ${wrong}`, { [wrong]: [line(kw, kw.valid)] });
      }
    }
  }
  for (const c of COMBINATIONS) add('combination', c.name, c.probe, c.slots);
  const ids = new Set<string>();
  return cases.filter((c) => (ids.has(c.id) ? false : (ids.add(c.id), true)));
}
