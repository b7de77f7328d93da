/**
 * The VRRP flood scenario of issue 13, shared by test/netns/vrrp-flood.test.ts and
 * bench/vrrp-flood.ts: two directors (h1 MASTER at priority 150, h2 BACKUP at 100) with two
 * instances, VI_1 (VRID 51) and VI_2 (VRID 52), and an attacker on the LAN flooding VI_1 with adverts
 * that are well formed but fail the instance checks (VRRPv2: a wrong password; VRRPv3, which has
 * no authentication: a wrong address list), at a set rate or as fast as it can send.
 *
 * Measured: the packets sent and their rate; every state transition on either director; for each
 * instance the legitimate adverts lost, i.e. the master's adverts sent minus those the backup
 * accepted, over the flood; and what the kernel dropped at the backup's socket buffers. The
 * counters are read while nothing is in flight: (sent - accepted) is sampled every 100 ms over
 * 1.2 advert intervals (the backup read before the master) and its minimum taken, before and after
 * the flood; the difference is the loss. The same runs against Debian's keepalived 2.2.7
 * (counters from its USR2 stats file).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { encodeAdvert } from '../../src/vrrp/packet.js';
import { eventually, keepalivedStats, type Daemon, type Lab } from './lab.js';
import { PACKAGE_ROOT } from './netns.js';
import { config, instanceBlock } from './vrrp-conf.js';

export type DirectorKind = 'keepalived-ts' | 'keepalived';

/** From the package root: bench/ runs this module compiled into build/. */
const FLOOD = join(PACKAGE_ROOT, 'test', 'netns', 'scripts', 'flood.mjs');
const ATTACKER = Uint8Array.of(192, 0, 2, 200);
const GROUP = Uint8Array.of(224, 0, 0, 18);
const PASSWORD = 'secret';
export const INSTANCES = [
  { name: 'VI_1', vrid: 51, vip: '192.0.2.100' },
  { name: 'VI_2', vrid: 52, vip: '192.0.2.101' },
] as const;

export interface FloodOptions {
  readonly version: 2 | 3;
  /** Packets per second; 0: as fast as the attacker can send. */
  readonly rate: number;
  readonly durationMs: number;
}

export interface InstanceLoss {
  readonly instance: string;
  /** The master's adverts sent during the flood (and the sampling around it). */
  readonly sent: number;
  readonly lost: number;
}

