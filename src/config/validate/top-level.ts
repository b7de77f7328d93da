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
import { trackers } from './tracker-registry.js';
import { bfdInstance, garpGroup, trackGroup, vrrpTrackProcess } from './trackers-extra.js';
import { ignored } from './global-tuning.js';
import { defaultScriptUserUsable } from './script-security.js';
import { readTimerUs, readUnsigned } from './values.js';
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
  /** With the range of ctx.deferred their completion wrote (dropped with a server keepalived drops). */
  virtualServers: (CompletedVirtualServer & { readonly messages: readonly [number, number] })[];
  ssl: { password: string | null; ca: string | null; certificate: string | null; key: string | null } | null;
  /** keepalived numbers rules without a preference downwards from 16384. */
  rulePreference: number;
  /** Root keywords we do not act on: what keepalived remembers of them (duplicates). */
  rootSeen: Map<string, string>;
}

const nameOf = (ctx: Ctx, stmt: Statement): Word | undefined => ctx.arg(stmt, 1);

/** keepalived's blocks that need exactly one name (`vector_count(strvec) != 2`), else skipped. */
function namedOnce(ctx: Ctx, stmt: Statement, message: string): Word | undefined {
  if (stmt.words.length !== 2) return void ctx.report('GENERAL_ERROR', stmt, message);
  return stmt.words[1];
}

/** `net_namespace NAME`, `instance NAME`: the name is required, a second one is a duplicate. */
const rootOnce =
  (keyword: string, missing: string) =>
  (ctx: Ctx, stmt: Statement, d: TopDraft): void => {
    const w = stmt.words[1];
    if (!w) return void ctx.report('GENERAL_ERROR', stmt, missing);
    const label = keyword === 'instance' ? 'instance' : 'net_namespace';
    if (d.rootSeen.has(keyword))
      return void ctx.report('GENERAL_ERROR', stmt, `Duplicate ${label} definition ${w.text} - ignoring`);
    d.rootSeen.set(keyword, w.text);
  };

/** keepalived if_get_by_ifname(): an interface the host lacks is only taken with dynamic_interfaces. */
const knownInterface = (ctx: Ctx, d: TopDraft, ifname: string): boolean =>
  d.global.dynamicInterfaces === true || ctx.host.interfaceExists(ifname) !== false;

/** `linkbeat_interfaces { IF [MII|ETHTOOL|IOCTL] }` (keepalived alloc_linkbeat_interface()). */
function linkbeatInterfaces(ctx: Ctx, stmt: Statement, d: TopDraft): void {
  for (const line of valueLines(ctx, stmt)) {
    const ifname = (line.words[0] as Word).text;
    if (!knownInterface(ctx, d, ifname)) {
      ctx.report('FATAL', line, `unknown interface ${ifname} specified for linkbeat interface`);
      continue;
    }
    const type = line.words[1]?.text;
    if (type !== undefined && (!['MII', 'ETHTOOL', 'IOCTL'].includes(type) || line.words.length > 2))
      ctx.report('GENERAL_ERROR', line, `extra characters ${type} in linkbeat interface`);
  }
}

