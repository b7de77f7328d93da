/**
 * What a run of scenarios/lvs-pair.sh (an LVS-DR director pair in the VM lab) showed, read from
 * its files: when each step happened, the client's HTTP requests and its stream connection
 * through the VIP, and the HTTP replies the directors themselves sent. Shared by
 * test/vm/lvs-pair.test.ts and bench/lvs-pair.ts.
 */
import { readPcap } from '../helpers/pcap.js';

export type Kind = 'keepalived' | 'keepalived-ts';

export interface PairRun {
  readonly tag: string;
  readonly d1: Kind;
  readonly d2: Kind;
  readonly sync: boolean;
}

export interface EventGap {
  readonly event: string;
  /** Longest time between two answered requests from the event to the next step. */
  readonly longestGapMs: number;
  /** Requests that failed in that window. */
  readonly failed: number;
}

export interface PairResult {
  readonly run: PairRun;
  /** "ready", "spread", "kill-rs r2", ... with their times (ms). */
  readonly events: readonly { readonly atMs: number; readonly name: string }[];
  readonly gaps: readonly EventGap[];
  /** Real servers that answered in the spread window, and after the kill (before its return). */
  readonly spread: readonly string[];
  readonly afterKill: readonly string[];
  readonly killed: string;
  /** The stream: lines received, the time of the last one, whether its counter ever went back. */
  readonly stream: { readonly lines: number; readonly lastMs: number; readonly restarted: boolean };
  /** Packets from VIP:80 captured on the directors' interfaces (DR: none). */
  readonly directorReplies: number;
  /** Where the VIP was after each step, as the scenario logged it. */
  readonly holders: Readonly<Record<string, string>>;
}

const lines = (text: string): string[] => text.split('\n').filter((l) => l.trim() !== '');

export function analyse(
  run: PairRun,
  file: (name: string) => string,
  pcapPath: (name: string) => string,
): PairResult {
  const events = lines(file(`${run.tag}.events.log`)).map((l) => {
    const [t, ...rest] = l.split(' ');
    return { atMs: Number(t) * 1000, name: rest.join(' ') };
  });
  const at = (prefix: string): number => events.find((e) => e.name.startsWith(prefix))?.atMs ?? NaN;
  const http = lines(file(`${run.tag}.http.log`)).map((l) => {
    const [t, status, body] = l.split(' ');
    return { atMs: Number(t) * 1000, ok: status === 'ok', body: body ?? '' };
  });
  const window = (from: number, to: number) => http.filter((r) => r.atMs >= from && r.atMs <= to);
  const gap = (event: string, endPrefix: string): EventGap => {
    const from = at(event);
    const to = at(endPrefix);
    const inside = window(from, to);
    const ok = [from, ...inside.filter((r) => r.ok).map((r) => r.atMs)];
    let longest = 0;
    for (let i = 1; i < ok.length; i++) longest = Math.max(longest, (ok[i] ?? 0) - (ok[i - 1] ?? 0));
    return { event, longestGapMs: Math.round(longest), failed: inside.filter((r) => !r.ok).length };
  };
  const killEvent = events.find((e) => e.name.startsWith('kill-rs'));
  const killed = killEvent?.name.split(' ')[1] ?? '';
  const servers = (from: number, to: number): string[] =>
    [
      ...new Set(
        window(from, to)
          .filter((r) => r.ok)
          .map((r) => r.body),
      ),
    ].sort();
  const stream = lines(file(`${run.tag}.stream.log`)).map((l) => {
    const [t, , n] = l.split(' ');
    return { atMs: Number(t) * 1000, n: Number(n) };
  });
  let restarted = false;
  for (let i = 1; i < stream.length; i++)
    if ((stream[i]?.n ?? 0) <= (stream[i - 1]?.n ?? 0)) restarted = true;
  let replies = 0;
  for (const d of ['d1', 'd2'])
    try {
      replies += readPcap(pcapPath(`${run.tag}.${d}.pcap`)).length;
    } catch {
      // no capture: counted as none; the test checks the capture ran (its file exists)
    }
  const holders: Record<string, string> = {};
  for (const e of events) {
    const m = /^(\S+) holder=(.*)$/.exec(e.name);
    if (m) holders[m[1] as string] = (m[2] as string).trim();
  }
  return {
    run,
    events,
    gaps: [gap('crash-master', 'crashed'), gap('crashed', 'preempted'), gap('stop-master', 'stopped')],
    spread: servers(at('ready'), at('spread')),
    afterKill: servers(at('rs-down') - 2000, at('rs-down')),
    killed,
    stream: { lines: stream.length, lastMs: stream.at(-1)?.atMs ?? 0, restarted },
    directorReplies: replies,
    holders,
  };
}
