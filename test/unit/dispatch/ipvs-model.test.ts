/**
 * What a virtual server becomes in the kernel's IPVS table (src/dispatch/ipvs-model.ts), as
 * keepalived 2.2.7 builds it (check/ipvswrapper.c ipvs_set_srule(), ipvs_set_drule(),
 * ipvs_group_cmd(), ipvs_group_range_cmd()):
 *
 * - one service per address / fwmark virtual server; a virtual_server_group's address entries
 *   first (every address of each range), then its fwmark entries (family: the entry's, else the
 *   virtual server's);
 * - flags: PERSISTENT with persistence, `ops` only for UDP and fwmark services, sh-/mh- flags only
 *   with their scheduler, flag-1..3 always, `hashed` nothing;
 * - persistence granularity (netmask) only with persistence and never for group members
 *   (ipvs_group_range_cmd() resets srule->user.netmask per entry); the engine only with persistence;
 * - destinations: NAT keeps the real server's port, DR/TUN take the service's (0 for fwmark);
 *   thresholds from the real server; tunnel options only for TUN; the sorry server takes
 *   sorry_server_lvs_method, else the virtual server's method.
 *
 * Virtual servers come from keepalived.conf text, through the config loader.
 */
import { describe, expect, it } from 'vitest';
import type { Config, VirtualServer } from '../../../src/config/model.js';
import {
  granularityPrefix,
  kernelDest,
  kernelServices,
  MAX_RANGE,
  rangeAddresses,
  serviceFlags,
  serviceId,
  type KernelService,
} from '../../../src/dispatch/ipvs-model.js';
import { IP_VS_SVC_F } from '../../../src/net/ipvs-netlink.js';
import { brief, loadText } from '../../helpers/config.js';

/** A config with no errors (warnings and "needs IPVS" notes are fine). */
function load(text: string): Config {
  const r = loadText(text);
  expect(brief(r.diagnostics.filter((d) => d.severity === 'error' || d.severity === 'fatal'))).toEqual([]);
  return r.config;
}

/** The one virtual server of `text` (a `virtual_server` block with `body`). */
function vs(head: string, body: string, groups = ''): { vs: VirtualServer; config: Config } {
  const config = load(`${groups}virtual_server ${head} {\n${body}\n}\n`);
  expect(config.virtualServers).toHaveLength(1);
  return { vs: config.virtualServers[0] as VirtualServer, config };
}

const rs = (address: string, port: number, body = ''): string =>
  ` real_server ${address} ${port} {\n${body}\n }`;
const lvs = (algo = 'rr', kind = 'NAT', protocol = 'TCP'): string =>
  ` protocol ${protocol}\n lb_algo ${algo}\n lb_kind ${kind}\n`;

const services = (v: { vs: VirtualServer; config: Config }): KernelService[] =>
  kernelServices(v.vs, v.config.virtualServerGroups);
const keys = (ks: readonly KernelService[]): string[] => ks.map((k) => serviceId(k.service.key));

