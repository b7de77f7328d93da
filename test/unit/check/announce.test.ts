/**
 * Health-driven route announcement (announce_table, docs/bgp.md): the pure decisions
 * (announce.ts), the adapter on a fake route table (route-announcer.ts), and the checkers
 * driving it through quorum changes, a reload and the stop.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { Announcements, announceRoutes, rangePrefixes } from '../../../src/check/announce.js';
import type { CheckerType } from '../../../src/check/checker-type.js';
import { erase } from '../../../src/check/checker-types.js';
import { HealthChecks } from '../../../src/check/health-checks.js';
import type { ProbeOutcome } from '../../../src/check/probe.js';
import { tcpCheck } from '../../../src/check/probes/tcp.js';
import { RouteAnnouncer } from '../../../src/check/route-announcer.js';
import { MemoryTable } from '../../../src/check/table.js';
import type { Config, VirtualServer } from '../../../src/config/model.js';
import type { RouteSpec } from '../../../src/net/rtnl-routes.js';
import { loadText } from '../../helpers/config.js';
import { FakeClock } from '../../fakes/fake-clock.js';
import { runTimersTo } from '../../fakes/settle.js';

const SERVICE = (head: string, announce: string, extra = ''): string => `
virtual_server ${head} {
  protocol TCP
  lb_algo rr
  lb_kind NAT
  delay_loop 10
  ${announce}
  ${extra}
  real_server 192.0.2.21 80 {
    TCP_CHECK {
      connect_timeout 2
      retry 0
      warmup 0
    }
  }
  real_server 192.0.2.22 80 {
    TCP_CHECK {
      connect_timeout 2
      retry 0
      warmup 0
    }
  }
}
`;

function load(text: string): Config {
  const r = loadText(text);
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return r.config;
}

const vsOf = (c: Config, i = 0): VirtualServer => {
  const vs = c.virtualServers[i];
  if (!vs) throw new Error('no virtual server');
  return vs;
};

const ops = (list: ReturnType<Announcements['update']>): string[] =>
  list.map((o) => `${o.op} ${o.route.key} ${o.reason}`);

describe('rangePrefixes', () => {
  it('covers a range with the fewest aligned prefixes', () => {
    const text = (a: string, b: string) => rangePrefixes(a, b).map((p) => `${p.address}/${p.length}`);
    expect(text('203.0.113.10', '203.0.113.10')).toEqual(['203.0.113.10/32']);
    expect(text('203.0.113.0', '203.0.113.255')).toEqual(['203.0.113.0/24']);
    expect(text('203.0.113.3', '203.0.113.10')).toEqual([
      '203.0.113.3/32',
      '203.0.113.4/30',
      '203.0.113.8/31',
      '203.0.113.10/32',
    ]);
    expect(text('2001:db8::2', '2001:db8::9')).toEqual([
      '2001:db8::2/127',
      '2001:db8::4/126',
      '2001:db8::8/127',
    ]);
  });
});

describe('announceRoutes', () => {
  it('a host route for an address, none for no keyword', () => {
    const c = load(SERVICE('203.0.113.10 80', 'announce_table 100'));
    expect(announceRoutes(vsOf(c), c.virtualServerGroups).map((r) => r.key)).toEqual([
      '100 lo 203.0.113.10/32',
    ]);
    const v6 = load(
      SERVICE('2001:db8::10 80', 'announce_table 1000 dev dummy0').replace(/192\.0\.2\.2/g, '2001:db8::2'),
    );
    expect(announceRoutes(vsOf(v6), v6.virtualServerGroups)).toMatchObject([
      { family: 'inet6', prefix: { address: '2001:db8::10', length: 128 }, table: 1000, dev: 'dummy0' },
    ]);
    const off = load(SERVICE('203.0.113.10 80', ''));
    expect(announceRoutes(vsOf(off), off.virtualServerGroups)).toEqual([]);
  });

  it('every address and prefix of a group, fwmark entries left out', () => {
    const c = load(
      'virtual_server_group G {\n 203.0.113.1 80\n 203.0.113.4-7 80\n 198.51.100.0/30 443\n fwmark 7\n}\n' +
        SERVICE('group G', 'announce_table 100'),
    );
    expect(announceRoutes(vsOf(c), c.virtualServerGroups).map((r) => r.key)).toEqual([
      '100 lo 203.0.113.1/32',
      '100 lo 203.0.113.4/30',
      '100 lo 198.51.100.0/30',
    ]);
  });
});

describe('Announcements (decisions)', () => {
  const c = load(
    SERVICE('203.0.113.10 80', 'announce_table 100') + SERVICE('203.0.113.10 443', 'announce_table 100'),
  );
  const http = vsOf(c, 0);
  const https = vsOf(c, 1);

  it('first sight: up is added, down is cleaned up quietly; then only changes', () => {
    const a = new Announcements();
    expect(ops(a.update([{ vs: http, up: false }], []))).toEqual(['del 100 lo 203.0.113.10/32 cleanup']);
    expect(ops(a.update([{ vs: http, up: false }], []))).toEqual([]);
    expect(ops(a.update([{ vs: http, up: true }], []))).toEqual(['add 100 lo 203.0.113.10/32 quorum-up']);
    expect(ops(a.update([{ vs: http, up: true }], []))).toEqual([]);
    expect(a.present()).toBe(1);
    expect(ops(a.update([{ vs: http, up: false }], []))).toEqual(['del 100 lo 203.0.113.10/32 quorum-down']);
    expect(a.present()).toBe(0);
  });

  it('a named vrrp_instance in FAULT withdraws the route, whatever the quorum', () => {
    const t = load(
      SERVICE('203.0.113.10 80', 'announce_table 100 instance VI_1') +
        'vrrp_instance VI_1 {\n interface lo\n virtual_router_id 5\n priority 100\n virtual_ipaddress {\n  198.51.100.7\n }\n}\n',
    );
    const vs = vsOf(t);
    expect(vs.announce?.instances).toEqual(['VI_1']);
    const a = new Announcements();
    const up = [{ vs, up: true }];
    expect(ops(a.update(up, [], new Set(['VI_1'])))).toEqual(['del 100 lo 203.0.113.10/32 cleanup']);
    expect(ops(a.update(up, []))).toEqual(['add 100 lo 203.0.113.10/32 quorum-up']);
    // Another instance's fault changes nothing; this one's withdraws; its end announces again.
    expect(ops(a.update(up, [], new Set(['VI_2'])))).toEqual([]);
    expect(ops(a.update(up, [], new Set(['VI_1'])))).toEqual(['del 100 lo 203.0.113.10/32 fault']);
    expect(ops(a.update([{ vs, up: false }], [], new Set(['VI_1'])))).toEqual([]);
    expect(ops(a.update(up, [], new Set()))).toEqual(['add 100 lo 203.0.113.10/32 quorum-up']);
    // A virtual server that names no instance ignores every fault.
    const b = new Announcements();
    expect(ops(b.update([{ vs: http, up: true }], [], new Set(['VI_1'])))).toEqual([
      'add 100 lo 203.0.113.10/32 quorum-up',
    ]);
  });

  it('one VIP of several services stays while any of them has quorum', () => {
    const a = new Announcements();
    const both = (h: boolean, s: boolean) =>
      ops(
        a.update(
          [
            { vs: http, up: h },
            { vs: https, up: s },
          ],
          [],
        ),
      );
    expect(both(true, true)).toEqual(['add 100 lo 203.0.113.10/32 quorum-up']);
    expect(both(false, true)).toEqual([]);
    expect(both(false, false)).toEqual(['del 100 lo 203.0.113.10/32 quorum-down']);
    expect(a.update([{ vs: http, up: true }], [])[0]?.services).toEqual([http.display]);
  });

  it('a route whose keyword is gone is withdrawn; withdrawAll takes out what is in', () => {
    const a = new Announcements();
    a.update([{ vs: http, up: true }], []);
    expect(ops(a.update([], []))).toEqual(['del 100 lo 203.0.113.10/32 unconfigured']);
    a.update([{ vs: http, up: true }], []);
    expect(ops(a.withdrawAll())).toEqual(['del 100 lo 203.0.113.10/32 stop']);
    expect(ops(a.withdrawAll())).toEqual([]);
  });

  it('after a failure the route is decided afresh', () => {
    const a = new Announcements();
    a.update([{ vs: http, up: true }], []);
    a.failed('100 lo 203.0.113.10/32');
    expect(ops(a.update([{ vs: http, up: true }], []))).toEqual(['add 100 lo 203.0.113.10/32 quorum-up']);
  });
});

/** A route table that records requests; `fail` makes the next add throw. */
function fakeRoutes() {
  const present = new Map<string, RouteSpec>();
  const calls: string[] = [];
  let fail = false;
  let failDelete = false;
  const key = (r: RouteSpec) => `${r.dst?.address}/${r.dst?.length} table ${r.table}`;
  return {
    present,
    calls,
    failNext: () => (fail = true),
    failNextDelete: () => (failDelete = true),
    routes: {
      addRoute: (r: RouteSpec): Promise<void> => {
        calls.push(`add ${key(r)} oif ${r.oif} proto ${r.protocol} scope ${r.scope}`);
        if (fail) {
          fail = false;
          return Promise.reject(new Error('RTM_NEWROUTE: ENETDOWN'));
        }
        present.set(key(r), r);
        return Promise.resolve();
      },
      deleteRoute: (r: RouteSpec): Promise<void> => {
        calls.push(`del ${key(r)} proto ${r.protocol}`);
        if (failDelete) {
          failDelete = false;
          return Promise.reject(new Error('RTM_DELROUTE: ENOBUFS'));
        }
        present.delete(key(r));
        return Promise.resolve();
      },
    },
  };
}

