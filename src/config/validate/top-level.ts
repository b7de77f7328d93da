/**
 * The top level of keepalived.conf: which blocks exist there, read in file order. keepalived
 * resolves a `track_script`/`track_file` name when it reads it, so a script defined further down
 * is "not found" (checked against keepalived 2.2.7).
 */
import type { Statement, Word } from '../ast.js';
import type { IpAddressSpec, RouteRuleSpec, TrackedScript, VirtualServerGroup } from '../model.js';
import { parseIpAddressLine, parseRouteLine, parseRuleLine } from './addresses.js';
import type { Ctx } from './context.js';
import { block, plain, valueLines, values, walk, type KeywordTable } from './engine.js';
import { newGlobalDraft, parseGlobalDefs, type GlobalDraft } from './global-defs.js';
import { parseSyncGroup, type SyncGroupDraft } from './sync-group.js';
import { parseTrackFile, parseVrrpScript, type TrackFileDraft, type VrrpScriptDraft } from './trackers.js';
import type { TrackEntry } from './tracking.js';
import { unsupported } from './unsupported.js';
import {
  completeVirtualServer,
  parseVirtualServer,
  parseVirtualServerGroup,
  type CompletedVirtualServer,
} from './virtual-server.js';
import { instanceKeywords, newInstanceDraft, type InstanceDraft } from './vrrp-instance.js';

export interface TopDraft {
  global: GlobalDraft;
  scripts: VrrpScriptDraft[];
  trackFiles: TrackFileDraft[];
  syncGroups: SyncGroupDraft[];
  instances: InstanceDraft[];
  staticIps: IpAddressSpec[];
  staticRoutes: RouteRuleSpec[];
  staticRules: RouteRuleSpec[];
  vsGroups: VirtualServerGroup[];
  virtualServers: CompletedVirtualServer[];
  ssl: { password: string | null; ca: string | null; certificate: string | null; key: string | null } | null;
  /** keepalived numbers rules without a preference downwards from 16384. */
  rulePreference: number;
}

const nameOf = (ctx: Ctx, stmt: Statement): Word | undefined => ctx.arg(stmt, 1);

/** Resolve track_script/track_file names against what was defined before this block. */
function resolveRefs(
  ctx: Ctx,
  owner: string,
  what: 'script' | 'file',
  refs: TrackEntry<TrackedScript>[],
  known: ReadonlySet<string>,
): TrackEntry<TrackedScript>[] {
  return refs.filter((r) => {
    if (known.has(r.value.name)) return true;
    ctx.report('WARNING', r.at, `(${owner}) track ${what} ${r.value.name} not found, ignoring...`);
    return false;
  });
}

function trackFile(ctx: Ctx, stmt: Statement, d: TopDraft): void {
  const name = nameOf(ctx, stmt);
  const file = name && parseTrackFile(ctx, stmt, name);
  if (file) d.trackFiles.push(file);
}

export function topKeywords(): KeywordTable<TopDraft> {
  const known = (d: TopDraft): { scripts: Set<string>; files: Set<string> } => ({
    scripts: new Set(d.scripts.map((s) => s.name)),
    files: new Set(d.trackFiles.map((f) => f.name)),
  });
  return {
    global_defs: block((ctx, stmt, d) => parseGlobalDefs(ctx, stmt, d.global)),
    vrrp_script: block((ctx, stmt, d) => {
      const name = nameOf(ctx, stmt);
      const script = name && parseVrrpScript(ctx, stmt, name);
      if (script) d.scripts.push(script);
    }),
    track_file: block(trackFile),
    vrrp_track_file: block(trackFile),
    vrrp_sync_group: block((ctx, stmt, d) => {
      const name = nameOf(ctx, stmt);
      if (!name) return;
      const g = parseSyncGroup(ctx, stmt, name);
      const k = known(d);
      g.trackScripts = resolveRefs(ctx, g.name, 'script', g.trackScripts, k.scripts);
      g.trackFiles = resolveRefs(ctx, g.name, 'file', g.trackFiles, k.files);
      d.syncGroups.push(g);
    }),
    vrrp_instance: block((ctx, stmt, d) => {
      const name = nameOf(ctx, stmt);
      if (!name) return;
      if (d.instances.some((i) => i.name === name.text)) {
        ctx.report('GENERAL_ERROR', stmt, `vrrp instance ${name.text} already defined`);
        return;
      }
      const inst = newInstanceDraft(
        name.text,
        stmt.loc,
        () => d.rulePreference--,
        stmt.block?.close ?? stmt.loc,
      );
      walk(ctx, stmt.block?.body ?? [], instanceKeywords, inst);
      const k = known(d);
      inst.trackScripts = resolveRefs(ctx, inst.name, 'script', inst.trackScripts, k.scripts);
      inst.trackFiles = resolveRefs(ctx, inst.name, 'file', inst.trackFiles, k.files);
      d.instances.push(inst);
    }),
    static_ipaddress: values((ctx, stmt, d) => {
      for (const line of valueLines(ctx, stmt)) {
        const ip = parseIpAddressLine(ctx, line, true);
        if (ip) d.staticIps.push(ip);
      }
    }),
    static_routes: values((ctx, stmt, d) => {
      for (const line of valueLines(ctx, stmt)) d.staticRoutes.push(parseRouteLine(ctx, line, false));
    }),
    static_rules: values((ctx, stmt, d) => {
      for (const line of valueLines(ctx, stmt)) {
        const rule = parseRuleLine(ctx, line, () => d.rulePreference--);
        if (rule) d.staticRules.push(rule);
      }
    }),
    virtual_server_group: values((ctx, stmt, d) => {
      const name = nameOf(ctx, stmt);
      const g = name && parseVirtualServerGroup(ctx, stmt, name);
      if (g) d.vsGroups.push(g);
    }),
    virtual_server: block((ctx, stmt, d) => {
      const draft = parseVirtualServer(ctx, stmt);
      // Completed at once, so the block's draft does not outlive it; messages at the end.
      const vs = draft && ctx.later(() => completeVirtualServer(ctx, draft));
      if (vs) d.virtualServers.push(vs);
    }),
    SSL: block((ctx, stmt, d) => {
      const ssl = { password: null, ca: null, certificate: null, key: null } as NonNullable<TopDraft['ssl']>;
      const set = (k: keyof typeof ssl) =>
        plain<typeof ssl>((c, s, o) => {
          const w = c.arg(s, 1);
          if (w) o[k] = w.text;
        });
      walk(
        ctx,
        stmt.block?.body ?? [],
        { password: set('password'), ca: set('ca'), certificate: set('certificate'), key: set('key') },
        ssl,
      );
      d.ssl = ssl;
    }),
    ...unsupported<TopDraft>([
      'linkbeat_use_polling',
      'net_namespace',
      'net_namespace_ipvs',
      'namespace_with_ipsets',
      'use_pid_dir',
      'instance',
      'child_wait_time',
    ]),
    ...unsupported<TopDraft>(['track_group', 'garp_group', 'vrrp_track_process', 'bfd_instance'], 'block'),
    ...unsupported<TopDraft>(['linkbeat_interfaces', 'interface_up_down_delays'], 'values'),
  };
}

export const newTopDraft = (): TopDraft => ({
  global: newGlobalDraft(),
  scripts: [],
  trackFiles: [],
  syncGroups: [],
  instances: [],
  staticIps: [],
  staticRoutes: [],
  staticRules: [],
  vsGroups: [],
  virtualServers: [],
  ssl: null,
  rulePreference: 16384,
});
