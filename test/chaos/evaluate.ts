/**
 * Chaos evaluation (pure): from what was seen on the bridge (VRRP adverts), on the hosts (who held
 * the VIP) and by the client (which requests failed), and from when each fault ran, to a report
 * and the list of rule violations. No I/O and no clock: the unit tests feed it hand-made timelines.
 *
 * Who is MASTER comes from the wire only. A source's adverts form a run while they come at most
 * 1.5 × advert_int apart; the run is a *claim* to be master:
 * - from its first advert;
 * - to its last advert + advert_int (each advert announces one more interval), cut short by the
 *   first advert of a source that supersedes it (RFC 5798 §6.4.3: higher priority, or equal
 *   priority and higher address), sent no earlier than `handoverMs` before the run's last advert:
 *   that advert is what made it step down, and the claim never ends before the last advert;
 * - or at a priority-0 advert (it resigned).
 * Two or more claims at once are a dual master, none is a no-master gap.
 *
 * Rules (issue 8):
 * - dual-master: two masters for longer than `handoverMs` (an advert already on its way when the
 *   new master's first one arrived) are allowed only while a loss or partition fault runs: an
 *   episode starting between the fault's start and its heal + Master_Down_Interval is excused…
 * - dual-outlived-heal: …but must be over by heal + Master_Down_Interval + slack.
 * - lower-priority-takeover: outside those windows, a source starts claiming although a source
 *   that supersedes it advertised less than the taker's own Master_Down_Interval before (less
 *   EARLY_TIMER_MS, Node's timers fire up to a millisecond early) and more than `handoverMs`
 *   before (an advert still on its way): the backup took over from a live master. (A master
 *   frozen just short of that interval can thaw and advertise in the very millisecond the backup
 *   takes over: that is the protocol, and the dual master that follows is a handover.)
 * - no-master-too-long: from the last advert before a no-master gap to its end (the silence the
 *   backups saw) at most Master_Down_Interval + slack. The bound uses the lowest priority in the
 *   group (the longest Master_Down_Interval). For a frozen master the silence starts at its last
 *   advert, before the freeze: the thaw does not restart the clock.
 * - not-recovered: at the end of a fault's settle period there is exactly one master.
 * - vip-on-non-master: once the fault is lifted and there is one master again (+ one advert
 *   interval), no host whose cable is up holds the VIP while it is not a master on the wire.
 *   (Before that, a frozen master cannot remove its VIP, nor can a killed one whose cable is
 *   plugged back in before its restart clears what the dead run left.)
 */
import type { VrrpVersion } from '../../src/vrrp/packet.js';
import { masterDownIntervalMs } from '../../src/vrrp/timers.js';

export interface Advert {
  readonly atMs: number;
  /** The advert's IP source. */
  readonly from: string;
  readonly priority: number;
}

/** One look at the hosts: the directors (by address) that held the VIP, cut cables left out. */
export interface HolderSample {
  readonly startMs: number;
  readonly endMs: number;
  readonly holders: readonly string[];
}

export interface ClientRequest {
  /** When the request was sent. */
  readonly atMs: number;
  readonly ok: boolean;
}

export interface FaultWindow {
  readonly index: number;
  readonly kind: string;
  /** For the table: `d1`, `rs2`, `all`. */
  readonly target: string;
  readonly startMs: number;
  /** The fault is over: cable back and daemon running again, thawed, rule removed. */
  readonly liftMs: number;
  /** End of the settle period. */
  readonly endMs: number;
  /** Loss and partition faults: adverts are lost, the protocol allows two masters. */
  readonly excusesDual: boolean;
}

export interface EvaluationInput {
  readonly directors: readonly { readonly address: string; readonly priority: number }[];
  readonly version: VrrpVersion;
  readonly advertIntervalMs: number;
  /** Allowance over the protocol bounds (scheduling on busy cores). */
  readonly slackMs: number;
  /** A dual master this short is an advert crossing the new master's first one. */
  readonly handoverMs: number;
  /** The measured span (before the first fault to the end of the last settle period). */
  readonly spanStartMs: number;
  readonly spanEndMs: number;
  readonly adverts: readonly Advert[];
  readonly samples: readonly HolderSample[];
  /** null: client traffic not measured (e.g. a director without a dispatcher holds the VIP). */
  readonly requests: readonly ClientRequest[] | null;
  readonly faults: readonly FaultWindow[];
}

