/**
 * The signal dump files against keepalived 2.2.7's dump files (samples taken from keepalived itself), with the
 * sample's addresses moved to documentation ranges: an instance and a config built to match the
 * sample must give the sample's lines.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { VirtualServerStatus } from '../../../src/check/status-view.js';
import type { Config, IpAddressSpec } from '../../../src/config/model.js';
import { formatCheckDataFile } from '../../../src/daemon/dumps/check-data-file.js';
import { formatVrrpDataFile, type VrrpDataInput } from '../../../src/daemon/dumps/data-file.js';
import { formatJsonFile } from '../../../src/daemon/dumps/json-file.js';
import {
  cmdStr,
  ctimeUs,
  formatG,
  formatIpAddress,
  jsonString,
  type DumpTime,
} from '../../../src/daemon/dumps/keepalived-text.js';
import { formatStatsFile } from '../../../src/daemon/dumps/stats-file.js';
import { dumpPaths, writeDump } from '../../../src/daemon/dumps/write-dump.js';
import { instanceStatus, type InstanceStatus } from '../../../src/daemon/status.js';
import { VrrpInstanceDriver } from '../../../src/daemon/vrrp-instance.js';
import { wireInstance } from '../../../src/daemon/wiring.js';
import { loadText } from '../../helpers/config.js';
import { FakeClock } from '../../fakes/fake-clock.js';
import { ETH0, ETH0_ADDR } from '../../helpers/host.js';
import { sampleInstanceStatus } from '../../helpers/status-fixtures.js';

/** The sample's setup: VI_1 MASTER at 150 over unicast, a PASS password, one tracked script. */
const SAMPLE_CONF = `
global_defs {
  router_id node_a
}
vrrp_script chk_file {
  script "/opt/kfr-test/check.sh a"
  interval 1
  weight -60
  rise 2
  fall 2
}
vrrp_instance VI_1 {
  state MASTER
  interface eth0
  unicast_src_ip 192.0.2.1
  unicast_peer {
    192.0.2.2
  }
  virtual_router_id 51
  priority 150
  advert_int 1
  authentication {
    auth_type PASS
    auth_pass secret1
  }
  virtual_ipaddress {
    192.0.2.100/24 dev eth0 label eth0:vip
  }
  track_script {
    chk_file
  }
  notify_master "/opt/kfr-test/notify.sh MASTER_ARG"
  notify_backup /opt/kfr-test/notify.sh
}
`;

function load(text: string): Config {
  const { config, diagnostics } = loadText(text);
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return config;
}

/** The instant the sample's last transition happened, on both clocks (the clock at 5 s). */
const TRANSITION_EPOCH_MS = 1795433862228.713;
const TIME: DumpTime = { clockMs: 65_000, epochMs: TRANSITION_EPOCH_MS + 60_000 };

function status(over: Partial<InstanceStatus> = {}): InstanceStatus {
  return sampleInstanceStatus({
    priority: 150,
    effectivePriority: 150,
    masterPriority: 150,
    vips: ['192.0.2.100/24'],
    trackers: { 'script chk_file': 'up' },
    stats: { advert_rcvd: 7, advert_sent: 22, become_master: 2, release_master: 1 },
    lastTransitionMs: 5000,
    masterAdverIntervalMs: 1000,
    receivedMasterPriority: 100,
    sourceAddress: '192.0.2.1',
    ifindex: 2,
    ...over,
  });
}

/** `lines` appear in `text` in this order (the samples are excerpts). */
function expectInOrder(text: string, lines: readonly string[]): void {
  const all = text.split('\n');
  let at = 0;
  for (const l of lines) {
    const found = all.indexOf(l, at);
    expect(found, `line ${JSON.stringify(l)} after line ${at}`).toBeGreaterThanOrEqual(0);
    at = found + 1;
  }
}

