/**
 * PING_CHECK (keepalived check_ping.c): one ICMP (IPv4) or ICMPv6 echo request to connect_ip;
 * the attempt passes on the matching echo reply within connect_timeout. How the echo is sent
 * and matched, and which socket is used: icmp-echo.ts.
 *
 * keepalived fails the attempt at once when the request cannot be sent (ping_it()); it waits for
 * the timeout otherwise, its ping socket never seeing ICMP errors. Here an ICMP destination
 * unreachable that quotes our request also fails the attempt at once (reason `unreachable`).
 * bindto, bind_port, bind_if and fwmark are not used, as in keepalived.
 *
 * Texts (icmp_epilog(), icmp_check_thread()): `ICMP connection to X success.` when it goes up;
 * `ICMP CHECK on service X of VS failed after N retries.` / `ICMP CHECK on service X failed.`
 * when it goes down; per attempt `ICMP connection to address X timeout.` or
 * `ICMP connection to X of VS failed.`
 */
import type { PingChecker } from '../../config/model.js';
import { alertText, connectLimitMs, loopTiming, sameConnection, type CheckerType } from '../checker-type.js';
import type { ProbeOutcome } from '../probe.js';
import { ABORTED } from './attempt.js';
import { echoOnce } from './icmp-echo.js';

export const pingCheck: CheckerType<PingChecker> = {
  type: 'PING_CHECK',
  texts: {
    up: (display) => `ICMP connection to ${display} success.`,
    down: (display, retries, target) =>
      retries > 0
        ? `ICMP CHECK on service ${display} of ${target.vs.display} failed after ${retries} retries.`
        : `ICMP CHECK on service ${display} failed.`,
    alert: alertText('ICMP CHECK'),
  },
  timing: loopTiming,
  attemptLimitMs: connectLimitMs,
  sameTarget: sameConnection,
  create(checker, target) {
    const timeoutText = `ICMP connection to address ${target.display} timeout.`;
    const failedText = `ICMP connection to ${target.display} of ${target.vs.display} failed.`;
    return {
      async attempt(signal): Promise<ProbeOutcome> {
        try {
          const result = await echoOnce(checker.connectIp, { timeoutMs: checker.connectTimeoutMs, signal });
          switch (result.kind) {
            case 'reply':
              return { ok: true };
            case 'timeout':
              return { ok: false, reason: 'timeout', detail: timeoutText };
            case 'unreachable':
              return { ok: false, reason: 'unreachable', detail: failedText };
            case 'error':
              return { ok: false, reason: 'error', detail: `${failedText} (${result.detail})` };
            case 'aborted':
              return { ok: false, reason: 'aborted', detail: ABORTED };
          }
        } catch (err) {
          return { ok: false, reason: 'error', detail: `internal error: ${String(err)}` };
        }
      },
      close: () => undefined,
    };
  },
};
