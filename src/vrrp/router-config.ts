/**
 * From the validated config to what one instance's state machine needs (pure). The address
 * used for the equal-priority tie-break is the configured source, else the interface's primary
 * address, which only the driver knows: it is passed in.
 */
import type { Config, VrrpInstance } from '../config/model.js';
import type { RouterConfig } from './fsm.js';
import { trackerKey, type TrackerConfig } from './tracking.js';

export function routerConfig(
  config: Config,
  inst: VrrpInstance,
  primaryAddress: string | null,
): RouterConfig {
  const scripts = new Map(config.vrrpScripts.map((s) => [s.name, s]));
  const files = new Map(config.trackFiles.map((f) => [f.name, f]));
  const trackers = new Map<string, TrackerConfig>();
  const add = (t: TrackerConfig): void => {
    // An object mentioned twice (its interface also tracked, or by the sync group) counts once.
    if (!trackers.has(trackerKey(t))) trackers.set(trackerKey(t), t);
  };
  // keepalived tracks the instance's own interface and the interfaces carrying its addresses,
  // unweighted (down = FAULT), unless dont_track_primary.
  if (inst.interface !== null && !inst.dontTrackPrimary) {
    add({ kind: 'interface', name: inst.interface, weight: 0, reverse: false });
  }
  for (const vip of [...inst.virtualIpAddresses, ...inst.virtualIpAddressesExcluded]) {
    if (vip.dev !== null && !vip.noTrack)
      add({ kind: 'interface', name: vip.dev, weight: 0, reverse: false });
  }
  // keepalived 2.2.7 vrrp_complete_instance(): likewise the interface of each virtual route
  // (`dev`/`oif`) and each virtual rule (`iif`/`dev` and `oif`), unless `no_track`.
  for (const route of inst.virtualRoutes) {
    if (route.dev !== null && !route.noTrack)
      add({ kind: 'interface', name: route.dev, weight: 0, reverse: false });
  }
  for (const rule of inst.virtualRules) {
    if (rule.noTrack) continue;
    for (const name of ruleInterfaces(rule.words))
      add({ kind: 'interface', name, weight: 0, reverse: false });
  }
  const group = config.vrrpSyncGroups.find((g) => g.name === inst.syncGroup);
  for (const src of [inst, ...(group ? [group] : [])]) {
    for (const t of src.trackInterfaces)
      add({ kind: 'interface', name: t.name, weight: t.weight, reverse: t.reverse });
    for (const t of src.trackScripts) {
      const s = scripts.get(t.name);
      if (s)
        add({
          kind: 'script',
          name: t.name,
          weight: t.weight ?? s.weight,
          reverse: t.reverse || s.weightReverse,
        });
    }
    for (const t of src.trackFiles) {
      const f = files.get(t.name);
      if (f)
        add({
          kind: 'file',
          name: t.name,
          weight: t.weight ?? f.weight,
          reverse: t.reverse || f.weightReverse,
        });
    }
  }
  const auth = inst.authentication;
  return {
    name: inst.name,
    vrid: inst.virtualRouterId,
    version: inst.version,
    family: inst.family,
    basePriority: inst.priority,
    advertIntervalMs: inst.advertIntervalMs,
    wantMaster: inst.state === 'MASTER' || inst.priority === 255,
    nopreempt: inst.nopreempt,
    preemptDelayMs: inst.preemptDelayMs,
    downTimerAdverts: inst.downTimerAdverts,
    garp: inst.garp,
    lowerPrioNoAdvert: inst.lowerPrioNoAdvert,
    higherPrioSendAdvert: inst.higherPrioSendAdvert,
    vips: inst.virtualIpAddresses.map((v) => v.address),
    authType: auth === null ? 0 : auth.type === 'PASS' ? 1 : 2,
    password: auth?.password ?? '',
    skipCheckAdvAddr: inst.skipCheckAdvAddr,
    unicastPeers: inst.unicastPeers,
    checkUnicastSrc: inst.checkUnicastSrc,
    sourceAddress: inst.sourceAddress ?? primaryAddress,
    trackers: [...trackers.values()],
    configFault: inst.unicastFaultNoPeer && inst.unicastPeers.length === 0,
    syncGroup: inst.syncGroup,
  };
}

/** The interfaces an `ip rule` line names: `iif` (or its alias `dev`) and `oif`. */
function ruleInterfaces(words: readonly string[]): string[] {
  const names: string[] = [];
  words.forEach((w, i) => {
    const next = words[i + 1];
    if ((w === 'iif' || w === 'dev' || w === 'oif') && next !== undefined) names.push(next);
  });
  return names;
}
