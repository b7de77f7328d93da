/**
 * TCP_CHECK (keepalived check_tcp.c): one attempt is a TCP connect to connect_ip:connect_port
 * (from bindto/bind_port when set) within connect_timeout, then close. Nothing is sent.
 *
 * Texts: tcp_epilog() logs `TCP connection to X success.` when the checker goes up, and
 * `TCP_CHECK on service X failed after N retries.` (or `... failed.` with no retries / on the
 * first run) when it goes down; tcp_check_thread() has the per-attempt lines
 * `TCP connection to X timeout.` / `TCP connection to X failed.` (log_all_failures).
 */
import { connect, type NetConnectOpts, type Socket } from 'node:net';
import type { Checker, TcpChecker } from '../../config/model.js';
import { alertText, connectLimitMs, loopTiming, sameConnection, type CheckerType } from '../checker-type.js';
import type { ProbeOutcome } from '../probe.js';
import { errnoCode, errnoReason, runAttempt, warnUnsupportedOptions, type AttemptScope } from './attempt.js';

type Endpoint = Pick<Checker, 'connectIp' | 'connectPort' | 'bindTo' | 'bindPort'>;

/** net.connect() options for a checker's connection (layer4.c tcp_bind_connect()). */
function tcpConnectOptions(c: Endpoint): NetConnectOpts {
  return {
    host: c.connectIp,
    port: c.connectPort,
    ...(c.bindTo !== null ? { localAddress: c.bindTo } : {}),
    ...(c.bindPort !== null ? { localPort: c.bindPort } : {}),
  };
}

/**
 * Open a connection owned by `scope`: it is destroyed when the attempt ends. `onError` gets
 * errors, including a failed bind (err.syscall === 'bind').
 */
export function openTcp(
  c: Endpoint,
  scope: AttemptScope,
  onError: (err: Error) => void,
  allowHalfOpen = false,
): Socket {
  const socket = connect({ ...tcpConnectOptions(c), allowHalfOpen });
  scope.defer(() => socket.destroy());
  socket.on('error', onError);
  return socket;
}

export const tcpCheck: CheckerType<TcpChecker> = {
  type: 'TCP_CHECK',
  texts: {
    up: (display) => `TCP connection to ${display} success.`,
    down: (display, retries) =>
      retries > 0
        ? `TCP_CHECK on service ${display} failed after ${retries} retries.`
        : `TCP_CHECK on service ${display} failed.`,
    alert: alertText('TCP CHECK'),
  },
  timing: loopTiming,
  attemptLimitMs: connectLimitMs,
  sameTarget: sameConnection,
  create(checker, target, deps) {
    warnUnsupportedOptions(checker, target.display, deps);
    const timeoutText = `TCP connection to ${target.display} timeout.`;
    const failedText = `TCP connection to ${target.display} failed.`;
    return {
      attempt: (signal) =>
        runAttempt(signal, (scope) => {
          const socket = openTcp(checker, scope, (err) => {
            // keepalived: a bind failure is "TCP socket bind failed. Rescheduling." (not a
            // verdict); here it is a failed attempt, with keepalived's text as its detail.
            const bind = (err as { syscall?: string }).syscall === 'bind';
            if (bind) scope.fail('error', 'TCP socket bind failed. Rescheduling.');
            else if (errnoCode(err) === 'ETIMEDOUT') scope.fail('connect-timeout', timeoutText);
            else scope.fail(errnoReason(err), failedText);
          });
          socket.once('connect', () => scope.finish(CONNECTED));
          scope.arm(checker.connectTimeoutMs, () => scope.fail('connect-timeout', timeoutText));
        }),
      close: () => undefined,
    };
  },
};

const CONNECTED: ProbeOutcome = { ok: true };
