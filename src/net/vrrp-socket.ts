/**
 * VRRP sockets on Linux (port VrrpSockets, ports.ts): per interface and family a receive socket
 * (raw IP protocol 112, bound to the device, joined to 224.0.0.18 / ff02::12) and a send socket
 * (bound to our source address and the device, TTL / hop limit 255, multicast loop off, TOS
 * 0xc0 for IPv4 like keepalived), as keepalived's socket pool does (vrrp_scheduler.c).
 *
 * Received packets go through the codec's checks, so the socket only reports what it saw: the
 * IPv4 header's TTL, source and destination (raw IPv4 sockets deliver the header), or for IPv6
 * the hop limit and destination from IPV6_HOPLIMIT / IPV6_PKTINFO ancillary data.
 */
import { parseControl } from './cmsg.js';
import { isErrno, rawSock, SOCK, type PollHandle, type RawSock } from './native.js';
import type { VrrpChannel, VrrpChannelOptions, VrrpSockets } from './ports.js';
import { addressOf, ipMreqn, ipv6Mreq, sockaddrIn, sockaddrIn6 } from './sockaddr.js';
import { KaError } from '../lib/errors.js';

const TYPE = SOCK.SOCK_RAW | SOCK.SOCK_NONBLOCK | SOCK.SOCK_CLOEXEC;
/** DSCP CS6 (network control), as keepalived sends. */
const TOS_CS6 = 0xc0;
const MAX_DATAGRAM = 65_535;
/** At most this many packets per readiness callback, so a flood cannot starve the event loop. */
const BATCH = 64;

export class LinuxVrrpSockets implements VrrpSockets {
  constructor(private readonly sock: RawSock = rawSock()) {}

  open(opts: VrrpChannelOptions): VrrpChannel {
    return opts.family === 'inet' ? this.open4(opts) : this.open6(opts);
  }

  private fd(family: number): number {
    try {
      return this.sock.socket(family, TYPE, SOCK.IPPROTO_VRRP);
    } catch (err) {
      if (isErrno(err, 'EPERM')) {
        throw new KaError(
          'KA_ERR_SOCKET_PERM',
          'opening a raw VRRP socket needs CAP_NET_RAW (run as root)',
          err,
        );
      }
      throw new KaError('KA_ERR_SOCKET', `cannot open a VRRP socket: ${(err as Error).message}`, err);
    }
  }

  private open4(o: VrrpChannelOptions): VrrpChannel {
    const s = this.sock;
    const device = Buffer.from(`${o.ifname}\0`);
    const rx = this.fd(SOCK.AF_INET);
    const tx = this.fd(SOCK.AF_INET);
    try {
      s.setsockopt(rx, SOCK.SOL_SOCKET, SOCK.SO_BINDTODEVICE, device);
      if (o.group) s.setsockopt(rx, SOCK.IPPROTO_IP, SOCK.IP_ADD_MEMBERSHIP, ipMreqn(o.group, o.ifindex));
      s.setsockopt(tx, SOCK.SOL_SOCKET, SOCK.SO_BINDTODEVICE, device);
      s.setsockopt(tx, SOCK.IPPROTO_IP, SOCK.IP_TOS, TOS_CS6);
      s.setsockopt(tx, SOCK.IPPROTO_IP, SOCK.IP_TTL, 255);
      s.setsockopt(tx, SOCK.IPPROTO_IP, SOCK.IP_MULTICAST_TTL, 255);
      s.setsockopt(tx, SOCK.IPPROTO_IP, SOCK.IP_MULTICAST_LOOP, 0);
      s.setsockopt(
        tx,
        SOCK.IPPROTO_IP,
        SOCK.IP_MULTICAST_IF,
        ipMreqn(new Uint8Array(4), o.ifindex, o.source),
      );
      // The send socket is never read: keep its receive queue tiny.
      s.setsockopt(tx, SOCK.SOL_SOCKET, SOCK.SO_RCVBUF, 256);
      s.bind(tx, sockaddrIn(o.source));
    } catch (err) {
      closeAll(s, [rx, tx]);
      throw new KaError('KA_ERR_SOCKET', `cannot set up VRRP on ${o.ifname}: ${(err as Error).message}`, err);
    }
    const receive = (): void => {
      for (let n = 0; n < BATCH; n++) {
        const m = s.recvmsg(rx, MAX_DATAGRAM, 0);
        if (!m) return;
        const ip = m.data;
        const v = ip.length < 20 ? 0 : ip.readUInt8(0);
        if (v >> 4 !== 4) continue;
        const ihl = (v & 0x0f) * 4;
        const total = Math.min(ip.readUInt16BE(2), ip.length);
        if (ihl < 20 || total < ihl) continue;
        o.onAdvert({
          payload: ip.subarray(ihl, total),
          meta: { family: 'inet', src: ip.subarray(12, 16), dst: ip.subarray(16, 20), ttl: ip.readUInt8(8) },
        });
      }
    };
    return new Channel(s, rx, tx, receive, (dst) => sockaddrIn(dst), o.onError);
  }

