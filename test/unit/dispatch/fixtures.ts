/** Shared builders for the dispatcher's pure tests: a service and named destinations. */
import type { LbAlgo } from '../../../src/config/model.js';
import { newDestination, type Client, type Destination, type Service } from '../../../src/dispatch/model.js';

export interface DestSpec {
  readonly weight: number;
  readonly active?: number;
  readonly inact?: number;
  readonly overloaded?: boolean;
}

/** Destinations A, B, C, … at 10.0.0.1, 10.0.0.2, … port 80. */
export function dests(...specs: DestSpec[]): Destination[] {
  return specs.map((s, i) => {
    const d = newDestination(`10.0.0.${i + 1}`, 80, s.weight);
    d.activeConns = s.active ?? 0;
    d.inactConns = s.inact ?? 0;
    d.overloaded = s.overloaded ?? false;
    return d;
  });
}

export function weights(...ws: number[]): Destination[] {
  return dests(...ws.map((weight) => ({ weight })));
}

/** The letter of a destination made by dests(): 10.0.0.1 → A. */
export function nameOf(d: Destination | null | undefined): string {
  if (d === null || d === undefined) return '-';
  return String.fromCharCode(64 + Number(d.address.split('.')[3]));
}

export function service(
  destinations: Destination[],
  opts: { scheduler?: LbAlgo; flags?: string[]; timeoutMs?: number; prefix?: number; vip?: string } = {},
): Service {
  return {
    key: { kind: 'address', protocol: 'TCP', address: opts.vip ?? '10.0.0.100', port: 80 },
    scheduler: opts.scheduler ?? 'wlc',
    flags: opts.flags ?? [],
    persistenceTimeoutMs: opts.timeoutMs ?? 0,
    persistencePrefix: opts.prefix ?? 32,
    dests: destinations,
  };
}

export function client(address: string, port = 40000): Client {
  return { address, port };
}