describe('kernelServices: address and fwmark virtual servers', () => {
  it('an address virtual server is one service, every field from the config', () => {
    const ks = services(vs('192.0.2.1 80', `${lvs('wlc')}${rs('192.0.2.21', 8080)}`));
    expect(ks).toEqual([
      {
        service: {
          key: { kind: 'address', family: 'inet', protocol: 'TCP', address: '192.0.2.1', port: 80 },
          scheduler: 'wlc',
          flags: 0,
          timeout: 0,
          prefix: 32,
          pe: null,
        },
        destPort: 80,
      },
    ]);
  });

  it('persistence: PERSISTENT, the timeout, the granularity as a prefix, the engine', () => {
    const ks = services(
      vs(
        '192.0.2.1 5060',
        `${lvs('rr', 'NAT', 'UDP')} persistence_timeout 120\n persistence_granularity 255.255.255.0\n persistence_engine sip\n${rs('192.0.2.21', 5060)}`,
      ),
    );
    expect(ks[0]?.service).toMatchObject({
      flags: IP_VS_SVC_F.PERSISTENT,
      timeout: 120,
      prefix: 24,
      pe: 'sip',
    });
  });

  it('IPv6 persistence granularity is a prefix length; without granularity the whole address', () => {
    const six = services(
      vs(
        '2001:db8::1 443',
        `${lvs()} persistence_timeout 30\n persistence_granularity 64\n${rs('2001:db8::21', 443)}`,
      ),
    );
    expect(six[0]?.service).toMatchObject({
      key: { family: 'inet6', address: '2001:db8::1', port: 443 },
      prefix: 64,
      timeout: 30,
    });
    const whole = services(
      vs('2001:db8::1 443', `${lvs()} persistence_timeout 30\n${rs('2001:db8::21', 443)}`),
    );
    expect(whole[0]?.service.prefix).toBe(128);
  });

  it('a persistence engine without persistence is not sent (and no PERSISTENT flag)', () => {
    const ks = services(
      vs('192.0.2.1 5060', `${lvs('rr', 'NAT', 'UDP')} persistence_engine sip\n${rs('192.0.2.21', 5060)}`),
    );
    expect(ks[0]?.service).toMatchObject({ flags: 0, timeout: 0, prefix: 32, pe: null });
  });

  it('a fwmark virtual server: the mark, its family, destination port 0', () => {
    const four = services(vs('fwmark 9', ` lb_algo rr\n lb_kind DR\n${rs('192.0.2.21', 80)}`));
    expect(four).toEqual([
      {
        service: {
          key: { kind: 'fwmark', family: 'inet', fwmark: 9 },
          scheduler: 'rr',
          flags: 0,
          timeout: 0,
          prefix: 32,
          pe: null,
        },
        destPort: 0,
      },
    ]);
    const six = services(vs('fwmark 9', ` lb_algo rr\n lb_kind DR\n${rs('2001:db8::21', 80)}`));
    expect(six[0]?.service.key).toEqual({ kind: 'fwmark', family: 'inet6', fwmark: 9 });
    expect(six[0]?.service.prefix).toBe(128);
  });

  it('fwmark with persistence keeps the granularity', () => {
    const ks = services(
      vs(
        'fwmark 9',
        ` lb_algo rr\n lb_kind DR\n persistence_timeout 60\n persistence_granularity 255.255.0.0\n${rs('192.0.2.21', 80)}`,
      ),
    );
    expect(ks[0]?.service).toMatchObject({ flags: IP_VS_SVC_F.PERSISTENT, timeout: 60, prefix: 16 });
  });
});