  private open6(o: VrrpChannelOptions): VrrpChannel {
    const s = this.sock;
    const device = Buffer.from(`${o.ifname}\0`);
    const rx = this.fd(SOCK.AF_INET6);
    const tx = this.fd(SOCK.AF_INET6);
    try {
      s.setsockopt(rx, SOCK.SOL_SOCKET, SOCK.SO_BINDTODEVICE, device);
      s.setsockopt(rx, SOCK.IPPROTO_IPV6, SOCK.IPV6_RECVHOPLIMIT, 1);
      s.setsockopt(rx, SOCK.IPPROTO_IPV6, SOCK.IPV6_RECVPKTINFO, 1);
      if (o.group) s.setsockopt(rx, SOCK.IPPROTO_IPV6, SOCK.IPV6_JOIN_GROUP, ipv6Mreq(o.group, o.ifindex));
      s.setsockopt(tx, SOCK.SOL_SOCKET, SOCK.SO_BINDTODEVICE, device);
      s.setsockopt(tx, SOCK.IPPROTO_IPV6, SOCK.IPV6_UNICAST_HOPS, 255);
      s.setsockopt(tx, SOCK.IPPROTO_IPV6, SOCK.IPV6_MULTICAST_HOPS, 255);
      s.setsockopt(tx, SOCK.IPPROTO_IPV6, SOCK.IPV6_MULTICAST_LOOP, 0);
      s.setsockopt(tx, SOCK.IPPROTO_IPV6, SOCK.IPV6_MULTICAST_IF, o.ifindex);
      s.setsockopt(tx, SOCK.SOL_SOCKET, SOCK.SO_RCVBUF, 256);
      s.bind(tx, sockaddrIn6(o.source, o.ifindex));
    } catch (err) {
      closeAll(s, [rx, tx]);
      throw new KaError(
        'KA_ERR_SOCKET',
        `cannot set up VRRP (IPv6) on ${o.ifname}: ${(err as Error).message}`,
        err,
      );
    }
    const receive = (): void => {
      for (let n = 0; n < BATCH; n++) {
        const m = s.recvmsg(rx, MAX_DATAGRAM, 256);
        if (!m) return;
        const src = addressOf(m.name);
        const control = parseControl(m.control);
        if (!src || !control.dst || control.ttl === undefined) continue;
        o.onAdvert({ payload: m.data, meta: { family: 'inet6', src, dst: control.dst, ttl: control.ttl } });
      }
    };
    return new Channel(s, rx, tx, receive, (dst) => sockaddrIn6(dst, o.ifindex), o.onError);
  }
}

class Channel implements VrrpChannel {
  private poll: PollHandle | undefined;
  private closed = false;

  constructor(
    private readonly s: RawSock,
    private readonly rx: number,
    private readonly tx: number,
    private readonly receive: () => void,
    private readonly sockaddr: (dst: Uint8Array) => Buffer,
    private readonly onError: (err: Error) => void,
  ) {
    this.poll = s.poll(rx, (status) => {
      if (this.closed) return;
      if (status < 0) {
        this.onError(new KaError('KA_ERR_SOCKET', `poll error ${status} on a VRRP socket`));
        return;
      }
      this.receivePending();
    });
  }

  /** The socket is non-blocking: with nothing queued this is one recvmsg() that finds nothing. */
  receivePending(): void {
    if (this.closed) return;
    try {
      this.receive();
    } catch (err) {
      this.onError(err as Error);
    }
  }

  send(payload: Uint8Array, dst: Uint8Array): void {
    if (this.closed) return;
    try {
      this.s.sendto(this.tx, payload, this.sockaddr(dst));
    } catch (err) {
      this.onError(err as Error);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.poll) this.s.pollStop(this.poll);
    this.poll = undefined;
    closeAll(this.s, [this.rx, this.tx]);
  }
}

function closeAll(s: RawSock, fds: readonly number[]): void {
  for (const fd of fds) {
    try {
      s.close(fd);
    } catch {
      // Already closed: nothing left to release.
    }
  }
}
