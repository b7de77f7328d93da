/**
 * The dispatcher's table, as IPVS keeps it (ip_vs_service / ip_vs_dest): virtual services and
 * their destinations with weights and connection counters. Pure data; the schedulers
 * (schedulers/) read it, the data plane updates the counters, the checkers set the weights.
 */
import type { L4Protocol, LbAlgo } from '../config/model.js';

export interface Destination {
  readonly address: string;
  readonly port: number;
  /** 0: quiesced (no new connections; existing ones go on). */
  weight: number;
  /** Established connections (ipvsadm ActiveConn). */
  activeConns: number;
  /** Connections not established any more or not yet (ipvsadm InActConn). */
  inactConns: number;
  /** Persistence templates pointing here (ipvsadm -Ln --persistent-conn). */
  persistConns: number;
  /** uthreshold / lthreshold (0: none): above upper the destination is overloaded until below lower. */
  readonly upperThreshold: number;
  readonly lowerThreshold: number;
  /** IP_VS_DEST_F_OVERLOAD: set by the thresholds; the schedulers skip it. */
  overloaded: boolean;
  /** The sorry server (added when quorum is lost). */
  readonly sorry: boolean;
}

export type ServiceKey =
  | {
      readonly kind: 'address';
      readonly protocol: L4Protocol;
      readonly address: string;
      readonly port: number;
    }
  | { readonly kind: 'fwmark'; readonly fwmark: number; readonly protocol: L4Protocol };

export interface Service {
  readonly key: ServiceKey;
  readonly scheduler: LbAlgo;
  /** IPVS scheduler flags: 'sh-port', 'sh-fallback', 'mh-port', 'mh-fallback', 'ops', ... */
  readonly flags: readonly string[];
  /** 0: no persistence. */
  readonly persistenceTimeoutMs: number;
  /** The client mask for persistence (IPv4 prefix length, or IPv6 prefix length). */
  readonly persistencePrefix: number;
  readonly dests: Destination[];
}

/** A client as the schedulers see it (sh, lblc, lblcr and mh hash the address; sh-port/mh-port the port). */
export interface Client {
  readonly address: string;
  readonly port: number;
}

export function newDestination(
  address: string,
  port: number,
  weight: number,
  opts: { upperThreshold?: number; lowerThreshold?: number; sorry?: boolean } = {},
): Destination {
  return {
    address,
    port,
    weight,
    activeConns: 0,
    inactConns: 0,
    persistConns: 0,
    upperThreshold: opts.upperThreshold ?? 0,
    lowerThreshold: opts.lowerThreshold ?? 0,
    overloaded: false,
    sorry: opts.sorry ?? false,
  };
}