function logSink() {
  const logs: { msg: string; event?: string; level: number }[] = [];
  const log = pino(
    { level: 'debug' },
    { write: (l: string) => logs.push(JSON.parse(l) as (typeof logs)[0]) },
  );
  return { log, logs };
}

describe('RouteAnnouncer (fake route table)', () => {
  const c = load(SERVICE('203.0.113.10 80', 'announce_table 100'));
  const vs = vsOf(c);

  it('adds proto keepalived routes on lo, deletes by protocol, logs and counts', async () => {
    const f = fakeRoutes();
    const { log, logs } = logSink();
    const a = new RouteAnnouncer(
      { routes: f.routes, linkIndex: (n) => Promise.resolve(n === 'lo' ? 1 : undefined), log },
      { keepOnStop: false },
    );
    a.update([{ vs, up: true }], []);
    await a.settled();
    expect(f.calls).toEqual(['add 203.0.113.10/32 table 100 oif 1 proto 18 scope 253']);
    a.update([{ vs, up: false }], []);
    await a.settled();
    expect(f.present.size).toBe(0);
    expect(
      logs.filter((l) => l.event?.startsWith('check.announce')).map((l) => `${l.event} ${l.msg}`),
    ).toEqual([
      'check.announce.up Announcing 203.0.113.10/32 in table 100 dev lo for VS [203.0.113.10]:tcp:80',
      'check.announce.down Withdrawing 203.0.113.10/32 from table 100 for VS [203.0.113.10]:tcp:80 (quorum-down)',
    ]);
    expect(a.counts()).toEqual({ routes: 1, present: 0, announced: 1, withdrawn: 1, failed: 0 });
  });

  it('setFaulted withdraws and re-announces with the last quorum states, once per change', async () => {
    const t = load(
      SERVICE('203.0.113.10 80', 'announce_table 100 instance VI_1') +
        'vrrp_instance VI_1 {\n interface lo\n virtual_router_id 5\n priority 100\n virtual_ipaddress {\n  198.51.100.7\n }\n}\n',
    );
    const tracked = vsOf(t);
    const f = fakeRoutes();
    const { log, logs } = logSink();
    const a = new RouteAnnouncer(
      { routes: f.routes, linkIndex: (n) => Promise.resolve(n === 'lo' ? 1 : undefined), log },
      { keepOnStop: false },
    );
    a.setFaulted(new Set(['VI_1']));
    a.update([{ vs: tracked, up: true }], []);
    await a.settled();
    expect(f.present.size).toBe(0);
    a.setFaulted(new Set());
    await a.settled();
    expect(f.present.size).toBe(1);
    a.setFaulted(new Set(['VI_1']));
    a.setFaulted(new Set(['VI_1']));
    await a.settled();
    expect(f.present.size).toBe(0);
    expect(logs.filter((l) => l.event === 'check.announce.down').map((l) => l.msg)).toEqual([
      'Withdrawing 203.0.113.10/32 from table 100 for VS [203.0.113.10]:tcp:80 (fault)',
    ]);
  });

  it('a failed add is logged and retried on the next change', async () => {
    const f = fakeRoutes();
    const { log, logs } = logSink();
    const a = new RouteAnnouncer(
      { routes: f.routes, linkIndex: () => Promise.resolve(1), log },
      { keepOnStop: false },
    );
    f.failNext();
    a.update([{ vs, up: true }], []);
    await a.settled();
    expect(logs.find((l) => l.event === 'check.announce.error')?.msg).toBe(
      'keepalived-ts: cannot announce 203.0.113.10/32 table 100: RTM_NEWROUTE: ENETDOWN',
    );
    a.update([{ vs, up: true }], []);
    await a.settled();
    expect([...f.present.keys()]).toEqual(['203.0.113.10/32 table 100']);
    expect(a.counts()).toMatchObject({ present: 1, announced: 1, failed: 1 });
  });

  it('a refused withdrawal is retried a little later, without waiting for another change', async () => {
    const f = fakeRoutes();
    const { log } = logSink();
    const retries: (() => void)[] = [];
    const a = new RouteAnnouncer(
      { routes: f.routes, linkIndex: () => Promise.resolve(1), log, retryLater: (r) => retries.push(r) },
      { keepOnStop: false },
    );
    a.update([{ vs, up: true }], []);
    await a.settled();
    f.failNextDelete();
    a.update([{ vs, up: false }], []);
    await a.settled();
    // Still announced: the kernel refused the delete. One retry is scheduled.
    expect(f.present.size).toBe(1);
    expect(retries).toHaveLength(1);
    retries[0]?.();
    await a.settled();
    expect(f.present.size).toBe(0);
    expect(a.counts()).toMatchObject({ present: 0, withdrawn: 1, failed: 1 });
  });

  it('a missing interface is an error, nothing is added', async () => {
    const f = fakeRoutes();
    const { log, logs } = logSink();
    const a = new RouteAnnouncer(
      { routes: f.routes, linkIndex: () => Promise.resolve(undefined), log },
      { keepOnStop: false },
    );
    a.update([{ vs, up: true }], []);
    await a.settled();
    expect(f.calls).toEqual([]);
    expect(logs.find((l) => l.event === 'check.announce.error')?.msg).toContain("interface lo doesn't exist");
  });

  it('stop withdraws, or with keepOnStop (-I with IPVS) leaves the routes and says so', async () => {
    for (const keepOnStop of [false, true]) {
      const f = fakeRoutes();
      const { log, logs } = logSink();
      const a = new RouteAnnouncer(
        { routes: f.routes, linkIndex: () => Promise.resolve(1), log },
        { keepOnStop },
      );
      a.update([{ vs, up: true }], []);
      a.stop();
      a.update([{ vs, up: false }], []);
      await a.settled();
      expect(f.present.size).toBe(keepOnStop ? 1 : 0);
      expect(logs.some((l) => l.event === 'check.announce.kept')).toBe(keepOnStop);
    }
  });
});

