/**
 * The validated configuration: readonly, camelCase, every default applied, durations in integer
 * milliseconds (`...Ms`). keepalived's keyword spellings live in validate/, not here.
 * An absent optional value is `null` (so `--dump-config` shows it).
 */

import type { IpFamily } from '../lib/ip.js';

/** DNS_CHECK's query types (keepalived 2.2.7 check_dns.c DNS_TYPE); probes/dns.ts numbers each. */
export const DNS_QUERY_TYPES = ['A', 'NS', 'CNAME', 'SOA', 'MX', 'TXT', 'AAAA', 'RRSIG', 'DNSKEY'] as const;
export type DnsQueryType = (typeof DNS_QUERY_TYPES)[number];

/** A command as keepalived runs it: the configured string, its argv, and who runs it. */
export interface ScriptSpec {
  /** The command string as configured (keepalived's word 1). */
  readonly command: string;
  /** argv after keepalived's quote/escape rules (`notify_master "/x.sh 'a b'"` → ["/x.sh", "a b"]). */
  readonly argv: readonly string[];
  /** null: the global `script_user` (or keepalived's default) applies. */
  readonly user: string | null;
  readonly group: string | null;
}

export interface FifoSpec {
  readonly path: string;
  /** Script started with the FIFO path as its last argument (`*_fifo_script`). */
  readonly script: ScriptSpec | null;
}

export interface GarpSettings {
  /** Delay of the second GARP burst after becoming MASTER (0 = no second burst). */
  readonly masterDelayMs: number;
  readonly masterRepeat: number;
  /** Periodic refresh while MASTER, 0 = off. */
  readonly masterRefreshMs: number;
  readonly masterRefreshRepeat: number;
  readonly lowerPrioDelayMs: number;
  readonly lowerPrioRepeat: number;
  /** Gap between successive GARPs (IPv4) / unsolicited NAs (IPv6) on one interface. */
  readonly intervalMs: number;
  readonly gnaIntervalMs: number;
}

export interface GlobalDefs {
  readonly routerId: string;
  readonly notificationEmail: readonly string[];
  readonly notificationEmailFrom: string;
  readonly smtpServer: { readonly host: string; readonly port: number } | null;
  readonly smtpConnectTimeoutMs: number;
  readonly smtpHeloName: string;
  readonly smtpAlert: boolean | null;
  readonly smtpAlertVrrp: boolean | null;
  readonly smtpAlertChecker: boolean | null;
  /** `no_email_faults`: no SMTP alert for an instance or sync group entering FAULT. */
  readonly noEmailFaults: boolean;
  /** `no_checker_emails`: a checker's alert only when its real server goes up or down. */
  readonly noCheckerEmails: boolean;
  readonly enableScriptSecurity: boolean;
  /**
   * SNMP (keepalived's global_defs): the AgentX master's socket (`snmp_socket`; null: net-snmp's
   * default /var/agentx/master), traps (`enable_traps`), and which MIBs the subagent serves:
   * KEEPALIVED-MIB's VRRP part (`enable_snmp_vrrp`), its checker part (`enable_snmp_checker`),
   * RFC 2787's VRRP-MIB (`enable_snmp_rfcv2`: not served here) and RFC 6527's VRRPv3-MIB
   * (`enable_snmp_rfcv3`). The daemon's -x turns on all of them, -A names the socket.
   */
  readonly snmpSocket: string | null;
  readonly enableTraps: boolean;
  readonly enableSnmpVrrp: boolean;
  readonly enableSnmpChecker: boolean;
  readonly enableSnmpRfcv2: boolean;
  readonly enableSnmpRfcv3: boolean;
  readonly scriptUser: { readonly user: string; readonly group: string | null } | null;
  readonly vrrpMcastGroup4: string;
  readonly vrrpMcastGroup6: string;
  readonly vrrpVersion: 2 | 3;
  readonly garp: GarpSettings;
  readonly vrrpMinGarp: boolean;
  readonly vrrpLowerPrioNoAdvert: boolean;
  readonly vrrpHigherPrioSendAdvert: boolean;
  readonly vrrpDownTimerAdverts: number;
  readonly vrrpCheckUnicastSrc: boolean;
  readonly vrrpSkipCheckAdvAddr: boolean;
  readonly vrrpStrict: boolean;
  readonly vrrpStartupDelayMs: number;
  readonly notifyFifo: FifoSpec | null;
  readonly vrrpNotifyFifo: FifoSpec | null;
  readonly lvsNotifyFifo: FifoSpec | null;
  readonly vrrpNotifyPriorityChanges: boolean;
  readonly fifoWriteVrrpStatesOnReload: boolean;
  readonly dynamicInterfaces: boolean;
  readonly defaultInterface: string;
  readonly lvsTimeouts: {
    readonly tcpMs: number | null;
    readonly tcpFinMs: number | null;
    readonly udpMs: number | null;
  };
  readonly lvsFlush: boolean;
  /**
   * `lvs_sync_daemon IFNAME [INSTANCE] [inst NAME] [id N] [maxlen N] [port N] [ttl N] [group ADDR]`
   * (or an instance's deprecated `lvs_sync_daemon_interface`): the kernel's IPVS connection sync
   * daemon, master where the instance is MASTER and backup elsewhere; with no instance, both.
   */
  readonly lvsSyncDaemon: LvsSyncDaemon | null;
  readonly lvsFlushOnStop: boolean;
  readonly startupScript: ScriptSpec | null;
  readonly startupScriptTimeoutMs: number;
  readonly shutdownScript: ScriptSpec | null;
  readonly shutdownScriptTimeoutMs: number;
  readonly checkerLogAllFailures: boolean;
  readonly randomSeed: number | null;
  readonly reloadCheckConfig: boolean;
  /**
   * `metrics_listen ADDRESS PORT`: where Prometheus text metrics are served (docs/metrics.md);
   * null (the default): not served. A keepalived-ts extension: keepalived rejects the keyword.
   */
  readonly metricsListen: { readonly address: string; readonly port: number } | null;
}

