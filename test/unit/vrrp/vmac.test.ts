/**
 * use_vmac's interface names and addresses (src/vrrp/vmac.ts): keepalived 2.2.7's
 * create_vmac_name() choices and RFC 5798 §7.3's virtual MAC.
 */
import { describe, expect, it } from 'vitest';
import { loadText } from '../../helpers/config.js';
import { planVmacs, vmacAddress } from '../../../src/vrrp/vmac.js';

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
      { instance: 'V0', name: 'vrrp.51', parent: 'eth0', mac: '00005e000133', xmitBase: false },
      { instance: 'V1', name: 'vip52', parent: 'eth0', mac: '00005e000134', xmitBase: true },
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
});
