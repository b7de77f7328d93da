/**
 * VRRP sockets on Linux (port VrrpSockets, ports.ts). Per interface, family, source and group a
 * send socket (bound to our source address and the device, TTL / hop limit 255, multicast loop
 * off, TOS 0xc0 for IPv4 like keepalived), as keepalived's socket pool does (vrrp_scheduler.c);
 * and, unlike keepalived, one receive socket per VRID (raw IP protocol 112, bound to the device,
 * joined to 224.0.0.18 / ff02::12) with a BPF program that lets only that VRID in (vrrp-filter.ts).
 *
 * Why per VRID: keepalived reads every VRID of an interface from one socket, so a flood aimed at
 * one virtual router that outruns the reader fills the shared buffer and the kernel drops the
 * other routers' adverts too: their backups take over (issue 13's VI_2). With a socket each, a
 * flood fills only its own VRID's buffer. The cost: the kernel clones each VRRP packet once per
 * receive socket on the interface before the filters run (raw_v4_input()).
 *
 * Flood resilience (test/netns/vrrp-flood.test.ts): each wake-up drains the socket with recvmmsg()
 * batches into buffers allocated once, until it is empty or DRAIN_LIMIT packets have been read (then
 * the event loop runs its timers, and the level-triggered poll wakes us again). The receive buffer
 * is RCVBUF bytes (SO_RCVBUFFORCE, which CAP_NET_ADMIN allows past net.core.rmem_max), and
 * SO_RXQ_OVFL reports what the kernel still dropped, which `onOverflow` passes on.
 *
 * Received packets go through the codec's checks, so the socket only reports what it saw: the
 * IPv4 header's TTL, source and destination (raw IPv4 sockets deliver the header), or for IPv6
 * the hop limit and destination from IPV6_HOPLIMIT / IPV6_PKTINFO ancillary data. The payload and
 * address bytes passed to `onAdvert` are views of the shared buffers: valid during the call only.
 */
import { parseControl } from './cmsg.js';
import { isErrno, rawSock, SOCK, type PollHandle, type RawSock } from './native.js';
import type { VrrpChannel, VrrpChannelOptions, VrrpSockets } from './ports.js';
import { addressOf, ipMreqn, ipv6Mreq, sockaddrIn, sockaddrIn6 } from './sockaddr.js';
import { dropAll, encodeFilter, vridFilter } from './vrrp-filter.js';
import { KaError } from '../lib/errors.js';

const TYPE = SOCK.SOCK_RAW | SOCK.SOCK_NONBLOCK | SOCK.SOCK_CLOEXEC;
/** DSCP CS6 (network control), as keepalived sends. */
const TOS_CS6 = 0xc0;
/**
 * Receive buffer per VRID socket. The kernel charges each queued packet its skb's truesize
 * (about 1 KiB for a VRRP advert arriving over veth or Ethernet) against twice this value. 4 MiB
 * holds about 8,000 packets: a flood of 20,000 packets/s for 400 ms while the daemon cannot run
 * (a loaded CPU, a long GC pause), with the real adverts among them. Memory is only used while a
 * flood is queued. Without CAP_NET_ADMIN the kernel caps it at net.core.rmem_max.
 */
const RCVBUF = 4 * 1024 * 1024;
/** Packets per recvmmsg() call. */
const BATCH = 64;
/** Packets read per wake-up before the event loop gets a turn (timers, adverts to send). */
const DRAIN_LIMIT = 4096;
/**
 * Bytes per datagram: the largest advert is 4,088 bytes (VRRPv3, 255 IPv6 addresses); for IPv4
 * the slot also holds the IP header (at most 60 bytes) before a message of at most 1,036. A longer
 * packet is cut to this, which makes it fail the length check, as it would anyway.
 */
const SLOT = 4096;
const NAME_SLOT = 128;
/** Room for SO_RXQ_OVFL (IPv4), plus IPV6_HOPLIMIT and IPV6_PKTINFO (IPv6). */
const CONTROL = { inet: 32, inet6: 128 } as const;

/** The receive buffers, allocated once and reused by every socket: the event loop is one thread. */
const buffers = {
  data: Buffer.alloc(BATCH * SLOT),
  names: Buffer.alloc(BATCH * NAME_SLOT),
  control: Buffer.alloc(BATCH * CONTROL.inet6),
  meta: new Int32Array(BATCH * 4),
};

export class LinuxVrrpSockets implements VrrpSockets {
  constructor(private readonly sock: RawSock = rawSock()) {}

  open(opts: VrrpChannelOptions): VrrpChannel {
    return new Channel(this.sock, opts);
  }
}

