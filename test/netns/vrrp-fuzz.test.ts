/**
 * Hostile VRRP input at running daemons (issue 8): two keepalived-ts directors (MASTER 150,
 * BACKUP 100; instances VI_1 on VRID 51 and VI_2 on VRID 52) and an attacker on the same LAN.
 *
 * 1. A seeded fuzzer (the seed is printed; FUZZ_SEED=n replays it) sends mutations of a valid
 *    priority-200 advert for 10 s: bit flips, truncation at every length, extension, a wrong
 *    checksum, TTL != 255, wrong version and type, wrong auth type and password, wrong address
 *    count, a wrong advert interval, another VRID, junk, and spoofed priority-255 adverts with a
 *    wrong checksum or TTL. Every mutation the codec would accept is left out: none may move the
 *    master.
 * 2. One valid priority-254 advert moves the master (RFC 5798 §6.4.3): proof of delivery.
 * (Floods are test/netns/vrrp-flood.test.ts.)
 *
 * Checked: both daemons keep running, their RSS stays bounded, nothing changes state before the
 * valid advert, the backup never takes over, the master's own adverts (captured on the bridge)
 * keep their interval, every packet sent is counted by reason in the status document (a packet
 * the kernel dropped for a full socket buffer as `socket-overflow`), except those the sockets'
 * BPF filters drop in the kernel (another VRID, too short to carry one), and the `vrrp.drop`
 * lines stay few. The expected reason of each packet comes from the pure codec (decodeAdvert,
 * checkAdvert), which test/unit checks against the RFC vectors; here it checks the running
 * daemon agrees.
 * The figures are printed for docs/reliability.md.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseIp } from '../../src/lib/ip.js';
import { checkAdvert } from '../../src/vrrp/advert-check.js';
import { internetChecksum, pseudoHeaderSum } from '../../src/lib/checksum.js';
import { IPPROTO_VRRP } from '../../src/lib/ip-proto.js';
import { decodeAdvert, encodeAdvert, type AuthType } from '../../src/vrrp/packet.js';
import { sendFlood } from './flood.js';
import { eventually, type Daemon, type Lab, type LogRecord } from './lab.js';
import { useLab } from './use-lab.js';
import { config, instanceBlock } from './vrrp-conf.js';

const ATTACKER = Uint8Array.of(192, 0, 2, 200);
const GROUP = Uint8Array.of(224, 0, 0, 18);
const PASSWORD = 'secret';
const FUZZ_MS = 10_000;
const FUZZ_RATE = 4_000;

interface Vr {
  readonly name: string;
  readonly vrid: number;
  readonly vip: string;
}
const VRS: readonly Vr[] = [
  { name: 'VI_1', vrid: 51, vip: '192.0.2.100' },
  { name: 'VI_2', vrid: 52, vip: '192.0.2.101' },
];

let lab: Lab;
const suite = useLab('fuzz', 2, { setup: (l) => (lab = l) });

const bytesOf = (ip: string): Uint8Array => {
  const p = parseIp(ip);
  if (!p) throw new Error(`bad address ${ip}`);
  return p.bytes;
};

/** mulberry32: a small seeded PRNG, so a failing run can be replayed with its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

interface Probe {
  readonly kind: string;
  readonly bytes: Uint8Array;
  readonly ttl: number;
}

interface Setup {
  readonly version: 2 | 3;
  readonly authType: AuthType;
}

/** An advert from the attacker; the defaults make a valid priority-200 advert for VI_1. */
function advert(
  s: Setup,
  o: {
    vrid?: number;
    priority?: number;
    vips?: readonly string[];
    intervalMs?: number;
    authType?: AuthType;
    password?: Uint8Array;
    version?: 2 | 3;
  } = {},
): Uint8Array {
  const version = o.version ?? s.version;
  const authType = version === 3 ? 0 : (o.authType ?? s.authType);
  const password = o.password ?? Buffer.from(PASSWORD);
  return encodeAdvert({
    version,
    vrid: o.vrid ?? 51,
    priority: o.priority ?? 200,
    family: 'inet',
    addresses: (o.vips ?? ['192.0.2.100']).map(bytesOf),
    advertIntervalMs: o.intervalMs ?? 1000,
    authType,
    ...(authType === 1 ? { authData: password } : {}),
    src: ATTACKER,
    dst: GROUP,
  });
}