export interface FloodResult {
  readonly kind: DirectorKind;
  readonly version: 2 | 3;
  readonly sent: number;
  readonly elapsedMs: number;
  readonly pps: number;
  /** "h1 (VI_1) Entering BACKUP STATE"-style lines logged during the flood. */
  readonly transitions: readonly string[];
  readonly lost: readonly InstanceLoss[];
  /** Packets the kernel dropped at the backup's VRRP sockets (buffer full). */
  readonly backupKernelDrops: number;
  /** After the flood: h1 MASTER and h2 BACKUP of both, each VIP on h1 only. */
  readonly rolesKept: boolean;
  /** After the flood: the hosts holding each VIP, by instance. */
  readonly holders: Readonly<Record<string, readonly number[]>>;
  /**
   * keepalived-ts: the packets for VI_1 the backup dropped during the flood, counted by reason
   * (socket-overflow included); null for keepalived, which counts only some of them.
   */
  readonly floodCounted: number | null;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The flood packet: well formed, for VI_1, failing the instance checks. */
export function floodPacket(version: 2 | 3): Uint8Array {
  return encodeAdvert({
    version,
    vrid: 51,
    priority: 254,
    family: 'inet',
    addresses: [Uint8Array.of(192, 0, 2, version === 2 ? 100 : 99)],
    advertIntervalMs: 1000,
    authType: version === 2 ? 1 : 0,
    ...(version === 2 ? { authData: Buffer.from('wrong!!!') } : {}),
    src: ATTACKER,
    dst: GROUP,
  });
}

/** Send `packets` (in a loop) from the attacker (the lab's client) with flood.mjs. */
export function sendFlood(
  lab: Lab,
  packets: readonly { readonly bytes: Uint8Array; readonly ttl: number }[],
  rate: number,
  durationMs: number,
): Promise<{ sent: number; elapsedMs: number }> {
  return new Promise((resolve, reject) => {
    const proc = spawn('ip', ['netns', 'exec', lab.client.ns, process.execPath, FLOOD], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
    proc.stderr.on('data', (c: Buffer) => (err += c.toString()));
    proc.on('error', reject);
    proc.on('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out) as { sent: number; elapsedMs: number })
        : reject(new Error(`flood.mjs exited ${code}: ${err}`)),
    );
    proc.stdin.end(
      JSON.stringify({
        packets: packets.map((p) => ({ hex: Buffer.from(p.bytes).toString('hex'), ttl: p.ttl })),
        rate,
        durationMs,
      }),
    );
  });
}

interface Director {
  readonly daemon: Daemon;
  /** Per instance, read now: adverts sent, and adverts accepted (passed every check). */
  counters(): Promise<Map<string, { sent: number; accepted: number }>>;
  /** Packets the kernel dropped at this director's VRRP sockets so far. */
  kernelDrops(): Promise<number>;
  /** Packets for VI_1 dropped so far, every reason (null: not known). */
  dropped(): Promise<number | null>;
}

interface StatusInstance {
  readonly name: string;
  readonly state: string;
  readonly stats: Record<string, number>;
  readonly drops?: Record<string, number>;
  readonly advertsAccepted?: number;
}

function ktsDirector(d: Daemon): Director {
  const instances = async (): Promise<StatusInstance[]> =>
    ((await d.query()) as { vrrp: { instances: StatusInstance[] } }).vrrp.instances;
  return {
    daemon: d,
    counters: async () =>
      new Map(
        (await instances()).map((i) => [
          i.name,
          { sent: i.stats.advert_sent ?? 0, accepted: i.advertsAccepted ?? 0 },
        ]),
      ),
    kernelDrops: async () => (await instances()).reduce((n, i) => n + (i.drops?.['socket-overflow'] ?? 0), 0),
    dropped: async () =>
      Object.values((await instances()).find((i) => i.name === 'VI_1')?.drops ?? {}).reduce(
        (a, b) => a + b,
        0,
      ),
  };
}

/** Packets dropped at the VRRP (protocol 112) raw sockets in a namespace: /proc/net/raw. */
export function rawSocketDrops(lab: Lab, host: number): number {
  return lab
    .exec(lab.host(host), ['cat', '/proc/net/raw'])
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f[1]?.endsWith(':0070'))
    .reduce((sum, f) => sum + Number(f[12] ?? 0), 0);
}

function keepalivedDirector(lab: Lab, host: number, d: Daemon): Director {
  return {
    daemon: d,
    counters: async () => {
      const stats = await keepalivedStats(
        d,
        INSTANCES.map((i) => i.name),
      );
      // keepalived counts an advert with a wrong address list in Received and in Address List.
      return new Map(
        INSTANCES.map((i) => {
          const s = stats.get(i.name) ?? {};
          return [
            i.name,
            {
              sent: s['Advertisements/Sent'] ?? 0,
              accepted: (s['Advertisements/Received'] ?? 0) - (s['Packet Errors/Address List'] ?? 0),
            },
          ];
        }),
      );
    },
    kernelDrops: () => Promise.resolve(rawSocketDrops(lab, host)),
    dropped: () => Promise.resolve(null),
  };
}

async function startDirector(
  lab: Lab,
  kind: DirectorKind,
  host: number,
  priority: number,
  version: 2 | 3,
): Promise<Director> {
  const conf = config(
    ...INSTANCES.map((i) =>
      instanceBlock({
        name: i.name,
        vrid: i.vrid,
        priority,
        vips: [`${i.vip}/24`],
        ...(version === 3 ? { version: 3 as const } : { password: PASSWORD }),
      }),
    ),
  );
  if (kind === 'keepalived-ts') return ktsDirector(await lab.startKts(lab.host(host), conf));
  return keepalivedDirector(lab, host, await lab.startKeepalived(lab.host(host), conf));
}

/**
 * min over 1.2 advert intervals of (master sent - backup accepted), per instance. The backup is
 * read first and the master after it, never both at once: an advert the master sends between the
 * two reads can then only widen a sample's gap (which the minimum discards), never narrow it below
 * the real loss. Read in parallel, a slow backup's answer could count an advert the master's
 * earlier answer had not yet sent: a gap of -1 before the flood, read as one advert lost after it.
 */
async function settledGap(master: Director, backup: Director): Promise<Map<string, number>> {
  const gap = new Map<string, number>();
  for (let n = 0; n < 13; n++) {
    const b = await backup.counters();
    const m = await master.counters();
    for (const i of INSTANCES) {
      const g = (m.get(i.name)?.sent ?? 0) - (b.get(i.name)?.accepted ?? 0);
      gap.set(i.name, Math.min(gap.get(i.name) ?? Infinity, g));
    }
    await sleep(100);
  }
  return gap;
}

const transitionLines = (d: Daemon, from: number, host: number): string[] =>
  d.lines
    .slice(from)
    .filter((l) => /Entering \w+ STATE/.test(l))
    .map((l) => `h${host} ${l.replace(/^.*?(\(\w+\) Entering \w+ STATE).*$/, '$1')}`);

/** Run one flood against a fresh pair of `kind` directors; stops them before returning. */
export async function floodScenario(lab: Lab, kind: DirectorKind, o: FloodOptions): Promise<FloodResult> {
  const master = await startDirector(lab, kind, 1, 150, o.version);
  let backup: Director | undefined;
  try {
    await master.daemon.waitForLine(/\(VI_2\) Entering MASTER STATE/, 20_000);
    await eventually('h1 MASTER of both', () =>
      INSTANCES.every((i) => master.daemon.lines.some((l) => l.includes(`(${i.name}) Entering MASTER STATE`)))
        ? true
        : undefined,
    );
    backup = await startDirector(lab, kind, 2, 100, o.version);
    const b = backup;
    await eventually('h2 BACKUP of both', () =>
      INSTANCES.every((i) => b.daemon.lines.some((l) => l.includes(`(${i.name}) Entering BACKUP STATE`)))
        ? true
        : undefined,
    );
    await eventually('h2 has accepted adverts of both instances', async () => {
      const c = await b.counters();
      return INSTANCES.every((i) => (c.get(i.name)?.accepted ?? 0) > 0) ? true : undefined;
    });
    const marks = [master.daemon.lines.length, b.daemon.lines.length];
    const sentBefore = await master.counters();
    const before = await settledGap(master, b);
    const dropsBefore = await b.kernelDrops();
    const countedBefore = await b.dropped();
    const flood = await sendFlood(lab, [{ bytes: floodPacket(o.version), ttl: 255 }], o.rate, o.durationMs);
    const countedAfter = await eventually('the flood counted at the backup', async () => {
      const n = await b.dropped();
      return n === null || countedBefore === null || n - countedBefore >= flood.sent ? n : undefined;
    }).catch(() => b.dropped());
    const after = await settledGap(master, b);
    const sentAfter = await master.counters();
    const backupKernelDrops = (await b.kernelDrops()) - dropsBefore;
    const transitions = [
      ...transitionLines(master.daemon, marks[0] ?? 0, 1),
      ...transitionLines(b.daemon, marks[1] ?? 0, 2),
    ];
    const rolesKept =
      transitions.length === 0 &&
      master.daemon.running &&
      b.daemon.running &&
      INSTANCES.every((i) => lab.holders(i.vip).join() === '1');
    return {
      kind,
      version: o.version,
      sent: flood.sent,
      elapsedMs: flood.elapsedMs,
      pps: Math.round((flood.sent * 1000) / flood.elapsedMs),
      transitions,
      lost: INSTANCES.map((i) => ({
        instance: i.name,
        sent: (sentAfter.get(i.name)?.sent ?? 0) - (sentBefore.get(i.name)?.sent ?? 0),
        lost: (after.get(i.name) ?? 0) - (before.get(i.name) ?? 0),
      })),
      backupKernelDrops,
      rolesKept,
      holders: Object.fromEntries(INSTANCES.map((i) => [i.name, lab.holders(i.vip)])),
      floodCounted: countedAfter === null || countedBefore === null ? null : countedAfter - countedBefore,
    };
  } finally {
    await Promise.all([master.daemon.stop(), backup?.daemon.stop()]);
  }
}
