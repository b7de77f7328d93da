/** The chaos schedule (test/chaos/schedule.ts): seeded, reproducible, every kind, within budget. */
import { describe, expect, it } from 'vitest';
import { describeFault, FAULT_KINDS, makeSchedule, parseSeed, prng } from '../../chaos/schedule.js';

const opts = { budgetMs: 45_000, advertIntervalMs: 200 };

describe('chaos schedule', () => {
  it('the same seed gives the same schedule; another seed another one', () => {
    expect(makeSchedule(8, opts)).toEqual(makeSchedule(8, opts));
    expect(makeSchedule(9, opts)).not.toEqual(makeSchedule(8, opts));
    expect([prng(1)(), prng(1)()]).toEqual([prng(1)(), prng(1)()]);
  });

  it('covers every kind first, then fills the budget; holds and settle scale with the advert interval', () => {
    for (const seed of [1, 8, 42, 12345]) {
      const plan = makeSchedule(seed, opts);
      expect(new Set(plan.slice(0, FAULT_KINDS.length).map((f) => f.kind)).size).toBe(FAULT_KINDS.length);
      expect(plan.length).toBeGreaterThanOrEqual(8);
      const cost = plan.reduce(
        (sum, f) => sum + f.holdMs + f.settleMs + (f.kind === 'kill' || f.kind === 'rs-down' ? 1500 : 0),
        0,
      );
      expect(cost).toBeLessThanOrEqual(opts.budgetMs);
      for (const f of plan) {
        expect(f.settleMs).toBe(2000);
        if (f.kind === 'loss') {
          expect(f.target).toBe(0);
          expect(f.lossPercent).toBeGreaterThanOrEqual(10);
          expect(f.lossPercent).toBeLessThanOrEqual(50);
        } else if (f.kind === 'rs-down') expect([1, 2]).toContain(f.target);
        else expect([1, 2, 3]).toContain(f.target);
      }
    }
    const slow = makeSchedule(8, { ...opts, advertIntervalMs: 500 });
    expect(slow[0]?.settleMs).toBe(5000);
  });

  it('kinds can be restricted (no real-server faults without a client)', () => {
    const plan = makeSchedule(3, { ...opts, kinds: FAULT_KINDS.filter((k) => k !== 'rs-down') });
    expect(plan.some((f) => f.kind === 'rs-down')).toBe(false);
  });

  it('seeds from text', () => {
    expect(parseSeed('42')).toBe(42);
    expect(parseSeed('0x2a')).toBe(42);
    expect(parseSeed('monday')).toBe(parseSeed('monday'));
    expect(
      describeFault({ index: 2, kind: 'loss', target: 0, holdMs: 3000, lossPercent: 30, settleMs: 2000 }),
    ).toBe('#2 loss 30% of VRRP for 3000 ms, settle 2000 ms');
  });
});
