/**
 * The state machine, rule by rule, against RFC 5798 / RFC 3768 and keepalived 2.2.7's choices
 * (docs/vrrp.md). Each case: a router in a state, one event at a time, the expected state,
 * effects (in order) and drop reason.
 */
import { describe, expect, it } from 'vitest';
import { newRouter, step, type Effect, type Router } from '../../../src/vrrp/fsm.js';
import { masterDownIntervalMs, skewTimeMs } from '../../../src/vrrp/timers.js';
import { trackerKey } from '../../../src/vrrp/tracking.js';
import { advertEvent, GARP_DEFAULTS, master, routerConfig, run, started } from '../../helpers/vrrp.js';

const MDI_100 = 3609.375; // 3 x 1 s + (256 - 100) / 256 s
const kinds = (effects: readonly Effect[]): string[] =>
  effects.map((e) => {
    switch (e.kind) {
      case 'send':
        return `send ${e.priority}`;
      case 'arm':
        return `arm ${e.timer} ${e.atMs}`;
      case 'cancel':
        return `cancel ${e.timer}`;
      case 'vips':
        return `vips ${e.action}`;
      case 'garp':
        return `garp ${e.repeat}`;
      case 'garpOwnAddress':
        return 'garp own';
      case 'transition':
        return `${e.from}->${e.to} ${e.reason}${e.silent ? ' silent' : ''}`;
      case 'priority':
        return `priority ${e.from}->${e.to}`;
      case 'notice':
        return `notice ${e.what}`;
    }
  });

describe('timers (RFC 5798 §6.1, RFC 3768 §6.1, keepalived µs arithmetic)', () => {
  it.each([
    // version, priority, interval, Skew_Time, Master_Down_Interval
    [2, 1, 1000, 996.093, 3996.093],
    [2, 100, 1000, 609.375, 3609.375],
    [2, 254, 1000, 7.812, 3007.812],
    [2, 255, 1000, 3.906, 3003.906],
    [2, 100, 3000, 609.375, 9609.375], // v2's skew does not scale with the interval
    [3, 1, 1000, 996.093, 3996.093],
    [3, 100, 1000, 609.375, 3609.375],
    [3, 100, 100, 60.937, 360.937], // vrrp3-takeover-garp-100ms.pcap: 361.1 ms measured
    [3, 254, 100, 0.781, 300.781],
    [3, 255, 100, 0.39, 300.39],
  ] as const)('v%i priority %i at %i ms: skew %f, down %f', (version, priority, interval, skew, down) => {
    expect(skewTimeMs(version, priority, interval)).toBeCloseTo(skew, 3);
    expect(masterDownIntervalMs(version, priority, interval)).toBeCloseTo(down, 3);
    // RFC formula, in exact arithmetic, within keepalived's µs truncation.
    const rfc = version === 2 ? ((256 - priority) / 256) * 1000 : ((256 - priority) * interval) / 256;
    expect(Math.abs(skewTimeMs(version, priority, interval) - rfc)).toBeLessThan(0.001);
  });

  it('down_timer_adverts replaces the RFC constant 3', () => {
    expect(masterDownIntervalMs(2, 100, 1000, 5)).toBeCloseTo(5609.375, 3);
  });
});