export interface Claim {
  readonly from: string;
  /** Priority of the run's last advert. */
  readonly priority: number;
  readonly startMs: number;
  readonly lastAdvertMs: number;
  readonly endMs: number;
}

/** A stretch of time with the same set of masters. */
export interface Segment {
  readonly startMs: number;
  readonly endMs: number;
  readonly masters: readonly string[];
}

export interface Episode {
  readonly startMs: number;
  readonly endMs: number;
  /** Every source that was master at some point of the episode (none: empty). */
  readonly masters: readonly string[];
}

export type ViolationKind =
  | 'dual-master'
  | 'dual-outlived-heal'
  | 'lower-priority-takeover'
  | 'no-master-too-long'
  | 'not-recovered'
  | 'vip-on-non-master';

export interface Violation {
  readonly kind: ViolationKind;
  readonly atMs: number;
  /** The fault whose window it fell in, if any. */
  readonly fault?: number;
  readonly detail: string;
}

export interface FaultReport {
  readonly index: number;
  readonly kind: string;
  readonly target: string;
  readonly startMs: number;
  /** start → lift. */
  readonly durationMs: number;
  /** start → the single-master stretch that lasts to the end of the settle period; null: none. */
  readonly recoveryMs: number | null;
  /** The master at the end of the settle period (null: none or several). */
  readonly master: string | null;
  readonly dualMs: number;
  readonly noneMs: number;
  /** Longest silence (last advert → next master) of a no-master gap in the window. */
  readonly silenceMs: number;
  readonly requests: number;
  readonly failedRequests: number;
}

export interface ChaosReport {
  readonly masterDownIntervalMs: number;
  readonly claims: readonly Claim[];
  readonly segments: readonly Segment[];
  readonly dual: readonly Episode[];
  readonly none: readonly Episode[];
  readonly faults: readonly FaultReport[];
  readonly totals: {
    readonly spanMs: number;
    readonly dualMs: number;
    /** Dual time in loss/partition windows or short enough to be a handover. */
    readonly excusedDualMs: number;
    readonly noneMs: number;
    readonly requests: number | null;
    readonly failedRequests: number | null;
  };
  readonly violations: readonly Violation[];
}

