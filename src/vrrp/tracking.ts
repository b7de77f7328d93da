/**
 * Tracked objects and the effective priority (keepalived vrrp_track.c, track_file.c; reference
 * §2.3, §2.5.2). Pure: statuses in, fault and priority out, recomputed from scratch each time.
 *
 * - Weight 0 means "fault when down/failing" (with `reverse`: when up/ok).
 * - A weight w > 0 adds w (x -1 with reverse) while up/ok; a weight w < 0 adds w (x -1 with
 *   reverse) while down/failing.
 * - A track_file adds value x weight (x -1 with reverse); at -254 or below the instance faults;
 *   with weight 0 a non-zero value is a fault (with reverse: zero).
 * - Effective priority = base + contributions, clamped to 1..254; the address owner (255) never
 *   changes.
 */

export type TrackerKind = 'interface' | 'script' | 'file';

/** A tracked object: a track_interface, vrrp_script or track_file, by its config name. */
export interface TrackedObject {
  readonly kind: TrackerKind;
  readonly name: string;
}

export interface TrackerConfig extends TrackedObject {
  readonly weight: number;
  readonly reverse: boolean;
}

/**
 * A tracked object as keepalived names it in its log lines ("interface eth1", "script chk_http",
 * "file prio"), which is also its key in status records (Router.trackerStatus, and so the status
 * document's `trackers`). Nothing reads a kind or name back out of it.
 */
export const trackerKey = (t: TrackedObject): string => `${t.kind} ${t.name}`;

export const sameTracker = (a: TrackedObject, b: TrackedObject): boolean =>
  a.kind === b.kind && a.name === b.name;

/**
 * What keeps an instance in FAULT: a tracked object (down, failing, or a file value at -254),
 * the configuration (unicast_fault_no_peer without peers), or no usable source address.
 * log-text.ts renders them.
 */
export type FaultCause = TrackedObject | { readonly kind: 'config' } | { readonly kind: 'no-source-address' };

/**
 * Interfaces and scripts are up/down; a script starts 'init' (no result yet); files have a value.
 * 'unknown': a script new at a reload, without a result yet. keepalived gives every script read
 * at a reload SCRIPT_INIT_STATE_INIT_RELOAD (vrrp_data.c alloc_vrrp_script()) and clear_diff_script()
 * (vrrp.c) carries the old result over for the ones that existed: a new one neither faults the
 * instance nor weighs on its priority until it reports, so a reload never takes a MASTER down for it.
 */
export type TrackerStatus = 'up' | 'down' | 'init' | 'unknown' | number;

export interface Tracking {
  /** What currently faults the instance (tracked objects, and the configuration). */
  readonly faults: readonly FaultCause[];
  /** Weight-0 scripts without a first result: keepalived holds the instance in FAULT, silently. */
  readonly initScripts: readonly TrackedObject[];
  /** base + contributions, before clamping. */
  readonly total: number;
  readonly effectivePriority: number;
}

export const OWNER_PRIORITY = 255;

export function evaluateTracking(
  basePriority: number,
  trackers: readonly TrackerConfig[],
  status: Readonly<Record<string, TrackerStatus>>,
  configFault = false,
): Tracking {
  // configFault: the configuration keeps the instance from ever running (unicast_fault_no_peer).
  const faults: FaultCause[] = configFault ? [{ kind: 'config' }] : [];
  const initScripts: TrackedObject[] = [];
  let total = basePriority;
  for (const t of trackers) {
    const tracked: TrackedObject = { kind: t.kind, name: t.name };
    const s = status[trackerKey(t)] ?? (t.kind === 'script' ? 'init' : t.kind === 'file' ? 0 : 'up');
    const m = t.reverse ? -1 : 1;
    if (t.kind === 'file') {
      const value = typeof s === 'number' ? s : 0;
      if (t.weight === 0) {
        if ((value !== 0) !== t.reverse) faults.push(tracked);
        continue;
      }
      const contribution = Math.max(-254, Math.min(253, value * t.weight * m));
      if (contribution <= -254) faults.push(tracked);
      else total += contribution;
      continue;
    }
    if (s === 'init') {
      if (t.weight === 0) initScripts.push(tracked);
      continue;
    }
    if (s === 'unknown') continue;
    const up = s === 'up';
    if (t.weight === 0) {
      if (up === t.reverse) faults.push(tracked);
    } else if (t.weight > 0 ? up : !up) {
      total += t.weight * m;
    }
  }
  const effectivePriority =
    basePriority === OWNER_PRIORITY ? OWNER_PRIORITY : Math.max(1, Math.min(254, total));
  return { faults, initScripts, total, effectivePriority };
}
