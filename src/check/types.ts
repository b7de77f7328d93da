/**
 * Every checker type keepalived-ts can run, by keepalived's keyword. BFD_CHECK is not here: the
 * config reader reports it as unsupported (`-t` says so) and the daemon does not run it.
 */
import type { Checker } from '../config/model.js';
import type { CheckerType } from './probe.js';
import { dnsCheck } from './probes/dns.js';
import { fileCheck } from './probes/file.js';
import { httpGetChecker, sslGetChecker } from './probes/http.js';
import { miscCheck } from './probes/misc.js';
import { pingCheck } from './probes/ping.js';
import { smtpCheck } from './probes/smtp.js';
import { tcpCheck } from './probes/tcp.js';
import { udpCheck } from './probes/udp.js';

/** A type for any checker: looked up by `checker.type`, so the checker is always its own kind. */
function erase<C extends Checker>(t: CheckerType<C>): CheckerType {
  return {
    type: t.type,
    texts: t.texts,
    create: (checker, target, deps) => t.create(checker as C, target, deps),
  };
}

export function checkerTypes(): ReadonlyMap<Checker['type'], CheckerType> {
  const all = [
    erase(tcpCheck),
    erase(httpGetChecker),
    erase(sslGetChecker),
    erase(miscCheck),
    erase(smtpCheck),
    erase(dnsCheck),
    erase(udpCheck),
    erase(pingCheck),
    erase(fileCheck),
  ];
  return new Map(all.map((t) => [t.type, t]));
}
