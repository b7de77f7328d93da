/**
 * `track_interface`, `track_script`, `track_file`, `track_process` and `track_bfd` value blocks,
 * shared by `vrrp_instance` and `vrrp_sync_group` (keepalived vrrp/vrrp_track.c alloc_track_if(),
 * alloc_track_script(), alloc_track_process(), alloc_track_bfd(), trackers/track_file.c
 * vrrp_alloc_track_file()). Entries are `NAME [weight W [reverse|noreverse]]`; keepalived resolves
 * the name when it reads the entry, so an object defined further down is "not found".
 */
import type { Statement, Word } from '../ast.js';
import type { TrackedInterface, TrackedScript } from '../model.js';
import type { Ctx } from './context.js';
import { valueLines, values, type KeywordTable } from './engine.js';
import { trackers } from './tracker-registry.js';
import { readInt } from './values.js';

export interface TrackEntry<T> {
  readonly value: T;
  /** The entry line, for messages about it made once all blocks are known. */
  readonly at: Word;
}

type Kind = 'interface' | 'script' | 'file' | 'process' | 'bfd';

/** What each kind of entry is called in keepalived's messages, and its weight bounds. */
const KIND: Record<
  Exclude<Kind, 'interface'>,
  {
    readonly known: (ctx: Ctx) => ReadonlySet<string>;
    readonly label: string;
    readonly keyword: string;
    readonly limit: number;
    readonly badWeight: (owner: string, name: string) => string;
    readonly unknownOption: (owner: string, name: string, opt: string) => string;
    readonly unknownWeightOption: (owner: string, name: string, opt: string) => string;
    /** keepalived drops the entry on an unknown weight option. */
    readonly dropOnWeightOption: boolean;
  }
> = {
  script: {
    known: (ctx) => trackers(ctx).scripts,
    label: 'track script',
    keyword: 'track_script',
    limit: 254,
    badWeight: (o, n) =>
      `(${o}) track script ${n}: weight must be between [-253..253] inclusive, ignoring...`,
    unknownOption: (o, _n, w) => `(${o}) unknown track script option ${w} - ignoring`,
    unknownWeightOption: (o, n, w) => `(${o}) unknown track_script ${n} weight option ${w} - ignoring`,
    dropOnWeightOption: false,
  },
  file: {
    known: (ctx) => trackers(ctx).files,
    label: 'track file',
    keyword: 'track_file',
    limit: 254,
    badWeight: (o, n) => `(${o}) weight for track file ${n} must be in [-254..254] inclusive. Ignoring...`,
    unknownOption: (o, _n, w) => `(${o}) unknown track file option ${w} - ignoring`,
    unknownWeightOption: (o, n, w) => `(${o}) unknown track file ${n} weight option ${w} - ignoring`,
    dropOnWeightOption: true,
  },
  process: {
    known: (ctx) => trackers(ctx).processes,
    label: 'track process',
    keyword: 'track_process',
    limit: 254,
    badWeight: (o, n) => `(${o}) weight for track process ${n} must be in [-254..254] inclusive. Ignoring...`,
    unknownOption: (o, _n, w) => `(${o}) unknown track process option ${w} - ignoring`,
    unknownWeightOption: (o, n, w) => `(${o}) unknown track_process ${n} weight option ${w} - ignoring`,
    dropOnWeightOption: false,
  },
  bfd: {
    known: (ctx) => trackers(ctx).vrrpBfds,
    label: 'track bfd',
    keyword: 'track_bfd',
    limit: 253,
    badWeight: (o, n) => `(${o}) weight for track bfd ${n} must be in [-253..253] inclusive. Ignoring...`,
    unknownOption: (o, n, w) => `(${o}) unknown track bfd ${n} option ${w} - ignoring`,
    unknownWeightOption: (o, n, w) => `(${o}) unknown track bfd ${n} weight option ${w} - ignoring`,
    dropOnWeightOption: true,
  },
};

/** What each instance / sync group already tracks (keepalived's per-owner lists), per validation. */
const tracked = new WeakMap<Ctx, Map<string, Set<string>>>();

/** Record `name` in the owner's list; false when it is already there. */
function addTracked(ctx: Ctx, kind: Kind, owner: string, name: string): boolean {
  let m = tracked.get(ctx);
  if (!m) tracked.set(ctx, (m = new Map<string, Set<string>>()));
  const key = `${kind}\0${owner}`;
  let s = m.get(key);
  if (!s) m.set(key, (s = new Set<string>()));
  if (s.has(name)) return false;
  s.add(name);
  return true;
}

const text = (line: Statement, i: number): string | undefined => line.words[i]?.text;

