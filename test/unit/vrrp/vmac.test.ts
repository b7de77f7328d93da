/**
 * use_vmac's interface names and addresses (src/vrrp/vmac.ts): keepalived 2.2.7's
 * create_vmac_name() choices and RFC 5798 §7.3's virtual MAC.
 */
import { describe, expect, it } from 'vitest';
import { loadText } from '../../helpers/config.js';
import { planVmacs, vmacAddress, vmacLinkLocal } from '../../../src/vrrp/vmac.js';

const instances = (...blocks: string[]) =>
  loadText(
    blocks
      .map(
        (b, i) =>
          `vrrp_instance V${i} {\n interface eth0\n ${b}\n virtual_ipaddress {\n 192.0.2.${i + 1}\n }\n}\n`,
      )
      .join(''),
  ).config.vrrpInstances;

describe('planVmacs', () => {
  it('00:00:5e:00:01:VRID on the instance’s interface, named vrrp.VRID unless configured', () => {
    const { plans, notes } = planVmacs(
      instances(
        'virtual_router_id 51\n use_vmac',
        'virtual_router_id 52\n use_vmac vip52\n vmac_xmit_base',
        'virtual_router_id 53',
      ),
      [],
      'eth0',
    );
    expect(notes).toEqual([]);
    expect(plans.map((p) => ({ ...p, mac: Buffer.from(p.mac).toString('hex') }))).toEqual([
      {
        instance: 'V0',
        name: 'vrrp.51',
        parent: 'eth0',
        mac: '00005e000133',
        family: 'inet',
        xmitBase: false,
        source: null,
      },
      {
        instance: 'V1',
        name: 'vip52',
        parent: 'eth0',
        mac: '00005e000134',
        family: 'inet',
        xmitBase: true,
        source: null,
      },
    ]);
    expect(Array.from(vmacAddress(255))).toEqual([0, 0, 0x5e, 0, 1, 255]);
  });

  it('a name another instance or a non-macvlan interface has: the next free vrrpN.VRID', () => {
    const { plans, notes } = planVmacs(
      instances(
        'virtual_router_id 7\n use_vmac',
        'virtual_router_id 7\n use_vmac',
        'virtual_router_id 8\n use_vmac eth1',
      ),
      [
        { name: 'eth1', macvlan: false },
        { name: 'vrrp.7', macvlan: true }, // a VMAC left from before: ours to use
      ],
      'eth0',
    );
    expect(plans.map((p) => p.name)).toEqual(['vrrp.7', 'vrrp1.7', 'vrrp.8']);
    expect(notes).toEqual([
      '(V2) vmac interface name eth1 already exists as a non vmac interface. ignoring configured name',
    ]);
  });

  it('names fit in 15 characters, the prefix cut', () => {
    const { plans } = planVmacs(instances('virtual_router_id 200\n use_vmac'), [], 'eth0');
    expect(plans[0]?.name).toBe('vrrp.200');
    const taken = Array.from({ length: 10 }, (_, n) => ({
      name: n === 0 ? 'vrrp.200' : `vrrp${n}.200`,
      macvlan: false,
    }));
    expect(planVmacs(instances('virtual_router_id 200\n use_vmac'), taken, 'eth0').plans[0]?.name).toBe(
      'vrrp10.200',
    );
  });

  it('IPv6: 00:00:5e:00:02:VRID, and "vrrp6.VRID" is the second name tried', () => {
    const v6 = (b: string) =>
      loadText(`vrrp_instance V6 {\n interface eth0\n ${b}\n virtual_ipaddress {\n 2001:db8::100\n }\n}\n`)
        .config.vrrpInstances;
    const { plans } = planVmacs(
      v6('virtual_router_id 51\n use_vmac'),
      [{ name: 'vrrp.51', macvlan: false }],
      'eth0',
    );
    expect(plans.map((p) => [p.name, Buffer.from(p.mac).toString('hex'), p.family])).toEqual([
      ['vrrp6.51', '00005e000233', 'inet6'],
    ]);
    const taken = ['vrrp.51', 'vrrp6.51', 'vrrp1.51', 'vrrp2.51', 'vrrp3.51', 'vrrp4.51', 'vrrp5.51'];
    const next = planVmacs(
      v6('virtual_router_id 51\n use_vmac'),
      taken.map((name) => ({ name, macvlan: false })),
      'eth0',
    );
    expect(next.plans[0]?.name).toBe('vrrp7.51');
  });
});

describe('vmacLinkLocal', () => {
  it('the source address, else the base interface’s link-local, else EUI-64 of its MAC', () => {
    const mac = Uint8Array.of(0x52, 0x54, 0x00, 0x12, 0x34, 0x56);
    expect(vmacLinkLocal('fe80::1', 'fe80::2', mac)).toBe('fe80::1');
    expect(vmacLinkLocal(null, 'fe80::2', mac)).toBe('fe80::2');
    expect(vmacLinkLocal(null, null, mac)).toBe('fe80::5054:ff:fe12:3456');
  });
});
