/**
 * The trackers an instance gets from its own config (src/vrrp/router-config.ts): keepalived 2.2.7
 * vrrp_complete_instance() tracks, unweighted, the interfaces its addresses, virtual routes and
 * virtual rules name, unless `no_track`.
 */
import { describe, expect, it } from 'vitest';
import { routerConfig } from '../../../src/vrrp/router-config.js';
import { trackerKey } from '../../../src/vrrp/tracking.js';
import { brief, loadText } from '../../helpers/config.js';

const trackerIds = (body: string): string[] => {
  const text = `vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 5\n${body}}\n`;
  const { config, diagnostics } = loadText(text, { host: { interfaceExists: () => true } });
  expect(brief(diagnostics).filter((d) => !d.includes('WARNING'))).toEqual([]);
  const inst = config.vrrpInstances[0];
  if (inst === undefined) throw new Error('no instance');
  return routerConfig(config, inst, null).trackers.map((t) => `${trackerKey(t)} w${t.weight}`);
};

describe('interfaces an instance tracks', () => {
  it('the interface of each virtual route with a dev, unless no_track', () => {
    const ids = trackerIds(
      ' virtual_ipaddress {\n  192.0.2.1/24\n }\n virtual_routes {\n  198.51.100.0/24 via 192.0.2.254 dev eth1\n' +
        '  203.0.113.0/24 dev eth2 no_track\n  0.0.0.0/0 via 192.0.2.254\n }\n',
    );
    expect(ids).toEqual(['interface eth0 w0', 'interface eth1 w0']);
  });

  it('the iif and oif of each virtual rule, unless no_track', () => {
    const ids = trackerIds(
      ' virtual_ipaddress {\n  192.0.2.1/24\n }\n virtual_rules {\n  from 192.0.2.0/24 iif eth3 oif eth4 table 5 preference 100\n' +
        '  from 192.0.2.0/25 iif eth5 table 6 preference 101 no_track\n }\n',
    );
    expect(ids).toEqual(['interface eth0 w0', 'interface eth3 w0', 'interface eth4 w0']);
  });
});
