/**
 * An instance on a VMAC (use_vmac) wired to the host (src/daemon/wiring.ts): keepalived 2.2.7 puts
 * the VIPs without `dev` on the VMAC and sends the adverts from it (from the base interface with
 * vmac_xmit_base), from the base interface's address; a VIP with its own `dev` stays there.
 */
import { describe, expect, it } from 'vitest';
import { wireInstance } from '../../../src/daemon/wiring.js';
import type { LinkInfo } from '../../../src/net/ports.js';
import { ETH0, ETH0_ADDR } from '../../helpers/host.js';
import { loadText } from '../../helpers/config.js';

const LINKS: LinkInfo[] = [
  ETH0,
  { index: 3, name: 'eth1', mac: Uint8Array.of(2, 0, 0, 0, 0, 12), up: true },
  {
    index: 9,
    name: 'vrrp.51',
    mac: Uint8Array.of(0, 0, 0x5e, 0, 1, 51),
    up: true,
    macvlan: { parent: 2, mode: 1 },
  },
];
const ADDR = ETH0_ADDR;

function wire(extra: string) {
  const { config } = loadText(
    `vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 51\n use_vmac\n${extra}\n virtual_ipaddress {\n 192.0.2.100/24\n 198.51.100.1/24 dev eth1\n }\n}\n`,
    { host: { interfaceExists: () => true } },
  );
  const inst = config.vrrpInstances[0];
  if (!inst) throw new Error('no instance');
  const host = { links: LINKS, addresses: [ADDR], ipv6Forwarding: () => false };
  const w = wireInstance(config, inst, { ...host, vmacs: new Map([['VI_1', 'vrrp.51']]) });
  if (!w.ok) throw new Error(w.error);
  return {
    w: w.wiring,
    missing: wireInstance(config, inst, { ...host, vmacs: new Map([['VI_1', 'vrrp.9']]) }),
  };
}

describe('wiring an instance on a VMAC', () => {
  it('adverts from the VMAC with the base address; VIPs without dev on the VMAC, announced with its MAC', () => {
    const { w, missing } = wire('');
    expect({ ifname: w.ifname, ifindex: w.ifindex, source: Array.from(w.source) }).toEqual({
      ifname: 'vrrp.51',
      ifindex: 9,
      source: [192, 0, 2, 11],
    });
    expect(w.vips.map((v) => `${v.address} ${v.index}`)).toEqual(['192.0.2.100 9', '198.51.100.1 3']);
    expect(w.announce.map((a) => `${a.address} ${a.ifname} ${Buffer.from(a.mac).toString('hex')}`)).toEqual([
      '192.0.2.100 vrrp.51 00005e000133',
      '198.51.100.1 eth1 02000000000c',
    ]);
    expect(missing).toEqual({ ok: false, error: "(VI_1) VMAC interface vrrp.9 doesn't exist" });
  });

  it('vmac_xmit_base: adverts from the base interface, the VIP still on the VMAC', () => {
    const { w } = wire(' vmac_xmit_base');
    expect([w.ifname, w.ifindex]).toEqual(['eth0', 2]);
    expect(w.vips[0]?.index).toBe(9);
  });
});
