/**
 * `keepalived.data`, written on SIGUSR1: the VRRP side's configuration and state, in keepalived
 * 2.2.7's line formats (core/global_data.c dump_global_data(), vrrp/vrrp_data.c dump_vrrp(),
 * dump_sync_group(), dump_vscript()). keepalived calls the format "not guaranteed
 * to maintain backward compatibility"; we keep its lines so that scripts grepping them still work.
 *
 * A line is printed only when we know its value. Left out, because we do not have it or do not do
 * it: sockets and their pool (fds, rx buffers), read timeout and master down timer, the fault
 * counters, total priority, VMAC/IPVLAN, firewall (iptables/nftables), process scheduling,
 * SNMP/DBus, netlink buffers, network namespaces other than the default, the Interfaces section,
 * static addresses/routes/rules, virtual routes/rules (keepalived prints its own canonical form),
 * the "VRRP Track files" section, the sync groups' member counters, and per-script run state
 * (Result, Init state, Insecure, State). Without a `scriptUser` resolver the `, uid:gid U:G` part
 * of script lines is left out. Pure.
 */
import type {
  Config,
  GlobalDefs,
  TrackedScript,
  VrrpInstance,
  VrrpScript,
  VrrpSyncGroup,
} from '../../config/model.js';
import type { ScriptStatus } from '../../vrrp/script-state.js';
import type { InstanceStatus } from '../status.js';
import { trackedInterfaces } from './json-file.js';
import {
  cmdStr,
  cmdWithUser,
  ctimeUs,
  epochOf,
  epochSeconds,
  formatF,
  formatG,
  formatIpAddress,
  stateName,
  wholeSeconds,
  type DumpTime,
  type ScriptUserOf,
} from './keepalived-text.js';

export interface SyncGroupStatus {
  readonly name: string;
  readonly state: string;
  readonly members: readonly string[];
}

export interface VrrpDataInput {
  readonly config: Config;
  /** instanceStatus() of every running instance. */
  readonly instances: readonly InstanceStatus[];
  /** VrrpNode.groups(). */
  readonly syncGroups: readonly SyncGroupStatus[];
  readonly time: DumpTime;
  /** The local zone's offset east of UTC (minutes) at an instant; keepalived prints local time. */
  readonly utcOffsetMinutes: (epochMs: number) => number;
  /** VrrpScripts.status(); without it a script's status is read from the instances tracking it. */
  readonly scriptStatus?: (name: string) => ScriptStatus | undefined;
  readonly scriptUser?: ScriptUserOf;
}

const onOff = (v: boolean | null): string => (v === null ? 'unset' : v ? 'on' : 'off');
const tf = (v: boolean): string => (v ? 'true' : 'false');
const yesNo = (v: boolean): string => (v ? 'yes' : 'no');
const enabled = (v: boolean): string => (v ? 'enabled' : 'disabled');

/**
 * `------< Global definitions >------`, as each keepalived process writes it at the top of its
 * dump; only the VRRP process prints the default interface.
 */
