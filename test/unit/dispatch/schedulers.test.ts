/**
 * The IPVS schedulers, table-driven. Expected picks are worked out by hand from the kernel's
 * algorithms (net/netfilter/ipvs/ip_vs_*.c); hash buckets from hash_32 (see hash.test.ts).
 */
import { describe, expect, it } from 'vitest';
import type { LbAlgo } from '../../../src/config/model.js';
import type { Destination, Service } from '../../../src/dispatch/model.js';
import type { Scheduler } from '../../../src/dispatch/scheduler.js';
import { createScheduler } from '../../../src/dispatch/schedulers/index.js';
import { LocalityReplicationScheduler } from '../../../src/dispatch/schedulers/locality-replication.js';
import { LocalityLeastConnectionScheduler } from '../../../src/dispatch/schedulers/locality-least-connection.js';
import { buildMaglevTable, MH_TAB_SIZE } from '../../../src/dispatch/schedulers/maglev.js';
import { overloadAfterBind, overloadAfterUnbind } from '../../../src/dispatch/schedulers/dest-state.js';
import { client, dests, nameOf, service, weights, type DestSpec } from './fixtures.js';

const anyClient = client('192.0.2.1');

function make(algo: LbAlgo, svc: Service, flags: string[] = []): Scheduler {
  const s = createScheduler(algo, flags);
  s.update(svc);
  return s;
}

/** n picks from one client, as letters. */
function picks(s: Scheduler, svc: Service, n: number, nowMs = 0): string {
  return Array.from({ length: n }, () => nameOf(s.schedule(svc, anyClient, nowMs))).join('');
}

/** One pick per row of a connection-count table. */
function pickOnce(algo: LbAlgo, specs: DestSpec[]): string {
  const svc = service(dests(...specs));
  return nameOf(make(algo, svc).schedule(svc, anyClient, 0));
}

function clients(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `198.51.${(i >> 8) & 255}.${i & 255}`);
}

describe('rr (ip_vs_rr.c)', () => {
  it.each([
    { name: 'cycles in list order', ws: [1, 1, 1], want: 'ABCABC' },
    { name: 'weights do not matter beyond 0', ws: [5, 1, 1], want: 'ABCABC' },
    { name: 'weight 0 is skipped', ws: [1, 0, 1], want: 'ACACAC' },
    { name: 'all weight 0: nothing', ws: [0, 0], want: '------' },
  ])('$name', ({ ws, want }) => {
    const svc = service(weights(...ws));
    expect(picks(make('rr', svc), svc, 6)).toBe(want);
  });

  it('skips an overloaded destination', () => {
    const svc = service(dests({ weight: 1 }, { weight: 1, overloaded: true }, { weight: 1 }));
    expect(picks(make('rr', svc), svc, 4)).toBe('ACAC');
  });

  it('keeps its position when a destination is added (at the head, as IPVS adds)', () => {
    const [a, b, c, d] = weights(1, 1, 1, 1) as [Destination, Destination, Destination, Destination];
    const svc = service([a, b, c]);
    const s = make('rr', svc);
    expect(picks(s, svc, 2)).toBe('AB');
    svc.dests.unshift(d);
    s.update(svc);
    expect(picks(s, svc, 4)).toBe('CDAB');
  });

  it('goes on with the successor when the last pick is removed (ip_vs_rr_del_dest)', () => {
    const svc = service(weights(1, 1, 1, 1));
    const s = make('rr', svc);
    expect(picks(s, svc, 2)).toBe('AB');
    svc.dests.splice(1, 1); // B
    s.update(svc);
    expect(picks(s, svc, 3)).toBe('CDA');
  });

  it('falls back to the head when the removed pick had no surviving predecessor', () => {
    const svc = service(weights(1, 1, 1));
    const s = make('rr', svc);
    expect(picks(s, svc, 2)).toBe('AB');
    svc.dests.splice(1, 1); // B: position moves to A
    s.update(svc);
    svc.dests.splice(0, 1); // A: no predecessor left, the head
    s.update(svc);
    expect(picks(s, svc, 2)).toBe('CC');
  });
});

