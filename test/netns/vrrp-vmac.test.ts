/**
 * use_vmac and vmac_xmit_base (issue 15) between keepalived-ts and Debian's keepalived 2.2.7: each
 * director runs VRID 51 on a private macvlan "vrrp.51" with the VRRP virtual MAC
 * 00:00:5e:00:01:33 (RFC 5798 §7.3), the VIP on it. On the wire: adverts and GARPs come from the
 * virtual MAC (from the base interface's MAC with vmac_xmit_base), keepalived and keepalived-ts
 * take each other's adverts, and the client's ARP entry for the VIP is the virtual MAC, the same
 * whichever director holds it. A stopped keepalived-ts removes its VMAC and puts the base
 * interface's arp_ignore/arp_filter back.
 */
import { describe, expect, it } from 'vitest';
import { eventually, keepalivedHeard, type CapturedFrame, type Lab, type LabHost } from './lab.js';
import { useLab } from './use-lab.js';
import { config, instanceBlock } from './vrrp-conf.js';

const VIP = '192.0.2.100';
const VMAC = '00:00:5e:00:01:33';

let lab: Lab;
const suite = useLab('vmac', 2, {
  keepalived: true,
  setup: (l) => (lab = l),
  // keepalived leaves nothing behind on SIGTERM either; a failed test may: start each clean.
  reset: (l) => {
    for (const h of l.hosts) {
      try {
        l.exec(h, ['ip', 'link', 'del', 'vrrp.51']);
      } catch {
        // none
      }
      l.exec(h, ['sysctl', '-qw', 'net.ipv4.conf.eth0.arp_ignore=0', 'net.ipv4.conf.eth0.arp_filter=0']);
    }
    try {
      l.exec(l.client, ['ip', 'neigh', 'flush', 'dev', 'eth0']);
    } catch {
      // nothing to flush
    }
  },
});
const track = suite.track;

const DISAGREEMENT =
  /invalid passwd|ip number count|wrong version|advertisement interval mismatch|invalid TTL|auth|checksum/i;

const conf = (priority: number, xmitBase = false): string =>
  config(
    instanceBlock({ priority, version: 3, extra: ['use_vmac', ...(xmitBase ? ['vmac_xmit_base'] : [])] }),
  );

/** The VMAC as `ip -d link` shows it on `host` (undefined: none). */
function vmacOf(host: LabHost): { mac: string; mode: string; up: boolean } | undefined {
  try {
    const [l] = JSON.parse(lab.exec(host, ['ip', '-j', '-d', 'link', 'show', 'vrrp.51'])) as {
      address: string;
      flags: string[];
      linkinfo?: { info_kind?: string; info_data?: { mode?: string } };
    }[];
    if (!l || l.linkinfo?.info_kind !== 'macvlan') return undefined;
    return { mac: l.address, mode: l.linkinfo.info_data?.mode ?? '', up: l.flags.includes('UP') };
  } catch {
    return undefined;
  }
}

const vipOnVmac = (host: LabHost): boolean => {
  try {
    return lab.exec(host, ['ip', '-o', 'addr', 'show', 'dev', 'vrrp.51']).includes(` ${VIP}/`);
  } catch {
    return false;
  }
};

const sysctl = (host: LabHost, key: string): string =>
  lab.exec(host, ['sysctl', '-n', `net.ipv4.conf.${key}`]).trim();

/**
 * An ARP for the VIP: a gratuitous one (the daemon's) or a reply (the kernel's, from where the VIP
 * is). Not the requests a director's kernel makes for its own traffic from the VIP: they go out
 * of whichever interface routes them (eth0 here), with keepalived as with keepalived-ts.
 */
const vipArp = (f: CapturedFrame): boolean => {
  if (f.kind !== 'arp' || f.from !== VIP) return false;
  const reply = f.bytes[21] === 2;
  const target = Array.from(f.bytes.subarray(38, 42)).join('.');
  return reply || target === VIP;
};