export function globalSection(g: GlobalDefs, process: 'vrrp' | 'checker', userOf?: ScriptUserOf): string[] {
  const out = ['------< Global definitions >------'];
  const line = (s: string): void => void out.push(` ${s}`);
  line('Network namespace = (default)');
  line('Network namespace ipvs = (main namespace)');
  line(`Router ID = ${g.routerId}`);
  // keepalived fills in the HELO name, sender and timeout only when there is an SMTP server.
  if (g.smtpServer !== null) {
    line(`Smtp server = ${g.smtpServer.host}`);
    line(`Smtp server port = ${g.smtpServer.port}`);
    line(`Smtp HELO name = ${g.smtpHeloName}`);
    line(`Smtp server connection timeout = ${wholeSeconds(g.smtpConnectTimeoutMs)}`);
    line(`Email notification from = ${g.notificationEmailFrom}`);
    line('Email notification to:');
    for (const e of g.notificationEmail) out.push(`   ${e}`);
  }
  line(`Default smtp_alert = ${onOff(g.smtpAlert)}`);
  line(`Default smtp_alert_vrrp = ${onOff(g.smtpAlertVrrp)}`);
  line(`Default smtp_alert_checker = ${onOff(g.smtpAlertChecker)}`);
  line(`Checkers log all failures = ${tf(g.checkerLogAllFailures)}`);
  if (!g.reloadCheckConfig) line('No test config before reload');
  if (g.startupScript !== null)
    line(
      `Startup script = ${cmdWithUser(g.startupScript, userOf)}, timeout ${wholeSeconds(g.startupScriptTimeoutMs)}`,
    );
  if (g.shutdownScript !== null)
    line(
      `Shutdown script = ${cmdWithUser(g.shutdownScript, userOf)} timeout ${wholeSeconds(g.shutdownScriptTimeoutMs)}`,
    );
  line(`Dynamic interfaces = ${tf(g.dynamicInterfaces)}`);
  const t = g.lvsTimeouts;
  if (t.tcpMs) line(`LVS TCP timeout = ${wholeSeconds(t.tcpMs)}`);
  if (t.tcpFinMs) line(`LVS TCP FIN timeout = ${wholeSeconds(t.tcpFinMs)}`);
  // 2.2.7 labels the UDP timeout "LVS TCP timeout" too; the line is kept as it prints it.
  if (t.udpMs) line(`LVS TCP timeout = ${wholeSeconds(t.udpMs)}`);
  if (process === 'vrrp') line(`Default interface = ${g.defaultInterface}`);
  line(`LVS flush = ${tf(g.lvsFlush)}`);
  line(`LVS flush on stop = ${g.lvsFlushOnStop ? 'full' : 'disabled'}`);
  const fifos = [
    ['Global', g.notifyFifo],
    ['VRRP', g.vrrpNotifyFifo],
    ['LVS', g.lvsNotifyFifo],
  ] as const;
  for (const [label, fifo] of fifos) {
    if (fifo === null) continue;
    line(`${label} notify fifo = ${fifo.path}`);
    if (fifo.script !== null) line(`${label} notify fifo script = ${cmdWithUser(fifo.script, userOf)}`);
  }
  line(`FIFO write vrrp states on reload = ${tf(g.fifoWriteVrrpStatesOnReload)}`);
  line(`VRRP notify priority changes = ${tf(g.vrrpNotifyPriorityChanges)}`);
  line(`VRRP IPv4 mcast group = ${g.vrrpMcastGroup4}`);
  line(`VRRP IPv6 mcast group = ${g.vrrpMcastGroup6}`);
  const garp = g.garp;
  line(`Gratuitous ARP delay = ${wholeSeconds(garp.masterDelayMs)}`);
  line(`Gratuitous ARP repeat = ${garp.masterRepeat}`);
  line(`Gratuitous ARP refresh timer = ${wholeSeconds(garp.masterRefreshMs)}`);
  line(`Gratuitous ARP refresh repeat = ${garp.masterRefreshRepeat}`);
  line(`Gratuitous ARP lower priority delay = ${wholeSeconds(garp.lowerPrioDelayMs)}`);
  line(`Gratuitous ARP lower priority repeat = ${garp.lowerPrioRepeat}`);
  line(`Num adverts before down = ${g.vrrpDownTimerAdverts}`);
  line(`Send advert after receive lower priority advert = ${tf(!g.vrrpLowerPrioNoAdvert)}`);
  line(`Send advert after receive higher priority advert = ${tf(g.vrrpHigherPrioSendAdvert)}`);
  line(`Gratuitous ARP interval = ${formatF(garp.intervalMs / 1000)}`);
  line(`Gratuitous NA interval = ${formatF(garp.gnaIntervalMs / 1000)}`);
  line(`VRRP default protocol version = ${g.vrrpVersion}`);
  line(`VRRP check unicast_src = ${tf(g.vrrpCheckUnicastSrc)}`);
  line(`VRRP skip check advert addresses = ${tf(g.vrrpSkipCheckAdvAddr)}`);
  line(`VRRP strict mode = ${tf(g.vrrpStrict)}`);
  line(`Script security ${enabled(g.enableScriptSecurity)}`);
  const dflt = userOf?.({ user: null, group: null }) ?? null;
  if (dflt !== null) line(`Default script uid:gid ${dflt.uid}:${dflt.gid}`);
  if (g.vrrpStartupDelayMs) line(`vrrp_startup_delay = ${formatG(g.vrrpStartupDelayMs / 1000)}`);
  return out;
}

/** A tracked script with the weight and direction the instance applies (as routerConfig()). */
function scriptWeight(t: TrackedScript, s: VrrpScript | undefined): string {
  const weight = t.weight ?? s?.weight ?? 0;
  return `weight ${weight}${t.reverse || (s?.weightReverse ?? false) ? ' reverse' : ''}`;
}

/** A tracked file's weight: the tracking one, else the track_file's own. */
function fileWeight(t: TrackedScript, config: Config): string {
  const f = config.trackFiles.find((x) => x.name === t.name);
  const reverse = t.reverse || (f?.weightReverse ?? false);
  return `weight ${t.weight ?? f?.weight ?? 0}${reverse ? ' reverse' : ''}`;
}