describe('wrr (ip_vs_wrr.c)', () => {
  it.each([
    // mw 4, di 1: cw 4 → A; cw 3 → A B; cw 2 → A B C; cw 1 → A B C.
    { name: '4/3/2 over 9 picks, as IPVS interleaves', ws: [4, 3, 2], n: 18, want: 'AABABCABC'.repeat(2) },
    // di 2, mw 6 - (2 - 1) = 5: cw 5 → C; cw 3 → B C; cw 1 → A B C.
    { name: 'gcd stepping 2/4/6', ws: [2, 4, 6], n: 12, want: 'CBCABC'.repeat(2) },
    { name: 'equal weights are rr', ws: [3, 3, 3], n: 6, want: 'ABCABC' },
    { name: 'weight 0 never', ws: [2, 0, 1], n: 6, want: 'AACAAC' },
    { name: 'all 0: nothing', ws: [0, 0], n: 2, want: '--' },
  ])('$name', ({ ws, n, want }) => {
    const svc = service(weights(...ws));
    expect(picks(make('wrr', svc), svc, n)).toBe(want);
  });

  it('skips an overloaded destination and keeps stepping', () => {
    // A (4) overloaded: cw 4 → none; cw 3 → B; cw 2 → B C; cw 1 → B C; then again from cw 4.
    const svc = service(dests({ weight: 4, overloaded: true }, { weight: 3 }, { weight: 2 }));
    expect(picks(make('wrr', svc), svc, 10)).toBe('BBCBC'.repeat(2));
  });

  it('restarts from the list head after a weight change (ip_vs_wrr_dest_changed)', () => {
    const svc = service(weights(4, 3, 2));
    const s = make('wrr', svc);
    expect(picks(s, svc, 3)).toBe('AAB'); // cw is 3, position B
    (svc.dests[2] as Destination).weight = 3; // mw stays 4, cw 3 stays
    s.update(svc);
    expect(picks(s, svc, 5)).toBe('ABCAB');
  });
});

describe('lc (ip_vs_lc.c)', () => {
  it.each([
    {
      name: 'overhead is active << 8 + inactive',
      specs: [
        { weight: 1, active: 1 },
        { weight: 1, inact: 300 },
        { weight: 1, active: 1, inact: 1 },
      ],
      want: 'A',
    },
    {
      name: 'inactive connections count',
      specs: [
        { weight: 1, inact: 2 },
        { weight: 1, inact: 1 },
      ],
      want: 'B',
    },
    { name: 'a tie goes to the first', specs: [{ weight: 1 }, { weight: 1 }], want: 'A' },
    {
      name: 'weights do not scale',
      specs: [
        { weight: 1, active: 1 },
        { weight: 100, active: 2 },
      ],
      want: 'A',
    },
    { name: 'weight 0 is skipped', specs: [{ weight: 0 }, { weight: 1, active: 9 }], want: 'B' },
    {
      name: 'overloaded is skipped',
      specs: [
        { weight: 1, overloaded: true },
        { weight: 1, active: 9 },
      ],
      want: 'B',
    },
    { name: 'none available', specs: [{ weight: 0 }], want: '-' },
  ])('$name', ({ specs, want }) => {
    expect(pickOnce('lc', specs)).toBe(want);
  });
});

