/**
 * The native addon (native/rawsock.c, prebuilt in the package or built by node-gyp on install):
 * socket syscalls Node lacks.
 * Only this module loads it; everything else goes through the ports in src/net/.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { KaError } from '../lib/errors.js';

export interface RecvResult {
  /** The datagram (for IPv4 raw sockets: with its IP header). */
  readonly data: Buffer;
  /** The sender's sockaddr. */
  readonly name: Buffer;
  /** Ancillary data (struct cmsghdr ...), see cmsg.ts. */
  readonly control: Buffer;
  readonly flags: number;
  /** The datagram's real length (larger than data.length if it was truncated). */
  readonly length: number;
}

export interface PollHandle {
  readonly __brand: 'PollHandle';
}

export interface RawSock {
  socket(domain: number, type: number, protocol: number): number;
  setsockopt(fd: number, level: number, name: number, value: number | Uint8Array): void;
  bind(fd: number, addr: Uint8Array): void;
  sendto(fd: number, data: Uint8Array, addr: Uint8Array | null): number;
  recvmsg(fd: number, dataSize: number, controlSize: number): RecvResult | null;
  /**
   * Up to meta.length / 4 waiting datagrams with one recvmmsg(2), into the caller's buffers:
   * datagram i at data[i * slot], its sockaddr at names[i * 128], its ancillary data at
   * control[i * controlSize]; meta[4i..4i+3] = real length (may exceed slot), name length,
   * control length, msg_flags. Returns how many (0: none waiting).
   */
  recvmmsg(
    fd: number,
    data: Uint8Array,
    slot: number,
    names: Uint8Array,
    control: Uint8Array,
    controlSize: number,
    meta: Int32Array,
  ): number;
  /** SO_ATTACH_FILTER: a classic BPF program (struct sock_filter[] bytes, vrrp-filter.ts). */
  attachFilter(fd: number, program: Uint8Array): void;
  close(fd: number): void;
  /** Calls back (status, events) whenever fd is readable, on Node's event loop. */
  poll(fd: number, onReadable: (status: number, events: number) => void): PollHandle;
  pollStop(handle: PollHandle): void;
}

/** sd_notify's datagram (daemon/sd-notify.ts); not part of RawSock, the port the net/ fakes implement. */
export interface UnixDgramSender {
  /**
   * Sends `data` as one datagram to the AF_UNIX SOCK_DGRAM socket at `path` ('@name': abstract)
   * from a fresh non-blocking socket, closed again. Returns the bytes sent.
   */
  sendUnixDgram(path: string, data: Uint8Array): number;
}

/** Real-time signals, which Node cannot name (daemon/dump-signals.ts). */
export interface SignalCatcher {
  /**
   * Installs a process-wide handler for each signal number; each delivery writes the number as one
   * byte to a datagram socket whose reading end (returned, the same for every call) is read with
   * poll() and recvmsg().
   */
  catchSignals(signals: readonly number[]): number;
}

/** An error thrown by the addon: `code` is the errno name (EPERM, EAGAIN, ...). */
export interface ErrnoError extends Error {
  readonly code: string;
  readonly errno: number;
}

export const isErrno = (err: unknown, code?: string): err is ErrnoError =>
  err instanceof Error &&
  typeof (err as Partial<ErrnoError>).errno === 'number' &&
  (code === undefined || (err as ErrnoError).code === code);

/** Everything the addon exports. */
export type RawSockAddon = RawSock & UnixDgramSender & SignalCatcher;

let loaded: RawSockAddon | undefined;

export function rawSock(): RawSockAddon {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  // src/net/ and dist/net/ are both two levels below the package root. node-gyp-build loads a
  // local build (build/Release) if there is one, else the package's prebuilt binary for this
  // platform (prebuilds/, see native/build.mjs).
  const root = fileURLToPath(new URL('../../', import.meta.url));
  try {
    const load = require('node-gyp-build') as (dir: string) => unknown;
    loaded = load(root) as RawSockAddon;
  } catch (cause) {
    throw new KaError(
      'KA_ERR_NATIVE',
      'the native addon is neither built nor prebuilt for this platform: run `npm run build:native` (needs python3, make and a C compiler)',
      cause,
    );
  }
  return loaded;
}

/** Linux socket constants (the same on x86_64 and arm64). */
export const SOCK = {
  AF_INET: 2,
  AF_INET6: 10,
  AF_NETLINK: 16,
  AF_PACKET: 17,
  SOCK_STREAM: 1,
  SOCK_DGRAM: 2,
  SOCK_RAW: 3,
  SOCK_NONBLOCK: 0o4000,
  SOCK_CLOEXEC: 0o2000000,
  SOL_SOCKET: 1,
  SO_REUSEADDR: 2,
  SO_RCVBUF: 8,
  SO_REUSEPORT: 15,
  SO_BINDTODEVICE: 25,
  SO_RCVBUFFORCE: 33,
  SO_RXQ_OVFL: 40,
  IPPROTO_IP: 0,
  IPPROTO_IPV6: 41,
  IPPROTO_ICMPV6: 58,
  IPPROTO_VRRP: 112,
  IP_TOS: 1,
  IP_TTL: 2,
  IP_PKTINFO: 8,
  IP_RECVTTL: 12,
  IP_MULTICAST_IF: 32,
  IP_MULTICAST_TTL: 33,
  IP_MULTICAST_LOOP: 34,
  IP_ADD_MEMBERSHIP: 35,
  IPV6_CHECKSUM: 7,
  IPV6_UNICAST_HOPS: 16,
  IPV6_V6ONLY: 26,
  IPV6_MULTICAST_IF: 17,
  IPV6_MULTICAST_HOPS: 18,
  IPV6_MULTICAST_LOOP: 19,
  IPV6_JOIN_GROUP: 20,
  IPV6_RECVPKTINFO: 49,
  IPV6_PKTINFO: 50,
  IPV6_RECVHOPLIMIT: 51,
  IPV6_HOPLIMIT: 52,
  ICMP6_FILTER: 1,
  NETLINK_ROUTE: 0,
  SOL_NETLINK: 270,
  NETLINK_ADD_MEMBERSHIP: 1,
  ETH_P_ARP: 0x0806,
  ETH_P_IPV6: 0x86dd,
} as const;
