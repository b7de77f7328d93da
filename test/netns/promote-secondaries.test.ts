/**
 * promote_secondaries without a VMAC (keepalived 2.2.7 set_promote_secondaries() and its reset
 * at stop): the instance's interface gets net.ipv4.conf.IF.promote_secondaries=1 while the daemon
 * runs, and 0 again when it stops, where it was 0 before.
 */
import { describe, expect, it } from 'vitest';
import type { Lab } from './lab.js';
import { useLab } from './use-lab.js';
import { config, instanceBlock } from './vrrp-conf.js';

let lab: Lab;
const suite = useLab('ps', 1, { setup: (l) => (lab = l) });

const SYSCTL = '/proc/sys/net/ipv4/conf/eth0/promote_secondaries';
const promote = (): string => lab.exec(lab.host(1), ['cat', SYSCTL]).trim();

describe('promote_secondaries', () => {
  it('is on for the instance interface while the daemon runs, off again after it stops', async () => {
    lab.exec(lab.host(1), ['sh', '-c', `echo 0 > ${SYSCTL}`]);
    expect(promote()).toBe('0');
    const h = suite.track(
      await lab.startKts(
        lab.host(1),
        config(instanceBlock({ priority: 150, extra: ['promote_secondaries'] })),
      ),
    );
    await h.waitForLine(/Entering (MASTER|BACKUP) STATE/);
    expect(promote()).toBe('1');
    suite.untrack(h);
    expect(await h.stop()).toBe(0);
    expect(promote()).toBe('0');
  });
});