describe('wlc (ip_vs_wlc.c)', () => {
  it.each([
    // 256/1 vs 256/2 vs 512/3: 256*2 > 256*1 → B; 256*3 > 512*2 is false → B.
    {
      name: 'overhead / weight, cross-multiplied',
      specs: [
        { weight: 1, active: 1 },
        { weight: 2, active: 1 },
        { weight: 3, active: 2 },
      ],
      want: 'B',
    },
    // 256*2 > 512*1 is false: equal loads keep the earlier one.
    {
      name: 'a tie keeps the earlier destination',
      specs: [
        { weight: 1, active: 1 },
        { weight: 2, active: 2 },
      ],
      want: 'A',
    },
    {
      name: 'inactive connections count 1/256',
      specs: [
        { weight: 1, inact: 300 },
        { weight: 1, active: 1 },
      ],
      want: 'B',
    },
    { name: 'the seed skips weight 0', specs: [{ weight: 0 }, { weight: 1, active: 5 }], want: 'B' },
    { name: 'a later weight 0 never wins', specs: [{ weight: 1, active: 5 }, { weight: 0 }], want: 'A' },
    {
      name: 'overloaded is skipped',
      specs: [
        { weight: 1, overloaded: true },
        { weight: 1, active: 5 },
      ],
      want: 'B',
    },
    { name: 'all idle: the first', specs: [{ weight: 1 }, { weight: 5 }], want: 'A' },
    { name: 'none available', specs: [{ weight: 0 }, { weight: 1, overloaded: true }], want: '-' },
  ])('$name', ({ specs, want }) => {
    expect(pickOnce('wlc', specs)).toBe(want);
  });
});

describe('sed (ip_vs_sed.c)', () => {
  it.each([
    // (1+1)/1, (2+1)/2, (3+1)/3 = 2, 1.5, 1.33: C (seed 000 worked example).
    {
      name: 'weights 1/2/3 with 1/2/3 active → C',
      specs: [
        { weight: 1, active: 1 },
        { weight: 2, active: 2 },
        { weight: 3, active: 3 },
      ],
      want: 'C',
    },
    {
      name: 'inactive connections do not count',
      specs: [
        { weight: 1, inact: 1000 },
        { weight: 1, active: 1 },
      ],
      want: 'A',
    },
    // (0+1)/1 vs (1+1)/2: equal, the earlier stays.
    {
      name: 'a tie keeps the earlier destination',
      specs: [{ weight: 1 }, { weight: 2, active: 1 }],
      want: 'A',
    },
    // wlc would see 0/1 vs 0/5 and keep A; sed sees 1/1 vs 1/5.
    { name: 'all idle: the heaviest', specs: [{ weight: 1 }, { weight: 5 }], want: 'B' },
    {
      name: 'weight 0 and overloaded are skipped',
      specs: [{ weight: 0 }, { weight: 9, overloaded: true }, { weight: 1, active: 3 }],
      want: 'C',
    },
  ])('$name', ({ specs, want }) => {
    expect(pickOnce('sed', specs)).toBe(want);
  });
});

describe('nq (ip_vs_nq.c)', () => {
  it.each([
    {
      name: 'an idle server first',
      specs: [
        { weight: 5, active: 1 },
        { weight: 1, active: 0, inact: 50 },
      ],
      want: 'B',
    },
    {
      name: 'the first idle one',
      specs: [{ weight: 1, active: 2 }, { weight: 1 }, { weight: 9 }],
      want: 'B',
    },
    {
      name: 'no idle server: as sed (1/2/3 with 1/2/3 → C)',
      specs: [
        { weight: 1, active: 1 },
        { weight: 2, active: 2 },
        { weight: 3, active: 3 },
      ],
      want: 'C',
    },
    {
      name: 'an idle weight-0 server is not used',
      specs: [{ weight: 0 }, { weight: 1, active: 4 }],
      want: 'B',
    },
    {
      name: 'an idle overloaded server is not used',
      specs: [
        { weight: 1, overloaded: true },
        { weight: 1, active: 4 },
      ],
      want: 'B',
    },
  ])('$name', ({ specs, want }) => {
    expect(pickOnce('nq', specs)).toBe(want);
  });
});