function compareAddress(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  if (pa.length === 4 && pb.length === 4 && [...pa, ...pb].every((x) => Number.isInteger(x))) {
    for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return (pa[i] as number) - (pb[i] as number);
    return 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** RFC 5798 §6.4.3: `a` wins over `b` (higher priority, or equal priority and higher address). */
export function supersedes(
  a: { readonly from: string; readonly priority: number },
  b: { readonly from: string; readonly priority: number },
): boolean {
  return a.priority > b.priority || (a.priority === b.priority && compareAddress(a.from, b.from) > 0);
}

/** Runs of adverts per source, as master claims (see the file comment). */
export function masterClaims(
  adverts: readonly Advert[],
  advertIntervalMs: number,
  handoverMs: number,
): Claim[] {
  const all = [...adverts].sort((x, y) => x.atMs - y.atMs);
  const bySource = new Map<string, Advert[]>();
  for (const a of all) {
    const list = bySource.get(a.from);
    if (list) list.push(a);
    else bySource.set(a.from, [a]);
  }
  const claims: Claim[] = [];
  const close = (run: readonly Advert[], resignedAtMs?: number): void => {
    const first = run[0];
    const last = run[run.length - 1];
    if (!first || !last) return;
    const me = { from: last.from, priority: last.priority };
    let endMs: number;
    if (resignedAtMs !== undefined) endMs = resignedAtMs;
    else {
      const from = last.atMs - handoverMs;
      const beaten = all.find(
        (a) => a.atMs >= from && a.from !== me.from && a.priority > 0 && supersedes(a, me),
      );
      endMs =
        beaten === undefined
          ? last.atMs + advertIntervalMs
          : Math.max(last.atMs, Math.min(last.atMs + advertIntervalMs, beaten.atMs));
    }
    claims.push({
      from: me.from,
      priority: me.priority,
      startMs: first.atMs,
      lastAdvertMs: last.atMs,
      endMs,
    });
  };
  for (const list of bySource.values()) {
    let run: Advert[] = [];
    for (const a of list) {
      if (a.priority === 0) {
        close(run, a.atMs);
        run = [];
        continue;
      }
      const prev = run[run.length - 1];
      if (prev && a.atMs - prev.atMs > 1.5 * advertIntervalMs) {
        close(run);
        run = [];
      }
      run.push(a);
    }
    close(run);
  }
  return claims.sort((x, y) => x.startMs - y.startMs || compareAddress(x.from, y.from));
}

/** The claims cut into stretches with the same masters, within [fromMs, toMs). */
export function masterSegments(claims: readonly Claim[], fromMs: number, toMs: number): Segment[] {
  const cuts = new Set<number>([fromMs, toMs]);
  for (const c of claims) {
    if (c.startMs > fromMs && c.startMs < toMs) cuts.add(c.startMs);
    if (c.endMs > fromMs && c.endMs < toMs) cuts.add(c.endMs);
  }
  const times = [...cuts].sort((a, b) => a - b);
  const segments: Segment[] = [];
  for (let i = 0; i + 1 < times.length; i++) {
    const startMs = times[i] as number;
    const endMs = times[i + 1] as number;
    const masters = [
      ...new Set(claims.filter((c) => c.startMs <= startMs && c.endMs > startMs).map((c) => c.from)),
    ].sort(compareAddress);
    const prev = segments[segments.length - 1];
    if (prev && prev.masters.join() === masters.join()) segments[segments.length - 1] = { ...prev, endMs };
    else segments.push({ startMs, endMs, masters });
  }
  return segments;
}

/** Consecutive segments that satisfy `pred`, merged. */
function episodes(segments: readonly Segment[], pred: (s: Segment) => boolean): Episode[] {
  const out: Episode[] = [];
  for (const s of segments) {
    if (!pred(s)) continue;
    const prev = out[out.length - 1];
    if (prev && prev.endMs === s.startMs)
      out[out.length - 1] = {
        ...prev,
        endMs: s.endMs,
        masters: [...new Set([...prev.masters, ...s.masters])].sort(compareAddress),
      };
    else out.push({ startMs: s.startMs, endMs: s.endMs, masters: s.masters });
  }
  return out;
}

/** Timers may fire this much before their time, measured against the capture's clock. */
const EARLY_TIMER_MS = 10;

const overlapMs = (a0: number, a1: number, b0: number, b1: number): number =>
  Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));

const sumOverlap = (eps: readonly Episode[], from: number, to: number): number =>
  eps.reduce((sum, e) => sum + overlapMs(e.startMs, e.endMs, from, to), 0);

const round = (ms: number): number => Math.round(ms);