describe('keepalived.stats', () => {
  it('is the verified sample for the sample instance', () => {
    expect(formatStatsFile([status()])).toBe(
      [
        'VRRP Instance: VI_1',
        '  Advertisements:',
        '    Received: 7',
        '    Sent: 22',
        '  Became master: 2',
        '  Released master: 1',
        '  Packet Errors:',
        '    Length: 0',
        '    TTL: 0',
        '    Invalid Type: 0',
        '    Advertisement Interval: 0',
        '    Address List: 0',
        '  Authentication Errors:',
        '    Invalid Type: 0',
        '    Type Mismatch: 0',
        '    Failure: 0',
        '  Priority Zero:',
        '    Received: 0',
        '    Sent: 0',
        '',
      ].join('\n'),
    );
  });

  // Each counter under its heading (the same label appears under two headings).
  it.each([
    ['advert_rcvd', '  Advertisements:', '    Received'],
    ['advert_sent', '  Advertisements:', '    Sent'],
    ['become_master', null, '  Became master'],
    ['release_master', null, '  Released master'],
    ['packet_len_err', '  Packet Errors:', '    Length'],
    ['ip_ttl_err', '  Packet Errors:', '    TTL'],
    ['invalid_type_rcvd', '  Packet Errors:', '    Invalid Type'],
    ['advert_interval_err', '  Packet Errors:', '    Advertisement Interval'],
    ['addr_list_err', '  Packet Errors:', '    Address List'],
    ['invalid_authtype', '  Authentication Errors:', '    Invalid Type'],
    ['authtype_mismatch', '  Authentication Errors:', '    Type Mismatch'],
    ['auth_failure', '  Authentication Errors:', '    Failure'],
    ['pri_zero_rcvd', '  Priority Zero:', '    Received'],
    ['pri_zero_sent', '  Priority Zero:', '    Sent'],
  ])('%s is printed as %s%s', (key, heading, label) => {
    const lines = formatStatsFile([status({ stats: { [key]: 4242 } })]).split('\n');
    const at = lines.indexOf(`${label}: 4242`);
    expect(at).toBeGreaterThan(0);
    expect(lines.filter((l) => l.endsWith(': 4242'))).toHaveLength(1);
    if (heading !== null) {
      const headingAt = lines.lastIndexOf(heading, at);
      expect(headingAt).toBeGreaterThan(0);
      expect(lines.slice(headingAt + 1, at).every((l) => l.startsWith('    '))).toBe(true);
    }
  });

  it('writes one block per instance, in order', () => {
    const text = formatStatsFile([status(), status({ name: 'VI_2', stats: {} })]);
    expect(text.split('\n').filter((l) => l.startsWith('VRRP Instance:'))).toEqual([
      'VRRP Instance: VI_1',
      'VRRP Instance: VI_2',
    ]);
    expect(text.endsWith('    Sent: 0\n')).toBe(true);
  });
});