/** Recompute the checksum after a change (VRRPv3: with the IPv4 pseudo-header). */
function resum(b: Uint8Array): Uint8Array {
  if (b.length < 8) return b;
  b[6] = 0;
  b[7] = 0;
  const pseudo = (b[0] as number) >> 4 === 3 ? pseudoHeaderSum(ATTACKER, GROUP, b.length, IPPROTO_VRRP) : 0;
  const sum = internetChecksum(b, pseudo);
  b[6] = sum >> 8;
  b[7] = sum & 0xff;
  return b;
}

/**
 * What the daemons must do with a packet: the instance it is for and the reason, or `kernel` for
 * what the receive sockets' BPF filters drop before the daemon sees it (src/net/vrrp-filter.ts).
 */
function verdict(s: Setup, p: Probe): { target: string; reason: string } {
  const vrid = p.bytes.length >= 2 ? (p.bytes[1] as number) : -1;
  const vr = VRS.find((v) => v.vrid === vrid);
  if (!vr) return { target: 'kernel', reason: 'filtered' };
  const decoded = decodeAdvert(p.bytes, { family: 'inet', src: ATTACKER, dst: GROUP, ttl: p.ttl });
  if (!decoded.ok) return { target: vr.name, reason: decoded.reason };
  const check = checkAdvert(decoded.advert, '192.0.2.200', p.ttl, {
    version: s.version,
    authType: s.authType,
    password: s.authType === 1 ? PASSWORD : '',
    advertIntervalMs: 1000,
    vips: [vr.vip],
    checkAddresses: true,
    peers: null,
  });
  return { target: vr.name, reason: check.ok ? 'accepted' : check.drop.reason };
}

