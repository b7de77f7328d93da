/**
 * The IPVS adapter (src/net/ipvs.ts) against a real kernel, in the VM lab: services of every kind
 * keepalived programs (TCP with persistence and a netmask, UDP sh with its flags, a persistence
 * engine with one-packet scheduling, SCTP with mh, IPv6 with a prefix, fwmarks of both families),
 * destinations of every forwarding method (GUE tunnel options, thresholds, weight 0), an edit,
 * timeouts, failures answered one by one inside a batch, and a batch of 4,001 changes. What the kernel reports back, through
 * our decoder and through ipvsadm, must be what was asked.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runInVm } from './vm.js';

const SCENARIO = fileURLToPath(new URL('./scenarios/ipvs-netlink.mjs', import.meta.url));

interface Result {
  info: { version: number; connTabSize: number };
  changes: (string | null)[];
  services: {
    key: Record<string, unknown>;
    scheduler: string;
    flags: number;
    timeout: number;
    prefix: number;
    pe: string | null;
  }[];
  dests: Record<string, Record<string, unknown>[]>;
  timeouts: { tcp: number; tcpFin: number; udp: number };
  ipvsadm: string;
  ipvsadmTimeouts: string;
  afterFlush: number;
  bigErrors: string[];
  bigDests: number;
}

describe('IPVS over generic netlink, under a real kernel', () => {
  it('programs and reads back every kind of service and destination', async () => {
    const vm = await runInVm(`node ${SCENARIO}`, {
      modules: ['ip_vs', 'ip_vs_wlc', 'ip_vs_sh', 'ip_vs_mh', 'ip_vs_pe_sip'],
    });
    expect(vm.code, vm.output).toBe(0);
    const r = JSON.parse(vm.files.get('result.json') ?? '{}') as Result;
    expect(r.info.version).toBe(0x010201);
    // 16 changes done; then EEXIST, ESRCH, ENOENT (no scheduler), ENOENT (no destination), EEXIST.
    expect(r.changes).toEqual([
      ...Array<null>(16).fill(null),
      'EEXIST',
      'ESRCH',
      'ENOENT',
      'ENOENT',
      'EEXIST',
    ]);
    // ipvsadm -Sn (it prints no thresholds: those are checked through our decoder below).
    const lines = r.ipvsadm.trim().split('\n').sort();
    expect(lines).toEqual(
      [
        '-A -t 192.0.2.100:80 -s wlc -p 300 -M 255.255.255.0',
        '-a -t 192.0.2.100:80 -r 192.0.2.11:80 -g -w 5',
        '-a -t 192.0.2.100:80 -r 192.0.2.12:8080 -m -w 0',
        '-a -t 192.0.2.100:80 -r 192.0.2.13:80 -i -w 1 --tun-type gue --tun-port 6080 --tun-csum',
        '-A -u 192.0.2.100:53 -s sh -b sh-fallback,sh-port',
        '-a -u 192.0.2.100:53 -r 192.0.2.11:53 -g -w 1',
        '-A -u 192.0.2.100:5060 -s rr -p 60 --pe sip -o',
        '-A --sctp-service 192.0.2.100:3868 -s mh -b mh-fallback',
        '-A -t [2001:db8::100]:443 -s lc -p 120 -M 64',
        '-a -t [2001:db8::100]:443 -r [2001:db8::11]:443 -m -w 1',
        '-A -f 5 -s rr',
        '-a -f 5 -r 192.0.2.11:0 -g -w 1',
        '-A -f 6 -6 -s wrr',
        '-a -f 6 -6 -r [2001:db8::12]:0 -g -w 2',
      ].sort(),
    );
    expect(r.timeouts).toMatchObject({ tcp: 7200, udp: 300 });
    expect(r.ipvsadmTimeouts).toBe('Timeout (tcp tcpfin udp): 7200 120 300\n'); // tcpfin: unchanged
    const tcp = r.services.find((s) => s.key.port === 80);
    expect(tcp).toMatchObject({ scheduler: 'wlc', flags: 1 | 2, timeout: 300, prefix: 24, pe: null });
    const sip = r.services.find((s) => s.key.port === 5060);
    expect(sip).toMatchObject({ scheduler: 'rr', timeout: 60, pe: 'sip' });
    const v6 = r.services.find((s) => s.key.family === 'inet6' && s.key.kind === 'address');
    expect(v6).toMatchObject({ prefix: 64, key: { address: '2001:db8::100', port: 443 } });
    const dests = Object.entries(r.dests).find(([k]) => k.includes('"port":80'))?.[1] ?? [];
    expect(dests.map((d) => [d.address, d.port, d.forward, d.weight, d.uthreshold, d.lthreshold])).toEqual(
      expect.arrayContaining([
        ['192.0.2.11', 80, 'DR', 5, 100, 10],
        ['192.0.2.12', 8080, 'NAT', 0, 0, 0],
        ['192.0.2.13', 80, 'TUN', 1, 0, 0],
      ]),
    );
    expect(dests.find((d) => d.address === '192.0.2.13')?.tunnel).toEqual({
      type: 'gue',
      port: 6080,
      flags: 'csum',
    });
    // 4,001 changes in one apply(): datagrams of at most 256, every acknowledgement read.
    expect(r.bigErrors).toEqual([]);
    expect(r.bigDests).toBe(4000);
    expect(r.afterFlush).toBe(0);
  });
});
