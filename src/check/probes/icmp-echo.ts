/**
 * One ICMP / ICMPv6 echo through the native addon (src/net/native.ts), for PING_CHECK.
 *
 * Two kinds of socket, tried in this order:
 * - `raw` (SOCK_RAW, needs root or CAP_NET_RAW, as keepalived runs): we pick the echo id and
 *   match replies on source address, id and sequence, since a raw socket sees every ICMP packet
 *   the host receives (ICMPv6: narrowed with ICMP6_FILTER). An ICMP destination unreachable that
 *   quotes our request ends the wait at once.
 * - `ping` (SOCK_DGRAM "ping socket", what keepalived check_ping.c uses): no privilege, but only
 *   for groups in net.ipv4.ping_group_range (which also governs IPv6). keepalived widens that
 *   range to "0 <max>" when it reads a PING_CHECK (set_ping_group_range()); a probe does not
 *   change system settings, so here it is used only if the range already lets us in (systemd
 *   opens it to every group by default) and the raw socket was refused (EPERM/EACCES). The
 *   kernel picks the id and hands the socket only its own replies; with IP(V6)_RECVERR an ICMP
 *   error comes back as a receive error.
 * The request is keepalived's: an echo header and 128 bytes of `keepalived check - ` repeated
 * (ping_it(), set_buf()), sequence numbers from one counter for the whole process.
 */
import { randomInt } from 'node:crypto';
import { parseIp } from '../../lib/ip.js';
import { isErrno, rawSock, SOCK, type RawSock } from '../../net/native.js';
import { addressOf, sockaddrIn, sockaddrIn6 } from '../../net/sockaddr.js';
import { internetChecksum } from '../../lib/checksum.js';
import { IPPROTO_ICMP, IPPROTO_ICMPV6 } from '../../lib/ip-proto.js';
import { keepalivedFiller } from './udp.js';

export type IcmpSocketKind = 'raw' | 'ping';

export type EchoResult =
  | { readonly kind: 'reply' }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'unreachable'; readonly detail: string }
  | { readonly kind: 'error'; readonly detail: string }
  | { readonly kind: 'aborted' };

export interface EchoOptions {
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  /** Socket kinds to try, in order (default raw, then ping). */
  readonly kinds?: readonly IcmpSocketKind[];
  readonly sock?: RawSock;
}

const ICMP_BUFSIZE = 128;
const IP_RECVERR = 11;
const IPV6_RECVERR = 25;
const ICMP = { ECHO_REPLY: 0, DEST_UNREACH: 3, ECHO: 8 } as const;
const ICMP6 = { DEST_UNREACH: 1, ECHO: 128, ECHO_REPLY: 129 } as const;

let seqNo = 0;

/** An echo request: type, code, checksum, id, sequence, then keepalived's filler. */
export function echoRequest(v6: boolean, id: number, seq: number): Buffer {
  const packet = Buffer.concat([Buffer.alloc(8), keepalivedFiller(ICMP_BUFSIZE)]);
  packet[0] = v6 ? ICMP6.ECHO : ICMP.ECHO;
  packet.writeUInt16BE(id & 0xffff, 4);
  packet.writeUInt16BE(seq & 0xffff, 6);
  // ICMPv6 (and ping sockets) get their checksum from the kernel; raw ICMPv4 does not.
  if (!v6) packet.writeUInt16BE(internetChecksum(packet), 2);
  return packet;
}

export interface EchoMatch {
  readonly v6: boolean;
  /** Raw IPv4 sockets deliver the IP header too. */
  readonly withIpHeader: boolean;
  readonly dst: Uint8Array;
  /** null: the kernel matched the id already (ping socket). */
  readonly id: number | null;
  readonly seq: number;
}

const sameBytes = (a: Uint8Array | undefined, b: Uint8Array): boolean =>
  a !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);