/** `count` seeded mutations of a valid advert; the ones the daemons would accept are left out. */
function fuzzCorpus(s: Setup, seed: number, count: number): { probes: Probe[]; skipped: number } {
  const rnd = prng(seed);
  const int = (n: number): number => Math.floor(rnd() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;
  const base = (): Uint8Array => advert(s);
  let truncateAt = 0;
  const kinds: Record<string, () => { bytes: Uint8Array; ttl?: number }> = {
    'bit flip': () => {
      const b = base();
      for (let n = 1 + int(3); n > 0; n--) {
        const i = int(b.length);
        b[i] = (b[i] as number) ^ (1 << int(8));
      }
      return { bytes: b };
    },
    truncated: () => {
      const b = base();
      truncateAt = (truncateAt + 1) % b.length;
      return { bytes: b.subarray(0, truncateAt) };
    },
    extended: () => {
      const extra = Uint8Array.from({ length: 1 + int(40) }, () => int(256));
      const b = Uint8Array.from([...base(), ...extra]);
      return { bytes: rnd() < 0.5 ? resum(b) : b };
    },
    checksum: () => {
      const b = base();
      const i = 6 + int(2);
      b[i] = (b[i] as number) ^ (1 + int(255));
      return { bytes: b };
    },
    ttl: () => ({ bytes: base(), ttl: pick([1, 2, 64, 128, 254]) }),
    version: () => {
      if (rnd() < 0.3) return { bytes: advert(s, { version: s.version === 2 ? 3 : 2, authType: 0 }) };
      const b = base();
      b[0] = (pick([0, 1, 4, 5, 6, 7, 8, 15]) << 4) | 1;
      return { bytes: resum(b) };
    },
    type: () => {
      const b = base();
      b[0] = (s.version << 4) | pick([0, 2, 3, 7, 15]);
      return { bytes: resum(b) };
    },
    'address count': () => {
      if (rnd() < 0.5) {
        const b = base();
        b[3] = pick([0, 2, 3, 255]);
        return { bytes: resum(b) };
      }
      const vips = pick([[], ['192.0.2.100', '192.0.2.101'], ['192.0.2.100', '192.0.2.7', '192.0.2.8']]);
      return { bytes: advert(s, { vips }) };
    },
    'address list': () => ({ bytes: advert(s, { vips: [pick(['192.0.2.99', '10.0.0.1', '192.0.2.101'])] }) }),
    'other vrid': () => ({ bytes: advert(s, { vrid: rnd() < 0.5 ? 52 : 1 + int(255) }) }),
    'spoofed 255': () =>
      rnd() < 0.5
        ? { bytes: advert(s, { priority: 255 }), ttl: 64 }
        : {
            bytes: (() => {
              const b = advert(s, { priority: 255 });
              b[7] = (b[7] as number) ^ 0x01;
              return b;
            })(),
          },
    junk: () => {
      const b = Uint8Array.from({ length: int(80) }, () => int(256));
      if (b.length > 1 && rnd() < 0.7) b[1] = 51;
      return { bytes: b, ttl: pick([255, 64]) };
    },
  };
  if (s.version === 2) {
    kinds['auth type'] = () => {
      const b = base();
      b[4] = pick([0, 2, 3, 4, 127, 255]);
      return { bytes: resum(b) };
    };
    kinds.password = () => ({
      bytes: advert(s, { password: Uint8Array.from({ length: 8 }, () => 1 + int(255)) }),
    });
    kinds.interval = () => ({ bytes: advert(s, { intervalMs: pick([2, 3, 10, 255]) * 1000 }) });
  } else {
    // VRRPv3 has no authentication and learns the interval: a checksum without the pseudo-header.
    kinds['v2-style checksum'] = () => {
      const b = base();
      b[6] = 0;
      b[7] = 0;
      const sum = internetChecksum(b, 0);
      b[6] = sum >> 8;
      b[7] = sum & 0xff;
      return { bytes: b };
    };
  }
  const names = Object.keys(kinds);
  const probes: Probe[] = [];
  let skipped = 0;
  while (probes.length < count) {
    const kind = pick(names);
    const make = kinds[kind];
    if (!make) continue;
    const m = make();
    const p: Probe = { kind, bytes: m.bytes, ttl: m.ttl ?? 255 };
    if (verdict(s, p).reason === 'accepted') skipped++;
    else probes.push(p);
  }
  return { probes, skipped };
}

const send = (probes: readonly Probe[], rate: number, durationMs: number) =>
  sendFlood(lab, probes, rate, durationMs);

/** Expected drops by target and reason for the first `sent` packets of `probes` (sent in a loop). */
function expected(s: Setup, probes: readonly Probe[], sent: number): Map<string, number> {
  const out = new Map<string, number>();
  probes.forEach((p, i) => {
    const n = Math.floor(sent / probes.length) + (i < sent % probes.length ? 1 : 0);
    if (n === 0) return;
    const v = verdict(s, p);
    const key = `${v.target} ${v.reason}`;
    out.set(key, (out.get(key) ?? 0) + n);
  });
  return out;
}

interface InstanceStatus {
  name: string;
  state: string;
  stats: Record<string, number>;
  drops?: Record<string, number>;
}
interface Status {
  pid: number;
  vrrp: { instances: InstanceStatus[]; unknownVrid: number };
}

/**
 * Drop counts of one daemon by "target reason" (target: an instance, or node for packets no
 * instance has, which the kernel's filters keep from the daemon: it must count none).
 */
async function dropsOf(d: Daemon): Promise<Map<string, number>> {
  const s = (await d.query()) as Status;
  const out = new Map<string, number>([['node unknown-vrid', s.vrrp.unknownVrid]]);
  for (const i of s.vrrp.instances)
    for (const [reason, n] of Object.entries(i.drops ?? {})) out.set(`${i.name} ${reason}`, n);
  return out;
}

const diff = (after: Map<string, number>, before: Map<string, number>): Map<string, number> =>
  new Map(
    [...after].map(([k, v]) => [k, v - (before.get(k) ?? 0)]).filter(([, v]) => v !== 0) as [
      string,
      number,
    ][],
  );
const total = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);

