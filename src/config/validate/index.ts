/**
 * Syntax tree → readonly, fully defaulted Config plus diagnostics. Pure: host questions go
 * through HostFacts.
 *
 * Order, as keepalived: read every block (messages in file order), then the whole-config checks
 * (instance completion, sync groups, shared VRIDs, script security).
 */
import type { AstNode } from '../ast.js';
import { NO_LOC, type Diagnostic, type Loc } from '../diagnostics.js';
import type {
  Config,
  LvsSyncDaemon,
  ScriptSpec,
  TrackFile,
  VirtualServer,
  VrrpInstance,
  VrrpScript,
} from '../model.js';
import { Ctx, type HostFacts } from './context.js';
import {
  checkDuplicateVrids,
  completeSyncGroups,
  completeInstanceTracking,
  type CompletedInstance,
} from './cross-checks.js';
import { walk } from './engine.js';
import { completeGlobalDefs } from './global-defs.js';
import { checkScriptSecurity, type ScriptUse } from './script-security.js';
import { newTopDraft, topKeywords, type TopDraft } from './top-level.js';
import type { TrackFileDraft, VrrpScriptDraft } from './trackers.js';
import { completeInstance } from './vrrp-instance.js';

export { NO_HOST, type HostFacts, type ScriptInspection } from './context.js';

export interface ValidateResult {
  readonly config: Config;
  readonly diagnostics: readonly Diagnostic[];
  /** How many of the diagnostics came from reading the blocks (the rest: whole-config checks). */
  readonly walked: number;
}

/**
 * Validation as the file is read: `top()` takes each top-level node in file order (so a large
 * config's tree can be dropped block by block), `finish()` makes the whole-config checks.
 */
export class ConfigValidator {
  private readonly ctx: Ctx;
  private readonly draft = newTopDraft();
  private readonly table = topKeywords();

  constructor(host: HostFacts) {
    this.ctx = new Ctx(host);
  }

  /** The latest top-level node, held back until we know whether it is the config's last. */
  private pending: AstNode | undefined;

  top(node: AstNode): void {
    if (this.pending) walk(this.ctx, [this.pending], this.table, this.draft);
    this.pending = node;
  }

  finish(): ValidateResult {
    if (this.pending) walk(this.ctx, [this.pending], this.table, this.draft, true);
    this.pending = undefined;
    return complete(this.ctx, this.draft);
  }
}

/**
 * The sync daemon with its instance resolved (keepalived vrrp_complete_init()): the syncid
 * defaults to the instance's VRID; an instance that does not exist clears it. Without global
 * `lvs_sync_daemon`, an instance's deprecated `lvs_sync_daemon_interface` binds one to it (syncid 0).
 */
function syncDaemon(ctx: Ctx, d: TopDraft, instances: readonly CompletedInstance[]): LvsSyncDaemon | null {
  const sd = d.global.lvsSyncDaemon;
  if (!sd) {
    const c = instances.find((x) => x.draft.lvsSyncDaemonInterface !== undefined);
    const ifname = c?.draft.lvsSyncDaemonInterface;
    return c && ifname
      ? { ifname, instance: c.inst.name, syncId: 0, maxlen: 0, port: 0, ttl: 0, group: null }
      : null;
  }
  const { at, ...rest } = sd;
  if (sd.instance === null) return { ...rest, syncId: sd.syncId ?? 0 };
  const inst = instances.find((x) => x.inst.name === sd.instance);
  if (!inst) {
    // keepalived logs this (vrrp.c vrrp_complete_init()); not a config error: -t exits 0.
    ctx.report(
      'NOTICE',
      at,
      `Unable to find vrrp instance ${sd.instance} for lvs_syncd - clearing lvs_syncd config`,
    );
    return null;
  }
  return { ...rest, syncId: sd.syncId ?? inst.inst.virtualRouterId };
}

