/**
 * vrrp_instance: defaults and keepalived 2.2.7's messages. Every expected message text here was
 * checked against `keepalived -t` (Debian 2.2.7) on the same input.
 */
import { describe, expect, it } from 'vitest';
import { brief, loadText } from '../../helpers/config.js';

const instance = (body: string, vips = '192.0.2.1') =>
  `vrrp_instance V {\n interface eth0\n virtual_router_id 5\n${body}\n virtual_ipaddress {\n ${vips}\n }\n}\n`;

const hostWith = (...ifaces: string[]) => ({ interfaceExists: (n: string) => ifaces.includes(n) });

describe('vrrp_instance defaults', () => {
  it('applies keepalived defaults', () => {
    const { config, diagnostics } = loadText(instance(''));
    expect(diagnostics).toEqual([]);
    const v = config.vrrpInstances[0];
    expect(v).toMatchObject({
      name: 'V',
      state: 'BACKUP',
      interface: 'eth0',
      virtualRouterId: 5,
      priority: 100,
      advertIntervalMs: 1000,
      version: 2,
      family: 'inet',
      authentication: null,
      nopreempt: false,
      preemptDelayMs: 0,
      accept: true,
      downTimerAdverts: 3,
      unicastTtl: 255,
      sourceAddress: null,
      syncGroup: null,
      garp: {
        masterDelayMs: 5000,
        masterRepeat: 5,
        masterRefreshMs: 0,
        masterRefreshRepeat: 1,
        lowerPrioDelayMs: 5000,
        lowerPrioRepeat: 5,
        intervalMs: 0,
        gnaIntervalMs: 0,
      },
    });
    expect(v?.virtualIpAddresses).toEqual([
      {
        family: 'inet',
        address: '192.0.2.1',
        prefixLength: 32,
        broadcast: null,
        dev: null,
        scope: 'global',
        label: null,
        peer: null,
        noTrack: false,
        flags: [],
        preferredLft: null,
        text: '192.0.2.1',
      },
    ]);
  });

  it('state MASTER without a priority is the address owner (255)', () => {
    const v = loadText(instance(' state MASTER')).config.vrrpInstances[0];
    expect([v?.state, v?.priority]).toEqual(['MASTER', 255]);
  });

  it('IPv6 addresses make the instance VRRPv3', () => {
    const { config, diagnostics } = loadText(instance('', '2001:db8::1'));
    expect(diagnostics).toEqual([]);
    expect(config.vrrpInstances[0]).toMatchObject({ family: 'inet6', version: 3 });
    expect(config.vrrpInstances[0]?.virtualIpAddresses[0]).toMatchObject({
      prefixLength: 128,
      preferredLft: 0,
    });
  });

  it('per-instance GARP settings override the global ones; lower-priority ones follow them', () => {
    const text = `global_defs {\n vrrp_garp_master_delay 7\n vrrp_garp_master_refresh 60\n}\n${instance(' garp_master_repeat 3\n garp_master_delay 2')}`;
    expect(loadText(text).config.vrrpInstances[0]?.garp).toEqual({
      masterDelayMs: 2000,
      masterRepeat: 3,
      masterRefreshMs: 60_000,
      masterRefreshRepeat: 1,
      lowerPrioDelayMs: 2000,
      lowerPrioRepeat: 3,
      intervalMs: 0,
      gnaIntervalMs: 0,
    });
  });

  it('reads every VIP option', () => {
    const vip = '192.0.2.1/24 brd 192.0.2.255 dev eth1 scope link label eth1:vip no_track';
    expect(loadText(instance('', vip)).config.vrrpInstances[0]?.virtualIpAddresses[0]).toMatchObject({
      address: '192.0.2.1',
      prefixLength: 24,
      broadcast: '192.0.2.255',
      dev: 'eth1',
      scope: 'link',
      label: 'eth1:vip',
      noTrack: true,
    });
  });

  it('reads authentication, unicast peers and tracking', () => {
    const body = [
      ' authentication {',
      '  auth_type PASS',
      '  auth_pass 123456789',
      ' }',
      ' unicast_src_ip 192.0.2.11',
      ' unicast_peer {',
      '  192.0.2.12',
      '  192.0.2.13 min_ttl 3 max_ttl 9',
      ' }',
      ' track_interface {',
      '  eth1',
      '  eth2 weight -10 reverse',
      ' }',
    ].join('\n');
    const { config, diagnostics } = loadText(instance(body));
    expect(brief(diagnostics)).toEqual(['6:13 WARNING Truncating auth_pass to 8 characters']);
    expect(config.vrrpInstances[0]).toMatchObject({
      authentication: { type: 'PASS', password: '12345678' },
      sourceAddress: '192.0.2.11',
      unicastPeers: [
        { address: '192.0.2.12', minTtl: 0, maxTtl: 255 },
        { address: '192.0.2.13', minTtl: 3, maxTtl: 9 },
      ],
      trackInterfaces: [
        { name: 'eth1', weight: 0, reverse: false },
        { name: 'eth2', weight: -10, reverse: true },
      ],
    });
  });

  it('notify scripts keep keepalived argv rules and their user', () => {
    const body = ` notify_master "/usr/local/bin/notify.sh MASTER 'a b'" nobody nogroup\n notify /bin/n\\x41x`;
    const v = loadText(instance(body)).config.vrrpInstances[0];
    expect(v?.notify.master).toEqual({
      command: "/usr/local/bin/notify.sh MASTER 'a b'",
      argv: ['/usr/local/bin/notify.sh', 'MASTER', 'a b'],
      user: 'nobody',
      group: 'nogroup',
    });
    expect(v?.notify.any?.argv).toEqual(['/bin/nAx']);
  });
});

