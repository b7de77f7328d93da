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

export interface TrackerConfig {
  readonly id: string;
  readonly kind: TrackerKind;
  readonly weight: number;
  readonly reverse: boolean;
}

/**
 * Interfaces and scripts are up/down; a script starts 'init' (no result yet); files have a value.
 * 'unknown': a script new at a reload, without a result yet. keepalived gives every script read
 * at a reload SCRIPT_INIT_STATE_INIT_RELOAD (vrrp_data.c alloc_vrrp_script()) and clear_diff_script()
 * (vrrp.c) carries the old result over for the ones that existed: a new one neither faults the
 * instance nor weighs on its priority until it reports, so a reload never takes a MASTER down for it.
 */
export type TrackerStatus = 'up' | 'down' | 'init' | 'unknown' | number;

export interface Tracking {
  /** Tracked objects that currently fault the instance. */
  readonly faults: readonly string[];
  /** Weight-0 scripts without a first result: keepalived holds the instance in FAULT, silently. */
  readonly initScripts: readonly string[];
  /** base + contributions, before clamping. */
  readonly total: number;
  readonly effectivePriority: number;
}

/** The configuration keeps an instance from ever running (e.g. unicast_fault_no_peer with no peer). */
const CONFIG_FAULT = '(config)';

export const OWNER_PRIORITY = 255;

export function evaluateTracking(
  basePriority: number,
  trackers: readonly TrackerConfig[],
  status: Readonly<Record<string, TrackerStatus>>,
  configFault = false,
): Tracking {
  const faults: string[] = configFault ? [CONFIG_FAULT] : [];
  const initScripts: string[] = [];
  let total = basePriority;
  for (const t of trackers) {
    const s = status[t.id] ?? (t.kind === 'script' ? 'init' : t.kind === 'file' ? 0 : 'up');
    const m = t.reverse ? -1 : 1;
    if (t.kind === 'file') {
      const value = typeof s === 'number' ? s : 0;
      if (t.weight === 0) {
        if ((value !== 0) !== t.reverse) faults.push(t.id);
        continue;
      }
      const contribution = Math.max(-254, Math.min(253, value * t.weight * m));
      if (contribution <= -254) faults.push(t.id);
      else total += contribution;
      continue;
    }
    if (s === 'init') {
      if (t.weight === 0) initScripts.push(t.id);
      continue;
    }
    if (s === 'unknown') continue;
    const up = s === 'up';
    if (t.weight === 0) {
      if (up === t.reverse) faults.push(t.id);
    } else if (t.weight > 0 ? up : !up) {
      total += t.weight * m;
    }
  }
  const effectivePriority =
    basePriority === OWNER_PRIORITY ? OWNER_PRIORITY : Math.max(1, Math.min(254, total));
  return { faults, initScripts, total, effectivePriority };
}
