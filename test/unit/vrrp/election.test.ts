/**
 * Directors on a simulated LAN (test/sim/vrrp-lan.ts: the production VRRP node and its drivers
 * on a fake clock): the timings of the real keepalived captures in test/fixtures/vectors, sync
 * groups, and a property test: whatever happens, once the link has been quiet for
 * Master_Down_Interval there is exactly one MASTER, the one RFC 5798 elects (the highest
 * priority; on a tie, a running master stays).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { masterDownIntervalMs } from '../../../src/vrrp/timers.js';
import { instanceText, VrrpLan, type HostSpec } from '../../sim/vrrp-lan.js';

interface Pair {
  readonly version?: 2 | 3;
  readonly advertInt?: string;
  readonly p1?: number;
  readonly p2?: number;
  readonly nopreempt?: boolean;
}

/** h1 (192.0.2.11, state MASTER, priority 150) and h2 (192.0.2.12, BACKUP, 100), VRID 51. */
function pair(o: Pair = {}): HostSpec[] {
  const common = { vrid: 51, advertInt: o.advertInt ?? '1', version: o.version ?? 2 } as const;
  return [
    {
      name: 'h1',
      address: '192.0.2.11',
      config: instanceText({
        ...common,
        name: 'h1',
        priority: o.p1 ?? 150,
        state: o.nopreempt ? 'BACKUP' : 'MASTER',
        nopreempt: o.nopreempt ?? false,
      }),
    },
    {
      name: 'h2',
      address: '192.0.2.12',
      config: instanceText({ ...common, name: 'h2', priority: o.p2 ?? 100, nopreempt: o.nopreempt ?? false }),
    },
  ];
}

const firstMasterAt = (lan: VrrpLan, instance: string, after = 0): number | undefined =>
  lan.transitions.find((t) => t.instance === instance && t.to === 'MASTER' && t.at >= after)?.at;

const lastAdvertOf = (lan: VrrpLan, host: string): number =>
  Math.max(...lan.sent.filter((s) => s.from === host).map((s) => s.at));

async function startAll(lan: VrrpLan, ...names: string[]): Promise<void> {
  for (const n of names) await lan.start(n);
}

