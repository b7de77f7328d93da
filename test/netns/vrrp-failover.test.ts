/**
 * Two keepalived-ts directors on one LAN (issue 4, scenarios 1-4): election, failover on SIGKILL
 * (with the dead master's cable cut, so its stale VIP cannot answer), on SIGTERM (priority 0),
 * preemption and nopreempt. Asserted on the wire (tcpdump on the bridge) and on the hosts
 * (`ip addr`, the client's ARP cache).
 */
import { describe, expect, it } from 'vitest';
import { skewTimeMs } from '../../src/vrrp/timers.js';
import { eventually, hearsAdverts, type CapturedFrame, type Daemon, type Lab } from './lab.js';
import { useLab } from './use-lab.js';
import { config, instanceBlock } from './vrrp-conf.js';

const VIP = '192.0.2.100';
/** The allowance over the protocol bound. */
const SLACK_MS = 100;

let lab: Lab;
const suite = useLab('fo', 2, { setup: (l) => (lab = l) });

async function start(host: number, conf: string): Promise<Daemon> {
  return suite.track(await lab.startKts(lab.host(host), conf));
}

const adverts = (frames: CapturedFrame[], from: string): CapturedFrame[] =>
  frames.filter((f) => f.kind === 'vrrp' && f.from === from);
const garps = (frames: CapturedFrame[], mac: string, after = 0): CapturedFrame[] =>
  frames.filter((f) => f.kind === 'arp' && f.srcMac === mac && f.from === VIP && f.atMs >= after);

/** Wait until the capture holds a GARP for the VIP from `mac` after `after`; returns its time. */
async function firstGarp(cap: { frames(): CapturedFrame[] }, mac: string, after: number): Promise<number> {
  const f = await eventually(`a GARP from ${mac}`, () => garps(cap.frames(), mac, after)[0]);
  return f.atMs;
}

