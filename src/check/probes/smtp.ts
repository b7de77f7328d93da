/**
 * SMTP_CHECK (keepalived check_smtp.c): connect, read the greeting (status 220), send
 * `HELO <helo_name>` and read status 250, send `QUIT` and read one more line, whatever it says.
 *
 * Matched details of smtp_engine_thread() / smtp_get_line_cb() / smtp_get_status():
 * - connect_timeout applies to each step (the connect, every read, every write), not to the
 *   whole dialogue: an attempt may take up to 6 × connect_timeout.
 * - A line is read up to the first `\n`; whatever else came with it is dropped, and the buffer
 *   (512 bytes) is cleared when it fills up without a newline.
 * - A status is exactly three digits followed by a space or the end of the line; the `\r` stays in
 *   the line, so a bare `220\r\n` is a bad greeting, and so is a multi-line `220-...` greeting.
 * - helo_name defaults to `smtpchecker.keepalived.org` (SMTP_DEFAULT_HELO).
 *
 * Texts: `Remote SMTP server X succeed on service.` when it goes up (smtp_final()); a failure is
 * logged as `SMTP_CHECK <why>` (e.g. `SMTP_CHECK Bad HELO response from server [ip]:port`), the
 * server being inet_sockaddrtopair() of the connect address; that is also the down text.
 */
import type { SmtpChecker } from '../../config/model.js';
import { alertText, loopTiming, sameConnection, type CheckerType } from '../checker-type.js';
import type { FailureReason, ProbeOutcome } from '../probe.js';
import { errnoCode, runAttempt, warnUnsupportedOptions } from './attempt.js';
import { openTcp } from './tcp.js';

export const SMTP_DEFAULT_HELO = 'smtpchecker.keepalived.org';
const SMTP_BUFF_MAX = 512;

/** smtp_get_status(): the three-digit status at the start of a line, or -1. */
export function smtpStatus(line: string): number {
  const m = /^(\d{3})(?: |$)/.exec(line);
  return m ? Number(m[1]) : -1;
}

export const smtpCheck: CheckerType<SmtpChecker> = {
  type: 'SMTP_CHECK',
  texts: {
    up: (display) => `Remote SMTP server ${display} succeed on service.`,
    down: (display, _retries, _target, last) =>
      last.ok ? `SMTP_CHECK on service ${display} failed.` : last.detail,
    // check_smtp.c has no alert text of its own: check_http.c's plain one.
    alert: alertText('CHECK'),
  },
  timing: loopTiming,
  // Connect, greeting, HELO, its reply, QUIT, its reply: connect_timeout each (check_smtp.c).
  attemptLimitMs: (c) => c.connectTimeoutMs * 6,
  // compare_smtp_check(): the connection and the HELO name.
  sameTarget: (a, b) => sameConnection(a, b) && a.heloName === b.heloName,
  create(checker, target, deps) {
    warnUnsupportedOptions(checker, target.display, deps);
    const server = `[${checker.connectIp}]:${checker.connectPort}`;
    const helo = checker.heloName === '' ? SMTP_DEFAULT_HELO : checker.heloName;
    const stepMs = checker.connectTimeoutMs;
    const unreachable = `Network unreachable for server ${checker.connectIp} - real server [${target.rs.address}]:${target.rs.port}`;
    return {
      attempt: (signal) =>
        runAttempt(signal, (scope) => {
          const final = (reason: FailureReason, why: string): void => scope.fail(reason, `SMTP_CHECK ${why}`);
          let step: 'connect' | 'read' | 'write' = 'connect';
          // What the socket delivered and nobody has read yet (keepalived leaves it in the kernel).
          const unread: Buffer[] = [];
          let eof = false;
          let line: Buffer = Buffer.alloc(0);
          let onLine: ((text: string) => void) | null = null;

          const readFailure = (): void => final('reset', `Read failure from server ${server}`);
          const drain = (): void => {
            while (onLine !== null) {
              const chunk = unread.shift();
              if (chunk === undefined) {
                if (eof) readFailure();
                return;
              }
              if (line.length >= SMTP_BUFF_MAX - 1) line = Buffer.alloc(0);
              const room = SMTP_BUFF_MAX - 1 - line.length;
              if (chunk.length > room) unread.unshift(chunk.subarray(room));
              line = Buffer.concat([line, chunk.subarray(0, room)]);
              const nl = line.indexOf(0x0a);
              if (nl >= 0) {
                const text = line.subarray(0, nl).toString('latin1');
                const then = onLine;
                onLine = null;
                then(text);
              }
            }
          };
          const readLine = (then: (text: string) => void): void => {
            step = 'read';
            line = Buffer.alloc(0);
            onLine = then;
            scope.arm(stepMs, () => final('timeout', `Read timeout from server ${server}`));
            drain();
            if (onLine !== null) socket.resume();
          };
          const writeLine = (text: string, then: () => void): void => {
            step = 'write';
            scope.arm(stepMs, () => final('timeout', `Write timeout to server ${server}`));
            socket.write(`${text}\r\n`, 'latin1', (err) => {
              if (scope.settled) return;
              if (err) final('reset', `Write failure to server ${server}`);
              else then();
            });
          };

          // allowHalfOpen: a write after the server's FIN succeeds, as in C, and the next read fails.
          const socket = openTcp(
            checker,
            scope,
            (err) => {
              if (step === 'connect') {
                if (errnoCode(err) === 'ETIMEDOUT')
                  final('connect-timeout', `Connection timeout to server ${server}`);
                else if (errnoCode(err) === 'ENETUNREACH') final('unreachable', unreachable);
                else
                  final(
                    errnoCode(err) === 'ECONNREFUSED' ? 'refused' : 'error',
                    `Could not connect to server ${server}`,
                  );
              } else if (step === 'write') final('reset', `Write failure to server ${server}`);
              else readFailure();
            },
            true,
          );
          socket.on('data', (chunk: Buffer) => {
            unread.push(chunk);
            drain();
            // Between reads the data waits in the kernel, as in keepalived (and memory stays bounded).
            if (onLine === null) socket.pause();
          });
          socket.on('end', () => {
            eof = true;
            drain();
          });
          scope.arm(stepMs, () => final('connect-timeout', `Connection timeout to server ${server}`));
          socket.once('connect', () => {
            readLine((banner) => {
              if (smtpStatus(banner) !== 220)
                return final('protocol', `Bad greeting banner from server ${server}`);
              writeLine(`HELO ${helo}`, () =>
                readLine((reply) => {
                  if (smtpStatus(reply) !== 250)
                    return final('protocol', `Bad HELO response from server ${server}`);
                  writeLine('QUIT', () => readLine(() => scope.finish(SUCCEEDED)));
                }),
              );
            });
          });
        }),
      close: () => undefined,
    };
  },
};

const SUCCEEDED: ProbeOutcome = { ok: true };
