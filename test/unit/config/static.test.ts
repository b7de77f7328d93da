import { describe, expect, it } from 'vitest';
import { brief, loadText } from '../../helpers/config.js';

describe('static addresses, routes and rules', () => {
  it('reads static_ipaddress lines like virtual_ipaddress ones', () => {
    const r = loadText(
      'static_ipaddress {\n 192.0.2.50/24 dev eth0 scope link\n 2001:db8::50/64 dev eth1\n}\n',
    );
    expect(r.diagnostics).toEqual([]);
    expect(r.config.staticIpAddresses.map((a) => [a.address, a.prefixLength, a.dev, a.scope])).toEqual([
      ['192.0.2.50', 24, 'eth0', 'link'],
      ['2001:db8::50', 64, 'eth1', 'global'],
    ]);
  });

  it('keeps routes as words and warns about untrackable virtual routes and deprecated words', () => {
    const text =
      'static_routes {\n 198.51.100.0/24 via 192.0.2.254 dev eth0 table 5\n}\n' +
      'vrrp_instance V {\n interface eth0\n virtual_router_id 5\n virtual_ipaddress {\n 192.0.2.1\n }\n' +
      ' virtual_routes {\n 203.0.113.0/24 via 192.0.2.254\n 0.0.0.0/0 gw 192.0.2.1 table 100\n blackhole 203.0.113.1/32 no_track\n }\n}\n';
    const r = loadText(text);
    expect(brief(r.diagnostics)).toEqual([
      '11:2 WARNING Warning - cannot track route 203.0.113.0/24 with no interface specified, not tracking',
      '12:12 DEPRECATED "gw" for routes is deprecated. Please use "via"',
      '12:2 WARNING Warning - cannot track route 0.0.0.0/0 with no interface specified, not tracking',
    ]);
    expect(r.config.staticRoutes).toEqual([
      {
        words: ['198.51.100.0/24', 'via', '192.0.2.254', 'dev', 'eth0', 'table', '5'],
        dev: 'eth0',
        table: '5',
        noTrack: false,
      },
    ]);
    expect(r.config.vrrpInstances[0]?.virtualRoutes.map((x) => x.noTrack)).toEqual([false, false, true]);
  });

  it('numbers rules without a preference from 16384 down, across the config', () => {
    const text =
      'static_rules {\n from 192.0.2.0/24 table 1\n to 192.0.2./24 table 1\n from all preference 100 table 2\n}\n' +
      'vrrp_instance V {\n interface eth0\n virtual_router_id 5\n virtual_ipaddress {\n 192.0.2.1\n }\n virtual_rules {\n to 198.51.100.0/24 table 3\n }\n}\n';
    expect(brief(loadText(text).diagnostics)).toEqual([
      '2:2 WARNING Rule has no preference specified - setting to 16384. This is probably not what you want.',
      '3:5 GENERAL_ERROR VRRP parsed invalid IP 192.0.2./24. skipping IP...',
      '3:5 GENERAL_ERROR Invalid rule to address 192.0.2./24',
      '13:2 WARNING Rule has no preference specified - setting to 16383. This is probably not what you want.',
    ]);
  });

  it('the SSL block for SSL_GET', () => {
    const r = loadText('SSL {\n ca /etc/ssl/ca.pem\n certificate /etc/ssl/c.pem\n key /etc/ssl/k.pem\n}\n');
    expect(r.config.ssl).toEqual({
      password: null,
      ca: '/etc/ssl/ca.pem',
      certificate: '/etc/ssl/c.pem',
      key: '/etc/ssl/k.pem',
    });
  });

  it('unsupported top-level blocks are accepted and skipped', () => {
    const r = loadText('garp_group {\n garp_interval 1\n interfaces {\n eth0\n }\n}\nnet_namespace blue\n');
    expect(brief(r.diagnostics)).toEqual([
      '1:1 UNSUPPORTED garp_group: not supported - ignored',
      '7:1 UNSUPPORTED net_namespace: not supported - ignored',
    ]);
  });
});
