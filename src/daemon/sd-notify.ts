/**
 * systemd readiness and watchdog (sd_notify(3), sd_watchdog_enabled(3)) for Type=notify: one
 * datagram per message to $NOTIFY_SOCKET, sent through the native addon because Node has no
 * AF_UNIX datagram sockets. Without NOTIFY_SOCKET every call does nothing. Nothing here throws:
 * a failed send goes to `onError` (systemd then times the start out, or kills on the watchdog).
 *
 * Messages (newline-separated assignments in one datagram, as libsystemd sends them):
 * - `READY=1`: start-up, or a reload, is complete.
 * - `RELOADING=1` + `MONOTONIC_USEC=<CLOCK_MONOTONIC µs>`: a reload begins; send READY=1 when it
 *   is done. systemd ≥ 253 wants the timestamp for Type=notify-reload; 252 ignores it.
 * - `STOPPING=1`: a stop begins. `STATUS=<text>`: one line for `systemctl status`.
 * - `WATCHDOG=1`: the event loop is alive (startWatchdog sends it every WATCHDOG_USEC / 2).
 */
import { rawSock } from '../net/native.js';

export interface SdNotifier {
  /** False without NOTIFY_SOCKET: every call is a no-op. */
  readonly enabled: boolean;
  /** `READY=1` (and `STATUS=`): start-up or a reload is complete. */
  ready(status?: string): void;
  /** `RELOADING=1`, `MONOTONIC_USEC=` (and `STATUS=`): a reload begins; follow it with ready(). */
  reloading(status?: string): void;
  /** `STOPPING=1` (and `STATUS=`): a stop begins. */
  stopping(status?: string): void;
  /** `STATUS=`: free text for `systemctl status` (newlines become spaces). */
  status(text: string): void;
  /** `WATCHDOG=1`. */
  watchdog(): void;
}

export interface SdNotifyOptions {
  /** A send that failed, or an address that cannot be used (default: ignored). */
  readonly onError?: (err: Error) => void;
  /** Sends one datagram to an AF_UNIX address ('@name': abstract). Default: the native addon. */
  readonly send?: (path: string, data: Buffer) => void;
  /** CLOCK_MONOTONIC in µs. Default: process.hrtime (libuv reads CLOCK_MONOTONIC on Linux). */
  readonly monotonicUsec?: () => bigint;
}

const defaultSend = (path: string, data: Buffer): void => {
  rawSock().sendUnixDgram(path, data);
};

const defaultMonotonicUsec = (): bigint => process.hrtime.bigint() / 1000n;

/** One line: systemd reads a datagram as newline-separated assignments. */
const oneLine = (text: string): string => text.replace(/[\r\n]+/g, ' ');

const withStatus = (lines: string[], status: string | undefined): string[] =>
  status === undefined ? lines : [...lines, `STATUS=${oneLine(status)}`];

const NOOP: SdNotifier = {
  enabled: false,
  ready: () => undefined,
  reloading: () => undefined,
  stopping: () => undefined,
  status: () => undefined,
  watchdog: () => undefined,
};

/**
 * The notifier for $NOTIFY_SOCKET in `env` (read once, here), or a no-op without it. Addresses
 * are paths or '@' abstract names; others (systemd ≥ 254's `vsock:`) are reported on each send.
 */
export function createNotifier(env: NodeJS.ProcessEnv, opts: SdNotifyOptions = {}): SdNotifier {
  const socket = env.NOTIFY_SOCKET;
  if (socket === undefined || socket === '') return NOOP;
  const send = opts.send ?? defaultSend;
  const onError = opts.onError ?? (() => undefined);
  const monotonicUsec = opts.monotonicUsec ?? defaultMonotonicUsec;
  const usable = (socket.startsWith('/') || socket.startsWith('@')) && !socket.includes('\0');

  const notify = (lines: readonly string[]): void => {
    const what = lines[0] ?? '';
    try {
      if (!usable) throw new Error('only unix socket paths and @abstract names are supported');
      send(socket, Buffer.from(lines.join('\n'), 'utf8'));
    } catch (cause) {
      const detail = cause instanceof Error ? cause.message : String(cause);
      try {
        onError(new Error(`sd_notify ${what} to ${socket}: ${detail}`, { cause }));
      } catch {
        // A failing logger must not turn a notification into a crash.
      }
    }
  };

  return {
    enabled: true,
    ready: (status) => notify(withStatus(['READY=1'], status)),
    reloading: (status) =>
      notify(withStatus(['RELOADING=1', `MONOTONIC_USEC=${monotonicUsec().toString()}`], status)),
    stopping: (status) => notify(withStatus(['STOPPING=1'], status)),
    status: (text) => notify([`STATUS=${oneLine(text)}`]),
    watchdog: () => notify(['WATCHDOG=1']),
  };
}

/** setInterval turns longer delays into 1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * How often to send WATCHDOG=1, as sd_watchdog_enabled(3) decides: half of WATCHDOG_USEC, in ms;
 * null when WATCHDOG_USEC is unset, not a positive integer, or WATCHDOG_PID names another process.
 */
export function watchdogIntervalMs(env: NodeJS.ProcessEnv, pid: number): number | null {
  const usecText = env.WATCHDOG_USEC;
  if (usecText === undefined || !/^\d+$/.test(usecText)) return null;
  const usec = Number(usecText);
  if (usec <= 0) return null;
  const pidText = env.WATCHDOG_PID;
  if (pidText !== undefined && pidText !== '' && Number(pidText) !== pid) return null;
  return Math.min(MAX_TIMER_MS, Math.max(1, Math.floor(usec / 2000)));
}

export interface WatchdogHandle {
  /** The ping interval, or null when no pings are sent. */
  readonly intervalMs: number | null;
  /** Stops the pings (idempotent). */
  stop(): void;
}

/**
 * Sends WATCHDOG=1 every WATCHDOG_USEC / 2 from an unref'd timer on this event loop (the one that
 * sends the VRRP adverts), so a stalled loop stops the pings. Does nothing when the notifier is
 * disabled or watchdogIntervalMs() says no. Start it after ready().
 */
export function startWatchdog(
  notifier: SdNotifier,
  env: NodeJS.ProcessEnv,
  pid: number = process.pid,
): WatchdogHandle {
  const intervalMs = notifier.enabled ? watchdogIntervalMs(env, pid) : null;
  if (intervalMs === null) return { intervalMs: null, stop: () => undefined };
  const timer = setInterval(() => notifier.watchdog(), intervalMs);
  timer.unref();
  return { intervalMs, stop: () => clearInterval(timer) };
}
