/**
 * use_vmac's interfaces (src/daemon/vmacs.ts) against a fake kernel: made as keepalived 2.2.7 makes
 * them (private macvlan, virtual MAC, address generation off, then up; the VMAC's and the base
 * interface's ARP settings), a matching leftover used as it is, a wrong one made again; removed
 * (and the base interface's settings put back) when no instance wants them.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { Vmacs } from '../../../src/daemon/vmacs.js';
import type { InterfaceSysctls, LinkInfo, Rtnl, VmacLinks } from '../../../src/net/ports.js';
import { loadText } from '../../helpers/config.js';

const VMAC = Uint8Array.of(0, 0, 0x5e, 0, 1, 51);

function kernel(extra: LinkInfo[] = []) {
  const links: LinkInfo[] = [
    { index: 2, name: 'eth0', mac: Uint8Array.of(2, 0, 0, 0, 0, 1), up: true },
    ...extra,
  ];
  const calls: string[] = [];
  const sys = new Map<string, number>([
    ['eth0/arp_ignore', 0],
    ['eth0/arp_filter', 0],
  ]);
  let next = 10;
  const rtnl = {
    links: () => Promise.resolve(links.map((l) => ({ ...l }))),
    createMacvlan: (name: string, parent: number, mac: Uint8Array) => {
      calls.push(`create ${name} on ${parent} ${Buffer.from(mac).toString('hex')}`);
      links.push({ index: next, name, mac, up: false, macvlan: { parent, mode: 1 } });
      return Promise.resolve(next++);
    },
    setAddrGenModeNone: (i: number) => Promise.resolve(void calls.push(`addr_gen_mode none ${i}`)),
    setLinkUp: (i: number) => Promise.resolve(void calls.push(`up ${i}`)),
    deleteLink: (i: number) => {
      calls.push(`delete ${i}`);
      links.splice(
        links.findIndex((l) => l.index === i),
        1,
      );
      return Promise.resolve();
    },
  } as unknown as Rtnl & VmacLinks;
  const sysctls: InterfaceSysctls = {
    get: (i, k) => sys.get(`${i}/${k}`) ?? null,
    set: (i, k, v) => void sys.set(`${i}/${k}`, v),
  };
  const log = pino({ level: 'silent' });
  return { vmacs: new Vmacs({ rtnl, sysctls, log }), calls, sys, links, rtnl };
}

const config = (vmac: boolean) =>
  loadText(
    `vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 51\n${vmac ? ' use_vmac\n' : ''} virtual_ipaddress {\n 192.0.2.100\n }\n}\n`,
  ).config;

describe('Vmacs', () => {
  it('makes vrrp.51 down, address generation off, then up; sets the ARP settings; removes it and puts them back', async () => {
    const k = kernel();
    const names = await k.vmacs.ensure(config(true));
    expect([...names]).toEqual([['VI_1', 'vrrp.51']]);
    expect(k.calls).toEqual(['create vrrp.51 on 2 00005e000133', 'addr_gen_mode none 10', 'up 10']);
    expect(Object.fromEntries(k.sys)).toEqual({
      'eth0/arp_ignore': 1,
      'eth0/arp_filter': 1,
      'vrrp.51/arp_ignore': 1,
      'vrrp.51/accept_local': 1,
      'vrrp.51/rp_filter': 0,
      'vrrp.51/promote_secondaries': 1,
    });
    // A reload that keeps it: nothing made again.
    k.calls.length = 0;
    await k.vmacs.ensure(config(true));
    await k.vmacs.prune(new Set(['vrrp.51']));
    expect(k.calls).toEqual(['addr_gen_mode none 10', 'up 10']);
    await k.vmacs.release();
    expect(k.calls.at(-1)).toBe('delete 10');
    expect(k.sys.get('eth0/arp_ignore')).toBe(0);
    expect(k.sys.get('eth0/arp_filter')).toBe(0);
  });

  it('uses a matching VMAC left from before; makes a mismatched one again', async () => {
    const left = kernel([
      { index: 7, name: 'vrrp.51', mac: VMAC, up: true, macvlan: { parent: 2, mode: 1 } },
    ]);
    await left.vmacs.ensure(config(true));
    expect(left.calls).toEqual(['addr_gen_mode none 7', 'up 7']);
    const wrong = kernel([
      {
        index: 7,
        name: 'vrrp.51',
        mac: Uint8Array.of(2, 1, 1, 1, 1, 1),
        up: true,
        macvlan: { parent: 2, mode: 4 },
      },
    ]);
    await wrong.vmacs.ensure(config(true));
    expect(wrong.calls.slice(0, 2)).toEqual(['delete 7', 'create vrrp.51 on 2 00005e000133']);
  });

  it('no use_vmac: touches nothing', async () => {
    const k = kernel();
    expect((await k.vmacs.ensure(config(false))).size).toBe(0);
    await k.vmacs.release();
    expect(k.calls).toEqual([]);
    expect(k.sys.get('eth0/arp_ignore')).toBe(0);
  });

  it('promote_secondaries without a VMAC: on for the instance interface, back to 0 at stop or when a reload drops it', async () => {
    const k = kernel();
    k.sys.set('eth0/promote_secondaries', 0);
    const promote = (on: boolean) =>
      loadText(
        `vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 51\n${on ? ' promote_secondaries\n' : ''} virtual_ipaddress {\n 192.0.2.100\n }\n}\n`,
      ).config;
    await k.vmacs.ensure(promote(true));
    expect(k.sys.get('eth0/promote_secondaries')).toBe(1);
    expect(k.calls).toEqual([]); // no VMAC made
    await k.vmacs.ensure(promote(false)); // a reload that no longer asks for it
    expect(k.sys.get('eth0/promote_secondaries')).toBe(0);
    await k.vmacs.ensure(promote(true));
    await k.vmacs.release();
    expect(k.sys.get('eth0/promote_secondaries')).toBe(0);
  });

  it('promote_secondaries already on: left as it is, also at stop', async () => {
    const k = kernel();
    k.sys.set('eth0/promote_secondaries', 1);
    await k.vmacs.ensure(
      loadText(
        'vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 51\n promote_secondaries\n virtual_ipaddress {\n 192.0.2.100\n }\n}\n',
      ).config,
    );
    await k.vmacs.release();
    expect(k.sys.get('eth0/promote_secondaries')).toBe(1);
  });

  it('IPv6: 00:00:5e:00:02:VRID, arp_ignore only, the base interface’s link-local address on it', async () => {
    const k = kernel();
    const added: string[] = [];
    Object.assign(k.rtnl, {
      addresses: () =>
        Promise.resolve([
          {
            index: 2,
            family: 'inet6',
            address: 'fe80::2',
            prefixLength: 64,
            secondary: false,
            linkLocal: true,
            label: null,
          },
        ]),
      addAddress: (a: { address: string; index: number; prefixLength: number; flags: string[] }) =>
        Promise.resolve(void added.push(`${a.address}/${a.prefixLength} on ${a.index} ${a.flags.join()}`)),
    });
    const conf = loadText(
      'vrrp_instance VI_6 {\n interface eth0\n virtual_router_id 51\n use_vmac\n virtual_ipaddress {\n 2001:db8::100\n }\n}\n',
    ).config;
    expect([...(await k.vmacs.ensure(conf))]).toEqual([['VI_6', 'vrrp.51']]);
    expect(k.calls[0]).toBe('create vrrp.51 on 2 00005e000233');
    expect(added).toEqual(['fe80::2/64 on 10 nodad']);
    expect(Object.fromEntries(k.sys)).toEqual({
      'eth0/arp_ignore': 0,
      'eth0/arp_filter': 0,
      'vrrp.51/arp_ignore': 1,
    });
  });
});
