import { describe, expect, it } from 'vitest';
import { brief, loadText } from '../../helpers/config.js';

describe('global_defs', () => {
  it('defaults follow keepalived (router_id and mail names from the host name)', () => {
    const g = loadText('', { host: { hostname: 'lb1.example.org' } }).config.globalDefs;
    expect(g).toMatchObject({
      routerId: 'lb1.example.org',
      notificationEmailFrom: 'keepalived@lb1.example.org',
      smtpConnectTimeoutMs: 30_000,
      enableScriptSecurity: false,
      scriptUser: null,
      vrrpMcastGroup4: '224.0.0.18',
      vrrpMcastGroup6: 'ff02::12',
      vrrpVersion: 2,
      vrrpDownTimerAdverts: 3,
      vrrpStrict: false,
      vrrpLowerPrioNoAdvert: false,
      defaultInterface: 'eth0',
      lvsTimeouts: { tcpMs: null, tcpFinMs: null, udpMs: null },
      startupScriptTimeoutMs: 10_000,
    });
    expect(g.garp).toEqual({
      masterDelayMs: 5000,
      masterRepeat: 5,
      masterRefreshMs: 0,
      masterRefreshRepeat: 1,
      lowerPrioDelayMs: 5000,
      lowerPrioRepeat: 5,
      intervalMs: 0,
      gnaIntervalMs: 0,
    });
  });

  it('reads the common keywords', () => {
    const text = [
      'global_defs {',
      ' router_id lb1',
      ' notification_email {',
      '  ops@example.org',
      '  noc@example.org',
      ' }',
      ' smtp_server 192.0.2.25 2525',
      ' enable_script_security',
      ' script_user keepalived_script nogroup',
      ' vrrp_version 3',
      ' vrrp_garp_master_delay 2',
      ' vrrp_garp_interval 0.001',
      ' vrrp_mcast_group4 224.0.0.19',
      ' vrrp_strict',
      ' vrrp_notify_fifo /run/keepalived.fifo',
      ' vrrp_notify_fifo_script "/usr/local/bin/fifo-reader -v"',
      ' lvs_timeouts tcp 900 udp 60',
      '}',
    ].join('\n');
    const { config, diagnostics } = loadText(text);
    expect(brief(diagnostics)).toEqual([]);
    expect(config.globalDefs).toMatchObject({
      routerId: 'lb1',
      notificationEmail: ['ops@example.org', 'noc@example.org'],
      smtpServer: { host: '192.0.2.25', port: 2525 },
      enableScriptSecurity: true,
      scriptUser: { user: 'keepalived_script', group: 'nogroup' },
      vrrpVersion: 3,
      vrrpMcastGroup4: '224.0.0.19',
      vrrpStrict: true,
      vrrpLowerPrioNoAdvert: true,
      vrrpNotifyFifo: {
        path: '/run/keepalived.fifo',
        script: { argv: ['/usr/local/bin/fifo-reader', '-v'] },
      },
      lvsTimeouts: { tcpMs: 900_000, tcpFinMs: null, udpMs: 60_000 },
    });
    expect(config.globalDefs.garp).toMatchObject({
      masterDelayMs: 2000,
      lowerPrioDelayMs: 2000,
      intervalMs: 1,
    });
  });

  it('vrrp_min_garp: one GARP, no second burst, no refresh', () => {
    expect(
      loadText('global_defs {\n vrrp_min_garp\n vrrp_garp_master_repeat 9\n}').config.globalDefs.garp,
    ).toMatchObject({
      masterDelayMs: 0,
      masterRepeat: 1,
      masterRefreshMs: 0,
      lowerPrioRepeat: 1,
    });
  });

  describe('metrics_listen (keepalived-ts extension; keepalived rejects the keyword)', () => {
    const listen = (line: string) => loadText(`global_defs {\n ${line}\n}`);
    const notice =
      "2:2 NOTICE 'metrics_listen' is a keepalived-ts extension: keepalived rejects it as an unknown keyword";

    it('is off by default', () => {
      expect(loadText('').config.globalDefs.metricsListen).toBeNull();
    });

    it('takes an IPv4 or IPv6 address and a port', () => {
      const v4 = listen('metrics_listen 127.0.0.1 9650');
      expect(brief(v4.diagnostics)).toEqual([notice]);
      expect(v4.config.globalDefs.metricsListen).toEqual({ address: '127.0.0.1', port: 9650 });
      // IPv6 is kept in RFC 5952 form; the bracketed form is accepted too.
      expect(listen('metrics_listen 2001:DB8:0:0::1 9650').config.globalDefs.metricsListen).toEqual({
        address: '2001:db8::1',
        port: 9650,
      });
      expect(listen('metrics_listen [::1] 65535').config.globalDefs.metricsListen).toEqual({
        address: '::1',
        port: 65535,
      });
    });

    it.each([
      [
        'metrics_listen localhost 9650',
        "2:17 GENERAL_ERROR metrics_listen address 'localhost' is not a valid IPv4 or IPv6 address - metrics not served",
      ],
      [
        'metrics_listen 192.0.2.300 9650',
        "2:17 GENERAL_ERROR metrics_listen address '192.0.2.300' is not a valid IPv4 or IPv6 address - metrics not served",
      ],
      [
        'metrics_listen 192.0.2.1 0',
        "2:27 INVALID_NUMBER metrics_listen port '0' is not a port number in [1, 65535] - metrics not served",
      ],
      [
        'metrics_listen 192.0.2.1 65536',
        "2:27 INVALID_NUMBER metrics_listen port '65536' is not a port number in [1, 65535] - metrics not served",
      ],
      [
        'metrics_listen 2001:db8::1 http',
        "2:29 INVALID_NUMBER metrics_listen port 'http' is not a port number in [1, 65535] - metrics not served",
      ],
      [
        'metrics_listen 127.0.0.1',
        '2:17 MISSING_PARAMETER *** Configuration line starting `metrics_listen` is missing a parameter after keyword `127.0.0.1` at word position 3',
      ],
    ])('rejects %s and leaves metrics off', (line, message) => {
      const r = listen(line);
      expect(brief(r.diagnostics)).toEqual([notice, message]);
      expect(r.config.globalDefs.metricsListen).toBeNull();
    });
  });

  it('unknown and unsupported keywords', () => {
    const r = loadText(
      'global_defs {\n router_idd x\n enable_dbus\n Router_id y\n vrrp_mcast_group4 192.0.2.1\n}',
    );
    expect(brief(r.diagnostics)).toEqual([
      "2:2 UNKNOWN_KEYWORD Unknown keyword 'router_idd'",
      '3:2 UNSUPPORTED enable_dbus: not supported - ignored',
      "4:2 UNKNOWN_KEYWORD Unknown keyword 'Router_id'",
      '5:2 GENERAL_ERROR vrrp_mcast_group4 [192.0.2.1] is not multicast. Skipping',
    ]);
  });
});

