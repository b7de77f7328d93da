/**
 * vrrp_sync_group: members move together (keepalived vrrp_sync.c). Pure: the
 * driver (or the simulator) applies the orders to the members' state machines.
 *
 * - A member may take over only when the group already is MASTER or every other member also
 *   wants to (its own down timer ran out): the last one to time out brings the group up.
 * - A member becoming MASTER takes the others to MASTER; one going BACKUP takes them to BACKUP;
 *   the first faulted member takes them all to FAULT, and the group stays there until no member
 *   is faulted.
 */
import type { Router, VrrpState } from './fsm.js';

export type GroupState = 'MASTER' | 'BACKUP' | 'FAULT';

export interface SyncOrder {
  readonly member: string;
  readonly to: GroupState;
}

const faulted = (r: Router): boolean => r.faults.length > 0 || r.initScripts.length > 0;

/** keepalived vrrp_sync_can_goto_master(). */
export function groupAllowsMaster(group: GroupState, members: readonly Router[], name: string): boolean {
  if (group === 'MASTER') return true;
  return members.every((m) => m.config.name === name || m.wantState === 'MASTER');
}

/** After member `name` went `from` → `to`: the group's new state and what the others must do. */
export function afterMemberTransition(
  group: GroupState,
  members: readonly Router[],
  name: string,
  from: VrrpState,
  to: VrrpState,
): { group: GroupState; orders: SyncOrder[] } {
  const others = members.filter((m) => m.config.name !== name);
  const order = (target: GroupState): { group: GroupState; orders: SyncOrder[] } => ({
    group: target,
    orders: others
      .filter((m) => m.state !== target && m.state !== 'STOP')
      .map((m) => ({ member: m.config.name, to: target })),
  });
  if (to === 'FAULT') return group === 'FAULT' ? { group, orders: [] } : order('FAULT');
  if (group === 'FAULT' && members.some(faulted)) return { group, orders: [] };
  if (to === 'MASTER') return group === 'MASTER' ? { group, orders: [] } : order('MASTER');
  if (to === 'BACKUP' && (from === 'MASTER' || from === 'FAULT'))
    return group === 'BACKUP' ? { group, orders: [] } : order('BACKUP');
  return { group, orders: [] };
}

/**
 * A sync group that a reload made or changed (new members, or members that were restarted): its
 * state comes from its members (keepalived 2.2.7 vrrp.c vrrp_complete_init() on reload, then
 * vrrp_scheduler.c vrrp_init_state()). A faulted member faults the group and the others follow;
 * the group is MASTER only if every member already is; otherwise it is BACKUP and a member still
 * MASTER goes to BACKUP with it, as keepalived moves it. A group whose members were all kept is
 * not passed here: it keeps its state.
 */
export function groupAfterReload(members: readonly Router[]): { group: GroupState; orders: SyncOrder[] } {
  const live = members.filter((m) => m.state !== 'STOP' && m.state !== 'INIT');
  const group: GroupState = live.some((m) => m.state === 'FAULT' || faulted(m))
    ? 'FAULT'
    : live.length > 0 && live.every((m) => m.state === 'MASTER')
      ? 'MASTER'
      : 'BACKUP';
  return {
    group,
    orders: live.filter((m) => m.state !== group).map((m) => ({ member: m.config.name, to: group })),
  };
}