/** keepalived's "Flags: none" is printed only when no VRRP_FLAG_* bit is set. */
function hasFlags(inst: VrrpInstance): boolean {
  return (
    inst.unicastPeers.length > 0 ||
    inst.unicastFaultNoPeer ||
    inst.dontTrackPrimary ||
    inst.skipCheckAdvAddr ||
    inst.sourceAddress !== null ||
    inst.trackSrcIp ||
    inst.checkUnicastSrc ||
    inst.promoteSecondaries ||
    inst.nopreempt ||
    inst.useVmac !== null ||
    inst.virtualIpAddressesExcluded.some((v) => v.family !== inst.family)
  );
}

function instanceBlock(
  s: InstanceStatus,
  inst: VrrpInstance,
  config: Config,
  input: VrrpDataInput,
): string[] {
  const out: string[] = [];
  const line = (text: string): void => void out.push(`   ${text}`);
  const g = config.globalDefs;
  const backup = s.state === 'BACKUP';
  const v3 = s.version === 3;
  out.push(` VRRP Instance = ${s.name}`);
  line(`VRRP Version = ${s.version}`);
  if (s.syncGroup !== null) line(`Sync group = ${s.syncGroup}`);
  if (inst.family === 'inet6') line('Using Native IPv6');
  line(`State = ${stateName(s.state)}`);
  if (backup) {
    if (s.masterAddress !== null) line(`Master router = ${s.masterAddress}`);
    line(`Master priority = ${s.masterPriority}`);
    if (v3)
      line(`Master advert int = ${((s.masterAdverIntervalMs ?? s.advertIntervalMs) / 1000).toFixed(2)} sec`);
  }
  const unicast = inst.unicastPeers.length > 0;
  if (hasFlags(inst)) {
    line('Flags:');
    if (unicast) line('  Using unicast');
    if (inst.unicastFaultNoPeer) line('  If unicast go to fault state if no peers');
  } else line('Flags: none');
  line(`Wantstate = ${stateName(s.wantState)}`);
  if (s.lastTransitionMs !== undefined) {
    const at = epochOf(s.lastTransitionMs, input.time);
    line(`Last transition = ${epochSeconds(at)} (${ctimeUs(at, input.utcOffsetMinutes(at))})`);
  }
  line(`Interface = ${s.interface}`);
  if (inst.dontTrackPrimary) line('VRRP interface tracking disabled');
  if (inst.skipCheckAdvAddr) line('Skip checking advert IP addresses');
  if (inst.strictMode) line('Enforcing strict VRRP compliance');
  const src = s.sourceAddress ?? null;
  line(`Using src_ip = ${src ?? '(none)'}${inst.sourceAddress !== null ? ' (from configuration)' : ''}`);
  if (!unicast) {
    const group = inst.mcastDstAddress ?? (inst.family === 'inet' ? g.vrrpMcastGroup4 : g.vrrpMcastGroup6);
    if (inst.family === 'inet') line(`Multicast address ${group}`);
    else if (s.ifindex !== undefined) line(`Multicast address ${group}, ifindex ${s.ifindex}`);
  }
  const garp = inst.garp;
  line(`Gratuitous ARP delay = ${wholeSeconds(garp.masterDelayMs)}`);
  line(`Gratuitous ARP repeat = ${garp.masterRepeat}`);
  line(`Gratuitous ARP refresh = ${wholeSeconds(garp.masterRefreshMs)}`);
  line(`Gratuitous ARP refresh repeat = ${garp.masterRefreshRepeat}`);
  line(`Gratuitous ARP lower priority delay = ${wholeSeconds(garp.lowerPrioDelayMs)}`);
  line(`Gratuitous ARP lower priority repeat = ${garp.lowerPrioRepeat}`);
  line(`Down timer adverts = ${inst.downTimerAdverts}`);
  line(`Send advert after receive lower priority advert = ${tf(!inst.lowerPrioNoAdvert)}`);
  line(`Send advert after receive higher priority advert = ${tf(inst.higherPrioSendAdvert)}`);
  line(`Virtual Router ID = ${s.vrid}`);
  line(`Priority = ${s.priority}`);
  line(`Effective priority = ${s.effectivePriority}`);
  line(
    v3
      ? `Advert interval = ${Math.floor(s.advertIntervalMs)} milli-sec`
      : `Advert interval = ${wholeSeconds(s.advertIntervalMs)} sec`,
  );
  if (backup && v3)
    line(`Master advert interval = ${Math.floor(s.masterAdverIntervalMs ?? s.advertIntervalMs)} milli-sec`);
  line(`Accept = ${enabled(inst.accept)}`);
  line(`Preempt = ${enabled(!inst.nopreempt)}`);
  if (inst.preemptDelayMs) line(`Preempt delay = ${formatG(inst.preemptDelayMs / 1000)} secs`);
  line(`Promote_secondaries = ${enabled(inst.promoteSecondaries)}`);
  const auth = inst.authentication;
  if (auth !== null) {
    line(`Authentication type = ${auth.type === 'AH' ? 'IPSEC_AH' : 'SIMPLE_PASSWORD'}`);
    if (auth.type === 'PASS') line(`Password = ${auth.password.slice(0, 8)}`);
  } else if (!v3) line('Authentication type = none');
  const dev = (d: string | null): string => d ?? s.interface;
  if (inst.virtualIpAddresses.length > 0) {
    line(`Virtual IP (${inst.virtualIpAddresses.length}):`);
    for (const v of inst.virtualIpAddresses) line(`  ${formatIpAddress(v, dev(v.dev), s.vipSet)}`);
  }
  if (inst.virtualIpAddressesExcluded.length > 0) {
    line('Virtual IP Excluded :');
    for (const v of inst.virtualIpAddressesExcluded) line(`  ${formatIpAddress(v, dev(v.dev), s.vipSet)}`);
  }
  if (unicast) {
    // keepalived prints the TTL only when configured; 255 is our default, so it shows otherwise.
    if (inst.unicastTtl !== 255) line(`Unicast TTL = ${inst.unicastTtl}`);
    line(`Check unicast src : ${yesNo(inst.checkUnicastSrc)}`);
    line('Unicast Peer :');
    for (const p of inst.unicastPeers) line(`  ${p.address} min_ttl ${p.minTtl} max_ttl ${p.maxTtl}`);
  }
  const ifs = trackedInterfaces(inst, s.interface);
  if (ifs.length > 0) {
    line('Tracked interfaces :');
    for (const t of ifs) line(`  ${t.name} weight ${t.weight}${t.reverse ? ' reverse' : ''}`);
  }
  if (inst.trackScripts.length > 0) {
    const scripts = new Map(config.vrrpScripts.map((v) => [v.name, v]));
    line('Tracked scripts :');
    for (const t of inst.trackScripts) line(`  ${t.name} ${scriptWeight(t, scripts.get(t.name))}`);
  }
  if (inst.trackFiles.length > 0) {
    line('Tracked files :');
    for (const t of inst.trackFiles) line(`  ${t.name}, ${fileWeight(t, config)}`);
  }
  line(`Using smtp notification = ${yesNo(inst.smtpAlert)}`);
  line(`Notify deleted = ${inst.notifyDeleted !== null ? 'Deleted' : 'Fault'}`);
  const notify = [
    ['Backup', inst.notify.backup],
    ['Master', inst.notify.master],
    ['Fault', inst.notify.fault],
    ['Stop', inst.notify.stop],
    ['Deleted', inst.notifyDeleted],
    ['Generic', inst.notify.any],
    ['Master rx lower pri', inst.notifyMasterRxLowerPri],
  ] as const;
  for (const [label, spec] of notify)
    if (spec !== null) line(`${label} state transition script = ${cmdWithUser(spec, input.scriptUser)}`);
  line(`Notify priority changes = ${tf(inst.notifyPriorityChanges)}`);
  return out;
}

