/**
 * The tracked objects defined so far in the config being validated. keepalived resolves a
 * `track_script`/`track_file`/`track_process`/`track_bfd` entry, and a FILE_CHECK's or BFD_CHECK's
 * name, when it reads it: an object defined further down is "not found". The blocks register
 * themselves here as they are completed; one registry per validation (per Ctx).
 */
import type { Ctx } from './context.js';

export interface TrackerRegistry {
  /** vrrp_script blocks keepalived keeps. */
  readonly scripts: Set<string>;
  /** track_file blocks with a file. */
  readonly files: Set<string>;
  /** vrrp_track_process blocks with a process. */
  readonly processes: Set<string>;
  /** bfd_instance names as the VRRP process keeps them (not `checker`-only ones). */
  readonly vrrpBfds: Set<string>;
  /** bfd_instance names as the checker process keeps them (not `vrrp`-only ones). */
  readonly checkerBfds: Set<string>;
}

const registries = new WeakMap<Ctx, TrackerRegistry>();

export function trackers(ctx: Ctx): TrackerRegistry {
  let r = registries.get(ctx);
  if (!r) {
    r = {
      scripts: new Set(),
      files: new Set(),
      processes: new Set(),
      vrrpBfds: new Set(),
      checkerBfds: new Set(),
    };
    registries.set(ctx, r);
  }
  return r;
}
