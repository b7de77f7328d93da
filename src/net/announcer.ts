/**
 * The Linux Announcer: gratuitous ARPs and unsolicited neighbour advertisements, built by garp.ts
 * and written whole (Ethernet header included) to one AF_PACKET raw socket, as keepalived 2.2.7
 * does (vrrp_arp.c, vrrp_ndisc.c). The socket's protocol is 0, so it receives nothing.
 *
 * Sending never throws: a failure (ENETDOWN on a link that is down, ENXIO/ENODEV for an interface
 * that has gone, EAGAIN/ENOBUFS when the queue is full, an address that is not of the right
 * family) is counted and reported through `onError`, like keepalived's "Error %d sending
 * gratuitous ARP" log line, and the frame is dropped.
 */
import { KaError } from '../lib/errors.js';
import { parseIpv4, parseIpv6 } from '../lib/ip.js';
import {
  ALL_NODES_MAC,
  BROADCAST_MAC,
  ETHERTYPE_ARP,
  ETHERTYPE_IPV6,
  garpFrame,
  unsolicitedNaFrame,
} from './garp.js';
import { isErrno, rawSock, SOCK, type RawSock } from './native.js';
import type { Announcer } from './ports.js';
import { sockaddrLl } from './sockaddr.js';

export type AnnounceKind = 'garp' | 'na';

/** One frame that could not be sent. */
export class AnnounceError extends KaError {
  constructor(
    readonly kind: AnnounceKind,
    readonly ifindex: number,
    readonly address: string,
    /** The errno name (ENETDOWN, ...) when the kernel refused the frame; null for bad arguments. */
    readonly errno: string | null,
    message: string,
    cause?: unknown,
  ) {
    super('KA_ERR_SOCKET', message, cause);
    this.name = 'AnnounceError';
  }
}

export interface AnnouncerStats {
  readonly garpSent: number;
  readonly naSent: number;
  readonly errors: number;
}

export interface AnnouncerOptions {
  /** Called once per frame that could not be sent. */
  readonly onError?: (err: AnnounceError) => void;
  /** The socket syscalls (tests may pass a fake); the native addon by default. */
  readonly sock?: RawSock;
}

const label = (kind: AnnounceKind): string =>
  kind === 'garp' ? 'gratuitous ARP' : 'unsolicited neighbour advert';

export class LinuxAnnouncer implements Announcer {
  private fd: number | null;
  private garpSent = 0;
  private naSent = 0;
  private errors = 0;

  constructor(
    private readonly sock: RawSock,
    fd: number,
    private readonly onError: ((err: AnnounceError) => void) | undefined,
  ) {
    this.fd = fd;
  }

  get stats(): AnnouncerStats {
    return { garpSent: this.garpSent, naSent: this.naSent, errors: this.errors };
  }

  garp(ifindex: number, mac: Uint8Array, address: string): void {
    const ip = parseIpv4(address);
    if (!ip) return this.fail('garp', ifindex, address, null, 'not an IPv4 address');
    this.send('garp', ifindex, mac, address, ETHERTYPE_ARP, BROADCAST_MAC, () => garpFrame(mac, ip));
  }

  unsolicitedNa(ifindex: number, mac: Uint8Array, address: string, router: boolean): void {
    const ip = parseIpv6(address);
    if (!ip) return this.fail('na', ifindex, address, null, 'not an IPv6 address');
    // keepalived sends it from the address it announces.
    this.send('na', ifindex, mac, address, ETHERTYPE_IPV6, ALL_NODES_MAC, () =>
      unsolicitedNaFrame(mac, ip, ip, router),
    );
  }

  close(): void {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    try {
      this.sock.close(fd);
    } catch {
      // Nothing to do about a failed close(2): the descriptor is gone either way.
    }
  }

  private send(
    kind: AnnounceKind,
    ifindex: number,
    mac: Uint8Array,
    address: string,
    etherType: number,
    dstMac: Uint8Array,
    build: () => Uint8Array,
  ): void {
    if (this.fd === null) return this.fail(kind, ifindex, address, null, 'the announcer is closed');
    if (mac.length !== 6)
      return this.fail(kind, ifindex, address, null, `MAC address of ${mac.length} bytes`);
    try {
      this.sock.sendto(this.fd, build(), sockaddrLl(ifindex, etherType, dstMac));
    } catch (err) {
      const errno = isErrno(err) ? err.code : null;
      const why = err instanceof Error ? err.message : String(err);
      return this.fail(kind, ifindex, address, errno, why, err);
    }
    if (kind === 'garp') this.garpSent++;
    else this.naSent++;
  }

  private fail(
    kind: AnnounceKind,
    ifindex: number,
    address: string,
    errno: string | null,
    why: string,
    cause?: unknown,
  ): void {
    this.errors++;
    const message = `cannot send ${label(kind)} for ${address} on interface index ${ifindex}: ${why}`;
    this.onError?.(new AnnounceError(kind, ifindex, address, errno, message, cause));
  }
}

/**
 * Open the announcer's socket: AF_PACKET, SOCK_RAW, non-blocking, close-on-exec. Throws a KaError
 * (KA_ERR_SOCKET_PERM without CAP_NET_RAW) when the socket cannot be made.
 */
export function openAnnouncer(opts: AnnouncerOptions = {}): LinuxAnnouncer {
  const sock = opts.sock ?? rawSock();
  let fd: number;
  try {
    fd = sock.socket(SOCK.AF_PACKET, SOCK.SOCK_RAW | SOCK.SOCK_NONBLOCK | SOCK.SOCK_CLOEXEC, 0);
  } catch (cause) {
    const perm = isErrno(cause, 'EPERM') || isErrno(cause, 'EACCES');
    throw new KaError(
      perm ? 'KA_ERR_SOCKET_PERM' : 'KA_ERR_SOCKET',
      perm
        ? 'cannot open the gratuitous ARP/NA socket: AF_PACKET needs CAP_NET_RAW'
        : 'cannot open the gratuitous ARP/NA socket',
      cause,
    );
  }
  // Build one frame of each kind now: V8 compiles on first call, and the first real use is a
  // takeover, where every millisecond counts.
  garpFrame(new Uint8Array(6), new Uint8Array(4));
  unsolicitedNaFrame(new Uint8Array(6), new Uint8Array(16), new Uint8Array(16), false);
  return new LinuxAnnouncer(sock, fd, opts.onError);
}