function syncGroupBlock(
  group: VrrpSyncGroup,
  status: SyncGroupStatus | undefined,
  input: VrrpDataInput,
): string[] {
  const out: string[] = [];
  const line = (text: string): void => void out.push(`   ${text}`);
  const scripts = new Map(input.config.vrrpScripts.map((v) => [v.name, v]));
  out.push(` VRRP Sync Group = ${group.name}, ${stateName(status?.state ?? 'INIT')}`);
  const members = status?.members ?? group.group;
  if (members.length > 0) {
    line('VRRP member instances :');
    for (const m of members) line(`  ${m}`);
  }
  if (group.syncGroupTrackingWeight) line('sync group tracking weight set');
  line(`Using smtp notification = ${yesNo(group.smtpAlert)}`);
  // keepalived prints this only when set in the group; our default is false, so true was set.
  if (group.notifyPriorityChanges) line('Notify priority changes = yes');
  if (group.trackInterfaces.length > 0) {
    line('Tracked interfaces :');
    for (const t of group.trackInterfaces)
      line(`  ${t.name} weight ${t.weight}${t.reverse ? ' reverse' : ''}`);
  }
  if (group.trackScripts.length > 0) {
    line('Tracked scripts :');
    for (const t of group.trackScripts) line(`  ${t.name} ${scriptWeight(t, scripts.get(t.name))}`);
  }
  if (group.trackFiles.length > 0) {
    line('Tracked files :');
    for (const t of group.trackFiles) line(`  ${t.name}, ${fileWeight(t, input.config)}`);
  }
  const notify = [
    ['Backup', group.notify.backup],
    ['Master', group.notify.master],
    ['Fault', group.notify.fault],
    ['Stop', group.notify.stop],
    ['Generic', group.notify.any],
  ] as const;
  for (const [label, spec] of notify)
    if (spec !== null) line(`${label} state transition script = ${cmdWithUser(spec, input.scriptUser)}`);
  return out;
}