describe('timings seen in the keepalived captures', () => {
  it('start-up: the higher priority takes over after its own Master_Down_Interval; one MASTER', async () => {
    const lan = new VrrpLan(pair());
    await startAll(lan, 'h1', 'h2');
    await lan.runUntil(20_000);
    expect(lan.masters()).toEqual(['h1']);
    expect(firstMasterAt(lan, 'h1')).toBeCloseTo(masterDownIntervalMs(2, 150, 1000), 3); // 3.414 s
    expect(firstMasterAt(lan, 'h2')).toBeUndefined();
  });

  it('vrrp2-takeover-garp: the master dies, the backup takes over 3.609 s after its last advert', async () => {
    const lan = new VrrpLan(pair());
    await startAll(lan, 'h1', 'h2');
    await lan.runUntil(10_000);
    const lastAdvert = lastAdvertOf(lan, 'h1');
    lan.kill('h1');
    lan.setLink('h1', false);
    await lan.runUntil(20_000);
    const took = firstMasterAt(lan, 'h2') as number;
    expect(took - lastAdvert).toBeCloseTo(3609.375 + 0.1, 3); // + the simulated link's 0.1 ms
    // keepalived's defaults: garp_master_repeat 5 at once, again after garp_master_delay 5 s.
    const garps = lan.garps.filter((g) => g.from === 'h2').map((g) => g.at - took);
    expect(garps).toEqual([0, 0, 0, 0, 0, 5000, 5000, 5000, 5000, 5000]);
  });

  it('vrrp3-takeover-garp-100ms: with VRRPv3 at 100 ms the backup waits 360.9 ms', async () => {
    const lan = new VrrpLan(pair({ version: 3, advertInt: '0.1' }));
    await startAll(lan, 'h1', 'h2');
    await lan.runUntil(5000);
    const lastAdvert = lastAdvertOf(lan, 'h1');
    lan.kill('h1');
    lan.setLink('h1', false);
    await lan.runUntil(6000);
    expect((firstMasterAt(lan, 'h2') as number) - lastAdvert).toBeCloseTo(360.937 + 0.1, 3);
  });

  it('vrrp2-prio0-handover: SIGTERM on the master, priority 0, the backup takes over after Skew_Time', async () => {
    const lan = new VrrpLan(pair());
    await startAll(lan, 'h1', 'h2');
    await lan.runUntil(10_000);
    await lan.stop('h1');
    const prio0 = lan.sent.find((s) => s.from === 'h1' && s.priority === 0);
    expect(prio0?.at).toBe(10_000);
    await lan.runUntil(20_000);
    expect((firstMasterAt(lan, 'h2') as number) - 10_000).toBeCloseTo(609.375 + 0.1, 3);
    expect(lan.masters()).toEqual(['h2']);
  });

  it('vrrp2-preempt: the old master comes back and preempts after its Master_Down_Interval; h2 goes quiet', async () => {
    const lan = new VrrpLan(pair());
    await lan.start('h2');
    await lan.runUntil(10_000);
    expect(lan.masters()).toEqual(['h2']);
    await lan.start('h1');
    await lan.runUntil(20_000);
    expect((firstMasterAt(lan, 'h1') as number) - 10_000).toBeCloseTo(3414.062, 3); // capture: 3.392 s
    expect(lan.masters()).toEqual(['h1']);
    // h2 sends nothing after h1's first advert reaches it.
    const h1First = firstMasterAt(lan, 'h1') as number;
    expect(lan.sent.filter((s) => s.from === 'h2' && s.at > h1First)).toEqual([]);
  });

  it('nopreempt on both (state BACKUP): the running master keeps its place', async () => {
    const lan = new VrrpLan(pair({ nopreempt: true }));
    await lan.start('h2');
    await lan.runUntil(10_000);
    await lan.start('h1');
    await lan.runUntil(30_000);
    expect(lan.masters()).toEqual(['h2']);
  });

  it('split brain heals: both MASTER while cut off, the lower priority yields when it hears the higher', async () => {
    const lan = new VrrpLan(pair());
    await startAll(lan, 'h1', 'h2');
    await lan.runUntil(10_000);
    lan.setLink('h2', false);
    await lan.runUntil(20_000);
    expect(lan.masters().sort()).toEqual(['h1', 'h2']);
    lan.setLink('h2', true);
    await lan.runUntil(22_000);
    expect(lan.masters()).toEqual(['h1']);
  });
});

describe('equal priorities', () => {
  it('two masters meet (after a partition): the higher address stays (RFC 5798 §6.4.3)', async () => {
    const lan = new VrrpLan(pair({ p1: 100, p2: 100 }));
    await startAll(lan, 'h1', 'h2');
    lan.setLink('h1', false);
    await lan.runUntil(10_000);
    expect(lan.masters().sort()).toEqual(['h1', 'h2']);
    lan.setLink('h1', true);
    await lan.runUntil(12_000);
    expect(lan.masters()).toEqual(['h2']); // 192.0.2.12 > 192.0.2.11
  });
});

describe('vrrp_sync_group', () => {
  /** Host A: A.1 (VRID 51) and A.2 (VRID 52) in sync group G; A.1 tracks eth1 (down is a FAULT). */
  const hostA: HostSpec = {
    name: 'A',
    address: '192.0.2.11',
    config: [
      'vrrp_sync_group G {\n  group {\n    A.1\n    A.2\n  }\n}\n',
      instanceText({ name: 'A.1', vrid: 51, priority: 150, trackEth1Weight: 0 }),
      instanceText({ name: 'A.2', vrid: 52, priority: 150 }),
    ].join(''),
  };

  it('members take over together, and a fault on one takes them all to FAULT', async () => {
    const lan = new VrrpLan([hostA]);
    await lan.start('A');
    await lan.runUntil(10_000);
    expect(lan.masters().sort()).toEqual(['A.1', 'A.2']);
    await lan.setTracked('A', false);
    expect([lan.router('A.1').state, lan.router('A.2').state]).toEqual(['FAULT', 'FAULT']);
    await lan.setTracked('A', true);
    await lan.runUntil(20_000);
    expect(lan.masters().sort()).toEqual(['A.1', 'A.2']);
  });

  it('one member hearing a better master takes the whole group to BACKUP', async () => {
    const hostB: HostSpec = {
      name: 'B',
      address: '192.0.2.12',
      config: instanceText({ name: 'B.1', vrid: 51, priority: 200 }),
    };
    const lan = new VrrpLan([hostA, hostB]);
    await lan.start('A');
    await lan.runUntil(10_000);
    await lan.start('B');
    await lan.runUntil(20_000);
    expect(lan.masters().sort()).toEqual(['B.1']);
    expect(lan.router('A.2').state).toBe('BACKUP');
  });
});

