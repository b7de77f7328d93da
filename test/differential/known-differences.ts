/**
 * Cases where keepalived-ts's `-t` verdict knowingly differs from keepalived 2.2.7's, each with
 * its reason (README "Differences" lists the same). The differential test fails on a verdict
 * difference missing here, and on an entry here that agrees again.
 */

/** keepalived 2.2.7's `-t` kills itself (SIGTERM, no message) when a script is to run as a user other than root. */
const SELF_KILL =
  "keepalived -t kills itself (no message) when a script is set to run as a user other than root, a bug of its config-test mode; keepalived-ts checks the user and gives the config's verdict";
/** keepalived 2.2.7 dereferences a missing word and crashes. */
const CRASH = 'keepalived -t crashes (segmentation fault) on this config; keepalived-ts reports the problem';

const selfKill = [
  'global_defs/startup_script/as user',
  'global_defs/shutdown_script/as user',
  'global_defs/notify_fifo_script/as user',
  'global_defs/vrrp_notify_fifo_script/as user',
  'global_defs/lvs_notify_fifo_script/as user',
  'vrrp_script/user/user',
  'vrrp_script/user/user group',
  'vrrp_sync_group/notify_backup/as user',
  'vrrp_sync_group/notify_master/as user',
  'vrrp_sync_group/notify_fault/as user',
  'vrrp_sync_group/notify_stop/as user',
  'vrrp_sync_group/notify/as user',
  'vrrp_instance/notify_backup/as user',
  'vrrp_instance/notify_master/as user',
  'vrrp_instance/notify_fault/as user',
  'vrrp_instance/notify_stop/as user',
  'vrrp_instance/notify_deleted/as user',
  'vrrp_instance/notify/as user',
  'vrrp_instance/notify_master_rx_lower_pri/as user',
  'virtual_server/quorum_up/as user',
  'virtual_server/quorum_down/as user',
  'real_server/notify_up/as user',
  'real_server/notify_down/as user',
  'MISC_CHECK/user/user',
  'MISC_CHECK/user/user group',
];

const crashes: Record<string, string> = {
  'root/bfd_instance/no name': `${CRASH} (a bfd_instance without a name; we: the missing parameter, exit 2)`,
  'bfd_instance/neighbor_ip/missing': `${CRASH} (neighbor_ip without an address; we: the missing parameter, exit 2)`,
  'bfd_instance/neighbour_ip/missing': `${CRASH} (neighbour_ip without an address; we: the missing parameter, exit 2)`,
  'real_server/HTTP_GET/empty': `${CRASH} (an HTTP_GET without url; we: "HTTP/SSL_GET checker has no urls specified - ignoring")`,
  'real_server/HTTP_GET/no brace': `${CRASH} (an HTTP_GET without url; we: "HTTP/SSL_GET checker has no urls specified - ignoring")`,
  'real_server/SSL_GET/empty': `${CRASH} (an SSL_GET without url; we: "HTTP/SSL_GET checker has no urls specified - ignoring")`,
  'real_server/SSL_GET/no brace': `${CRASH} (an SSL_GET without url; we: "HTTP/SSL_GET checker has no urls specified - ignoring")`,
  'combination/real_server/checker with no url': `${CRASH} (an HTTP_GET without url; we: "HTTP/SSL_GET checker has no urls specified - ignoring")`,
  'combination/real_server/url with no path': `${CRASH} (a url without path; we: "HTTP/SSL_GET checker url has no path - ignoring")`,
};

export const KNOWN_DIFFERENCES: Readonly<Record<string, string>> = {
  ...Object.fromEntries(selfKill.map((id) => [id, SELF_KILL])),
  ...crashes,
  'combination/vrrp_strict/with unicast':
    'keepalived refuses unicast peers in strict mode on an interface that can multicast, but its -t does not read interface flags and accepts them; keepalived-ts -t reports what the daemon will refuse',
};
