/**
 * Which address a hashing scheduler keys on. sh and mh hash the packet's source (the client); dh,
 * lblc and lblcr hash the packet's destination, which for an address service is always the virtual
 * address the client connected to (so one VIP maps to one real server, as with IPVS). A fwmark
 * service has no single address and the embedded plane does not serve fwmark services; there the
 * client address stands in.
 */
import type { Client, Service } from '../model.js';

export function packetDestination(svc: Service, client: Client): string {
  return svc.key.kind === 'address' ? svc.key.address : client.address;
}

/** IPVS's SCHED1/SCHED2 service flags as keepalived names them for sh and mh. */
export function hasFlag(flags: readonly string[], name: 'fallback' | 'port', prefix: 'sh' | 'mh'): boolean {
  return flags.includes(`${prefix}-${name}`) || flags.includes(name === 'fallback' ? 'flag-1' : 'flag-2');
}
