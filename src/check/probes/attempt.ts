/**
 * What the socket probes share for one attempt: it settles exactly once, releases everything it
 * registered (sockets, timers) whichever way it ends, stops on abort, and turns a thrown error into
 * an outcome, so that an attempt never rejects (probe.ts).
 */
import type { Checker } from '../../config/model.js';
import type { FailureReason, ProbeDeps, ProbeOutcome } from '../probe.js';

export interface AttemptScope {
  /** Settle the attempt (the first call wins) and release everything deferred. */
  finish(outcome: ProbeOutcome): void;
  fail(reason: FailureReason, detail: string): void;
  /** Run `release` when the attempt ends (latest first). */
  defer(release: () => void): void;
  /** (Re)arm the attempt's one timer; keepalived arms a fresh timeout for each I/O step. */
  arm(ms: number, onExpiry: () => void): void;
  readonly settled: boolean;
}

export const ABORTED = 'attempt aborted';

/** Run one attempt; `body` wires its sockets to `scope` and must not block. */
export function runAttempt(signal: AbortSignal, body: (scope: AttemptScope) => void): Promise<ProbeOutcome> {
  if (signal.aborted) return Promise.resolve({ ok: false, reason: 'aborted', detail: ABORTED });
  return new Promise<ProbeOutcome>((resolve) => {
    const releases: (() => void)[] = [];
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const finish = (outcome: ProbeOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      for (const release of releases.reverse()) {
        try {
          release();
        } catch {
          // Releasing is best effort: a socket that is already closed is fine.
        }
      }
      resolve(outcome);
    };
    const onAbort = (): void => finish({ ok: false, reason: 'aborted', detail: ABORTED });
    const scope: AttemptScope = {
      finish,
      fail: (reason, detail) => finish({ ok: false, reason, detail }),
      defer: (release) => {
        if (settled) release();
        else releases.push(release);
      },
      arm: (ms, onExpiry) => {
        clearTimeout(timer);
        if (!settled) timer = setTimeout(guard(onExpiry), ms);
      },
      get settled() {
        return settled;
      },
    };
    /** Callbacks run from sockets and timers: a throw there becomes the attempt's outcome. */
    const guard =
      (fn: () => void): (() => void) =>
      () => {
        try {
          fn();
        } catch (err) {
          finish({ ok: false, reason: 'error', detail: `internal error: ${String(err)}` });
        }
      };
    signal.addEventListener('abort', onAbort, { once: true });
    guard(() => body(scope))();
  });
}

/** The errno name Node or the native addon put on an error (ECONNREFUSED, ...). */
export function errnoCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A FailureReason for a socket error. */
export function errnoReason(err: unknown): FailureReason {
  switch (errnoCode(err) ?? '') {
    case 'ECONNREFUSED':
      return 'refused';
    case 'ECONNRESET':
    case 'ECONNABORTED':
    case 'EPIPE':
      return 'reset';
    case 'ETIMEDOUT':
      return 'timeout';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
    case 'ENETDOWN':
      return 'unreachable';
    default:
      return 'error';
  }
}

/**
 * keepalived sets SO_MARK (`fwmark`) and SO_BINDTODEVICE (`bind_if`) on its checker sockets
 * (layer4.c socket_bind_connect()); Node's net and dgram sockets cannot. Said once per checker.
 */
export function warnUnsupportedOptions(checker: Checker, display: string, deps: ProbeDeps): void {
  const unsupported = [
    ...(checker.fwmark !== null ? ['fwmark'] : []),
    ...(checker.bindIf !== null ? ['bind_if'] : []),
  ];
  if (unsupported.length === 0) return;
  deps.log.warn(
    { event: 'check.unsupported-option', checker: checker.type, target: display, options: unsupported },
    `${checker.type} to ${display}: ${unsupported.join(' and ')} not supported by keepalived-ts - ignored`,
  );
}
