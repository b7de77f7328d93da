/**
 * Checks across blocks, made once the whole config is read (keepalived vrrp.c
 * vrrp_complete_init() and friends): sync group membership, VRIDs shared on one interface, and
 * weighted tracking inside sync groups.
 */
import type { TrackedInterface, TrackedScript, VrrpInstance, VrrpSyncGroup } from '../model.js';
import type { Ctx } from './context.js';
import type { SyncGroupDraft } from './sync-group.js';
import type { InstanceDraft } from './vrrp-instance.js';

export interface CompletedInstance {
  readonly draft: InstanceDraft;
  readonly inst: VrrpInstance;
}

export function completeSyncGroups(
  ctx: Ctx,
  drafts: readonly SyncGroupDraft[],
  instances: readonly CompletedInstance[],
): VrrpSyncGroup[] {
  const out: VrrpSyncGroup[] = [];
  const taken = new Set<string>();
  for (const g of drafts) {
    if (g.members.length === 0) {
      ctx.report('GENERAL_ERROR', g.loc, `Sync group ${g.name} has no virtual router(s). removing`);
      continue;
    }
    const members: string[] = [];
    for (const m of g.members) {
      if (!instances.some((i) => i.inst.name === m.text)) {
        ctx.report(
          'GENERAL_ERROR',
          m,
          `Virtual router ${m.text} specified in sync group ${g.name} doesn't exist - ignoring`,
        );
      } else if (taken.has(m.text)) {
        ctx.report(
          'GENERAL_ERROR',
          m,
          `Virtual router ${m.text} cannot exist in more than one sync group; ignoring ${g.name}`,
        );
      } else if (!members.includes(m.text)) {
        members.push(m.text);
      }
    }
    if (members.length === 0) {
      ctx.report(
        'GENERAL_ERROR',
        g.loc,
        `Sync group ${g.name}, no matching virtual router found in group declaration - removing`,
      );
      continue;
    }
    if (members.length === 1) {
      ctx.report(
        'WARNING',
        g.loc,
        `Sync group ${g.name} has only 1 virtual router(s) - this probably isn't what you want`,
      );
    }
    for (const m of members) taken.add(m);
    out.push({
      name: g.name,
      group: members,
      trackInterfaces: g.trackInterfaces.map((t) => t.value),
      trackScripts: g.trackScripts.map((t) => t.value),
      trackFiles: g.trackFiles.map((t) => t.value),
      notify: {
        master: g.notify.master ?? null,
        backup: g.notify.backup ?? null,
        fault: g.notify.fault ?? null,
        stop: g.notify.stop ?? null,
        any: g.notify.any ?? null,
      },
      smtpAlert: g.smtpAlert ?? false,
      syncGroupTrackingWeight: g.syncGroupTrackingWeight,
      notifyPriorityChanges: g.notifyPriorityChanges ?? false,
    });
  }
  return out;
}

/** keepalived: two multicast instances may not share a VRID on one interface and family. */
export function checkDuplicateVrids(ctx: Ctx, instances: readonly CompletedInstance[]): void {
  const seen = new Map<string, string>();
  for (const { draft, inst } of instances) {
    if (inst.unicastPeers.length > 0) continue;
    const key = `${inst.interface ?? ''}|${inst.family}|${inst.virtualRouterId}`;
    const other = seen.get(key);
    if (other === undefined) {
      seen.set(key, inst.name);
      continue;
    }
    const family = inst.family === 'inet' ? 'IPv4' : 'IPv6';
    ctx.report(
      'GENERAL_ERROR',
      draft.loc,
      `${other} and ${inst.name} both use VRID ${inst.virtualRouterId} with ${family} on interface ${inst.interface ?? ''}`,
    );
  }
}

/**
 * keepalived vrrp_complete_instance()'s checks of an instance's tracking, once the whole config is
 * read: its own interface is never tracked; an address owner (priority 255), or a sync group
 * member unless the group sets `sync_group_tracking_weight` (acassen/keepalived#2105), ignores
 * weights: weighted scripts and files are dropped, an interface's weight is set to 0 (a sync
 * group member; it still faults the group when it goes down) or the interface is not tracked (an
 * address owner). `weights`: the vrrp_script / track_file blocks' own weights.
 */
export function completeInstanceTracking(
  ctx: Ctx,
  c: CompletedInstance,
  weights: { script: ReadonlyMap<string, number>; file: ReadonlyMap<string, number> },
  syncNoTrackingWeight: boolean,
): { trackInterfaces: TrackedInterface[]; trackScripts: TrackedScript[]; trackFiles: TrackedScript[] } {
  const name = c.inst.name;
  const own = c.inst.interface;
  let trackInterfaces = c.draft.trackInterfaces.filter((e) => {
    if (own === null || e.value.name !== own) return true;
    ctx.report('GENERAL_ERROR', e.at, `(${name}) Ignoring track_interface ${own} since own interface`);
    return false;
  });
  let trackScripts = c.draft.trackScripts;
  let trackFiles = c.draft.trackFiles;
  const owner = c.inst.priority === 255;
  if (syncNoTrackingWeight || owner) {
    const why = syncNoTrackingWeight ? 'SYNC group' : 'address_owner';
    trackInterfaces = trackInterfaces.flatMap((e) => {
      if (e.value.weight === 0) return [e];
      ctx.report(
        'GENERAL_ERROR',
        e.at,
        syncNoTrackingWeight
          ? `(${name}) ignoring ${e.value.name} tracked interface weight due to SYNC group`
          : `(${name}) ignoring ${e.value.name} tracked interface due to address owner`,
      );
      return syncNoTrackingWeight ? [{ ...e, value: { ...e.value, weight: 0 } }] : [];
    });
    trackScripts = trackScripts.filter((e) => {
      if ((e.value.weight ?? weights.script.get(e.value.name) ?? 0) === 0) return true;
      ctx.report(
        'GENERAL_ERROR',
        e.at,
        `(${name}) ignoring tracked script ${e.value.name} with weights due to ${why}`,
      );
      return false;
    });
    trackFiles = trackFiles.flatMap((e) => {
      const weight = e.value.weight ?? weights.file.get(e.value.name) ?? 1;
      if (weight === 0) return [e];
      // keepalived: 1 is the default weight, so it is taken as "not set".
      if (weight === 1) {
        ctx.report(
          'GENERAL_ERROR',
          e.at,
          `(${name}) ignoring weight from tracked file ${e.value.name} due to ${why}. specify weight 0`,
        );
        return [{ ...e, value: { ...e.value, weight: 0 } }];
      }
      ctx.report(
        'GENERAL_ERROR',
        e.at,
        `(${name}) ignoring tracked file ${e.value.name} with weight ${weight} due to ${why}`,
      );
      return [];
    });
  }
  return {
    trackInterfaces: trackInterfaces.map((e) => e.value),
    trackScripts: trackScripts.map((e) => e.value),
    trackFiles: trackFiles.map((e) => e.value),
  };
}
