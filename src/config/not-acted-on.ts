/**
 * Every field of the validated `Config` (model.ts) that nothing outside src/config/ reads, and why.
 * Pure data, reviewed by hand; test/unit/config/not-acted-on.test.ts keeps it true: it walks
 * every field of `Config` with the TypeScript compiler and fails when a field is neither read by
 * the daemon (src/ outside config/, cli/, daemon/dumps/ and daemon/snmp-mib.ts: showing a setting
 * is not acting on it) nor listed here, or when a listed field is read.
 *
 * Three kinds:
 * - `ignored`: keepalived acts on the keyword, keepalived-ts parses and checks it, and does not.
 *   Each is reported by `-t` as a `keepalived-ts:` note (UNSUPPORTED) where the config uses it
 *   (validate/unsupported.ts `notActedOn()`), and README's "Not acted on" names each keyword.
 * - `config`: acted on while the config is read, not by the daemon: a default the validator
 *   passes down to the fields the daemon reads (keepalived copies it the same way when it
 *   completes the config), or a setting that only changes what the config reader accepts.
 * - `record`: not a setting: a copy of what was written, kept with the config.
 *
 * Keys are field paths in `Config`: `vrrpInstances[].unicastTtl`. A field of a type used in
 * several places (`GarpSettings`, `ScriptSpec`...) is one field: its first place is its key.
 */

export interface NotActedOn {
  readonly kind: 'ignored' | 'config' | 'record';
  /** The keywords that set the field, as written in keepalived.conf. */
  readonly keywords: readonly string[];
  /** Why, or (kind `config`) where it takes effect. */
  readonly reason: string;
  /**
   * Daemon files that read the field only to say it is not acted on, or to compare it across a
   * reload (keepalived restarts a checker whose options changed).
   */
  readonly readOnlyBy?: readonly string[];
}