/** The checkers with a scripted probe on a fake clock, announcing through a fake route table. */
function checks(conf: string, keepOnStop = false) {
  const fake = new FakeClock();
  const healthy = new Map<string, boolean>();
  const type: CheckerType = {
    ...erase(tcpCheck),
    create: (_c, target) => ({
      attempt: (): Promise<ProbeOutcome> =>
        Promise.resolve(
          (healthy.get(target.rs.address) ?? true)
            ? { ok: true }
            : { ok: false, reason: 'refused', detail: `TCP connection to ${target.display} failed.` },
        ),
      close: () => undefined,
    }),
  };
  const f = fakeRoutes();
  const { log, logs } = logSink();
  const announcer = new RouteAnnouncer(
    { routes: f.routes, linkIndex: () => Promise.resolve(1), log },
    { keepOnStop },
  );
  const hc = new HealthChecks(load(conf), {
    clock: fake.asClock(),
    log,
    table: new MemoryTable(),
    notifier: { checkerScript: () => undefined, checkerLine: () => undefined },
    types: new Map([['TCP_CHECK', type]]),
    trackFileValue: () => undefined,
    localAddresses: new Set(),
    random: () => 0.5,
    announcer,
  });
  const runTo = async (t: number): Promise<void> => {
    await runTimersTo(fake, t);
    await announcer.settled();
  };
  const routes = (): string[] => [...f.present.keys()];
  return { hc, healthy, runTo, routes, announcer, logs };
}