describe('vrrp_instance messages (keepalived 2.2.7 texts)', () => {
  it.each([
    [
      ' advert_int 300\n priority 0',
      [
        "4:13 INVALID_NUMBER number '300' outside range [0.010000, 255.000000]",
        '4:13 GENERAL_ERROR (V) Advert interval (300) not valid! Must be > 0 - ignoring',
        "5:11 INVALID_NUMBER number '0' outside range [1, 255]",
        '5:11 GENERAL_ERROR (V) Priority not valid! must be between 1 & 255. Using default 100',
      ],
    ],
    [
      ' virtual_router_id 256',
      [
        "4:20 INVALID_NUMBER number '256' outside range [1, 255]",
        "4:20 GENERAL_ERROR (V): VRID '256' not valid - must be between 1 & 255",
      ],
    ],
    [
      ' priority abc',
      [
        "4:11 INVALID_NUMBER invalid number 'abc'",
        '4:11 GENERAL_ERROR (V) Priority not valid! must be between 1 & 255. Using default 100',
      ],
    ],
    [
      ' unicast_peer {\n }',
      [
        '1:1 WARNING (V) A unicast keyword has been specified without any unicast peers. Defaulting to multicast. This usage is deprecated - please update your configuration.',
      ],
    ],
    [
      ' state MASTER\n priority 100\n preempt_delay 5\n nopreempt',
      [
        '1:1 WARNING (V) Warning - nopreempt will not work with initial state MASTER - clearing',
        '1:1 WARNING (V) Warning - preempt delay will not work with initial state MASTER - clearing',
      ],
    ],
    [
      ' state master\n nopreempt\n state MASTER',
      [
        "4:8 GENERAL_ERROR (V) unknown state 'master', defaulting to BACKUP",
        '1:1 WARNING (V) nopreempt is incompatible with priority 255. resetting nopreempt',
      ],
    ],
    [
      ' version 3\n authentication {\n auth_type PASS\n auth_pass x\n }',
      ['5:2 WARNING (V) VRRP version 3 does not support authentication. Ignoring.'],
    ],
    [
      ' advert_int 1.5',
      ['1:1 WARNING (V) VRRPv2 advertisement interval 1.500000s must be an integer. rounding'],
    ],
    [
      ' version 3\n advert_int 0.015',
      ['1:1 WARNING (V) VRRPv3 advertisement interval 0.015000s must be in units of 10ms - rounding'],
    ],
    [
      ' authentication {\n auth_type FOO\n }\n unicast_src_ip 1.2.3\n garp_master_delay x',
      [
        "5:12 GENERAL_ERROR (V) unknown authentication type 'FOO'",
        '7:17 GENERAL_ERROR Configuration error: VRRP instance[V] malformed src address[1.2.3]. Skipping...',
        "8:20 INVALID_NUMBER invalid number 'x'",
        "8:20 GENERAL_ERROR (V): garp_master_delay 'x' invalid - ignoring",
        '1:1 WARNING (V) A unicast keyword has been specified without any unicast peers. Defaulting to multicast. This usage is deprecated - please update your configuration.',
      ],
    ],
    [
      ' unicast_peer {\n 192.0.2.7\n 2001:db8::5\n bogus\n }\n preempt_delay 2000',
      [
        '6:2 GENERAL_ERROR Configuration error: VRRP instance[V] and unicast peer address[2001:db8::5] MUST be of the same family !!! Skipping...',
        '7:2 GENERAL_ERROR Configuration error: VRRP instance[V] malformed unicast peer address[bogus]. Skipping...',
        "9:16 INVALID_NUMBER number '2000' outside range [0.000000, 1000.000000]",
        '9:16 GENERAL_ERROR (V) Preempt_delay not valid! must be between 0-1000',
      ],
    ],
    [
      ' track_interface {\n eth1 weight 300\n }',
      [
        "5:14 INVALID_NUMBER number '300' outside range [-254, 254]",
        '5:14 GENERAL_ERROR (V) weight 300 for eth1 must be between [-253..253] inclusive. Ignoring...',
      ],
    ],
    [
      ' linkbeat_use_polling',
      [
        "4:2 DEPRECATED (V) 'linkbeat_use_polling' in vrrp instance deprecated - use linkbeat_interfaces block",
      ],
    ],
  ])('%j', (body, expected) => {
    expect(brief(loadText(instance(body)).diagnostics)).toEqual(expected);
  });

  it('VIP problems', () => {
    const vips = '192.0.2.300\n 192.0.2.4 foo\n 2001:db8::1';
    expect(brief(loadText(instance('', vips)).diagnostics)).toEqual([
      '6:2 GENERAL_ERROR VRRP parsed invalid IP 192.0.2.300. skipping IP...',
      "7:12 GENERAL_ERROR Unknown configuration entry 'foo' for ip address - ignoring",
      '8:2 GENERAL_ERROR (V): address family must match VRRP instance [2001:db8::1] - ignoring',
    ]);
  });

  it('a missing VRID makes the instance unusable; no VIP is a warning', () => {
    const r = loadText(
      'vrrp_instance V {\n interface eth0\n}\nvrrp_instance W {\n interface eth0\n virtual_router_id 9\n}\n',
    );
    expect(brief(r.diagnostics)).toEqual([
      '1:1 GENERAL_ERROR (V) the virtual router id must be set',
      '4:1 WARNING (W) No VIP specified; at least one is sensible',
    ]);
    expect(r.config.vrrpInstances.map((v) => v.name)).toEqual(['W']);
  });

  it('an instance without interface or unicast peers', () => {
    const r = loadText('vrrp_instance V {\n virtual_router_id 5\n virtual_ipaddress {\n 192.0.2.1\n }\n}\n');
    expect(brief(r.diagnostics)).toEqual(['1:1 GENERAL_ERROR (V) Unknown interface!']);
  });

  it('interfaces that do not exist on the host, as keepalived reports them', () => {
    const text = instance(' track_interface {\n eth7\n }').replace('interface eth0', 'interface eth9');
    expect(brief(loadText(text, { host: hostWith('eth0') }).diagnostics)).toEqual([
      "5:2 BAD_IF (V) tracked interface eth7 doesn't exist",
      "2:12 BAD_IF WARNING - interface eth9 for vrrp_instance V doesn't exist",
      '- GENERAL_ERROR Non-existent interface specified in configuration',
    ]);
  });

  it('duplicate names and VRIDs', () => {
    const two = (name: string, vrid: number, extra = '') =>
      `vrrp_instance ${name} {\n interface eth0\n virtual_router_id ${vrid}\n${extra} virtual_ipaddress {\n 192.0.2.${vrid}\n }\n}\n`;
    expect(brief(loadText(two('V', 5) + two('V', 6)).diagnostics)).toEqual([
      '8:1 GENERAL_ERROR vrrp instance V already defined',
    ]);
    expect(brief(loadText(two('V', 5) + two('W', 5)).diagnostics)).toEqual([
      '8:1 GENERAL_ERROR V and W both use VRID 5 with IPv4 on interface eth0',
    ]);
    // Unicast instances may share a VRID (different peers).
    const peers = (p: string) => ` unicast_peer {\n ${p}\n }\n`;
    expect(loadText(two('V', 5, peers('192.0.2.9')) + two('W', 5, peers('192.0.2.10'))).diagnostics).toEqual(
      [],
    );
  });

  it('strict mode drops authentication and requires a VIP', () => {
    const text = `global_defs {\n vrrp_strict\n}\nvrrp_instance V {\n interface eth0\n virtual_router_id 5\n authentication {\n auth_type PASS\n auth_pass x\n }\n}\n`;
    expect(brief(loadText(text).diagnostics)).toEqual([
      '4:1 WARNING (V) No VIP specified; at least one is required',
      '7:2 WARNING (V) Strict mode does not support authentication. Ignoring.',
    ]);
  });

  it('AH authentication with state MASTER starts as BACKUP', () => {
    const r = loadText(instance(' state MASTER\n authentication {\n auth_type AH\n auth_pass 1111\n }'));
    expect(brief(r.diagnostics)).toEqual([
      '5:2 WARNING (V) Initial state master is incompatible with AH authentication - clearing',
    ]);
    expect(r.config.vrrpInstances[0]?.state).toBe('BACKUP');
  });
});

