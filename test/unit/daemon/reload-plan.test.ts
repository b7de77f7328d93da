/**
 * The reload plan's pure parts (src/daemon/reload-plan.ts): virtual and real servers paired as
 * the reload pairs them, VIP changes of kept instances, and the text `reload --dry-run` prints.
 */
import { describe, expect, it } from 'vitest';
import { checkerPlan, formatPlan, vipChanges } from '../../../src/daemon/reload-plan.js';
import { loadText } from '../../helpers/config.js';

const vs = (port: number, servers: string, extra = ''): string =>
  `virtual_server 192.0.2.100 ${port} {\n  lb_algo rr\n  lb_kind NAT\n  protocol TCP\n${extra}${servers}}\n`;
const rs = (addr: string, weight = 1): string => `  real_server ${addr} 8080 {\n    weight ${weight}\n  }\n`;
const inst = (name: string, vips: string[]): string =>
  `vrrp_instance ${name} {\n  interface eth0\n  virtual_router_id 51\n  priority 100\n  virtual_ipaddress {\n${vips.map((v) => `    ${v}\n`).join('')}  }\n}\n`;

describe('checkerPlan', () => {
  it('virtual servers added, removed and edited; real servers added, removed and re-weighted', () => {
    const old = loadText(
      vs(80, rs('198.51.100.11') + rs('198.51.100.12')) + vs(81, rs('198.51.100.11')),
    ).config;
    const next = loadText(
      vs(80, rs('198.51.100.11', 5) + rs('198.51.100.13'), '  persistence_timeout 300\n') +
        vs(82, rs('198.51.100.11')),
    ).config;
    expect(checkerPlan(old, next)).toEqual({
      added: ['[192.0.2.100]:tcp:82'],
      removed: ['[192.0.2.100]:tcp:81'],
      edited: ['[192.0.2.100]:tcp:80'],
      realServers: [
        {
          vs: '[192.0.2.100]:tcp:80',
          added: ['198.51.100.13:8080'],
          removed: ['198.51.100.12:8080'],
          reweighted: [{ rs: '198.51.100.11:8080', from: 1, to: 5 }],
        },
      ],
    });
  });

  it('the same file: nothing changes', () => {
    const c = loadText(vs(80, rs('198.51.100.11'))).config;
    expect(checkerPlan(c, c)).toEqual({ added: [], removed: [], edited: [], realServers: [] });
  });
});

describe('vipChanges and the printed plan', () => {
  it('VIPs of kept instances; every section; "No change" when there is none', () => {
    const old = loadText(inst('VI_1', ['192.0.2.100/24', '192.0.2.101/24'])).config;
    const next = loadText(inst('VI_1', ['192.0.2.100/24', '192.0.2.102/24'])).config;
    const vips = vipChanges(old, next, ['VI_1']);
    expect(vips).toEqual([{ instance: 'VI_1', added: ['192.0.2.102/24'], removed: ['192.0.2.101/24'] }]);
    const text = formatPlan({
      vrrp: { kept: ['VI_1'], restarted: ['VI_2'], added: ['VI_3'], removed: [], vips },
      virtualServers: {
        added: [],
        removed: ['[192.0.2.100]:tcp:81'],
        edited: [],
        realServers: [
          {
            vs: '[192.0.2.100]:tcp:80',
            added: [],
            removed: [],
            reweighted: [{ rs: '198.51.100.11:8080', from: 1, to: 5 }],
          },
        ],
      },
      restartNeeded: ['metrics_listen'],
      trackersRestarted: false,
    });
    expect(text.split('\n')).toEqual([
      'VRRP instances kept: VI_1',
      'VRRP instances restarted (priority 0, then start again): VI_2',
      'VRRP instances added: VI_3',
      '  VI_1: VIPs added: 192.0.2.102/24',
      '  VI_1: VIPs removed: 192.0.2.101/24',
      'Virtual servers removed: [192.0.2.100]:tcp:81',
      '  [192.0.2.100]:tcp:80: real servers re-weighted: 198.51.100.11:8080 1 -> 5',
      'Needs a restart, not applied by a reload: metrics_listen',
      '',
    ]);
    expect(
      formatPlan({
        vrrp: { kept: ['VI_1'], restarted: [], added: [], removed: [], vips: [] },
        virtualServers: { added: [], removed: [], edited: [], realServers: [] },
        restartNeeded: [],
        trackersRestarted: false,
      }),
    ).toBe('VRRP instances kept: VI_1\nNo change: a reload would keep everything as it is.\n');
  });
});