export function evaluate(input: EvaluationInput): ChaosReport {
  const adv = input.advertIntervalMs;
  const lowest = Math.min(...input.directors.map((d) => d.priority));
  const mdi = masterDownIntervalMs(input.version, lowest, adv);
  const { spanStartMs: span0, spanEndMs: span1, slackMs } = input;
  const claims = masterClaims(input.adverts, adv, input.handoverMs);
  const segments = masterSegments(claims, span0, span1);
  const dual = episodes(segments, (s) => s.masters.length >= 2);
  const none = episodes(segments, (s) => s.masters.length === 0);
  const violations: Violation[] = [];
  const faultAt = (t: number): number | undefined =>
    input.faults.find((f) => t >= f.startMs && t < f.endMs)?.index;
  const violation = (kind: ViolationKind, atMs: number, detail: string): void => {
    const fault = faultAt(atMs);
    violations.push({ kind, atMs, ...(fault === undefined ? {} : { fault }), detail });
  };
  const at = (t: number): string => `${((t - span0) / 1000).toFixed(3)} s`;
  const excuses = input.faults.filter((f) => f.excusesDual);
  const excuseFor = (t: number): FaultWindow | undefined =>
    excuses.find((f) => t >= f.startMs && t <= f.liftMs + mdi);

  let excusedDualMs = 0;
  for (const e of dual) {
    const ms = e.endMs - e.startMs;
    const f = excuseFor(e.startMs);
    if (f) {
      const bound = f.liftMs + mdi + slackMs;
      if (e.endMs > bound)
        violation(
          'dual-outlived-heal',
          e.startMs,
          `${e.masters.join(' + ')} master from ${at(e.startMs)} to ${at(e.endMs)}: ${round(e.endMs - f.liftMs)} ms after the ${f.kind} healed (bound ${round(mdi + slackMs)} ms)`,
        );
      else excusedDualMs += ms;
    } else if (ms > input.handoverMs)
      violation(
        'dual-master',
        e.startMs,
        `${e.masters.join(' + ')} master from ${at(e.startMs)} to ${at(e.endMs)} (${round(ms)} ms) with no loss or partition`,
      );
    else excusedDualMs += ms;
  }

  for (const c of claims) {
    if (c.startMs < span0 || c.startMs >= span1 || excuseFor(c.startMs)) continue;
    const own = masterDownIntervalMs(input.version, c.priority, adv);
    // The latest such advert, for the message.
    const heard = input.adverts
      .filter(
        (a) =>
          a.from !== c.from &&
          a.priority > 0 &&
          supersedes(a, c) &&
          a.atMs > c.startMs - own + EARLY_TIMER_MS &&
          a.atMs < c.startMs - input.handoverMs,
      )
      .reduce<Advert | undefined>((latest, a) => (latest && latest.atMs >= a.atMs ? latest : a), undefined);
    if (heard)
      violation(
        'lower-priority-takeover',
        c.startMs,
        `${c.from} (priority ${c.priority}) became master at ${at(c.startMs)} although ${heard.from} (priority ${heard.priority}) advertised ${round(c.startMs - heard.atMs)} ms before (its Master_Down_Interval ${round(own)} ms)`,
      );
  }

  const advertTimes = input.adverts.map((a) => a.atMs).sort((a, b) => a - b);
  const silenceOf = (e: Episode): number => {
    let last = e.startMs;
    for (const t of advertTimes) {
      if (t > e.startMs) break;
      last = t;
    }
    return e.endMs - last;
  };
  for (const e of none) {
    const silence = silenceOf(e);
    if (silence > mdi + slackMs)
      violation(
        'no-master-too-long',
        e.startMs,
        `no master from ${at(e.startMs)} to ${at(e.endMs)}: ${round(silence)} ms since the last advert (bound ${round(mdi + slackMs)} ms)`,
      );
  }

  const mastersDuring = (from: number, to: number): Set<string> =>
    new Set(segments.filter((s) => s.endMs > from && s.startMs <= to).flatMap((s) => s.masters));

  const faults = input.faults.map((f): FaultReport => {
    // The single-master stretch that reaches the end of the settle period.
    let stretchStart: number | null = null;
    for (const s of segments) {
      if (s.startMs >= f.endMs) break;
      if (s.masters.length === 1) stretchStart ??= s.startMs;
      else stretchStart = null;
    }
    const last = segments.filter((s) => s.startMs < f.endMs).at(-1);
    const master = stretchStart !== null && last?.masters.length === 1 ? (last.masters[0] ?? null) : null;
    const recoveredAt = stretchStart === null ? null : Math.max(stretchStart, f.startMs);
    if (recoveredAt === null)
      violation(
        'not-recovered',
        f.endMs - 1,
        `#${f.index} ${f.kind}: ${last?.masters.length ?? 0} masters at the end of the settle period (${at(f.endMs)})`,
      );
    else {
      for (const s of input.samples) {
        if (s.startMs < Math.max(recoveredAt, f.liftMs) + adv || s.endMs > f.endMs) continue;
        const masters = mastersDuring(s.startMs - adv, s.endMs);
        const stray = s.holders.filter((h) => !masters.has(h));
        if (stray.length > 0)
          violation(
            'vip-on-non-master',
            s.startMs,
            `#${f.index} ${f.kind}: ${stray.join(', ')} held the VIP at ${at(s.startMs)} while ${[...masters].join(', ') || 'nobody'} was master`,
          );
      }
    }
    const reqs = (input.requests ?? []).filter((r) => r.atMs >= f.startMs && r.atMs < f.endMs);
    const silences = none
      .filter((e) => e.endMs > f.startMs && e.startMs < f.endMs)
      .map((e) => round(silenceOf(e)));
    return {
      index: f.index,
      kind: f.kind,
      target: f.target,
      startMs: f.startMs,
      durationMs: round(f.liftMs - f.startMs),
      recoveryMs: recoveredAt === null ? null : round(recoveredAt - f.startMs),
      master,
      dualMs: round(sumOverlap(dual, f.startMs, f.endMs)),
      noneMs: round(sumOverlap(none, f.startMs, f.endMs)),
      silenceMs: Math.max(0, ...silences),
      requests: reqs.length,
      failedRequests: reqs.filter((r) => !r.ok).length,
    };
  });

  const spanRequests = input.requests?.filter((r) => r.atMs >= span0 && r.atMs < span1) ?? null;
  return {
    masterDownIntervalMs: mdi,
    claims,
    segments,
    dual,
    none,
    faults,
    totals: {
      spanMs: round(span1 - span0),
      dualMs: round(sumOverlap(dual, span0, span1)),
      excusedDualMs: round(excusedDualMs),
      noneMs: round(sumOverlap(none, span0, span1)),
      requests: spanRequests?.length ?? null,
      failedRequests: spanRequests?.filter((r) => !r.ok).length ?? null,
    },
    violations: violations.sort((a, b) => a.atMs - b.atMs),
  };
}

