/**
 * Checks across blocks, made once the whole config is read (keepalived vrrp.c
 * vrrp_complete_init() and friends): sync group membership, VRIDs shared on one interface, and
 * weighted tracking inside sync groups.
 */
import type { TrackedInterface, TrackedScript, VrrpInstance, VrrpSyncGroup } from '../model.js';
import type { Ctx } from './context.js';
import type { SyncGroupDraft } from './sync-group.js';
import type { TrackEntry } from './tracking.js';
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
 * keepalived (acassen/keepalived#2105): a sync group member's weighted trackers are ignored
 * unless the group sets `sync_group_tracking_weight`; the group moves as one.
 */
export function dropWeightedTracking(
  ctx: Ctx,
  c: CompletedInstance,
  weights: { script: ReadonlyMap<string, number>; file: ReadonlyMap<string, number> },
): { trackInterfaces: TrackedInterface[]; trackScripts: TrackedScript[]; trackFiles: TrackedScript[] } {
  const keep = <T extends { name: string; weight: number | null }>(
    kind: string,
    entries: readonly TrackEntry<T>[],
    own: (name: string) => number,
  ): T[] =>
    entries
      .filter((e) => {
        if ((e.value.weight ?? own(e.value.name)) === 0) return true;
        ctx.report(
          'WARNING',
          e.at,
          `(${c.inst.name}) ignoring tracked ${kind} ${e.value.name} with weights due to SYNC group`,
        );
        return false;
      })
      .map((e) => e.value);
  return {
    // A weighted interface still faults the group when it goes down (keepalived: weight 0).
    trackInterfaces: c.draft.trackInterfaces.map((e) => ({ ...e.value, weight: 0 })),
    trackScripts: keep('script', c.draft.trackScripts, (n) => weights.script.get(n) ?? 0),
    trackFiles: keep('file', c.draft.trackFiles, (n) => weights.file.get(n) ?? 0),
  };
}
