/**
 * What the daemon's thread and the data-plane workers say to each other over the worker's
 * MessagePort (structured clone: plain data only). The main thread owns the table (services and
 * their real servers) and replays it to a restarted worker; a worker owns the sockets, the
 * schedulers, persistence and the connection counters, and reports events and stats back.
 */
import type { LbAlgo } from '../config/model.js';

/** One virtual service (IPVS ip_vs_service_user, plus what a userspace proxy needs). */
export interface ServiceSpec {
  readonly protocol: 'TCP' | 'UDP';
  readonly address: string;
  readonly port: number;
  readonly scheduler: LbAlgo;
  /** IPVS scheduler flags ('sh-port', 'sh-fallback', ...). */
  readonly flags: readonly string[];
  /** persistence_timeout in ms; 0: none. */
  readonly persistenceTimeoutMs: number;
  /** persistence_granularity as a prefix length. */
  readonly persistencePrefix: number;
  /** The whole budget for reaching a real server, retries to the next pick included. */
  readonly connectTimeoutMs: number;
  /** `lvs_timeouts udp` (IPVS default 300 s): a UDP flow idle this long is forgotten. */
  readonly udpIdleTimeoutMs: number;
  /** Send a PROXY protocol header to the real server first (TCP only). */
  readonly proxyProtocol: 'v1' | 'v2' | null;
}

/** One real server (IPVS ip_vs_dest_user). */
export interface DestSpec {
  readonly address: string;
  readonly port: number;
  /** 0: quiesced: no new connections, existing ones go on. */
  readonly weight: number;
  readonly sorry: boolean;
  /** uthreshold / lthreshold; 0: none. */
  readonly upperThreshold: number;
  readonly lowerThreshold: number;
}

export interface DestTotals {
  /** Connections scheduled to this real server (IPVS `conns`), failed connect attempts included. */
  readonly conns: number;
  /** Client → real server bytes (IPVS inbytes). */
  readonly bytesIn: number;
  /** Real server → client bytes (IPVS outbytes). */
  readonly bytesOut: number;
}

export interface DestStats {
  readonly address: string;
  readonly port: number;
  readonly weight: number;
  readonly activeConns: number;
  readonly inactConns: number;
  readonly persistConns: number;
  /** Connect attempts that failed (refused, unreachable, timed out), UDP ICMP errors included. */
  readonly connectFailures: number;
  readonly totals: DestTotals;
}

export interface ServiceStats {
  readonly id: string;
  /** FWM: a kernel IPVS fwmark service (address: the mark). */
  readonly protocol: 'TCP' | 'UDP' | 'SCTP' | 'FWM';
  readonly address: string;
  readonly port: number;
  /** The workers that serve it: every worker for a spread TCP service (plane.ts), none for the kernel's IPVS. */
  readonly workers: readonly number[];
  /** False while the address is not on this host yet (a BACKUP director) or the worker is restarting. */
  readonly listening: boolean;
  /** Clients (TCP) or datagrams of new flows (UDP) dropped because no real server could take them. */
  readonly noDestination: number;
  /** The real servers in the table; removed ones still draining are not listed (as ipvsadm -Ln). */
  readonly dests: readonly DestStats[];
}

/** Something the operator may want logged; the caller (daemon) decides how. */
export type PlaneEvent =
  | {
      readonly kind: 'listening';
      readonly worker: number;
      readonly service: string;
      readonly protocol: 'TCP' | 'UDP';
      readonly address: string;
      readonly port: number;
    }
  | {
      /** Reported once per failure code; retried every second and on addressAvailable(). */
      readonly kind: 'listen-failed';
      readonly worker: number;
      readonly service: string;
      readonly protocol: 'TCP' | 'UDP';
      readonly address: string;
      readonly port: number;
      readonly code: string;
      readonly message: string;
    }
  | {
      /** The first failure at once, then at most one per destination per second with the count since. */
      readonly kind: 'connect-failed';
      readonly worker: number;
      readonly service: string;
      readonly address: string;
      readonly port: number;
      readonly code: string;
      readonly count: number;
    }
  | {
      /** Rate-limited like connect-failed. */
      readonly kind: 'no-destination';
      readonly worker: number;
      readonly service: string;
      readonly count: number;
    }
  | {
      readonly kind: 'internal-error';
      readonly worker: number;
      readonly service: string | null;
      readonly message: string;
    }
  | {
      readonly kind: 'worker-exit';
      readonly worker: number;
      readonly code: number;
      readonly error: string | null;
    }
  | { readonly kind: 'worker-restarted'; readonly worker: number; readonly services: number };

export type ToWorker =
  | { readonly type: 'set-service'; readonly id: string; readonly spec: ServiceSpec }
  | { readonly type: 'remove-service'; readonly id: string }
  | { readonly type: 'set-dest'; readonly id: string; readonly dest: DestSpec }
  | { readonly type: 'remove-dest'; readonly id: string; readonly address: string; readonly port: number }
  | { readonly type: 'address-available'; readonly address: string }
  | { readonly type: 'stats'; readonly req: number }
  | { readonly type: 'close'; readonly req: number };

export type FromWorker =
  | { readonly type: 'event'; readonly event: PlaneEvent }
  | { readonly type: 'stats'; readonly req: number; readonly services: readonly ServiceStats[] }
  | { readonly type: 'closed'; readonly req: number };

/** What the main thread passes as workerData. */
export interface WorkerInit {
  readonly index: number;
}
