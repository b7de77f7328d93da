/**
 * The chaos rules (test/chaos/evaluate.ts) on hand-made timelines: three directors at 200 ms
 * adverts (VRRPv3, priorities 150/120/100), so Master_Down_Interval for the lowest priority is
 * 600 + (256 - 100) × 200 / 256 = 721.875 ms; slack 100 ms, handover 100 ms.
 */
import { describe, expect, it } from 'vitest';
import {
  evaluate,
  formatReport,
  masterClaims,
  masterSegments,
  supersedes,
  type Advert,
  type ClientRequest,
  type EvaluationInput,
  type FaultWindow,
  type HolderSample,
} from '../../chaos/evaluate.js';

const D1 = '192.0.2.11';
const D2 = '192.0.2.12';
const D3 = '192.0.2.13';
const PRIO: Record<string, number> = { [D1]: 150, [D2]: 120, [D3]: 100 };
const ADV = 200;
const MDI = 721.875;

/** Adverts from `from` every 200 ms in [fromMs, toMs] (both ends included when on the grid). */
function adverts(from: string, fromMs: number, toMs: number, priority = PRIO[from] ?? 100): Advert[] {
  const out: Advert[] = [];
  for (let t = fromMs; t <= toMs; t += ADV) out.push({ atMs: t, from, priority });
  return out;
}

function fault(over: Partial<FaultWindow> & Pick<FaultWindow, 'startMs' | 'liftMs' | 'endMs'>): FaultWindow {
  return { index: 1, kind: 'kill', target: 'd1', excusesDual: false, ...over };
}

function input(over: Partial<EvaluationInput>): EvaluationInput {
  return {
    directors: [
      { address: D1, priority: 150 },
      { address: D2, priority: 120 },
      { address: D3, priority: 100 },
    ],
    version: 3,
    advertIntervalMs: ADV,
    slackMs: 100,
    handoverMs: 100,
    spanStartMs: 0,
    spanEndMs: 8000,
    adverts: [],
    samples: [],
    requests: null,
    faults: [],
    ...over,
  };
}

const kinds = (r: { violations: readonly { kind: string }[] }): string[] => r.violations.map((v) => v.kind);

describe('master claims from adverts', () => {
  it('a steady master: one claim from its first advert to its last + one interval', () => {
    expect(masterClaims(adverts(D1, 0, 1000), ADV, 100)).toEqual([
      { from: D1, priority: 150, startMs: 0, lastAdvertMs: 1000, endMs: 1200 },
    ]);
  });

  it('a gap over 1.5 intervals splits the run; up to 1.5 intervals does not', () => {
    const a = [...adverts(D1, 0, 400), { atMs: 700, from: D1, priority: 150 }, ...adverts(D1, 1100, 1300)];
    expect(masterClaims(a, ADV, 100).map((c) => [c.startMs, c.endMs])).toEqual([
      [0, 900],
      [1100, 1500],
    ]);
  });

  it('priority 0 ends the claim at that advert', () => {
    const a = [...adverts(D1, 0, 400), { atMs: 450, from: D1, priority: 0 }];
    expect(masterClaims(a, ADV, 100)).toEqual([
      { from: D1, priority: 150, startMs: 0, lastAdvertMs: 400, endMs: 450 },
    ]);
  });

  it('a preempted master stops at the first advert of the one that supersedes it', () => {
    const a = [...adverts(D2, 0, 1000), ...adverts(D1, 1050, 2000)];
    expect(masterClaims(a, ADV, 100).map((c) => [c.from, c.startMs, c.endMs])).toEqual([
      [D2, 0, 1050],
      [D1, 1050, 2050],
    ]);
  });

  it('an advert that crossed the new master’s first one ends the claim at that advert', () => {
    // d2 sends at 1000 and 1040; d1's first at 1000 arrived too late to stop the second.
    const a = [...adverts(D2, 0, 1000), { atMs: 1040, from: D2, priority: 120 }, ...adverts(D1, 1000, 2000)];
    const d2 = masterClaims(a, ADV, 100).find((c) => c.from === D2);
    expect(d2?.endMs).toBe(1040);
  });

  it('a lower priority never cuts a higher priority’s claim short; equal priority: the higher address wins', () => {
    const a = [...adverts(D1, 0, 1000), ...adverts(D2, 500, 700)];
    expect(masterClaims(a, ADV, 100).find((c) => c.from === D1)?.endMs).toBe(1200);
    expect(supersedes({ from: D2, priority: 100 }, { from: D1, priority: 100 })).toBe(true);
    expect(supersedes({ from: D1, priority: 100 }, { from: D2, priority: 100 })).toBe(false);
    expect(supersedes({ from: '192.0.2.9', priority: 100 }, { from: D1, priority: 100 })).toBe(false);
  });

  it('segments: who is master over time, clipped to the span', () => {
    const claims = masterClaims([...adverts(D1, 0, 400), ...adverts(D2, 500, 900)], ADV, 100);
    expect(masterSegments(claims, 100, 1000)).toEqual([
      { startMs: 100, endMs: 500, masters: [D1] },
      { startMs: 500, endMs: 600, masters: [D1, D2] },
      { startMs: 600, endMs: 1000, masters: [D2] },
    ]);
  });
});

