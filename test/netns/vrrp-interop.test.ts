/**
 * keepalived-ts and Debian's keepalived 2.2.7 in one VRID (issue 4, scenario 5): VRRPv2 with PASS
 * authentication and VRRPv3, each daemon in both roles, each failing over to the other (SIGTERM
 * with priority 0 one way, SIGKILL with a cut cable the other) and preempting back.
 */
import { describe, expect, it } from 'vitest';
import { eventually, hearsAdverts, keepalivedHeard, type Lab } from './lab.js';
import { useLab } from './use-lab.js';
import { config, instanceBlock, type InstanceConf } from './vrrp-conf.js';

const VIP = '192.0.2.100';

let lab: Lab;
const suite = useLab('io', 2, { keepalived: true, setup: (l) => (lab = l) });
const track = suite.track;

/** Lines that would mean the two disagree about the packet format. */
const DISAGREEMENT =
  /invalid passwd|ip number count|wrong version|advertisement interval mismatch|invalid TTL|auth|checksum/i;

const vipOn = (hosts: string): Promise<true> =>
  eventually(`the VIP on host(s) ${hosts}`, () => (lab.holders(VIP).join() === hosts ? true : undefined));

for (const proto of [
  { name: 'VRRPv2 with PASS authentication', conf: { version: 2, password: 'l4b-pass' } },
  { name: 'VRRPv3', conf: { version: 3 } },
] as { name: string; conf: Partial<InstanceConf> }[]) {
  describe(`interop with keepalived 2.2.7, ${proto.name}`, () => {
    const conf = (priority: number): string => config(instanceBlock({ priority, ...proto.conf }));

    it('keepalived MASTER, keepalived-ts BACKUP: SIGTERM hands over with priority 0; keepalived preempts back', async () => {
      const ka = track(await lab.startKeepalived(lab.host(1), conf(150)));
      await ka.waitForLine(/\(VI_1\) Entering MASTER STATE/);
      const kts = track(await lab.startKts(lab.host(2), conf(100)));
      await kts.waitForLine(/\(VI_1\) Entering BACKUP STATE/);
      await hearsAdverts(kts, 1);
      const status = (await kts.query()) as { vrrp: { instances: Record<string, unknown>[] } };
      expect(status.vrrp.instances[0]).toMatchObject({
        state: 'BACKUP',
        masterAddress: lab.host(1).ip4,
        masterPriority: 150,
      });
      await vipOn('1');

      await ka.stop();
      suite.untrack(ka);
      await kts.waitForLine(/\(VI_1\) Backup received priority 0 advertisement/);
      await kts.waitForLine(/\(VI_1\) Entering MASTER STATE/);
      await vipOn('2');

      const mark = kts.lines.length;
      const ka2 = track(await lab.startKeepalived(lab.host(1), conf(150)));
      await ka2.waitForLine(/received lower priority \(100\) advert from 192\.0\.2\.12 - discarding/);
      await ka2.waitForLine(/\(VI_1\) Entering MASTER STATE/);
      await kts.waitForLine(
        /Master received advert from 192\.0\.2\.11 with higher priority 150, ours 100/,
        10_000,
        mark,
      );
      await kts.waitForLine(/\(VI_1\) Entering BACKUP STATE/, 10_000, mark);
      await vipOn('1');
      expect(kts.records.filter((r) => r.event === 'vrrp.drop')).toEqual([]);
      expect([...ka.lines, ...ka2.lines].filter((l) => DISAGREEMENT.test(l))).toEqual([]);
    });

    it('keepalived-ts MASTER, keepalived BACKUP: SIGKILL + cut cable hands over; keepalived-ts preempts back', async () => {
      const kts = track(await lab.startKts(lab.host(1), conf(150)));
      await kts.waitForLine(/\(VI_1\) Entering MASTER STATE/);
      const ka = track(await lab.startKeepalived(lab.host(2), conf(100)));
      await ka.waitForLine(/\(VI_1\) Entering BACKUP STATE/);
      await keepalivedHeard(ka, 2);
      expect(ka.lines.some((l) => /Entering MASTER STATE/.test(l))).toBe(false);
      await vipOn('1');

      kts.signal('SIGKILL');
      lab.setCable(lab.host(1), false);
      await ka.waitForLine(/\(VI_1\) Entering MASTER STATE/);
      await eventually('the VIP on h2', () => (lab.holders(VIP).includes(2) ? true : undefined));
      await kts.exited;
      // The killed daemon left its VIP behind (nothing could remove it): clear it before it returns.
      lab.exec(lab.host(1), ['ip', 'addr', 'del', `${VIP}/24`, 'dev', 'eth0']);
      lab.setCable(lab.host(1), true);

      const mark = ka.lines.length;
      const kts2 = track(await lab.startKts(lab.host(1), conf(150)));
      await kts2.waitForLine(/received lower priority \(100\) advert from 192\.0\.2\.12 - discarding/);
      await kts2.waitForLine(/\(VI_1\) Entering MASTER STATE/);
      await ka.waitForLine(
        /Master received advert from 192\.0\.2\.11 with higher priority 150, ours 100/,
        10_000,
        mark,
      );
      await ka.waitForLine(/\(VI_1\) Entering BACKUP STATE/, 10_000, mark);
      await vipOn('1');
      expect(kts2.records.filter((r) => r.event === 'vrrp.drop')).toEqual([]);
      expect(ka.lines.filter((l) => DISAGREEMENT.test(l))).toEqual([]);
    });
  });
}