describe('sh (ip_vs_sh.c)', () => {
  // Buckets (hash_32(ntohl(addr), 8)): 192.168.1.10 → 248, 192.168.1.11 → 90, 203.0.113.7 → 124;
  // 192.168.1.10 with port 40000 → 156.
  function pick(ws: number[], address: string, flags: string[] = [], port = 40000): string {
    const svc = service(weights(...ws), { flags });
    return nameOf(make('sh', svc, flags).schedule(svc, client(address, port), 0));
  }

  it.each([
    // Weights 1/1/1 fill bucket i with dests[i % 3].
    { ws: [1, 1, 1], address: '192.168.1.10', want: 'C' }, // 248 % 3 = 2
    { ws: [1, 1, 1], address: '192.168.1.11', want: 'A' }, // 90 % 3 = 0
    { ws: [1, 1, 1], address: '203.0.113.7', want: 'B' }, // 124 % 3 = 1
    // Weights 2/1/1: A A B C A A B C …, bucket i → (i % 4): 0,1 A; 2 B; 3 C.
    { ws: [2, 1, 1], address: '192.168.1.10', want: 'A' }, // 248 % 4 = 0
    { ws: [2, 1, 1], address: '192.168.1.11', want: 'B' }, // 90 % 4 = 2
  ])('$address with weights $ws → $want', ({ ws, address, want }) => {
    expect(pick(ws, address)).toBe(want);
  });

  it('sh-port hashes the source port too', () => {
    expect(pick([1, 1, 1], '192.168.1.10', ['sh-port'], 40000)).toBe('A'); // 156 % 3 = 0
    expect(pick([1, 1, 1], '192.168.1.10', [], 40000)).toBe('C');
  });

  it('the same client always gets the same server', () => {
    const svc = service(weights(1, 1, 1));
    const s = make('sh', svc);
    const first = clients(50).map((a) => nameOf(s.schedule(svc, client(a, 1), 0)));
    const again = clients(50).map((a) => nameOf(s.schedule(svc, client(a, 2), 0)));
    expect(again).toEqual(first);
  });

  it('weight 0: no destination, or with sh-fallback the next available bucket', () => {
    // 203.0.113.7 is on B (bucket 124). A weight-0 destination still holds one bucket.
    expect(pick([1, 0, 1], '203.0.113.7')).toBe('-');
    // ip_vs_sh_get_fallback: offset 0 → roffset 124 → bucket (124 + 124) & 255 = 248 → C.
    expect(pick([1, 0, 1], '203.0.113.7', ['sh-fallback'])).toBe('C');
    expect(pick([1, 0, 1], '203.0.113.7', ['flag-1'])).toBe('C');
  });

  it('overload with sh-fallback moves only the overloaded server’s clients', () => {
    const svc = service(weights(1, 1, 1), { flags: ['sh-fallback'] });
    const s = make('sh', svc, ['sh-fallback']);
    const all = clients(1000);
    const before = all.map((a) => s.schedule(svc, client(a), 0));
    (svc.dests[1] as Destination).overloaded = true;
    const after = all.map((a) => s.schedule(svc, client(a), 0));
    const movedOthers = all.filter((_, i) => before[i] !== svc.dests[1] && before[i] !== after[i]).length;
    expect(movedOthers).toBe(0);
    expect(after.some((d) => d === svc.dests[1])).toBe(false);
  });

  it('removing a server refills the table: sh is not a consistent hash', () => {
    const svc = service(weights(1, 1, 1));
    const s = make('sh', svc);
    const all = clients(3000);
    const before = all.map((a) => s.schedule(svc, client(a), 0));
    expect(nameOf(s.schedule(svc, client('203.0.113.7'), 0))).toBe('B');
    const c = svc.dests[2];
    svc.dests.splice(2, 1);
    s.update(svc);
    // [A, B]: bucket 124 % 2 = 0 → A, although B is still there.
    expect(nameOf(s.schedule(svc, client('203.0.113.7'), 0))).toBe('A');
    const after = all.map((a) => s.schedule(svc, client(a), 0));
    const others = all.filter((_, i) => before[i] !== c);
    const moved = all.filter((_, i) => before[i] !== c && before[i] !== after[i]);
    expect(moved.length / others.length).toBeGreaterThan(0.4);
  });
});

