/**
 * What a run of scenarios/bgp-ecmp.sh (active-active IPVS directors announced over BGP, issue 21,
 * docs/bgp.md) showed, read from its files: per event, the client's new flows, failures, longest
 * gap and broken long-lived connections (test/helpers/flows.ts), with each director's share taken
 * from its IPVS connection counter (in DR the real servers see the client's address, so the
 * client's records cannot tell the directors apart); and the times the router took to drop a
 * director. Shared by test/vm/bgp-ecmp.test.ts and any bench that runs the same scenario.
 */
import { analyseFlows, formatReports, parseFlows, type EventReport, type Mark } from '../helpers/flows.js';

export interface EcmpRun {
  readonly tag: string;
  /** net.ipv4.vs.sloppy_tcp on the directors. */
  readonly sloppy: boolean;
}

/** The scenario's command line for `runInVm`. */
export const ecmpCommand = (r: EcmpRun): string =>
  `bash test/vm/scenarios/bgp-ecmp.sh ${r.tag} ${r.sloppy ? 1 : 0}`;

export type Director = 'd1' | 'd2';

/** One director's IPVS at a mark. */
export interface IpvsSnapshot {
  /**
   * Connections this director's IPVS scheduled so far (its namespace's total, read live from the
   * per-CPU counters: the estimator's copy that ipvsadm shows lags by up to 2 s).
   */
  readonly conns: number;
  /** Established connections in its table, scheduled here (LOCAL) or from the sync daemon (SYNC). */
  readonly local: number;
  readonly sync: number;
}

/** The router's route to the VIP after a change (ip -ts monitor): its next hops, none when deleted. */
export interface RouteChange {
  readonly t: number;
  readonly via: readonly string[];
}

export const VIP = '203.0.113.10';
export const DIRECTORS: Readonly<Record<Director, string>> = { d1: '192.0.2.11', d2: '192.0.2.12' };

/**
 * `TZ=UTC ip -ts monitor route` output: "[2026-12-06T23:58:14.135988] 203.0.113.10 nhid 22 via
 * 192.0.2.12 dev br0 proto bgp metric 20", a multipath route's next hops on the lines after it
 * ("\tnexthop via ..."), "Deleted " before a route that went. Only the VIP's routes are kept.
 */
export function parseRouteChanges(text: string, vip = VIP): RouteChange[] {
  const entries: { ts: string; text: string }[] = [];
  for (const line of text.split('\n')) {
    const m = /^\[(\S+)\] (.*)$/.exec(line);
    if (m) entries.push({ ts: m[1] as string, text: m[2] as string });
    else if (/^\s/.test(line) && entries.length > 0) (entries.at(-1) as { text: string }).text += ` ${line}`;
  }
  const out: RouteChange[] = [];
  for (const e of entries) {
    const deleted = e.text.startsWith('Deleted ');
    const route = deleted ? e.text.slice('Deleted '.length) : e.text;
    if (!route.startsWith(`${vip} `)) continue;
    const t = Date.parse(`${e.ts.slice(0, 23)}Z`);
    const via = deleted ? [] : [...route.matchAll(/\bvia (\S+)/g)].map((v) => v[1] as string).sort();
    out.push({ t, via });
  }
  return out;
}

/** ms from `from` until the router's route first had exactly the next hops `want`; NaN: never. */
export function routeAfter(changes: readonly RouteChange[], from: number, want: readonly string[]): number {
  const w = [...want].sort().join(' ');
  const c = changes.find((x) => x.t >= from && x.via.join(' ') === w);
  return c ? c.t - from : NaN;
}

export interface EcmpResult {
  readonly run: EcmpRun;
  readonly marks: readonly Mark[];
  /** Per event (every mark but `end`); `split` is the connections each director's IPVS scheduled. */
  readonly reports: readonly EventReport[];
  readonly ipvs: ReadonlyMap<string, Readonly<Record<Director, IpvsSnapshot>>>;
  /**
   * ms from the action to the router's kernel route without d1 / with both again, as `ip monitor`
   * in the router saw it change (NaN: never). The scenario's own marks (withdrawn, out, ...) come
   * later, by its polling (50 ms, plus a process start in the emulated VM).
   */
  readonly rsFailToWithdrawnMs: number;
  readonly rsBackToRestoredMs: number;
  readonly killToOutMs: number;
  readonly returnToBackMs: number;
  /** The same from the scenario's marks. */
  readonly polled: Readonly<Record<'withdrawn' | 'restored' | 'out' | 'back', number>>;
  /** The steps that timed out in the scenario. */
  readonly problems: readonly string[];
}