describe('start (keepalived vrrp_init_state)', () => {
  it('every instance starts in BACKUP and waits Master_Down_Interval, even with state MASTER', () => {
    const r = step(newRouter(routerConfig({ wantMaster: true })), { kind: 'start' }, 0);
    expect(r.router.state).toBe('BACKUP');
    expect(kinds(r.effects)).toEqual(['vips del', 'INIT->BACKUP init', `arm masterDown ${MDI_100}`]);
  });

  it('the address owner (255, MASTER) takes over at once, without a BACKUP notification', () => {
    const r = step(newRouter(routerConfig({ basePriority: 255, wantMaster: true })), { kind: 'start' }, 0);
    expect(kinds(r.effects)).toEqual(['vips del', 'arm masterDown 0.001']);
    const m = step(r.router, { kind: 'timer', timer: 'masterDown' }, 0.001);
    expect(m.router.state).toBe('MASTER');
  });

  it('a tracked fault at start: FAULT; scripts that have not run yet: FAULT without notification', () => {
    const trackers = [{ kind: 'interface' as const, name: 'eth1', weight: 0, reverse: false }];
    let r = newRouter(routerConfig({ trackers }));
    r = step(r, { kind: 'tracker', tracker: { kind: 'interface', name: 'eth1' }, status: 'down' }, 0).router;
    expect(kinds(step(r, { kind: 'start' }, 0).effects)).toEqual(['vips del', 'INIT->FAULT init']);

    const scripts = [{ kind: 'script' as const, name: 'chk', weight: 0, reverse: false }];
    const s = step(newRouter(routerConfig({ trackers: scripts })), { kind: 'start' }, 0);
    expect(kinds(s.effects)).toEqual(['vips del', 'INIT->FAULT init silent']);
    // The first result decides: OK goes to BACKUP.
    const ok = step(
      s.router,
      { kind: 'tracker', tracker: { kind: 'script', name: 'chk' }, status: 'up' },
      10,
    );
    expect(kinds(ok.effects)).toEqual(['FAULT->BACKUP fault-cleared', `arm masterDown ${10 + MDI_100}`]);
    // A failure now notifies FAULT (it was silent so far).
    const bad = step(
      s.router,
      { kind: 'tracker', tracker: { kind: 'script', name: 'chk' }, status: 'down' },
      10,
    );
    expect(kinds(bad.effects)).toEqual(['FAULT->FAULT fault']);
  });

  it('no source address, or unicast_fault_no_peer without peers: FAULT', () => {
    expect(started({ sourceAddress: null }).state).toBe('FAULT');
    expect(started({ configFault: true }).state).toBe('FAULT');
  });
});

describe('BACKUP receives an advert (keepalived vrrp_state_backup)', () => {
  it.each([
    [
      'higher priority: accepted, down timer restarted',
      { priority: 150 },
      'BACKUP',
      [`arm masterDown ${500 + MDI_100}`],
      undefined,
    ],
    [
      'equal priority: accepted (no tie-break in BACKUP)',
      { priority: 100 },
      'BACKUP',
      [`arm masterDown ${500 + MDI_100}`],
      undefined,
    ],
    [
      'lower priority: discarded, the timer runs on (preemption)',
      { priority: 50 },
      'BACKUP',
      [],
      'lower-priority',
    ],
    [
      'priority 0: take over after Skew_Time',
      { priority: 0 },
      'BACKUP',
      ['notice priority-zero-received', 'arm masterDown 1109.375'],
      undefined,
    ],
  ] as const)('%s', (_name, over, state, effects, drop) => {
    const r = step(started(), advertEvent(over), 500);
    expect(r.router.state).toBe(state);
    expect(kinds(r.effects)).toEqual(effects);
    expect(r.drop?.reason).toBe(drop);
  });

  it('reports a discarded lower-priority advert with its sender and priority (log-text.ts words it)', () => {
    expect(step(started(), advertEvent({ priority: 50 }), 500).drop).toEqual({
      reason: 'lower-priority',
      source: '192.0.2.12',
      priority: 50,
    });
  });

  it('nopreempt accepts lower priority, so a running master keeps its place', () => {
    const r = step(started({ nopreempt: true, basePriority: 200 }), advertEvent({ priority: 50 }), 500);
    expect([r.router.state, r.drop, kinds(r.effects)]).toEqual([
      'BACKUP',
      undefined,
      [`arm masterDown ${500 + masterDownIntervalMs(2, 200, 1000)}`],
    ]);
  });

  it('preempt_delay starts at the first lower-priority advert; later ones are discarded', () => {
    const base = started({ basePriority: 200, preemptDelayMs: 2000 });
    const mdi = masterDownIntervalMs(2, 200, 1000);
    const { results, router } = run(base, [
      [1000, advertEvent({ priority: 50 })],
      [2000, advertEvent({ priority: 50 })],
      [3001, advertEvent({ priority: 50 })],
    ]);
    expect(results.map((x) => x.drop?.reason)).toEqual([undefined, undefined, 'lower-priority']);
    expect(router.preemptAtMs).toBe(3000);
    expect(router.timers.masterDown).toBe(2000 + mdi);
    // A higher advert stops the delay.
    expect(step(router, advertEvent({ priority: 250 }), 3100).router.preemptAtMs).toBeNull();
  });

  it('VRRPv3 learns Master_Adver_Interval from the master', () => {
    const r = step(
      started({ version: 3 }),
      advertEvent({ version: 3, priority: 150, advertIntervalMs: 2000, authData: new Uint8Array(0) }),
      100,
    );
    expect(r.router.masterAdverIntervalMs).toBe(2000);
    expect(r.router.timers.masterDown).toBeCloseTo(100 + 3 * 2000 + 1218.75, 3);
  });

  it('adverts that fail the instance checks are dropped and counted like keepalived', () => {
    const cases = [
      [advertEvent({ authType: 1 }), 'auth-type-mismatch', 'authtype_mismatch'],
      [advertEvent({ advertIntervalMs: 2000 }), 'interval-mismatch', undefined],
      [advertEvent({ addresses: ['192.0.2.100', '192.0.2.101'] }), 'address-count-mismatch', 'addr_list_err'],
      [advertEvent({ addresses: ['192.0.2.99'] }), 'address-list-mismatch', 'addr_list_err'],
      [advertEvent({ version: 3, authData: new Uint8Array(0) }), 'version-mismatch', undefined],
    ] as const;
    for (const [ev, reason, counter] of cases) {
      const r = step(started(), ev, 500);
      expect(r.drop?.reason).toBe(reason);
      expect(kinds(r.effects)).toEqual([]);
      if (counter) expect(r.router.stats[counter]).toBe(1);
    }
    const pass = started({ authType: 1, password: 'secret' });
    const wrong = step(pass, advertEvent({ authType: 1, authData: Buffer.from('secreT\0\0') }), 500);
    expect([wrong.drop?.reason, wrong.router.stats.auth_failure]).toEqual(['auth-failure', 1]);
    const right = step(
      pass,
      advertEvent({ authType: 1, authData: Buffer.from('secret\0\0'), priority: 150 }),
      500,
    );
    expect([right.drop, right.router.stats.advert_rcvd]).toEqual([undefined, 1]);
  });
});

