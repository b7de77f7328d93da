/**
 * Cases a keyword-by-keyword sweep cannot produce: combinations keepalived 2.2.7 checks across
 * keywords and blocks (vrrp_strict's rules, the address owner and tracking weights, sync groups,
 * shared VRIDs, virtual server completion), blocks without a name, and the shapes real configs
 * get wrong (addresses with a prefix where keepalived takes a bare address). Each is written into
 * the skeleton through its slots (skeletons.ts).
 */
import type { Slots } from './skeletons.js';

export interface Combination {
  readonly name: string;
  readonly probe: string;
  readonly slots: Slots;
}

const c = (name: string, probe: string, slots: Slots): Combination => ({ name, probe, slots });
const block = (head: string, ...lines: string[]): string =>
  [`${head} {`, ...lines.map((l) => `  ${l}`), '}'].join('\n');
/** A second instance, complete, with `extra` lines. */
const instance = (name: string, vrid: number, ...extra: string[]): string =>
  block(`vrrp_instance ${name}`, 'interface eth1', `virtual_router_id ${vrid}`, 'priority 90', ...extra);
const vip = (...addrs: string[]): string => block('virtual_ipaddress', ...addrs);
const strict = { global_defs: ['vrrp_strict'] };

export const COMBINATIONS: readonly Combination[] = [
  // Blocks keepalived requires a name (or an address) for.
  c('vrrp_instance', 'no name', {
    root: [block('vrrp_instance', 'interface eth1', 'virtual_router_id 60', vip('192.0.2.110'))],
  }),
  c('vrrp_script', 'no name', { root: [block('vrrp_script', 'script /bin/true')] }),
  c('vrrp_sync_group', 'no name', { root: [block('vrrp_sync_group', block('group', 'VI_1'))] }),
  c('virtual_server', 'no address', {
    root: [block('virtual_server', 'protocol TCP', block('real_server 192.0.2.21 80'))],
  }),
  c('real_server', 'no address', { virtual_server: [block('real_server')] }),
  c('virtual_server_group', 'no name', { root: [block('virtual_server_group', '192.0.2.101 80')] }),
  c('track_file', 'no name', { root: [block('track_file', 'file /dev/null')] }),
  c('vrrp_instance', 'same name twice', { root: [instance('VI_1', 61, vip('192.0.2.111'))] }),
  c('vrrp_instance', 'no virtual_router_id', {
    root: [block('vrrp_instance VI_2', 'interface eth1', vip('192.0.2.111'))],
  }),
  c('vrrp_instance', 'no interface', {
    root: [block('vrrp_instance VI_2', 'virtual_router_id 62', vip('192.0.2.112'))],
  }),
  c('vrrp_instance', 'no interface, unicast', {
    root: [
      block(
        'vrrp_instance VI_2',
        'virtual_router_id 62',
        'unicast_src_ip 192.0.2.1',
        block('unicast_peer', '192.0.2.2'),
        vip('192.0.2.112 dev eth0'),
      ),
    ],
  }),
  c('vrrp_instance', 'no virtual_ipaddress', {
    root: [block('vrrp_instance VI_2', 'interface eth1', 'virtual_router_id 63')],
  }),

  // Unicast, as real configs write it.
  c('unicast', 'src and peer with prefix', {
    vrrp_instance: ['unicast_src_ip 192.0.2.1/24', block('unicast_peer', '192.0.2.2/24')],
  }),
  c('unicast', 'peer with prefix', { vrrp_instance: [block('unicast_peer', '192.0.2.2/24')] }),
  c('unicast', 'peer with options', {
    vrrp_instance: [block('unicast_peer', '192.0.2.2 min_ttl 250 max_ttl 255')],
  }),
  c('unicast', 'peer of the other family', { vrrp_instance: [block('unicast_peer', '2001:db8::2')] }),
  c('unicast', 'peer twice', { vrrp_instance: [block('unicast_peer', '192.0.2.2', '192.0.2.2')] }),
  c('unicast', 'own address as peer', { vrrp_instance: [block('unicast_peer', '192.0.2.1')] }),
  c('unicast', 'src not on any interface', {
    vrrp_instance: ['unicast_src_ip 198.51.100.7', block('unicast_peer', '192.0.2.2')],
  }),
  c('unicast', 'fault_no_peer with empty list', {
    vrrp_instance: ['unicast_fault_no_peer', block('unicast_peer')],
  }),
  c('unicast', 'check_unicast_src without peers', { vrrp_instance: ['check_unicast_src'] }),

  // Tracking and the address owner.
  c('track_interface', 'own interface', { vrrp_instance: [block('track_interface', 'eth0')] }),
  c('track_interface', 'own interface weighted', {
    vrrp_instance: [block('track_interface', 'eth0 weight 10')],
  }),
  c('track_interface', 'absent interface', { vrrp_instance: [block('track_interface', 'nosuch9')] }),
  c('track_interface', 'weight out of range', {
    vrrp_instance: [block('track_interface', 'eth1 weight 254')],
  }),
  c('track_interface', 'weight with reverse', {
    vrrp_instance: [block('track_interface', 'eth1 weight -10 reverse')],
  }),
  c('track_script', 'unknown script', { vrrp_instance: [block('track_script', 'nosuch')] }),
  c('track_script', 'weighted with priority 255', {
    vrrp_script: ['weight 10'],
    vrrp_instance: ['priority 255'],
  }),
  c('track_script', 'unweighted with priority 255', { vrrp_script: [], vrrp_instance: ['priority 255'] }),
  c('track_script', 'weight override in track_script', {
    vrrp_script: [],
    vrrp_instance: [block('track_script', 'chk weight -20')],
  }),
  c('track_interface', 'weighted with priority 255', {
    vrrp_instance: ['priority 255', block('track_interface', 'eth1 weight 10')],
  }),
  c('priority', '255 with nopreempt', { vrrp_instance: ['priority 255', 'nopreempt'] }),
  c('state', 'MASTER with nopreempt', { vrrp_instance: ['state MASTER', 'nopreempt'] }),
  c('state', 'MASTER with preempt_delay', { vrrp_instance: ['state MASTER', 'preempt_delay 10'] }),
  c('state', 'MASTER and BACKUP', { vrrp_instance: ['state MASTER', 'state BACKUP'] }),
  c('state', 'MASTER without priority', {
    root: [
      block(
        'vrrp_instance VI_2',
        'state MASTER',
        'interface eth1',
        'virtual_router_id 64',
        vip('192.0.2.114'),
      ),
    ],
  }),
  c('dont_track_primary', 'with own interface tracked', {
    vrrp_instance: ['dont_track_primary', block('track_interface', 'eth0')],
  }),

  // vrrp_strict's rules (keepalived checks them when an instance is completed).
  c('vrrp_strict', 'with authentication', {
    ...strict,
    authentication: ['auth_type PASS', 'auth_pass secret'],
  }),
  c('vrrp_strict', 'with unicast', { ...strict, vrrp_instance: [block('unicast_peer', '192.0.2.2')] }),
  c('vrrp_strict', 'with nopreempt', { ...strict, vrrp_instance: ['state BACKUP', 'nopreempt'] }),
  c('vrrp_strict', 'with preempt_delay', { ...strict, vrrp_instance: ['preempt_delay 5'] }),
  c('vrrp_strict', 'with version 2 and a fractional advert_int', {
    ...strict,
    vrrp_instance: ['version 2', 'advert_int 0.5'],
  }),
  c('vrrp_strict', 'with version 3', { ...strict, vrrp_instance: ['version 3'] }),
  c('vrrp_strict', 'with accept', { ...strict, vrrp_instance: ['accept'] }),
  c('vrrp_strict', 'with priority 255 and accept', { ...strict, vrrp_instance: ['priority 255', 'accept'] }),
  c('vrrp_strict', 'with excluded addresses', {
    ...strict,
    vrrp_instance: [block('virtual_ipaddress_excluded', '198.51.100.5')],
  }),
  c('vrrp_strict', 'with more than 20 addresses', {
    ...strict,
    vrrp_instance: [vip(...Array.from({ length: 21 }, (_, i) => `192.0.2.${120 + i}`))],
  }),
  c('strict_mode', 'per instance with authentication', {
    vrrp_instance: ['strict_mode'],
    authentication: ['auth_type PASS', 'auth_pass secret'],
  }),

  // Versions, families and the advert interval.
  c('version', '2 with a fractional advert_int', { vrrp_instance: ['version 2', 'advert_int 0.5'] }),
  c('version', '3 with authentication', {
    vrrp_instance: ['version 3'],
    authentication: ['auth_type PASS', 'auth_pass secret'],
  }),
  c('vrrp_version', '3 globally with authentication', {
    global_defs: ['vrrp_version 3'],
    authentication: ['auth_type PASS', 'auth_pass secret'],
  }),
  c('virtual_ipaddress', 'IPv6 with version 2', { vrrp_instance: ['version 2', vip('2001:db8::100/64')] }),
  c('virtual_ipaddress', 'mixed families', { vrrp_instance: [vip('2001:db8::100/64')] }),
  c('virtual_ipaddress', 'IPv6 only', {
    root: [block('vrrp_instance VI_6', 'interface eth1', 'virtual_router_id 66', vip('2001:db8::100/64'))],
  }),
  c('virtual_ipaddress', 'absent dev', { vrrp_instance: [vip('192.0.2.101/24 dev nosuch9')] }),
  c('virtual_ipaddress', 'label too long', {
    vrrp_instance: [vip('192.0.2.101/24 label eth0:abcdefghijklmnop')],
  }),
  c('virtual_ipaddress', 'unknown option', { vrrp_instance: [vip('192.0.2.101/24 bogus')] }),
  c('virtual_ipaddress', 'every option', {
    vrrp_instance: [vip('192.0.2.101/24 brd 192.0.2.255 dev eth0 scope global label eth0:1 no_track')],
  }),
  c('virtual_ipaddress', 'IPv6 options', {
    root: [
      block(
        'vrrp_instance VI_6',
        'interface eth1',
        'virtual_router_id 66',
        vip('2001:db8::100/64 dev eth1 -nodad noprefixroute preferred_lft 0'),
      ),
    ],
  }),
  c('authentication', 'long password', { authentication: ['auth_type PASS', 'auth_pass abcdefghijk'] }),
  c('authentication', 'AH', { authentication: ['auth_type AH', 'auth_pass secret'] }),
  c('authentication', 'no password', { authentication: ['auth_type PASS'] }),

  // Shared VRIDs and sync groups.
  c('virtual_router_id', 'shared on one interface', {
    root: [block('vrrp_instance VI_2', 'interface eth0', 'virtual_router_id 51', vip('192.0.2.115'))],
  }),
  c('virtual_router_id', 'shared on another interface', {
    root: [block('vrrp_instance VI_2', 'interface eth1', 'virtual_router_id 51', vip('192.0.2.115'))],
  }),
  c('virtual_router_id', 'shared across families', {
    root: [block('vrrp_instance VI_6', 'interface eth0', 'virtual_router_id 51', vip('2001:db8::100/64'))],
  }),
  c('vrrp_sync_group', 'unknown member', {
    root: [block('vrrp_sync_group G2', block('group', 'VI_1', 'NOPE'))],
  }),
  c('vrrp_sync_group', 'one member', { vrrp_sync_group: [] }),
  c('vrrp_sync_group', 'member of two groups', {
    vrrp_sync_group: [],
    root: [
      instance('VI_2', 65, vip('192.0.2.116')),
      block('vrrp_sync_group G2', block('group', 'VI_1', 'VI_2')),
    ],
  }),
  c('vrrp_sync_group', 'no group block', { root: [block('vrrp_sync_group G2', 'VI_1')] }),
  c('vrrp_sync_group', 'weighted tracking in a member', {
    vrrp_script: ['weight 10'],
    root: [
      instance('VI_2', 65, vip('192.0.2.116')),
      block('vrrp_sync_group G2', block('group', 'VI_1', 'VI_2')),
    ],
  }),
  c('vrrp_sync_group', 'weighted tracking with sync_group_tracking_weight', {
    vrrp_script: ['weight 10'],
    root: [
      instance('VI_2', 65, vip('192.0.2.116')),
      block('vrrp_sync_group G2', block('group', 'VI_1', 'VI_2'), 'sync_group_tracking_weight'),
    ],
  }),

  // Virtual servers completed at their closing brace.
  c('virtual_server', 'no real server', {
    root: [block('virtual_server 192.0.2.101 80', 'protocol TCP', 'lb_algo rr', 'lb_kind NAT')],
  }),
  c('virtual_server', 'fwmark without protocol', {
    root: [block('virtual_server fwmark 7', 'lb_algo rr', 'lb_kind DR', block('real_server 192.0.2.21 80'))],
  }),
  c('virtual_server', 'port 0 without persistence', {
    root: [
      block(
        'virtual_server 192.0.2.101 0',
        'protocol TCP',
        'lb_algo rr',
        'lb_kind DR',
        block('real_server 192.0.2.21 80'),
      ),
    ],
  }),
  c('virtual_server', 'no port with persistence', {
    root: [
      block(
        'virtual_server 192.0.2.101',
        'protocol TCP',
        'persistence_timeout 60',
        'lb_kind DR',
        block('real_server 192.0.2.21'),
      ),
    ],
  }),
  c('virtual_server', 'DR ports differ', {
    root: [
      block(
        'virtual_server 192.0.2.101 80',
        'protocol TCP',
        'lb_kind DR',
        block('real_server 192.0.2.21 8080'),
      ),
    ],
  }),
  c('virtual_server', 'same real server twice', { virtual_server: [block('real_server 192.0.2.20 80')] }),
  c('virtual_server', 'real server of the other family', {
    virtual_server: [block('real_server 2001:db8::20 80')],
  }),
  c('virtual_server', 'quorum above the total weight', { virtual_server: ['quorum 5'] }),
  c('virtual_server', 'hysteresis not below quorum', { virtual_server: ['quorum 1', 'hysteresis 1'] }),
  c('virtual_server', 'same address twice', {
    root: [
      block(
        'virtual_server 192.0.2.100 80',
        'protocol TCP',
        'lb_algo rr',
        'lb_kind NAT',
        block('real_server 192.0.2.22 80'),
      ),
    ],
  }),
  c('virtual_server', 'TUN with options', { virtual_server: ['lb_kind TUN type gue port 6080 csum'] }),
  c('virtual_server', 'persistence alone', { virtual_server: ['persistence_timeout'] }),
  c('virtual_server', 'sorry server', {
    virtual_server: ['sorry_server 192.0.2.30 80', 'sorry_server_inhibit'],
  }),
  c('virtual_server', 'group unknown', {
    root: [block('virtual_server group NOPE', 'protocol TCP', block('real_server 192.0.2.21 80'))],
  }),
  c('virtual_server_group', 'empty', { root: [block('virtual_server_group VSG')] }),
  c('virtual_server_group', 'used, with ranges and fwmark', {
    root: [
      block('virtual_server_group VSG', '192.0.2.101-105 80', '192.0.2.128/30 80', 'fwmark 9'),
      block('virtual_server group VSG', 'protocol TCP', 'lb_kind DR', block('real_server 192.0.2.21 80')),
    ],
  }),
  c('real_server', 'checker with no url', { real_server: [block('HTTP_GET', 'connect_timeout 3')] }),
  c('real_server', 'url with no path', { real_server: [block('HTTP_GET', block('url', 'status_code 200'))] }),
  c('real_server', 'two checkers', { real_server: [block('TCP_CHECK'), block('PING_CHECK')] }),
  c('real_server', 'MISC_CHECK with no path', { real_server: [block('MISC_CHECK')] }),
  c('real_server', 'FILE_CHECK unknown track_file', {
    real_server: [block('FILE_CHECK', 'track_file nope')],
  }),

  // Global cross-checks.
  c('lvs_sync_daemon', 'unknown instance', { global_defs: ['lvs_sync_daemon eth0 VI_NOPE'] }),
  c('lvs_sync_daemon', 'with its instance', { global_defs: ['lvs_sync_daemon eth0 VI_1 id 5'] }),
  c('script_user', 'absent with a script', {
    defaultScriptSecurity: true,
    global_defs: ['script_user nosuchuser'],
    vrrp_script: [],
  }),
  c('script_user', 'absent, with script security', {
    defaultScriptSecurity: true,
    global_defs: ['enable_script_security', 'script_user nosuchuser'],
    vrrp_script: [],
  }),
  c('script_user', 'default user absent, with script security', {
    defaultScriptSecurity: true,
    global_defs: ['enable_script_security'],
    vrrp_script: [],
  }),
  c('enable_script_security', 'script in a writable directory', {
    vrrp_script: ['script /tmp/kts-diff-script.sh'],
  }),
  c('notify', 'scripts without script security', {
    defaultScriptSecurity: true,
    vrrp_instance: ['notify_master /bin/true', 'notify /bin/true'],
  }),
  c('include', 'absent file', { root: ['include /nonexistent/kts-diff.conf'] }),
  c('include', 'glob matching nothing', { root: ['include /nonexistent/*.conf'] }),
  c('definition', 'used', { root: ['$ADDR=192.0.2.117', instance('VI_2', 67, vip('$ADDR'))] }),
  c('definition', 'undefined', { root: [instance('VI_2', 67, vip('$NOPE'))] }),
  c('brace', 'extra closing', { root: ['}'] }),
  c('brace', 'unclosed block', { root: ['vrrp_script late {', 'script /bin/true'] }),
];
