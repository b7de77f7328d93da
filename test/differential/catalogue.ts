/**
 * keepalived 2.2.7's configuration keywords, level by level, as the Debian 12 build
 * (NFTABLES LVS REGEX VRRP VRRP_AUTH VRRP_VMAC JSON BFD OLD_CHKSUM_COMPAT SNMP DBUS VRRP_IPVLAN VRF
 * SO_MARK, plus track_process and linkbeat, which it has too) registers them, with what each
 * handler reads after the keyword and the numeric range it checks. Gathered from the 2.2.7 handler
 * code and checked against `keepalived -t` (every `valid` below is accepted without an "Unknown
 * keyword"; where a valid value still draws a message the note says so). Plain data.
 *
 * Conventions: `int`/`decimal` min and max are the bounds the handler hands to keepalived's number
 * readers (a value outside them is reported as "outside range"); extra checks made after the read
 * are in the note. `decimal` min/max are written the way keepalived prints them in that message.
 * Only messages keepalived prints under `-t` count: its log_message() notices (deprecations,
 * "very large" intervals, ...) go to syslog, not to the `-t` output.
 */

/** What follows a keyword on its line, as keepalived 2.2.7's handler reads it. */
export type ValueSpec =
  | { readonly kind: 'none' } // takes nothing (extra words ignored or reported)
  | { readonly kind: 'bool' } // optional on|off|true|false|yes|no; alone = on
  | { readonly kind: 'int'; readonly min: number; readonly max: number; readonly optional?: boolean }
  | { readonly kind: 'decimal'; readonly min: string; readonly max: string; readonly places: number } // e.g. timers in seconds with up to 6 decimals; min/max as keepalived prints them
  | {
      readonly kind: 'enum';
      readonly values: readonly string[];
      readonly caseInsensitive?: boolean;
      readonly optional?: boolean;
    }
  | { readonly kind: 'ip'; readonly family?: 4 | 6 }
  | { readonly kind: 'ifname' }
  | { readonly kind: 'user' } // USER [GROUP]
  | { readonly kind: 'script' } // COMMAND [USER [GROUP]]
  | { readonly kind: 'string' }
  | { readonly kind: 'path' }
  | { readonly kind: 'words' } // anything else: see `valid`
  | { readonly kind: 'block'; readonly level: LevelName } // opens a sub-level with keywords of its own
  | { readonly kind: 'values' }; // a { } block whose lines are values: see `valid`

export interface KeywordSpec {
  readonly name: string;
  readonly value: ValueSpec;
  /** Words after the keyword that keepalived accepts without any message in the skeleton of its level ('' = nothing). For 'values' kinds: the block's lines joined by '\n'. For 'block': ''. */
  readonly valid: string;
  /** Short note in your own words: deprecated alias, special cross-checks, default, etc. */
  readonly note?: string;
  /** For 'block' and 'values' kinds: the words the keyword takes before its `{` (a name, an address and port...), '' or absent when none. */
  readonly header?: string;
  /** Lines that must come earlier in the same block for `valid` to draw no message (e.g. `lb_algo sh` before `sh-port`). */
  readonly context?: readonly string[];
}

export type LevelName =
  | 'root'
  | 'global_defs'
  | 'vrrp_script'
  | 'track_file'
  | 'vrrp_track_process'
  | 'bfd_instance'
  | 'vrrp_sync_group'
  | 'garp_group'
  | 'track_group'
  | 'vrrp_instance'
  | 'authentication'
  | 'virtual_server'
  | 'real_server'
  | 'HTTP_GET'
  | 'SSL_GET'
  | 'url'
  | 'TCP_CHECK'
  | 'MISC_CHECK'
  | 'SMTP_CHECK'
  | 'host'
  | 'DNS_CHECK'
  | 'UDP_CHECK'
  | 'PING_CHECK'
  | 'FILE_CHECK'
  | 'BFD_CHECK'
  | 'SSL';

// Value specs shared by many keywords (plain data).
const NONE: ValueSpec = { kind: 'none' };
const BOOL: ValueSpec = { kind: 'bool' };
const IP: ValueSpec = { kind: 'ip' };
const IFNAME: ValueSpec = { kind: 'ifname' };
const USER: ValueSpec = { kind: 'user' };
const SCRIPT: ValueSpec = { kind: 'script' };
const STRING: ValueSpec = { kind: 'string' };
const PATH: ValueSpec = { kind: 'path' };
const WORDS: ValueSpec = { kind: 'words' };
const VALUES: ValueSpec = { kind: 'values' };
/** Seconds as an unsigned count, read as [0, UINT_MAX / 1000000] and then multiplied to microseconds. */
const SECONDS_4294: ValueSpec = { kind: 'int', min: 0, max: 4294 };
const UINT: ValueSpec = { kind: 'int', min: 0, max: 4294967295 };
/** A read_timer() value: seconds with up to 6 decimals, no upper bound but ULONG_MAX - 1 microseconds. */
const TIMER_FROM_0: ValueSpec = { kind: 'decimal', min: '0.000000', max: '18446744073709.551614', places: 6 };
const TIMER_FROM_1US: ValueSpec = {
  kind: 'decimal',
  min: '0.000001',
  max: '18446744073709.551614',
  places: 6,
};
const CONNECT_TIMEOUT: ValueSpec = { kind: 'decimal', min: '0.000001', max: '4294.967295', places: 6 };
const PROCESS_PRIORITY: ValueSpec = { kind: 'int', min: -20, max: 19 };
const RT_PRIORITY: ValueSpec = { kind: 'int', min: 1, max: 99 };
const RLIMIT: ValueSpec = { kind: 'int', min: 1, max: 4294967295 };
const LVS_METHOD: ValueSpec = { kind: 'words' };
/** IPVS schedulers keepalived 2.2.7 knows (case-sensitive). */
const SCHEDULER: ValueSpec = {
  kind: 'enum',
  values: ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'sh', 'mh', 'dh', 'fo', 'ovf', 'lblcr', 'sed', 'nq', 'twos'],
};

const SCRIPT_NOTE =
  'COMMAND [USER [GROUP]], the command may be quoted to carry arguments; needs enable_script_security (else a SECURITY VIOLATION message) and a usable user (script_user, or the default keepalived_script user, which must exist); the command must exist';
const RT_NOTE =
  'read as any int, then clamped to the SCHED_RR range [1, 99] with a message; a non-number is reported';
const FORWARDING_NOTE =
  'NAT|DR|TUN, then for TUN: [type ipip|gue|gre] [port 1-65535] [nocsum|csum|remcsum]; gue needs port and only gue may have one, ipip takes no checksum option, gre no remcsum';
const NETLINK_BUFS_NOTE = 'size in bytes, [0, UINT_MAX]; 0 leaves the default';

/** Connection keywords of TCP/HTTP/SSL/SMTP/DNS/UDP/PING checkers (and the SMTP host block). */
const CHECKER_CONNECTION: readonly KeywordSpec[] = [
  {
    name: 'connect_ip',
    value: IP,
    valid: '192.0.2.20',
    note: 'must match the family of bindto if that is set first',
  },
  { name: 'connect_port', value: { kind: 'int', min: 1, max: 65535 }, valid: '80' },
  {
    name: 'bindto',
    value: IP,
    valid: '192.0.2.1',
    note: 'must match the family of connect_ip if that is set first',
  },
  { name: 'bind_port', value: { kind: 'int', min: 1, max: 65535 }, valid: '10080' },
  {
    name: 'bind_if',
    value: IFNAME,
    valid: 'eth0',
    note: 'at most 15 characters; not checked against existing interfaces',
  },
  { name: 'connect_timeout', value: CONNECT_TIMEOUT, valid: '5' },
  { name: 'fwmark', value: UINT, valid: '1', note: 'SO_MARK for the check socket' },
];

/** Keywords every checker but FILE_CHECK and BFD_CHECK has. */
const CHECKER_COMMON: readonly KeywordSpec[] = [
  { name: 'retry', value: UINT, valid: '3' },
  { name: 'delay_before_retry', value: TIMER_FROM_0, valid: '2' },
  { name: 'warmup', value: TIMER_FROM_0, valid: '1' },
  { name: 'delay_loop', value: TIMER_FROM_1US, valid: '6' },
  { name: 'alpha', value: BOOL, valid: '' },
  { name: 'log_all_failures', value: BOOL, valid: '' },
];