it('packets the decoder rejected are counted in keepalived categories and change nothing', () => {
  const cases = [
    ['bad-ttl', 'ip_ttl_err'],
    ['bad-length', 'packet_len_err'],
    ['bad-type', 'invalid_type_rcvd'],
    ['bad-auth-type', 'invalid_authtype'],
    ['bad-checksum', undefined],
  ] as const;
  for (const [reason, counter] of cases) {
    const before = started();
    const r = step(before, { kind: 'invalid', reason, detail: 'x' }, 500);
    expect(r.drop?.reason).toBe(reason);
    expect(kinds(r.effects)).toEqual([]);
    expect(r.router.state).toBe('BACKUP');
    expect(r.router.timers).toEqual(before.timers);
    const changed = Object.entries(r.router.stats).filter(([k, v]) => before.stats[k as never] !== v);
    expect(changed).toEqual(counter ? [[counter, 1]] : []);
  }
});

describe('BACKUP → MASTER (keepalived vrrp_state_goto_master)', () => {
  it('sends the advert first, then adds the VIPs and sends a GARP burst; second burst after garp_master_delay', () => {
    const r = started();
    const m = step(r, { kind: 'timer', timer: 'masterDown' }, MDI_100);
    expect(m.router.state).toBe('MASTER');
    expect(kinds(m.effects)).toEqual([
      'send 100',
      'BACKUP->MASTER master-down',
      'vips add',
      'garp 5',
      `arm garpDelay ${MDI_100 + 5000}`,
      `arm advert ${MDI_100 + 1000}`,
    ]);
    expect(m.router.stats).toMatchObject({ advert_sent: 1, become_master: 1 });
    const second = step(m.router, { kind: 'timer', timer: 'garpDelay' }, MDI_100 + 5000);
    expect(kinds(second.effects)).toEqual(['garp 5']);
  });

  it("after a priority-0 advert the takeover's reason is priority-zero (keepalived: next_master_reason PRIORITY)", () => {
    const resigned = step(started(), advertEvent({ priority: 0 }), 500).router;
    const m = step(resigned, { kind: 'timer', timer: 'masterDown' }, 1109.375);
    expect(kinds(m.effects)[1]).toBe('BACKUP->MASTER priority-zero');
    expect(m.router.masterResigned).toBe(false);
    // The master came back before Skew_Time ran out: a later takeover is for silence again.
    const back = step(resigned, advertEvent({ priority: 120 }), 900).router;
    const later = step(
      back,
      { kind: 'timer', timer: 'masterDown' },
      900 + masterDownIntervalMs(2, 100, 1000),
    );
    expect(kinds(later.effects)[1]).toBe('BACKUP->MASTER master-down');
  });

  it('garp_master_refresh re-sends GARPs on the advert ticks after the period', () => {
    const { router, at } = master({
      garp: { ...GARP_DEFAULTS, masterRefreshMs: 1500, masterRefreshRepeat: 2 },
    });
    const t1 = step(router, { kind: 'timer', timer: 'advert' }, at + 1000);
    expect(kinds(t1.effects)).toEqual(['send 100', `arm advert ${at + 2000}`]);
    const t2 = step(t1.router, { kind: 'timer', timer: 'advert' }, at + 2000);
    expect(kinds(t2.effects)).toEqual(['send 100', 'garp 2', `arm advert ${at + 3000}`]);
  });

  it('a timer that is not armed, or belongs to another state, is ignored', () => {
    expect(step(started(), { kind: 'timer', timer: 'advert' }, 10).drop?.reason).toBe('not-applicable');
  });
});

