/**
 * keepalived 2.2.7's log lines for what the state machine decides (fsm.ts returns them as data),
 * in one place: the netns tests compare these lines with keepalived's own, so each must stay
 * byte for byte as keepalived writes it (vrrp.c, vrrp_track.c). Lines keepalived has no text for
 * are keepalived-ts's and say so. Pure.
 */
import type { Drop, Notice, TransitionDetail, TransitionReason, VrrpState } from './fsm.js';
import { trackerKey, type FaultCause } from './tracking.js';

/** One fault cause, as the `detail` of a `vrrp.transition` and the status document list it. */
export function faultText(f: FaultCause): string {
  switch (f.kind) {
    case 'config':
      return '(config)';
    case 'no-source-address':
      return 'no source address';
    case 'interface':
    case 'script':
    case 'file':
      return trackerKey(f);
  }
}

/** vrrp.c vrrp_state_*: "(VI_1) Entering MASTER STATE"; "(init)" on the way out of INIT. */
export function transitionLine(name: string, to: VrrpState, reason: TransitionReason): string {
  return `(${name}) Entering ${to} STATE${reason === 'init' ? ' (init)' : ''}`;
}

/** The `detail` field of a `vrrp.transition` event (docs/logging.md); '' when there is none. */
export function transitionDetailText(detail: TransitionDetail): string {
  switch (detail.kind) {
    case 'none':
      return '';
    case 'faults':
      return detail.faults.map(faultText).join(', ');
    case 'advert':
      return advertTakesOver(detail);
    case 'group':
      return detail.group;
  }
}

/** vrrp.c vrrp_state_master_rx(): why a MASTER goes back to BACKUP. */
function advertTakesOver(d: { source: string; priority: number; ours: number }): string {
  return d.priority === d.ours
    ? `Master received advert from ${d.source} with same priority ${d.priority} but higher IP address than ours`
    : `Master received advert from ${d.source} with higher priority ${d.priority}, ours ${d.ours}`;
}

/**
 * The line logged before a transition's own, if any: the advert that took a MASTER down
 * (vrrp_state_master_rx()), or the first cause of a fault (vrrp_track.c; the others are in the
 * event's `detail`).
 */
export function transitionPreamble(
  name: string,
  to: VrrpState,
  reason: TransitionReason,
  detail: TransitionDetail,
): string | null {
  if (to === 'BACKUP' && reason === 'higher-priority' && detail.kind === 'advert')
    return `(${name}) ${advertTakesOver(detail)}`;
  if (to === 'FAULT' && (reason === 'fault' || reason === 'init') && detail.kind === 'faults') {
    const first = detail.faults[0];
    return first === undefined ? null : faultLine(name, first);
  }
  return null;
}

/** vrrp_track.c: why an instance enters FAULT. */
function faultLine(name: string, f: FaultCause): string {
  switch (f.kind) {
    case 'interface':
      return `(${name}): entering FAULT state (interface ${f.name} down)`;
    case 'script':
      return `(${name}): entering FAULT state due to script ${f.name}`;
    case 'file':
      return `(${name}): entering FAULT state due to track_file ${f.name}`;
    case 'config':
    case 'no-source-address':
      // keepalived-ts's: keepalived has no line for these.
      return `(${name}): entering FAULT state (${faultText(f)})`;
  }
}

/** The `msg` of a `vrrp.notice` event (docs/logging.md). */
export function noticeLine(name: string, n: Notice): string {
  switch (n.what) {
    case 'lower-priority-advert':
      return `(${name}) Received advert from ${n.source} with lower priority ${n.priority}, ours ${n.ours}${n.answered ? ', forcing new election' : ''}`;
    case 'priority-zero-received':
      return `(${name}) Backup received priority 0 advertisement`;
    case 'own-address':
      return `(${name}) WARNING - equal priority advert received from remote host with our IP address.`;
    case 'owner-conflict':
      return `(${name}) CONFIGURATION ERROR: local instance and a remote instance are both configured as address owner, please fix - reducing local priority`;
    case 'sync-wait':
      // keepalived-ts's: keepalived waits without a line.
      return `(${name}) waiting for the other members of sync group ${n.group}`;
  }
}

/** The `msg` of a `vrrp.drop` / `vrrp.preempting` / `vrrp.ignored` event. */
export function dropLine(name: string, drop: Drop): string {
  if ('detail' in drop) return `(${name}) ${drop.detail}`;
  switch (drop.reason) {
    case 'lower-priority':
      return `(${name}) received lower priority (${drop.priority}) advert from ${drop.source} - discarding`;
    // vrrp.c vrrp_check_packet():
    case 'version-mismatch':
      return `(${name}) wrong version. Received ${drop.received} and expect ${drop.expected}`;
    case 'auth-type-mismatch':
      return `(${name}) received a ${drop.received} auth, expecting ${drop.expected}!`;
    case 'auth-failure':
      return `(${name}) received an invalid passwd!`;
    case 'interval-mismatch':
      return `(${name}) advertisement interval mismatch mine=${drop.mineMs / 1000} sec rcv'd=${drop.receivedMs / 1000} sec`;
    case 'address-count-mismatch':
      return `(${name}) received an unexpected ip number count ${drop.received}, expected ${drop.expected}!`;
    case 'address-list-mismatch':
      return `(${name}) ip address associated with VRID ${drop.vrid} not present in MASTER advert: ${drop.missing}`;
    case 'not-a-peer':
      return `(${name}) unicast source address ${drop.source} not a unicast peer`;
    case 'peer-ttl':
      return `(${name}) invalid TTL/HL ${drop.ttl} from ${drop.source}`;
  }
}
