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
  readonly ms?: number;
}

/** An event of the run: the records from `t` until the next mark are its window. */
export interface Mark {
  readonly name: string;
  readonly t: number;
}

export interface EventReport {
  readonly event: string;
  readonly newFlows: number;
  readonly failed: number;
  /** New flows answered, by the address the real server saw them from (the director, for a proxy). */
  readonly split: Readonly<Record<string, number>>;
  /** New flows answered, by real server. */
  readonly servers: Readonly<Record<string, number>>;
  /**
   * The longest time, ms, between two successes of one new-flow loop: a gap with failures counts
   * in the window of its first failure, one without in the window where it ended.
   */
  readonly longestGapMs: number;
  /** Long-lived connections that broke in this window. */
  readonly broken: number;
  /** The broken ones, by the address the real server saw them from (the director, for a proxy). */
  readonly brokenBy: Readonly<Record<string, number>>;
  /** The longest stall, ms, of a long-lived connection that did not break. */
  readonly stallMs: number;
}

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
  return out.sort((a, b) => a.t - b.t);
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
    const w = windowOf(r.t);
    const rep = reports[w];
    if (r.k === 'new') {
      const loop = r.loop ?? 0;
      if (r.ok) {
        const prev = lastOk.get(loop);
        // A gap belongs to the event in whose window its first failure was (the one that caused
        // it), or, without a failure, to the window it ended in.
        const gapRep = reports[windowOf(firstFail.get(loop) ?? r.t)];
        lastOk.set(loop, r.t);
        firstFail.delete(loop);
        if (gapRep && prev !== undefined) gapRep.longestGapMs = Math.max(gapRep.longestGapMs, r.t - prev);
      } else if (!firstFail.has(loop)) firstFail.set(loop, r.t);
      if (!rep) continue;
      rep.newFlows++;
      if (!r.ok) rep.failed++;
      else {
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
      return `[${tag}] ${r.event}: ${r.newFlows} new flows (${r.failed} failed; ${split || 'none answered'}), longest client gap ${r.longestGapMs} ms, ${r.broken} broken connections${broken}, longest stall ${r.stallMs} ms`;
    })
    .join('\n');
}