describe('kernelServices: virtual_server_group', () => {
  const group = [
    'virtual_server_group G {',
    ' fwmark 7',
    ' 192.0.2.254-192.0.3.1 80',
    ' 2001:db8::fffe-2001:db8::1:1 8080',
    ' fwmark 8 inet6',
    ' 198.51.100.5 443',
    '}',
    '',
  ].join('\n');

  it('every address of every range (across an octet / a group boundary), then the fwmarks', () => {
    const v = vs('group G', `${lvs()}${rs('192.0.2.21', 80)}`, group);
    expect(keys(services(v))).toEqual([
      'TCP/inet/192.0.2.254/80',
      'TCP/inet/192.0.2.255/80',
      'TCP/inet/192.0.3.0/80',
      'TCP/inet/192.0.3.1/80',
      'TCP/inet6/2001:db8::fffe/8080',
      'TCP/inet6/2001:db8::ffff/8080',
      'TCP/inet6/2001:db8::1:0/8080',
      'TCP/inet6/2001:db8::1:1/8080',
      'TCP/inet/198.51.100.5/443',
      'fwm/inet/7', // the virtual server's family (its real servers are IPv4)
      'fwm/inet6/8',
    ]);
  });

  it('each member has the entry’s port as the port its DR/TUN destinations take; fwmarks 0', () => {
    const v = vs('group G', `${lvs('rr', 'DR')}${rs('192.0.2.21', 80)}`, group);
    expect(services(v).map((k) => k.destPort)).toEqual([80, 80, 80, 80, 8080, 8080, 8080, 8080, 443, 0, 0]);
  });

  it('an fwmark entry without a family takes the virtual server’s (IPv6 here)', () => {
    const v = vs('group H', `${lvs()}${rs('2001:db8::21', 80)}`, 'virtual_server_group H {\n fwmark 7\n}\n');
    expect(services(v).map((k) => k.service.key)).toEqual([{ kind: 'fwmark', family: 'inet6', fwmark: 7 }]);
    expect(services(v)[0]?.service.prefix).toBe(128);
  });

  it('group members keep persistence but never its granularity (keepalived resets the netmask)', () => {
    const v = vs(
      'group G',
      `${lvs('sh', 'NAT', 'UDP')} sh-port\n persistence_timeout 60\n persistence_granularity 255.255.255.0\n persistence_engine sip\n${rs('192.0.2.21', 80)}`,
      group,
    );
    const ks = services(v);
    expect(ks).toHaveLength(11);
    for (const k of ks) {
      expect(k.service).toMatchObject({
        scheduler: 'sh',
        flags: IP_VS_SVC_F.PERSISTENT | IP_VS_SVC_F.SCHED2,
        timeout: 60,
        pe: 'sip',
        prefix: k.service.key.family === 'inet' ? 32 : 128,
      });
    }
  });

  it('the protocol is the virtual server’s', () => {
    const v = vs('group G', `${lvs('rr', 'NAT', 'SCTP')}${rs('192.0.2.21', 80)}`, group);
    expect(
      services(v)
        .map((k) => k.service.key)
        .filter((k) => k.kind === 'address')
        .every((k) => k.protocol === 'SCTP'),
    ).toBe(true);
  });

  it('a group that does not exist has no services', () => {
    const { vs: v } = vs('group G', `${lvs()}${rs('192.0.2.21', 80)}`, group);
    expect(kernelServices(v, [])).toEqual([]);
  });
});

describe('serviceFlags', () => {
  const base = vs('192.0.2.1 80', `${lvs('rr', 'NAT', 'UDP')}${rs('192.0.2.21', 80)}`).vs;
  const flags = (over: Partial<VirtualServer>): number => serviceFlags({ ...base, ...over });
  const F = IP_VS_SVC_F;

  it('ops (one-packet scheduling) for UDP and fwmark services only', () => {
    expect(flags({ flags: ['ops'], protocol: 'UDP' })).toBe(F.ONEPACKET);
    expect(flags({ flags: ['ops'], protocol: 'TCP' })).toBe(0);
    expect(flags({ flags: ['ops'], protocol: 'SCTP' })).toBe(0);
    expect(flags({ flags: ['ops'], protocol: 'TCP', key: { kind: 'fwmark', fwmark: 1 } })).toBe(F.ONEPACKET);
    // from the config too
    const parsed = vs('192.0.2.1 53', `${lvs('rr', 'NAT', 'UDP')} ops\n${rs('192.0.2.21', 53)}`).vs;
    expect(serviceFlags(parsed)).toBe(F.ONEPACKET);
  });

  it('sh-/mh- flags only with their scheduler', () => {
    expect(flags({ lbAlgo: 'sh', flags: ['sh-fallback'] })).toBe(F.SCHED1);
    expect(flags({ lbAlgo: 'sh', flags: ['sh-port'] })).toBe(F.SCHED2);
    expect(flags({ lbAlgo: 'sh', flags: ['sh-fallback', 'sh-port'] })).toBe(F.SCHED1 | F.SCHED2);
    expect(flags({ lbAlgo: 'mh', flags: ['mh-fallback'] })).toBe(F.SCHED1);
    expect(flags({ lbAlgo: 'mh', flags: ['mh-port'] })).toBe(F.SCHED2);
    expect(flags({ lbAlgo: 'mh', flags: ['sh-port', 'sh-fallback'] })).toBe(0);
    expect(flags({ lbAlgo: 'sh', flags: ['mh-port', 'mh-fallback'] })).toBe(0);
    expect(flags({ lbAlgo: 'rr', flags: ['sh-port', 'mh-fallback'] })).toBe(0);
  });

  it('flag-1..3 whatever the scheduler; hashed sets nothing', () => {
    expect(flags({ lbAlgo: 'rr', flags: ['flag-1'] })).toBe(F.SCHED1);
    expect(flags({ lbAlgo: 'wlc', flags: ['flag-2'] })).toBe(F.SCHED2);
    expect(flags({ lbAlgo: 'lc', flags: ['flag-3'] })).toBe(F.SCHED3);
    expect(flags({ flags: ['flag-1', 'flag-2', 'flag-3'] })).toBe(F.SCHED1 | F.SCHED2 | F.SCHED3);
    expect(flags({ flags: ['hashed'] })).toBe(0);
    expect(F.HASHED).toBe(2); // exists, but keepalived 2.2.7 does not set it
  });

  it('PERSISTENT with a persistence timeout', () => {
    expect(flags({ persistenceTimeout: 300 })).toBe(F.PERSISTENT);
    expect(flags({ persistenceTimeout: 300, flags: ['ops'] })).toBe(F.PERSISTENT | F.ONEPACKET);
  });
});

