/**
 * Tracked objects defined at top level: `vrrp_script NAME { }` (reference §2.2; keepalived
 * vrrp/vrrp_parser.c vrrp_script keywords) and `track_file NAME { }` / `vrrp_track_file`
 * (reference §2.3; keepalived trackers/track_file.c).
 */
import type { Statement, Word } from '../ast.js';
import type { Loc } from '../diagnostics.js';
import type { ScriptSpec, TrackFile } from '../model.js';
import type { Ctx } from './context.js';
import { plain, walk, type KeywordTable } from './engine.js';
import { readScript } from './script.js';
import { readInt, readUnsigned } from './values.js';

export interface VrrpScriptDraft {
  readonly name: string;
  readonly loc: Loc;
  /** The block's `}`: keepalived checks the script when it reaches it. */
  readonly closeAt: Loc;
  script?: ScriptSpec;
  /** The `script` line, where keepalived reports problems with the command. */
  scriptAt?: Statement;
  user?: { user: string; group: string | null };
  intervalMs: number;
  timeoutMs: number;
  weight: number;
  weightReverse: boolean;
  rise: number;
  fall: number;
  initFail: boolean;
}

const scriptKeywords: KeywordTable<VrrpScriptDraft> = {
  script: plain((ctx, stmt, d) => {
    const s = readScript(ctx, stmt);
    if (s) {
      d.script = s;
      d.scriptAt = stmt;
    }
  }),
  interval: plain((ctx, stmt, d) => {
    const w = ctx.arg(stmt, 1);
    const v = w && readUnsigned(ctx, w, 0, 0xffffffff / 1000);
    if (v === undefined) return;
    if (v === 0) {
      ctx.report(
        'GENERAL_ERROR',
        stmt,
        `(${d.name}): vrrp script interval must be greater than 0, setting to 1`,
      );
      d.intervalMs = 1000;
    } else d.intervalMs = v * 1000;
  }),
  timeout: plain((ctx, stmt, d) => {
    const w = ctx.arg(stmt, 1);
    const v = w && readUnsigned(ctx, w, 0, 0xffffffff / 1000);
    if (v !== undefined) d.timeoutMs = v * 1000;
  }),
  weight: plain((ctx, stmt, d) => {
    const w = ctx.arg(stmt, 1);
    if (!w) return;
    const v = readInt(ctx, w, -253, 253);
    if (v === undefined) {
      ctx.report('GENERAL_ERROR', w, `vrrp_script ${d.name} weight ${w.text} must be in [-253, 253]`);
      return;
    }
    d.weight = v;
    const r = stmt.words[2]?.text;
    if (r === 'reverse') d.weightReverse = true;
    else if (r !== undefined && r !== 'noreverse') {
      ctx.report('GENERAL_ERROR', stmt.words[2] ?? stmt, `(${d.name}) unknown weight option '${r}'`);
    }
  }),
  rise: riseFall('rise'),
  fall: riseFall('fall'),
  user: plain((ctx, stmt, d) => {
    const u = ctx.arg(stmt, 1);
    if (u) d.user = { user: u.text, group: stmt.words[2]?.text ?? null };
  }),
  init_fail: plain((_ctx, _stmt, d) => (d.initFail = true)),
};

function riseFall(which: 'rise' | 'fall') {
  return plain<VrrpScriptDraft>((ctx, stmt, d) => {
    const w = ctx.arg(stmt, 1);
    if (!w) return;
    const v = readUnsigned(ctx, w, 1, 2147483647);
    if (v === undefined) {
      ctx.report(
        'GENERAL_ERROR',
        w,
        `(${d.name}): vrrp script ${which} value '${w.text}' invalid, defaulting to 1`,
      );
      d[which] = 1;
      return;
    }
    d[which] = v;
  });
}

/** A `vrrp_script` block; undefined when keepalived removes it at its `}` (no `script`). */
export function parseVrrpScript(ctx: Ctx, stmt: Statement, name: Word): VrrpScriptDraft | undefined {
  const d: VrrpScriptDraft = {
    name: name.text,
    loc: stmt.loc,
    closeAt: stmt.block?.close ?? stmt.loc,
    intervalMs: 1000,
    timeoutMs: 0,
    weight: 0,
    weightReverse: false,
    rise: 1,
    fall: 1,
    initFail: false,
  };
  walk(ctx, stmt.block?.body ?? [], scriptKeywords, d);
  if (!d.script) {
    ctx.report('GENERAL_ERROR', d.closeAt, `No script set for vrrp_script ${d.name} - removing`);
    return undefined;
  }
  return d;
}

export interface TrackFileDraft {
  readonly name: string;
  readonly loc: Loc;
  readonly closeAt: Loc;
  file?: string;
  weight: number;
  weightReverse: boolean;
  initFile: TrackFile['initFile'];
}

const trackFileKeywords: KeywordTable<TrackFileDraft> = {
  file: plain((ctx, stmt, d) => {
    const w = ctx.arg(stmt, 1);
    if (w) d.file = w.text;
  }),
  weight: plain((ctx, stmt, d) => {
    const w = ctx.arg(stmt, 1);
    const v = w && readInt(ctx, w, -2147483647, 2147483647);
    if (v === undefined) return;
    d.weight = v;
    d.weightReverse = stmt.words[2]?.text === 'reverse';
  }),
  init_file: plain((ctx, stmt, d) => {
    let value = 0;
    let overwrite = false;
    for (const w of stmt.words.slice(1)) {
      if (w.text === 'overwrite') overwrite = true;
      else {
        const v = readInt(ctx, w, -2147483647, 2147483647);
        if (v !== undefined) value = v;
      }
    }
    d.initFile = { value, overwrite };
  }),
};

/** A `track_file` block; undefined when keepalived ignores it at its `}` (no `file`). */
export function parseTrackFile(ctx: Ctx, stmt: Statement, name: Word): TrackFileDraft | undefined {
  const d: TrackFileDraft = {
    name: name.text,
    loc: stmt.loc,
    closeAt: stmt.block?.close ?? stmt.loc,
    weight: 1,
    weightReverse: false,
    initFile: null,
  };
  walk(ctx, stmt.block?.body ?? [], trackFileKeywords, d);
  if (d.file === undefined) {
    ctx.report('GENERAL_ERROR', d.closeAt, `No file set for track_file ${d.name} - ignoring`);
    return undefined;
  }
  return d;
}
