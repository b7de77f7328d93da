/**
 * The chaos harness (issue 8): three directors in a namespace lab (test/netns/lab.ts) share the
 * VIP 192.0.2.100 (VRRPv3, priorities 150/120/100) and proxy port 80 to two real servers checked by
 * HTTP_GET; a client requests http://192.0.2.100/ on a new connection every 20 ms and gives up after
 * 500 ms. A seeded schedule (schedule.ts) then runs one fault at a time, each lifted and followed by
 * a settle period:
 *
 * - kill: SIGKILL every process of a director, cut its cable while it is dead, plug it back in,
 *   restart it (keepalived-ts removes the VIP the dead run left on the interface);
 * - freeze: SIGSTOP, then SIGCONT; link: cable down, then up;
 * - loss: the bridge drops N % of VRRP frames (nftables, family bridge, hook forward: the capture on
 *   br0 still sees every advert sent); partition: the bridge drops one director's outgoing VRRP;
 * - reload-storm: 20 SIGHUPs spread over the hold time; rs-down: SIGKILL a real server, restart it.
 *
 * Ground truth is measured, not asked of the daemons: tcpdump on the bridge (who advertises when),
 * `ip addr` on the directors whose cable is up every SAMPLE_MS (who holds the VIP), the client's
 * replies. evaluate.ts turns these into the report.
 *
 * advert_int 0.2 s: Master_Down_Interval is ≈ 0.7 s, so a fault with its recovery and settle period
 * takes ≈ 4 s and a 45 s budget holds about ten faults; the slack (100 ms, as in the failover
 * tests) and the 300 ms "stopped advertising" threshold (1.5 × advert_int) still leave room for
 * Node's timers on two busy cores (0.1 s adverts would not, 0.5 s would halve the faults per run).
 *
 * With `mixKeepalived`, director 2 (priority 120, the one that takes over from director 1) is
 * Debian's keepalived: VRRP only, no dispatcher, so the client would fail whenever it holds the
 * VIP; that variant runs no client, no real-server faults, and measures VRRP only.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Lab, type CapturedFrame, type Daemon, type LabHost } from '../netns/lab.js';
import { PACKAGE_ROOT } from '../netns/netns.js';
import { config, httpRealServer, instanceBlock } from '../netns/vrrp-conf.js';
import {
  evaluate,
  formatReport,
  type Advert,
  type ChaosReport,
  type ClientRequest,
  type FaultWindow,
  type HolderSample,
} from './evaluate.js';
import { describeFault, FAULT_KINDS, makeSchedule, type FaultKind, type FaultPlan } from './schedule.js';

export const VIP = '192.0.2.100';
const VRID = 51;
const PRIORITIES = [150, 120, 100] as const;
const BACKEND = join(PACKAGE_ROOT, 'test/netns/scripts/backend.mjs');
const CLIENT = join(PACKAGE_ROOT, 'test/netns/scripts/client.mjs');
const CLIENT_TIMEOUT_MS = 500;
const CLIENT_PAUSE_MS = 20;
/** `ip addr` on up to three namespaces: not more often than this. */
const SAMPLE_MS = 200;
/** Allowance over the protocol bounds (as the failover tests). */
export const SLACK_MS = 100;
/** A dual master this short is an advert that crossed the new master's first one. */
export const HANDOVER_MS = 100;
/** Steady state before the first fault and after the last, in the measured span. */
const BASELINE_MS = 1000;
const STORM_SIGNALS = 20;

export interface ChaosOptions {
  readonly seed: number;
  /** How much fault time to plan (holds + settle periods + restarts). */
  readonly budgetMs: number;
  /** Master_Adver_Interval (default 200 ms). */
  readonly advertIntervalMs?: number;
  /** Director 2 is Debian's keepalived (VRRP only; no client traffic). */
  readonly mixKeepalived?: boolean;
  /** Fault kinds to draw from (default: all; rs-down is left out with mixKeepalived). */
  readonly kinds?: readonly FaultKind[];
  /** Lab tag (≤ 6 characters). */
  readonly tag?: string;
  readonly log?: (line: string) => void;
  /** Gets a function that tears the lab down at once (Ctrl-C, a test timeout). */
  readonly onLab?: (destroy: () => void) => void;
}

export interface ChaosRun {
  readonly seed: number;
  readonly schedule: readonly FaultPlan[];
  readonly report: ChaosReport;
  readonly table: string;
  /** Harness-level trouble: a daemon that exited on its own, a real server that did not come back. */
  readonly incidents: readonly string[];
  /** State changes and notable lines the daemons logged, with times (for reading a violation). */
  readonly events: readonly DaemonEvent[];
  readonly spanStartMs: number;
  readonly wallMs: number;
}

