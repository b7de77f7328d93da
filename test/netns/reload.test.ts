/**
 * SIGHUP reload (issue 7): a MASTER with a BACKUP beside it, behind them two real servers, a client
 * opening a connection per request and another holding one keep-alive connection. 100 reloads of
 * the unchanged configuration change nothing the network can see: no state change on either
 * director, the VIP never leaves, no GARP burst, no failed request, the keep-alive connection is
 * never dropped. Then a reload that changes things applies the difference, and a broken
 * configuration is refused with the running one kept.
 */
import { describe, expect, it } from 'vitest';
import { eventually, type Daemon, type Lab, type LogRecord } from './lab.js';
import { PACKAGE_ROOT } from './netns.js';
import { useLab } from './use-lab.js';
import { config, httpRealServer, instanceBlock } from './vrrp-conf.js';

const BACKEND = `${PACKAGE_ROOT}/test/netns/scripts/backend.mjs`;
const CLIENT = `${PACKAGE_ROOT}/test/netns/scripts/client.mjs`;
const VIP = '192.0.2.100';
const RELOADS = 100;

let lab: Lab;
const suite = useLab('reld', 4, { setup: (l) => (lab = l) });

interface Reply {
  readonly t: number;
  readonly ok: boolean;
  readonly body?: string;
  readonly error?: string;
  readonly port?: number;
}
const replies = (d: Daemon): Reply[] =>
  d.lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Reply);

function conf(priority: number, vips: readonly string[], servers: readonly string[]): string {
  return config(
    instanceBlock({ priority, version: 3, advertInt: 0.2, vips }),
    [
      `virtual_server ${VIP} 80 {`,
      '  delay_loop 1',
      '  lb_algo rr',
      '  lb_kind NAT',
      '  protocol TCP',
      ...servers,
      '}',
    ].join('\n'),
  );
}

const transitions = (d: Daemon): LogRecord[] => d.records.filter((r) => r.event === 'vrrp.transition');

describe('SIGHUP reload', () => {
  it(`${RELOADS} reloads of a MASTER under traffic: no state change, no lost VIP, no GARP, no dropped connection`, async () => {
    for (const i of [3, 4]) {
      const h = lab.host(i);
      const b = suite.track(
        lab.start(h, [process.execPath, BACKEND, `rs${i}`, h.ip4, '8080', lab.dir], `rs${i}`),
      );
      await b.waitForLine(/listening/);
    }
    const servers = [httpRealServer(lab.host(3).ip4), httpRealServer(lab.host(4).ip4)];
    const master = suite.track(await lab.startKts(lab.host(1), conf(150, [`${VIP}/24`], servers)));
    const backup = suite.track(await lab.startKts(lab.host(2), conf(100, [`${VIP}/24`], servers)));
    await master.waitForLine(/Entering MASTER STATE/);
    await backup.waitForLine(/Entering BACKUP STATE/);
    await master.waitForLine(/Dispatcher listening on TCP 192\.0\.2\.100:80/);
    const fresh = suite.track(
      lab.start(lab.client, [process.execPath, CLIENT, `http://${VIP}/`, 'fresh'], 'fresh'),
    );
    const held = suite.track(
      lab.start(lab.client, [process.execPath, CLIENT, `http://${VIP}/`, 'keepalive'], 'keepalive'),
    );
    await eventually('traffic', () =>
      replies(fresh).length >= 20 && replies(held).length >= 3 ? true : undefined,
    );
    // keepalived's second GARP burst comes garp_master_delay (5 s) after becoming MASTER: let it
    // pass (its GARPs follow the log line within milliseconds).
    await eventually(
      'the second GARP burst',
      () => (master.records.filter((r) => r.event === 'vrrp.garp').length >= 2 ? true : undefined),
      15_000,
    );
    await new Promise((r) => setTimeout(r, 200));
    const capture = await lab.capture('reload');
    const before = { master: transitions(master).length, backup: transitions(backup).length };

    for (let i = 1; i <= RELOADS; i++) {
      master.signal('SIGHUP');
      await eventually(`reload ${i}`, () =>
        master.records.filter((r) => r.event === 'daemon.reloaded').length >= i ? true : undefined,
      );
      expect(lab.holders(VIP)).toEqual([1]);
    }
    const seen = replies(fresh).length;
    await eventually('more traffic', () => (replies(fresh).length >= seen + 20 ? true : undefined));
    const frames = await capture.stop();

    expect(transitions(master)).toHaveLength(before.master);
    expect(transitions(backup)).toHaveLength(before.backup);
    // Gratuitous: sender address = target address = the VIP (ARP replies to the client are not).
    const gratuitous = frames.filter(
      (f) =>
        f.kind === 'arp' &&
        f.from === VIP &&
        f.bytes.subarray(28, 32).join() === f.bytes.subarray(38, 42).join(),
    );
    expect(gratuitous).toEqual([]);
    expect(master.records.filter((r) => /^(Removing|Adding) service/.test(r.msg))).toEqual([]);
    expect(replies(fresh).filter((r) => !r.ok)).toEqual([]);
    // One keep-alive connection the whole time: its local port never changed.
    expect(replies(held).every((r) => r.ok)).toBe(true);
    expect(new Set(replies(held).map((r) => r.port)).size).toBe(1);
    expect(master.records.filter((r) => r.event === 'daemon.reloaded')).toHaveLength(RELOADS);

    // A reload that changes things applies the difference: a second VIP, one real server less.
    // Both directors get the change, as an operator would do it: a backup whose VIP list differs
    // from the master's adverts rejects them (keepalived: "not present in MASTER advert") and
    // takes over after its down timer.
    lab.file('kts-h1.conf', conf(150, [`${VIP}/24`, '192.0.2.101/24'], [servers[0] as string]));
    lab.file('kts-h2.conf', conf(100, [`${VIP}/24`, '192.0.2.101/24'], [servers[0] as string]));
    master.signal('SIGHUP');
    backup.signal('SIGHUP');
    await eventually('reload with changes', () =>
      master.records.filter((r) => r.event === 'daemon.reloaded').length > RELOADS &&
      backup.records.some((r) => r.event === 'daemon.reloaded')
        ? true
        : undefined,
    );
    await eventually('the second VIP', () => (lab.holders('192.0.2.101').join() === '1' ? true : undefined));
    expect(lab.holders(VIP)).toEqual([1]);
    const table = await master.queryText('ipvsadm');
    expect(table).toContain(`${lab.host(3).ip4}:8080`);
    expect(table).not.toContain(`${lab.host(4).ip4}:8080`);
    expect(transitions(master)).toHaveLength(before.master);
    expect(transitions(backup)).toHaveLength(before.backup);

    // A broken configuration is refused: the running one stays.
    lab.file('kts-h1.conf', 'vrrp_instance VI_1 {\n  virtual_router_id 300\n');
    master.signal('SIGHUP');
    await master.waitForRecord((r) => r.event === 'daemon.reload-refused', 'the refusal');
    expect(lab.holders(VIP)).toEqual([1]);
    expect(lab.holders('192.0.2.101')).toEqual([1]);
    expect(transitions(master)).toHaveLength(before.master);
    expect(transitions(backup)).toHaveLength(before.backup);
    expect(master.running).toBe(true);
  });
});