/** `interface_up_down_delays { IF DOWN [UP] }`, delays in seconds in [0, 255] (bad ones only logged). */
function upDownDelays(ctx: Ctx, stmt: Statement, d: TopDraft): void {
  for (const line of valueLines(ctx, stmt)) {
    const ifname = (line.words[0] as Word).text;
    if (!knownInterface(ctx, d, ifname)) {
      ctx.report('FATAL', line, `unknown interface ${ifname} specified for up/down delay`);
      continue;
    }
    const down = line.words[1];
    if (!down || readTimerUs(ctx, down, 0, 255_000_000) === undefined) continue;
    const up = line.words[2];
    if (up) readTimerUs(ctx, up, 0, 255_000_000);
  }
}

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
      if (!script) return;
      // keepalived settles the default script user at the block's end (vrrp_vscript_end_handler()).
      const g = d.global;
      if (
        !script.user &&
        !defaultScriptUserUsable(ctx, g.defaultUser, g.enableScriptSecurity ?? false, script.closeAt)
      ) {
        ctx.report(
          'GENERAL_ERROR',
          script.closeAt,
          `Unable to set default user for vrrp script ${script.name} - removing`,
        );
        trackers(ctx).scripts.delete(script.name);
        return;
      }
      d.scripts.push(script);
    }),
    track_file: block(trackFile),
    vrrp_track_file: block(trackFile),
    vrrp_sync_group: block((ctx, stmt, d) => {
      const name = namedOnce(ctx, stmt, 'vrrp_sync_group must have a name - skipping');
      if (!name) return;
      if (d.syncGroups.some((g) => g.name === name.text))
        return void ctx.report('GENERAL_ERROR', stmt, `vrrp sync group ${name.text} already defined`);
      const g = parseSyncGroup(ctx, stmt, name);
      const k = known(d);
      g.trackScripts = resolveRefs(ctx, g.name, 'script', g.trackScripts, k.scripts);
      g.trackFiles = resolveRefs(ctx, g.name, 'file', g.trackFiles, k.files);
      d.syncGroups.push(g);
    }),
    vrrp_instance: block((ctx, stmt, d) => {
      const name = namedOnce(ctx, stmt, 'vrrp_instance must have a name');
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
      for (const line of valueLines(ctx, stmt)) {
        const route = parseRouteLine(ctx, line, false);
        if (route) d.staticRoutes.push(route);
      }
    }),
    static_rules: values((ctx, stmt, d) => {
      for (const line of valueLines(ctx, stmt)) {
        const rule = parseRuleLine(ctx, line, () => d.rulePreference--);
        if (rule) d.staticRules.push(rule);
      }
    }),
    virtual_server_group: values((ctx, stmt, d) => {
      const name = nameOf(ctx, stmt);
      // keepalived hands the words after the name to its value-block reader with a null keyword:
      // reporting them as extra parameters then fails for want of the keyword.
      if (name && stmt.words.length > 2 && stmt.words[2]?.text !== '{')
        return void ctx.report(
          'MISSING_PARAMETER',
          stmt,
          '*** Configuration line starting `***MISSING ***` is missing a parameter at word position 1',
        );
      const g = name && parseVirtualServerGroup(ctx, stmt, name);
      if (g) d.vsGroups.push(g);
    }),
    virtual_server: block((ctx, stmt, d) => {
      const draft = parseVirtualServer(ctx, stmt);
      // Completed at once, so the block's draft does not outlive it; messages at the end.
      const from = ctx.deferred.length;
      const vs = draft && ctx.later(() => completeVirtualServer(ctx, draft));
      if (vs) d.virtualServers.push({ ...vs, messages: [from, ctx.deferred.length] });
    }),
    // keepalived ssl_handler()/handle_ssl_file(): a second SSL block replaces the first; a file
    // keyword without a value, or given twice, is reported with keepalived's name for it.
    SSL: block((ctx, stmt, d) => {
      if (d.ssl) ctx.report('GENERAL_ERROR', stmt, 'SSL context already specified - replacing');
      const ssl = { password: null, ca: null, certificate: null, key: null } as NonNullable<TopDraft['ssl']>;
      const label = { password: 'password', ca: 'cafile', certificate: 'certfile', key: 'keyfile' } as const;
      const set = (k: keyof typeof ssl) =>
        plain<typeof ssl>((c, s, o) => {
          const w = s.words[1];
          if (!w) return void c.report('GENERAL_ERROR', s, `SSL ${label[k]} missing`);
          if (o[k] !== null) c.report('GENERAL_ERROR', s, `SSL ${label[k]} already specified - replacing`);
          o[k] = w.text;
        });
      walk(
        ctx,
        stmt.block?.body ?? [],
        { password: set('password'), ca: set('ca'), certificate: set('certificate'), key: set('key') },
        ssl,
      );
      d.ssl = ssl;
    }),
    linkbeat_use_polling: ignored(),
    namespace_with_ipsets: ignored(),
    use_pid_dir: ignored(),
    net_namespace: ignored(rootOnce('net_namespace', 'net_namespace name missing - ignoring')),
    instance: ignored(rootOnce('instance', 'instance name missing - ignoring')),
    net_namespace_ipvs: ignored((ctx, stmt, d) => {
      if (d.rootSeen.has('net_namespace_ipvs')) {
        const w = ctx.arg(stmt, 1);
        if (w)
          ctx.report('GENERAL_ERROR', stmt, `Duplicate net_namespace_ipvs definition ${w.text} - ignoring`);
        return;
      }
      d.rootSeen.set('net_namespace_ipvs', stmt.words[1]?.text ?? '');
    }),
    child_wait_time: ignored((ctx, stmt) => {
      const w = ctx.arg(stmt, 1);
      if (w && readUnsigned(ctx, w, 0, 4294967295) === undefined)
        ctx.report('GENERAL_ERROR', stmt, `Invalid child_wait_time ${w.text}`);
    }),
    // Not acted on (each reports UNSUPPORTED), their contents checked as keepalived does
    // (trackers-extra.ts).
    track_group: block((ctx, stmt) => trackGroup(ctx, stmt)),
    garp_group: block((ctx, stmt) => garpGroup(ctx, stmt)),
    vrrp_track_process: block((ctx, stmt) => vrrpTrackProcess(ctx, stmt)),
    bfd_instance: block((ctx, stmt) => bfdInstance(ctx, stmt)),
    linkbeat_interfaces: ignored(linkbeatInterfaces, 'values'),
    interface_up_down_delays: ignored(upDownDelays, 'values'),
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
  rootSeen: new Map(),
});