describe('keepalived.json', () => {
  const SAMPLE =
    String.raw`[{"data":{"iname":"VI_1","dont_track_primary":0,"skip_check_adv_addr":0,"strict_mode":0,"vmac_ifname":"",
"ifp_ifname":"eth0","master_priority":100,"last_transition":1795433862.228713,"garp_delay":5,"garp_refresh":0,
"garp_rep":5,"garp_refresh_rep":1,"garp_lower_prio_delay":5,"garp_lower_prio_rep":5,"lower_prio_no_advert":0,
"higher_prio_send_advert":0,"vrid":51,"base_priority":150,"effective_priority":150,"vipset":true,
"promote_secondaries":false,"adver_int":1,"master_adver_int":1,"accept":1,"nopreempt":false,"preempt_delay":0,
"state":2,"wantstate":2,"version":2,"smtp_alert":false,"notify_deleted":false,
"script_backup":"'\/opt\/kfr-test\/notify.sh'","script_master":"'\/opt\/kfr-test\/notify.sh' 'MASTER_ARG'",
"vips":["192.0.2.100\/24 dev eth0 scope global label eth0:vip set"],"track_script":["'\/opt\/kfr-test\/check.sh' 'a'"],
"auth_type":1,"auth_data":"secret1"},
"stats":{"advert_rcvd":7,"advert_sent":23,"become_master":2,"release_master":1,"packet_len_err":0,
"advert_interval_err":0,"ip_ttl_err":0,"invalid_type_rcvd":0,"addr_list_err":0,"invalid_authtype":0,
"authtype_mismatch":0,"auth_failure":0,"pri_zero_rcvd":0,"pri_zero_sent":0}}]`.replaceAll('\n', '');

  it('is the verified sample, on one line', () => {
    const config = load(SAMPLE_CONF);
    const s = status({ stats: { ...status().stats, advert_sent: 23 } });
    expect(formatJsonFile(config, [s], TIME)).toBe(`${SAMPLE}\n`);
  });

  it('parses as JSON with the values unescaped', () => {
    const parsed = JSON.parse(formatJsonFile(load(SAMPLE_CONF), [status()], TIME)) as {
      data: Record<string, unknown>;
    }[];
    expect(parsed[0]?.data['script_master']).toBe("'/opt/kfr-test/notify.sh' 'MASTER_ARG'");
  });

  it.each([
    ['INIT', 0],
    ['BACKUP', 1],
    ['MASTER', 2],
    ['FAULT', 3],
  ])('state %s is %d', (state, n) => {
    const text = formatJsonFile(load(SAMPLE_CONF), [status({ state, wantState: state })], TIME);
    expect(text).toContain(`"state":${n},"wantstate":${n},`);
  });

  it('leaves out empty arrays and auth_data, and writes sub-second intervals with %g', () => {
    const config = load(`
vrrp_instance V6 {
  interface eth0
  virtual_router_id 7
  advert_int 0.5
  virtual_ipaddress {
    2001:db8::7/64
  }
}
`);
    const text = formatJsonFile(
      config,
      [status({ name: 'V6', version: 3, advertIntervalMs: 500, masterAdverIntervalMs: 500, vipSet: false })],
      TIME,
    );
    expect(text).toContain('"adver_int":0.5,"master_adver_int":0.5,');
    expect(text).toContain(
      String.raw`"vips":["2001:db8::7\/64 dev eth0 scope global preferred_lft forever"]`,
    );
    expect(text).toContain('"auth_type":0},"stats"');
    expect(text).not.toContain('track_script');
    expect(text).not.toContain('auth_data');
  });

  it('leaves out instances the config does not have', () => {
    expect(formatJsonFile(load(SAMPLE_CONF), [status({ name: 'gone' })], TIME)).toBe('[]\n');
  });
});