describe('property: one MASTER, the elected one, once the link is quiet (RFC 5798 §6)', () => {
  type Action =
    | { at: number; kind: 'link'; who: 0 | 1; up: boolean }
    | { at: number; kind: 'tracked'; who: 0 | 1; up: boolean }
    | { at: number; kind: 'restart'; who: 0 | 1 }
    | { at: number; kind: 'kill'; who: 0 | 1 };

  const at = fc.integer({ min: 0, max: 30_000 });
  const who = fc.constantFrom(0 as const, 1 as const);
  const action: fc.Arbitrary<Action> = fc.oneof(
    fc.record({ at, kind: fc.constant('link' as const), who, up: fc.boolean() }),
    fc.record({ at, kind: fc.constant('tracked' as const), who, up: fc.boolean() }),
    fc.record({ at, kind: fc.constant('restart' as const), who }),
    fc.record({ at, kind: fc.constant('kill' as const), who }),
  );

  it('for random priorities, intervals, faults, restarts and crashes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(2 as const, 3 as const),
        fc.integer({ min: 1, max: 254 }),
        fc.integer({ min: 1, max: 254 }),
        fc.integer({ min: -100, max: 100 }),
        fc.array(action, { maxLength: 20 }),
        async (version, p0, p1, weight, actions) => {
          const advertInt = version === 2 ? '1' : '0.3';
          const interval = version === 2 ? 1000 : 300;
          const names = ['r0', 'r1'];
          const lan = new VrrpLan(
            [p0, p1].map((priority, i) => ({
              name: names[i] as string,
              address: `192.0.2.${11 + i}`,
              config: instanceText({
                name: names[i] as string,
                vrid: 51,
                priority,
                version,
                advertInt,
                trackEth1Weight: weight,
              }),
            })),
          );
          await startAll(lan, 'r0', 'r1');
          for (const a of [...actions].sort((x, y) => x.at - y.at)) {
            await lan.runUntil(a.at);
            const host = names[a.who] as string;
            if (a.kind === 'link') lan.setLink(host, a.up);
            else if (a.kind === 'tracked') await lan.setTracked(host, a.up);
            else if (a.kind === 'restart') {
              await lan.stop(host);
              await lan.start(host);
            } else lan.kill(host);
          }
          // Heal every fault: links up, tracked interfaces up, crashed directors started again.
          const healAt = 30_001;
          await lan.runUntil(healAt);
          for (const n of names) {
            lan.setLink(n, true);
            await lan.setTracked(n, true);
            if (!lan.isRunning(n)) await lan.start(n);
          }
          const lowest = Math.min(...names.map((n) => lan.router(n).effectivePriority));
          const quiet = masterDownIntervalMs(version, lowest, interval) + 1;
          await lan.runUntil(healAt + quiet);
          const masters = lan.masters();
          expect(masters).toHaveLength(1);
          // The RFC's election: the highest priority. On a tie the RFC's Backup accepts the
          // running master (§6.4.2: "greater than or equal"); only two masters compare addresses.
          const best = Math.max(...names.map((n) => lan.router(n).effectivePriority));
          expect(lan.router(masters[0] as string).effectivePriority).toBe(best);
        },
      ),
      { numRuns: 300, seed: 20261123 },
    );
  }, 60_000);
});