describe('use_vmac and vmac_xmit_base (messages as keepalived 2.2.7 -t gives them)', () => {
  const vmacOf = (body: string, vips?: string) => {
    const r = loadText(instance(body, vips));
    return { diagnostics: brief(r.diagnostics), useVmac: r.config.vrrpInstances[0]?.useVmac };
  };

  it('use_vmac [name]: on a VMAC, adverts from it', () => {
    expect(vmacOf(' use_vmac')).toEqual({ diagnostics: [], useVmac: { name: null, xmitBase: false } });
    expect(vmacOf(' use_vmac vip1\n vmac_xmit_base')).toEqual({
      diagnostics: [],
      useVmac: { name: 'vip1', xmitBase: true },
    });
    expect(vmacOf('').useVmac).toBeNull();
  });

  it('vmac_xmit_base alone, with strict mode, and promote_secondaries with a VMAC', () => {
    expect(vmacOf(' vmac_xmit_base')).toEqual({
      diagnostics: ['- GENERAL_ERROR (V) vmac_xmit_base is only valid with a vmac'],
      useVmac: null,
    });
    expect(vmacOf(' use_vmac\n vmac_xmit_base\n strict_mode on')).toEqual({
      diagnostics: ['- GENERAL_ERROR (V) xmit_base is incompatible with strict mode - resetting'],
      useVmac: { name: null, xmitBase: false },
    });
    const r = loadText(instance(' use_vmac\n promote_secondaries'));
    expect(brief(r.diagnostics)).toEqual([
      '- GENERAL_ERROR (V) promote_secondaries is automatically set for vmacs - ignoring',
    ]);
    expect(r.config.vrrpInstances[0]?.promoteSecondaries).toBe(false);
  });

  it('unicast: vmac_xmit_base is set (at the closing brace); without an interface use_vmac is cleared', () => {
    expect(vmacOf(' use_vmac\n unicast_peer {\n 192.0.2.9\n }')).toEqual({
      diagnostics: ['11:1 GENERAL_ERROR (V) unicast with use_vmac requires vmac_xmit_base - setting'],
      useVmac: { name: null, xmitBase: true },
    });
    const r = loadText(
      'vrrp_instance V {\n virtual_router_id 5\n use_vmac\n unicast_peer {\n 192.0.2.9\n }\n virtual_ipaddress {\n 192.0.2.1\n }\n}\n',
    );
    expect(brief(r.diagnostics)).toContain(
      '10:1 GENERAL_ERROR (V): Cannot use VMAC/ipvlan with unicast and no interface - clearing use_vmac',
    );
    expect(r.config.vrrpInstances[0]?.useVmac).toBeNull();
  });

  it('a chosen MAC is not supported (reported, not an error); IPv6 instances get their VMAC too', () => {
    expect(vmacOf(' use_vmac vrrp.5 02:00:00:00:00:05').diagnostics).toEqual([
      '4:18 UNSUPPORTED use_vmac 02:00:00:00:00:05: a chosen MAC is not supported - 00:00:5e:00:01:VRID is used',
    ]);
    expect(vmacOf(' use_vmac\n native_ipv6', '2001:db8::1')).toEqual({
      diagnostics: [],
      useVmac: { name: null, xmitBase: false },
    });
  });
});

