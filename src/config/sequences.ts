/**
 * `~SEQ(var, start, step, end) TEXT`, `~SEQx(...)` and `~LST(var, v1, v2, ...) TEXT` /
 * `~LST({a,b}, {1,2}, {3,4}) TEXT` lines, parsed as keepalived 2.2.7 `add_seq()` / `add_lst()`.
 *
 * A parsed sequence is a list of iterations, each one a set of definitions to make before TEXT is
 * read again as a logical line. One number means `end` (start and step ±1); two mean start,end.
 * Numbers are C `strtol(…, 0)`: `0x` hex, leading `0` octal.
 */

import { strtol } from '../lib/strtol.js';

export interface Sequence {
  /** Each iteration: the definitions to set, then TEXT is read. */
  readonly iterations: readonly (readonly (readonly [string, string])[])[];
  readonly text: string;
}

export type SequenceResult =
  { readonly ok: true; readonly sequence: Sequence } | { readonly ok: false; readonly message: string };

/** Our guard: keepalived would happily emit billions of lines. */
const MAX_SEQUENCE_ITERATIONS = 100_000;

const BLANKS = ' \t';

function skipBlanks(s: string, p: number): number {
  while (p < s.length && BLANKS.includes(s[p] as string)) p++;
  return p;
}

/**
 * Parse a `~SEQ` line. `substitute` replaces definitions inside the parentheses (keepalived runs
 * its parameter substitution on them, so `~SEQ(i, $START, 3)` works).
 */
export function parseSeq(line: string, substitute: (params: string) => string): SequenceResult {
  const invalidDef = { ok: false as const, message: `Invalid ~SEQ definition '${line}'` };
  let p = 4;
  let hex = false;
  if (line[p] === 'x') {
    hex = true;
    p++;
  }
  p = skipBlanks(line, p);
  if (line[p] !== '(') return { ok: false, message: `Invalid ~SEQ specification '${line}'` };
  p = skipBlanks(line, p + 1);
  const varStart = p;
  while (p < line.length && !' \t,)'.includes(line[p] as string)) p++;
  const name = line.slice(varStart, p);
  p = skipBlanks(line, p);
  if (p >= line.length || line[p] === ')' || name === '') return invalidDef;
  p = skipBlanks(line, p + 1);
  const close = line.indexOf(')', p);
  if (close < 0) return invalidDef;
  const params = `${substitute(line.slice(p, close))})`;
  const number = (at: number): { value: number; end: number } => {
    const n = strtol(params, at);
    return { value: Number(n.value), end: n.end };
  };

  let start: number;
  let step: number;
  let end: number;
  const one = number(0);
  let q = skipBlanks(params, one.end);
  if (params[q] === ')') {
    end = one.value;
    step = end < 1 ? -1 : 1;
    start = end < 0 ? -1 : 1;
  } else {
    if (params[q] !== ',') return invalidDef;
    const two = number(q + 1);
    q = skipBlanks(params, two.end);
    if (params[q] === ')') {
      start = one.value;
      end = two.value;
      step = start <= end ? 1 : -1;
    } else {
      if (params[q] !== ',') return invalidDef;
      const three = number(q + 1);
      q = skipBlanks(params, three.end);
      if (params[q] !== ')') return invalidDef;
      start = one.value;
      step = two.value;
      end = three.value;
      if (step === 0 || (start < end && step < 0) || (start > end && step > 0)) {
        return { ok: false, message: `Invalid ~SEQ values '${line}'` };
      }
    }
  }
  if (hex && (start < 0 || end < 0)) {
    return { ok: false, message: `~SEQx is only valid for positive numbers '${line}'` };
  }
  const count = Math.floor((end - start) / step) + 1;
  if (count > MAX_SEQUENCE_ITERATIONS) {
    return {
      ok: false,
      message: `~SEQ would expand to ${count} lines (limit ${MAX_SEQUENCE_ITERATIONS}) '${line}'`,
    };
  }
  const iterations: (readonly [string, string])[][] = [];
  for (let v = start; step > 0 ? v <= end : v >= end; v += step) {
    iterations.push([[name, hex ? v.toString(16) : String(v)]]);
  }
  return { ok: true, sequence: { iterations, text: line.slice(skipBlanks(line, close + 1)) } };
}

/** Parse a `~LST` line (keepalived `add_lst()`). */
export function parseLst(line: string): SequenceResult {
  const invalid = { ok: false as const, message: `Invalid ~LST specification '${line}'` };
  let p = skipBlanks(line, 4);
  if (line[p] !== '(') return invalid;
  p = skipBlanks(line, p + 1);

  let endChar = ',';
  if (line[p] === '{') {
    endChar = '}';
    p = skipBlanks(line, p + 1);
  }
  const names: string[] = [];
  for (;;) {
    const s = p;
    while (p < line.length && !' \t,}'.includes(line[p] as string)) p++;
    names.push(line.slice(s, p));
    p = skipBlanks(line, p);
    if (line[p] === endChar) break;
    if (line[p] !== ',') return invalid;
    p = skipBlanks(line, p + 1);
  }
  if (line[p] === '}') p = skipBlanks(line, p + 1);
  if (line[p] !== ',') return invalid;
  p = skipBlanks(line, p + 1);

  const iterations: (readonly [string, string])[][] = [];
  for (;;) {
    endChar = ',';
    if (line[p] === '{') {
      endChar = '}';
      p = skipBlanks(line, p + 1);
    }
    const values: string[] = [];
    for (;;) {
      const s = p;
      while (p < line.length && !' \t,})'.includes(line[p] as string)) p++;
      values.push(line.slice(s, p));
      p = skipBlanks(line, p);
      if (line[p] === endChar || (line[p] === ')' && endChar === ',')) break;
      if (line[p] !== ',') return invalid;
      p = skipBlanks(line, p + 1);
      if (values.length > names.length - 1) {
        return { ok: false, message: `~LST specification has too many values '${line}'` };
      }
    }
    while (values.length < names.length) values.push('');
    iterations.push(names.map((n, i) => [n, values[i] ?? ''] as const));
    if (iterations.length > MAX_SEQUENCE_ITERATIONS) {
      return { ok: false, message: `~LST has more than ${MAX_SEQUENCE_ITERATIONS} values '${line}'` };
    }
    if (line[p] === '}' && endChar === '}') p = skipBlanks(line, p + 1);
    if (line[p] === ')') break;
    if (line[p] !== ',') return invalid;
    p = skipBlanks(line, p + 1);
  }
  return { ok: true, sequence: { iterations, text: line.slice(skipBlanks(line, p + 1)) } };
}