/** The client reaches the VIP, and its ARP entry for it is the virtual MAC. */
async function clientSeesVmac(): Promise<void> {
  await eventually('the client pinging the VIP through the virtual MAC', () => {
    try {
      lab.exec(lab.client, ['ping', '-c', '1', '-W', '1', VIP]);
    } catch {
      return undefined;
    }
    return lab.exec(lab.client, ['ip', 'neigh', 'show', VIP]).includes(VMAC) ? true : undefined;
  });
}

describe('use_vmac with keepalived 2.2.7', () => {
  it('keepalived-ts MASTER on vrrp.51, keepalived BACKUP on its own: one virtual MAC on the wire; a SIGTERM hands it over', async () => {
    const cap = await lab.capture('vmac');
    const kts = track(await lab.startKts(lab.host(1), conf(150)));
    await kts.waitForLine(/\(VI_1\) Entering MASTER STATE/);
    expect(kts.lines.some((l) => /Success creating VMAC interface vrrp\.51/.test(l))).toBe(true);
    const ka = track(await lab.startKeepalived(lab.host(2), conf(100)));
    await ka.waitForLine(/\(VI_1\) Entering BACKUP STATE/);
    await keepalivedHeard(ka, 2);
    expect(vmacOf(lab.host(1))).toEqual({ mac: VMAC, mode: 'private', up: true });
    expect(vipOnVmac(lab.host(1))).toBe(true);
    expect(lab.holders(VIP)).toEqual([]); // on vrrp.51, not on eth0
    // (sysctl writes the dot in an interface name as '/')
    expect(sysctl(lab.host(1), 'vrrp/51.arp_ignore')).toBe('1');
    expect(sysctl(lab.host(1), 'vrrp/51.rp_filter')).toBe('0');
    expect(sysctl(lab.host(1), 'eth0.arp_ignore')).toBe('1');
    expect(sysctl(lab.host(1), 'eth0.arp_filter')).toBe('1');
    await clientSeesVmac();
    // Adverts and GARPs from h1 carry the virtual MAC (RFC 5798 §7.3), not eth0's.
    const fromH1 = cap.frames().filter((f) => (f.kind === 'vrrp' && f.from === lab.host(1).ip4) || vipArp(f));
    expect(fromH1.filter((f) => f.kind === 'vrrp').length).toBeGreaterThan(0);
    expect([...new Set(fromH1.map((f) => f.srcMac))]).toEqual([VMAC]);

    await kts.stop();
    suite.untrack(kts);
    await ka.waitForLine(/\(VI_1\) Backup received priority 0 advertisement/);
    await ka.waitForLine(/\(VI_1\) Entering MASTER STATE/);
    await eventually('the VIP on h2’s vrrp.51', () => (vipOnVmac(lab.host(2)) ? true : undefined));
    // The client's ARP entry did not have to change: the same virtual MAC answers.
    await clientSeesVmac();
    expect(vmacOf(lab.host(1))).toBeUndefined();
    expect(sysctl(lab.host(1), 'eth0.arp_ignore')).toBe('0');
    expect(sysctl(lab.host(1), 'eth0.arp_filter')).toBe('0');
    expect(ka.lines.filter((l) => DISAGREEMENT.test(l))).toEqual([]);
    await cap.stop();
  });

  it('vmac_xmit_base: adverts from eth0’s MAC both ways; keepalived-ts takes over on its VMAC after a SIGTERM', async () => {
    const cap = await lab.capture('xmit');
    const ka = track(await lab.startKeepalived(lab.host(1), conf(150, true)));
    await ka.waitForLine(/\(VI_1\) Entering MASTER STATE/);
    const kts = track(await lab.startKts(lab.host(2), conf(100, true)));
    await kts.waitForLine(/\(VI_1\) Entering BACKUP STATE/);
    await eventually('keepalived-ts taking adverts from keepalived', async () => {
      const s = (await kts.query()) as { vrrp: { instances: { masterAddress?: string }[] } };
      return s.vrrp.instances[0]?.masterAddress === lab.host(1).ip4 ? true : undefined;
    });
    expect(vmacOf(lab.host(2))).toEqual({ mac: VMAC, mode: 'private', up: true });
    expect(vipOnVmac(lab.host(2))).toBe(false);

    await ka.stop();
    suite.untrack(ka);
    await kts.waitForLine(/\(VI_1\) Entering MASTER STATE/);
    await eventually('the VIP on h2’s vrrp.51', () => (vipOnVmac(lab.host(2)) ? true : undefined));
    await clientSeesVmac();
    const adverts = cap.frames().filter((f) => f.kind === 'vrrp');
    const macs = (h: LabHost) => [...new Set(adverts.filter((f) => f.from === h.ip4).map((f) => f.srcMac))];
    expect(macs(lab.host(1))).toEqual([lab.host(1).mac]);
    expect(macs(lab.host(2))).toEqual([lab.host(2).mac]);
    // The GARPs still come from the VMAC the VIP is on.
    const garps = cap.frames().filter(vipArp);
    expect(garps.length).toBeGreaterThan(0);
    expect([...new Set(garps.map((f) => f.srcMac))]).toEqual([VMAC]);
    expect(kts.records.filter((r) => r.event === 'vrrp.drop')).toEqual([]);
    await cap.stop();
  });

  it('IPv6 (VRRPv3): keepalived-ts MASTER on a VMAC 00:00:5e:00:02:33 with a link-local address; keepalived takes over on its own', async () => {
    const VIP6 = '2001:db8::100';
    const VMAC6 = '00:00:5e:00:02:33';
    const conf6 = (priority: number): string =>
      config(instanceBlock({ priority, version: 3, vips: [`${VIP6}/64`], extra: ['use_vmac'] }));
    const cap = await lab.capture('vmac6');
    const kts = track(await lab.startKts(lab.host(1), conf6(150)));
    await kts.waitForLine(/\(VI_1\) Entering MASTER STATE/);
    const ka = track(await lab.startKeepalived(lab.host(2), conf6(100)));
    await ka.waitForLine(/\(VI_1\) Entering BACKUP STATE/);
    await keepalivedHeard(ka, 2);
    expect(vmacOf(lab.host(1))).toEqual({ mac: VMAC6, mode: 'private', up: true });
    const vmacAddrs = lab.exec(lab.host(1), ['ip', '-o', '-6', 'addr', 'show', 'dev', 'vrrp.51']);
    expect(vmacAddrs).toContain(` ${VIP6}/64`);
    expect(vmacAddrs).toMatch(/ fe80::\S+\/64 scope link/);
    await eventually('the client pinging the IPv6 VIP through the virtual MAC', () => {
      try {
        lab.exec(lab.client, ['ping', '-6', '-c', '1', '-W', '1', VIP6]);
      } catch {
        return undefined;
      }
      return lab.exec(lab.client, ['ip', '-6', 'neigh', 'show', VIP6]).includes(VMAC6) ? true : undefined;
    });
    // The master's adverts and its unsolicited NAs for the VIP carry the virtual MAC.
    const frames = cap.frames();
    const mine = frames.filter(
      (f) => (f.kind === 'vrrp' && f.priority === 150) || (f.kind === 'na' && f.from === VIP6),
    );
    expect(mine.filter((f) => f.kind === 'na').length).toBeGreaterThan(0);
    expect([...new Set(mine.map((f) => f.srcMac))]).toEqual([VMAC6]);

    await kts.stop();
    suite.untrack(kts);
    await ka.waitForLine(/\(VI_1\) Entering MASTER STATE/);
    expect(vmacOf(lab.host(1))).toBeUndefined();
    expect(ka.lines.filter((l) => DISAGREEMENT.test(l))).toEqual([]);
    await cap.stop();
  });
});
