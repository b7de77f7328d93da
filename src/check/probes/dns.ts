/**
 * DNS_CHECK (keepalived check_dns.c): one UDP query to connect_ip:connect_port and its answer,
 * all within connect_timeout.
 *
 * - The query (dns_make_query()): a random id, flags with only RD set, one question of `type` for
 *   `name` in class IN, no other records. `name` `.` (or empty) is the root.
 * - dns_recv_thread(): a datagram too short for a header, with another id, or that is not a
 *   response (QR clear) is ignored and the wait goes on; a response with a non-zero RCODE fails
 *   the attempt; any other response passes. Nothing else in the answer is looked at.
 * - An ICMP port unreachable shows as ECONNREFUSED on the connected socket: a failed read.
 *
 * Texts: every failure is logged `DNS_CHECK (X) <why>` (dns_log_message()); the one that takes
 * the checker down gets ` after N retries` appended (dns_final()). keepalived logs no line of
 * its own when a DNS_CHECK goes up: `texts.up` is the empty string.
 */
import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { constants as osConstants } from 'node:os';
import type { DnsChecker, DnsQueryType } from '../../config/model.js';
import { alertText, connectLimitMs, loopTiming, sameConnection, type CheckerType } from '../checker-type.js';
import type { FailureReason, ProbeOutcome } from '../probe.js';
import { errnoCode, runAttempt, warnUnsupportedOptions } from './attempt.js';
import { bindThen } from './udp-bind.js';

/** Each query type's number (RFC 1035 §3.2.2, RFC 3596, RFC 4034). */
export const DNS_TYPES: Readonly<Record<DnsQueryType, number>> = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  RRSIG: 46,
  DNSKEY: 48,
};

const DNS_HEADER_LEN = 12;
const FLAG_QR = 0x8000;
const FLAG_RD = 0x0100;
const CLASS_IN = 1;

/** The query keepalived sends (dns_make_query()). */
export function dnsQuery(id: number, type: number, name: string): Buffer {
  const labels = name === '' || name === '.' ? [] : name.replace(/\.$/, '').split('.');
  const qname = Buffer.concat([
    ...labels.map((label) => {
      const bytes = Buffer.from(label, 'utf8');
      return Buffer.concat([Buffer.of(bytes.length & 0xff), bytes]);
    }),
    Buffer.of(0),
  ]);
  const header = Buffer.alloc(DNS_HEADER_LEN);
  header.writeUInt16BE(id & 0xffff, 0);
  header.writeUInt16BE(FLAG_RD, 2);
  header.writeUInt16BE(1, 4); // one question
  const question = Buffer.alloc(4);
  question.writeUInt16BE(type, 0);
  question.writeUInt16BE(CLASS_IN, 2);
  return Buffer.concat([header, qname, question]);
}

/** What a datagram means for the query with `id`: ignore it, or its RCODE. */
function dnsReply(msg: Buffer, id: number): { readonly rcode: number } | null {
  if (msg.length < DNS_HEADER_LEN || msg.readUInt16BE(0) !== id) return null;
  const flags = msg.readUInt16BE(2);
  if ((flags & FLAG_QR) === 0) return null;
  return { rcode: flags & 0x000f };
}

/** strerror() for the errors a UDP socket reports, as keepalived's `errno %d (%s)` prints them. */
const STRERROR: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'Connection refused',
  EHOSTUNREACH: 'No route to host',
  ENETUNREACH: 'Network is unreachable',
  EHOSTDOWN: 'Host is down',
  ENETDOWN: 'Network is down',
  EPROTO: 'Protocol error',
};

function readError(err: unknown): string {
  const code = errnoCode(err) ?? 'EIO';
  const num = (osConstants.errno as Record<string, number | undefined>)[code] ?? -1;
  return `failed to read socket; errno ${num} (${STRERROR[code] ?? code})`;
}

const readReason = (err: unknown): FailureReason => {
  const code = errnoCode(err);
  if (code === 'ECONNREFUSED') return 'refused';
  return code === 'EHOSTUNREACH' || code === 'ENETUNREACH' ? 'unreachable' : 'error';
};

export const dnsCheck: CheckerType<DnsChecker> = {
  type: 'DNS_CHECK',
  texts: {
    up: () => '',
    down: (display, retries, _target, last) => {
      const text = last.ok ? `DNS_CHECK (${display}) failed` : last.detail;
      return retries > 0 ? `${text} after ${retries} retries` : text;
    },
    alert: alertText('DNS_CHECK:'),
  },
  timing: loopTiming,
  attemptLimitMs: connectLimitMs,
  // compare_dns_check(): the connection, the query type and the name.
  sameTarget: (a, b) => sameConnection(a, b) && a.queryType === b.queryType && a.name === b.name,
  create(checker, target, deps) {
    warnUnsupportedOptions(checker, target.display, deps);
    const prefix = `DNS_CHECK (${target.display}) `;
    const type = DNS_TYPES[checker.queryType];
    return {
      attempt: (signal) =>
        runAttempt(signal, (scope) => {
          const final = (reason: FailureReason, why: string): void => scope.fail(reason, prefix + why);
          const id = randomInt(0x10000);
          const query = dnsQuery(id, type, checker.name);
          let step: 'bind' | 'connect' | 'write' | 'read' = 'connect';
          const sock = createSocket({ type: isIPv6(checker.connectIp) ? 'udp6' : 'udp4' });
          scope.defer(() => sock.close());
          sock.on('error', (err) => {
            switch (step) {
              case 'bind':
                return final('error', 'UDP socket bind failed. Rescheduling.');
              case 'connect':
                return readReason(err) === 'unreachable'
                  ? final(
                      'unreachable',
                      `network unreachable for [${checker.connectIp}]:${checker.connectPort}`,
                    )
                  : final('error', 'connection error.');
              case 'write':
                return final(readReason(err), 'failed to write socket.');
              case 'read':
                return final(readReason(err), readError(err));
            }
          });
          sock.on('message', (msg) => {
            const reply = dnsReply(msg, id);
            if (reply === null) return; // not ours: keep waiting (dns_recv_thread())
            if (reply.rcode !== 0) final('dns', `read error occurred. (rcode = ${reply.rcode})`);
            else scope.finish(ANSWERED);
          });
          // One deadline for the whole exchange (the read waits for what is left of it).
          scope.arm(checker.connectTimeoutMs, () => final('timeout', 'read timeout from socket'));
          const send = (): void => {
            step = 'connect';
            sock.connect(checker.connectPort, checker.connectIp, () => {
              step = 'write';
              sock.send(query, (err) => {
                if (scope.settled) return;
                if (err) final(readReason(err), 'failed to write socket.');
                else step = 'read';
              });
            });
          };
          if (checker.bindTo !== null || checker.bindPort !== null) step = 'bind';
          bindThen(sock, checker, send);
        }),
      close: () => undefined,
    };
  },
};

const ANSWERED: ProbeOutcome = { ok: true };