describe('HealthChecks drive the announcement', () => {
  it('announced while quorum is up (default quorum 1), withdrawn when every real server is down, back with one', async () => {
    const h = checks(SERVICE('203.0.113.10 80', 'announce_table 100'));
    h.hc.start();
    await h.runTo(0);
    expect(h.routes()).toEqual(['203.0.113.10/32 table 100']);
    h.healthy.set('192.0.2.21', false);
    await h.runTo(12_000);
    expect(h.routes()).toEqual(['203.0.113.10/32 table 100']);
    h.healthy.set('192.0.2.22', false);
    await h.runTo(22_000);
    expect(h.routes()).toEqual([]);
    h.healthy.set('192.0.2.22', true);
    await h.runTo(32_000);
    expect(h.routes()).toEqual(['203.0.113.10/32 table 100']);
    h.hc.stop();
    await h.announcer.settled();
    expect(h.routes()).toEqual([]);
  });

  it('quorum 2: withdrawn as soon as one real server is down; the sorry server does not count', async () => {
    const h = checks(
      SERVICE('203.0.113.10 80', 'announce_table 100', 'quorum 2\n  sorry_server 192.0.2.30 80'),
    );
    h.hc.start();
    await h.runTo(0);
    expect(h.routes()).toEqual(['203.0.113.10/32 table 100']);
    h.healthy.set('192.0.2.21', false);
    await h.runTo(12_000);
    expect(h.routes()).toEqual([]);
  });

  it('a reload that drops the keyword withdraws; one that adds it announces', async () => {
    const h = checks(SERVICE('203.0.113.10 80', 'announce_table 100'));
    h.hc.start();
    await h.runTo(0);
    h.hc.reload(load(SERVICE('203.0.113.10 80', '')));
    await h.runTo(1);
    expect(h.routes()).toEqual([]);
    h.hc.reload(load(SERVICE('203.0.113.10 80', 'announce_table 200')));
    await h.runTo(2);
    expect(h.routes()).toEqual(['203.0.113.10/32 table 200']);
  });

  it('with keepOnStop (-I and IPVS) the routes outlive the stop', async () => {
    const h = checks(SERVICE('203.0.113.10 80', 'announce_table 100'), true);
    h.hc.start();
    await h.runTo(0);
    h.hc.stop();
    await h.announcer.settled();
    expect(h.routes()).toEqual(['203.0.113.10/32 table 100']);
  });
});