/** The report as a text table (seconds from the span start; times in ms). */
export function formatReport(
  r: ChaosReport,
  spanStartMs: number,
  names: ReadonlyMap<string, string>,
): string {
  const name = (a: string | null): string => (a === null ? '-' : (names.get(a) ?? a));
  const cols: [string, number][] = [
    ['#', 3],
    ['fault', 13],
    ['target', 7],
    ['start s', 8],
    ['dur ms', 7],
    ['recov ms', 9],
    ['dual ms', 8],
    ['none ms', 8],
    ['silence', 8],
    ['failed/req', 11],
    ['master', 7],
  ];
  const row = (cells: readonly string[]): string =>
    cells
      .map((c, i) => {
        const w = cols[i]?.[1] ?? 8;
        return i === 1 || i === 2 ? c.padEnd(w) : c.padStart(w);
      })
      .join(' ');
  const lines = [row(cols.map(([h]) => h))];
  for (const f of r.faults) {
    lines.push(
      row([
        String(f.index),
        f.kind,
        f.target,
        ((f.startMs - spanStartMs) / 1000).toFixed(1),
        String(f.durationMs),
        f.recoveryMs === null ? 'never' : String(f.recoveryMs),
        String(f.dualMs),
        String(f.noneMs),
        String(f.silenceMs),
        r.totals.requests === null ? '-' : `${f.failedRequests}/${f.requests}`,
        name(f.master),
      ]),
    );
  }
  const t = r.totals;
  lines.push(
    `totals over ${(t.spanMs / 1000).toFixed(1)} s: ${t.dualMs} ms with two or more masters (${t.dualMs - t.excusedDualMs} ms not excused), ${t.noneMs} ms with none` +
      (t.requests === null
        ? ', client traffic not measured'
        : `, ${t.failedRequests ?? 0} of ${t.requests} client requests failed`),
  );
  lines.push(
    `Master_Down_Interval (lowest priority) ${r.masterDownIntervalMs.toFixed(1)} ms; violations: ${r.violations.length === 0 ? 'none' : r.violations.length}`,
  );
  for (const v of r.violations)
    lines.push(`  ${v.kind}${v.fault === undefined ? '' : ` (fault #${v.fault})`}: ${v.detail}`);
  return lines.join('\n');
}