describe('MASTER receives an advert (keepalived vrrp_state_master_rx)', () => {
  const m = (over = {}): Router => master({ basePriority: 150, ...over }).router;
  const T = 10_000;

  it('higher priority: BACKUP, VIPs removed, no priority 0', () => {
    const r = step(m(), advertEvent({ priority: 200 }), T);
    expect(r.router.state).toBe('BACKUP');
    expect(kinds(r.effects)).toEqual([
      'vips del',
      'cancel advert',
      'cancel garpDelay',
      'MASTER->BACKUP higher-priority',
      `arm masterDown ${T + masterDownIntervalMs(2, 150, 1000)}`,
    ]);
    expect(r.router.stats.release_master).toBe(1);
  });

  it('lower priority: answers at once and re-sends GARPs (garp_lower_prio_*), stays MASTER', () => {
    const r = step(m(), advertEvent({ priority: 100 }), T);
    expect(r.router.state).toBe('MASTER');
    expect(kinds(r.effects)).toEqual([
      'notice lower-priority-advert',
      'send 150',
      'garp 5',
      `arm garpLowerPrio ${T + 5000}`,
      `arm garpReannounce ${T + 100}`,
      `arm advert ${T + 1000}`,
    ]);
    expect(r.effects[0]).toEqual({
      kind: 'notice',
      what: 'lower-priority-advert',
      source: '192.0.2.12',
      priority: 100,
      ours: 150,
      answered: true,
    });
  });

  it('lower_prio_no_advert: no answer and the advert schedule is left alone', () => {
    const r = step(m({ lowerPrioNoAdvert: true }), advertEvent({ priority: 100 }), T);
    expect(kinds(r.effects)).toEqual([
      'notice lower-priority-advert',
      'garp 5',
      `arm garpLowerPrio ${T + 5000}`,
      `arm garpReannounce ${T + 100}`,
    ]);
  });

  it('re-announces 100 ms after the last lower-priority advert, so its GARP is the last (keepalived-ts)', () => {
    let r = step(m(), advertEvent({ priority: 100 }), T).router;
    // The other router is still advertising: each advert pushes the re-announcement back.
    r = step(r, advertEvent({ priority: 100 }), T + 60).router;
    expect(r.timers.garpReannounce).toBe(T + 160);
    const fired = step(r, { kind: 'timer', timer: 'garpReannounce' }, T + 160);
    expect(kinds(fired.effects)).toEqual(['garp 5']);
    // No lower-priority GARPs configured: no re-announcement either.
    const off = step(
      m({ garp: { ...m().config.garp, lowerPrioRepeat: 0 } }),
      advertEvent({ priority: 100 }),
      T,
    );
    expect(kinds(off.effects)).not.toContain(`arm garpReannounce ${T + 100}`);
  });

  it('leaving MASTER cancels a pending re-announcement', () => {
    const r = step(m(), advertEvent({ priority: 100 }), T).router;
    const yielded = step(r, advertEvent({ priority: 200 }), T + 20);
    expect(yielded.router.state).toBe('BACKUP');
    expect(kinds(yielded.effects)).toContain('cancel garpReannounce');
  });

  it('adverts that fail the instance checks leave the advert schedule alone: a flood cannot silence it', () => {
    const { router, at } = master({ basePriority: 150, authType: 1, password: 'secret' });
    const wrong = advertEvent({ priority: 254, authType: 1, authData: Buffer.from('wrong!!!') });
    let r = router;
    // 20 wrong-password adverts per second for 5 s (keepalived re-arms its advert timer on each).
    for (let t = at + 50; t < at + 5000; t += 50) {
      const res = step(r, wrong, t);
      expect(res.drop?.reason).toBe('auth-failure');
      expect(kinds(res.effects)).toEqual([]);
      r = res.router;
    }
    expect(r.timers.advert).toBe(at + 1000);
    expect(r.stats.auth_failure).toBe(99);
  });

  it('equal priority: the higher address wins (RFC 5798 §6.4.3)', () => {
    expect(step(m(), advertEvent({ priority: 150 }, '192.0.2.12'), T).router.state).toBe('BACKUP');
    expect(step(m(), advertEvent({ priority: 150 }, '192.0.2.10'), T).router.state).toBe('MASTER');
    const own = step(m(), advertEvent({ priority: 150 }, '192.0.2.11'), T);
    expect([own.router.state, kinds(own.effects)[0]]).toEqual(['MASTER', 'notice own-address']);
  });

  it('priority 0 from another master: answered at once', () => {
    const r = step(m(), advertEvent({ priority: 0 }), T);
    expect(kinds(r.effects)).toEqual(['send 150', `arm advert ${T + 1000}`]);
    expect(r.router.stats.pri_zero_rcvd).toBe(1);
  });

  it('higher_prio_send_advert: one advert before yielding', () => {
    const r = step(m({ higherPrioSendAdvert: true }), advertEvent({ priority: 200 }), T);
    expect(kinds(r.effects).slice(0, 2)).toEqual(['send 150', 'vips del']);
  });

  it('two address owners: the lower address drops to 254 and yields', () => {
    const owner = master({ basePriority: 255, wantMaster: true }).router;
    const r = step(owner, advertEvent({ priority: 255 }, '192.0.2.12'), T);
    expect([r.router.state, r.router.effectivePriority, kinds(r.effects)[0]]).toEqual([
      'BACKUP',
      254,
      'notice owner-conflict',
    ]);
  });
});