/** Does `icmp` (an ICMP message) carry our echo request `m`? */
function quotesOurEcho(icmp: Uint8Array, m: EchoMatch): boolean {
  if (icmp.length < 8 || icmp[0] !== (m.v6 ? ICMP6.ECHO : ICMP.ECHO)) return false;
  const view = Buffer.from(icmp.buffer, icmp.byteOffset, icmp.byteLength);
  return (m.id === null || view.readUInt16BE(4) === m.id) && view.readUInt16BE(6) === m.seq;
}

/**
 * What a received datagram says about our echo: a reply, an unreachable (with its code), or
 * nothing (someone else's traffic).
 */
export function classifyIcmp(
  data: Buffer,
  from: Uint8Array | undefined,
  m: EchoMatch,
): { readonly kind: 'reply' } | { readonly kind: 'unreachable'; readonly code: number } | null {
  let icmp = data;
  let src = from;
  if (m.withIpHeader) {
    if (data.length < 20) return null;
    const ihl = ((data[0] as number) & 0x0f) * 4;
    src = data.subarray(12, 16);
    icmp = data.subarray(ihl);
  }
  if (icmp.length < 8) return null;
  const type = icmp[0];
  if (type === (m.v6 ? ICMP6.ECHO_REPLY : ICMP.ECHO_REPLY)) {
    // A raw socket sees everyone's replies; a ping socket only its own (the kernel matched the id).
    if (m.id !== null && (!sameBytes(src, m.dst) || icmp.readUInt16BE(4) !== m.id)) return null;
    return icmp.readUInt16BE(6) === m.seq ? { kind: 'reply' } : null;
  }
  if (type === (m.v6 ? ICMP6.DEST_UNREACH : ICMP.DEST_UNREACH)) {
    const inner = icmp.subarray(8);
    if (m.v6) {
      if (inner.length < 48 || inner[6] !== IPPROTO_ICMPV6 || !sameBytes(inner.subarray(24, 40), m.dst))
        return null;
      return quotesOurEcho(inner.subarray(40), m) ? { kind: 'unreachable', code: icmp[1] as number } : null;
    }
    if (inner.length < 28 || inner[9] !== IPPROTO_ICMP || !sameBytes(inner.subarray(16, 20), m.dst))
      return null;
    const innerIhl = ((inner[0] as number) & 0x0f) * 4;
    return quotesOurEcho(inner.subarray(innerIhl), m)
      ? { kind: 'unreachable', code: icmp[1] as number }
      : null;
  }
  return null;
}

/** ICMP6_FILTER passing only echo replies and destination unreachables (bit set: blocked). */
function icmp6Filter(): Buffer {
  const f = Buffer.alloc(32, 0xff);
  for (const type of [ICMP6.ECHO_REPLY, ICMP6.DEST_UNREACH]) {
    const word = type >> 5;
    f.writeUInt32LE((f.readUInt32LE(word * 4) & ~(1 << (type & 31))) >>> 0, word * 4);
  }
  return f;
}

/** Open an ICMP socket of the first kind the kernel lets us have. */
function openIcmp(
  sock: RawSock,
  v6: boolean,
  kinds: readonly IcmpSocketKind[],
): { fd: number; kind: IcmpSocketKind } | { error: string } {
  const family = v6 ? SOCK.AF_INET6 : SOCK.AF_INET;
  const proto = v6 ? SOCK.IPPROTO_ICMPV6 : IPPROTO_ICMP;
  const flags = SOCK.SOCK_NONBLOCK | SOCK.SOCK_CLOEXEC;
  let last = 'no ICMP socket kind to try';
  for (const kind of kinds) {
    let fd: number;
    try {
      fd = sock.socket(family, (kind === 'raw' ? SOCK.SOCK_RAW : SOCK.SOCK_DGRAM) | flags, proto);
    } catch (err) {
      last = `ICMP${v6 ? 'v6' : ''} ${kind} socket: ${err instanceof Error ? err.message : String(err)}`;
      if (isErrno(err, 'EPERM') || isErrno(err, 'EACCES')) continue;
      return { error: last };
    }
    try {
      if (kind === 'raw' && v6) sock.setsockopt(fd, SOCK.IPPROTO_ICMPV6, SOCK.ICMP6_FILTER, icmp6Filter());
      if (kind === 'ping') {
        if (v6) sock.setsockopt(fd, SOCK.IPPROTO_IPV6, IPV6_RECVERR, 1);
        else sock.setsockopt(fd, SOCK.IPPROTO_IP, IP_RECVERR, 1);
      }
    } catch (err) {
      sock.close(fd);
      return { error: `ICMP socket options: ${err instanceof Error ? err.message : String(err)}` };
    }
    return { fd, kind };
  }
  return { error: last };
}