interface Receiver {
  readonly fd: number;
  poll: PollHandle | undefined;
  /** The last SO_RXQ_OVFL count seen (the kernel's running total for this socket). */
  dropped: number;
}

class Channel implements VrrpChannel {
  private readonly tx: number;
  private readonly receivers = new Map<number, Receiver>();
  private closed = false;
  /** A drain is running: a nested receivePending() (from a callback) leaves the rest to it. */
  private draining = false;

  constructor(
    private readonly sock: RawSock,
    private readonly options: VrrpChannelOptions,
  ) {
    this.tx = this.openSender();
  }

  private socket(): number {
    const family = this.options.family === 'inet' ? SOCK.AF_INET : SOCK.AF_INET6;
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

  private setUp(fd: number, what: string, steps: () => void): void {
    try {
      steps();
    } catch (err) {
      closeAll(this.sock, [fd]);
      const v6 = this.options.family === 'inet6' ? ' (IPv6)' : '';
      throw new KaError(
        'KA_ERR_SOCKET',
        `cannot set up VRRP${v6} ${what} on ${this.options.ifname}: ${(err as Error).message}`,
        err,
      );
    }
  }

  private openSender(): number {
    const { sock: s, options: o } = this;
    const fd = this.socket();
    this.setUp(fd, 'sending', () => {
      s.setsockopt(fd, SOCK.SOL_SOCKET, SOCK.SO_BINDTODEVICE, Buffer.from(`${o.ifname}\0`));
      if (o.family === 'inet') {
        s.setsockopt(fd, SOCK.IPPROTO_IP, SOCK.IP_TOS, TOS_CS6);
        s.setsockopt(fd, SOCK.IPPROTO_IP, SOCK.IP_TTL, 255);
        s.setsockopt(fd, SOCK.IPPROTO_IP, SOCK.IP_MULTICAST_TTL, 255);
        s.setsockopt(fd, SOCK.IPPROTO_IP, SOCK.IP_MULTICAST_LOOP, 0);
        s.setsockopt(
          fd,
          SOCK.IPPROTO_IP,
          SOCK.IP_MULTICAST_IF,
          ipMreqn(new Uint8Array(4), o.ifindex, o.source),
        );
      } else {
        s.setsockopt(fd, SOCK.IPPROTO_IPV6, SOCK.IPV6_UNICAST_HOPS, 255);
        s.setsockopt(fd, SOCK.IPPROTO_IPV6, SOCK.IPV6_MULTICAST_HOPS, 255);
        s.setsockopt(fd, SOCK.IPPROTO_IPV6, SOCK.IPV6_MULTICAST_LOOP, 0);
        s.setsockopt(fd, SOCK.IPPROTO_IPV6, SOCK.IPV6_MULTICAST_IF, o.ifindex);
      }
      // The send socket is never read: its filter drops everything, and its queue stays tiny.
      s.attachFilter(fd, encodeFilter(dropAll()));
      s.setsockopt(fd, SOCK.SOL_SOCKET, SOCK.SO_RCVBUF, 256);
      s.bind(fd, o.family === 'inet' ? sockaddrIn(o.source) : sockaddrIn6(o.source, o.ifindex));
    });
    return fd;
  }

  listen(vrid: number): void {
    if (this.closed || this.receivers.has(vrid)) return;
    const { sock: s, options: o } = this;
    const fd = this.socket();
    this.setUp(fd, `receiving for VRID ${vrid}`, () => {
      // The filter first, so nothing for another VRID is queued in between.
      s.attachFilter(fd, encodeFilter(vridFilter(o.family, vrid)));
      s.setsockopt(fd, SOCK.SOL_SOCKET, SOCK.SO_BINDTODEVICE, Buffer.from(`${o.ifname}\0`));
      setReceiveBuffer(s, fd);
      s.setsockopt(fd, SOCK.SOL_SOCKET, SOCK.SO_RXQ_OVFL, 1);
      if (o.family === 'inet') {
        if (o.group) s.setsockopt(fd, SOCK.IPPROTO_IP, SOCK.IP_ADD_MEMBERSHIP, ipMreqn(o.group, o.ifindex));
      } else {
        s.setsockopt(fd, SOCK.IPPROTO_IPV6, SOCK.IPV6_RECVHOPLIMIT, 1);
        s.setsockopt(fd, SOCK.IPPROTO_IPV6, SOCK.IPV6_RECVPKTINFO, 1);
        if (o.group) s.setsockopt(fd, SOCK.IPPROTO_IPV6, SOCK.IPV6_JOIN_GROUP, ipv6Mreq(o.group, o.ifindex));
      }
    });
    const r: Receiver = { fd, poll: undefined, dropped: 0 };
    this.receivers.set(vrid, r);
    try {
      r.poll = s.poll(fd, (status) => {
        if (this.closed || this.receivers.get(vrid) !== r) return;
        if (status < 0) {
          this.options.onError(new KaError('KA_ERR_SOCKET', `poll error ${status} on a VRRP socket`));
          return;
        }
        this.drain(vrid, r);
      });
    } catch (err) {
      this.unlisten(vrid);
      throw new KaError('KA_ERR_SOCKET', `cannot poll a VRRP socket: ${(err as Error).message}`, err);
    }
  }

  unlisten(vrid: number): void {
    const r = this.receivers.get(vrid);
    if (!r) return;
    this.receivers.delete(vrid);
    if (r.poll) this.sock.pollStop(r.poll);
    closeAll(this.sock, [r.fd]);
  }

  /** The socket is non-blocking: with nothing queued this is one recvmmsg() that finds nothing. */
  receivePending(vrid: number): void {
    const r = this.receivers.get(vrid);
    if (!this.closed && r) this.drain(vrid, r);
  }

  private drain(vrid: number, r: Receiver): void {
    if (this.draining) return;
    this.draining = true;
    try {
      for (let read = 0; read < DRAIN_LIMIT && this.receivers.get(vrid) === r;) {
        const n = this.batch(vrid, r);
        read += n;
        if (n < BATCH) break;
      }
    } catch (err) {
      this.options.onError(err as Error);
    } finally {
      this.draining = false;
    }
  }

  /** One recvmmsg() and the adverts it read; returns how many it read. */
  private batch(vrid: number, r: Receiver): number {
    const { data, names, control, meta } = buffers;
    const csize = CONTROL[this.options.family];
    const n = this.sock.recvmmsg(r.fd, data, SLOT, names, control, csize, meta);
    let dropped = r.dropped;
    for (let i = 0; i < n; i++) {
      const length = Math.min(meta[4 * i] ?? 0, SLOT);
      const bytes = data.subarray(i * SLOT, i * SLOT + length);
      const ctl = parseControl(control.subarray(i * csize, i * csize + (meta[4 * i + 2] ?? 0)));
      if (ctl.dropped !== undefined && ctl.dropped > dropped) dropped = ctl.dropped;
      if (this.options.family === 'inet') this.deliver4(bytes);
      else this.deliver6(bytes, names.subarray(i * NAME_SLOT, i * NAME_SLOT + (meta[4 * i + 1] ?? 0)), ctl);
    }
    if (dropped > r.dropped) {
      const delta = dropped - r.dropped;
      r.dropped = dropped;
      this.options.onOverflow?.(vrid, delta);
    }
    return n;
  }

  private deliver4(ip: Buffer): void {
    const v = ip.length < 20 ? 0 : (ip[0] as number);
    if (v >> 4 !== 4) return;
    const ihl = (v & 0x0f) * 4;
    const total = Math.min(ip.readUInt16BE(2), ip.length);
    if (ihl < 20 || total < ihl) return;
    this.options.onAdvert({
      payload: ip.subarray(ihl, total),
      meta: { family: 'inet', src: ip.subarray(12, 16), dst: ip.subarray(16, 20), ttl: ip[8] as number },
    });
  }

  private deliver6(payload: Buffer, name: Buffer, control: ReturnType<typeof parseControl>): void {
    const src = addressOf(name);
    if (!src || !control.dst || control.ttl === undefined) return;
    this.options.onAdvert({ payload, meta: { family: 'inet6', src, dst: control.dst, ttl: control.ttl } });
  }

  send(payload: Uint8Array, dst: Uint8Array): void {
    if (this.closed) return;
    try {
      this.sock.sendto(
        this.tx,
        payload,
        this.options.family === 'inet' ? sockaddrIn(dst) : sockaddrIn6(dst, this.options.ifindex),
      );
    } catch (err) {
      this.options.onError(err as Error);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const vrid of [...this.receivers.keys()]) this.unlisten(vrid);
    closeAll(this.sock, [this.tx]);
  }
}

/** SO_RCVBUFFORCE where allowed (CAP_NET_ADMIN), else SO_RCVBUF up to net.core.rmem_max. */
function setReceiveBuffer(s: RawSock, fd: number): void {
  try {
    s.setsockopt(fd, SOCK.SOL_SOCKET, SOCK.SO_RCVBUFFORCE, RCVBUF);
  } catch (err) {
    if (!isErrno(err, 'EPERM')) throw err;
    s.setsockopt(fd, SOCK.SOL_SOCKET, SOCK.SO_RCVBUF, RCVBUF);
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
