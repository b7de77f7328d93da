/**
 * VRRPv3 over IPv6 (issue 4, scenario 8): adverts from the link-local address to ff02::12 with
 * hop limit 255, unsolicited neighbour advertisements for the VIP on takeover, failover on
 * SIGKILL, and Debian's keepalived accepting our IPv6 adverts (their checksum covers the IPv6
 * pseudo-header).
 */
import { describe, expect, it } from 'vitest';
import { skewTimeMs } from '../../src/vrrp/timers.js';
import { eventually, hearsAdverts, type CapturedFrame, type Lab } from './lab.js';
import { useLab } from './use-lab.js';
import { config, instanceBlock } from './vrrp-conf.js';

const VIP6 = '2001:db8::100';
const conf = (priority: number): string =>
  config(instanceBlock({ priority, version: 3, vips: [`${VIP6}/64`] }));

let lab: Lab;
const suite = useLab('v6', 2, { keepalived: true, setup: (l) => (lab = l) });
const track = suite.track;
const nas = (frames: CapturedFrame[], mac: string): CapturedFrame[] =>
  frames.filter((f) => f.kind === 'na' && f.srcMac === mac && f.from === VIP6);

describe('VRRPv3 over IPv6', () => {
  it('the master advertises from its link-local address and announces the VIP with unsolicited NAs; SIGKILL fails over', async () => {
    const cap = await lab.capture('v6');
    const h1 = track(await lab.startKts(lab.host(1), conf(150)));
    await h1.waitForLine(/Entering MASTER STATE/);
    const h2 = track(await lab.startKts(lab.host(2), conf(100)));
    await h2.waitForLine(/Entering BACKUP STATE/);
    await eventually('5 NAs from h1', () =>
      nas(cap.frames(), lab.host(1).mac).length >= 5 ? true : undefined,
    );
    expect(lab.holders(VIP6)).toEqual([1]);
    h1.lines.some((l) =>
      l.includes('Sending/queueing unsolicited neighbour adverts on eth0 for 2001:db8::100'),
    );

    const adverts = cap.frames().filter((f) => f.kind === 'vrrp' && f.priority === 150);
    expect(adverts.length).toBeGreaterThan(0);
    expect(adverts[0]).toMatchObject({ version: 3, vrid: 51, ttl: 255 });
    expect(adverts[0]?.from.startsWith('fe80:')).toBe(true);
    // The NA: to all-nodes, from the VIP, override set, solicited clear (keepalived ndisc.c).
    const na = Buffer.from(nas(cap.frames(), lab.host(1).mac)[0]?.bytes ?? []);
    expect(na.subarray(0, 6).toString('hex')).toBe('333300000001');
    expect(na[21]).toBe(255); // hop limit
    expect((na[58] as number) & 0x60).toBe(0x20);

    // The client learns the VIP's MAC now; the NA from the new master must update it.
    lab.exec(lab.client, ['ping', '-6', '-c', '1', '-W', '2', VIP6]);
    // Let the backup hear a few adverts: its down timer then runs from the last one.
    await hearsAdverts(h2, 2);
    h1.signal('SIGKILL');
    lab.setCable(lab.host(1), false);
    await h2.waitForLine(/Entering MASTER STATE/);
    const first = await eventually('an NA from h2', () => nas(cap.frames(), lab.host(2).mac)[0]);
    const frames = await cap.stop();
    const last = frames.filter((f) => f.kind === 'vrrp' && f.srcMac === lab.host(1).mac).at(-1);
    const took = first.atMs - (last?.atMs ?? 0);
    expect(took).toBeLessThanOrEqual(3000 + skewTimeMs(3, 100, 1000) + 100);
    expect(lab.exec(lab.client, ['ip', '-6', 'neigh', 'show', VIP6])).toContain(lab.host(2).mac);
    lab.exec(lab.client, ['ping', '-6', '-c', '1', '-W', '2', VIP6]);
  });

  it("keepalived 2.2.7 accepts keepalived-ts's IPv6 adverts and takes over on its SIGTERM", async () => {
    const kts = track(await lab.startKts(lab.host(1), conf(150)));
    await kts.waitForLine(/Entering MASTER STATE/);
    const ka = track(await lab.startKeepalived(lab.host(2), conf(100)));
    await ka.waitForLine(/\(VI_1\) Entering BACKUP STATE/);
    await new Promise((r) => setTimeout(r, 4500)); // longer than keepalived's Master_Down_Interval
    expect(ka.lines.filter((l) => /Entering MASTER STATE|checksum|invalid/i.test(l))).toEqual([]);

    await kts.stop();
    suite.untrack(kts);
    await ka.waitForLine(/\(VI_1\) Backup received priority 0 advertisement/);
    await ka.waitForLine(/\(VI_1\) Entering MASTER STATE/);
    await eventually('the VIP on h2', () => (lab.holders(VIP6).join() === '2' ? true : undefined));
  });
});
