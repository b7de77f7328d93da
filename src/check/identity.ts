/**
 * Which virtual and real servers of a new config are the old ones (keepalived 2.2.7
 * check/ipwrapper.c vs_iseq(), rs_iseq()): the keys a SIGHUP reload pairs them by, for the
 * checkers (reload-planner.ts) and for `reload --dry-run` (daemon/reload-plan.ts). Pure.
 *
 * - A virtual server is the same when its key is (vs_iseq(): address, port and protocol; fwmark
 *   and family; group name). The protocol and family are part of the group key too, so two
 *   virtual servers on one group stay apart.
 * - A real server is the same when its address and port are (rs_iseq()).
 */
import type { RealServer, VirtualServer } from '../config/model.js';

/** The key a virtual server is matched by across a reload. */
export function vsIdentity(vs: VirtualServer): string {
  const k = vs.key;
  switch (k.kind) {
    case 'address':
      return `address ${k.address} ${vs.protocol} ${k.port}`;
    case 'fwmark':
      return `fwmark ${k.fwmark} ${vs.family}`;
    case 'group':
      return `group ${k.group} ${vs.protocol} ${vs.family}`;
  }
}

/** The key a real server is matched by within a virtual server. */
export const rsIdentity = (rs: RealServer): string => `${rs.address} ${rs.port}`;

/**
 * For each item of `next`, the index of the same item in `old` (or null: new). Each old item
 * is used once: of two duplicates, the first takes the first.
 */
export function matchBy<T>(old: readonly T[], next: readonly T[], key: (x: T) => string): (number | null)[] {
  const free = new Map<string, number[]>();
  old.forEach((x, i) => {
    const k = key(x);
    const list = free.get(k) ?? [];
    list.push(i);
    free.set(k, list);
  });
  return next.map((x) => free.get(key(x))?.shift() ?? null);
}
