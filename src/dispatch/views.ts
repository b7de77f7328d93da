/**
 * The virtual servers as ipvsadm shows them (ipvsadm.ts), from the config, the checkers' table and
 * the data plane's connection counters (pure).
 */
import type { VirtualServer } from '../config/model.js';
import type { TableEntry } from '../check/table.js';
import type { ViewDest, ViewService } from './ipvsadm.js';
import { granularityPrefix } from './ipvs-model.js';

/** Connection counters by real server, `address|port`, as the data plane reports them. */
export type Counters = ReadonlyMap<string, { readonly activeConns: number; readonly inactConns: number }>;

function serviceView(vs: VirtualServer): Omit<ViewService, 'dests'> {
  const key = vs.key;
  return {
    protocol: vs.protocol,
    address: key.kind === 'address' ? key.address : null,
    port: key.kind === 'address' ? key.port : 0,
    fwmark: key.kind === 'fwmark' ? key.fwmark : null,
    family: vs.family,
    scheduler: vs.lbAlgo,
    persistenceTimeout: vs.persistenceTimeout,
    persistencePrefix: granularityPrefix(vs),
    pe: vs.persistenceTimeout > 0 ? vs.persistenceEngine : null,
    flags: vs.flags,
  };
}

function destView(vs: VirtualServer, entry: TableEntry, counters: Counters | undefined): ViewDest {
  const rs = vs.realServers.find((r) => r.address === entry.address && r.port === entry.port);
  const c = counters?.get(`${entry.address}|${entry.port}`);
  const forward = entry.sorry ? (vs.sorryServer?.lvsMethod ?? vs.lbKind) : (rs?.lvsMethod ?? vs.lbKind);
  const tunnel = entry.sorry
    ? vs.sorryServer?.lvsMethod
      ? vs.sorryServer.tunnel
      : vs.lbTunnel
    : (rs?.tunnel ?? null);
  return {
    address: entry.address,
    port: entry.port,
    forward,
    tunnel,
    weight: entry.weight,
    activeConns: c?.activeConns ?? 0,
    inactConns: c?.inactConns ?? 0,
  };
}

export function tableView(
  servers: readonly VirtualServer[],
  entries: (vs: string) => readonly TableEntry[],
  counters: (vs: string) => Counters | undefined,
): ViewService[] {
  return servers.map((vs) => ({
    ...serviceView(vs),
    dests: entries(vs.display).map((e) => destView(vs, e, counters(vs.display))),
  }));
}