describe('keepalived block structure', () => {
  it('a missing parameter is fatal (keepalived exits 2)', () => {
    expect(
      brief(loadText('vrrp_instance V {\n interface eth0\n virtual_router_id 5\n priority\n}').diagnostics),
    ).toEqual([
      '4:2 MISSING_PARAMETER *** Configuration line starting `priority` is missing a parameter after keyword `priority` at word position 2',
      '1:1 WARNING (V) No VIP specified; at least one is sensible',
    ]);
  });

  it('braces: stray, unexpected, missing', () => {
    expect(brief(loadText('global_defs {\n}\n}\n').diagnostics)).toEqual([
      "3:1 UNEXPECTED_EOB Extra '}' found",
      "3:1 UNKNOWN_KEYWORD Unknown keyword '}'",
    ]);
    expect(brief(loadText('global_defs {\n router_id x\n').diagnostics)).toEqual([
      "1:13 MISSING_EOB There are 1 missing '}'s or extra '{'s",
    ]);
    expect(brief(loadText('global_defs {\n router_id x {\n vrrp_version 3\n }\n}\n').diagnostics)).toEqual([
      "2:14 UNEXPECTED_BOB Unexpected '{' - ignoring",
    ]);
    expect(brief(loadText('global_defs\nrouter_id x\n').diagnostics)).toEqual([
      "1:1 MISSING_BOB Missing '{' at beginning of configuration block",
      "2:1 UNKNOWN_KEYWORD Unknown keyword 'router_id'",
    ]);
  });

  it('an unknown block is skipped with one message', () => {
    const text =
      'vrrp_instance V {\n interface eth0\n virtual_router_id 5\n foo {\n priority 20\n }\n advert_int 2\n virtual_ipaddress {\n 192.0.2.1\n }\n}';
    const r = loadText(text);
    expect(brief(r.diagnostics)).toEqual(["4:2 UNKNOWN_KEYWORD Unknown keyword 'foo'"]);
    expect(r.config.vrrpInstances[0]).toMatchObject({ priority: 100, advertIntervalMs: 2000 });
  });

  it('keywords are case-sensitive', () => {
    const r = loadText('vrrp_instance V {\n Notify_master /bin/x\n}');
    expect(brief(r.diagnostics)[0]).toBe("2:2 UNKNOWN_KEYWORD Unknown keyword 'Notify_master'");
  });

  it('extra words after a keyword are ignored (one statement per line)', () => {
    const r = loadText(
      'vrrp_instance V {\n interface eth0 virtual_router_id 52 priority 90\n virtual_router_id 5\n virtual_ipaddress {\n 192.0.2.1\n }\n}',
    );
    expect(r.diagnostics).toEqual([]);
    expect(r.config.vrrpInstances[0]).toMatchObject({ interface: 'eth0', virtualRouterId: 5, priority: 100 });
  });

  describe('lvs_sync_daemon (keepalived lvs_syncd_handler())', () => {
    const inst =
      'vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 51\n priority 100\n virtual_ipaddress {\n 192.0.2.100\n }\n}\n';
    const load = (line: string, extra = inst) => loadText(`global_defs {\n ${line}\n}\n${extra}`);

    it('takes the interface, the instance and its options; the syncid defaults to the VRID', () => {
      const r = load('lvs_sync_daemon eth1 VI_1 maxlen 1400 port 8849 ttl 2 group 239.1.2.3');
      expect(brief(r.diagnostics)).toEqual([]);
      expect(r.config.globalDefs.lvsSyncDaemon).toEqual({
        ifname: 'eth1',
        instance: 'VI_1',
        syncId: 51,
        maxlen: 1400,
        port: 8849,
        ttl: 2,
        group: '239.1.2.3',
      });
      expect(load('lvs_sync_daemon eth1 inst VI_1 id 7').config.globalDefs.lvsSyncDaemon).toMatchObject({
        instance: 'VI_1',
        syncId: 7,
      });
    });

    it('without an instance: syncid 0 (the checker side runs it as master and backup)', () => {
      expect(load('lvs_sync_daemon eth1').config.globalDefs.lvsSyncDaemon).toMatchObject({
        instance: null,
        syncId: 0,
      });
    });

    it.each([
      ['lvs_sync_daemon', 'lvs_sync_daemon requires interface'],
      [
        'lvs_sync_daemon eth1 VI_1 group 192.0.2.1',
        'lvs_sync_daemon group address 192.0.2.1 is not multicast - ignoring',
      ],
      ['lvs_sync_daemon eth1 VI_1 ttl 300', 'Invalid lvs_sync_daemon ttl (300) - ignoring'],
      ['lvs_sync_daemon eth1 VI_1 9', 'Please use keyword "id" before lvs_sync_daemon SYNCID'],
      ['lvs_sync_daemon eth1 VI_1 id', 'No value specified for lvs_sync_daemon id, defaulting to vrid'],
      ['lvs_sync_daemon eth1 VI_1 7 fast', 'Unknown option fast specified for lvs_sync_daemon'],
      [
        'lvs_sync_daemon eth1 VI_9',
        'Unable to find vrrp instance VI_9 for lvs_syncd - clearing lvs_syncd config',
      ],
    ])('%s: %s', (line, message) => {
      expect(load(line).diagnostics.map((d) => d.message)).toContain(message);
    });

    it('an unknown instance clears it', () => {
      expect(load('lvs_sync_daemon eth1 VI_9').config.globalDefs.lvsSyncDaemon).toBeNull();
    });

    it("an instance's deprecated lvs_sync_daemon_interface binds one to it with syncid 0", () => {
      const r = loadText(inst.replace('priority 100', 'priority 100\n lvs_sync_daemon_interface eth1'));
      expect(r.config.globalDefs.lvsSyncDaemon).toMatchObject({
        ifname: 'eth1',
        instance: 'VI_1',
        syncId: 0,
      });
      expect(r.diagnostics.map((d) => d.message)).toContain(
        '(VI_1) Specifying lvs_sync_daemon_interface against a vrrp is deprecated.',
      );
    });
  });
});