/** keepalived alloc_track_if(). */
function trackInterfaceLine(ctx: Ctx, owner: string, line: Statement): TrackedInterface | undefined {
  const name = (line.words[0] as Word).text;
  if (ctx.host.interfaceExists(name) === false) {
    // BAD_IF: keepalived also notes a non-existent interface, reported at the end.
    ctx.report('BAD_IF', line, `(${owner}) tracked interface ${name} doesn't exist`);
    return undefined;
  }
  if (!addTracked(ctx, 'interface', owner, name)) {
    ctx.report('GENERAL_ERROR', line, `(${owner}) duplicate track_interface ${name} - ignoring`);
    return undefined;
  }
  let weight = 0;
  let reverse = false;
  if (line.words.length >= 2) {
    const opt = text(line, 1) as string;
    if (opt !== 'weight') {
      ctx.report(
        'GENERAL_ERROR',
        line,
        `(${owner}) unknown track_interface ${name} option ${opt} - ignoring`,
      );
      return undefined;
    }
    const w = line.words[2];
    if (!w) {
      ctx.report(
        'GENERAL_ERROR',
        line,
        `(${owner}) weight without value specified for track_interface ${name} - ignoring`,
      );
      return undefined;
    }
    const v = readInt(ctx, w, -254, 254);
    if (v === undefined) {
      ctx.report(
        'GENERAL_ERROR',
        w,
        `(${owner}) weight ${w.text} for ${name} must be between [-253..253] inclusive. Ignoring...`,
      );
    } else if (v === 254 || v === -254) {
      ctx.report('GENERAL_ERROR', w, `(${owner}) weight for ${name} cannot be +/-254. Setting to +/-253`);
      weight = v > 0 ? 253 : -253;
    } else weight = v;
    const r = text(line, 3);
    if (r === 'reverse') reverse = true;
    else if (r !== undefined) {
      ctx.report(
        'GENERAL_ERROR',
        line,
        `(${owner}) unknown track_interace ${name} weight option ${r} - ignoring`,
      );
    }
  }
  return { name, weight, reverse };
}

/** keepalived alloc_track_script() / vrrp_alloc_track_file() / alloc_track_process() / alloc_track_bfd(). */
function trackRefLine(
  ctx: Ctx,
  kind: Exclude<Kind, 'interface'>,
  owner: string,
  line: Statement,
): TrackedScript | undefined {
  const k = KIND[kind];
  const name = (line.words[0] as Word).text;
  if (!k.known(ctx).has(name)) {
    ctx.report('GENERAL_ERROR', line, `(${owner}) ${k.label} ${name} not found, ignoring...`);
    return undefined;
  }
  if (!addTracked(ctx, kind, owner, name)) {
    ctx.report('GENERAL_ERROR', line, `(${owner}) duplicate ${k.keyword} ${name} - ignoring`);
    return undefined;
  }
  let weight: number | null = null;
  let reverse = false;
  if (line.words.length >= 2) {
    const opt = text(line, 1) as string;
    if (opt !== 'weight') {
      ctx.report('GENERAL_ERROR', line, k.unknownOption(owner, name, opt));
      return undefined;
    }
    const w = line.words[2];
    if (!w) {
      ctx.report(
        'GENERAL_ERROR',
        line,
        `(${owner}) weight without value specified for ${k.label} ${name} - ignoring`,
      );
      return undefined;
    }
    const v = readInt(ctx, w, -k.limit, k.limit);
    if (v === undefined) ctx.report('GENERAL_ERROR', w, k.badWeight(owner, name));
    else if (kind === 'script' && (v === 254 || v === -254)) {
      ctx.report('GENERAL_ERROR', w, `(${owner}) weight for ${name} cannot be +/-254. Setting to +/-253`);
      weight = v > 0 ? 253 : -253;
    } else weight = v;
    const r = text(line, 3);
    if (r === 'reverse') reverse = true;
    else if (r === 'noreverse') reverse = false;
    else if (r !== undefined) {
      ctx.report('GENERAL_ERROR', line, k.unknownWeightOption(owner, name, r));
      if (k.dropOnWeightOption) return undefined;
    }
  }
  return { name, weight, reverse };
}

export function parseTrackInterfaces(
  ctx: Ctx,
  owner: string,
  stmt: Statement,
): TrackEntry<TrackedInterface>[] {
  const out: TrackEntry<TrackedInterface>[] = [];
  for (const line of valueLines(ctx, stmt)) {
    const value = trackInterfaceLine(ctx, owner, line);
    if (value) out.push({ value, at: line.words[0] as Word });
  }
  return out;
}

/**
 * The entries of a `track_script` / `track_file` / `track_process` / `track_bfd` block (which
 * one: the block's keyword). `limit` is kept for callers; keepalived's bounds depend on the kind.
 */
export function parseTrackRefs(
  ctx: Ctx,
  owner: string,
  stmt: Statement,
  _limit = 253,
): TrackEntry<TrackedScript>[] {
  const keyword = stmt.words[0]?.text;
  const kind: Exclude<Kind, 'interface'> =
    keyword === 'track_file'
      ? 'file'
      : keyword === 'track_process'
        ? 'process'
        : keyword === 'track_bfd'
          ? 'bfd'
          : 'script';
  const out: TrackEntry<TrackedScript>[] = [];
  for (const line of valueLines(ctx, stmt)) {
    const value = trackRefLine(ctx, kind, owner, line);
    if (value) out.push({ value, at: line.words[0] as Word });
  }
  return out;
}

/**
 * `track_process` and `track_bfd` of an instance or sync group: read and checked as keepalived
 * does, not acted on (reported UNSUPPORTED).
 */
export function trackProcessBfdKeywords<D>(owner: (d: D) => string): KeywordTable<D> {
  const handle = (ctx: Ctx, stmt: Statement, d: D): void => {
    ctx.report('UNSUPPORTED', stmt, `${stmt.words[0]?.text ?? ''}: not supported - ignored`);
    parseTrackRefs(ctx, owner(d), stmt);
  };
  return { track_process: values(handle), track_bfd: values(handle) };
}
