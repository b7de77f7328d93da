/**
 * keepalived's names for services in checker logs (check_data.c format_vs(), format_rs()):
 * `[192.0.2.21]:tcp:80`, `[2001:db8::21]:tcp:80`, `FWM 1`, `[group]:80`. Pure.
 */
import type { L4Protocol, RealServer, VirtualServer } from '../config/model.js';

const protoLabel = (p: L4Protocol | null): string => (p === null ? 'none' : p.toLowerCase());

/** `[ip]:proto:port`. */
export function formatService(address: string, protocol: L4Protocol | null, port: number): string {
  return `[${address}]:${protoLabel(protocol)}:${port}`;
}

/** FMT_RS: a real server of `vs`. */
export const formatRs = (rs: RealServer, vs: VirtualServer): string =>
  formatService(rs.address, vs.key.kind === 'fwmark' ? null : vs.protocol, rs.port);
