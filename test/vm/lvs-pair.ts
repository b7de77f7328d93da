/**
 * What a run of scenarios/lvs-pair.sh (an LVS director pair in the VM lab) showed, read from
 * its files: when each step happened, the client's HTTP requests and its stream connection
 * through the VIP, and the HTTP replies the directors themselves sent. Shared by
 * test/vm/lvs-pair.test.ts and bench/lvs-pair.ts.
 */
import { ipOf, readPcap } from '../helpers/pcap.js';

export type Kind = 'keepalived' | 'keepalived-ts';

export interface PairRun {
  readonly tag: string;
  readonly d1: Kind;
  readonly d2: Kind;
  readonly sync: boolean;
  readonly mode: 'DR' | 'NAT' | 'TUN';
}

/** The scenario's command line for `run`. */
export const pairCommand = (r: PairRun): string =>
  `bash test/vm/scenarios/lvs-pair.sh ${r.tag} ${r.d1} ${r.d2} ${r.sync ? 1 : 0} ${r.mode}`;

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
  /**
   * Real servers that answered in the spread window, and after the killed one left the table
   * (from 500 ms after its removal was logged, to let a request sent before it fail), with the
   * requests that failed then (none: the table no longer sends any to it).
   */
  readonly spread: readonly string[];
  readonly afterKill: readonly string[];
  readonly failedAfterKill: number;
  readonly killed: string;
  /** The stream: lines received, the time of the last one, whether its counter ever went back. */
  readonly stream: { readonly lines: number; readonly lastMs: number; readonly restarted: boolean };
  /**
   * The long transfer: bytes read, the time of the last non-empty read, whether the connection
   * ended (a read of 0 bytes) and whether its numbered lines ran on from 1 without a break.
   */
  readonly transfer: {
    readonly bytes: number;
    readonly lastMs: number;
    readonly ended: boolean;
    readonly intact: boolean;
  };
  /** Packets from VIP:80 captured on the directors' interfaces, RSTs aside (DR, TUN: none). */
  readonly directorReplies: number;
  /**
   * RSTs from VIP:80 on the directors' interfaces: a director's own stack refusing a packet of a
   * connection its IPVS has no entry for. IPVS schedules SYNs only, so a connection that opened
   * through the other director just before a takeover, before the sync daemon sent it (its 3rd
   * packet), is refused by the new master: counted, not a reply.
   */
  readonly directorResets: number;
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
  const reads = lines(file(`${run.tag}.transfer.log`)).map((l) => {
    const [t, n] = l.split(' ');
    return { atMs: Number(t) * 1000, bytes: Number(n) };
  });
  const got = reads.filter((r) => r.bytes > 0);
  const check = file(`${run.tag}.transfer.check`).trim().split(' ');
  const transfer = {
    bytes: got.reduce((sum, r) => sum + r.bytes, 0),
    lastMs: got.at(-1)?.atMs ?? 0,
    // (the client's own teardown at "client-stop" ends it too: not counted)
    ended: reads.some((r) => r.bytes === 0 && !(r.atMs >= at('client-stop'))),
    intact: check[1] === 'intact' && Number(check[0]) > 0,
  };
  let replies = 0;
  let resets = 0;
  // (a capture missing throws: no capture must not read as "no replies")
  for (const d of ['d1', 'd2'])
    for (const f of readPcap(pcapPath(`${run.tag}.${d}.pcap`))) {
      const tcp = ipOf(f.bytes)?.payload;
      if (tcp && ((tcp[13] ?? 0) & 0x04) !== 0) resets++;
      else replies++;
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
    afterKill: servers(at('rs-removed') + 500, at('rs-down')),
    failedAfterKill: window(at('rs-removed') + 500, at('rs-down')).filter((r) => !r.ok).length,
    killed,
    stream: { lines: stream.length, lastMs: stream.at(-1)?.atMs ?? 0, restarted },
    transfer,
    directorReplies: replies,
    directorResets: resets,
    holders,
  };
}
