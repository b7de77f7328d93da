/**
 * Trackers and notifications between two keepalived-ts directors (issue 4, scenarios 6 and 7):
 * a tracked interface going down faults the master (priority 0 on the wire, the backup takes
 * over) and coming back up restores it; a vrrp_script's weight moves the election; notify scripts
 * get keepalived's argv and the notify FIFO gets keepalived's lines, in order.
 */
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventually, type Daemon, type Lab } from './lab.js';
import { useLab } from './use-lab.js';
import { config, instanceBlock } from './vrrp-conf.js';

const VIP = '192.0.2.100';

let lab: Lab;
const suite = useLab('tr', 2, {
  setup: (l) => {
    lab = l;
    lab.addLink(lab.host(1), 'eth1');
  },
  reset: (l) => l.setInterface(l.host(1), 'eth1', true),
});

async function start(host: number, conf: string): Promise<Daemon> {
  return suite.track(await lab.startKts(lab.host(host), conf));
}

const vipOn = (hosts: string): Promise<true> =>
  eventually(`the VIP on host(s) ${hosts}`, () => (lab.holders(VIP).join() === hosts ? true : undefined));

describe('trackers and notifications', () => {
  it('track_interface down on the master: FAULT with priority 0, the backup takes over; up again: it returns', async () => {
    const h1 = await start(
      1,
      config(instanceBlock({ priority: 150, extra: ['track_interface {', '  eth1', '}'] })),
    );
    await h1.waitForLine(/Entering MASTER STATE/);
    const h2 = await start(2, config(instanceBlock({ priority: 100 })));
    await h2.waitForLine(/Entering BACKUP STATE/);
    const cap = await lab.capture('track-if');

    lab.setInterface(lab.host(1), 'eth1', false);
    await h1.waitForLine(/Netlink reports eth1 down/);
    await h1.waitForLine(/\(VI_1\): entering FAULT state \(interface eth1 down\)/);
    await h1.waitForLine(/\(VI_1\) Entering FAULT STATE/);
    await h2.waitForLine(/Backup received priority 0 advertisement/);
    await h2.waitForLine(/Entering MASTER STATE/);
    await vipOn('2');
    const zero = cap
      .frames()
      .filter((f) => f.kind === 'vrrp' && f.from === lab.host(1).ip4 && f.priority === 0);
    expect(zero.length).toBeGreaterThanOrEqual(1);
    const fault = h1.records.find((r) => r.event === 'vrrp.transition' && r.to === 'FAULT');
    expect(fault).toMatchObject({ from: 'MASTER', reason: 'fault', detail: 'interface eth1' });

    const mark = h2.lines.length;
    lab.setInterface(lab.host(1), 'eth1', true);
    await h1.waitForLine(/Netlink reports eth1 up/);
    await h1.waitForLine(/Entering BACKUP STATE/);
    await h1.waitForLine(/Entering MASTER STATE/);
    await h2.waitForLine(/Entering BACKUP STATE/, 10_000, mark);
    await vipOn('1');
    await cap.stop();
  });

  it('a failing vrrp_script lowers the weight below the peer; notify argv and FIFO lines follow each change', async () => {
    const dir = lab.dir;
    const failFlag = join(dir, 'chk-fail');
    const notifyLog = join(dir, 'notify.log');
    const masterLog = join(dir, 'master.log');
    const fifoLog = join(dir, 'fifo.log');
    rmSync(failFlag, { force: true });
    lab.file('chk.sh', `#!/bin/sh\ntest ! -e '${failFlag}'\n`, 0o755);
    lab.file('notify.sh', `#!/bin/sh\necho "$*" >> '${notifyLog}'\n`, 0o755);
    lab.file('master.sh', `#!/bin/sh\necho "master argc=$#" >> '${masterLog}'\n`, 0o755);
    lab.file('fifo-reader.sh', `#!/bin/sh\nexec cat "$1" >> '${fifoLog}'\n`, 0o755);
    const h1Conf = config(
      'vrrp_script chk {',
      `  script "${join(dir, 'chk.sh')}"`,
      '  interval 1',
      '  weight -60',
      '}',
      instanceBlock({
        priority: 150,
        extra: [
          'track_script {',
          '  chk',
          '}',
          `notify "${join(dir, 'notify.sh')}"`,
          `notify_master "${join(dir, 'master.sh')}"`,
        ],
      }),
    ).replace(
      'global_defs {',
      `global_defs {\n  vrrp_notify_fifo ${join(dir, 'vrrp.fifo')}\n  vrrp_notify_fifo_script "${join(dir, 'fifo-reader.sh')}"`,
    );

    const h1 = await start(1, h1Conf);
    await h1.waitForLine(/VRRP_Script\(chk\) succeeded/);
    await h1.waitForLine(/Entering MASTER STATE/);
    const h2 = await start(2, config(instanceBlock({ priority: 100 })));
    await h2.waitForLine(/Entering BACKUP STATE/);
    await eventually('notify MASTER', () =>
      lab.readText(notifyLog).includes('INSTANCE VI_1 MASTER 150') ? true : undefined,
    );
    expect(lab.readText(masterLog)).toBe('master argc=0\n');

    writeFileSync(failFlag, '');
    await h1.waitForLine(/VRRP_Script\(chk\) failed \(exited with status 1\)/);
    await h1.waitForLine(/\(VI_1\) Changing effective priority from 150 to 90/);
    await h2.waitForLine(/received lower priority \(90\) advert from 192\.0\.2\.11 - discarding/);
    await h2.waitForLine(/Entering MASTER STATE/);
    await h1.waitForLine(/Master received advert from 192\.0\.2\.12 with higher priority 100, ours 90/);
    await vipOn('2');

    rmSync(failFlag);
    await h1.waitForLine(
      /VRRP_Script\(chk\) succeeded/,
      15_000,
      h1.lines.findIndex((l) => l.includes('failed')),
    );
    await h1.waitForLine(/\(VI_1\) Changing effective priority from 90 to 150/);
    const mark = h1.lines.findIndex((l) => l.includes('from 90 to 150'));
    await h1.waitForLine(/Entering MASTER STATE/, 15_000, mark);
    await vipOn('1');

    await eventually('the last notify', () =>
      lab.readText(notifyLog).split('\n').filter(Boolean).length >= 4 ? true : undefined,
    );
    expect(lab.readText(notifyLog).split('\n').filter(Boolean)).toEqual([
      'INSTANCE VI_1 BACKUP 150',
      'INSTANCE VI_1 MASTER 150',
      'INSTANCE VI_1 BACKUP 90',
      'INSTANCE VI_1 MASTER 150',
    ]);
    expect(lab.readText(masterLog)).toBe('master argc=0\nmaster argc=0\n');
    await eventually('the FIFO lines', () =>
      lab.readText(fifoLog).split('\n').filter(Boolean).length >= 4 ? true : undefined,
    );
    expect(lab.readText(fifoLog).split('\n').filter(Boolean)).toEqual([
      'INSTANCE "VI_1" BACKUP 150',
      'INSTANCE "VI_1" MASTER 150',
      'INSTANCE "VI_1" BACKUP 90',
      'INSTANCE "VI_1" MASTER 150',
    ]);

    await h1.stop();
    suite.untrack(h1);
    await eventually('notify STOP', () =>
      lab.readText(notifyLog).includes('INSTANCE VI_1 STOP 150') ? true : undefined,
    );
    // The FIFO keepalived-ts created is gone with it.
    expect(existsSync(join(dir, 'vrrp.fifo'))).toBe(false);
  });

  it('a track_file value times its weight moves the effective priority (init_file creates it)', async () => {
    const file = join(lab.dir, 'weight.track');
    rmSync(file, { force: true });
    const conf = config(
      'track_file tf {',
      `  file "${file}"`,
      '  weight -30',
      '  init_file 0',
      '}',
      instanceBlock({ priority: 150, extra: ['track_file {', '  tf', '}'] }),
    );
    const h1 = await start(1, conf);
    await h1.waitForLine(/Entering MASTER STATE/);
    expect(lab.readText(file).trim()).toBe('0');
    const priority = async (): Promise<number> => {
      const s = (await h1.query()) as { vrrp: { instances: { effectivePriority: number }[] } };
      return s.vrrp.instances[0]?.effectivePriority ?? -1;
    };
    expect(await priority()).toBe(150);

    writeFileSync(file, '2\n');
    await h1.waitForLine(/\(VI_1\) Changing effective priority from 150 to 90/);
    expect(await priority()).toBe(90);
    writeFileSync(file, '0\n');
    await h1.waitForLine(/\(VI_1\) Changing effective priority from 90 to 150/);
    expect(await priority()).toBe(150);
  });
});