function complete(ctx: Ctx, d: TopDraft): ValidateResult {
  const walked = ctx.diagnostics.length;
  const global = completeGlobalDefs(ctx, d.global);
  const scripts = d.scripts.map((s) => completeScript(ctx, s));
  const trackFiles = d.trackFiles.map(completeTrackFile);
  const instances: CompletedInstance[] = [];
  for (const draft of d.instances) {
    const inst = completeInstance(ctx, draft, global);
    if (inst) instances.push({ draft, inst });
  }
  const groups = completeSyncGroups(ctx, d.syncGroups, instances);
  checkDuplicateVrids(ctx, instances);
  // keepalived: a virtual server's smtp_alert defaults to global_defs' once the file is read.
  const smtpAlertChecker = global.smtpAlertChecker ?? global.smtpAlert ?? false;
  // keepalived link_vsg_to_vs(): a virtual server naming a group that does not exist is dropped
  // before it is validated (logged only), so its completion messages go with it.
  const virtualServers: VirtualServer[] = [];
  const dropped = new Set<number>();
  for (const { vs, loc, smtpAlert, messages, announceInstanceAt } of d.virtualServers) {
    const group = vs.key.kind === 'group' ? vs.key.group : undefined;
    if (group !== undefined && !d.vsGroups.some((g) => g.name === group)) {
      ctx.report(
        'NOTICE',
        loc,
        `Virtual server group ${group} specified but not configured - ignoring virtual server ${vs.display}`,
      );
      for (let k = messages[0]; k < messages[1]; k++) dropped.add(k);
      continue;
    }
    virtualServers.push(
      announceInstances(
        ctx,
        announceInstanceAt,
        smtpAlert === undefined && smtpAlertChecker ? { ...vs, smtpAlert: true } : vs,
        instances,
      ),
    );
  }
  ctx.diagnostics.push(...ctx.deferred.filter((_, k) => !dropped.has(k)));

  // Script security decides which scripts keepalived would run; each process reports its own.
  const notifies = (n: VrrpInstance['notify']): (ScriptSpec | null)[] => [
    n.master,
    n.backup,
    n.fault,
    n.stop,
    n.any,
  ];
  const byProcess: Record<ScriptUse['process'], (ScriptSpec | null | undefined)[]> = {
    vrrp: [
      ...scripts.map((s) => s.script),
      ...instances.flatMap(({ inst }) => [
        ...notifies(inst.notify),
        inst.notifyDeleted,
        inst.notifyMasterRxLowerPri,
      ]),
      ...groups.flatMap((g) => notifies(g.notify)),
      global.notifyFifo?.script,
      global.vrrpNotifyFifo?.script,
    ],
    checker: [
      ...virtualServers.flatMap((vs) => [
        vs.quorumUp,
        vs.quorumDown,
        ...vs.realServers.flatMap((rs) => [
          rs.notifyUp,
          rs.notifyDown,
          ...rs.checkers.flatMap((c) => (c.type === 'MISC_CHECK' ? [c.script] : [])),
        ]),
      ]),
      global.lvsNotifyFifo?.script,
    ],
    startup: [global.startupScript, global.shutdownScript],
  };
  const uses = (['vrrp', 'checker', 'startup'] as const).flatMap((process) =>
    byProcess[process].filter(isScript).map((script): ScriptUse => ({ script, process })),
  );
  const disabled = checkScriptSecurity(ctx, uses, global);
  const on = (s: ScriptSpec | null): ScriptSpec | null => (s && disabled.has(s) ? null : s);

  const liveScripts = scripts.filter((s) => {
    if (!disabled.has(s.script)) return true;
    ctx.report(
      'WARNING',
      ctx.scriptLoc(s.script),
      `Disabling track script ${s.name} since not found/accessible`,
    );
    return false;
  });
  const live = new Set(liveScripts.map((s) => s.name));
  const weights = {
    script: new Map(liveScripts.map((s) => [s.name, s.weight])),
    file: new Map(trackFiles.map((f) => [f.name, f.weight])),
  };
  const finalInstances = instances.map((c) => {
    const group = groups.find((g) => g.group.includes(c.inst.name));
    const liveDraft = {
      ...c.draft,
      trackScripts: c.draft.trackScripts.filter((t) => live.has(t.value.name)),
    };
    const tracking = completeInstanceTracking(
      ctx,
      { draft: liveDraft, inst: c.inst },
      weights,
      group !== undefined && !group.syncGroupTrackingWeight,
    );
    const n = c.inst.notify;
    return {
      ...c.inst,
      ...tracking,
      notify: {
        master: on(n.master),
        backup: on(n.backup),
        fault: on(n.fault),
        stop: on(n.stop),
        any: on(n.any),
      },
      notifyDeleted: on(c.inst.notifyDeleted),
      notifyMasterRxLowerPri: on(c.inst.notifyMasterRxLowerPri),
      syncGroup: group?.name ?? null,
    };
  });

  if (ctx.diagnostics.some((x) => x.code === 'BAD_IF')) {
    ctx.report('GENERAL_ERROR', NO_LOC, 'Non-existent interface specified in configuration');
  }

  const config: Config = {
    globalDefs: { ...global, lvsSyncDaemon: syncDaemon(ctx, d, instances) },
    vrrpScripts: liveScripts,
    trackFiles,
    vrrpSyncGroups: groups.map((g) => ({
      ...g,
      trackScripts: g.trackScripts.filter((t) => live.has(t.name)),
      notify: {
        master: on(g.notify.master),
        backup: on(g.notify.backup),
        fault: on(g.notify.fault),
        stop: on(g.notify.stop),
        any: on(g.notify.any),
      },
    })),
    vrrpInstances: finalInstances,
    staticIpAddresses: d.staticIps,
    staticRoutes: d.staticRoutes,
    staticRules: d.staticRules,
    virtualServerGroups: d.vsGroups,
    virtualServers,
    ssl: d.ssl,
  };
  return { config, diagnostics: ctx.diagnostics, walked };
}

