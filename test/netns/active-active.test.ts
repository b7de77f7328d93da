/**
 * Active-active directors announced over BGP by FRR, with the embedded dispatcher (issue 21,
 * docs/bgp.md; the scenario is test/netns/active-active.ts). The router spreads new flows over
 * both directors; a director whose real servers fail withdraws its route and takes no new flow
 * while it is out; a killed director leaves the router's ECMP set (BFD) and the flows on the
 * surviving director are never broken; a director that returns takes new flows again. The
 * measurements (per event: the split, the longest client gap, the broken connections; the route
 * change times) are printed, not asserted: bench/active-active.ts reports them.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { formatReports } from '../helpers/flows.js';
import { runActiveActive } from './active-active.js';
import { Frr } from './frr.js';
import type { Lab } from './lab.js';
import { useLab } from './use-lab.js';

let lab: Lab;
const frr = new Frr(
  () => lab,
  (d) => suite.track(d),
);
// Registered before useLab's after-hooks, so it runs after them: once FRR is stopped.
afterAll(() => frr.cleanup());
const suite = useLab('aact', 6, {
  setup: (l) => {
    lab = l;
    frr.prepare();
  },
});

describe('active-active directors over BGP (embedded dispatcher)', () => {
  it('spreads, withdraws, survives a killed director and takes a returning one back', async () => {
    const r = await runActiveActive(lab, frr, suite);
    const [d1, d2] = r.directors;
    console.log(formatReports('active-active proxy', r.reports));
    console.log(
      `[active-active proxy] route changes on the router: rs-fail->withdrawn ${r.failToWithdrawnMs} ms, rs-back->restored ${r.backToRestoredMs} ms, kill->out ${r.killToOutMs} ms, return->back ${r.returnToBackMs} ms`,
    );
    const at = (event: string) => {
      const rep = r.reports.find((x) => x.event === event);
      if (!rep) throw new Error(`no window ${event}`);
      return rep;
    };
    // New flows spread over both directors.
    expect(at('steady').split[d1] ?? 0).toBeGreaterThan(0);
    expect(at('steady').split[d2] ?? 0).toBeGreaterThan(0);
    expect(at('steady').failed).toBe(0);
    // Withdrawn: d1 takes no new flow, and none fails.
    expect(at('withdrawn').split[d1]).toBeUndefined();
    expect(at('withdrawn').failed).toBe(0);
    // Out (after the kill): the same.
    expect(at('out').split[d1]).toBeUndefined();
    expect(at('out').failed).toBe(0);
    // Back: d1 takes new flows again.
    expect(at('back').split[d1] ?? 0).toBeGreaterThan(0);
    // The surviving director's connections never break: not while d1's real servers fail, not
    // when it withdraws, not when d1 dies (d1's own die with it), not after.
    for (const event of ['steady', 'rs-fail', 'withdrawn', 'kill', 'out'])
      expect(at(event).brokenBy[d2] ?? 0, `connections through d2 broken in ${event}`).toBe(0);
  });
});