describe('keepalived.data', () => {
  const input = (over: Partial<VrrpDataInput> = {}, withUser = true): VrrpDataInput => ({
    config: load(SAMPLE_CONF),
    instances: [status()],
    syncGroups: [],
    time: TIME,
    utcOffsetMinutes: () => 0,
    ...(withUser ? { scriptUser: () => ({ uid: 0, gid: 0 }) } : {}),
    ...over,
  });

  it('has the verified sample lines of the global definitions', () => {
    const lines = formatVrrpDataFile(input()).split('\n');
    expect(lines[0]).toBe('------< Global definitions >------');
    for (const l of [
      ' Router ID = node_a',
      ' Gratuitous ARP delay = 5',
      ' Gratuitous ARP repeat = 5',
      ' Gratuitous ARP refresh timer = 0',
      ' VRRP IPv4 mcast group = 224.0.0.18',
    ])
      expect(lines).toContain(l);
  });

  it('has the verified sample lines of the VRRP topology and scripts, in order', () => {
    expectInOrder(formatVrrpDataFile(input()), [
      '------< VRRP Topology >------',
      ' VRRP Instance = VI_1',
      '   VRRP Version = 2',
      '   State = MASTER',
      '   Wantstate = MASTER',
      '   Last transition = 1795433862.228713 (Mon Nov 23 11:37:42.228713 2026)',
      '   Interface = eth0',
      '   Using src_ip = 192.0.2.1 (from configuration)',
      '   Virtual Router ID = 51',
      '   Priority = 150',
      '   Effective priority = 150',
      '   Advert interval = 1 sec',
      '   Preempt = enabled',
      '   Authentication type = SIMPLE_PASSWORD',
      '   Password = secret1',
      '   Virtual IP (1):',
      '     192.0.2.100/24 dev eth0 scope global label eth0:vip set',
      '   Unicast Peer :',
      '     192.0.2.2 min_ttl 0 max_ttl 255',
      '   Tracked scripts :',
      '     chk_file weight -60',
      "   Master state transition script = '/opt/kfr-test/notify.sh' 'MASTER_ARG', uid:gid 0:0",
      '------< VRRP Scripts >------',
      ' VRRP Script = chk_file',
      "   Command = '/opt/kfr-test/check.sh' 'a'",
      '   Interval = 1 sec',
      '   Weight = -60',
      '   Rise = 2',
      '   Fall = 2',
      '   Status = GOOD',
    ]);
  });

  it('prints the whole instance block in 2.2.7 order', () => {
    const text = formatVrrpDataFile(input());
    const block = text.slice(
      text.indexOf(' VRRP Instance = VI_1'),
      text.indexOf('------< VRRP Scripts >------'),
    );
    expect(block.split('\n')).toEqual([
      ' VRRP Instance = VI_1',
      '   VRRP Version = 2',
      '   State = MASTER',
      '   Flags:',
      '     Using unicast',
      '   Wantstate = MASTER',
      '   Last transition = 1795433862.228713 (Mon Nov 23 11:37:42.228713 2026)',
      '   Interface = eth0',
      '   Using src_ip = 192.0.2.1 (from configuration)',
      '   Gratuitous ARP delay = 5',
      '   Gratuitous ARP repeat = 5',
      '   Gratuitous ARP refresh = 0',
      '   Gratuitous ARP refresh repeat = 1',
      '   Gratuitous ARP lower priority delay = 5',
      '   Gratuitous ARP lower priority repeat = 5',
      '   Down timer adverts = 3',
      '   Send advert after receive lower priority advert = true',
      '   Send advert after receive higher priority advert = false',
      '   Virtual Router ID = 51',
      '   Priority = 150',
      '   Effective priority = 150',
      '   Advert interval = 1 sec',
      '   Accept = enabled',
      '   Preempt = enabled',
      '   Promote_secondaries = disabled',
      '   Authentication type = SIMPLE_PASSWORD',
      '   Password = secret1',
      '   Virtual IP (1):',
      '     192.0.2.100/24 dev eth0 scope global label eth0:vip set',
      '   Check unicast src : no',
      '   Unicast Peer :',
      '     192.0.2.2 min_ttl 0 max_ttl 255',
      '   Tracked scripts :',
      '     chk_file weight -60',
      '   Using smtp notification = no',
      '   Notify deleted = Fault',
      "   Backup state transition script = '/opt/kfr-test/notify.sh', uid:gid 0:0",
      "   Master state transition script = '/opt/kfr-test/notify.sh' 'MASTER_ARG', uid:gid 0:0",
      '   Notify priority changes = false',
      '',
    ]);
  });

  it('shows the master a BACKUP follows, and VRRPv3 intervals in milliseconds', () => {
    const config = load(`
vrrp_sync_group G1 {
  group {
    V3
  }
}
vrrp_instance V3 {
  interface eth0
  virtual_router_id 9
  version 3
  advert_int 0.5
  priority 100
  virtual_ipaddress {
    2001:db8::9/64
  }
}
`);
    const s = status({
      name: 'V3',
      state: 'BACKUP',
      wantState: 'BACKUP',
      version: 3,
      family: 'inet6',
      vrid: 9,
      priority: 100,
      effectivePriority: 100,
      advertIntervalMs: 500,
      masterAdverIntervalMs: 1000,
      masterAddress: 'fe80::1',
      masterPriority: 200,
      vipSet: false,
      syncGroup: 'G1',
      trackers: {},
      sourceAddress: 'fe80::2',
      ifindex: 4,
    });
    const text = formatVrrpDataFile(
      input({ config, instances: [s], syncGroups: [{ name: 'G1', state: 'BACKUP', members: ['V3'] }] }),
    );
    expectInOrder(text, [
      ' VRRP Instance = V3',
      '   VRRP Version = 3',
      '   Sync group = G1',
      '   Using Native IPv6',
      '   State = BACKUP',
      '   Master router = fe80::1',
      '   Master priority = 200',
      '   Master advert int = 1.00 sec',
      '   Flags: none',
      '   Using src_ip = fe80::2',
      '   Multicast address ff02::12, ifindex 4',
      '   Advert interval = 500 milli-sec',
      '   Master advert interval = 1000 milli-sec',
      '     2001:db8::9/64 dev eth0 scope global preferred_lft forever',
      '------< VRRP Sync groups >------',
      ' VRRP Sync Group = G1, BACKUP',
      '   VRRP member instances :',
      '     V3',
      '   Using smtp notification = no',
    ]);
    expect(text).not.toContain('Authentication type');
    expect(text).not.toContain('VRRP Scripts');
  });

  it('leaves out uid:gid without a resolver, and a script status nobody reports', () => {
    const config = load(`${SAMPLE_CONF}
vrrp_script unused {
  script /bin/true
}
`);
    const text = formatVrrpDataFile(input({ config, instances: [status({ trackers: {} })] }, false));
    expect(text).toContain("   Master state transition script = '/opt/kfr-test/notify.sh' 'MASTER_ARG'\n");
    expect(text).not.toContain('uid:gid');
    const unused = text.slice(text.indexOf(' VRRP Script = unused'));
    expect(unused).not.toContain('Status =');
    // Tracked but no result yet: keepalived starts below `rise`, which is BAD.
    expect(text).toContain('   Status = BAD\n');
  });
});

