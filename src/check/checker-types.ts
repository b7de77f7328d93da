/**
 * Every checker type keepalived-ts runs, by keepalived's keyword, each with its definition
 * (checker-type.ts; one per probe file). The table is typed by the config model's checker union:
 * a checker type the model gains without a definition here does not compile. BFD_CHECK is not in
 * the model: the config reader reports it as unsupported (`-t` says so) and it is not run.
 */
import type { Checker } from '../config/model.js';
import type { CheckerType } from './checker-type.js';
import { dnsCheck } from './probes/dns.js';
import { fileCheck } from './probes/file.js';
import { httpGetChecker, sslGetChecker } from './probes/http.js';
import { miscCheck } from './probes/misc.js';
import { pingCheck } from './probes/ping.js';
import { smtpCheck } from './probes/smtp.js';
import { tcpCheck } from './probes/tcp.js';
import { udpCheck } from './probes/udp.js';

/** The checker of the model whose keyword is `K` (HTTP_GET and SSL_GET share HttpChecker). */
export type CheckerOf<K extends Checker['type']> = Checker extends infer C
  ? C extends Checker
    ? K extends C['type']
      ? C
      : never
    : never
  : never;

/** One definition per keyword of the model, for that keyword's checker. */
export type CheckerTypeTable = { readonly [K in Checker['type']]: CheckerType<CheckerOf<K>> };

const CHECKER_TYPE_TABLE = {
  TCP_CHECK: tcpCheck,
  HTTP_GET: httpGetChecker,
  SSL_GET: sslGetChecker,
  MISC_CHECK: miscCheck,
  SMTP_CHECK: smtpCheck,
  DNS_CHECK: dnsCheck,
  UDP_CHECK: udpCheck,
  PING_CHECK: pingCheck,
  FILE_CHECK: fileCheck,
} as const satisfies CheckerTypeTable;

/**
 * A definition for any checker: it is only ever looked up by `checker.type`, so the checker it
 * is given is always its own kind (the one cast that says so).
 */
export function erase<C extends Checker>(t: CheckerType<C>): CheckerType {
  const own = (c: Checker): C => c as C;
  return {
    type: t.type,
    texts: t.texts,
    create: (checker, target, deps) => t.create(own(checker), target, deps),
    timing: (checker) => t.timing(own(checker)),
    attemptLimitMs: (checker, vs) => t.attemptLimitMs(own(checker), vs),
    sameTarget: (a, b) => t.sameTarget(own(a), own(b)),
    ...(t.effective
      ? { effective: (checker, config) => t.effective?.(own(checker), config) ?? checker }
      : {}),
    ...(t.relativeWeight !== undefined ? { relativeWeight: t.relativeWeight } : {}),
  };
}

/** The definitions by keyword, as the runner looks them up (HealthCheckDeps.types). */
export function checkerTypes(): ReadonlyMap<Checker['type'], CheckerType> {
  const table: CheckerTypeTable = CHECKER_TYPE_TABLE;
  const entry = <K extends Checker['type']>(k: K): [K, CheckerType] => [k, erase(table[k])];
  return new Map((Object.keys(table) as Checker['type'][]).map(entry));
}
