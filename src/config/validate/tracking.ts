/**
 * `track_interface`, `track_script` and `track_file` value blocks, shared by `vrrp_instance` and
 * `vrrp_sync_group` (keepalived vrrp/vrrp_track.c alloc_track_if(), alloc_track_script(), ...).
 * Entries are `NAME [weight W [reverse|noreverse]]`.
 */
import type { Statement, Word } from '../ast.js';
import type { TrackedInterface, TrackedScript } from '../model.js';
import type { Ctx } from './context.js';
import { valueLines } from './engine.js';
import { readInt } from './values.js';

export interface TrackEntry<T> {
  readonly value: T;
  /** The entry line, for "not found" messages reported once all blocks are known. */
  readonly at: Word;
}

/** Parse `weight W [reverse|noreverse]` after the name; undefined when the entry is dropped. */
function readWeight(
  ctx: Ctx,
  owner: string,
  line: Statement,
  limit: number,
): { weight: number | null; reverse: boolean } | undefined {
  const name = (line.words[0] as Word).text;
  let weight: number | null = null;
  let reverse = false;
  for (let i = 1; i < line.words.length; i++) {
    const w = (line.words[i] as Word).text;
    if (w === 'weight') {
      const v = ctx.arg(line, i + 1);
      if (!v) return undefined;
      i++;
      const n = readInt(ctx, v, -(limit + 1), limit + 1);
      if (n === undefined || n < -limit || n > limit) {
        ctx.report(
          'GENERAL_ERROR',
          v,
          `(${owner}) weight ${v.text} for ${name} must be between [-${limit}..${limit}] inclusive. Ignoring...`,
        );
        return undefined;
      }
      weight = n;
    } else if (w === 'reverse') {
      reverse = true;
    } else if (w === 'noreverse') {
      reverse = false;
    } else {
      ctx.report(
        'GENERAL_ERROR',
        line.words[i] ?? line,
        `(${owner}) unknown track option '${w}' for ${name} - ignoring`,
      );
    }
  }
  return { weight, reverse };
}

export function parseTrackInterfaces(
  ctx: Ctx,
  owner: string,
  stmt: Statement,
): TrackEntry<TrackedInterface>[] {
  const out: TrackEntry<TrackedInterface>[] = [];
  for (const line of valueLines(ctx, stmt)) {
    const name = line.words[0] as Word;
    if (ctx.host.interfaceExists(name.text) === false) {
      ctx.report('BAD_IF', name, `(${owner}) tracked interface ${name.text} doesn't exist`);
      continue;
    }
    const w = readWeight(ctx, owner, line, 253);
    if (w) out.push({ value: { name: name.text, weight: w.weight ?? 0, reverse: w.reverse }, at: name });
  }
  return out;
}

/** `track_script` / `track_file` entries; names are resolved once every block is read. */
export function parseTrackRefs(
  ctx: Ctx,
  owner: string,
  stmt: Statement,
  limit: number,
): TrackEntry<TrackedScript>[] {
  const out: TrackEntry<TrackedScript>[] = [];
  for (const line of valueLines(ctx, stmt)) {
    const name = line.words[0] as Word;
    const w = readWeight(ctx, owner, line, limit);
    if (w) out.push({ value: { name: name.text, weight: w.weight, reverse: w.reverse }, at: name });
  }
  return out;
}