describe('dh (ip_vs_dh.c)', () => {
  // The key is the packet's destination: the VIP. 10.0.0.100 → bucket 248; buckets are dests[i % n].
  it.each([
    { name: 'the VIP hashes to one server', ws: [1, 1, 1], vip: '10.0.0.100', want: 'C' }, // 248 % 3
    { name: 'weights play no part', ws: [9, 1, 1], vip: '10.0.0.100', want: 'C' },
    { name: 'another VIP', ws: [1, 1, 1], vip: '192.168.1.11', want: 'A' }, // 90 % 3
    { name: 'its server at weight 0: nothing (no fallback)', ws: [1, 1, 0], vip: '10.0.0.100', want: '-' },
  ])('$name', ({ ws, vip, want }) => {
    const svc = service(weights(...ws), { vip });
    const s = make('dh', svc);
    expect(picks(s, svc, 3)).toBe(want.repeat(3));
    expect(nameOf(s.schedule(svc, client('198.51.100.1'), 0))).toBe(want);
  });

  it('removing another server refills the table and can move the VIP', () => {
    const svc = service(weights(1, 1, 1));
    const s = make('dh', svc);
    expect(picks(s, svc, 1)).toBe('C');
    svc.dests.splice(0, 1); // A: [B, C], 248 % 2 = 0 → B
    s.update(svc);
    expect(picks(s, svc, 1)).toBe('B');
  });
});

describe('mh (ip_vs_mh.c, Maglev)', () => {
  function shares(table: (Destination | null)[]): Record<string, number> {
    const out: Record<string, number> = {};
    for (const d of table) out[nameOf(d)] = (out[nameOf(d)] ?? 0) + 1;
    return out;
  }

  it.each([
    // Turns per round follow weight / gcd; 4093 = 1364 * 3 + 1, the extra entry to the first.
    { ws: [1, 1, 1], want: { A: 1365, B: 1364, C: 1364 } },
    { ws: [5, 5, 5], want: { A: 1365, B: 1364, C: 1364 } },
    // Rounds of 4 (A, B, B, C): 1023 rounds + A.
    { ws: [1, 2, 1], want: { A: 1024, B: 2046, C: 1023 } },
    { ws: [2, 4, 2], want: { A: 1024, B: 2046, C: 1023 } },
  ])('the 4093-entry table is shared by weight $ws', ({ ws, want }) => {
    const ds = weights(...ws);
    expect(shares(buildMaglevTable(ds, (d) => d.weight))).toEqual(want);
  });

  it('every entry is filled', () => {
    const table = buildMaglevTable(weights(3, 1), (d) => d.weight);
    expect(table).toHaveLength(MH_TAB_SIZE);
    expect(table.includes(null)).toBe(false);
  });

  it('removing a server moves its clients and few others (minimal disruption)', () => {
    const svc = service(weights(1, 1, 1));
    const s = make('mh', svc);
    const all = clients(3000);
    const before = all.map((a) => s.schedule(svc, client(a), 0));
    const c = svc.dests[2];
    svc.dests.splice(2, 1);
    s.update(svc);
    const after = all.map((a) => s.schedule(svc, client(a), 0));
    const onC = before.filter((d) => d === c).length;
    const movedOthers = all.filter((_, i) => before[i] !== c && before[i] !== after[i]).length;
    expect(after.includes(c as Destination)).toBe(false);
    expect(onC).toBeGreaterThan(800);
    // Maglev: about 0.1 % of the others move here (2 of 2008); sh moves about half of them.
    expect(movedOthers / (all.length - onC)).toBeLessThan(0.01);
  });

  it('quiescing a server keeps the table: its clients get nothing, or with mh-fallback another server', () => {
    for (const flags of [[], ['mh-fallback']]) {
      const svc = service(weights(1, 1, 1), { flags });
      const s = make('mh', svc, flags);
      const all = clients(1000);
      const before = all.map((a) => s.schedule(svc, client(a), 0));
      const b = svc.dests[1] as Destination;
      b.weight = 0;
      s.update(svc);
      const after = all.map((a) => s.schedule(svc, client(a), 0));
      const movedOthers = all.filter((_, i) => before[i] !== b && before[i] !== after[i]).length;
      expect(movedOthers).toBe(0);
      const ofB = after.filter((_, i) => before[i] === b);
      expect(ofB.length).toBeGreaterThan(0);
      if (flags.length === 0) expect(ofB.every((d) => d === null)).toBe(true);
      else expect(ofB.every((d) => d !== null && d !== b)).toBe(true);
    }
  });

  it('mh-port: the same address from different ports spreads', () => {
    const svc = service(weights(1, 1, 1), { flags: ['mh-port'] });
    const s = make('mh', svc, ['mh-port']);
    const seen = new Set(
      Array.from({ length: 30 }, (_, p) => s.schedule(svc, client('192.0.2.9', 1000 + p), 0)),
    );
    expect(seen.size).toBe(3);
    const plain = service(weights(1, 1, 1));
    const t = make('mh', plain);
    const one = new Set(
      Array.from({ length: 30 }, (_, p) => t.schedule(plain, client('192.0.2.9', 1000 + p), 0)),
    );
    expect(one.size).toBe(1);
  });
});