/**
 * Poll `probe` every 100 ms until it is true; after `timeoutMs`, fail (or with `fail` false, go
 * on: the assertions that follow say what was missing).
 */
async function until(
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs = 10_000,
  fail = true,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) {
      if (fail) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? NaN);
}

const transitions = (d: Daemon, from: number): LogRecord[] =>
  d.records.slice(from).filter((r) => r.event === 'vrrp.transition');

function table(title: string, rows: readonly (readonly (string | number)[])[]): string {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => String(r[c]).length))) ?? [];
  const line = (r: readonly (string | number)[]): string =>
    r
      .map((x, c) => (typeof x === 'number' ? String(x).padStart(widths[c] ?? 0) : x.padEnd(widths[c] ?? 0)))
      .join('  ');
  return [title, ...rows.map(line)].join('\n');
}

async function scenario(s: Setup): Promise<void> {
  const tag = `VRRPv${s.version}${s.authType === 1 ? ' PASS' : ''}`;
  const seed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
  console.log(`[fuzz ${tag}] seed ${seed} (FUZZ_SEED=${seed} replays it)`);
  const block = (priority: number): string =>
    VRS.map((vr) =>
      instanceBlock({
        name: vr.name,
        vrid: vr.vrid,
        priority,
        vips: [`${vr.vip}/24`],
        ...(s.version === 3 ? { version: 3 as const } : {}),
        ...(s.authType === 1 ? { password: PASSWORD } : {}),
      }),
    ).join('');
  const cap = await lab.capture(`fuzz-v${s.version}`);
  const h1 = suite.track(await lab.startKts(lab.host(1), config(block(150))));
  await eventually('h1 MASTER of both', () =>
    h1.lines.filter((l) => l.includes('Entering MASTER STATE')).length === 2 ? true : undefined,
  );
  const h2 = suite.track(await lab.startKts(lab.host(2), config(block(100))));
  await eventually('h2 BACKUP of both', () =>
    h2.lines.filter((l) => l.includes('Entering BACKUP STATE')).length === 2 ? true : undefined,
  );
  const daemons = [h1, h2] as const;
  await until('h2 has taken adverts of both instances from h1', async () => {
    const st = (await h2.query()) as Status;
    return st.vrrp.instances.every((i) => (i.stats.advert_rcvd ?? 0) > 0);
  });
  const pids = await Promise.all(daemons.map(async (d) => ((await d.query()) as Status).pid));
  const rssBefore = pids.map(rssKb);
  const marks = daemons.map((d) => d.records.length);
  const drops0 = await Promise.all(daemons.map(dropsOf));
  /** Drop counts once every packet that reaches the daemons is accounted for (or after 10 s). */
  const accounted = async (
    before: readonly Map<string, number>[],
    reaching: number,
  ): Promise<Map<string, number>[]> => {
    let now = before.map((b) => new Map(b));
    await until(
      `${reaching} packets accounted for`,
      async () => {
        for (const d of daemons)
          if (!d.running) throw new Error(`${d.name} exited under attack:\n${d.lines.slice(-20).join('\n')}`);
        now = await Promise.all(daemons.map(dropsOf));
        return now.every((d, i) => total(diff(d, before[i] ?? new Map<string, number>())) >= reaching);
      },
      10_000,
      false,
    );
    return now;
  };

  // 1. The fuzzer.
  const corpus = fuzzCorpus(s, seed, (FUZZ_RATE * FUZZ_MS) / 1000);
  const fuzzStart = Date.now();
  const fuzz = await send(corpus.probes, FUZZ_RATE, FUZZ_MS);
  const fuzzEnd = Date.now();
  const want = expected(s, corpus.probes, fuzz.sent);
  const filtered = want.get('kernel filtered') ?? 0;
  want.delete('kernel filtered');
  const drops1 = await accounted(drops0, fuzz.sent - filtered);
  const rssAfter = pids.map(rssKb);

  const running = daemons.map((d) => d.running);
  const st = await Promise.all(daemons.map(async (d) => (await d.query()) as Status));
  // The figures are printed first, the assertions follow.
  const checks: (() => void)[] = [];

  // The master's adverts during each phase (on the bridge, one advert either side): their interval.
  const frames = cap.frames();
  const jitter = (vrid: number, from: number, to: number): { count: number; maxDevMs: number } => {
    const at = frames
      .filter((f) => f.kind === 'vrrp' && f.from === lab.host(1).ip4 && f.vrid === vrid)
      .map((f) => f.atMs)
      .filter((t) => t >= from - 1000 && t <= to + 1000);
    const gaps = at.slice(1).map((t, i) => t - (at[i] as number));
    return { count: at.length, maxDevMs: Math.max(0, ...gaps.map((g) => Math.abs(g - 1000))) };
  };
  const jFuzz = VRS.map((vr) => jitter(vr.vrid, fuzzStart, fuzzEnd));
  const jText = (xs: typeof jFuzz): string =>
    VRS.map(
      (vr, i) => `${vr.name} ${xs[i]?.count} adverts, max deviation ${xs[i]?.maxDevMs.toFixed(1)} ms`,
    ).join('; ');

  // Accounting: every packet that reaches a daemon is counted by reason (a full socket buffer as
  // socket-overflow); the filtered ones never reach it.
  const got = drops1.map((a, i) => diff(a, drops0[i] ?? new Map<string, number>()));
  const overflow = got.map((g) =>
    [...g].filter(([k]) => k.endsWith(' socket-overflow')).reduce((n, [, v]) => n + v, 0),
  );
  const keys = [...new Set([...want.keys(), ...got.flatMap((g) => [...g.keys()])])].sort();
  const rows: (string | number)[][] = [['target reason', 'sent', 'h1 counted', 'h2 counted']];
  for (const k of keys) rows.push([k, want.get(k) ?? 0, got[0]?.get(k) ?? 0, got[1]?.get(k) ?? 0]);
  rows.push(['(kernel: filtered, never counted)', filtered, 0, 0]);
  rows.push([
    'total',
    fuzz.sent,
    total(got[0] ?? new Map<string, number>()),
    total(got[1] ?? new Map<string, number>()),
  ]);
  console.log(
    table(
      `[fuzz ${tag}] ${fuzz.sent} packets in ${Math.round(fuzz.elapsedMs)} ms = ${Math.round((fuzz.sent * 1000) / fuzz.elapsedMs)} packets/s (${corpus.skipped} accepted mutations left out)`,
      rows,
    ),
  );
  checks.push(() =>
    got.forEach((g, i) => {
      const k = overflow[i] ?? 0;
      expect(total(g), `h${i + 1}: counted`).toBe(fuzz.sent - filtered);
      expect(g.get('node unknown-vrid') ?? 0, `h${i + 1}: nothing for another VRID reaches it`).toBe(0);
      for (const key of keys)
        if (!key.endsWith(' socket-overflow'))
          expect(Math.abs((g.get(key) ?? 0) - (want.get(key) ?? 0)), `h${i + 1} ${key}`).toBeLessThanOrEqual(
            k,
          );
    }),
  );
  const stats = st.map((x) => x?.vrrp.instances.find((i) => i.name === 'VI_1')?.stats ?? {});
  const kaRows: (string | number)[][] = [['counter (VI_1)', 'h1', 'h2']];
  for (const c of [
    'packet_len_err',
    'ip_ttl_err',
    'invalid_type_rcvd',
    'addr_list_err',
    'invalid_authtype',
    'authtype_mismatch',
    'auth_failure',
    'advert_interval_err',
    'advert_rcvd',
  ])
    kaRows.push([c, stats[0]?.[c] ?? 0, stats[1]?.[c] ?? 0]);
  console.log(table(`[fuzz ${tag}] keepalived counters`, kaRows));

  const dropRecords = daemons.map((d) => d.records.filter((r) => r.event === 'vrrp.drop'));
  const dropLines = dropRecords.map((r) => r.length);
  const byReason = (rs: readonly LogRecord[]): string => {
    const n = new Map<string, number>();
    for (const r of rs) n.set(String(r.reason), (n.get(String(r.reason)) ?? 0) + 1);
    return [...n].map(([k, v]) => `${k} ${v}`).join(', ');
  };
  console.log(
    [
      `[fuzz ${tag}] RSS kB h1 ${rssBefore[0]} -> ${rssAfter[0]}, h2 ${rssBefore[1]} -> ${rssAfter[1]}`,
      `[fuzz ${tag}] h1's adverts (advert_int 1000 ms) during the fuzz: ${jText(jFuzz)}`,
      `[fuzz ${tag}] vrrp.drop log lines: h1 ${dropLines[0]} (${byReason(dropRecords[0] ?? [])})`,
      `[fuzz ${tag}] vrrp.drop log lines: h2 ${dropLines[1]} (${byReason(dropRecords[1] ?? [])})`,
    ].join('\n'),
  );
  const transitionLines = daemons.map((d, i) => transitions(d, marks[i] ?? 0).map((r) => r.msg));
  if (transitionLines.some((t) => t.length > 0))
    console.log(
      `[fuzz ${tag}] transitions during the attack: h1 ${transitionLines[0]?.join(', ')}; h2 ${transitionLines[1]?.join(', ')}`,
    );

  // Still up, same roles, no transition at all, the VIPs where they were.
  expect(running).toEqual([true, true]);
  expect(transitionLines).toEqual([[], []]);
  expect(st[0]?.vrrp.instances.map((i) => i.state)).toEqual(['MASTER', 'MASTER']);
  expect(st[1]?.vrrp.instances.map((i) => i.state)).toEqual(['BACKUP', 'BACKUP']);
  expect([lab.holders('192.0.2.100'), lab.holders('192.0.2.101')]).toEqual([[1], [1]]);
  for (const c of checks) c();
  rssBefore.forEach((b, i) => expect(rssAfter[i] ?? Infinity, `h${i + 1} RSS`).toBeLessThan(b + 32 * 1024));
  // The fuzz is covered (the capture is read a moment after it), and no gap is longer.
  for (const x of jFuzz) {
    expect(x.count).toBeGreaterThanOrEqual(FUZZ_MS / 1000);
    expect(x.maxDevMs).toBeLessThan(250);
  }
  for (const n of dropLines) expect(n).toBeLessThan(50);

  // 2. The control: one valid advert with priority 254 moves the master of VI_1 (not VI_2).
  const from = h1.lines.length;
  await send([{ kind: 'valid', bytes: advert(s, { priority: 254 }), ttl: 255 }], 1000, 1);
  await h1.waitForLine(
    /\(VI_1\) Master received advert from 192\.0\.2\.200 with higher priority 254, ours 150/,
    5000,
    from,
  );
  await eventually('the VIP of VI_1 released by h1', () =>
    lab.holders('192.0.2.100').length === 0 ? true : undefined,
  );
  expect(lab.holders('192.0.2.101')).toEqual([1]);
  // The attacker falls silent: h1 takes VI_1 back after its down timer.
  await h1.waitForLine(/\(VI_1\) Entering MASTER STATE/, 10_000, from);
  await eventually('the VIP back on h1', () =>
    lab.holders('192.0.2.100').join() === '1' ? true : undefined,
  );
  expect(h2.lines.slice(from).some((l) => l.includes('Entering MASTER STATE'))).toBe(false);
  await cap.stop();
}

describe('hostile VRRP input at running daemons', () => {
  it('VRRPv2 with auth PASS: fuzzed adverts are counted and dropped; a valid advert still wins', async () => {
    await scenario({ version: 2, authType: 1 });
  });

  it('VRRPv3: fuzzed adverts are counted and dropped; a valid advert still wins', async () => {
    await scenario({ version: 3, authType: 0 });
  });
});