/** announce_table's `instance NAME`s that name no vrrp_instance are reported and dropped. */
function announceInstances(
  ctx: Ctx,
  at: ReadonlyMap<string, Loc>,
  vs: VirtualServer,
  instances: readonly CompletedInstance[],
): VirtualServer {
  const a = vs.announce;
  if (!a || a.instances.length === 0) return vs;
  const known = a.instances.filter((name) => {
    if (instances.some((i) => i.inst.name === name)) return true;
    ctx.report(
      'GENERAL_ERROR',
      at.get(name) ?? NO_LOC,
      `announce_table of VS ${vs.display}: no vrrp_instance ${name} - the route does not follow it`,
    );
    return false;
  });
  return known.length === a.instances.length ? vs : { ...vs, announce: { ...a, instances: known } };
}

const isScript = (s: ScriptSpec | null | undefined): s is ScriptSpec => s !== null && s !== undefined;

function completeScript(ctx: Ctx, s: VrrpScriptDraft): VrrpScript {
  const base = s.script as ScriptSpec;
  const script = s.user
    ? ctx.locateScript({ ...base, user: s.user.user, group: s.user.group }, ctx.scriptLoc(base))
    : base;
  return {
    name: s.name,
    script,
    intervalMs: s.intervalMs,
    // keepalived: timeout 0 means the interval.
    timeoutMs: s.timeoutMs === 0 ? s.intervalMs : s.timeoutMs,
    weight: s.weight,
    weightReverse: s.weightReverse,
    rise: s.rise,
    fall: s.fall,
    initFail: s.initFail,
  };
}

function completeTrackFile(f: TrackFileDraft): TrackFile {
  return {
    name: f.name,
    file: f.file as string,
    weight: f.weight,
    weightReverse: f.weightReverse,
    initFile: f.initFile,
  };
}