describe('lblc (ip_vs_lblc.c)', () => {
  it('caches the wlc pick for the VIP and keeps it while not overloaded', () => {
    const svc = service(weights(1, 1, 1));
    const s = make('lblc', svc);
    expect(picks(s, svc, 1)).toBe('A');
    (svc.dests[0] as Destination).activeConns = 1; // active == weight: not over
    expect(picks(s, svc, 3)).toBe('AAA');
  });

  it.each([
    // A has 2 > 1 active, and B has 0 * 2 < 1: re-pick by wlc (B: 0 vs C: 256*1 > 0*... → B).
    {
      name: 'over its weight while another is under half: re-pick',
      others: [{ weight: 1 }, { weight: 1, active: 1 }],
      want: 'B',
    },
    // A over its weight, but nobody is under half its weight (1*2 < 1 is false, 1*2 < 2 is false).
    {
      name: 'over its weight but nobody under half: keep',
      others: [
        { weight: 1, active: 1 },
        { weight: 2, active: 1 },
      ],
      want: 'A',
    },
  ])('the 2× overload rule: $name', ({ others, want }) => {
    const svc = service(dests({ weight: 1 }, ...others));
    const s = make('lblc', svc);
    (svc.dests[1] as Destination).activeConns += 5; // make sure the first pick is A
    (svc.dests[2] as Destination).activeConns += 5;
    expect(picks(s, svc, 1)).toBe('A');
    (svc.dests[1] as Destination).activeConns -= 5;
    (svc.dests[2] as Destination).activeConns -= 5;
    (svc.dests[0] as Destination).activeConns = 2;
    expect(picks(s, svc, 1)).toBe(want);
  });

  it('re-picks when the cached server is quiesced or removed', () => {
    const svc = service(weights(1, 1, 1));
    const s = make('lblc', svc);
    expect(picks(s, svc, 1)).toBe('A');
    (svc.dests[0] as Destination).weight = 0;
    expect(picks(s, svc, 1)).toBe('B');
    svc.dests.splice(1, 1);
    s.update(svc);
    expect(picks(s, svc, 1)).toBe('C');
  });

  it('forgets an entry unused for 24 h at the half-hourly full check', () => {
    const setup = (): [Service, LocalityLeastConnectionScheduler] => {
      const svc = service(weights(1, 1));
      const s = new LocalityLeastConnectionScheduler();
      s.update(svc);
      expect(nameOf(s.schedule(svc, anyClient, 0))).toBe('A');
      (svc.dests[0] as Destination).activeConns = 1; // wlc would now pick B
      return [svc, s];
    };
    // Timer runs every 60 s from t = 0; the full check is every 30th run; 24 h = run 1440 = 48 × 30.
    const [svc1, s1] = setup();
    expect(nameOf(s1.schedule(svc1, anyClient, 86_400_000 - 1))).toBe('A');
    const [svc2, s2] = setup();
    expect(nameOf(s2.schedule(svc2, anyClient, 86_400_000))).toBe('B');
    expect(s2.entries).toBe(1);
    // Used at 1 ms: the check at 24 h keeps it, the one at 24 h 30 min drops it.
    const [svc3, s3] = setup();
    expect(nameOf(s3.schedule(svc3, anyClient, 1))).toBe('A');
    expect(nameOf(s3.schedule(svc3, anyClient, 86_400_000 + 1))).toBe('A');
  });
});