describe('keepalived_check.data', () => {
  it('has the reference lines for a virtual server and its real server', () => {
    const config = load(`
virtual_server 192.0.2.10 80 {
  delay_loop 6
  lb_algo rr
  protocol TCP
  real_server 192.0.2.20 80 {
    weight 1
    TCP_CHECK {
      connect_timeout 3
    }
  }
}
`);
    const vs = config.virtualServers[0];
    const st: VirtualServerStatus = {
      name: vs?.display ?? '',
      quorumUp: true,
      sorryActive: false,
      liveWeight: 1,
      realServers: [{ name: '[192.0.2.20]:tcp:80', alive: true, inTable: true, weight: 1, checkers: [] }],
    };
    const text = formatCheckDataFile({ config, virtualServers: [st] });
    expect(text.startsWith('------< Global definitions >------\n')).toBe(true);
    expect(text).not.toContain('Default interface');
    expectInOrder(text, [
      '------< LVS Topology >------',
      ' ------< Virtual server >------',
      ' VS VIP = 192.0.2.10, VPORT = 80',
      '   delay_loop = 6.000000',
      '   lvs_sched = rr',
      '   protocol = TCP',
      '   quorum_state_up = 1',
      '   ------< Real server >------',
      '   RIP = 192.0.2.20, RPORT = 80, WEIGHT = 1 EFF WEIGHT = 1',
      '   alive = 1',
      '   num failed checkers = 0',
      '   RS set = 1',
    ]);
  });
});

describe('keepalived text conventions', () => {
  it.each([
    [0, '0'],
    [1, '1'],
    [0.5, '0.5'],
    [1.25, '1.25'],
    [255, '255'],
    [0.000_1, '0.0001'],
    [0.000_01, '1e-05'],
    [1_000_000, '1e+06'],
    [123_456_7, '1.23457e+06'],
  ])('%%g of %d is %s', (x, text) => expect(formatG(x)).toBe(text));

  it.each([
    [Date.UTC(2026, 11, 1, 3, 4, 5) + 0.007, 0, 'Tue Dec  1 03:04:05.000007 2026'],
    [Date.UTC(2026, 10, 23, 11, 37, 42, 228) + 0.713, 60, 'Mon Nov 23 12:37:42.228713 2026'],
  ])('ctime_us_r of %d at UTC%+d min is %s', (ms, offset, text) => expect(ctimeUs(ms, offset)).toBe(text));

  it.each([
    [['/bin/x', 'a b'], "'/bin/x' 'a b'"],
    [['</dev/null'], '</dev/null'],
    [['/bin/x', '>out'], "'/bin/x' '>out'"],
  ])('cmd_str of %j is %s', (argv, text) => expect(cmdStr({ argv })).toBe(text));

  it.each([
    ['a/b', String.raw`"a\/b"`],
    ['say "hi"', String.raw`"say \"hi\""`],
    ['back\\slash', String.raw`"back\\slash"`],
    ['tab\there', String.raw`"tab\there"`],
    ['bell\u0007', String.raw`"bell\u0007"`],
  ])('the JSON string of %j is %s', (s, text) => {
    expect(jsonString(s)).toBe(text);
    expect(JSON.parse(text)).toBe(s);
  });

  const ip = (over: Partial<IpAddressSpec>): IpAddressSpec => ({
    family: 'inet',
    address: '192.0.2.5',
    prefixLength: 32,
    broadcast: null,
    dev: null,
    scope: 'global',
    label: null,
    peer: null,
    noTrack: false,
    flags: [],
    preferredLft: null,
    text: '',
    ...over,
  });
  it.each([
    [ip({}), false, '192.0.2.5 dev eth0 scope global'],
    [
      ip({ prefixLength: 24, broadcast: '192.0.2.255' }),
      true,
      '192.0.2.5/24 brd 192.0.2.255 dev eth0 scope global set',
    ],
    [
      ip({ scope: 'link', label: 'eth0:1', noTrack: true }),
      false,
      '192.0.2.5 dev eth0 scope link label eth0:1 no_track',
    ],
    [
      ip({ family: 'inet6', address: '2001:db8::5', prefixLength: 128 }),
      false,
      '2001:db8::5 dev eth0 scope global deprecated',
    ],
    [
      ip({ family: 'inet6', address: '2001:db8::5', prefixLength: 64, flags: ['dad'], preferredLft: 30 }),
      true,
      '2001:db8::5/64 dev eth0 scope global -nodad preferred_lft 30 set',
    ],
  ])('format_ipaddress %#', (spec, set, text) => expect(formatIpAddress(spec, 'eth0', set)).toBe(text));
});