/** One `virtual_ipaddress` / `virtual_ipaddress_excluded` / `static_ipaddress` line. */
export interface IpAddressSpec {
  readonly family: IpFamily;
  readonly address: string;
  readonly prefixLength: number;
  /** `brd` address; "+"/"-" computed, null when none. */
  readonly broadcast: string | null;
  /** null: the instance interface (static: `default_interface`). */
  readonly dev: string | null;
  readonly scope: 'global' | 'site' | 'link' | 'host' | 'nowhere';
  readonly label: string | null;
  readonly peer: string | null;
  readonly noTrack: boolean;
  /** `-nodad` is `dad`: keepalived adds IPv6 VIPs without DAD unless told `-nodad`. */
  readonly flags: readonly ('home' | 'dad' | 'mngtmpaddr' | 'noprefixroute' | 'autojoin' | 'use_vmac')[];
  readonly preferredLft: number | 'forever' | null;
  /** The line as written, for keepalived's dumps. */
  readonly text: string;
}

/** `virtual_routes` / `static_routes` / `virtual_rules` / `static_rules` line (`ip route`/`ip rule` syntax). */
export interface LvsSyncDaemon {
  readonly ifname: string;
  /** The VRRP instance whose state it follows; null: run as master and backup at once. */
  readonly instance: string | null;
  /** 0..255; the instance's VRID when not given (0 without an instance). */
  readonly syncId: number;
  /** 0: the kernel's defaults (maxlen from the MTU, port 8848, TTL 1, group 224.0.0.81). */
  readonly maxlen: number;
  readonly port: number;
  readonly ttl: number;
  readonly group: string | null;
}

export interface RouteRuleSpec {
  readonly words: readonly string[];
  readonly dev: string | null;
  readonly table: string | null;
  readonly noTrack: boolean;
}

export interface TrackedInterface {
  readonly name: string;
  /** 0 = unweighted: down means FAULT. */
  readonly weight: number;
  readonly reverse: boolean;
}

export interface TrackedScript {
  readonly name: string;
  /** null: the tracked object's own weight. */
  readonly weight: number | null;
  readonly reverse: boolean;
}

export interface UnicastPeer {
  readonly address: string;
  readonly minTtl: number;
  readonly maxTtl: number;
}

export interface VrrpNotify {
  readonly master: ScriptSpec | null;
  readonly backup: ScriptSpec | null;
  readonly fault: ScriptSpec | null;
  readonly stop: ScriptSpec | null;
  /** `notify`: gets `INSTANCE|GROUP <name> <STATE> <priority>` appended. */
  readonly any: ScriptSpec | null;
}

