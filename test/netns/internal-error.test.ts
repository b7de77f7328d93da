/**
 * A bug that escapes in the daemon (issue 18): an uncaught exception must not leave a half-working
 * MASTER behind. The exception is injected from outside the product: node's `--import` preloads a
 * module that throws from an immediate callback when the process gets SIGWINCH, which keepalived-ts
 * does not handle. h1 (150) is MASTER, h2 (100) BACKUP; after the injected exception h1 must log
 * `daemon.internal-error`, send priority 0 (h2 counts it and takes over), remove its VIP and exit
 * 70 (EX_SOFTWARE), so systemd's Restart=on-failure would start it again.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/process.js';
import { eventually } from './lab.js';
import { CLI } from './netns.js';
import { useLab } from './use-lab.js';
import { config, instanceBlock } from './vrrp-conf.js';

const suite = useLab('ierr', 2);

const INJECT = `data:text/javascript,${encodeURIComponent(
  "process.on('SIGWINCH', () => setImmediate(() => { throw new Error('injected fault'); }));",
)}`;

describe('an uncaught exception in the daemon', () => {
  it('is logged, then the daemon stops as on SIGTERM (priority 0, VIP removed) and exits 70', async () => {
    const lab = suite.lab();
    const h1 = lab.host(1);
    const confPath = lab.file('ierr-h1.conf', config(instanceBlock({ priority: 150 })));
    const d1 = suite.track(
      lab.start(h1, [
        process.execPath,
        '--import',
        INJECT,
        CLI,
        '-f',
        confPath,
        '-n',
        '-D',
        '-p',
        join(lab.dir, 'ierr-h1.pid'),
        '--control-socket',
        join(lab.dir, 'ierr-h1.sock'),
      ]),
    );
    await d1.waitForLine(/Entering MASTER STATE/);
    const d2 = suite.track(await lab.startKts(lab.host(2), config(instanceBlock({ priority: 100 }))));
    await d2.waitForLine(/Entering BACKUP STATE/);
    expect(lab.holders('192.0.2.100')).toEqual([1]);

    d1.signal('SIGWINCH');
    const err = await d1.waitForRecord((r) => r.event === 'daemon.internal-error', 'daemon.internal-error');
    expect(err.msg).toBe('internal error (exception): Error: injected fault; stopping');
    expect(await d1.exited).toBe(70);
    expect(d1.records.some((r) => r.msg === '(VI_1) sent 0 priority')).toBe(true);
    await d2.waitForLine(/Entering MASTER STATE/);
    await waitFor(
      () => lab.holders('192.0.2.100').join() === '2',
      10_000,
      () => `holders ${lab.holders('192.0.2.100').join()}`,
    );
    const status = await eventually('h2 counted the priority-0 advert', async () => {
      const s = (await d2.query()) as { vrrp: { instances: { stats: Record<string, number> }[] } };
      return (s.vrrp.instances[0]?.stats.pri_zero_rcvd ?? 0) >= 1 ? s : undefined;
    });
    expect(status.vrrp.instances[0]?.stats.pri_zero_rcvd).toBeGreaterThanOrEqual(1);
  });
});