describe('tracking and effective priority', () => {
  const trackers = [
    { kind: 'interface' as const, name: 'eth1', weight: -60, reverse: false },
    { kind: 'interface' as const, name: 'eth2', weight: 0, reverse: false },
    { kind: 'script' as const, name: 'chk', weight: 20, reverse: false },
    { kind: 'file' as const, name: 'f', weight: 10, reverse: false },
  ];

  it("weights change the priority; a BACKUP's down timer moves with it, a MASTER sends nothing extra", () => {
    const r = started({ basePriority: 150, trackers });
    const down = step(
      r,
      { kind: 'tracker', tracker: { kind: 'interface', name: 'eth1' }, status: 'down' },
      1000,
    );
    const newDue =
      (r.timers.masterDown as number) +
      (masterDownIntervalMs(2, 90, 1000) - masterDownIntervalMs(2, 150, 1000));
    expect(kinds(down.effects)).toEqual(['priority 150->90', `arm masterDown ${newDue}`]);
    const ok = step(
      down.router,
      { kind: 'tracker', tracker: { kind: 'script', name: 'chk' }, status: 'up' },
      1100,
    );
    expect(ok.router.effectivePriority).toBe(110);
    const file = step(ok.router, { kind: 'tracker', tracker: { kind: 'file', name: 'f' }, status: 3 }, 1200);
    expect(file.router.effectivePriority).toBe(140);
  });

  it('clamps to 1..254; the owner never changes', () => {
    const heavy = [{ kind: 'interface' as const, name: 'eth1', weight: 200, reverse: false }];
    expect(
      step(
        started({ basePriority: 200, trackers: heavy }),
        { kind: 'tracker', tracker: { kind: 'interface', name: 'eth1' }, status: 'up' },
        1,
      ).router.effectivePriority,
    ).toBe(254);
    const low = [{ kind: 'interface' as const, name: 'eth1', weight: -200, reverse: false }];
    expect(
      step(
        started({ basePriority: 50, trackers: low }),
        { kind: 'tracker', tracker: { kind: 'interface', name: 'eth1' }, status: 'down' },
        1,
      ).router.effectivePriority,
    ).toBe(1);
    expect(
      step(
        started({ basePriority: 255, trackers: low }),
        { kind: 'tracker', tracker: { kind: 'interface', name: 'eth1' }, status: 'down' },
        1,
      ).router.effectivePriority,
    ).toBe(255);
  });

  it('an unweighted tracker down: MASTER → FAULT with priority 0 (twice, as keepalived) and the VIPs removed', () => {
    const { router } = master({ trackers });
    const f = step(
      router,
      { kind: 'tracker', tracker: { kind: 'interface', name: 'eth2' }, status: 'down' },
      9000,
    );
    expect(f.router.state).toBe('FAULT');
    expect(kinds(f.effects)).toEqual([
      'send 0',
      'send 0',
      'vips del',
      'cancel advert',
      'cancel garpDelay',
      'MASTER->FAULT fault',
    ]);
    expect(f.router.stats).toMatchObject({ pri_zero_sent: 1, release_master: 1 });
    // In FAULT adverts are not even looked at.
    expect(step(f.router, advertEvent(), 9100).drop?.reason).toBe('not-listening');
    // Back up: BACKUP, a full down interval.
    const up = step(
      f.router,
      { kind: 'tracker', tracker: { kind: 'interface', name: 'eth2' }, status: 'up' },
      9500,
    );
    expect(kinds(up.effects)).toEqual(['FAULT->BACKUP fault-cleared', `arm masterDown ${9500 + MDI_100}`]);
  });

  it('an owner leaving FAULT goes straight to MASTER', () => {
    const t = [{ kind: 'interface' as const, name: 'eth2', weight: 0, reverse: false }];
    const r0 = started({ basePriority: 255, wantMaster: true, trackers: t });
    const f = step(
      r0,
      { kind: 'tracker', tracker: { kind: 'interface', name: 'eth2' }, status: 'down' },
      1,
    ).router;
    expect(
      step(f, { kind: 'tracker', tracker: { kind: 'interface', name: 'eth2' }, status: 'up' }, 2).router
        .state,
    ).toBe('MASTER');
  });

  it('reverse: up is the fault', () => {
    const t = [{ kind: 'interface' as const, name: 'eth3', weight: 0, reverse: true }];
    expect(
      step(
        started({ trackers: t }),
        { kind: 'tracker', tracker: { kind: 'interface', name: 'eth3' }, status: 'down' },
        1,
      ).router.state,
    ).toBe('BACKUP');
    expect(
      step(
        started({ trackers: t }),
        { kind: 'tracker', tracker: { kind: 'interface', name: 'eth3' }, status: 'up' },
        1,
      ).router.state,
    ).toBe('FAULT');
  });

  it('unicast: leaving FAULT sends a gratuitous ARP for our own address', () => {
    const t = [{ kind: 'interface' as const, name: 'eth2', weight: 0, reverse: false }];
    const peers = [{ address: '192.0.2.12', minTtl: 0, maxTtl: 255 }];
    const f = step(
      started({ trackers: t, unicastPeers: peers }),
      { kind: 'tracker', tracker: { kind: 'interface', name: 'eth2' }, status: 'down' },
      1,
    ).router;
    expect(
      kinds(
        step(f, { kind: 'tracker', tracker: { kind: 'interface', name: 'eth2' }, status: 'up' }, 2).effects,
      )[0],
    ).toBe('garp own');
  });
});

