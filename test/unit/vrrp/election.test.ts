/**
 * Routers on a simulated LAN (test/sim/vrrp-sim.ts): the timings of the real keepalived
 * captures in test/fixtures/vectors, sync groups, and a property test: whatever happens, once the
 * link has been quiet for Master_Down_Interval there is exactly one MASTER, the one RFC 5798
 * elects (the highest priority; on a tie, a running master stays).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RouterConfig } from '../../../src/vrrp/fsm.js';
import { masterDownIntervalMs } from '../../../src/vrrp/timers.js';
import { routerConfig } from '../../helpers/vrrp.js';
import { VrrpSim } from '../../sim/vrrp-sim.js';

const h1 = (over: Partial<RouterConfig> = {}): RouterConfig =>
  routerConfig({ name: 'h1', basePriority: 150, wantMaster: true, sourceAddress: '192.0.2.11', ...over });
const h2 = (over: Partial<RouterConfig> = {}): RouterConfig =>
  routerConfig({ name: 'h2', basePriority: 100, sourceAddress: '192.0.2.12', ...over });

const firstMasterAt = (sim: VrrpSim, name: string, after = 0): number | undefined =>
  sim.transitions.find((t) => t.router === name && t.to === 'MASTER' && t.at >= after)?.at;

describe('timings seen in the keepalived captures', () => {
  it('start-up: the higher priority takes over after its own Master_Down_Interval; one MASTER', () => {
    const sim = new VrrpSim([h1(), h2()]);
    sim.start('h1');
    sim.start('h2');
    sim.runUntil(20_000);
    expect(sim.masters()).toEqual(['h1']);
    expect(firstMasterAt(sim, 'h1')).toBeCloseTo(masterDownIntervalMs(2, 150, 1000), 3); // 3.414 s
    expect(firstMasterAt(sim, 'h2')).toBeUndefined();
  });

  it('vrrp2-takeover-garp: the master dies, the backup takes over 3.609 s after its last advert', () => {
    const sim = new VrrpSim([h1(), h2()]);
    sim.start('h1');
    sim.start('h2');
    sim.runUntil(10_000);
    const lastAdvert = Math.max(...sim.sent.filter((s) => s.from === 'h1').map((s) => s.at));
    sim.kill('h1');
    sim.setLink('h1', false);
    sim.runUntil(20_000);
    const took = firstMasterAt(sim, 'h2') as number;
    expect(took - lastAdvert).toBeCloseTo(3609.375 + 0.1, 3); // + the simulated link's 0.1 ms
    expect(sim.garps.filter((g) => g.from === 'h2').map((g) => g.at - took)).toEqual([0, 5000]);
  });

  it('vrrp3-takeover-garp-100ms: with VRRPv3 at 100 ms the backup waits 360.9 ms', () => {
    const v3 = { version: 3 as const, advertIntervalMs: 100 };
    const sim = new VrrpSim([h1(v3), h2(v3)]);
    sim.start('h1');
    sim.start('h2');
    sim.runUntil(5000);
    const lastAdvert = Math.max(...sim.sent.filter((s) => s.from === 'h1').map((s) => s.at));
    sim.kill('h1');
    sim.setLink('h1', false);
    sim.runUntil(6000);
    expect((firstMasterAt(sim, 'h2') as number) - lastAdvert).toBeCloseTo(360.937 + 0.1, 3);
  });

  it('vrrp2-prio0-handover: SIGTERM on the master, priority 0, the backup takes over after Skew_Time', () => {
    const sim = new VrrpSim([h1(), h2()]);
    sim.start('h1');
    sim.start('h2');
    sim.runUntil(10_000);
    sim.stop('h1');
    const prio0 = sim.sent.find((s) => s.from === 'h1' && s.priority === 0);
    expect(prio0?.at).toBe(10_000);
    sim.runUntil(20_000);
    expect((firstMasterAt(sim, 'h2') as number) - 10_000).toBeCloseTo(609.375 + 0.1, 3);
    expect(sim.masters()).toEqual(['h2']);
  });

  it('vrrp2-preempt: the old master comes back and preempts after its Master_Down_Interval; h2 goes quiet', () => {
    const sim = new VrrpSim([h1(), h2()]);
    sim.start('h2');
    sim.runUntil(10_000);
    expect(sim.masters()).toEqual(['h2']);
    sim.start('h1');
    sim.runUntil(20_000);
    expect((firstMasterAt(sim, 'h1') as number) - 10_000).toBeCloseTo(3414.062, 3); // capture: 3.392 s
    expect(sim.masters()).toEqual(['h1']);
    // h2 sends nothing after h1's first advert reaches it.
    const h1First = firstMasterAt(sim, 'h1') as number;
    expect(sim.sent.filter((s) => s.from === 'h2' && s.at > h1First)).toEqual([]);
  });

  it('nopreempt on both (state BACKUP): the running master keeps its place', () => {
    const sim = new VrrpSim([h1({ nopreempt: true, wantMaster: false }), h2({ nopreempt: true })]);
    sim.start('h2');
    sim.runUntil(10_000);
    sim.start('h1');
    sim.runUntil(30_000);
    expect(sim.masters()).toEqual(['h2']);
  });

  it('split brain heals: both MASTER while cut off, the lower priority yields when it hears the higher', () => {
    const sim = new VrrpSim([h1(), h2()]);
    sim.start('h1');
    sim.start('h2');
    sim.runUntil(10_000);
    sim.setLink('h2', false);
    sim.runUntil(20_000);
    expect(sim.masters().sort()).toEqual(['h1', 'h2']);
    sim.setLink('h2', true);
    sim.runUntil(22_000);
    expect(sim.masters()).toEqual(['h1']);
  });
});

describe('equal priorities', () => {
  it('two masters meet (after a partition): the higher address stays (RFC 5798 §6.4.3)', () => {
    const sim = new VrrpSim([h1({ basePriority: 100 }), h2({ basePriority: 100 })]);
    sim.start('h1');
    sim.start('h2');
    sim.setLink('h1', false);
    sim.runUntil(10_000);
    expect(sim.masters().sort()).toEqual(['h1', 'h2']);
    sim.setLink('h1', true);
    sim.runUntil(12_000);
    expect(sim.masters()).toEqual(['h2']); // 192.0.2.12 > 192.0.2.11
  });
});

describe('vrrp_sync_group', () => {
  const a = (name: string, vrid: number, prio: number, src: string): RouterConfig =>
    routerConfig({
      name,
      vrid,
      basePriority: prio,
      sourceAddress: src,
      vips: [`192.0.2.${vrid}`],
      syncGroup: 'G',
    });

  it('members take over together, and a fault on one takes them all to FAULT', () => {
    const t = [{ kind: 'interface' as const, name: 'eth1', weight: 0, reverse: false }];
    const sim = new VrrpSim(
      [{ ...a('A.1', 51, 150, '192.0.2.11'), trackers: t }, a('A.2', 52, 150, '192.0.2.11')],
      {
        groups: { G: ['A.1', 'A.2'] },
      },
    );
    sim.start('A.1');
    sim.start('A.2');
    sim.runUntil(10_000);
    expect(sim.masters().sort()).toEqual(['A.1', 'A.2']);
    sim.tracker('A.1', { kind: 'interface', name: 'eth1' }, 'down');
    expect([sim.router('A.1').state, sim.router('A.2').state]).toEqual(['FAULT', 'FAULT']);
    sim.tracker('A.1', { kind: 'interface', name: 'eth1' }, 'up');
    sim.runUntil(20_000);
    expect(sim.masters().sort()).toEqual(['A.1', 'A.2']);
  });

  it('one member hearing a better master takes the whole group to BACKUP', () => {
    const sim = new VrrpSim(
      [
        a('A.1', 51, 150, '192.0.2.11'),
        a('A.2', 52, 150, '192.0.2.11'),
        routerConfig({
          name: 'B.1',
          vrid: 51,
          basePriority: 200,
          sourceAddress: '192.0.2.12',
          vips: ['192.0.2.51'],
        }),
      ],
      { groups: { G: ['A.1', 'A.2'] } },
    );
    sim.start('A.1');
    sim.start('A.2');
    sim.runUntil(10_000);
    sim.start('B.1');
    sim.runUntil(20_000);
    expect(sim.masters().sort()).toEqual(['B.1']);
    expect(sim.router('A.2').state).toBe('BACKUP');
  });
});

describe('property: one MASTER, the elected one, once the link is quiet (RFC 5798 §6)', () => {
  type Action =
    | { at: number; kind: 'link'; who: 0 | 1; up: boolean }
    | { at: number; kind: 'weight'; who: 0 | 1; up: boolean }
    | { at: number; kind: 'restart'; who: 0 | 1 }
    | { at: number; kind: 'kill'; who: 0 | 1 };

  const action: fc.Arbitrary<Action> = fc.oneof(
    fc.record({
      at: fc.integer({ min: 0, max: 30_000 }),
      kind: fc.constant('link' as const),
      who: fc.constantFrom(0 as const, 1 as const),
      up: fc.boolean(),
    }),
    fc.record({
      at: fc.integer({ min: 0, max: 30_000 }),
      kind: fc.constant('weight' as const),
      who: fc.constantFrom(0 as const, 1 as const),
      up: fc.boolean(),
    }),
    fc.record({
      at: fc.integer({ min: 0, max: 30_000 }),
      kind: fc.constant('restart' as const),
      who: fc.constantFrom(0 as const, 1 as const),
    }),
    fc.record({
      at: fc.integer({ min: 0, max: 30_000 }),
      kind: fc.constant('kill' as const),
      who: fc.constantFrom(0 as const, 1 as const),
    }),
  );

  it('for random priorities, intervals, faults, restarts and crashes', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(2 as const, 3 as const),
        fc.integer({ min: 1, max: 254 }),
        fc.integer({ min: 1, max: 254 }),
        fc.integer({ min: -100, max: 100 }),
        fc.array(action, { maxLength: 20 }),
        (version, p0, p1, weight, actions) => {
          const interval = version === 2 ? 1000 : 300;
          const track = [{ kind: 'interface' as const, name: 'eth1', weight, reverse: false }];
          const configs = [
            routerConfig({
              name: 'r0',
              version,
              basePriority: p0,
              advertIntervalMs: interval,
              sourceAddress: '192.0.2.11',
              trackers: track,
            }),
            routerConfig({
              name: 'r1',
              version,
              basePriority: p1,
              advertIntervalMs: interval,
              sourceAddress: '192.0.2.12',
              trackers: track,
            }),
          ];
          const sim = new VrrpSim(configs);
          const names = ['r0', 'r1'];
          sim.start('r0');
          sim.start('r1');
          for (const a of [...actions].sort((x, y) => x.at - y.at)) {
            sim.runUntil(a.at);
            const who = names[a.who] as string;
            if (a.kind === 'link') sim.setLink(who, a.up);
            else if (a.kind === 'weight')
              sim.tracker(who, { kind: 'interface', name: 'eth1' }, a.up ? 'up' : 'down');
            else if (a.kind === 'restart') {
              sim.stop(who);
              sim.start(who);
            } else sim.kill(who);
          }
          // Heal every fault: links up, tracked interfaces up, crashed routers started again.
          const healAt = 30_001;
          sim.runUntil(healAt);
          for (const n of names) {
            sim.setLink(n, true);
            if (!sim.isRunning(n)) sim.start(n);
            sim.tracker(n, { kind: 'interface', name: 'eth1' }, 'up');
          }
          const lowest = Math.min(...names.map((n) => sim.router(n).effectivePriority));
          const quiet = masterDownIntervalMs(version, lowest, interval) + 1;
          sim.runUntil(healAt + quiet);
          const masters = sim.masters();
          expect(masters).toHaveLength(1);
          // The RFC's election: the highest priority. On a tie the RFC's Backup accepts the
          // running master (§6.4.2: "greater than or equal"); only two masters compare addresses.
          const best = Math.max(...names.map((n) => sim.router(n).effectivePriority));
          expect(sim.router(masters[0] as string).effectivePriority).toBe(best);
        },
      ),
      { numRuns: 300, seed: 20261123 },
    );
  });
});