const lines = (text: string): string[] => text.split('\n').filter((l) => l.trim() !== '');

const ACTIONS = new Set(['rs-fail', 'rs-back', 'kill', 'return']);

export function analyseEcmp(run: EcmpRun, file: (name: string) => string): EcmpResult {
  const all: Mark[] = lines(file(`${run.tag}.marks`)).map((l) => {
    const [t, name = ''] = l.split(' ');
    // Failures and repairs were acted on: a new flow under way then counts for them (flows.ts).
    return { t: Number(t), name, action: ACTIONS.has(name) };
  });
  const ipvs = new Map<string, Record<Director, IpvsSnapshot>>();
  for (const l of lines(file(`${run.tag}.ipvs`))) {
    const [mark = '', d, conns, local, sync] = l.split(' ');
    if (d !== 'd1' && d !== 'd2') continue;
    const snap = { conns: Number(conns), local: Number(local), sync: Number(sync) };
    ipvs.set(mark, { ...(ipvs.get(mark) ?? { d1: snap, d2: snap }), [d]: snap });
  }
  const at = (name: string): number => all.find((m) => m.name === name)?.t ?? NaN;
  const end = at('end');
  const marks = all.filter((m) => m.name !== 'end');
  const reports = analyseFlows(
    parseFlows(file(`${run.tag}.flows`)),
    marks,
    Number.isNaN(end) ? Infinity : end,
  );
  // Each window's share: the growth of each director's counter from its mark to the next one.
  const withSplit = reports.map((r, i) => {
    const from = ipvs.get(r.event);
    const to = ipvs.get(all[i + 1]?.name ?? '');
    if (!from || !to) return { ...r, split: {} };
    return {
      ...r,
      split: { d1: to.d1.conns - from.d1.conns, d2: to.d2.conns - from.d2.conns },
    };
  });
  const routes = parseRouteChanges(file(`${run.tag}.router-routes`));
  const both = [DIRECTORS.d1, DIRECTORS.d2];
  const onlyD2 = [DIRECTORS.d2];
  return {
    run,
    marks: all,
    reports: withSplit,
    ipvs,
    rsFailToWithdrawnMs: routeAfter(routes, at('rs-fail'), onlyD2),
    rsBackToRestoredMs: routeAfter(routes, at('rs-back'), both),
    killToOutMs: routeAfter(routes, at('kill'), onlyD2),
    returnToBackMs: routeAfter(routes, at('return'), both),
    polled: {
      withdrawn: at('withdrawn') - at('rs-fail'),
      restored: at('restored') - at('rs-back'),
      out: at('out') - at('kill'),
      back: at('back') - at('return'),
    },
    problems: lines(file(`${run.tag}.problems`)),
  };
}

export const ecmpTag = (run: EcmpRun): string => `bgp-ecmp ipvs-mh${run.sloppy ? '' : ' no-sloppy'}`;

/** The report: one line per event (formatReports, the split from IPVS), then the router's times. */
export function formatEcmp(r: EcmpResult): string {
  const tag = ecmpTag(r.run);
  const at = r.ipvs.get('kill');
  return [
    formatReports(tag, r.reports),
    `[${tag}] router's route (ip monitor; polled): rs-fail→withdrawn ${r.rsFailToWithdrawnMs} ms (${r.polled.withdrawn}), ` +
      `rs-back→restored ${r.rsBackToRestoredMs} ms (${r.polled.restored}), ` +
      `kill→out ${r.killToOutMs} ms (${r.polled.out}; BFD 200 ms x 3), return→back ${r.returnToBackMs} ms (${r.polled.back}); ` +
      `established at the kill: d1 ${at?.d1.local ?? '?'} local + ${at?.d1.sync ?? '?'} synced, ` +
      `d2 ${at?.d2.local ?? '?'} local + ${at?.d2.sync ?? '?'} synced; sloppy_tcp ${r.run.sloppy ? 1 : 0}`,
  ].join('\n');
}
