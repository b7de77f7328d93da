/**
 * Benchmark: failover time of keepalived-ts against Debian's keepalived 2.2.7, measured in the same
 * network-namespace lab (test/netns/lab.ts) in one run. Two directors per daemon kind:
 *
 * - kill: SIGKILL the master and cut its cable (issue 4 scenario 2), VRRPv2 at 1 s and VRRPv3 at
 *   0.1 s. Protocol bound: from the dead master's last advert to the takeover is exactly
 *   Master_Down_Interval = 3 × advert + skew (priority 100).
 * - stop: SIGTERM the master (scenario 3): priority 0, the backup takes over after Skew_Time.
 *
 * Each round times "signal → first GARP from the new master" on the bridge capture (the operator's
 * number) and "last advert → first GARP" (kill) or "priority-0 advert → first GARP" (stop) against
 * the protocol bound. The killed director comes back as the new backup for the next round (equal
 * priority 100: a BACKUP accepts it), so every round is one failover.
 *
 * Run as root: `npm run bench:failover` (R=rounds, default 5; ONLY=kill|stop|v3 picks cases). Prints a table and the ratios
 * keepalived-ts / keepalived of the medians; also each daemon's resident memory.
 */
import { skewTimeMs } from '../src/vrrp/timers.js';
import { eventually, Lab, type CapturedFrame, type Daemon, type LabHost } from '../test/netns/lab.js';
import { config, instanceBlock } from '../test/netns/vrrp-conf.js';
import { machineLine, median, sleep, treeRssKiB } from './common.js';

const ROUNDS = Number(process.env.R ?? 5);
const VIP = '192.0.2.100';

type Kind = 'keepalived-ts' | 'keepalived';
interface Case {
  readonly name: string;
  readonly how: 'kill' | 'stop';
  readonly version: 2 | 3;
  readonly advertInt: number;
}
const ALL_CASES: readonly Case[] = [
  { name: 'kill v2 1 s', how: 'kill', version: 2, advertInt: 1 },
  { name: 'kill v3 0.1 s', how: 'kill', version: 3, advertInt: 0.1 },
  { name: 'stop v2 1 s', how: 'stop', version: 2, advertInt: 1 },
];
/** ONLY=text runs the cases whose name contains it (e.g. ONLY=kill). */
const CASES = ALL_CASES.filter((c) => !process.env.ONLY || c.name.includes(process.env.ONLY));

interface Sample {
  /** signal → first GARP from the new master. */
  readonly fromSignal: number;
  /** last advert (kill) or priority-0 advert (stop) → first GARP. */
  readonly fromWire: number;
  /** stop: signal → the old master's priority-0 advert on the bridge (the graceful handover's own cost). */
  readonly toPriorityZero: number | null;
}

class Pair {
  private readonly daemons = new Map<number, Daemon>();
  private rounds = 0;
  master = 1;

  constructor(
    private readonly lab: Lab,
    private readonly kind: Kind,
    private readonly c: Case,
  ) {}

  private conf(priority: number): string {
    return config(instanceBlock({ priority, version: this.c.version, advertInt: this.c.advertInt }));
  }

  private async start(host: LabHost, priority: number): Promise<Daemon> {
    const conf = this.conf(priority);
    const d =
      this.kind === 'keepalived-ts'
        ? await this.lab.startKts(host, conf)
        : await this.lab.startKeepalived(host, conf);
    this.daemons.set(host.index, d);
    return d;
  }

  async init(): Promise<void> {
    const m = await this.start(this.lab.host(1), 150);
    await m.waitForLine(/Entering MASTER STATE/);
    const b = await this.start(this.lab.host(2), 100);
    await b.waitForLine(/Entering BACKUP STATE/);
  }

  rss(): number {
    return (
      [...this.daemons.values()].reduce((sum, d) => sum + (d.proc.pid ? treeRssKiB(d.proc.pid) : 0), 0) / 2
    );
  }

