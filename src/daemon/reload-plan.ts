/**
 * What a SIGHUP would change, computed without changing anything (`keepalived-ts reload
 * --dry-run`): the same pairing the reload itself does (reload.ts, vrrp-node.ts applyReload(),
 * check/identity.ts). Pure: old and new configuration in; the VRRP instances kept or restarted come
 * from the running daemon (vrrp-node.ts planReload(), which needs the host's interfaces).
 */
import { isDeepStrictEqual } from 'node:util';
import { matchBy, rsIdentity, vsIdentity } from '../check/identity.js';
import type { Config, VirtualServer, VrrpInstance } from '../config/model.js';

export interface VrrpPlan {
  /** Same identity (interface, VRID, family, unicast setup): the state stays. */
  readonly kept: readonly string[];
  /** Same name, another identity: stopped (priority 0) and started again. */
  readonly restarted: readonly string[];
  readonly added: readonly string[];
  readonly removed: readonly string[];
  /** Of the kept instances, the VIPs added and removed (`address/prefix`). */
  readonly vips: readonly {
    readonly instance: string;
    readonly added: string[];
    readonly removed: string[];
  }[];
}

export interface RealServerChanges {
  readonly vs: string;
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly reweighted: readonly { readonly rs: string; readonly from: number; readonly to: number }[];
}

export interface CheckerPlan {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  /** Kept virtual servers whose own settings (scheduler, persistence, quorum, ...) change. */
  readonly edited: readonly string[];
  readonly realServers: readonly RealServerChanges[];
}

export interface ReloadPlan {
  readonly vrrp: VrrpPlan;
  readonly virtualServers: CheckerPlan;
  /** Settings a running daemon cannot change (reload.ts needsRestart()). */
  readonly restartNeeded: readonly string[];
  /** vrrp_script / track_file definitions change: their runners restart. */
  readonly trackersRestarted: boolean;
}

const vipList = (i: VrrpInstance): string[] =>
  i.virtualIpAddresses.map((v) => `${v.address}/${v.prefixLength}`);

/** The VIPs each kept instance gains and loses. */
export function vipChanges(old: Config, next: Config, kept: readonly string[]): VrrpPlan['vips'] {
  const out: { instance: string; added: string[]; removed: string[] }[] = [];
  for (const name of kept) {
    const a = old.vrrpInstances.find((i) => i.name === name);
    const b = next.vrrpInstances.find((i) => i.name === name);
    if (!a || !b) continue;
    const before = new Set(vipList(a));
    const after = new Set(vipList(b));
    const added = [...after].filter((v) => !before.has(v));
    const removed = [...before].filter((v) => !after.has(v));
    if (added.length > 0 || removed.length > 0) out.push({ instance: name, added, removed });
  }
  return out;
}

const rsName = (vs: VirtualServer, i: number): string => {
  const rs = vs.realServers[i];
  return rs ? (rs.address.includes(':') ? `[${rs.address}]:${rs.port}` : `${rs.address}:${rs.port}`) : '';
};

/** The virtual server without what the plan reports apart (its real servers). */
const ownSettings = (vs: VirtualServer): VirtualServer => ({ ...vs, realServers: [] });

/** Virtual and real servers paired as check/identity.ts pairs them. */
export function checkerPlan(old: Config, next: Config): CheckerPlan {
  const pairs = matchBy(old.virtualServers, next.virtualServers, vsIdentity);
  const used = new Set(pairs.filter((p): p is number => p !== null));
  const added: string[] = [];
  const edited: string[] = [];
  const realServers: RealServerChanges[] = [];
  next.virtualServers.forEach((vs, n) => {
    const o = pairs[n];
    const before = o === null || o === undefined ? undefined : old.virtualServers[o];
    if (!before) {
      added.push(vs.display);
      return;
    }
    if (!isDeepStrictEqual(ownSettings(before), ownSettings(vs))) edited.push(vs.display);
    const rsPairs = matchBy(before.realServers, vs.realServers, rsIdentity);
    const rsUsed = new Set(rsPairs.filter((p): p is number => p !== null));
    const change: {
      vs: string;
      added: string[];
      removed: string[];
      reweighted: RealServerChanges['reweighted'][number][];
    } = {
      vs: vs.display,
      added: [],
      removed: [],
      reweighted: [],
    };
    vs.realServers.forEach((rs, i) => {
      const p = rsPairs[i];
      const was = p === null || p === undefined ? undefined : before.realServers[p];
      if (!was) change.added.push(rsName(vs, i));
      else if (was.weight !== rs.weight)
        change.reweighted.push({ rs: rsName(vs, i), from: was.weight, to: rs.weight });
    });
    before.realServers.forEach((_, i) => {
      if (!rsUsed.has(i)) change.removed.push(rsName(before, i));
    });
    if (change.added.length + change.removed.length + change.reweighted.length > 0) realServers.push(change);
  });
  const removed = old.virtualServers.filter((_, i) => !used.has(i)).map((vs) => vs.display);
  return { added, removed, edited, realServers };
}

/** The plan as `keepalived-ts reload --dry-run` prints it. */
export function formatPlan(plan: ReloadPlan): string {
  const lines: string[] = [];
  const list = (label: string, items: readonly string[]): void => {
    if (items.length > 0) lines.push(`${label}: ${items.join(', ')}`);
  };
  const v = plan.vrrp;
  list('VRRP instances kept', v.kept);
  list('VRRP instances restarted (priority 0, then start again)', v.restarted);
  list('VRRP instances added', v.added);
  list('VRRP instances removed (priority 0, VIPs removed)', v.removed);
  for (const c of v.vips) {
    list(`  ${c.instance}: VIPs added`, c.added);
    list(`  ${c.instance}: VIPs removed`, c.removed);
  }
  const s = plan.virtualServers;
  list('Virtual servers added', s.added);
  list('Virtual servers removed', s.removed);
  list('Virtual servers edited', s.edited);
  for (const r of s.realServers) {
    list(`  ${r.vs}: real servers added`, r.added);
    list(`  ${r.vs}: real servers removed`, r.removed);
    list(
      `  ${r.vs}: real servers re-weighted`,
      r.reweighted.map((w) => `${w.rs} ${w.from} -> ${w.to}`),
    );
  }
  if (plan.trackersRestarted) lines.push('vrrp_script / track_file runners restarted');
  list('Needs a restart, not applied by a reload', plan.restartNeeded);
  const changes =
    v.restarted.length +
    v.added.length +
    v.removed.length +
    v.vips.length +
    s.added.length +
    s.removed.length +
    s.edited.length +
    s.realServers.length +
    plan.restartNeeded.length;
  if (changes === 0 && !plan.trackersRestarted)
    lines.push('No change: a reload would keep everything as it is.');
  return `${lines.join('\n')}\n`;
}