describe('dump files', () => {
  it.each([
    [{}, '/tmp'],
    [{ TMPDIR: 'relative' }, '/tmp'],
    [{ TMPDIR: '/var/tmp' }, '/var/tmp'],
  ])('TMPDIR %j puts them in %s', (env, dir) => {
    expect(dumpPaths(env)).toEqual({
      data: `${dir}/keepalived.data`,
      checkData: `${dir}/keepalived_check.data`,
      stats: `${dir}/keepalived.stats`,
      json: `${dir}/keepalived.json`,
    });
  });

  it('writes mode 0600 and replaces the old file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ka-dump-'));
    try {
      const path = dumpPaths({ TMPDIR: dir }).stats;
      await writeFile(path, 'old text that is longer\n', { mode: 0o644 });
      await writeDump(path, 'new\n');
      expect(await readFile(path, 'utf8')).toBe('new\n');
      expect((await stat(path)).mode & 0o777).toBe(0o600);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the status fields the dumps read', () => {
  it('come from a running instance driver', async () => {
    const { config } = loadText(
      'vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 51\n priority 150\n' +
        ' virtual_ipaddress {\n  192.0.2.100/24\n }\n}\n',
      { host: { interfaceExists: () => true } },
    );
    const inst = config.vrrpInstances[0];
    if (!inst) throw new Error('no instance');
    const wired = wireInstance(config, inst, {
      links: [ETH0],
      addresses: [ETH0_ADDR],
      ipv6Forwarding: () => false,
    });
    if (!wired.ok) throw new Error(wired.error);
    const fake = new FakeClock();
    const driver = new VrrpInstanceDriver(
      wired.wiring,
      {
        clock: fake.asClock(),
        log: pino({ level: 'silent' }),
        rtnl: {
          links: () => Promise.resolve([]),
          addresses: () => Promise.resolve([]),
          addAddress: () => Promise.resolve(),
          deleteAddress: () => Promise.resolve(),
          watchLinks: () => () => undefined,
          close: () => undefined,
        },
        announcer: { garp: () => undefined, unsolicitedNa: () => undefined, close: () => undefined },
        notifier: {
          instance: () => undefined,
          masterRxLowerPri: () => undefined,
          priorityChanged: () => undefined,
        },
        send: () => undefined,
      },
      { groupAllowsMaster: () => undefined, transitioned: () => undefined },
    );
    expect(instanceStatus(driver).lastTransitionMs).toBeUndefined();
    fake.advanceTo(100);
    driver.start({ 'interface eth0': 'up' });
    expect(instanceStatus(driver).lastTransitionMs).toBe(100);
    fake.advanceTo(5000); // Master_Down_Interval at 150: 3414.062 ms after start (to the microsecond)
    await driver.idle();
    const s = instanceStatus(driver);
    expect(s).toMatchObject({
      state: 'MASTER',
      lastTransitionMs: 3514.062,
      masterAdverIntervalMs: 1000,
      receivedMasterPriority: 0,
      sourceAddress: '192.0.2.11',
      ifindex: 2,
    });
    const json = formatJsonFile(config, [s], { clockMs: 5000, epochMs: 1_800_000_005_000 });
    expect(json).toContain('"master_priority":0,"last_transition":1800000003.514062,');
    driver.dispose();
  });
});