describe('shutdown', () => {
  it('a MASTER sends priority 0 and removes the VIPs (RFC 5798 §6.4.3)', () => {
    const { router } = master();
    const r = step(router, { kind: 'shutdown' }, 9000);
    expect(kinds(r.effects)).toEqual([
      'send 0',
      'vips del',
      'cancel advert',
      'cancel garpDelay',
      'MASTER->STOP shutdown',
    ]);
    expect(r.router.stats.pri_zero_sent).toBe(1);
  });

  it('a BACKUP just stops', () => {
    expect(kinds(step(started(), { kind: 'shutdown' }, 1).effects)).toEqual([
      'cancel masterDown',
      'BACKUP->STOP shutdown',
    ]);
  });
});

describe('reload', () => {
  it('a MASTER stays MASTER, re-applies its VIPs and advertises at once (no GARP burst)', () => {
    const { router } = master();
    const r = step(
      router,
      { kind: 'reload', config: routerConfig({ vips: ['192.0.2.100', '192.0.2.101'] }) },
      8000,
    );
    expect([r.router.state, kinds(r.effects)]).toEqual([
      'MASTER',
      ['vips add', 'send 100', 'arm advert 9000'],
    ]);
  });

  const eth1 = { kind: 'interface', name: 'eth1', weight: 0, reverse: false } as const;
  const chk = { kind: 'script', name: 'chk', weight: 0, reverse: false } as const;

  it('a BACKUP restarts its down timer with the new priority; statuses it has are kept, new ones seeded', () => {
    const r0 = started({ trackers: [eth1] });
    const r1 = step(r0, { kind: 'tracker', tracker: eth1, status: 'up' }, 100).router;
    const r = step(
      r1,
      {
        kind: 'reload',
        config: routerConfig({ basePriority: 120, trackers: [eth1, chk] }),
        trackerStatus: { [trackerKey(eth1)]: 'down', [trackerKey(chk)]: 'up' },
      },
      1000,
    );
    expect([r.router.state, r.router.trackerStatus, kinds(r.effects)]).toEqual([
      'BACKUP',
      { [trackerKey(eth1)]: 'up', [trackerKey(chk)]: 'up' },
      ['priority 100->120', `arm masterDown ${1000 + masterDownIntervalMs(2, 120, 1000)}`],
    ]);
  });

  it('a MASTER the new config faults leaves as on a fault: priority 0 twice, VIPs, FAULT', () => {
    const { router } = master();
    const r = step(
      router,
      {
        kind: 'reload',
        config: routerConfig({ trackers: [eth1] }),
        trackerStatus: { [trackerKey(eth1)]: 'down' },
      },
      8000,
    );
    expect([r.router.state, kinds(r.effects)]).toEqual([
      'FAULT',
      ['send 0', 'send 0', 'vips del', 'cancel advert', 'cancel garpDelay', 'MASTER->FAULT fault'],
    ]);
  });

  it("a script new in the reload ('unknown') neither faults nor weighs until it reports", () => {
    const { router } = master();
    const weighted = { ...chk, name: 'w', weight: 20 };
    const r = step(
      router,
      {
        kind: 'reload',
        config: routerConfig({ trackers: [chk, weighted] }),
        trackerStatus: { [trackerKey(chk)]: 'unknown', [trackerKey(weighted)]: 'unknown' },
      },
      8000,
    );
    expect([r.router.state, r.router.effectivePriority, kinds(r.effects)]).toEqual([
      'MASTER',
      100,
      ['vips add', 'send 100', 'arm advert 9000'],
    ]);
  });

  it('a FAULT instance whose fault the new config drops comes up in BACKUP; one still faulted stays silent', () => {
    const r0 = started({ trackers: [eth1] });
    const faulted = step(r0, { kind: 'tracker', tracker: eth1, status: 'down' }, 100).router;
    expect(faulted.state).toBe('FAULT');
    const still = step(faulted, { kind: 'reload', config: routerConfig({ trackers: [eth1] }) }, 1000);
    expect([still.router.state, kinds(still.effects)]).toEqual(['FAULT', []]);
    const up = step(faulted, { kind: 'reload', config: routerConfig() }, 1000);
    expect([up.router.state, kinds(up.effects)]).toEqual([
      'BACKUP',
      ['FAULT->BACKUP fault-cleared', `arm masterDown ${1000 + MDI_100}`],
    ]);
  });
});