describe('lblcr (ip_vs_lblcr.c)', () => {
  it('adds a server to the set on overload, then uses the least loaded member', () => {
    const svc = service(weights(1, 1, 1));
    const s = new LocalityReplicationScheduler();
    s.update(svc);
    const vip = '10.0.0.100';
    expect(nameOf(s.schedule(svc, anyClient, 0))).toBe('A');
    (svc.dests[0] as Destination).activeConns = 2; // over its weight, B and C under half
    expect(nameOf(s.schedule(svc, anyClient, 1))).toBe('B');
    expect(s.setOf(vip).map(nameOf)).toEqual(['B', 'A']);
    (svc.dests[1] as Destination).activeConns = 1; // B 256/1 vs A 512/1: B still least
    expect(nameOf(s.schedule(svc, anyClient, 2))).toBe('B');
    (svc.dests[1] as Destination).activeConns = 3; // B over weight, C idle: C joins
    expect(nameOf(s.schedule(svc, anyClient, 3))).toBe('C');
    expect(s.setOf(vip).map(nameOf)).toEqual(['C', 'B', 'A']);
  });

  it('drops the most loaded member once the set has not changed for the expiration time', () => {
    const svc = service(weights(1, 1, 1));
    const s = new LocalityReplicationScheduler(10_000);
    s.update(svc);
    s.schedule(svc, anyClient, 0); // A
    (svc.dests[0] as Destination).activeConns = 2;
    s.schedule(svc, anyClient, 1000); // B joins: lastmod 1000
    expect(s.setOf('10.0.0.100').map(nameOf)).toEqual(['B', 'A']);
    s.schedule(svc, anyClient, 11_000); // not after lastmod + 10 s
    expect(s.setOf('10.0.0.100').map(nameOf)).toEqual(['B', 'A']);
    expect(nameOf(s.schedule(svc, anyClient, 11_001))).toBe('B');
    expect(s.setOf('10.0.0.100').map(nameOf)).toEqual(['B']);
  });
});

describe('fo (ip_vs_fo.c)', () => {
  it.each([
    { name: 'the highest weight', specs: [{ weight: 1 }, { weight: 3 }, { weight: 2 }], want: 'B' },
    { name: 'a tie: the first', specs: [{ weight: 1 }, { weight: 3 }, { weight: 3 }], want: 'B' },
    { name: 'connections do not matter', specs: [{ weight: 1 }, { weight: 3, active: 1000 }], want: 'B' },
    {
      name: 'overloaded is skipped',
      specs: [{ weight: 1 }, { weight: 3, overloaded: true }, { weight: 2 }],
      want: 'C',
    },
    { name: 'weight 0 never', specs: [{ weight: 0 }, { weight: 0 }], want: '-' },
  ])('$name', ({ specs, want }) => {
    expect(pickOnce('fo', specs)).toBe(want);
  });
});

