/**
 * Tracked objects defined at top level: `vrrp_script NAME { }` (keepalived
 * vrrp/vrrp_parser.c vrrp_script keywords) and `track_file NAME { }` / `vrrp_track_file`
 * (keepalived trackers/track_file.c).
 */
import type { Statement, Word } from '../ast.js';
import type { Loc } from '../diagnostics.js';
import type { ScriptSpec, TrackFile } from '../model.js';
import type { Ctx } from './context.js';
import { plain, walk, type KeywordTable } from './engine.js';
import { lexQuotedEscaped, readScript } from './script.js';
import { trackers } from './tracker-registry.js';
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
  /** A `user` keepalived could not resolve: it drops the script at its `}`. */
  removeScript: boolean;
}

/** keepalived cmd_str(): the script's words, each quoted (not a leading `<`/`>` redirection). */
function cmdStr(s: ScriptSpec | undefined): string {
  return (s?.argv ?? [])
    .map((a, i) => (i === 0 && (a.startsWith('<') || a.startsWith('>')) ? a : `'${a}'`))
    .join(' ');
}

/** keepalived's maximum vrrp_script interval/timeout in seconds (UINT_MAX µs). */
const SCRIPT_TIMER_MAX = Math.floor(0xffffffff / 1000000);

const scriptKeywords: KeywordTable<VrrpScriptDraft> = {
  script: plain((ctx, stmt, d) => {
    // keepalived: a `script` without a command sets none ("No script set" at the `}`).
    const line = lexQuotedEscaped(stmt.line);
    if (line.ok && line.words.length < 2) return;
    const s = readScript(ctx, stmt);
    if (s) {
      d.script = s;
      d.scriptAt = stmt;
    }
  }),
  interval: plain((ctx, stmt, d) => {
    const w = ctx.arg(stmt, 1);
    if (!w) return;
    const v = readUnsigned(ctx, w, 0, SCRIPT_TIMER_MAX);
    if (v === undefined) {
      ctx.report(
        'GENERAL_ERROR',
        w,
        `(${d.name}): vrrp script interval '${w.text}' must be between 1 and ${SCRIPT_TIMER_MAX} - ignoring`,
      );
      return;
    }
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
    if (!w) return;
    const v = readUnsigned(ctx, w, 0, SCRIPT_TIMER_MAX);
    if (v === undefined) {
      ctx.report('GENERAL_ERROR', w, `(${d.name}): vrrp script timeout '${w.text}' invalid - ignoring`);
      return;
    }
    if (v === 0) {
      ctx.report(
        'GENERAL_ERROR',
        stmt,
        `(${d.name}): vrrp script timeout must be greater than 0, setting to 1`,
      );
    }
    d.timeoutMs = Math.max(v, 1) * 1000;
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
    else if (r !== undefined) {
      ctx.report('GENERAL_ERROR', stmt.words[2] ?? stmt, `vrrp_script ${d.name} unknown weight option ${r}`);
    }
  }),
  rise: riseFall('rise'),
  fall: riseFall('fall'),
  user: plain((ctx, stmt, d) => {
    const u = ctx.arg(stmt, 1);
    if (!u) return;
    const group = stmt.words[2]?.text ?? null;
    if (ctx.host.userExists(u.text) === false || (group !== null && ctx.host.groupExists(group) === false)) {
      ctx.report('GENERAL_ERROR', stmt, `Unable to set uid/gid for script ${cmdStr(d.script)}`);
      d.removeScript = true;
      return;
    }
    d.removeScript = false;
    d.user = { user: u.text, group };
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
    removeScript: false,
  };
  walk(ctx, stmt.block?.body ?? [], scriptKeywords, d);
  if (!d.script) {
    ctx.report('GENERAL_ERROR', d.closeAt, `No script set for vrrp_script ${d.name} - removing`);
    return undefined;
  }
  if (d.removeScript) return undefined;
  trackers(ctx).scripts.add(d.name);
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
    const w = stmt.words[1];
    if (!w) {
      ctx.report('GENERAL_ERROR', stmt, 'track file file name missing');
      return;
    }
    if (d.file !== undefined) {
      ctx.report('GENERAL_ERROR', w, `File already set for track file ${d.name} - ignoring ${w.text}`);
      return;
    }
    d.file = w.text;
  }),
  weight: plain((ctx, stmt, d) => {
    const w = stmt.words[1];
    if (!w) {
      ctx.report('GENERAL_ERROR', stmt, `No weight specified for track file ${d.name} - ignoring`);
      return;
    }
    // keepalived: 1 is the default, so only another value counts as already set.
    if (d.weight !== 1) {
      ctx.report('GENERAL_ERROR', w, `Weight already set for track file ${d.name} - ignoring ${w.text}`);
      return;
    }
    const v = readInt(ctx, w, -254, 254);
    if (v === undefined) {
      ctx.report(
        'GENERAL_ERROR',
        w,
        `Weight (${w.text}) for track_file ${d.name} must be between [-254..254] inclusive. Ignoring...`,
      );
    } else d.weight = v;
    const r = stmt.words[2];
    if (r?.text === 'reverse') d.weightReverse = true;
    else if (r) ctx.report('GENERAL_ERROR', r, `track_file ${d.name} unknown weight option ${r.text}`);
  }),
  init_file: plain((ctx, stmt, d) => {
    let value = 0;
    let overwrite = false;
    for (const w of stmt.words.slice(1)) {
      const word = w.text.replace(/^[ \t\n\v\f\r]+/, '');
      if (/^[0-9-]/.test(word)) {
        const v = readInt(ctx, w, -2147483648, 2147483647);
        if (v === undefined) {
          ctx.report('GENERAL_ERROR', w, `Track file ${d.name} init value ${word} is invalid`);
          value = 0;
        } else {
          if (v < -254 || v > 254) {
            ctx.report(
              'GENERAL_ERROR',
              w,
              `Track file ${d.name} init value ${v} is outside sensible range [-254, 254]`,
            );
          }
          value = v;
        }
      } else if (word === 'overwrite') overwrite = true;
      else ctx.report('GENERAL_ERROR', w, `Unknown track file init option ${word}`);
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
  trackers(ctx).files.add(d.name);
  return d;
}
