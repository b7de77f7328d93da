/**
 * A probe: what makes one attempt of a checker against a real server (one file per type in
 * src/check/probes/, where each type's whole definition lives: checker-type.ts). Retries, delays
 * and up/down decisions are not the probe's business: src/check/verdict.ts decides them for every
 * type alike.
 */
import type { Config, GlobalDefs, RealServer, VirtualServer } from '../config/model.js';
import type { Logger } from 'pino';

/** Why an attempt failed (a label for logs, metrics and tests; `detail` carries the specifics). */
export type FailureReason =
  | 'refused'
  | 'connect-timeout'
  | 'timeout'
  | 'reset'
  | 'unreachable'
  | 'tls'
  | 'http-status'
  | 'digest'
  | 'regex'
  | 'too-large'
  | 'protocol'
  | 'exit-status'
  | 'signal'
  | 'script-error'
  | 'dns'
  | 'reply'
  | 'file'
  | 'aborted'
  | 'error';

export type ProbeOutcome =
  | {
      readonly ok: true;
      /** MISC_CHECK misc_dynamic / FILE_CHECK dynamic: the weight the real server should get. */
      readonly weight?: number;
      /** keepalived's per-attempt success line, where it has one (e.g. `HTTP status code success ...`). */
      readonly detail?: string;
    }
  | {
      readonly ok: false;
      readonly reason: FailureReason;
      /** keepalived's per-attempt failure text (logged with log_all_failures), e.g.
       *  `TCP connection to [192.0.2.21]:tcp:80 failed.` */
      readonly detail: string;
    };

export interface Probe {
  /**
   * One attempt. Never rejects and never throws; ends within the checker's own time limit
   * (connect_timeout, misc_timeout) or when `signal` aborts (outcome `aborted`).
   */
  attempt(signal: AbortSignal): Promise<ProbeOutcome>;
  /** Release anything the probe keeps between attempts (sockets, timers). */
  close(): void;
}

export interface ProbeTarget {
  readonly vs: VirtualServer;
  readonly rs: RealServer;
  /** keepalived's FMT_CHK: where the checker connects, `[192.0.2.21]:tcp:80`. */
  readonly display: string;
}

export interface ProbeDeps {
  readonly global: GlobalDefs;
  /** The global `SSL { }` block (SSL_GET). */
  readonly ssl: Config['ssl'];
  /** The current value of a root `track_file` (FILE_CHECK); undefined before the first read. */
  trackFileValue(name: string): number | undefined;
  readonly log: Logger;
}