describe('granularityPrefix', () => {
  const base = vs('192.0.2.1 80', `${lvs()}${rs('192.0.2.21', 80)}`).vs;
  it('dotted masks count their bits, numbers are prefixes, none is the whole address', () => {
    expect(granularityPrefix({ ...base, persistenceGranularity: '255.255.255.255' })).toBe(32);
    expect(granularityPrefix({ ...base, persistenceGranularity: '255.255.240.0' })).toBe(20);
    expect(granularityPrefix({ ...base, persistenceGranularity: '0.0.0.0' })).toBe(0);
    expect(granularityPrefix({ ...base, persistenceGranularity: '48' })).toBe(48);
    expect(granularityPrefix({ ...base, persistenceGranularity: null })).toBe(32);
    expect(granularityPrefix({ ...base, family: 'inet6', persistenceGranularity: null })).toBe(128);
  });
});

describe('kernelDest', () => {
  const real = (address: string, port: number) => ({ address, port, sorry: false });

  it('NAT keeps the real server’s port; weight and thresholds as given / configured', () => {
    const v = vs('192.0.2.1 80', `${lvs()}${rs('192.0.2.21', 8080, '  uthreshold 100\n  lthreshold 10')}`);
    const [ks] = services(v);
    expect(kernelDest(v.vs, ks as KernelService, real('192.0.2.21', 8080), 7)).toEqual({
      address: '192.0.2.21',
      port: 8080,
      forward: 'NAT',
      weight: 7,
      uthreshold: 100,
      lthreshold: 10,
      tunnel: null,
    });
  });

  it('DR and TUN take the service’s port: each group member’s, 0 for a fwmark', () => {
    const v = vs(
      'group G',
      `${lvs('rr', 'DR')}${rs('192.0.2.21', 80)}`,
      'virtual_server_group G {\n 192.0.2.1 443\n fwmark 5\n}\n',
    );
    const ks = services(v);
    expect(ks.map((k) => kernelDest(v.vs, k, real('192.0.2.21', 80), 1).port)).toEqual([443, 0]);
    const nat = vs(
      'group G',
      `${lvs('rr', 'NAT')}${rs('192.0.2.21', 8080)}`,
      'virtual_server_group G {\n 192.0.2.1 443\n fwmark 5\n}\n',
    );
    expect(services(nat).map((k) => kernelDest(nat.vs, k, real('192.0.2.21', 8080), 1).port)).toEqual([
      8080, 8080,
    ]);
  });

  it('a fwmark virtual server’s DR destination has port 0', () => {
    const v = vs('fwmark 9', ` lb_algo rr\n lb_kind DR\n${rs('192.0.2.21', 80)}`);
    const [ks] = services(v);
    expect(kernelDest(v.vs, ks as KernelService, real('192.0.2.21', 80), 1)).toMatchObject({
      forward: 'DR',
      port: 0,
    });
  });

  it('the real server’s lvs_method wins; tunnel options only for TUN', () => {
    const v = vs(
      '192.0.2.1 80',
      [
        ' protocol TCP',
        ' lb_algo rr',
        ' lb_kind TUN type gue port 6080 csum',
        rs('192.0.2.21', 80),
        rs('192.0.2.22', 80, '  lvs_method TUN type gre'),
        rs('192.0.2.23', 8080, '  lvs_method NAT'),
        rs('192.0.2.24', 80, '  lvs_method DR'),
      ].join('\n'),
    );
    const [ks] = services(v);
    const d = (a: string, p: number) => kernelDest(v.vs, ks as KernelService, real(a, p), 1);
    expect(d('192.0.2.21', 80)).toMatchObject({
      forward: 'TUN',
      port: 80,
      tunnel: { type: 'gue', port: 6080, flags: 'csum' },
    });
    expect(d('192.0.2.22', 80)).toMatchObject({
      forward: 'TUN',
      tunnel: { type: 'gre', port: 0, flags: 'nocsum' },
    });
    expect(d('192.0.2.23', 8080)).toMatchObject({ forward: 'NAT', port: 8080, tunnel: null });
    expect(d('192.0.2.24', 80)).toMatchObject({ forward: 'DR', port: 80, tunnel: null });
  });

  it('the sorry server takes sorry_server_lvs_method, with its port rule; no thresholds', () => {
    const v = vs(
      '192.0.2.1 80',
      `${lvs('rr', 'NAT')} sorry_server 192.0.2.99 8080\n sorry_server_lvs_method DR\n${rs('192.0.2.21', 8080, '  uthreshold 5')}`,
    );
    const [ks] = services(v);
    expect(
      kernelDest(v.vs, ks as KernelService, { address: '192.0.2.99', port: 8080, sorry: true }, 1),
    ).toEqual({
      address: '192.0.2.99',
      port: 80, // DR: the service's port
      forward: 'DR',
      weight: 1,
      uthreshold: 0,
      lthreshold: 0,
      tunnel: null,
    });
  });

  it('a sorry server without its own method takes the virtual server’s (and its tunnel)', () => {
    const v = vs(
      '192.0.2.1 80',
      ` protocol TCP\n lb_algo rr\n lb_kind TUN type gue port 6080 nocsum\n sorry_server 192.0.2.99 80\n${rs('192.0.2.21', 80)}`,
    );
    const [ks] = services(v);
    expect(
      kernelDest(v.vs, ks as KernelService, { address: '192.0.2.99', port: 80, sorry: true }, 3),
    ).toMatchObject({
      forward: 'TUN',
      weight: 3,
      tunnel: { type: 'gue', port: 6080, flags: 'nocsum' },
    });
    const nat = vs(
      '192.0.2.1 80',
      `${lvs('rr', 'NAT')} sorry_server 192.0.2.99 8081\n${rs('192.0.2.21', 80)}`,
    );
    const [nks] = services(nat);
    expect(
      kernelDest(nat.vs, nks as KernelService, { address: '192.0.2.99', port: 8081, sorry: true }, 1),
    ).toMatchObject({
      forward: 'NAT',
      port: 8081,
    });
  });

  it('a sorry server with sorry_server_lvs_method TUN gets its own tunnel options', () => {
    const v = vs(
      '192.0.2.1 80',
      `${lvs('rr', 'NAT')} sorry_server 192.0.2.99 80\n sorry_server_lvs_method TUN type gre csum\n${rs('192.0.2.21', 8080)}`,
    );
    const [ks] = services(v);
    expect(
      kernelDest(v.vs, ks as KernelService, { address: '192.0.2.99', port: 80, sorry: true }, 1),
    ).toMatchObject({
      forward: 'TUN',
      port: 80,
      tunnel: { type: 'gre', port: 0, flags: 'csum' },
    });
  });

  it('a destination the virtual server does not list takes the virtual server’s method', () => {
    const v = vs('192.0.2.1 80', `${lvs('rr', 'DR')}${rs('192.0.2.21', 80, '  uthreshold 9')}`);
    const [ks] = services(v);
    expect(kernelDest(v.vs, ks as KernelService, real('192.0.2.77', 81), 2)).toEqual({
      address: '192.0.2.77',
      port: 80,
      forward: 'DR',
      weight: 2,
      uthreshold: 0,
      lthreshold: 0,
      tunnel: null,
    });
  });
});

