/**
 * `vrrp_sync_group NAME { }` (reference §2.4; keepalived vrrp/vrrp_parser.c).
 */
import type { Statement, Word } from '../ast.js';
import type { Loc } from '../diagnostics.js';
import type { ScriptSpec, TrackedInterface, TrackedScript } from '../model.js';
import type { Ctx } from './context.js';
import { plain, valueLines, values, walk, type KeywordTable } from './engine.js';
import { readScript } from './script.js';
import { parseTrackInterfaces, parseTrackRefs, type TrackEntry } from './tracking.js';
import { unsupported } from './unsupported.js';
import { readFlag } from './values.js';

export interface SyncGroupDraft {
  readonly name: string;
  readonly loc: Loc;
  members: Word[];
  trackInterfaces: TrackEntry<TrackedInterface>[];
  trackScripts: TrackEntry<TrackedScript>[];
  trackFiles: TrackEntry<TrackedScript>[];
  notify: {
    master?: ScriptSpec;
    backup?: ScriptSpec;
    fault?: ScriptSpec;
    stop?: ScriptSpec;
    any?: ScriptSpec;
  };
  smtpAlert?: boolean;
  syncGroupTrackingWeight: boolean;
  notifyPriorityChanges?: boolean;
}

const notify =
  (set: (d: SyncGroupDraft, s: ScriptSpec) => void) =>
  (ctx: Ctx, stmt: Statement, d: SyncGroupDraft): void => {
    const s = readScript(ctx, stmt);
    if (s) set(d, s);
  };

const keywords: KeywordTable<SyncGroupDraft> = {
  group: values((ctx, stmt, d) => {
    for (const line of valueLines(ctx, stmt)) d.members.push(...line.words);
  }),
  track_interface: values((ctx, stmt, d) =>
    d.trackInterfaces.push(...parseTrackInterfaces(ctx, d.name, stmt)),
  ),
  track_script: values((ctx, stmt, d) => d.trackScripts.push(...parseTrackRefs(ctx, d.name, stmt, 253))),
  track_file: values((ctx, stmt, d) => d.trackFiles.push(...parseTrackRefs(ctx, d.name, stmt, 253))),
  notify_master: plain(notify((d, s) => (d.notify.master = s))),
  notify_backup: plain(notify((d, s) => (d.notify.backup = s))),
  notify_fault: plain(notify((d, s) => (d.notify.fault = s))),
  notify_stop: plain(notify((d, s) => (d.notify.stop = s))),
  notify: plain(notify((d, s) => (d.notify.any = s))),
  smtp_alert: plain((ctx, stmt, d) => {
    const v = readFlag(ctx, stmt);
    if (v !== undefined) d.smtpAlert = v;
  }),
  sync_group_tracking_weight: plain((_ctx, _stmt, d) => (d.syncGroupTrackingWeight = true)),
  notify_priority_changes: plain((ctx, stmt, d) => {
    const v = readFlag(ctx, stmt);
    if (v !== undefined) d.notifyPriorityChanges = v;
  }),
  global_tracking: plain((ctx, stmt, d) => {
    ctx.report(
      'DEPRECATED',
      stmt,
      `(${d.name}) global_tracking is deprecated. Use track_interface/script/file/bfd/process in sync groups`,
    );
  }),
  ...unsupported<SyncGroupDraft>(['track_process', 'track_bfd'], 'values'),
};

export function parseSyncGroup(ctx: Ctx, stmt: Statement, name: Word): SyncGroupDraft {
  const d: SyncGroupDraft = {
    name: name.text,
    loc: stmt.loc,
    members: [],
    trackInterfaces: [],
    trackScripts: [],
    trackFiles: [],
    notify: {},
    syncGroupTrackingWeight: false,
  };
  walk(ctx, stmt.block?.body ?? [], keywords, d);
  return d;
}