  /** One failover; afterwards the old master is back as the backup. */
  async round(): Promise<Sample> {
    const lab = this.lab;
    const m = lab.host(this.master);
    const b = lab.host(3 - this.master);
    const intervalMs = this.c.advertInt * 1000;
    const cap = await lab.capture(`${this.kind}-${this.c.how}-${this.c.version}`);
    // The backup hears adverts (its down timer runs from the last one); then the signal lands at a
    // spread of phases within the advert interval (golden-ratio steps), the same for both daemons.
    await sleep(3 * intervalMs + 200 + ((this.rounds++ * 0.618034) % 1) * intervalMs);
    const backup = this.daemons.get(b.index);
    if (!backup) throw new Error('no backup');
    const mark = backup.lines.length;
    const t0 = Date.now();
    const old = this.daemons.get(m.index);
    if (this.c.how === 'kill') {
      lab.crash(m);
      lab.setCable(m, false);
    } else old?.signal('SIGTERM');
    await backup.waitForLine(/Entering MASTER STATE/, 20_000, mark);
    const garp = await eventually('the new master GARP', () =>
      cap.frames().find((f) => f.kind === 'arp' && f.srcMac === b.mac && f.from === VIP && f.atMs >= t0 - 5),
    );
    const frames = await cap.stop();
    const fromOld = (f: CapturedFrame): boolean =>
      f.kind === 'vrrp' && f.srcMac === m.mac && f.atMs <= garp.atMs;
    const ref =
      this.c.how === 'kill'
        ? frames.filter(fromOld).at(-1)
        : frames.find((f) => fromOld(f) && f.priority === 0 && f.atMs >= t0 - 5);
    if (!ref) throw new Error(`no reference advert from the old master in ${this.c.name}`);
    if (this.c.how === 'kill' && frames.some((f) => fromOld(f) && f.priority === 0 && f.atMs >= t0 - 5))
      throw new Error(`${this.kind} sent priority 0 although it was killed: not a crash`);
    await old?.exited;
    if (this.c.how === 'kill') {
      // The killed daemon left its VIP on its (unplugged) interface: clear it, plug back in.
      lab.exec(m, ['ip', 'addr', 'flush', 'dev', 'eth0', 'to', `${VIP}/32`]);
      lab.setCable(m, true);
    }
    const back = await this.start(m, 100);
    await back.waitForLine(/Entering BACKUP STATE/);
    this.master = b.index;
    return {
      fromSignal: garp.atMs - t0,
      fromWire: garp.atMs - ref.atMs,
      toPriorityZero: this.c.how === 'stop' ? ref.atMs - t0 : null,
    };
  }

  async stop(): Promise<void> {
    await Promise.all([...this.daemons.values()].map((d) => d.stop()));
    this.daemons.clear();
  }
}

const fmt = (x: number): string => x.toFixed(1).padStart(8);

async function main(): Promise<void> {
  const lab = Lab.create('bfo', 2);
  const results: { c: Case; kind: Kind; samples: Sample[]; rss: number }[] = [];
  try {
    for (const c of CASES) {
      for (const kind of ['keepalived-ts', 'keepalived'] as const) {
        const pair = new Pair(lab, kind, c);
        const samples: Sample[] = [];
        let rss = 0;
        try {
          await pair.init();
          for (let i = 0; i < ROUNDS; i++) {
            samples.push(await pair.round());
            rss = Math.max(rss, pair.rss());
          }
        } finally {
          await pair.stop();
        }
        results.push({ c, kind, samples, rss });
        process.stderr.write(
          `${c.name} ${kind}: ${samples.map((s) => s.fromSignal.toFixed(0)).join(' ')} ms\n`,
        );
      }
    }
  } finally {
    lab.destroy();
  }

  console.log(`\n${machineLine()}`);
  console.log(`\nFailover, ${ROUNDS} rounds each (ms; first GARP from the new master seen on the bridge)\n`);
  console.log(
    'case            daemon          signal→GARP min / median / max      wire→GARP median   bound    median/bound   RSS KiB',
  );
  for (const r of results) {
    const sig = r.samples.map((s) => s.fromSignal);
    const wire = r.samples.map((s) => s.fromWire);
    const ms = r.c.advertInt * 1000;
    const bound =
      r.c.how === 'kill' ? 3 * ms + skewTimeMs(r.c.version, 100, ms) : skewTimeMs(r.c.version, 100, ms);
    console.log(
      `${r.c.name.padEnd(16)}${r.kind.padEnd(16)}${fmt(Math.min(...sig))} /${fmt(median(sig))} /${fmt(Math.max(...sig))}   ${fmt(median(wire))}    ${fmt(bound)}   ${(median(wire) / bound).toFixed(3).padStart(8)}   ${String(Math.round(r.rss)).padStart(7)}`,
    );
  }
  const prio0 = results.filter((r) => r.c.how === 'stop');
  if (prio0.length > 0) console.log('\nSIGTERM → priority-0 advert on the bridge (ms, min / median / max):');
  for (const r of prio0) {
    const xs = r.samples.flatMap((s) => (s.toPriorityZero === null ? [] : [s.toPriorityZero]));
    console.log(`  ${r.kind.padEnd(16)}${fmt(Math.min(...xs))} /${fmt(median(xs))} /${fmt(Math.max(...xs))}`);
  }
  console.log('\nRatio keepalived-ts / keepalived (medians):');
  for (const c of CASES) {
    const ts = results.find((r) => r.c === c && r.kind === 'keepalived-ts');
    const ka = results.find((r) => r.c === c && r.kind === 'keepalived');
    if (!ts || !ka) continue;
    const sig = median(ts.samples.map((s) => s.fromSignal)) / median(ka.samples.map((s) => s.fromSignal));
    const wire = median(ts.samples.map((s) => s.fromWire)) / median(ka.samples.map((s) => s.fromWire));
    console.log(
      `  ${c.name.padEnd(16)} signal→GARP ${sig.toFixed(3)}   wire→GARP ${wire.toFixed(3)}   RSS ${(ts.rss / ka.rss).toFixed(2)}`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