describe('rangeAddresses', () => {
  it('one address, and ranges across an octet or an IPv6 group boundary', () => {
    expect(rangeAddresses('192.0.2.1', '192.0.2.1')).toEqual(['192.0.2.1']);
    expect(rangeAddresses('192.0.2.254', '192.0.3.1')).toEqual([
      '192.0.2.254',
      '192.0.2.255',
      '192.0.3.0',
      '192.0.3.1',
    ]);
    expect(rangeAddresses('10.0.255.255', '10.1.0.0')).toEqual(['10.0.255.255', '10.1.0.0']);
    expect(rangeAddresses('2001:db8::ffff', '2001:db8::1:1')).toEqual([
      '2001:db8::ffff',
      '2001:db8::1:0',
      '2001:db8::1:1',
    ]);
  });

  it('nothing for a reversed range, mixed families or something that is not an address', () => {
    expect(rangeAddresses('192.0.2.9', '192.0.2.1')).toEqual([]);
    expect(rangeAddresses('192.0.2.1', '2001:db8::1')).toEqual([]);
    expect(rangeAddresses('192.0.2.1', 'x')).toEqual([]);
    expect(rangeAddresses('', '192.0.2.1')).toEqual([]);
  });

  it(`at most MAX_RANGE (${MAX_RANGE}) addresses, from the first on`, () => {
    const all = rangeAddresses('10.0.0.0', '10.255.255.255');
    expect(all).toHaveLength(MAX_RANGE);
    expect(all[0]).toBe('10.0.0.0');
    expect(all[MAX_RANGE - 1]).toBe('10.0.255.255');
    expect(rangeAddresses('2001:db8::', '2001:db8::ffff:ffff')).toHaveLength(MAX_RANGE);
  });
});

describe('serviceId', () => {
  it('names a kernel service by its key: the same key is the same service', () => {
    const a = vs('192.0.2.1 80', `${lvs()}${rs('192.0.2.21', 80)}`);
    const b = vs('192.0.2.1 80', `${lvs('wlc', 'DR')}${rs('192.0.2.22', 80)}`);
    expect(keys(services(a))).toEqual(['TCP/inet/192.0.2.1/80']);
    expect(keys(services(a))).toEqual(keys(services(b)));
    expect(
      serviceId({ kind: 'address', family: 'inet', protocol: 'UDP', address: '192.0.2.1', port: 80 }),
    ).toBe('UDP/inet/192.0.2.1/80');
    expect(serviceId({ kind: 'fwmark', family: 'inet', fwmark: 5 })).toBe('fwm/inet/5');
    expect(serviceId({ kind: 'fwmark', family: 'inet6', fwmark: 5 })).toBe('fwm/inet6/5');
  });
});