describe('two keepalived-ts directors', () => {
  it('elect the higher priority as MASTER; only it holds the VIP; a GARP burst follows its first advert', async () => {
    const cap = await lab.capture('election');
    const h1 = await start(1, config(instanceBlock({ priority: 150 })));
    const h2 = await start(2, config(instanceBlock({ priority: 100 })));
    await h1.waitForLine(/\(VI_1\) Entering MASTER STATE/);
    await eventually('5 GARPs', () => (garps(cap.frames(), lab.host(1).mac).length >= 5 ? true : undefined));
    const frames = await cap.stop();

    expect(lab.holders(VIP)).toEqual([1]);
    const status = (await h2.query()) as { vrrp: { instances: { state: string; masterAddress: string }[] } };
    expect(status.vrrp.instances[0]).toMatchObject({ state: 'BACKUP', masterAddress: lab.host(1).ip4 });
    expect(h2.lines.some((l) => l.includes('Entering MASTER STATE'))).toBe(false);

    const first = adverts(frames, lab.host(1).ip4)[0];
    expect(first).toMatchObject({ version: 2, vrid: 51, priority: 150, ttl: 255 });
    const burst = garps(frames, lab.host(1).mac);
    // keepalived's default garp_master_repeat 5, right after the advert (the second burst is 5 s later).
    expect(burst.length).toBe(5);
    expect(burst[0]?.atMs).toBeGreaterThanOrEqual(first?.atMs ?? Infinity);
    // The GARP is keepalived's shape: ARP request, sender = target = VIP, to broadcast.
    const arp = Buffer.from(burst[0]?.bytes ?? []);
    expect(arp.subarray(0, 6).toString('hex')).toBe('ffffffffffff');
    expect(arp.readUInt16BE(20)).toBe(1);
    expect(arp.subarray(28, 32)).toEqual(arp.subarray(38, 42));
    expect(adverts(frames, lab.host(2).ip4)).toEqual([]);

    const event = h1.records.find((r) => r.event === 'vrrp.transition' && r.to === 'MASTER');
    expect(event).toMatchObject({ instance: 'VI_1', from: 'BACKUP', reason: 'master-down', priority: 150 });
  });

  for (const v of [
    { version: 2 as const, advertInt: 1, intervalMs: 1000 },
    { version: 3 as const, advertInt: 0.1, intervalMs: 100 },
  ]) {
    it(`SIGKILL of the master: VRRPv${v.version} at ${v.advertInt} s fails over within 3 × advert + skew + 100 ms`, async () => {
      const conf = (priority: number): string =>
        config(instanceBlock({ priority, version: v.version, advertInt: v.advertInt }));
      const h1 = await start(1, conf(150));
      await h1.waitForLine(/Entering MASTER STATE/);
      const h2 = await start(2, conf(100));
      await h2.waitForLine(/Entering BACKUP STATE/);
      // The client resolves the VIP now: Linux only updates an existing ARP entry from a GARP.
      lab.exec(lab.client, ['ping', '-c', '1', '-W', '2', VIP]);
      const cap = await lab.capture(`kill-v${v.version}`);
      // The backup has taken adverts the capture saw: its down timer runs from the last of them.
      await hearsAdverts(h2, 2);
      await eventually('two adverts from h1 captured', () =>
        adverts(cap.frames(), lab.host(1).ip4).length >= 2 ? true : undefined,
      );

      h1.signal('SIGKILL');
      lab.setCable(lab.host(1), false);
      await h2.waitForLine(/Entering MASTER STATE/);
      const garpAt = await firstGarp(cap, lab.host(2).mac, 0);
      const frames = await cap.stop();
      const last = adverts(frames, lab.host(1).ip4).at(-1);
      expect(last).toBeDefined();
      const bound = 3 * v.intervalMs + skewTimeMs(v.version, 100, v.intervalMs);
      const took = garpAt - (last?.atMs ?? 0);
      expect(took).toBeGreaterThan(3 * v.intervalMs - 20);
      expect(took).toBeLessThanOrEqual(bound + SLACK_MS);

      expect(lab.holders(VIP)).toEqual([1, 2]); // h1's stale copy sits on its unplugged cable
      const neigh = lab.exec(lab.client, ['ip', 'neigh', 'show', VIP]);
      expect(neigh).toContain(lab.host(2).mac);
      lab.exec(lab.client, ['ping', '-c', '1', '-W', '2', VIP]);
    });
  }

  it('SIGTERM of the master: priority 0 on the wire, the backup takes over within skew + 100 ms, VIP removed', async () => {
    const h1 = await start(1, config(instanceBlock({ priority: 150 })));
    await h1.waitForLine(/Entering MASTER STATE/);
    const h2 = await start(2, config(instanceBlock({ priority: 100 })));
    await h2.waitForLine(/Entering BACKUP STATE/);
    const cap = await lab.capture('sigterm');

    expect(await h1.stop()).toBe(0);
    await h2.waitForLine(/Backup received priority 0 advertisement/);
    await h2.waitForLine(/Entering MASTER STATE/);
    const frames = cap.frames();
    const zero = adverts(frames, lab.host(1).ip4).find((f) => f.priority === 0);
    expect(zero).toBeDefined();
    const garpAt = await firstGarp(cap, lab.host(2).mac, zero?.atMs ?? 0);
    await cap.stop();
    expect(garpAt - (zero?.atMs ?? 0)).toBeLessThanOrEqual(skewTimeMs(2, 100, 1000) + SLACK_MS);
    expect(lab.holders(VIP)).toEqual([2]);
    expect(h1.lines.some((l) => l.includes('(VI_1) sent 0 priority'))).toBe(true);
    expect(h1.records.find((r) => r.event === 'vrrp.transition' && r.to === 'STOP')).toBeDefined();
    // The takeover says why: the master resigned (not a silent master).
    expect(h2.records.find((r) => r.event === 'vrrp.transition' && r.to === 'MASTER')).toMatchObject({
      from: 'BACKUP',
      reason: 'priority-zero',
    });
  });

  it('the returning higher priority preempts; with nopreempt the current master keeps its place', async () => {
    const h2 = await start(2, config(instanceBlock({ priority: 100 })));
    await h2.waitForLine(/Entering MASTER STATE/);

    const calm = await start(1, config(instanceBlock({ priority: 150, nopreempt: true })));
    await calm.waitForLine(/Entering BACKUP STATE/);
    // Longer than its Master_Down_Interval (3 s + skew): a preempting router would have taken over.
    await new Promise((r) => setTimeout(r, 4500));
    expect(calm.lines.some((l) => l.includes('Entering MASTER STATE'))).toBe(false);
    expect(lab.holders(VIP)).toEqual([2]);
    await calm.stop();
    suite.untrack(calm);

    const line = h2.lines.length;
    const h1 = await start(1, config(instanceBlock({ priority: 150 })));
    await h1.waitForLine(/received lower priority \(100\) advert from 192\.0\.2\.12 - discarding/);
    await h1.waitForLine(/Entering MASTER STATE/);
    await h2.waitForLine(
      /Master received advert from 192\.0\.2\.11 with higher priority 150, ours 100/,
      5000,
      line,
    );
    await h2.waitForLine(/Entering BACKUP STATE/, 5000, line);
    await eventually('the VIP on h1 only', () => (lab.holders(VIP).join() === '1' ? true : undefined));
  });

  it('a restarted director first removes the VIP a crashed run left on its interface (keepalived does)', async () => {
    const first = await start(1, config(instanceBlock({ priority: 150 })));
    await first.waitForLine(/Entering MASTER STATE/);
    lab.crash(lab.host(1));
    await first.exited;
    suite.untrack(first);
    expect(lab.holders(VIP)).toEqual([1]);

    // advert_int 3: its Master_Down_Interval (≈ 9 s) leaves it BACKUP while we look.
    const again = await start(1, config(instanceBlock({ priority: 150, advertInt: 3 })));
    await again.waitForLine(/Entering BACKUP STATE/);
    expect(lab.holders(VIP)).toEqual([]);
    // Said as keepalived says it at init, and only because something was there.
    expect(again.records.filter((r) => r.event === 'vrrp.vips.removed' && r.leftover === true)).toHaveLength(
      1,
    );
    await again.waitForLine(/Entering MASTER STATE/, 15_000);
    expect(lab.holders(VIP)).toEqual([1]);
  });
});