export const NOT_ACTED_ON = {
  // --- global_defs, not acted on ---
  'globalDefs.enableSnmpRfcv2': {
    kind: 'ignored',
    keywords: ['enable_snmp_rfcv2', 'enable_snmp_rfc'],
    reason: "RFC 2787's VRRP-MIB is not served",
  },
  'globalDefs.vrrpStartupDelayMs': {
    kind: 'ignored',
    keywords: ['vrrp_startup_delay'],
    reason: 'VRRP instances start at once',
  },
  'globalDefs.fifoWriteVrrpStatesOnReload': {
    kind: 'ignored',
    keywords: ['fifo_write_vrrp_states_on_reload'],
    reason: 'instance states are not written to the FIFOs on reload',
  },
  'globalDefs.startupScript': {
    kind: 'ignored',
    keywords: ['startup_script'],
    reason: 'the script is not run at start-up',
  },
  'globalDefs.startupScriptTimeoutMs': {
    kind: 'ignored',
    keywords: ['startup_script_timeout'],
    reason: 'startup_script is not run',
  },
  'globalDefs.shutdownScript': {
    kind: 'ignored',
    keywords: ['shutdown_script'],
    reason: 'the script is not run at shutdown',
  },
  'globalDefs.shutdownScriptTimeoutMs': {
    kind: 'ignored',
    keywords: ['shutdown_script_timeout'],
    reason: 'shutdown_script is not run',
  },
  'globalDefs.randomSeed': {
    kind: 'ignored',
    keywords: ['random_seed'],
    reason: 'random numbers (warmup, jitter) are not seeded',
  },
  'globalDefs.reloadCheckConfig': {
    kind: 'ignored',
    keywords: ['reload_check_config'],
    reason: 'a reload always checks the new config first and refuses one with errors',
  },
  'globalDefs.dynamicInterfaces': {
    kind: 'ignored',
    keywords: ['dynamic_interfaces'],
    reason:
      "-t accepts interfaces the host lacks, but the daemon does not start with an instance's interface missing (keepalived waits in FAULT for it)",
  },
  // --- vrrp_sync_group / vrrp_instance, not acted on ---
  'vrrpSyncGroups[].notifyPriorityChanges': {
    kind: 'ignored',
    keywords: ['notify_priority_changes'],
    reason: "a sync group's notify scripts are not told of priority changes",
  },
  'vrrpInstances[].unicastTtl': {
    kind: 'ignored',
    keywords: ['unicast_ttl'],
    reason: 'unicast adverts are sent with TTL 255',
  },
  'vrrpInstances[].trackSrcIp': {
    kind: 'ignored',
    keywords: ['track_src_ip'],
    reason: 'the source address is not tracked',
  },
  'vrrpInstances[].accept': {
    kind: 'ignored',
    keywords: ['no_accept'],
    reason:
      "traffic to the virtual addresses is never dropped (keepalived's firewall rules are not made), as with accept",
  },
  // --- checkers, not acted on ---
  'virtualServers[].realServers[].checkers[].fwmark': {
    kind: 'ignored',
    keywords: ['fwmark'],
    reason: 'check connections are not marked (SO_MARK)',
    readOnlyBy: ['src/check/probes/attempt.ts', 'src/check/probes/http.ts', 'src/check/checker-type.ts'],
  },
  'virtualServers[].realServers[].checkers[].fastRecovery': {
    kind: 'ignored',
    keywords: ['fast_recovery'],
    reason: 'a failed HTTP_GET/SSL_GET is retried on its usual timers',
  },

  // --- acted on while the config is read ---
  'globalDefs.smtpAlert': {
    kind: 'config',
    keywords: ['smtp_alert'],
    reason: "the default of each instance's, sync group's and virtual server's smtp_alert",
  },
  'globalDefs.smtpAlertChecker': {
    kind: 'config',
    keywords: ['smtp_alert_checker'],
    reason: "the default of each virtual server's smtp_alert",
  },
  'globalDefs.smtpAlertVrrp': {
    kind: 'config',
    keywords: ['smtp_alert_vrrp'],
    reason: "the default of each instance's smtp_alert",
  },
  'globalDefs.vrrpVersion': {
    kind: 'config',
    keywords: ['vrrp_version'],
    reason: "the default of each instance's version",
  },
  'globalDefs.garp': {
    kind: 'config',
    keywords: [
      'vrrp_garp_master_delay',
      'vrrp_garp_master_repeat',
      'vrrp_garp_master_refresh',
      'vrrp_garp_master_refresh_repeat',
      'vrrp_garp_lower_prio_delay',
      'vrrp_garp_lower_prio_repeat',
      'vrrp_garp_interval',
      'vrrp_gna_interval',
    ],
    reason: "the defaults of each instance's GARP settings",
  },
  'globalDefs.vrrpMinGarp': {
    kind: 'config',
    keywords: ['vrrp_min_garp'],
    reason: 'changes the GARP defaults',
  },
  'globalDefs.vrrpLowerPrioNoAdvert': {
    kind: 'config',
    keywords: ['vrrp_lower_prio_no_advert'],
    reason: "the default of each instance's lower_prio_no_advert",
  },
  'globalDefs.vrrpHigherPrioSendAdvert': {
    kind: 'config',
    keywords: ['vrrp_higher_prio_send_advert'],
    reason: "the default of each instance's higher_prio_send_advert",
  },
  'globalDefs.vrrpDownTimerAdverts': {
    kind: 'config',
    keywords: ['vrrp_down_timer_adverts'],
    reason: "the default of each instance's down_timer_adverts",
  },
  'globalDefs.vrrpCheckUnicastSrc': {
    kind: 'config',
    keywords: ['vrrp_check_unicast_src'],
    reason: "the default of each instance's check_unicast_src",
  },
  'globalDefs.vrrpSkipCheckAdvAddr': {
    kind: 'config',
    keywords: ['vrrp_skip_check_adv_addr'],
    reason: "the default of each instance's skip_check_adv_addr",
  },
  'globalDefs.vrrpStrict': {
    kind: 'config',
    keywords: ['vrrp_strict'],
    reason: "the default of each instance's strict_mode",
  },
  'globalDefs.vrrpNotifyPriorityChanges': {
    kind: 'config',
    keywords: ['vrrp_notify_priority_changes'],
    reason: "the default of each instance's notify_priority_changes",
  },
  'vrrpSyncGroups[].syncGroupTrackingWeight': {
    kind: 'config',
    keywords: ['sync_group_tracking_weight'],
    reason: "keeps the weights of the members' own trackers (otherwise made unweighted)",
  },
  'vrrpInstances[].strictMode': {
    kind: 'config',
    keywords: ['strict_mode', 'vrrp_strict'],
    reason: "keepalived's strict checks and adjustments of the instance's settings",
  },
  'virtualServers[].inhibitOnFailure': {
    kind: 'config',
    keywords: ['inhibit_on_failure'],
    reason: "the default of each real server's inhibit_on_failure",
  },
  'virtualServers[].alpha': {
    kind: 'config',
    keywords: ['alpha'],
    reason: "the default of its real servers' alpha",
  },
  'virtualServers[].realServers[].delayLoopMs': {
    kind: 'config',
    keywords: ['delay_loop'],
    reason: "the default of its checkers' delay_loop",
  },
  'virtualServers[].realServers[].alpha': {
    kind: 'config',
    keywords: ['alpha'],
    reason: "the default of each of its checkers' alpha",
  },

  // --- records, no setting of their own ---
  'vrrpInstances[].virtualIpAddresses[].text': {
    kind: 'record',
    keywords: [],
    reason: 'the address line as written',
  },
  'vrrpInstances[].virtualRoutes[].table': {
    kind: 'record',
    keywords: [],
    reason: "the line's `table` word; the daemon applies the line's words (config/route-syntax.ts)",
  },
} as const satisfies Readonly<Record<string, NotActedOn>>;

export type NotActedOnPath = keyof typeof NOT_ACTED_ON;

/** The fields of kind `ignored`. */
export type IgnoredField = {
  [K in NotActedOnPath]: (typeof NOT_ACTED_ON)[K]['kind'] extends 'ignored' ? K : never;
}[NotActedOnPath];

/** The `ignored` fields, in the list's order. */
export const IGNORED_FIELDS: readonly IgnoredField[] = (Object.keys(NOT_ACTED_ON) as NotActedOnPath[]).filter(
  (k): k is IgnoredField => NOT_ACTED_ON[k].kind === 'ignored',
);