describe('vrrp_instance: what the differential harness found (texts from keepalived -t 2.2.7)', () => {
  const messages = (text: string, host = {}) =>
    brief(loadText(text, { host }).diagnostics).map((l) => l.replace(/^\S+ /, ''));

  it('reads unicast addresses as keepalived does: a prefix is dropped', () => {
    const { config, diagnostics } = loadText(
      instance(' unicast_src_ip 192.0.2.7/24\n unicast_peer {\n  192.0.2.8/24\n }'),
    );
    expect(diagnostics).toEqual([]);
    expect(config.vrrpInstances[0]).toMatchObject({ sourceAddress: '192.0.2.7' });
    expect(config.vrrpInstances[0]?.unicastPeers.map((p) => p.address)).toEqual(['192.0.2.8']);
  });

  it('refuses a loopback interface, and then has none', () => {
    const text = instance('').replace('interface eth0', 'interface lo');
    expect(messages(text, { interfaceIsLoopback: (n: string) => n === 'lo' })).toEqual([
      'GENERAL_ERROR (V) cannot use a loopback interface (lo) for vrrp - ignoring',
      'GENERAL_ERROR (V) Unknown interface!',
    ]);
  });

  it('keeps the first notify script of a kind and says so', () => {
    expect(messages(instance(' notify_master /bin/true\n notify_master /bin/false'))).toEqual([
      'GENERAL_ERROR (V) notify_master script already specified - ignoring /bin/false',
    ]);
  });

  it('takes garp_master_repeat 0 as 1, and bounds garp_master_delay at UINT_MAX / TIMER_HZ', () => {
    const { config, diagnostics } = loadText(instance(' garp_master_repeat 0\n garp_master_delay 4295'));
    expect(brief(diagnostics).map((l) => l.replace(/^\S+ /, ''))).toEqual([
      'GENERAL_ERROR (V): garp_master_repeat must be greater than 0, setting to 1',
      "INVALID_NUMBER number '4295' outside range [0, 4294]",
      "GENERAL_ERROR (V): garp_master_delay '4295' invalid - ignoring",
    ]);
    expect(config.vrrpInstances[0]?.garp.masterRepeat).toBe(1);
  });

  it('resets accept mode for a VRRPv2 non-owner in strict mode', () => {
    const { config, diagnostics } = loadText(`global_defs {\n vrrp_strict\n}\n${instance(' accept')}`);
    expect(brief(diagnostics).map((l) => l.replace(/^\S+ /, ''))).toContain(
      'GENERAL_ERROR (V) warning - accept mode for VRRP version 2 does not comply with RFC3768 - resetting',
    );
    expect(config.vrrpInstances[0]?.accept).toBe(false);
  });
});