describe('rules', () => {
  it('a crash: no-master time within Master_Down_Interval + slack, recovered, no violation', () => {
    // d1 dies after its advert at 2000; d2 takes over 706 ms later; d1 comes back and preempts.
    const a = [...adverts(D1, 0, 2000), ...adverts(D2, 2706, 4706), ...adverts(D1, 4800, 9000)];
    const samples: HolderSample[] = [
      { startMs: 3000, endMs: 3010, holders: [D2] },
      { startMs: 6000, endMs: 6010, holders: [D1] },
    ];
    const requests: ClientRequest[] = [
      { atMs: 1900, ok: true },
      { atMs: 2100, ok: false },
      { atMs: 2800, ok: true },
    ];
    const r = evaluate(
      input({
        adverts: a,
        samples,
        requests,
        faults: [fault({ startMs: 2050, liftMs: 4000, endMs: 7000 })],
      }),
    );
    expect(r.violations).toEqual([]);
    expect(r.none).toEqual([{ startMs: 2200, endMs: 2706, masters: [] }]);
    expect(r.faults[0]).toMatchObject({
      durationMs: 1950,
      recoveryMs: 656,
      master: D1,
      dualMs: 0,
      noneMs: 506,
      silenceMs: 706,
      requests: 2,
      failedRequests: 1,
    });
    expect(r.totals).toMatchObject({ dualMs: 0, noneMs: 506, requests: 3, failedRequests: 1 });
  });

  it('a takeover slower than Master_Down_Interval + slack is a violation', () => {
    const a = [...adverts(D1, 0, 2000), ...adverts(D2, 2000 + MDI + 150, 6000)];
    const r = evaluate(
      input({ adverts: a, spanEndMs: 6000, faults: [fault({ startMs: 2050, liftMs: 2100, endMs: 5000 })] }),
    );
    expect(kinds(r)).toEqual(['no-master-too-long']);
    expect(r.violations[0]?.fault).toBe(1);
  });

  it('a frozen master: the silence counts from its last advert before the freeze, not from the thaw', () => {
    // Frozen at 2100 (last advert 2000); d2 takes over late at 2900: 900 ms of silence.
    const a = [...adverts(D1, 0, 2000), ...adverts(D2, 2900, 3900), ...adverts(D1, 4000, 8000)];
    const r = evaluate(
      input({ adverts: a, faults: [fault({ kind: 'freeze', startMs: 2100, liftMs: 4000, endMs: 6000 })] }),
    );
    expect(kinds(r)).toEqual(['no-master-too-long']);
    expect(r.violations[0]?.detail).toContain('900 ms since the last advert');
  });

  it('a thawed master: a short crossing is a handover; a long dual master is a violation', () => {
    const base = [...adverts(D1, 0, 2000), ...adverts(D2, 2706, 4000)];
    // The thawed d1 advertises at 4050; d2's advert at 4000 was the last: no overlap at all.
    const quick = evaluate(
      input({
        adverts: [...base, ...adverts(D1, 4050, 8000)],
        faults: [fault({ kind: 'freeze', startMs: 2100, liftMs: 4050, endMs: 6000 })],
      }),
    );
    expect(quick.violations).toEqual([]);
    expect(quick.totals.dualMs).toBe(0);
    // d2 keeps advertising for 600 ms after d1 is back: a dual master outside any loss/partition.
    const slow = evaluate(
      input({
        adverts: [...base, ...adverts(D2, 4200, 4600), ...adverts(D1, 4050, 8000)],
        faults: [fault({ kind: 'freeze', startMs: 2100, liftMs: 4050, endMs: 6000 })],
      }),
    );
    expect(kinds(slow)).toEqual(['dual-master']);
    expect(slow.totals.dualMs).toBe(600);
    expect(slow.totals.excusedDualMs).toBe(0);
  });

  it('a crossing of up to handoverMs is tolerated and counted', () => {
    const a = [...adverts(D2, 0, 1000), { atMs: 1080, from: D2, priority: 120 }, ...adverts(D1, 1000, 3000)];
    const r = evaluate(input({ adverts: a, spanEndMs: 3000 }));
    expect(r.violations).toEqual([]);
    expect(r.totals).toMatchObject({ dualMs: 80, excusedDualMs: 80 });
  });

  it('loss: a dual master is excused while adverts are lost and until heal + Master_Down_Interval + slack', () => {
    const loss = fault({
      kind: 'loss',
      target: '40%',
      excusesDual: true,
      startMs: 1000,
      liftMs: 3000,
      endMs: 5000,
    });
    // d2 missed three adverts, took over at 1810, heard d1's advert of 2000 and stopped.
    const ok = evaluate(
      input({
        adverts: [...adverts(D1, 0, 6000), ...adverts(D2, 1810, 2100)],
        spanEndMs: 6000,
        faults: [loss],
      }),
    );
    expect(ok.violations).toEqual([]);
    expect(ok.totals).toMatchObject({ dualMs: 200, excusedDualMs: 200 });
    expect(ok.faults[0]).toMatchObject({ dualMs: 200, recoveryMs: 1010, master: D1 });
    // d2 advertises until 4010, more than Master_Down_Interval + slack after the heal at 3000.
    const late = evaluate(
      input({
        adverts: [...adverts(D1, 0, 6000), ...adverts(D2, 1810, 4100)],
        spanEndMs: 6000,
        faults: [loss],
      }),
    );
    expect(kinds(late)).toEqual(['dual-outlived-heal']);
  });

  it('a backup that takes over while a higher priority is advertising, outside loss/partition', () => {
    // d3 (100) claims for one advert at 3010 although d1 advertises every 200 ms (the last one at
    // 3000, which d3 had not read yet: the claim ends there, no dual master to speak of).
    const a = [...adverts(D1, 0, 6000), { atMs: 3010, from: D3, priority: 100 }];
    const r = evaluate(
      input({
        adverts: a,
        spanEndMs: 6000,
        faults: [fault({ kind: 'freeze', target: 'd3', startMs: 1000, liftMs: 3000, endMs: 5000 })],
      }),
    );
    expect(kinds(r)).toEqual(['lower-priority-takeover']);
    expect(r.violations[0]?.detail).toBe(
      `${D3} (priority 100) became master at 3.010 s although ${D1} (priority 150) advertised 210 ms before (its Master_Down_Interval 722 ms)`,
    );
    // The same inside a partition window is the protocol at work.
    const excused = evaluate(
      input({
        adverts: a,
        spanEndMs: 6000,
        faults: [fault({ kind: 'partition', excusesDual: true, startMs: 1000, liftMs: 3000, endMs: 5000 })],
      }),
    );
    expect(excused.violations).toEqual([]);
  });

  it('a master frozen just short of the backup’s Master_Down_Interval thaws as the backup takes over: no violation', () => {
    // d1's last advert at 2000, frozen until 2705; d2's Master_Down_Interval (priority 120) is
    // 706.25 ms: it takes over at 2707, one millisecond after d1's first advert after the thaw.
    const a = [...adverts(D1, 0, 2000), ...adverts(D1, 2706, 8000), { atMs: 2707, from: D2, priority: 120 }];
    const r = evaluate(
      input({ adverts: a, faults: [fault({ kind: 'freeze', startMs: 2100, liftMs: 2705, endMs: 5000 })] }),
    );
    expect(r.violations).toEqual([]);
    expect(r.totals.excusedDualMs).toBe(r.totals.dualMs);
  });

  it('not recovered: two masters, or none, at the end of the settle period', () => {
    const r = evaluate(
      input({
        adverts: adverts(D1, 0, 1000),
        spanEndMs: 4000,
        faults: [fault({ startMs: 1050, liftMs: 2000, endMs: 3500 })],
      }),
    );
    expect(kinds(r)).toContain('not-recovered');
    expect(r.faults[0]).toMatchObject({ recoveryMs: null, master: null });
  });

  it('a VIP left on a non-master after the recovery; masters, and hosts before the recovery and the lift, are fine', () => {
    const a = [...adverts(D1, 0, 2000), ...adverts(D2, 2706, 4706), ...adverts(D1, 4800, 9000)];
    const f = fault({ startMs: 2050, liftMs: 4000, endMs: 7000 });
    const samples: HolderSample[] = [
      // Before the recovery: not checked.
      { startMs: 2500, endMs: 2510, holders: [D1, D3] },
      // Recovered (d2), but the fault is not lifted yet: the dead d1's VIP, its cable plugged back in.
      { startMs: 3900, endMs: 3910, holders: [D1, D2] },
      // Within one advert interval of the handover at 4800: d2 may still hold it.
      { startMs: 4850, endMs: 4860, holders: [D1, D2] },
      { startMs: 5500, endMs: 5510, holders: [D1] },
      { startMs: 6000, endMs: 6010, holders: [D1, D3] },
    ];
    const r = evaluate(input({ adverts: a, samples, faults: [f] }));
    expect(r.faults[0]?.recoveryMs).toBe(656);
    expect(kinds(r)).toEqual(['vip-on-non-master']);
    expect(r.violations[0]?.detail).toContain(`${D3} held the VIP`);
  });

  it('the table: one row per fault and the totals', () => {
    const a = [...adverts(D1, 0, 2000), ...adverts(D2, 2706, 4706), ...adverts(D1, 4800, 9000)];
    const r = evaluate(input({ adverts: a, faults: [fault({ startMs: 2050, liftMs: 4000, endMs: 7000 })] }));
    const text = formatReport(
      r,
      0,
      new Map([
        [D1, 'd1'],
        [D2, 'd2'],
        [D3, 'd3'],
      ]),
    );
    expect(text.split('\n')[1]).toMatch(/^\s+1 kill\s+d1\s+2\.[01]\s+1950\s+656\s+0\s+506\s+706\s+-\s+d1$/);
    expect(text).toContain('0 ms with two or more masters (0 ms not excused), 506 ms with none');
    expect(text).toContain('violations: none');
  });
});