export interface VrrpInstance {
  readonly name: string;
  /** Wanted initial state. keepalived always starts in BACKUP; MASTER only shortens the wait. */
  readonly state: 'MASTER' | 'BACKUP';
  readonly interface: string | null;
  readonly virtualRouterId: number;
  readonly priority: number;
  readonly advertIntervalMs: number;
  readonly version: 2 | 3;
  readonly family: IpFamily;
  readonly authentication: { readonly type: 'PASS' | 'AH'; readonly password: string } | null;
  readonly virtualIpAddresses: readonly IpAddressSpec[];
  readonly virtualIpAddressesExcluded: readonly IpAddressSpec[];
  readonly virtualRoutes: readonly RouteRuleSpec[];
  readonly virtualRules: readonly RouteRuleSpec[];
  readonly unicastPeers: readonly UnicastPeer[];
  /** `unicast_src_ip` / `mcast_src_ip`; null: the interface's primary address. */
  readonly sourceAddress: string | null;
  readonly mcastDstAddress: string | null;
  readonly unicastTtl: number;
  readonly unicastFaultNoPeer: boolean;
  readonly checkUnicastSrc: boolean;
  readonly trackInterfaces: readonly TrackedInterface[];
  readonly trackScripts: readonly TrackedScript[];
  readonly trackFiles: readonly TrackedScript[];
  readonly dontTrackPrimary: boolean;
  readonly trackSrcIp: boolean;
  readonly notify: VrrpNotify;
  readonly notifyDeleted: ScriptSpec | null;
  readonly notifyMasterRxLowerPri: ScriptSpec | null;
  readonly notifyPriorityChanges: boolean;
  readonly nopreempt: boolean;
  readonly preemptDelayMs: number;
  readonly garp: GarpSettings;
  readonly lowerPrioNoAdvert: boolean;
  readonly higherPrioSendAdvert: boolean;
  readonly downTimerAdverts: number;
  readonly accept: boolean;
  readonly skipCheckAdvAddr: boolean;
  readonly strictMode: boolean;
  readonly smtpAlert: boolean;
  readonly promoteSecondaries: boolean;
  /**
   * `use_vmac [name]`: the instance runs on a private macvlan with the VRRP virtual MAC
   * (src/daemon/vmacs.ts); `vmac_xmit_base`: its adverts still go out of (and come in on) the
   * base interface. Null without use_vmac.
   */
  readonly useVmac: { readonly name: string | null; readonly xmitBase: boolean } | null;
  /** The sync group this instance belongs to, if any. */
  readonly syncGroup: string | null;
}

export interface VrrpSyncGroup {
  readonly name: string;
  readonly group: readonly string[];
  readonly trackInterfaces: readonly TrackedInterface[];
  readonly trackScripts: readonly TrackedScript[];
  readonly trackFiles: readonly TrackedScript[];
  readonly notify: VrrpNotify;
  readonly smtpAlert: boolean;
  readonly syncGroupTrackingWeight: boolean;
  readonly notifyPriorityChanges: boolean;
}

export interface VrrpScript {
  readonly name: string;
  readonly script: ScriptSpec;
  readonly intervalMs: number;
  /** Kill the script after this long; keepalived's 0 means the interval. */
  readonly timeoutMs: number;
  /** 0: falling means FAULT. Otherwise added while OK (> 0) or while failing (< 0). */
  readonly weight: number;
  readonly weightReverse: boolean;
  readonly rise: number;
  readonly fall: number;
  readonly initFail: boolean;
}

export interface TrackFile {
  readonly name: string;
  readonly file: string;
  readonly weight: number;
  readonly weightReverse: boolean;
  readonly initFile: { readonly value: number; readonly overwrite: boolean } | null;
}

export type LbAlgo =
  'rr' | 'wrr' | 'lc' | 'wlc' | 'lblc' | 'sh' | 'mh' | 'dh' | 'fo' | 'ovf' | 'lblcr' | 'sed' | 'nq' | 'twos';
/** The IPVS schedulers keepalived 2.2.7 accepts as lb_algo / lvs_sched. */
export const LB_ALGOS: readonly LbAlgo[] = [
  'rr',
  'wrr',
  'lc',
  'wlc',
  'lblc',
  'sh',
  'mh',
  'dh',
  'fo',
  'ovf',
  'lblcr',
  'sed',
  'nq',
  'twos',
];
export type LbKind = 'NAT' | 'DR' | 'TUN';
export type L4Protocol = 'TCP' | 'UDP' | 'SCTP';

