/**
 * Health-driven route announcement (announce_table, docs/bgp.md) on a real kernel: a director
 * with two real servers keeps `VIP/32 dev lo table 100 proto keepalived` while the virtual server
 * has quorum (the default quorum 1: any real server alive), withdraws it when both real servers
 * die, announces it again when one comes back, and withdraws it on SIGTERM; with `instance NAME`
 * it also withdraws it while that vrrp_instance is in FAULT (its tracked interface down). Checked
 * with iproute2 in the director's namespace; every step waits on the route or a log line.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { eventually, type Daemon, type Lab, type LogRecord } from './lab.js';
import { useLab } from './use-lab.js';
import { announcedHttpService, config, httpRealServer } from './vrrp-conf.js';

const BACKEND = fileURLToPath(new URL('./scripts/backend.mjs', import.meta.url));
const VIP = '203.0.113.10';
const VS = `[${VIP}]:tcp:80`;

let lab: Lab;
const suite = useLab('ann', 3, { setup: (l) => (lab = l) });

/** Table 100 of the director, as iproute2 shows it; a table not there (yet, or any more) is empty. */
const table100 = (): string => {
  try {
    return lab.exec(lab.host(1), ['ip', 'route', 'show', 'table', '100']).trim();
  } catch (err) {
    if (/table does not exist/.test((err as Error).message)) return '';
    throw err;
  }
};
const announced = (): boolean => table100().includes(`${VIP} dev lo`);

async function backend(i: number): Promise<Daemon> {
  const h = lab.host(i);
  const b = suite.track(
    lab.start(h, [process.execPath, BACKEND, `rs${i}`, h.ip4, '8080', lab.dir], `rs${i}`),
  );
  await b.waitForLine(/listening/);
  return b;
}

describe('announce_table', () => {
  it('the VIP route follows quorum and goes on stop', async () => {
    const rs2 = await backend(2);
    const rs3 = await backend(3);
    const conf = config(announcedHttpService(VIP, [lab.host(2).ip4, lab.host(3).ip4]));
    const director = suite.track(await lab.startKts(lab.host(1), conf));
    await eventually('the VIP route in table 100', () => (announced() ? true : undefined));
    expect(table100()).toBe(`${VIP} dev lo proto keepalived scope link`);
    const up = director.records.find((r) => r.event === 'check.announce.up');
    expect(up).toMatchObject({ prefix: `${VIP}/32`, table: 100, dev: 'lo', vs: VS });
    expect(up?.msg).toBe(`Announcing ${VIP}/32 in table 100 dev lo for VS ${VS}`);

    // One real server dies: quorum (1) holds, the route stays.
    suite.untrack(rs2);
    rs2.signal('SIGKILL');
    await director.waitForRecord(
      (r: LogRecord) => r.msg === `Removing service [${lab.host(2).ip4}]:tcp:8080 from VS ${VS}`,
      'rs2 removed',
    );
    expect(announced()).toBe(true);

    // Both dead: quorum lost, the route is withdrawn.
    suite.untrack(rs3);
    rs3.signal('SIGKILL');
    await director.waitForRecord((r: LogRecord) => r.event === 'check.quorum.down', 'quorum lost');
    await eventually('the VIP route withdrawn', () => (announced() ? undefined : true));
    expect(director.records.find((r) => r.event === 'check.announce.down')).toMatchObject({
      prefix: `${VIP}/32`,
      reason: 'quorum-down',
      msg: `Withdrawing ${VIP}/32 from table 100 for VS ${VS} (quorum-down)`,
    });

    // One comes back: announced again.
    await backend(3);
    await eventually('the VIP route back', () => (announced() ? true : undefined), 15_000);
    // The status document counts them.
    expect(((await director.query()) as { announce?: unknown }).announce).toEqual({
      routes: 1,
      present: 1,
      announced: 2,
      withdrawn: 1,
      failed: 0,
    });

    // SIGTERM: withdrawn before the daemon exits.
    suite.untrack(director);
    expect(await director.stop()).toBe(0);
    expect(announced()).toBe(false);
    expect(director.records.filter((r) => r.event === 'check.announce.down').map((r) => r.reason)).toEqual([
      'quorum-down',
      'stop',
    ]);
    expect(director.records.filter((r) => r.event === 'check.announce.error')).toEqual([]);
  });

  it('with instance NAME the route also goes while that vrrp_instance is in FAULT', async () => {
    await backend(2);
    lab.addLink(lab.host(1), 'trk0');
    const conf = config(
      [
        'vrrp_instance VI_T {',
        '  state BACKUP',
        '  interface eth0',
        '  virtual_router_id 77',
        '  priority 100',
        '  advert_int 1',
        '  track_interface {',
        '    trk0',
        '  }',
        '  virtual_ipaddress {',
        '    198.51.100.77/32',
        '  }',
        '}',
        `virtual_server ${VIP} 80 {`,
        '  delay_loop 1',
        '  lb_algo rr',
        '  lb_kind NAT',
        '  protocol TCP',
        '  announce_table 100 instance VI_T',
        httpRealServer(lab.host(2).ip4, { warmup0: true }),
        '}',
      ].join('\n'),
    );
    const director = suite.track(await lab.startKts(lab.host(1), conf));
    await eventually('the VIP route in table 100', () => (announced() ? true : undefined));
    // The tracked interface goes down: VI_T enters FAULT, the route goes though quorum holds.
    lab.setInterface(lab.host(1), 'trk0', false);
    await director.waitForRecord((r: LogRecord) => /Entering FAULT STATE/.test(r.msg), 'VI_T in FAULT');
    await eventually('the VIP route withdrawn by the fault', () => (announced() ? undefined : true));
    expect(director.records.filter((r) => r.event === 'check.announce.down').map((r) => r.reason)).toEqual([
      'fault',
    ]);
    // It comes back up: the fault ends, the route is announced again.
    lab.setInterface(lab.host(1), 'trk0', true);
    await eventually('the VIP route back after the fault', () => (announced() ? true : undefined), 15_000);
    suite.untrack(director);
    expect(await director.stop()).toBe(0);
    expect(announced()).toBe(false);
  });
});
