/**
 * The active-active labs' client records (test/netns/scripts/flow-client.mjs), per event: how many
 * new flows each director took (the ECMP split), the longest time a new-flow loop went without a
 * success (the client's gap), and the long-lived connections that broke. Pure.
 */
export interface FlowRecord {
  readonly t: number;
  readonly k: 'new' | 'open' | 'break' | 'fail' | 'gap';
  readonly loop?: number;
  readonly id?: number;
  readonly ok?: boolean;
  readonly srv?: string;
  readonly peer?: string;
  readonly err?: string;
  /** A new flow: how long it took. A gap record: how long the connection stalled. */
  readonly ms?: number;
}

/** An event of the run: the records from `t` until the next mark are its window. */
export interface Mark {
  readonly name: string;
  readonly t: number;
  /** Something was done at this mark (a failure, a repair), rather than seen (a route changed). */
  readonly action?: boolean;
}

export interface EventReport {
  readonly event: string;
  readonly newFlows: number;
  readonly failed: number;
  /** The failed new flows by error (ECONNREFUSED, connect timeout, ...). */
  readonly errors: Readonly<Record<string, number>>;
  /** New flows answered, by the address the real server saw them from (the director, for a proxy). */
  readonly split: Readonly<Record<string, number>>;
  /** New flows answered, by real server. */
  readonly servers: Readonly<Record<string, number>>;
  /**
   * The longest time, ms, between the answers of two successive successful flows of one new-flow
   * loop: a gap with failures counts in the window of its first failed flow, one without in the
   * window where it ended.
   */
  readonly longestGapMs: number;
  /** Long-lived connections that broke in this window. */
  readonly broken: number;
  /** The broken ones, by the address the real server saw them from (the director, for a proxy). */
  readonly brokenBy: Readonly<Record<string, number>>;
  /** The longest stall, ms, of a long-lived connection that did not break. */
  readonly stallMs: number;
}

/** When a record's event happened: a new flow's end, anything else's time. */
const endOf = (r: FlowRecord): number => (r.k === 'new' ? r.t + (r.ms ?? 0) : r.t);

export function parseFlows(text: string): FlowRecord[] {
  const out: FlowRecord[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      out.push(JSON.parse(line) as FlowRecord);
    } catch {
      // A line cut by the client's SIGTERM.
    }
  }
  return out.sort((a, b) => endOf(a) - endOf(b));
}

const bump = (m: Record<string, number>, key: string): void => {
  m[key] = (m[key] ?? 0) + 1;
};

export function analyseFlows(
  records: readonly FlowRecord[],
  marks: readonly Mark[],
  end = Infinity,
): EventReport[] {
  const sorted = [...marks].sort((a, b) => a.t - b.t);
  const lastOk = new Map<number, number>();
  const reports = sorted.map((m) => ({
    event: m.name,
    newFlows: 0,
    failed: 0,
    errors: {},
    split: {},
    servers: {},
    longestGapMs: 0,
    broken: 0,
    brokenBy: {},
    stallMs: 0,
  }));
  const windowOf = (t: number): number => {
    if (t >= end) return -1;
    let i = -1;
    for (let j = 0; j < sorted.length && (sorted[j]?.t ?? Infinity) <= t; j++) i = j;
    return i;
  };
  const firstFail = new Map<number, number>();
  for (const r of records) {
    // A new flow counts in the window it started in, unless an action was taken while it was
    // under way: then it is that action's (the action may be what broke it).
    const at = endOf(r);
    let w = windowOf(r.k === 'new' ? r.t : at);
    // (Not for one outside every window: before the first mark or after the end.)
    if (r.k === 'new' && w >= 0)
      for (let j = w + 1; j < sorted.length && (sorted[j]?.t ?? Infinity) <= at; j++)
        if (sorted[j]?.action) {
          w = j;
          break;
        }
    const rep = reports[w];
    if (r.k === 'new') {
      const loop = r.loop ?? 0;
      if (r.ok) {
        const prev = lastOk.get(loop);
        // A gap belongs to the window of its first failed flow (the event that caused it), or,
        // without a failure, to the window it ended in.
        const gapRep = reports[firstFail.get(loop) ?? windowOf(at)];
        lastOk.set(loop, at);
        firstFail.delete(loop);
        if (gapRep && prev !== undefined) gapRep.longestGapMs = Math.max(gapRep.longestGapMs, at - prev);
      } else if (!firstFail.has(loop)) firstFail.set(loop, w);
      if (!rep) continue;
      rep.newFlows++;
      if (!r.ok) {
        rep.failed++;
        bump(rep.errors, r.err ?? '?');
      } else {
        bump(rep.split, r.peer ?? '?');
        bump(rep.servers, r.srv ?? '?');
      }
    } else if (rep && r.k === 'break') {
      rep.broken++;
      bump(rep.brokenBy, r.peer ?? '?');
    } else if (rep && r.k === 'gap') rep.stallMs = Math.max(rep.stallMs, r.ms ?? 0);
  }
  return reports;
}

const byKey = (m: Readonly<Record<string, number>>): string =>
  Object.entries(m)
    .sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');

/** One line per event, for the labs' and the benchmark's output. */
export function formatReports(tag: string, reports: readonly EventReport[]): string {
  return reports
    .map((r) => {
      const split = byKey(r.split);
      const broken = r.broken > 0 ? ` (${byKey(r.brokenBy)})` : '';
      return `[${tag}] ${r.event}: ${r.newFlows} new flows (${r.failed} failed${r.failed > 0 ? `: ${byKey(r.errors)}` : ''}; ${split || 'none answered'}), longest client gap ${r.longestGapMs} ms, ${r.broken} broken connections${broken}, longest stall ${r.stallMs} ms`;
    })
    .join('\n');
}