export interface SorryServer {
  readonly address: string;
  readonly port: number;
  /** `sorry_server_lvs_method`; null: the virtual server's. */
  readonly lvsMethod: LbKind | null;
  readonly tunnel: LvsTunnel | null;
}

/** `lvs_method TUN type gue port 6080 csum`: the encapsulation of a TUN destination (Linux 5.2+). */
export interface LvsTunnel {
  readonly type: 'ipip' | 'gue' | 'gre';
  /** The GUE UDP port (0 for the others). */
  readonly port: number;
  readonly flags: 'nocsum' | 'csum' | 'remcsum';
}

export interface HttpUrl {
  readonly path: string;
  /** Lower-case hex MD5 of the body, or null. */
  readonly digest: string | null;
  /** Accepted status ranges (inclusive); keepalived's default is 200-299. */
  readonly statusCodes: readonly (readonly [number, number])[];
  readonly virtualhost: string | null;
  readonly regex: string | null;
  readonly regexNoMatch: boolean;
}

interface CheckerBase {
  /** Where the checker connects: the real server's address and port unless overridden. */
  readonly connectIp: string;
  readonly connectPort: number;
  readonly bindTo: string | null;
  readonly bindPort: number | null;
  readonly bindIf: string | null;
  readonly connectTimeoutMs: number;
  readonly fwmark: number | null;
  readonly retry: number;
  readonly delayBeforeRetryMs: number;
  readonly delayLoopMs: number;
  /** Random initial delay up to this long. */
  readonly warmupMs: number;
  readonly alpha: boolean;
  /** This checker's own `log_all_failures`; keepalived also logs every failure of every checker
   *  when global_defs `checker_log_all_failures` is set (it ORs the two at run time). */
  readonly logAllFailures: boolean;
}

export interface HttpChecker extends CheckerBase {
  readonly type: 'HTTP_GET' | 'SSL_GET';
  readonly urls: readonly HttpUrl[];
  readonly httpProtocol: '1.0' | '1.0C' | '1.1';
  /** Host header: url > checker > real server > virtual server (keepalived's order); null = ip:port. */
  readonly virtualhost: string | null;
  readonly enableSni: boolean;
  readonly fastRecovery: boolean;
}

export interface TcpChecker extends CheckerBase {
  readonly type: 'TCP_CHECK';
}

export interface MiscChecker extends CheckerBase {
  readonly type: 'MISC_CHECK';
  readonly script: ScriptSpec;
  readonly timeoutMs: number;
  readonly dynamic: boolean;
}

export interface SmtpChecker extends CheckerBase {
  readonly type: 'SMTP_CHECK';
  readonly heloName: string;
}

export interface DnsChecker extends CheckerBase {
  readonly type: 'DNS_CHECK';
  readonly queryType: DnsQueryType;
  readonly name: string;
}

export interface UdpChecker extends CheckerBase {
  readonly type: 'UDP_CHECK';
  /** Hex payload, or null for keepalived's random one. */
  readonly payload: string | null;
  /** Hex pattern (x = any nibble), or null when no reply is required. */
  readonly requireReply: string | null;
  readonly minReplyLength: number;
  readonly maxReplyLength: number;
}

export interface PingChecker extends CheckerBase {
  readonly type: 'PING_CHECK';
}

export interface FileChecker extends CheckerBase {
  readonly type: 'FILE_CHECK';
  readonly trackFile: string;
  readonly weight: number | null;
  readonly reverse: boolean;
  readonly dynamic: boolean;
}

export type Checker =
  HttpChecker | TcpChecker | MiscChecker | SmtpChecker | DnsChecker | UdpChecker | PingChecker | FileChecker;

export interface RealServer {
  readonly address: string;
  readonly port: number;
  readonly weight: number;
  readonly lvsMethod: LbKind;
  /** TUN options of its `lvs_method` (or the virtual server's); null: plain IPIP. */
  readonly tunnel: LvsTunnel | null;
  readonly inhibitOnFailure: boolean;
  readonly notifyUp: ScriptSpec | null;
  readonly notifyDown: ScriptSpec | null;
  readonly uthreshold: number;
  readonly lthreshold: number;
  readonly alpha: boolean;
  readonly delayLoopMs: number;
  readonly virtualhost: string | null;
  /** The server is alive only while every checker is up; none means always up. */
  readonly checkers: readonly Checker[];
  /** Its own `smtp_alert`, when the block sets one (otherwise the virtual server's applies). */
  readonly smtpAlert?: boolean;
}