const HTTP_CHECKER: readonly KeywordSpec[] = [
  ...CHECKER_CONNECTION,
  ...CHECKER_COMMON,
  {
    name: 'nb_get_retry',
    value: UINT,
    valid: '3',
    note: 'deprecated alias of retry: always reported as deprecated, even with a valid value',
  },
  { name: 'virtualhost', value: STRING, valid: 'www.example.com' },
  {
    name: 'http_protocol',
    value: { kind: 'enum', values: ['1.0', '1.1', '1.0C', '1.0c'] },
    valid: '1.1',
    note: 'default 1.0; 1.0C is 1.0 with Connection: close',
  },
  { name: 'enable_sni', value: BOOL, valid: '' },
  { name: 'fast_recovery', value: BOOL, valid: '' },
  {
    name: 'url',
    value: { kind: 'block', level: 'url' },
    valid: '',
    note: 'at least one url with a path is needed, else the checker is dropped with a message',
  },
];

export const CATALOGUE: Readonly<Record<LevelName, readonly KeywordSpec[]>> = {
  root: [
    {
      name: 'linkbeat_use_polling',
      value: NONE,
      valid: '',
      note: 'root level only (unknown inside global_defs); polls link state of all interfaces',
    },
    {
      name: 'net_namespace',
      value: STRING,
      valid: 'kts-diff',
      note: 'root level only (unknown inside global_defs). Must name an existing /run/netns entry: keepalived, even with -t, enters it with setns() and stops with "Failed to open /run/netns/NAME" (a log line, exit 1) if it is missing; kts-diff is the harness lab. A second one is reported as a duplicate',
    },
    {
      name: 'net_namespace_ipvs',
      value: STRING,
      valid: '',
      note: 'root level only; optional namespace name, none = the default namespace; a second one is a duplicate',
    },
    { name: 'namespace_with_ipsets', value: NONE, valid: '', note: 'root level only' },
    { name: 'use_pid_dir', value: NONE, valid: '', note: 'root level only' },
    {
      name: 'instance',
      value: STRING,
      valid: 'kts',
      note: 'root level only; instance name (also turns on use_pid_dir); a second one is a duplicate',
    },
    {
      name: 'child_wait_time',
      value: UINT,
      valid: '5',
      note: 'root level only; seconds to wait for children at shutdown',
    },
    { name: 'global_defs', value: { kind: 'block', level: 'global_defs' }, valid: '' },
    {
      name: 'track_group',
      value: { kind: 'block', level: 'track_group' },
      valid: '',
      header: 'TG',
      note: 'exactly one name; a duplicate name skips the block with a message',
    },
    {
      name: 'static_ipaddress',
      value: VALUES,
      valid: '192.0.2.200/32 dev eth0',
      note: 'ADDR[/LEN] then dev IF (required for static addresses), scope, brd|broadcast ADDR|+|-, label, peer, home, -nodad, mngtmpaddr, noprefixroute, autojoin, no_track, preferred_lft N|forever, track_group NAME',
    },
    {
      name: 'static_routes',
      value: VALUES,
      valid: '198.51.100.0/24 via 192.0.2.254 dev eth0',
      note: 'ip-route style: [src ADDR] [to] DEST via|gw ADDR dev IF, table, metric|priority, scope, protocol, tos, onlink, mtu/advmss/... ; track_group NAME',
    },
    {
      name: 'static_rules',
      value: VALUES,
      valid: 'from 192.0.2.0/24 table 100 priority 100',
      note: 'ip-rule style: from, to, table|lookup, priority|preference|order, fwmark, iif, oif, tos, ... ; track_group NAME. A rule without a priority is reported (set to 16384)',
    },
    {
      name: 'vrrp_sync_group',
      value: { kind: 'block', level: 'vrrp_sync_group' },
      valid: '',
      header: 'G1',
      note: 'exactly one name; a duplicate name skips the block',
    },
    {
      name: 'garp_group',
      value: { kind: 'block', level: 'garp_group' },
      valid: '',
      note: 'takes no name; a group with neither garp_interval nor gna_interval is removed with a message',
    },
    {
      name: 'linkbeat_interfaces',
      value: VALUES,
      valid: 'eth1',
      note: 'one interface per line, optionally followed by MII, ETHTOOL or IOCTL; an unknown interface is a fatal config error unless dynamic_interfaces',
    },
    {
      name: 'vrrp_instance',
      value: { kind: 'block', level: 'vrrp_instance' },
      valid: '',
      header: 'VI_1',
      note: 'exactly one name; a duplicate name skips the block',
    },
    {
      name: 'vrrp_script',
      value: { kind: 'block', level: 'vrrp_script' },
      valid: '',
      header: 'chk',
      note: 'a script block without a script is removed with a message',
    },
    {
      name: 'vrrp_track_process',
      value: { kind: 'block', level: 'vrrp_track_process' },
      valid: '',
      header: 'tp',
      note: 'a block without process is removed with a message',
    },
    {
      name: 'interface_up_down_delays',
      value: VALUES,
      valid: 'eth1 1 2',
      note: 'IF DOWN_DELAY [UP_DELAY], seconds with up to 6 decimals in [0, 255]; bad delays are only logged; an unknown interface is a fatal config error unless dynamic_interfaces',
    },
    {
      name: 'SSL',
      value: { kind: 'block', level: 'SSL' },
      valid: '',
      note: 'a second SSL block replaces the first with a message',
    },
    {
      name: 'virtual_server_group',
      value: VALUES,
      valid: '192.0.2.150 80\n192.0.2.160-170 80\nfwmark 7',
      header: 'VSG1',
      note: 'lines: ADDR PORT, ADDR-LASTOCTET PORT (a range) or fwmark N [inet|inet6] (N in [0, UINT32_MAX]); an empty group is removed with a message',
    },
    {
      name: 'virtual_server',
      value: { kind: 'block', level: 'virtual_server' },
      valid: '',
      header: '192.0.2.100 80',
      note: 'header: ADDR PORT, fwmark N, or group NAME; protocol/lb_algo/lvs_method unset are each reported with the default used (UDP, wlc, NAT)',
    },
    {
      name: 'bfd_instance',
      value: { kind: 'block', level: 'bfd_instance' },
      valid: '',
      header: 'bfd1',
      note: 'name shorter than 32 characters; an instance without neighbor_ip is removed with a message',
    },
    {
      name: 'track_file',
      value: { kind: 'block', level: 'track_file' },
      valid: '',
      header: 'tf',
      note: 'a block without file is ignored with a message',
    },
    {
      name: 'vrrp_track_file',
      value: { kind: 'block', level: 'track_file' },
      valid: '',
      header: 'tf',
      note: 'deprecated synonym of track_file (the deprecation goes to the log only)',
    },
  ],

  global_defs: [
    {
      name: 'process_names',
      value: NONE,
      valid: '',
      note: 'names the children keepalived_vrrp, keepalived_lvs and keepalived_bfd',
    },
    {
      name: 'process_name',
      value: STRING,
      valid: 'kts',
      note: 'more than 15 characters is reported and truncated',
    },
    {
      name: 'vrrp_process_name',
      value: STRING,
      valid: 'kts_vrrp',
      note: 'over 15 characters truncated with a message',
    },
    {
      name: 'checker_process_name',
      value: STRING,
      valid: 'kts_lvs',
      note: 'over 15 characters truncated with a message',
    },
    {
      name: 'lvs_process_name',
      value: STRING,
      valid: 'kts_lvs',
      note: 'deprecated alias of checker_process_name (notice in the log only)',
    },
    {
      name: 'bfd_process_name',
      value: STRING,
      valid: 'kts_bfd',
      note: 'over 15 characters truncated with a message',
    },
    { name: 'router_id', value: STRING, valid: 'kts_diff' },
    { name: 'notification_email_from', value: STRING, valid: 'kts@example.com' },
    {
      name: 'smtp_server',
      value: WORDS,
      valid: '192.0.2.25 25',
      note: 'ADDR|HOSTNAME [PORT], port defaults to 25; an unusable server is reported',
    },
    { name: 'smtp_helo_name', value: STRING, valid: 'kts.example.com' },
    {
      name: 'smtp_connect_timeout',
      value: SECONDS_4294,
      valid: '30',
      note: 'seconds; 0 is accepted by the range but reported and raised to 1',
    },
    {
      name: 'notification_email',
      value: VALUES,
      valid: 'ops@example.com',
      note: 'one address per line; empty block reported',
    },
    { name: 'smtp_alert', value: BOOL, valid: '' },
    {
      name: 'startup_script',
      value: SCRIPT,
      valid: '/bin/true',
      note: `${SCRIPT_NOTE}. Read by the parent process only; a second one is reported; sets the timeout to 10 s if none`,
    },
    {
      name: 'startup_script_timeout',
      value: { kind: 'int', min: 1, max: 1000 },
      valid: '10',
      note: 'seconds; parent process only',
    },
    {
      name: 'shutdown_script',
      value: SCRIPT,
      valid: '/bin/true',
      note: `${SCRIPT_NOTE}. Parent process only`,
    },
    {
      name: 'shutdown_script_timeout',
      value: { kind: 'int', min: 1, max: 1000 },
      valid: '10',
      note: 'seconds; parent process only',
    },
    {
      name: 'max_auto_priority',
      value: { kind: 'int', min: -1, max: 99, optional: true },
      valid: '',
      note: 'alone = the SCHED_RR maximum (99); -1 disables; the max is sched_get_priority_max(SCHED_RR)',
    },
    {
      name: 'min_auto_priority_delay',
      value: { kind: 'int', min: 1, max: 10000000 },
      valid: '1000',
      note: 'microseconds; the value is required',
    },
    { name: 'smtp_alert_vrrp', value: BOOL, valid: '' },
    { name: 'smtp_alert_checker', value: BOOL, valid: '' },
    { name: 'checker_log_all_failures', value: BOOL, valid: '' },
    {
      name: 'dynamic_interfaces',
      value: { kind: 'enum', values: ['allow_if_changes'], optional: true },
      valid: '',
      note: 'alone turns dynamic interfaces on; any other word is reported (the feature is still turned on)',
    },
    { name: 'no_email_faults', value: NONE, valid: '' },
    { name: 'default_interface', value: IFNAME, valid: 'eth0', note: 'not checked while parsing' },
    {
      name: 'disable_local_igmp',
      value: NONE,
      valid: '',
      note: 'reported when /proc/sys/net/ipv4/igmp_link_local_mcast_reports is not writable',
    },
    {
      name: 'lvs_timeouts',
      value: WORDS,
      valid: 'tcp 900 tcpfin 120 udp 300',
      note: 'one or more of tcp N, tcpfin N, udp N, each N in [0, 2678400] seconds; at least one pair is required; unknown options reported',
    },
    { name: 'lvs_flush', value: NONE, valid: '' },
    {
      name: 'lvs_flush_on_stop',
      value: { kind: 'enum', values: ['VS'], optional: true },
      valid: '',
      note: 'alone = flush everything, VS = only the configured virtual servers',
    },
    {
      name: 'lvs_flush_onstop',
      value: { kind: 'enum', values: ['VS'], optional: true },
      valid: '',
      note: 'old spelling of lvs_flush_on_stop, accepted silently',
    },
    {
      name: 'lvs_sync_daemon',
      value: WORDS,
      valid: 'eth0 inst VI_1 id 10',
      note: 'IF (shorter than 16) then inst VRRP_NAME, id 0-255, maxlen 1-65507, port 1-65535, ttl 1-255, group MCAST_ADDR; old form IF VRRP_NAME [SYNCID] (the bare syncid is reported); a second lvs_sync_daemon is reported',
    },
    {
      name: 'vrrp_mcast_group4',
      value: { kind: 'ip', family: 4 },
      valid: '224.0.0.18',
      note: 'must be IPv4 multicast, else reported and skipped',
    },
    {
      name: 'vrrp_mcast_group6',
      value: { kind: 'ip', family: 6 },
      valid: 'ff02::12',
      note: 'must be IPv6 multicast; a non link-local multicast group draws a warning',
    },
    { name: 'vrrp_garp_master_delay', value: SECONDS_4294, valid: '5', note: 'seconds' },
    {
      name: 'vrrp_garp_master_repeat',
      value: UINT,
      valid: '5',
      note: '0 is in range but reported and raised to 1',
    },
    { name: 'vrrp_garp_master_refresh', value: UINT, valid: '60', note: 'seconds, 0 = no refresh' },
    {
      name: 'vrrp_garp_master_refresh_repeat',
      value: UINT,
      valid: '2',
      note: '0 is in range but reported and raised to 1',
    },
    { name: 'vrrp_garp_lower_prio_delay', value: SECONDS_4294, valid: '5', note: 'seconds' },
    { name: 'vrrp_garp_lower_prio_repeat', value: { kind: 'int', min: 0, max: 2147483647 }, valid: '5' },
    { name: 'vrrp_down_timer_adverts', value: { kind: 'int', min: 1, max: 100 }, valid: '3' },
    {
      name: 'vrrp_garp_interval',
      value: { kind: 'decimal', min: '0.000001', max: '4294.967295', places: 6 },
      valid: '0.001',
      note: 'seconds; 1 s or more only draws a log notice',
    },
    {
      name: 'vrrp_gna_interval',
      value: { kind: 'decimal', min: '0.000001', max: '4294.967295', places: 6 },
      valid: '0.001',
      note: 'seconds; 1 s or more only draws a log notice',
    },
    {
      name: 'vrrp_min_garp',
      value: BOOL,
      valid: '',
      note: 'sends one GARP with no repeats/refresh, leaving explicitly set values alone',
    },
    {
      name: 'vrrp_garp_extra_if',
      value: WORDS,
      valid: '60',
      note: '[all] SECONDS, SECONDS in [1, 86400]; without a time it is reported and ignored',
    },
    {
      name: 'vrrp_vmac_garp_intvl',
      value: WORDS,
      valid: '60',
      note: 'deprecated name of vrrp_garp_extra_if: always reported as deprecated, even with a valid value',
    },
    { name: 'vrrp_lower_prio_no_advert', value: BOOL, valid: '' },
    { name: 'vrrp_higher_prio_send_advert', value: BOOL, valid: '' },
    { name: 'vrrp_version', value: { kind: 'int', min: 2, max: 3 }, valid: '3' },
    {
      name: 'vrrp_iptables',
      value: WORDS,
      valid: '',
      note: 'this build has no iptables: any use is reported ("iptables not supported, using nftables instead") and turns on nftables table keepalived; the words are ignored',
    },
    {
      name: 'nftables',
      value: STRING,
      valid: '',
      note: 'optional table name (shorter than 32), default keepalived; a second nftables is reported',
    },
    { name: 'nftables_priority', value: { kind: 'int', min: -2147483648, max: 2147483647 }, valid: '-1' },
    { name: 'nftables_ifindex', value: NONE, valid: '' },
    {
      name: 'nftables_ipvs',
      value: STRING,
      valid: '',
      note: 'optional table name (shorter than 32), default keepalived_ipvs; a second one is reported',
    },
    {
      name: 'nftables_ipvs_priority',
      value: { kind: 'int', min: -2147483648, max: 2147483647 },
      valid: '-1',
    },
    { name: 'nftables_ipvs_start_fwmark', value: { kind: 'int', min: 1, max: 4294967295 }, valid: '1000' },
    { name: 'nftables_counters', value: NONE, valid: '' },
    { name: 'vrrp_check_unicast_src', value: NONE, valid: '' },
    { name: 'vrrp_skip_check_adv_addr', value: NONE, valid: '' },
    { name: 'vrrp_strict', value: NONE, valid: '' },
    {
      name: 'vrrp_priority',
      value: PROCESS_PRIORITY,
      valid: '-10',
      note: 'nice value of the VRRP process; a missing or bad value is reported and 0 is used',
    },
    { name: 'vrrp_no_swap', value: NONE, valid: '' },
    { name: 'vrrp_rt_priority', value: RT_PRIORITY, valid: '50', note: RT_NOTE },
    {
      name: 'vrrp_cpu_affinity',
      value: WORDS,
      valid: '0',
      note: 'one or more CPU numbers in [0, online CPUs - 1]; the first bad one clears the set with a message',
    },
    {
      name: 'vrrp_rlimit_rttime',
      value: RLIMIT,
      valid: '10000',
      note: 'microseconds of RLIMIT_RTTIME; 1 is raised to 2',
    },
    {
      name: 'vrrp_rlimit_rtime',
      value: RLIMIT,
      valid: '10000',
      note: 'deprecated spelling of vrrp_rlimit_rttime (notice in the log only)',
    },
    {
      name: 'notify_fifo',
      value: WORDS,
      valid: '/tmp/kts-diff.fifo',
      note: 'PATH [USER [GROUP]]; without a user the default script user must be usable; a second one is reported',
    },
    {
      name: 'notify_fifo_script',
      value: SCRIPT,
      valid: '/bin/true',
      note: `${SCRIPT_NOTE}; a second one is reported`,
    },
    { name: 'vrrp_notify_fifo', value: WORDS, valid: '/tmp/kts-diff-vrrp.fifo', note: 'as notify_fifo' },
    { name: 'vrrp_notify_fifo_script', value: SCRIPT, valid: '/bin/true', note: SCRIPT_NOTE },
    { name: 'vrrp_notify_priority_changes', value: BOOL, valid: '' },
    { name: 'fifo_write_vrrp_states_on_reload', value: NONE, valid: '' },
    { name: 'lvs_notify_fifo', value: WORDS, valid: '/tmp/kts-diff-lvs.fifo', note: 'as notify_fifo' },
    { name: 'lvs_notify_fifo_script', value: SCRIPT, valid: '/bin/true', note: SCRIPT_NOTE },
    { name: 'checker_priority', value: PROCESS_PRIORITY, valid: '-10', note: 'as vrrp_priority' },
    { name: 'checker_no_swap', value: NONE, valid: '' },
    { name: 'checker_rt_priority', value: RT_PRIORITY, valid: '50', note: RT_NOTE },
    { name: 'checker_cpu_affinity', value: WORDS, valid: '0', note: 'as vrrp_cpu_affinity' },
    { name: 'checker_rlimit_rttime', value: RLIMIT, valid: '10000', note: 'as vrrp_rlimit_rttime' },
    {
      name: 'checker_rlimit_rtime',
      value: RLIMIT,
      valid: '10000',
      note: 'deprecated spelling (log notice only)',
    },
    { name: 'bfd_priority', value: PROCESS_PRIORITY, valid: '-10', note: 'as vrrp_priority' },
    { name: 'bfd_no_swap', value: NONE, valid: '' },
    { name: 'bfd_rt_priority', value: RT_PRIORITY, valid: '50', note: RT_NOTE },
    { name: 'bfd_cpu_affinity', value: WORDS, valid: '0', note: 'as vrrp_cpu_affinity' },
    { name: 'bfd_rlimit_rttime', value: RLIMIT, valid: '10000', note: 'as vrrp_rlimit_rttime' },
    {
      name: 'bfd_rlimit_rtime',
      value: RLIMIT,
      valid: '10000',
      note: 'deprecated spelling (log notice only)',
    },
    {
      name: 'snmp_socket',
      value: STRING,
      valid: 'tcp:localhost:705',
      note: 'exactly one word, shorter than PATH_MAX; a second one is reported',
    },
    { name: 'enable_traps', value: NONE, valid: '' },
    { name: 'enable_snmp_vrrp', value: NONE, valid: '' },
    {
      name: 'enable_snmp_keepalived',
      value: NONE,
      valid: '',
      note: 'deprecated alias of enable_snmp_vrrp, silent',
    },
    { name: 'enable_snmp_rfc', value: NONE, valid: '', note: 'both RFC MIBs (v2 and v3)' },
    { name: 'enable_snmp_rfcv2', value: NONE, valid: '' },
    { name: 'enable_snmp_rfcv3', value: NONE, valid: '' },
    { name: 'enable_snmp_checker', value: NONE, valid: '' },
    { name: 'enable_dbus', value: NONE, valid: '' },
    { name: 'dbus_service_name', value: STRING, valid: 'org.keepalived.Vrrp1' },
    {
      name: 'script_user',
      value: USER,
      valid: 'root',
      note: 'default user for scripts; an unknown user or group is reported. keepalived 2.2.7 -t kills itself with SIGTERM (exit 143, no output) when it checks a script that runs as any user other than its own, so only root is safe under -t when scripts exist',
    },
    { name: 'enable_script_security', value: NONE, valid: '' },
    { name: 'vrrp_netlink_cmd_rcv_bufs', value: UINT, valid: '1048576', note: NETLINK_BUFS_NOTE },
    { name: 'vrrp_netlink_cmd_rcv_bufs_force', value: BOOL, valid: '' },
    { name: 'vrrp_netlink_monitor_rcv_bufs', value: UINT, valid: '1048576', note: NETLINK_BUFS_NOTE },
    { name: 'vrrp_netlink_monitor_rcv_bufs_force', value: BOOL, valid: '' },
    { name: 'process_monitor_rcv_bufs', value: UINT, valid: '1048576', note: NETLINK_BUFS_NOTE },
    { name: 'process_monitor_rcv_bufs_force', value: BOOL, valid: '' },
    { name: 'lvs_netlink_cmd_rcv_bufs', value: UINT, valid: '1048576', note: NETLINK_BUFS_NOTE },
    { name: 'lvs_netlink_cmd_rcv_bufs_force', value: BOOL, valid: '' },
    { name: 'lvs_netlink_monitor_rcv_bufs', value: UINT, valid: '1048576', note: NETLINK_BUFS_NOTE },
    { name: 'lvs_netlink_monitor_rcv_bufs_force', value: BOOL, valid: '' },
    { name: 'rs_init_notifies', value: BOOL, valid: '' },
    { name: 'no_checker_emails', value: BOOL, valid: '' },
    {
      name: 'vrrp_rx_bufs_policy',
      value: WORDS,
      valid: 'MTU',
      note: 'MTU, ADVERT (any case) or a size in [0, UINT_MAX] (always read from the first word); a size with a policy, or MTU with ADVERT, is reported',
    },
    {
      name: 'vrrp_rx_bufs_multiplier',
      value: { kind: 'int', min: 1, max: 4294967295 },
      valid: '4',
      note: 'exactly one word',
    },
    {
      name: 'vrrp_startup_delay',
      value: { kind: 'decimal', min: '0.001000', max: '4294.967295', places: 6 },
      valid: '5',
      note: 'seconds; 60 s or more only draws a log notice',
    },
    { name: 'log_unknown_vrids', value: NONE, valid: '' },
    {
      name: 'vmac_prefix',
      value: STRING,
      valid: 'vmac',
      note: 'prefix of generated VMAC names (default vrrp); a second one is reported',
    },
    {
      name: 'vmac_addr_prefix',
      value: STRING,
      valid: 'vmaca',
      note: 'prefix of VMAC names for use_vmac_addr instances; a second one is reported',
    },
    {
      name: 'umask',
      value: WORDS,
      valid: '022',
      note: 'a number (C notation, so 022 is octal) with no other word, or bit names IRUSR|IWUSR|IXUSR|IRGRP|IWGRP|IXGRP|IROTH|IWOTH|IXOTH joined with |',
    },
    { name: 'random_seed', value: UINT, valid: '12345' },
    {
      name: 'reload_check_config',
      value: PATH,
      valid: '',
      note: 'optional log file for the config check before a reload, default /dev/null',
    },
    { name: 'reload_time_file', value: PATH, valid: '/tmp/kts-diff-reload-time', note: 'exactly one word' },
    { name: 'reload_repeat', value: NONE, valid: '' },
    {
      name: 'reload_file',
      value: PATH,
      valid: '',
      note: 'optional path of the file that marks a reload in progress, default under /run',
    },
    {
      name: 'include_check',
      value: WORDS,
      valid: '',
      note: 'optional list of read, match, wildcard_match, brace_match; a word may start with + or - to add or remove; only the first word may be bare',
    },
    {
      name: 'config_save_dir',
      value: PATH,
      valid: '/tmp',
      note: 'a directory; the parent creates it if missing, the children report a missing one',
    },
    { name: 'tmp_config_directory', value: PATH, valid: '/tmp', note: 'a second one is reported' },
    { name: 'data_use_instance', value: BOOL, valid: '' },
  ],

  vrrp_script: [
    {
      name: 'script',
      value: STRING,
      valid: '"/bin/true"',
      note: 'the command, quoted to carry arguments (only the first word or quoted string is used); needs script security and an existing command',
    },
    {
      name: 'interval',
      value: SECONDS_4294,
      valid: '2',
      note: 'seconds; 0 is in range but reported and raised to 1',
    },
    {
      name: 'timeout',
      value: SECONDS_4294,
      valid: '2',
      note: 'seconds; 0 is in range but reported and raised to 1',
    },
    {
      name: 'weight',
      value: { kind: 'int', min: -253, max: 253 },
      valid: '-10',
      note: 'optionally followed by reverse; a bad number is reported but the converted value is still stored',
    },
    {
      name: 'rise',
      value: { kind: 'int', min: 1, max: 2147483647 },
      valid: '2',
      note: 'a bad value is reported and 1 used',
    },
    {
      name: 'fall',
      value: { kind: 'int', min: 1, max: 2147483647 },
      valid: '2',
      note: 'a bad value is reported and 1 used',
    },
    {
      name: 'user',
      value: USER,
      valid: 'root',
      note: 'an unknown user or group removes the script with a message; a non-root user makes keepalived -t kill itself with SIGTERM (see script_user)',
    },
    { name: 'init_fail', value: NONE, valid: '' },
  ],

  track_file: [
    {
      name: 'file',
      value: PATH,
      valid: '/dev/null',
      note: 'required; a second file is reported, so in a skeleton that already sets one this draws a message',
    },
    {
      name: 'weight',
      value: { kind: 'int', min: -254, max: 254 },
      valid: '10',
      note: 'optionally followed by reverse; only the first weight other than 1 is kept, later ones are reported',
    },
    {
      name: 'init_file',
      value: WORDS,
      valid: '',
      note: '[VALUE] [overwrite]: creates the file (not under -t); VALUE outside [-254, 254] is reported',
    },
  ],

  vrrp_track_process: [
    {
      name: 'process',
      value: WORDS,
      valid: 'sshd',
      note: 'NAME [ARGS...]; with arguments the whole command line must match; required; a second one is reported, so in a skeleton that already sets one this draws a message',
    },
    {
      name: 'param_match',
      value: { kind: 'enum', values: ['initial', 'partial'], optional: true },
      valid: '',
      note: 'alone = exact match of the arguments',
    },
    {
      name: 'weight',
      value: { kind: 'int', min: -254, max: 254 },
      valid: '10',
      note: 'optionally followed by reverse; a second non-zero weight is reported',
    },
    {
      name: 'quorum',
      value: { kind: 'int', min: 1, max: 65535 },
      valid: '1',
      note: 'must not exceed quorum_max (default 65535), else reported',
    },
    {
      name: 'quorum_max',
      value: { kind: 'int', min: 0, max: 65535 },
      valid: '3',
      note: 'must not be below quorum, else reported; 0 allowed when quorum is not set',
    },
    {
      name: 'delay',
      value: { kind: 'decimal', min: '0.000001', max: '3600.000000', places: 6 },
      valid: '0.5',
      note: 'sets both terminate_delay and fork_delay',
    },
    {
      name: 'terminate_delay',
      value: { kind: 'decimal', min: '0.000001', max: '3600.000000', places: 6 },
      valid: '0.5',
    },
    {
      name: 'fork_delay',
      value: { kind: 'decimal', min: '0.000001', max: '3600.000000', places: 6 },
      valid: '0.5',
    },
    { name: 'full_command', value: NONE, valid: '' },
  ],

  bfd_instance: [
    {
      name: 'source_ip',
      value: IP,
      valid: '192.0.2.1',
      note: 'must be the family of neighbor_ip, else the instance is dropped',
    },
    {
      name: 'neighbor_ip',
      value: IP,
      valid: '192.0.2.21',
      note: 'required; a bad address drops the instance; the same neighbour/source pair twice is reported',
    },
    { name: 'neighbour_ip', value: IP, valid: '192.0.2.21', note: 'British spelling of neighbor_ip' },
    {
      name: 'min_rx',
      value: { kind: 'decimal', min: '1.000', max: '4294967.000', places: 3 },
      valid: '10',
      note: 'milliseconds with up to 3 decimals; above 10000 only a log notice',
    },
    {
      name: 'min_tx',
      value: { kind: 'decimal', min: '1.000', max: '4294967.000', places: 3 },
      valid: '10',
      note: 'milliseconds; above 10000 only a log notice',
    },
    {
      name: 'idle_tx',
      value: { kind: 'decimal', min: '1000.000', max: '4294967.000', places: 3 },
      valid: '1000',
      note: 'milliseconds; above 10000 only a log notice',
    },
    { name: 'multiplier', value: { kind: 'int', min: 1, max: 255 }, valid: '5' },
    { name: 'passive', value: NONE, valid: '' },
    { name: 'ttl', value: { kind: 'int', min: 1, max: 255 }, valid: '255' },
    { name: 'hoplimit', value: { kind: 'int', min: 1, max: 255 }, valid: '255', note: 'same as ttl' },
    {
      name: 'max_hops',
      value: { kind: 'int', min: -1, max: 255 },
      valid: '1',
      note: 'above the ttl/hoplimit it is reported and lowered to it',
    },
    {
      name: 'weight',
      value: { kind: 'int', min: -253, max: 253 },
      valid: '10',
      note: 'read by the VRRP process; optionally followed by reverse',
    },
    { name: 'vrrp', value: NONE, valid: '', note: 'only VRRP (not the checker) is told about this instance' },
    {
      name: 'checker',
      value: NONE,
      valid: '',
      note: 'only the checker (not VRRP) is told about this instance, so a VRRP track_bfd of it is reported as not found',
    },
  ],

  vrrp_sync_group: [
    {
      name: 'group',
      value: VALUES,
      valid: 'VI_1\nVI_2',
      note: 'vrrp_instance names (an unknown name is reported); a second group block is reported (its closing brace then also draws an Unknown keyword message); a sync group of a single instance is reported at validation, so every sync-group case needs two instances to be silent',
    },
    {
      name: 'track_interface',
      value: VALUES,
      valid: 'eth3',
      note: 'IF [weight -254..254 [reverse]]; +-254 reported and changed to +-253; unknown or duplicate interfaces reported, and so is an interface a member instance already uses or tracks',
    },
    {
      name: 'track_script',
      value: VALUES,
      valid: 'chk',
      note: 'NAME [weight -254..254 [reverse|noreverse]] of a vrrp_script (+-254 reported, set to +-253); an undefined script is reported',
    },
    {
      name: 'track_file',
      value: VALUES,
      valid: 'tf',
      note: 'NAME [weight -254..254 [reverse|noreverse]] of a track_file; undefined names reported',
    },
    {
      name: 'track_process',
      value: VALUES,
      valid: 'tp',
      note: 'NAME [weight -254..254 [reverse|noreverse]] of a vrrp_track_process; undefined names reported',
    },
    {
      name: 'track_bfd',
      value: VALUES,
      valid: 'bfd1',
      note: 'NAME [weight -253..253 [reverse]] of a bfd_instance; undefined names reported',
    },
    {
      name: 'notify_backup',
      value: SCRIPT,
      valid: '/bin/true',
      note: `${SCRIPT_NOTE}; a second one is reported`,
    },
    { name: 'notify_master', value: SCRIPT, valid: '/bin/true', note: SCRIPT_NOTE },
    { name: 'notify_fault', value: SCRIPT, valid: '/bin/true', note: SCRIPT_NOTE },
    { name: 'notify_stop', value: SCRIPT, valid: '/bin/true', note: SCRIPT_NOTE },
    { name: 'notify', value: SCRIPT, valid: '/bin/true', note: `${SCRIPT_NOTE}; gets 4 extra arguments` },
    { name: 'smtp_alert', value: BOOL, valid: '' },
    {
      name: 'global_tracking',
      value: NONE,
      valid: '',
      note: 'deprecated: always reported, then acts as sync_group_tracking_weight',
    },
    { name: 'sync_group_tracking_weight', value: NONE, valid: '' },
    { name: 'notify_priority_changes', value: BOOL, valid: '' },
  ],

  garp_group: [
    {
      name: 'garp_interval',
      value: { kind: 'decimal', min: '0.000000', max: '2147.483647', places: 6 },
      valid: '0.001',
      note: 'seconds; 1 s or more only draws a log notice',
    },
    {
      name: 'gna_interval',
      value: { kind: 'decimal', min: '0.000000', max: '2147.483647', places: 6 },
      valid: '0.001',
      note: 'seconds; 1 s or more only draws a log notice',
    },
    {
      name: 'interface',
      value: IFNAME,
      valid: 'eth1',
      context: ['garp_interval 0.001'],
      note: 'an interface already in a garp_group is reported; the group needs garp_interval or gna_interval or it is removed with a message',
    },
    {
      name: 'interfaces',
      value: VALUES,
      valid: 'eth2\neth3',
      context: ['garp_interval 0.001'],
      note: 'one interface per line; empty block, unknown interfaces and interfaces already grouped are reported',
    },
  ],

  track_group: [
    {
      name: 'group',
      value: VALUES,
      valid: 'VI_1',
      note: 'vrrp_instance names; a second group block is reported (worded as for a sync group; its closing brace then also draws an Unknown keyword message)',
    },
  ],

  vrrp_instance: [
    {
      name: 'use_vmac',
      value: WORDS,
      valid: '',
      note: 'optional VMAC interface name and/or MAC address (a word with : is the MAC; 5 octets = use the VRID as the last); bad names/MACs reported',
    },
    { name: 'use_vmac_addr', value: NONE, valid: '' },
    {
      name: 'vmac_xmit_base',
      value: NONE,
      valid: '',
      context: ['use_vmac'],
      note: 'reported at validation unless the instance uses a VMAC',
    },
    {
      name: 'use_ipvlan',
      value: WORDS,
      valid: '192.0.2.50/24',
      note: 'optional in any order: an interface name, an ADDR[/LEN] and one of bridge|private|vepa; an IPv4 ipvlan without an address (or a source address) is reported at validation',
    },
    {
      name: 'unicast_peer',
      value: VALUES,
      valid: '192.0.2.2',
      note: 'ADDR [min_ttl 0-255] [max_ttl 0-255]; must match the instance family',
    },
    { name: 'unicast_fault_no_peer', value: NONE, valid: '', note: 'marks the instance unicast' },
    {
      name: 'check_unicast_src',
      value: NONE,
      valid: '',
      context: ['unicast_peer {', '  192.0.2.2', '}'],
      note: 'marks the instance unicast: without unicast peers that is reported at validation',
    },
    {
      name: 'old_unicast_checksum',
      value: { kind: 'enum', values: ['never'], optional: true },
      valid: '',
      context: ['unicast_peer {', '  192.0.2.2', '}'],
      note: 'marks the instance unicast (reported without peers); any word but never is reported',
    },
    {
      name: 'native_ipv6',
      value: NONE,
      valid: '',
      note: 'forces IPv6 and VRRPv3; reported when the instance already has IPv4 addresses (as in the skeleton)',
    },
    {
      name: 'state',
      value: { kind: 'enum', values: ['MASTER', 'BACKUP'] },
      valid: 'BACKUP',
      note: 'case-sensitive; anything else is reported and BACKUP used; BACKUP after MASTER is reported',
    },
    {
      name: 'interface',
      value: IFNAME,
      valid: 'eth0',
      note: 'shorter than 16; a missing interface or a loopback is reported',
    },
    {
      name: 'vrf',
      value: IFNAME,
      valid: 'eth1',
      note: 'reported when an interface was already given (the skeleton gives one), so it still draws a message there',
    },
    { name: 'dont_track_primary', value: NONE, valid: '' },
    {
      name: 'track_interface',
      value: VALUES,
      valid: 'eth1',
      note: 'IF [weight -254..254 [reverse]]; +-254 reported and changed to +-253',
    },
    {
      name: 'track_script',
      value: VALUES,
      valid: 'chk',
      note: 'NAME [weight -254..254 [reverse|noreverse]]; the vrrp_script must be defined (the skeleton defines chk only with a vrrp_script case)',
    },
    {
      name: 'track_file',
      value: VALUES,
      valid: 'tf',
      note: 'NAME [weight -254..254 [reverse|noreverse]]; the track_file must be defined',
    },
    {
      name: 'track_process',
      value: VALUES,
      valid: 'tp',
      note: 'NAME [weight -254..254 [reverse|noreverse]]; the vrrp_track_process must be defined',
    },
    {
      name: 'track_bfd',
      value: VALUES,
      valid: 'bfd1',
      note: 'NAME [weight -253..253 [reverse]]; the bfd_instance must be defined',
    },
    {
      name: 'mcast_src_ip',
      value: IP,
      valid: '192.0.2.1',
      note: 'must match the instance family',
    },
    {
      name: 'unicast_src_ip',
      value: IP,
      valid: '192.0.2.1',
      context: ['unicast_peer {', '  192.0.2.2', '}'],
      note: 'marks the instance unicast, so without unicast_peer it is reported at validation',
    },
    {
      name: 'mcast_dst_ip',
      value: IP,
      valid: '224.0.0.18',
      note: 'IPv4 multicast or IPv6 link-local multicast of the instance family',
    },
    { name: 'track_src_ip', value: NONE, valid: '' },
    { name: 'virtual_router_id', value: { kind: 'int', min: 1, max: 255 }, valid: '51' },
    {
      name: 'unicast_ttl',
      value: { kind: 'int', min: 0, max: 255 },
      valid: '64',
      context: ['unicast_peer {', '  192.0.2.2', '}'],
      note: 'without unicast peers it is reported and reset at the end of the block',
    },
    {
      name: 'version',
      value: { kind: 'int', min: 2, max: 3 },
      valid: '3',
      note: 'a version conflicting with one already set or deduced (2 with IPv6) is reported',
    },
    {
      name: 'priority',
      value: { kind: 'int', min: 1, max: 255 },
      valid: '100',
      note: 'a bad value is reported and 100 used',
    },
    {
      name: 'advert_int',
      value: { kind: 'decimal', min: '0.010000', max: '255.000000', places: 6 },
      valid: '1',
      note: 'seconds; with VRRPv2 a fraction is reported at validation and rounded',
    },
    {
      name: 'virtual_ipaddress',
      value: VALUES,
      valid: '192.0.2.101/24',
      note: 'ADDR[/LEN] [dev IF] [scope S] [brd ADDR|+|-] [label L] [peer ADDR] [home] [-nodad] [mngtmpaddr] [noprefixroute] [autojoin] [no_track] [preferred_lft N|forever] [use_vmac]; family must match the instance',
    },
    {
      name: 'virtual_ipaddress_excluded',
      value: VALUES,
      valid: '192.0.2.102/24',
      note: 'as virtual_ipaddress, any family',
    },
    { name: 'promote_secondaries', value: NONE, valid: '' },
    {
      name: 'linkbeat_use_polling',
      value: NONE,
      valid: '',
      note: 'deprecated here (use the root linkbeat_interfaces block): always reported',
    },
    {
      name: 'virtual_routes',
      value: VALUES,
      valid: '198.51.100.0/24 via 192.0.2.254 dev eth0',
      note: 'ip-route style lines, as static_routes',
    },
    {
      name: 'virtual_rules',
      value: VALUES,
      valid: 'from 192.0.2.0/24 table 100 priority 100',
      note: 'ip-rule style lines; a rule without priority is reported',
    },
    { name: 'accept', value: NONE, valid: '' },
    { name: 'no_accept', value: NONE, valid: '' },
    {
      name: 'skip_check_adv_addr',
      value: BOOL,
      valid: '',
      note: 'note: any valid bool (even off) turns the check-skipping on',
    },
    { name: 'strict_mode', value: BOOL, valid: '' },
    { name: 'preempt', value: NONE, valid: '', note: 'the default; cancels an earlier nopreempt' },
    { name: 'nopreempt', value: NONE, valid: '' },
    {
      name: 'preempt_delay',
      value: { kind: 'decimal', min: '0.000000', max: '1000.000000', places: 6 },
      valid: '10',
      note: 'seconds; a bad value is reported and 0 used',
    },
    { name: 'debug', value: { kind: 'int', min: 0, max: 4 }, valid: '1' },
    {
      name: 'notify_backup',
      value: SCRIPT,
      valid: '/bin/true',
      note: `${SCRIPT_NOTE}; a second one is reported`,
    },
    { name: 'notify_master', value: SCRIPT, valid: '/bin/true', note: SCRIPT_NOTE },
    { name: 'notify_fault', value: SCRIPT, valid: '/bin/true', note: SCRIPT_NOTE },
    { name: 'notify_stop', value: SCRIPT, valid: '/bin/true', note: SCRIPT_NOTE },
    {
      name: 'notify_deleted',
      value: SCRIPT,
      valid: '',
      note: 'the script is optional (alone = send deleted state to notify/fifo); with a script as the other notify scripts',
    },
    { name: 'notify', value: SCRIPT, valid: '/bin/true', note: `${SCRIPT_NOTE}; gets 4 extra arguments` },
    { name: 'notify_master_rx_lower_pri', value: SCRIPT, valid: '/bin/true', note: SCRIPT_NOTE },
    { name: 'smtp_alert', value: BOOL, valid: '' },
    { name: 'notify_priority_changes', value: BOOL, valid: '' },
    {
      name: 'lvs_sync_daemon_interface',
      value: IFNAME,
      valid: 'eth0',
      note: 'deprecated (use global lvs_sync_daemon): always reported (two lines)',
    },
    { name: 'garp_master_delay', value: SECONDS_4294, valid: '5', note: 'seconds' },
    { name: 'garp_master_refresh', value: UINT, valid: '60', note: 'seconds, 0 = none' },
    {
      name: 'garp_master_repeat',
      value: UINT,
      valid: '5',
      note: '0 is in range but reported and raised to 1',
    },
    {
      name: 'garp_master_refresh_repeat',
      value: UINT,
      valid: '2',
      note: '0 is in range but reported and raised to 1',
    },
    { name: 'garp_lower_prio_delay', value: SECONDS_4294, valid: '5', note: 'seconds' },
    { name: 'garp_lower_prio_repeat', value: { kind: 'int', min: 0, max: 2147483647 }, valid: '5' },
    { name: 'down_timer_adverts', value: { kind: 'int', min: 1, max: 100 }, valid: '3' },
    {
      name: 'garp_extra_if',
      value: WORDS,
      valid: '60',
      note: '[all] SECONDS with SECONDS in [0, 86400] (0 allowed here, unlike the global form); without a time it is reported',
    },
    {
      name: 'vmac_garp_intvl',
      value: WORDS,
      valid: '60',
      note: 'deprecated name of garp_extra_if: always reported as deprecated',
    },
    { name: 'lower_prio_no_advert', value: BOOL, valid: '' },
    { name: 'higher_prio_send_advert', value: BOOL, valid: '' },
    {
      name: 'kernel_rx_buf_size',
      value: UINT,
      valid: '65536',
      note: 'exactly one word',
    },
    { name: 'authentication', value: { kind: 'block', level: 'authentication' }, valid: '' },
  ],

  authentication: [
    {
      name: 'auth_type',
      value: { kind: 'enum', values: ['PASS', 'AH'] },
      valid: 'PASS',
      context: ['auth_pass secret'],
      note: 'case-sensitive; others reported; an authentication block without auth_pass is reported at validation',
    },
    {
      name: 'auth_pass',
      value: STRING,
      valid: 'secret',
      note: 'more than 8 characters is reported and truncated',
    },
  ],

  virtual_server: [
    {
      name: 'ip_family',
      value: { kind: 'enum', values: ['inet', 'inet6'] },
      valid: 'inet',
      note: 'a family conflicting with the server address is reported',
    },
    {
      name: 'retry',
      value: { kind: 'int', min: 1, max: 4294967295 },
      valid: '3',
      note: 'default for the checkers',
    },
    { name: 'delay_before_retry', value: TIMER_FROM_0, valid: '2' },
    { name: 'warmup', value: TIMER_FROM_0, valid: '1' },
    { name: 'connect_timeout', value: CONNECT_TIMEOUT, valid: '5' },
    { name: 'delay_loop', value: TIMER_FROM_1US, valid: '6' },
    { name: 'inhibit_on_failure', value: NONE, valid: '' },
    {
      name: 'lb_algo',
      value: SCHEDULER,
      valid: 'wrr',
      note: 'case-sensitive; unset = wlc (reported at validation)',
    },
    { name: 'lvs_sched', value: SCHEDULER, valid: 'wrr', note: 'same as lb_algo' },
    {
      name: 'hashed',
      value: NONE,
      valid: '',
      context: ['lb_algo sh'],
      note: 'does nothing; reported as "only applies to sh scheduler" unless the scheduler set so far is sh or mh',
    },
    {
      name: 'ops',
      value: NONE,
      valid: '',
      context: ['protocol UDP'],
      note: 'one-packet scheduling; reported and reset at validation unless the protocol is UDP',
    },
    { name: 'flag-1', value: NONE, valid: '' },
    { name: 'flag-2', value: NONE, valid: '' },
    { name: 'flag-3', value: NONE, valid: '' },
    {
      name: 'sh-port',
      value: NONE,
      valid: '',
      context: ['lb_algo sh'],
      note: 'needs lb_algo sh earlier in the block (else reported); silently ignored after lb_algo mh',
    },
    { name: 'sh-fallback', value: NONE, valid: '', context: ['lb_algo sh'], note: 'as sh-port' },
    {
      name: 'mh-port',
      value: NONE,
      valid: '',
      context: ['lb_algo mh'],
      note: 'needs lb_algo mh earlier (else reported, with the message naming sh); silently ignored after lb_algo sh',
    },
    { name: 'mh-fallback', value: NONE, valid: '', context: ['lb_algo mh'], note: 'as mh-port' },
    { name: 'lb_kind', value: LVS_METHOD, valid: 'DR', note: `same as lvs_method: ${FORWARDING_NOTE}` },
    { name: 'lvs_method', value: LVS_METHOD, valid: 'DR', note: FORWARDING_NOTE },
    {
      name: 'persistence_engine',
      value: STRING,
      valid: 'sip',
      note: 'longer than the kernel name field (15) is reported and truncated',
    },
    {
      name: 'persistence_timeout',
      value: { kind: 'int', min: 1, max: 2678400, optional: true },
      valid: '300',
      note: 'seconds; alone = 360',
    },
    {
      name: 'persistence_granularity',
      value: WORDS,
      valid: '255.255.255.0',
      note: 'an IPv4 netmask, or for IPv6 servers a prefix length 1-128 (a word without . on a server of unknown family is read as IPv6); sets persistence_timeout 360 if unset',
    },
    {
      name: 'protocol',
      value: { kind: 'enum', values: ['TCP', 'UDP', 'SCTP'], caseInsensitive: true },
      valid: 'TCP',
      note: 'unset = UDP (reported at validation)',
    },
    { name: 'ha_suspend', value: NONE, valid: '' },
    { name: 'smtp_alert', value: BOOL, valid: '' },
    { name: 'virtualhost', value: STRING, valid: 'www.example.com', note: 'default for HTTP checkers' },
    { name: 'snmp_name', value: STRING, valid: 'vs1', note: 'exactly one word' },
    { name: 'alpha', value: NONE, valid: '' },
    { name: 'omega', value: NONE, valid: '' },
    {
      name: 'quorum_up',
      value: SCRIPT,
      valid: '/bin/true',
      note: `${SCRIPT_NOTE}; a second one is reported`,
    },
    { name: 'quorum_down', value: SCRIPT, valid: '/bin/true', note: SCRIPT_NOTE },
    {
      name: 'quorum',
      value: { kind: 'int', min: 1, max: 4294967295 },
      valid: '1',
      note: 'a bad value is reported and 1 used; above the total weight of the real servers it is reported at validation and lowered',
    },
    {
      name: 'hysteresis',
      value: UINT,
      valid: '0',
      note: 'at or above the quorum it is reported at validation and set to 0',
    },
    { name: 'weight', value: { kind: 'int', min: 1, max: 2147483647 }, valid: '1' },
    {
      name: 'sorry_server',
      value: WORDS,
      valid: '192.0.2.30 80',
      note: 'ADDR [PORT]; family must match the virtual server unless tunnelled',
    },
    {
      name: 'sorry_server_inhibit',
      value: NONE,
      valid: '',
      context: ['sorry_server 192.0.2.30 80'],
      note: 'reported unless a sorry_server came earlier',
    },
    {
      name: 'sorry_server_lvs_method',
      value: LVS_METHOD,
      valid: 'NAT',
      context: ['sorry_server 192.0.2.30 80'],
      note: `reported unless a sorry_server came earlier; ${FORWARDING_NOTE}`,
    },
    {
      name: 'real_server',
      value: { kind: 'block', level: 'real_server' },
      valid: '',
      header: '192.0.2.21 80',
      note: 'ADDR [PORT]; family must match the virtual server unless tunnelled',
    },
  ],

  real_server: [
    {
      name: 'weight',
      value: { kind: 'int', min: 0, max: 2147483647 },
      valid: '1',
      note: 'default 1; a total real-server weight below the virtual server quorum (default 1, so weight 0 alone) is reported at validation',
    },
    { name: 'lvs_method', value: LVS_METHOD, valid: 'NAT', note: FORWARDING_NOTE },
    { name: 'uthreshold', value: UINT, valid: '100' },
    { name: 'lthreshold', value: UINT, valid: '10' },
    { name: 'inhibit_on_failure', value: BOOL, valid: '' },
    {
      name: 'notify_up',
      value: SCRIPT,
      valid: '/bin/true',
      note: `${SCRIPT_NOTE}; a second one is reported`,
    },
    { name: 'notify_down', value: SCRIPT, valid: '/bin/true', note: SCRIPT_NOTE },
    { name: 'alpha', value: BOOL, valid: '' },
    { name: 'retry', value: { kind: 'int', min: 1, max: 4294967295 }, valid: '3' },
    { name: 'delay_before_retry', value: TIMER_FROM_0, valid: '2' },
    { name: 'warmup', value: TIMER_FROM_0, valid: '1' },
    { name: 'connect_timeout', value: CONNECT_TIMEOUT, valid: '5' },
    { name: 'delay_loop', value: TIMER_FROM_1US, valid: '6' },
    { name: 'smtp_alert', value: BOOL, valid: '' },
    { name: 'virtualhost', value: STRING, valid: 'www.example.com' },
    { name: 'snmp_name', value: STRING, valid: 'rs1', note: 'exactly one word' },
    { name: 'MISC_CHECK', value: { kind: 'block', level: 'MISC_CHECK' }, valid: '' },
    { name: 'SMTP_CHECK', value: { kind: 'block', level: 'SMTP_CHECK' }, valid: '' },
    { name: 'TCP_CHECK', value: { kind: 'block', level: 'TCP_CHECK' }, valid: '' },
    { name: 'PING_CHECK', value: { kind: 'block', level: 'PING_CHECK' }, valid: '' },
    { name: 'UDP_CHECK', value: { kind: 'block', level: 'UDP_CHECK' }, valid: '' },
    { name: 'HTTP_GET', value: { kind: 'block', level: 'HTTP_GET' }, valid: '' },
    { name: 'SSL_GET', value: { kind: 'block', level: 'SSL_GET' }, valid: '' },
    { name: 'DNS_CHECK', value: { kind: 'block', level: 'DNS_CHECK' }, valid: '' },
    { name: 'FILE_CHECK', value: { kind: 'block', level: 'FILE_CHECK' }, valid: '' },
    { name: 'BFD_CHECK', value: { kind: 'block', level: 'BFD_CHECK' }, valid: '' },
  ],

  HTTP_GET: HTTP_CHECKER,
  SSL_GET: HTTP_CHECKER,

  url: [
    {
      name: 'path',
      value: STRING,
      valid: '/',
      note: 'required: a url without path is dropped with a message',
    },
    {
      name: 'digest',
      value: STRING,
      valid: 'd41d8cd98f00b204e9800998ecf8427e',
      note: '32 hex digits (MD5); wrong length, bad hex or a second digest reported',
    },
    {
      name: 'status_code',
      value: WORDS,
      valid: '200',
      note: 'codes or ranges LOW-HIGH within 100-599; bad entries reported and skipped; none = 200-299',
    },
    { name: 'virtualhost', value: STRING, valid: 'www.example.com' },
    {
      name: 'regex',
      value: STRING,
      valid: '"OK"',
      note: 'exactly one (quotable) word; problems here and a bad pattern only reach the log',
    },
    {
      name: 'regex_no_match',
      value: NONE,
      valid: '',
      context: ['regex "OK"'],
      note: 'without regex it is dropped with a log notice only',
    },
    {
      name: 'regex_options',
      value: WORDS,
      valid: 'caseless',
      context: ['regex "OK"'],
      note: 'PCRE2 option names (allow_empty_class alt_bsux auto_callout caseless dollar_endonly dotall dupnames extended firstline match_unset_backref multiline never_ucp never_utf no_auto_capture no_auto_possess no_dotstar_anchor no_start_optimize ucp ungreedy utf never_backslash_c alt_circumflex alt_verbnames use_offset_limit); unknown words are silently ignored',
    },
    {
      name: 'regex_min_offset',
      value: WORDS,
      valid: '0',
      context: ['regex "OK"'],
      note: 'one unsigned number (strtoul, no range check); problems only logged',
    },
    {
      name: 'regex_max_offset',
      value: WORDS,
      valid: '100',
      context: ['regex "OK"'],
      note: 'one unsigned number; at or below regex_min_offset both are dropped (log only)',
    },
    {
      name: 'regex_stack',
      value: WORDS,
      valid: '32768 65536',
      context: ['regex "OK"'],
      note: 'START MAX (JIT stack sizes), START not above MAX; problems only logged',
    },
  ],

  TCP_CHECK: [...CHECKER_CONNECTION, ...CHECKER_COMMON],

  MISC_CHECK: [
    ...CHECKER_COMMON,
    {
      name: 'misc_path',
      value: STRING,
      valid: '"/bin/true"',
      note: 'the command, quoted to carry arguments; required (else the checker is skipped with a message); needs script security',
    },
    { name: 'misc_timeout', value: SECONDS_4294, valid: '5', note: 'seconds' },
    { name: 'misc_dynamic', value: NONE, valid: '' },
    {
      name: 'user',
      value: USER,
      valid: 'root',
      note: 'an unknown user removes the checker with a message; a non-root user makes keepalived -t kill itself with SIGTERM (see script_user)',
    },
  ],

  SMTP_CHECK: [
    { name: 'helo_name', value: STRING, valid: 'kts.example.com' },
    ...CHECKER_CONNECTION,
    ...CHECKER_COMMON,
    {
      name: 'host',
      value: { kind: 'block', level: 'host' },
      valid: '',
      note: 'deprecated extra-target block (a log notice only); each host becomes its own checker',
    },
  ],

  host: [...CHECKER_CONNECTION, ...CHECKER_COMMON],

  DNS_CHECK: [
    ...CHECKER_CONNECTION,
    ...CHECKER_COMMON,
    {
      name: 'type',
      value: {
        kind: 'enum',
        values: ['A', 'NS', 'CNAME', 'SOA', 'MX', 'TXT', 'AAAA', 'RRSIG', 'DNSKEY'],
        caseInsensitive: true,
      },
      valid: 'A',
      note: 'default SOA',
    },
    {
      name: 'name',
      value: STRING,
      valid: 'example.com',
      note: 'an empty label (a.. or a leading . on a longer name) or a second name is reported; default is the root',
    },
  ],

  UDP_CHECK: [
    ...CHECKER_CONNECTION,
    ...CHECKER_COMMON,
    {
      name: 'payload',
      value: WORDS,
      valid: '0102',
      note: 'hex bytes, spaces allowed; required and must be valid hex, else reported. Quirk: a payload whose last byte is ff is rejected as invalid hex',
    },
    {
      name: 'require_reply',
      value: WORDS,
      valid: '',
      note: 'optional hex pattern the reply must match (x/X as wildcard nibbles)',
    },
    {
      name: 'min_reply_length',
      value: { kind: 'int', min: 0, max: 65535 },
      valid: '1',
      note: 'greater than max_reply_length (default 255) is reported at the end of the block',
    },
    { name: 'max_reply_length', value: { kind: 'int', min: 0, max: 65535 }, valid: '255' },
  ],

  PING_CHECK: [...CHECKER_CONNECTION, ...CHECKER_COMMON],

  FILE_CHECK: [
    {
      name: 'track_file',
      value: STRING,
      valid: 'tf',
      note: 'name of a root track_file block; required (else the checker is ignored with a message)',
    },
    {
      name: 'weight',
      value: { kind: 'int', min: -2147483647, max: 2147483647 },
      valid: '10',
      note: 'optionally followed by reverse or noreverse',
    },
  ],

  BFD_CHECK: [
    {
      name: 'name',
      value: STRING,
      valid: 'bfd1',
      note: 'exactly one name of a bfd_instance (shorter than 32); required; a second name is reported, so in a skeleton that already names one this draws a message',
    },
    { name: 'alpha', value: BOOL, valid: '' },
  ],

  SSL: [
    {
      name: 'password',
      value: STRING,
      valid: 'secret',
      note: 'a second one is reported and replaces the first',
    },
    { name: 'ca', value: PATH, valid: '/dev/null', note: 'a second one is reported and replaces the first' },
    { name: 'certificate', value: PATH, valid: '/dev/null', note: 'a second one is reported' },
    { name: 'key', value: PATH, valid: '/dev/null', note: 'a second one is reported' },
  ],
};