const UNREACHABLE_ERRNOS = ['EHOSTUNREACH', 'ENETUNREACH', 'ECONNREFUSED', 'EHOSTDOWN', 'ENETDOWN'];
const unreachableErrno = (err: unknown): boolean => UNREACHABLE_ERRNOS.some((code) => isErrno(err, code));
const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Send one echo request to `address` and wait for its reply. Never throws or rejects. */
export function echoOnce(address: string, opts: EchoOptions): Promise<EchoResult> {
  if (opts.signal.aborted) return Promise.resolve({ kind: 'aborted' });
  const ip = parseIp(address);
  if (!ip) return Promise.resolve({ kind: 'error', detail: `not an IP address: ${address}` });
  const v6 = ip.family === 'inet6';
  let sock: RawSock;
  try {
    sock = opts.sock ?? rawSock();
  } catch (err) {
    return Promise.resolve({ kind: 'error', detail: message(err) });
  }
  const opened = openIcmp(sock, v6, opts.kinds ?? ['raw', 'ping']);
  if ('error' in opened) return Promise.resolve({ kind: 'error', detail: opened.error });
  const { fd, kind } = opened;

  return new Promise<EchoResult>((resolve) => {
    let poll: ReturnType<RawSock['poll']> | undefined;
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    const finish = (result: EchoResult): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      opts.signal.removeEventListener('abort', onAbort);
      try {
        if (poll) sock.pollStop(poll); // before the close: libuv must not watch a closed fd
      } catch {
        // already stopped
      }
      try {
        sock.close(fd);
      } catch {
        // nothing more to release
      }
      resolve(result);
    };
    const onAbort = (): void => finish({ kind: 'aborted' });
    const seq = seqNo++ & 0xffff;
    const id = kind === 'raw' ? randomInt(0x10000) : null;
    const match: EchoMatch = { v6, withIpHeader: kind === 'raw' && !v6, dst: ip.bytes, id, seq };

    const onReadable = (status: number): void => {
      if (done) return;
      if (status < 0) return finish({ kind: 'error', detail: `poll error ${status}` });
      try {
        for (let msg = sock.recvmsg(fd, 2048, 0); msg !== null && !done; msg = sock.recvmsg(fd, 2048, 0)) {
          const seen = classifyIcmp(msg.data, addressOf(msg.name), match);
          if (seen?.kind === 'reply') return finish({ kind: 'reply' });
          if (seen?.kind === 'unreachable')
            return finish({ kind: 'unreachable', detail: `destination unreachable (code ${seen.code})` });
        }
      } catch (err) {
        // A ping socket with IP(V6)_RECVERR reports the ICMP error for our request here.
        finish(
          unreachableErrno(err)
            ? { kind: 'unreachable', detail: message(err) }
            : { kind: 'error', detail: message(err) },
        );
      }
    };

    try {
      poll = sock.poll(fd, onReadable);
      opts.signal.addEventListener('abort', onAbort, { once: true });
      timer = setTimeout(() => finish({ kind: 'timeout' }), opts.timeoutMs);
      const to = v6 ? sockaddrIn6(ip.bytes) : sockaddrIn(ip.bytes);
      sock.sendto(fd, echoRequest(v6, id ?? 0, seq), to);
    } catch (err) {
      // keepalived ping_it(): a failed send fails the attempt at once.
      finish(
        unreachableErrno(err)
          ? { kind: 'unreachable', detail: message(err) }
          : { kind: 'error', detail: message(err) },
      );
    }
  });
}
