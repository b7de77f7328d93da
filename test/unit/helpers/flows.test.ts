/** The active-active labs' analysis (test/helpers/flows.ts): windows, split, gaps, breaks. */
import { describe, expect, it } from 'vitest';
import { analyseFlows, formatReports, parseFlows } from '../../helpers/flows.js';

const lines = [
  { t: 100, k: 'new', loop: 0, ok: true, srv: 'rs1', peer: '192.0.2.11' },
  { t: 150, k: 'new', loop: 1, ok: true, srv: 'rs2', peer: '192.0.2.12' },
  { t: 200, k: 'new', loop: 0, ok: true, srv: 'rs2', peer: '192.0.2.12' },
  { t: 1000, k: 'new', loop: 0, ok: false, err: 'connect timeout' },
  { t: 1010, k: 'break', id: 3, err: 'ECONNRESET', peer: '192.0.2.11' },
  { t: 2100, k: 'new', loop: 0, ok: true, srv: 'rs1', peer: '192.0.2.12' },
  { t: 2200, k: 'gap', id: 1, ms: 450 },
  { t: 5000, k: 'new', loop: 1, ok: true, srv: 'rs1', peer: '192.0.2.11' },
]
  .map((r) => JSON.stringify(r))
  .join('\n');

describe('analyseFlows', () => {
  const records = parseFlows(`${lines}\n{"t":6000,"k":"ne`);

  it('skips a line cut short and sorts by time', () => {
    expect(records).toHaveLength(8);
    expect(records.map((r) => r.t)).toEqual([...records.map((r) => r.t)].sort((a, b) => a - b));
  });

  it('reports each window: split, failures, the gap that ends in it, breaks and stalls', () => {
    const [steady, fail] = analyseFlows(records, [
      { name: 'steady', t: 0 },
      { name: 'fail', t: 900 },
    ]);
    expect(steady).toEqual({
      event: 'steady',
      newFlows: 3,
      failed: 0,
      errors: {},
      split: { '192.0.2.11': 1, '192.0.2.12': 2 },
      servers: { rs1: 1, rs2: 2 },
      longestGapMs: 100,
      broken: 0,
      brokenBy: {},
      stallMs: 0,
    });
    expect(fail).toMatchObject({ newFlows: 3, failed: 1, broken: 1, stallMs: 450 });
    // Loop 0: 200 -> 2100; loop 1: 150 -> 5000.
    expect(fail?.longestGapMs).toBe(4850);
  });

  it('counts a gap in the window of its first failure, not where it ends', () => {
    const [, fail, after] = analyseFlows(records, [
      { name: 'steady', t: 0 },
      { name: 'fail', t: 900 },
      { name: 'after', t: 1500 },
    ]);
    expect(fail?.longestGapMs).toBe(1900);
    // Loop 1's gap (150 -> 5000) had no failure: it ends in `after`.
    expect(after?.longestGapMs).toBe(4850);
  });

  it('gives a new flow under way at an action to that action, not at a mark that only saw something', () => {
    const flows = parseFlows(
      [
        { t: 95, k: 'new', loop: 0, ok: true, peer: 'a', ms: 3 },
        { t: 98, k: 'new', loop: 0, ok: false, err: 'ECONNRESET', ms: 40 },
        { t: 160, k: 'new', loop: 0, ok: true, peer: 'b', ms: 5 },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    const [before, event] = analyseFlows(flows, [
      { name: 'before', t: 0 },
      { name: 'event', t: 100, action: true },
    ]);
    expect(before).toMatchObject({ newFlows: 1, failed: 0, longestGapMs: 0 });
    expect(event).toMatchObject({ newFlows: 2, failed: 1, errors: { ECONNRESET: 1 }, longestGapMs: 67 });
    const [seen] = analyseFlows(flows, [
      { name: 'seen', t: 0 },
      { name: 'converged', t: 100 },
    ]);
    expect(seen).toMatchObject({ newFlows: 2, failed: 1 });
    // Flows before the first mark (95) or after the end (160) stay out, even across an action; the
    // one under way at the action (98) is the action's.
    const [late, act] = analyseFlows(
      flows,
      [
        { name: 'late', t: 97 },
        { name: 'act', t: 100, action: true },
      ],
      99,
    );
    expect(late).toMatchObject({ newFlows: 0 });
    expect(act).toMatchObject({ newFlows: 1, failed: 1 });
  });

  it('leaves out what comes before the first mark and after the end', () => {
    const [only] = analyseFlows(records, [{ name: 'late', t: 150 }], 2150);
    expect(only?.newFlows).toBe(4);
    expect(formatReports('x', analyseFlows(records, [{ name: 'late', t: 150 }], 2150))).toBe(
      '[x] late: 4 new flows (1 failed: connect timeout 1; 192.0.2.12 3), longest client gap 1900 ms, 1 broken connections (192.0.2.11 1), longest stall 0 ms',
    );
  });
});
