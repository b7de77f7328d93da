/**
 * A TCP socket bound with SO_REUSEPORT, for net.Server.listen({ fd }): Node 20's net module cannot
 * set the option, so the addon opens and binds it. Each data-plane worker binds its own socket to
 * the same address and port; the kernel then spreads incoming connections across the listeners by
 * a hash of the 4-tuple (socket(7), SO_REUSEPORT; the sockets must belong to one effective uid).
 * The listen(2) itself is Node's: it adopts the descriptor, so closing the server closes it.
 */
import { parseIp } from '../lib/ip.js';
import { SOCK, rawSock } from './native.js';
import { sockaddrIn, sockaddrIn6 } from './sockaddr.js';

/**
 * socket(), SO_REUSEADDR and SO_REUSEPORT (and IPV6_V6ONLY, as Node's ipv6Only), bind(). Throws the
 * addon's errno error (code EADDRNOTAVAIL while the VIP is not on this host, EADDRINUSE when a
 * socket without SO_REUSEPORT holds the port); the descriptor is closed on failure.
 */
export function bindReusePort(address: string, port: number): number {
  const ip = parseIp(address);
  if (ip === undefined) throw new Error(`not an IP address: ${address}`);
  const addon = rawSock();
  const v6 = ip.family === 'inet6';
  const fd = addon.socket(
    v6 ? SOCK.AF_INET6 : SOCK.AF_INET,
    SOCK.SOCK_STREAM | SOCK.SOCK_NONBLOCK | SOCK.SOCK_CLOEXEC,
    0,
  );
  try {
    addon.setsockopt(fd, SOCK.SOL_SOCKET, SOCK.SO_REUSEADDR, 1);
    addon.setsockopt(fd, SOCK.SOL_SOCKET, SOCK.SO_REUSEPORT, 1);
    if (v6) addon.setsockopt(fd, SOCK.IPPROTO_IPV6, SOCK.IPV6_V6ONLY, 1);
    addon.bind(fd, v6 ? sockaddrIn6(ip.bytes, 0, port) : sockaddrIn(ip.bytes, port));
    return fd;
  } catch (err) {
    addon.close(fd);
    throw err;
  }
}
