/**
 * UDP_CHECK (keepalived check_udp.c, layer4.c udp_bind_connect(), udp_socket_state()): send one
 * datagram to connect_ip:connect_port from a connected socket, then wait connect_timeout.
 *
 * - The datagram is `payload`, or keepalived's default: 32 bytes of `keepalived check - `
 *   repeated (layer4.c set_buf()), not random bytes.
 * - Without require_reply: an ICMP destination unreachable fails the attempt, anything else
 *   (silence until the timeout, or any reply) passes. Linux reports the ICMP error of a connected
 *   UDP socket as ECONNREFUSED (port unreachable) on its next receive.
 * - With require_reply: only a reply passes, and only the first datagram is judged
 *   (check_udp_reply()): its length must be within min_reply_length..max_reply_length, and its
 *   first min(length, pattern length) bytes must match the pattern, where an `x` nibble matches
 *   anything. A bare `require_reply` (no pattern) accepts any reply, whatever its length, as in
 *   keepalived where the length limits are only looked at with a pattern.
 *
 * Texts (udp_epilog(), udp_check_thread()): `UDP connection to X success.` when it goes up;
 * `UDP_CHECK on service X failed after N retries.` / `UDP_CHECK on service X failed.` when it
 * goes down; per attempt `UDP connection to X failed.` or `UDP check to X reply data mismatch.`
 */
import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { UdpChecker } from '../../config/model.js';
import { alertText, connectLimitMs, loopTiming, sameConnection, type CheckerType } from '../checker-type.js';
import type { ProbeOutcome } from '../probe.js';
import { errnoReason, runAttempt, warnUnsupportedOptions } from './attempt.js';
import { bindThen } from './udp-bind.js';

const UDP_BUFSIZE = 32;

/** layer4.c set_buf(): `keepalived check - ` repeated over `size` bytes. */
export function keepalivedFiller(size: number): Buffer {
  const unit = Buffer.from('keepalived check - ', 'latin1');
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i += unit.length) unit.copy(out, i, 0, Math.min(unit.length, size - i));
  return out;
}

export interface ReplyPattern {
  readonly data: Buffer;
  /** Bits that may differ (an `x` nibble sets four). */
  readonly mask: Buffer;
}

/** parser.c read_hex_str() with a mask: two hex digits a byte, `x` (any case) a wildcard nibble. */
export function parseReplyPattern(hex: string): ReplyPattern {
  const digits = hex.replace(/[ \t]/g, '');
  const n = Math.ceil(digits.length / 2);
  const data = Buffer.alloc(n);
  const mask = Buffer.alloc(n);
  for (let i = 0; i < n; i++) {
    for (const [k, shift] of [
      [2 * i, 4],
      [2 * i + 1, 0],
    ] as const) {
      const c = digits[k];
      if (c === undefined) {
        // an odd last digit is the whole byte's value
        data[i] = (data[i] as number) >> 4;
        mask[i] = (mask[i] as number) >> 4;
      } else if (c === 'x' || c === 'X') mask[i] = (mask[i] as number) | (0xf << shift);
      else data[i] = (data[i] as number) | (parseInt(c, 16) << shift);
    }
  }
  return { data, mask };
}

/** check_udp_reply(), as a pass: length within limits and the compared bytes equal outside the mask. */
export function replyMatches(
  reply: Uint8Array,
  pattern: ReplyPattern,
  minLen: number,
  maxLen: number,
): boolean {
  if (reply.length < minLen || reply.length > maxLen) return false;
  const n = Math.min(reply.length, pattern.data.length);
  for (let i = 0; i < n; i++) {
    if (((reply[i] as number) ^ (pattern.data[i] as number)) & ~(pattern.mask[i] as number) & 0xff)
      return false;
  }
  return true;
}

export const udpCheck: CheckerType<UdpChecker> = {
  type: 'UDP_CHECK',
  texts: {
    up: (display) => `UDP connection to ${display} success.`,
    down: (display, retries) =>
      retries > 0
        ? `UDP_CHECK on service ${display} failed after ${retries} retries.`
        : `UDP_CHECK on service ${display} failed.`,
    alert: alertText('UDP CHECK'),
  },
  timing: loopTiming,
  attemptLimitMs: connectLimitMs,
  sameTarget: sameConnection,
  create(checker, target, deps) {
    warnUnsupportedOptions(checker, target.display, deps);
    const payload =
      checker.payload !== null ? Buffer.from(checker.payload, 'hex') : keepalivedFiller(UDP_BUFSIZE);
    const requireReply = checker.requireReply !== null;
    const pattern = checker.requireReply ? parseReplyPattern(checker.requireReply) : null;
    const failedText = `UDP connection to ${target.display} failed.`;
    const mismatchText = `UDP check to ${target.display} reply data mismatch.`;
    return {
      attempt: (signal) =>
        runAttempt(signal, (scope) => {
          const sock = createSocket({ type: isIPv6(checker.connectIp) ? 'udp6' : 'udp4' });
          scope.defer(() => sock.close());
          // Any socket error (bind, connect, send, or the ICMP error on receive) fails the attempt.
          sock.on('error', (err) => scope.fail(errnoReason(err), failedText));
          sock.on('message', (msg) => {
            if (pattern && !replyMatches(msg, pattern, checker.minReplyLength, checker.maxReplyLength))
              scope.fail('reply', mismatchText);
            else scope.finish(PASSED);
          });
          const waitForReply = (): void =>
            scope.arm(checker.connectTimeoutMs, () =>
              requireReply ? scope.fail('timeout', failedText) : scope.finish(PASSED),
            );
          waitForReply();
          const send = (): void =>
            sock.connect(checker.connectPort, checker.connectIp, () => {
              sock.send(payload, (err) => {
                if (scope.settled) return;
                if (err) scope.fail(errnoReason(err), failedText);
                else waitForReply(); // keepalived waits connect_timeout from the send
              });
            });
          bindThen(sock, checker, send);
        }),
      close: () => undefined,
    };
  },
};

const PASSED: ProbeOutcome = { ok: true };