describe('ovf (ip_vs_ovf.c)', () => {
  it.each([
    {
      name: 'the highest weight while active <= weight',
      specs: [{ weight: 2 }, { weight: 5, active: 5 }, { weight: 3 }],
      want: 'B',
    },
    {
      name: 'overflows when active > weight',
      specs: [{ weight: 2 }, { weight: 5, active: 6 }, { weight: 3 }],
      want: 'C',
    },
    {
      name: 'and on down',
      specs: [{ weight: 2 }, { weight: 5, active: 6 }, { weight: 3, active: 4 }],
      want: 'A',
    },
    { name: 'everyone over: nothing', specs: [{ weight: 1, active: 2 }], want: '-' },
    { name: 'weight 0 never', specs: [{ weight: 0 }], want: '-' },
    { name: 'overloaded is skipped', specs: [{ weight: 9, overloaded: true }, { weight: 1 }], want: 'B' },
  ])('$name', ({ specs, want }) => {
    expect(pickOnce('ovf', specs)).toBe(want);
  });
});

describe('twos (ip_vs_twos.c)', () => {
  /** A random source returning the given values in turn. */
  const seq = (...values: number[]) => {
    let i = 0;
    return () => values[i++ % values.length] as number;
  };

  // Weights 1/2/3: r = random % 7, in [0, 6]. Walking the list, r - 1 <= 0 picks A, r - 3 <= 0 B,
  // r - 6 <= 0 C: A takes r ∈ {0, 1}, B r ∈ {2, 3}, C r ∈ {4, 5, 6}.
  it.each([
    { name: 'two picks, equal load: the first choice', r: [0, 6], active: [0, 0, 0], want: 'A' },
    { name: 'the second choice when less loaded per weight', r: [1, 4], active: [1, 0, 0], want: 'C' },
    // A: 256/1, C: 512/3: 3 * 256 > 1 * 512 → C.
    { name: 'weights normalise the load', r: [0, 5], active: [1, 0, 2], want: 'C' },
    // B: 512/2 vs A: 256/1: 1 * 512 > 2 * 256 is false → B stays.
    { name: 'a tie keeps the first choice', r: [2, 0], active: [1, 2, 0], want: 'B' },
    { name: 'modulo total + 1', r: [7 + 3, 14 + 4], active: [0, 0, 0], want: 'B' },
  ])('$name', ({ r, active, want }) => {
    const svc = service(dests(...[1, 2, 3].map((weight, i) => ({ weight, active: active[i] ?? 0 }))));
    const s = createScheduler('twos', [], { random: seq(...r) });
    s.update(svc);
    expect(nameOf(s.schedule(svc, anyClient, 0))).toBe(want);
  });

  it('skips weight 0 and overloaded destinations', () => {
    const svc = service(dests({ weight: 0 }, { weight: 2, overloaded: true }, { weight: 3 }));
    const s = createScheduler('twos', [], { random: seq(0, 3) });
    expect(picks(s, svc, 3)).toBe('CCC');
  });

  it('nothing available', () => {
    const svc = service(weights(0, 0));
    expect(picks(createScheduler('twos', [], { random: seq(0) }), svc, 1)).toBe('-');
  });
});

describe('overload thresholds (ip_vs_bind_dest / ip_vs_unbind_dest)', () => {
  it('sets at the upper threshold and clears below the lower one', () => {
    const [d] = dests({ weight: 1 }) as [Destination];
    Object.assign(d, { upperThreshold: 3, lowerThreshold: 1 });
    d.activeConns = 3;
    overloadAfterBind(d);
    expect(d.overloaded).toBe(true);
    d.activeConns = 1;
    overloadAfterUnbind(d);
    expect(d.overloaded).toBe(true);
    d.activeConns = 0;
    overloadAfterUnbind(d);
    expect(d.overloaded).toBe(false);
  });

  it('without a lower threshold, clears below 3/4 of the upper one', () => {
    const [d] = dests({ weight: 1 }) as [Destination];
    Object.assign(d, { upperThreshold: 8 });
    d.activeConns = 8;
    overloadAfterBind(d);
    expect(d.overloaded).toBe(true);
    d.activeConns = 6; // 24 < 24 is false
    overloadAfterUnbind(d);
    expect(d.overloaded).toBe(true);
    d.activeConns = 5;
    overloadAfterUnbind(d);
    expect(d.overloaded).toBe(false);
  });
});