export interface DaemonEvent {
  readonly atMs: number;
  readonly who: string;
  readonly text: string;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** Signal every process in a namespace (keepalived's VRRP child is in its own session). */
function signalNamespace(ns: string, sig: NodeJS.Signals): void {
  const pids = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' })
    .stdout.split(/\s+/)
    .filter(Boolean)
    .map(Number);
  for (const pid of pids) {
    try {
      process.kill(pid, sig);
    } catch {
      // Already gone.
    }
  }
}

/** Run an nft script in the switch namespace. */
function nft(lab: Lab, script: string): void {
  const r = spawnSync('ip', ['netns', 'exec', lab.sw, 'nft', '-f', '-'], { input: script, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`nft failed: ${r.stderr || r.error?.message}\n${script}`);
}

const NFT_TABLE = [
  'table bridge chaos {',
  '  chain drops {',
  '    type filter hook forward priority 0; policy accept;',
  '  }',
  '}',
].join('\n');

const INTERESTING =
  /Entering \w+ STATE|forcing new election|higher priority|lower priority|priority 0|Reload|reload|exited|error/i;

class Director {
  daemon: Daemon | undefined;
  private seen = 0;

  constructor(
    private readonly lab: Lab,
    readonly name: string,
    readonly host: LabHost,
    readonly priority: number,
    readonly keepalived: boolean,
    private readonly conf: string,
  ) {}

  async start(): Promise<Daemon> {
    this.daemon = this.keepalived
      ? await this.lab.startKeepalived(this.host, this.conf)
      : await this.lab.startKts(this.host, this.conf);
    this.seen = 0;
    return this.daemon;
  }

  /** New interesting output since the last call, stamped (keepalived-ts records carry their time). */
  drain(into: DaemonEvent[]): void {
    const d = this.daemon;
    if (!d) return;
    const now = Date.now();
    for (const line of d.lines.slice(this.seen)) {
      let atMs = now;
      let text = line;
      if (line.startsWith('{')) {
        try {
          const r = JSON.parse(line) as { msg?: string; time?: number };
          text = r.msg ?? line;
          atMs = r.time ?? now;
        } catch {
          // Not JSON after all.
        }
      }
      if (INTERESTING.test(text)) into.push({ atMs, who: this.name, text });
    }
    this.seen = d.lines.length;
  }
}

export async function runChaos(o: ChaosOptions): Promise<ChaosRun> {
  const wall0 = Date.now();
  const adv = o.advertIntervalMs ?? 200;
  const log = o.log ?? ((): void => undefined);
  const mix = o.mixKeepalived === true;
  const kinds = (o.kinds ?? FAULT_KINDS).filter((k) => !(mix && k === 'rs-down'));
  const schedule = makeSchedule(o.seed, { budgetMs: o.budgetMs, advertIntervalMs: adv, kinds });
  log(
    `chaos seed ${o.seed}: ${schedule.length} faults, advert_int ${adv} ms${mix ? ', director 2 is keepalived' : ''}`,
  );
  for (const f of schedule) log(`  ${describeFault(f)}`);

  const lab = Lab.create(o.tag ?? 'chaos', 5);
  o.onLab?.(() => lab.destroy());
  const t = (): string => `[${((Date.now() - wall0) / 1000).toFixed(1).padStart(5)}s]`;
  const procs: Daemon[] = [];
  const incidents: string[] = [];
  const events: DaemonEvent[] = [];
  const samples: HolderSample[] = [];
  const cut = new Set<number>();
  let sampler: NodeJS.Timeout | undefined;
  const directors: Director[] = [];

  try {
    nft(lab, NFT_TABLE);
    const capture = await lab.capture('chaos');
    const [h1, h2, h3, rsHost1, rsHost2] = lab.hosts as [LabHost, LabHost, LabHost, LabHost, LabHost];
    const rsHosts = [rsHost1, rsHost2];
    const backends = new Map<number, Daemon>();
    const startBackend = async (i: number): Promise<void> => {
      const h = rsHosts[i - 1] as LabHost;
      const b = lab.start(h, [process.execPath, BACKEND, `rs${i}`, h.ip4, '8080', lab.dir], `rs${i}`);
      procs.push(b);
      await b.waitForLine(/listening/);
      backends.set(i, b);
    };
    await Promise.all([startBackend(1), startBackend(2)]);

    const instance = (priority: number): string =>
      instanceBlock({ priority, version: 3, advertInt: adv / 1000, vips: [`${VIP}/24`] });
    const ktsConf = (priority: number): string =>
      config(
        instance(priority),
        [
          `virtual_server ${VIP} 80 {`,
          '  delay_loop 1',
          '  lb_algo rr',
          '  lb_kind NAT',
          '  protocol TCP',
          ...rsHosts.map((h) => httpRealServer(h.ip4)),
          '}',
        ].join('\n'),
      );
    [h1, h2, h3].forEach((h, i) => {
      const priority = PRIORITIES[i] as number;
      const ka = mix && i === 1;
      directors.push(
        new Director(lab, `d${i + 1}`, h, priority, ka, ka ? config(instance(priority)) : ktsConf(priority)),
      );
    });
    const director = (i: number): Director => directors[i - 1] as Director;
    await Promise.all(directors.map((d) => d.start()));
    const d1 = director(1).daemon as Daemon;
    await d1.waitForLine(/\(VI_1\) Entering MASTER STATE/, 20_000);
    let client: Daemon | undefined;
    if (!mix) {
      await d1.waitForLine(/Dispatcher listening on TCP 192\.0\.2\.100:80/, 20_000);
      client = lab.start(
        lab.client,
        [
          process.execPath,
          CLIENT,
          `http://${VIP}/`,
          'fresh',
          String(CLIENT_TIMEOUT_MS),
          String(CLIENT_PAUSE_MS),
        ],
        'client',
      );
      procs.push(client);
    }
    const replies = (): ClientRequest[] =>
      (client?.lines ?? [])
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { t: number; ok: boolean })
        .map((r) => ({ atMs: r.t, ok: r.ok }));
    log(`${t()} lab up: d1 is MASTER${mix ? '' : ', client running'}`);

    // Who holds the VIP, on the directors whose cable is up before and after the look.
    const sample = (): void => {
      const startMs = Date.now();
      const before = new Set(cut);
      const holders = directors
        .filter((d) => !before.has(d.host.index))
        .filter((d) =>
          spawnSync('ip', ['-n', d.host.ns, '-o', 'addr', 'show', 'dev', 'eth0'], { encoding: 'utf8' })
            .stdout.split('\n')
            .some((l) => l.includes(` ${VIP}/`)),
        )
        .filter((d) => !cut.has(d.host.index))
        .map((d) => d.host.ip4);
      samples.push({ startMs, endMs: Date.now(), holders });
      for (const d of directors) d.drain(events);
    };
    sampler = setInterval(sample, SAMPLE_MS);

    // Steady state: the backups have heard the master, the client is served.
    await sleep(3 * adv + 500);
    if (client) {
      const from = replies().length;
      const deadline = Date.now() + 10_000;
      while (
        replies()
          .slice(from)
          .filter((r) => r.ok).length < 10
      ) {
        if (Date.now() > deadline) throw new Error('the client is not served through the VIP');
        await sleep(50);
      }
    }
    const spanStartMs = Date.now();
    await sleep(BASELINE_MS);

    const setCable = (h: LabHost, up: boolean): void => {
      if (up) {
        lab.setCable(h, true);
        cut.delete(h.index);
      } else {
        cut.add(h.index);
        lab.setCable(h, false);
      }
    };
    const dropRule = (rule: string): void =>
      nft(lab, `add rule bridge chaos drops ip protocol 112 ${rule} drop`);
    const clearRules = (): void => nft(lab, 'flush chain bridge chaos drops');

    const windows: FaultWindow[] = [];
    for (const f of schedule) {
      const startMs = Date.now();
      log(`${t()} ${describeFault(f)}`);
      const excusesDual = f.kind === 'loss' || f.kind === 'partition';
      let target = f.kind === 'loss' ? 'all' : f.kind === 'rs-down' ? `rs${f.target}` : `d${f.target}`;
      switch (f.kind) {
        case 'kill': {
          const d = director(f.target);
          lab.crash(d.host);
          setCable(d.host, false);
          await d.daemon?.exited;
          await sleep(startMs + f.holdMs - Date.now());
          setCable(d.host, true);
          await d.start();
          break;
        }
        case 'freeze': {
          const d = director(f.target);
          signalNamespace(d.host.ns, 'SIGSTOP');
          await sleep(f.holdMs);
          signalNamespace(d.host.ns, 'SIGCONT');
          break;
        }
        case 'link': {
          const d = director(f.target);
          setCable(d.host, false);
          await sleep(f.holdMs);
          setCable(d.host, true);
          break;
        }
        case 'loss':
          dropRule(`numgen random mod 100 < ${f.lossPercent ?? 0}`);
          target = `${f.lossPercent ?? 0}%`;
          await sleep(f.holdMs);
          clearRules();
          break;
        case 'partition':
          dropRule(`iifname "${director(f.target).host.port}"`);
          await sleep(f.holdMs);
          clearRules();
          break;
        case 'reload-storm': {
          const d = director(f.target);
          for (let i = 0; i < STORM_SIGNALS; i++) {
            d.daemon?.signal('SIGHUP');
            await sleep(startMs + ((i + 1) * f.holdMs) / STORM_SIGNALS - Date.now());
          }
          break;
        }
        case 'rs-down': {
          const b = backends.get(f.target);
          b?.signal('SIGKILL');
          await b?.exited;
          await sleep(startMs + f.holdMs - Date.now());
          await startBackend(f.target);
          break;
        }
      }
      const liftMs = Date.now();
      await sleep(f.settleMs);
      // A daemon that died on its own is a finding; bring it back so the run goes on.
      for (const d of directors) {
        if (d.daemon?.running) continue;
        incidents.push(
          `${d.name} exited during #${f.index} ${f.kind}: ${d.daemon?.lines.slice(-10).join('\n') ?? ''}`,
        );
        setCable(d.host, true);
        await d.start();
      }
      windows.push({
        index: f.index,
        kind: f.kind,
        target,
        startMs,
        liftMs,
        endMs: Date.now(),
        excusesDual,
      });
    }
    await sleep(BASELINE_MS);
    const spanEndMs = Date.now();
    clearInterval(sampler);
    sampler = undefined;
    for (const d of directors) d.drain(events);
    const frames = await capture.stop();
    const adverts: Advert[] = frames
      .filter((fr: CapturedFrame) => fr.kind === 'vrrp' && fr.vrid === VRID)
      .map((fr) => ({ atMs: fr.atMs, from: fr.from, priority: fr.priority ?? 0 }));

    const report = evaluate({
      directors: directors.map((d) => ({ address: d.host.ip4, priority: d.priority })),
      version: 3,
      advertIntervalMs: adv,
      slackMs: SLACK_MS,
      handoverMs: HANDOVER_MS,
      spanStartMs,
      spanEndMs,
      adverts,
      samples,
      requests: client ? replies() : null,
      faults: windows,
    });
    const names = new Map(directors.map((d) => [d.host.ip4, d.name]));
    const table = formatReport(report, spanStartMs, names);
    return {
      seed: o.seed,
      schedule,
      report,
      table,
      incidents,
      events: events.sort((a, b) => a.atMs - b.atMs),
      spanStartMs,
      wallMs: Date.now() - wall0,
    };
  } finally {
    if (sampler) clearInterval(sampler);
    for (const d of directors) {
      setCableQuiet(lab, d.host);
      if (d.daemon) {
        signalNamespace(d.host.ns, 'SIGCONT');
        procs.push(d.daemon);
      }
    }
    await Promise.all(procs.map((d) => d.stop(2000)));
    lab.destroy();
    log(`${t()} lab removed`);
  }
}

function setCableQuiet(lab: Lab, h: LabHost): void {
  try {
    lab.setCable(h, true);
  } catch {
    // The lab may be half built.
  }
}

/** The daemon events within `ms` of `atMs`, as lines relative to the span start (for a report). */
export function eventsAround(run: ChaosRun, atMs: number, ms = 2000): string[] {
  return run.events
    .filter((e) => Math.abs(e.atMs - atMs) <= ms)
    .map((e) => `    ${((e.atMs - run.spanStartMs) / 1000).toFixed(3)} s ${e.who}: ${e.text}`);
}

/** Claims (who advertised as master, when) within `ms` of `atMs`, relative to the span start. */
export function claimsAround(run: ChaosRun, atMs: number, ms = 2000): string[] {
  const rel = (x: number): string => ((x - run.spanStartMs) / 1000).toFixed(3);
  return run.report.claims
    .filter((c) => c.endMs >= atMs - ms && c.startMs <= atMs + ms)
    .map((c) => `    ${c.from} priority ${c.priority}: ${rel(c.startMs)} → ${rel(c.endMs)} s`);
}

/** The table, then each violation with the claims and daemon events around it. */
export function explain(run: ChaosRun): string {
  const lines = [run.table];
  for (const v of run.report.violations) {
    lines.push(`${v.kind} at ${((v.atMs - run.spanStartMs) / 1000).toFixed(3)} s:`);
    lines.push('  claims:', ...claimsAround(run, v.atMs), '  daemons:', ...eventsAround(run, v.atMs));
  }
  for (const i of run.incidents) lines.push(`incident: ${i}`);
  return lines.join('\n');
}