export type VirtualServerKey =
  | { readonly kind: 'address'; readonly address: string; readonly port: number }
  | { readonly kind: 'fwmark'; readonly fwmark: number }
  | { readonly kind: 'group'; readonly group: string };

export interface VirtualServer {
  readonly key: VirtualServerKey;
  /** keepalived's name for it in logs: `[192.0.2.1]:tcp:80`, `FWM 1`, `[grp]:0`. */
  readonly display: string;
  readonly family: IpFamily;
  readonly protocol: L4Protocol;
  readonly delayLoopMs: number;
  readonly lbAlgo: LbAlgo;
  readonly lbKind: LbKind;
  /** TUN options of `lb_kind`/`lvs_method`; null: plain IPIP (or not TUN). */
  readonly lbTunnel: LvsTunnel | null;
  /** Seconds; 0 = no persistence. */
  readonly persistenceTimeout: number;
  readonly persistenceGranularity: string | null;
  /** `persistence_engine` (IPVS PE, e.g. `sip`), or null. */
  readonly persistenceEngine: string | null;
  readonly sorryServer: SorryServer | null;
  readonly sorryServerInhibit: boolean;
  /** keepalived-ts extension: send a PROXY protocol header to the real servers (embedded dispatcher). */
  readonly proxyProtocol: 'v1' | 'v2' | null;
  /**
   * keepalived-ts extension `announce_table N [dev IFNAME]` (docs/bgp.md): while the virtual
   * server has quorum, its address (every address of its group) is a host route in kernel table N
   * for a routing daemon to redistribute; null: not announced.
   */
  readonly announce: AnnounceTable | null;
  readonly quorum: number;
  readonly hysteresis: number;
  readonly quorumUp: ScriptSpec | null;
  readonly quorumDown: ScriptSpec | null;
  readonly alpha: boolean;
  readonly omega: boolean;
  readonly inhibitOnFailure: boolean;
  readonly haSuspend: boolean;
  readonly virtualhost: string | null;
  readonly smtpAlert: boolean;
  /** IPVS scheduler flags (ops, hashed, sh-port, sh-fallback, mh-port, mh-fallback, flag-1..3). */
  readonly flags: readonly string[];
  readonly realServers: readonly RealServer[];
}

/** `announce_table N [dev IFNAME]` of a virtual server. */
export interface AnnounceTable {
  /** The kernel routing table: 1..2^32-2, not 253-255 (default, main, local). */
  readonly table: number;
  /** The route's interface (default `lo`). */
  readonly dev: string;
  /** `instance NAME`: vrrp_instances whose FAULT state withdraws the route (docs/bgp.md). */
  readonly instances: readonly string[];
}

export type VirtualServerGroupEntry =
  | {
      readonly kind: 'range';
      readonly family: IpFamily;
      /** First and last address of the range (the same for a single address). */
      readonly first: string;
      readonly last: string;
      readonly port: number;
    }
  | { readonly kind: 'fwmark'; readonly fwmark: number; readonly family: IpFamily | null };

export interface VirtualServerGroup {
  readonly name: string;
  readonly entries: readonly VirtualServerGroupEntry[];
}

export interface Config {
  readonly globalDefs: GlobalDefs;
  readonly vrrpScripts: readonly VrrpScript[];
  readonly trackFiles: readonly TrackFile[];
  readonly vrrpSyncGroups: readonly VrrpSyncGroup[];
  readonly vrrpInstances: readonly VrrpInstance[];
  readonly staticIpAddresses: readonly IpAddressSpec[];
  readonly staticRoutes: readonly RouteRuleSpec[];
  readonly staticRules: readonly RouteRuleSpec[];
  readonly virtualServerGroups: readonly VirtualServerGroup[];
  readonly virtualServers: readonly VirtualServer[];
  /** The global `SSL { }` block for SSL_GET. */
  readonly ssl: {
    readonly password: string | null;
    readonly ca: string | null;
    readonly certificate: string | null;
    readonly key: string | null;
  } | null;
}

/**
 * Whether the VRRP side has work: instances, or static addresses, routes or rules alone
 * (keepalived 2.2.7 sets have_vrrp_config for each of these blocks and starts its VRRP child,
 * which installs them, even without a vrrp_instance).
 */
export const hasVrrpConfig = (c: Config): boolean =>
  c.vrrpInstances.length + c.staticIpAddresses.length + c.staticRoutes.length + c.staticRules.length > 0;
