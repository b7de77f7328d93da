/** The table in ipvsadm's text forms: `ipvsadm -Ln` columns and `ipvsadm-save -n` commands. */
import { describe, expect, it } from 'vitest';
import { ipvsadmList, ipvsadmSave, type ViewService } from '../../../src/dispatch/ipvsadm.js';

const SERVICES: ViewService[] = [
  {
    protocol: 'TCP',
    address: '192.0.2.100',
    port: 80,
    fwmark: null,
    family: 'inet',
    scheduler: 'wlc',
    persistenceTimeout: 0,
    persistencePrefix: 32,
    flags: [],
    dests: [
      { address: '192.0.2.21', port: 80, forward: 'NAT', weight: 1, activeConns: 12, inactConns: 3 },
      { address: '192.0.2.22', port: 8080, forward: 'NAT', weight: 0, activeConns: 1, inactConns: 0 },
    ],
  },
  {
    protocol: 'UDP',
    address: '2001:db8::100',
    port: 53,
    fwmark: null,
    family: 'inet6',
    scheduler: 'sh',
    persistenceTimeout: 360,
    persistencePrefix: 64,
    flags: ['sh-port', 'sh-fallback'],
    dests: [{ address: '2001:db8::21', port: 53, forward: 'DR', weight: 3, activeConns: 0, inactConns: 7 }],
  },
  {
    protocol: 'TCP',
    address: '192.0.2.101',
    port: 443,
    fwmark: null,
    family: 'inet',
    scheduler: 'rr',
    persistenceTimeout: 600,
    persistencePrefix: 24,
    flags: ['ops'],
    dests: [],
  },
];

describe('ipvsadm views', () => {
  it('ipvsadm -Ln: service lines with flags and persistence, dest lines in ipvsadm columns', () => {
    expect(ipvsadmList(SERVICES).split('\n')).toEqual([
      'IP Virtual Server version 1.2.1 (size=4096)',
      'Prot LocalAddress:Port Scheduler Flags',
      '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
      'TCP  192.0.2.100:80 wlc',
      '  -> 192.0.2.21:80                Masq    1      12         3         ',
      '  -> 192.0.2.22:8080              Masq    0      1          0         ',
      'UDP  [2001:db8::100]:53 sh (sh-port,sh-fallback) persistent 360 mask 64',
      '  -> [2001:db8::21]:53            Route   3      0          7         ',
      'TCP  192.0.2.101:443 rr persistent 600 mask 255.255.255.0 ops',
      '',
    ]);
  });

  it('ipvsadm-save -n: the commands ipvsadm-restore replays', () => {
    expect(ipvsadmSave(SERVICES).split('\n')).toEqual([
      '-A -t 192.0.2.100:80 -s wlc',
      '-a -t 192.0.2.100:80 -r 192.0.2.21:80 -m -w 1',
      '-a -t 192.0.2.100:80 -r 192.0.2.22:8080 -m -w 0',
      '-A -u [2001:db8::100]:53 -s sh -b sh-port,sh-fallback -p 360 -M 64',
      '-a -u [2001:db8::100]:53 -r [2001:db8::21]:53 -g -w 3',
      '-A -t 192.0.2.101:443 -s rr -p 600 -M 255.255.255.0 -o',
      '',
    ]);
  });
});
