/**
 * How the harness compares two `-t` runs: the verdict is the exit code; the messages are compared
 * as sets of texts without their `(FILE: Line N)` prefix (keepalived prints some messages before
 * the line they belong to is counted, or with no location at all, and orders end-of-config
 * checks differently). keepalived-ts's own notes ("keepalived-ts: ...", what it parses and does
 * not act on) are not keepalived messages and are left out. Pure.
 */

export type Status = number | 'timeout' | 'crash';

export interface Run {
  readonly status: Status;
  readonly lines: readonly string[];
}

export interface Outcome {
  readonly id: string;
  readonly keepalived: Run;
  readonly ours: Run;
}

export interface Verdict {
  readonly id: string;
  readonly verdictAgrees: boolean;
  readonly messagesAgree: boolean;
  /** Messages only keepalived printed, and only keepalived-ts. */
  readonly onlyKeepalived: readonly string[];
  readonly onlyOurs: readonly string[];
}

const LOCATION = /^\((?:[^()]*: )?Line \d+\) /;

export function messageText(line: string): string {
  return line.replace(LOCATION, '').trim();
}

export function messageSet(lines: readonly string[]): Set<string> {
  return new Set(lines.map(messageText).filter((m) => m !== '' && !m.startsWith('keepalived-ts: ')));
}

export function compare(o: Outcome): Verdict {
  const k = messageSet(o.keepalived.lines);
  const m = messageSet(o.ours.lines);
  const onlyKeepalived = [...k].filter((x) => !m.has(x));
  const onlyOurs = [...m].filter((x) => !k.has(x));
  return {
    id: o.id,
    verdictAgrees: o.keepalived.status === o.ours.status,
    messagesAgree: onlyKeepalived.length === 0 && onlyOurs.length === 0,
    onlyKeepalived,
    onlyOurs,
  };
}