/** GOOD/BAD as keepalived derives it (result >= rise); undefined when nothing says. */
function scriptGood(name: string, input: VrrpDataInput): boolean | undefined {
  const own = input.scriptStatus?.(name);
  if (own !== undefined) return own === 'up';
  const id = `script ${name}`;
  const seen = input.instances.find((i) => i.trackers[id] !== undefined)?.trackers[id];
  if (seen !== undefined) return seen === 'up';
  // Tracked but no result yet: keepalived starts at rise - 1, which is BAD.
  const tracking = trackingInstances(name, input.config);
  return input.instances.some((i) => tracking.has(i.name)) ? false : undefined;
}

/** The instances tracking a script, with the weight each applies (vrrp_script's tracking list). */
function trackingInstances(name: string, config: Config): Map<string, string> {
  const script = config.vrrpScripts.find((s) => s.name === name);
  const out = new Map<string, string>();
  for (const inst of config.vrrpInstances) {
    const t = inst.trackScripts.find((x) => x.name === name);
    if (t) out.set(inst.name, scriptWeight(t, script));
  }
  for (const group of config.vrrpSyncGroups) {
    const t = group.trackScripts.find((x) => x.name === name);
    if (!t) continue;
    for (const m of group.group) if (!out.has(m)) out.set(m, scriptWeight(t, script));
  }
  return out;
}

function scriptBlock(s: VrrpScript, input: VrrpDataInput): string[] {
  const out = [` VRRP Script = ${s.name}`];
  const line = (text: string): void => void out.push(`   ${text}`);
  line(`Command = ${cmdStr(s.script)}`);
  line(`Interval = ${wholeSeconds(s.intervalMs)} sec`);
  line(`Timeout = ${wholeSeconds(s.timeoutMs)} sec`);
  line(`Weight = ${s.weight}${s.weightReverse ? ' reverse' : ''}`);
  line(`Rise = ${s.rise}`);
  line(`Fall = ${s.fall}`);
  const good = scriptGood(s.name, input);
  if (good !== undefined) line(`Status = ${good ? 'GOOD' : 'BAD'}`);
  const user = input.scriptUser?.(s.script) ?? null;
  if (user !== null) line(`Script uid:gid = ${user.uid}:${user.gid}`);
  line('VRRP instances :');
  const tracking = trackingInstances(s.name, input.config);
  if (tracking.size > 0) {
    line('Tracking instances :');
    for (const [inst, weight] of tracking) line(`  ${inst}, ${weight}`);
  }
  return out;
}

/** The whole file, with a newline after every line as keepalived's conf_write(). */
export function formatVrrpDataFile(input: VrrpDataInput): string {
  const { config } = input;
  const lines = globalSection(config.globalDefs, 'vrrp', input.scriptUser);
  const byName = new Map(config.vrrpInstances.map((i) => [i.name, i]));
  const blocks = input.instances.flatMap((s) => {
    const inst = byName.get(s.name);
    return inst ? [instanceBlock(s, inst, config, input)] : [];
  });
  if (blocks.length > 0) lines.push('------< VRRP Topology >------', ...blocks.flat());
  if (config.vrrpSyncGroups.length > 0) {
    lines.push('------< VRRP Sync groups >------');
    for (const g of config.vrrpSyncGroups)
      lines.push(
        ...syncGroupBlock(
          g,
          input.syncGroups.find((x) => x.name === g.name),
          input,
        ),
      );
  }
  if (config.vrrpScripts.length > 0) {
    lines.push('------< VRRP Scripts >------');
    for (const s of config.vrrpScripts) lines.push(...scriptBlock(s, input));
  }
  return lines.map((l) => `${l}\n`).join('');
}
