/**
 * `vrrp_sync_group NAME { }` (keepalived vrrp/vrrp_parser.c).
 */
import type { Statement, Word } from '../ast.js';
import type { Loc } from '../diagnostics.js';
import type { ScriptSpec, TrackedInterface, TrackedScript } from '../model.js';
import type { Ctx } from './context.js';
import { plain, valueLines, values, walk, type KeywordTable } from './engine.js';
import { notActedOn } from './unsupported.js';
import { readScript } from './script.js';
import {
  parseTrackInterfaces,
  parseTrackRefs,
  trackProcessBfdKeywords,
  type TrackEntry,
} from './tracking.js';
import { parseBool } from './values.js';

export interface SyncGroupDraft {
  readonly name: string;
  readonly loc: Loc;
  members: Word[];
  /** A non-empty `group` block was read (keepalived refuses a second one). */
  groupSet: boolean;
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

type NotifyKey = keyof SyncGroupDraft['notify'];

const notify = (key: NotifyKey) =>
  plain<SyncGroupDraft>((ctx, stmt, d) => {
    if (d.notify[key]) {
      const w = ctx.arg(stmt, 1);
      if (w) {
        ctx.report(
          'GENERAL_ERROR',
          stmt,
          `vrrp group ${d.name}: ${stmt.words[0]?.text ?? ''} script already specified - ignoring ${w.text}`,
        );
      }
      return;
    }
    const s = readScript(ctx, stmt);
    if (s) d.notify[key] = s;
  });

/** keepalived's optional boolean of a sync group keyword, with the keyword's own message. */
const flag =
  (message: (d: SyncGroupDraft, value: string) => string, set: (d: SyncGroupDraft, v: boolean) => void) =>
  (ctx: Ctx, stmt: Statement, d: SyncGroupDraft): void => {
    const w = stmt.words[1];
    const v = w ? parseBool(w.text) : true;
    if (v === undefined) ctx.report('GENERAL_ERROR', stmt, message(d, (w as Word).text));
    else set(d, v);
  };

const keywords: KeywordTable<SyncGroupDraft> = {
  group: values((ctx, stmt, d) => {
    if (d.groupSet) {
      // keepalived skips the block.
      ctx.report('GENERAL_ERROR', stmt, `Group list already specified for sync group ${d.name}`);
      return;
    }
    const members = valueLines(ctx, stmt).flatMap((line) => line.words);
    if (members.length === 0) {
      ctx.report('GENERAL_ERROR', stmt, `Warning - sync group ${d.name} has empty group block`);
      return;
    }
    d.members.push(...members);
    d.groupSet = true;
  }),
  track_interface: values((ctx, stmt, d) =>
    d.trackInterfaces.push(...parseTrackInterfaces(ctx, d.name, stmt)),
  ),
  track_script: values((ctx, stmt, d) => d.trackScripts.push(...parseTrackRefs(ctx, d.name, stmt, 253))),
  track_file: values((ctx, stmt, d) => d.trackFiles.push(...parseTrackRefs(ctx, d.name, stmt, 253))),
  notify_master: notify('master'),
  notify_backup: notify('backup'),
  notify_fault: notify('fault'),
  notify_stop: notify('stop'),
  notify: notify('any'),
  smtp_alert: plain(
    flag(
      (_d, v) => `Invalid vrrp_group smtp_alert parameter ${v}`,
      (d, v) => (d.smtpAlert = v),
    ),
  ),
  sync_group_tracking_weight: plain((_ctx, _stmt, d) => (d.syncGroupTrackingWeight = true)),
  notify_priority_changes: notActedOn(
    'vrrpSyncGroups[].notifyPriorityChanges',
    plain(
      flag(
        (d, v) => `(${d.name}) Invalid value '${v}' for sync group notify_priority_changes specified`,
        (d, v) => (d.notifyPriorityChanges = v),
      ),
    ),
  ),
  global_tracking: plain((ctx, stmt, d) => {
    // keepalived 2.2.7 reports it as an error, and still turns weighted tracking on.
    ctx.report(
      'GENERAL_ERROR',
      stmt,
      `(${d.name}) global_tracking is deprecated. Use track_interface/script/file on the sync group`,
    );
    d.syncGroupTrackingWeight = true;
  }),
  ...trackProcessBfdKeywords<SyncGroupDraft>((d) => d.name),
};

export function parseSyncGroup(ctx: Ctx, stmt: Statement, name: Word): SyncGroupDraft {
  const d: SyncGroupDraft = {
    name: name.text,
    loc: stmt.loc,
    members: [],
    groupSet: false,
    trackInterfaces: [],
    trackScripts: [],
    trackFiles: [],
    notify: {},
    syncGroupTrackingWeight: false,
  };
  walk(ctx, stmt.block?.body ?? [], keywords, d);
  return d;
}
