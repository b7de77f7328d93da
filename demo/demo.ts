/**
 * `npm run demo`: a director pair in network namespaces, told as it happens. Two keepalived-ts
 * directors share the VIP 192.0.2.100 (VRRPv3, 0.5 s adverts) and proxy port 80 to three real
 * servers with HTTP_GET checks; a client requests http://192.0.2.100/ on a new connection each
 * time. The demo kills a real server (the checker removes it), brings it back, crashes the MASTER
 * (cable cut: the BACKUP takes over; the gap the client saw is measured), restarts it (it preempts
 * back), and cleans up. Every step is checked: runDemo() resolves false if one misbehaved.
 */
import { join } from 'node:path';
import { eventually, Lab, type Daemon, type LabHost, type LogRecord } from '../test/netns/lab.js';
import { PACKAGE_ROOT } from '../test/netns/netns.js';
import { config, httpRealServer, instanceBlock } from '../test/netns/vrrp-conf.js';

const VIP = '192.0.2.100';
const ADVERT_S = 0.5;
/** The client gives up on a request after this and sends the next one. */
const CLIENT_TIMEOUT_MS = 500;
const BACKEND = join(PACKAGE_ROOT, 'test/netns/scripts/backend.mjs');
const CLIENT = join(PACKAGE_ROOT, 'test/netns/scripts/client.mjs');

interface Reply {
  readonly t: number;
  readonly ok: boolean;
  readonly body?: string;
  readonly error?: string;
}

/** Where the demo's lines go. */
export type Say = (line: string) => void;

function directorConf(priority: number, servers: readonly LabHost[]): string {
  const rs = servers.map((h) => httpRealServer(h.ip4));

  return config(
    instanceBlock({ priority, version: 3, advertInt: ADVERT_S, vips: [`${VIP}/24`] }),
    [
      `virtual_server ${VIP} 80 {`,
      '  delay_loop 1',
      '  lb_algo rr',
      '  lb_kind NAT',
      '  protocol TCP',
      ...rs,
      '}',
    ].join('\n'),
  );
}

const EVENTS = new Set([
  'vrrp.transition',
  'check.rs.down',
  'check.rs.up',
  'dispatch.listening',
  'daemon.started',
  'daemon.stopping',
]);

/**
 * Run the demo; resolves true when every step behaved. Cleans up whatever happens; `onLab` gets a
 * function that tears the lab down at once (for Ctrl-C).
 */
export async function runDemo(say: Say, onLab?: (destroy: () => void) => void): Promise<boolean> {
  const t0 = Date.now();
  const stamp = (): string => `[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s]`;
  const log = (line: string): void => say(`${stamp()} ${line}`);
  let failures = 0;
  const check = (ok: boolean, what: string): void => {
    log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
    if (!ok) failures++;
  };

  const lab = Lab.create('demo', 5);
  onLab?.(() => lab.destroy());
  const procs: Daemon[] = [];
  const watched = new Map<Daemon, { name: string; seen: number }>();
  const watch = (d: Daemon, name: string): Daemon => {
    procs.push(d);
    watched.set(d, { name, seen: 0 });
    return d;
  };
  // Print the daemons' interesting log events as they arrive.
  const ticker = setInterval(() => {
    for (const [d, w] of watched) {
      const records = d.records;
      for (const r of records.slice(w.seen)) if (r.event && EVENTS.has(r.event)) log(`${w.name}: ${r.msg}`);
      w.seen = records.length;
    }
  }, 100);

  try {
    const [d1, d2, ...servers] = lab.hosts as [LabHost, LabHost, ...LabHost[]];
    log(
      `lab: directors ${d1.ip4} (priority 150) and ${d2.ip4} (priority 100) share VIP ${VIP}; real servers ${servers.map((h) => h.ip4).join(', ')}; client ${lab.client.ip4}`,
    );
    const backends = new Map<LabHost, Daemon>();
    const startBackend = async (h: LabHost, i: number): Promise<void> => {
      const b = lab.start(h, [process.execPath, BACKEND, `rs${i + 1}`, h.ip4, '8080', lab.dir], `rs${i + 1}`);
      procs.push(b);
      await b.waitForLine(/listening/);
      backends.set(h, b);
    };
    await Promise.all(servers.map(startBackend));
    log('real servers rs1, rs2, rs3 answer on port 8080');

    const start = async (h: LabHost, priority: number, name: string): Promise<Daemon> =>
      watch(await lab.startKts(h, directorConf(priority, servers)), name);
    let master = await start(d1, 150, 'director1');
    const backup = await start(d2, 100, 'director2');
    await master.waitForLine(/Entering MASTER STATE/, 20_000);
    await backup.waitForLine(/Entering BACKUP STATE/, 20_000);
    await master.waitForLine(/Dispatcher listening on TCP 192\.0\.2\.100:80/);
    check(lab.holders(VIP).join() === '1', `election: director1 is MASTER and holds ${VIP}`);

    const client = lab.start(
      lab.client,
      [process.execPath, CLIENT, `http://${VIP}/`, 'fresh', String(CLIENT_TIMEOUT_MS)],
      'client',
    );
    procs.push(client);
    const replies = (): Reply[] =>
      client.lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Reply);
    const more = async (n: number, what: string, timeoutMs = 20_000): Promise<Reply[]> => {
      const from = replies().length;
      await eventually(what, () => (replies().length >= from + n ? true : undefined), timeoutMs);
      return replies().slice(from, from + n);
    };
    const spread = (rs: Reply[]): string => {
      const m = new Map<string, number>();
      for (const r of rs)
        m.set(r.ok ? (r.body ?? '?') : 'failed', (m.get(r.ok ? (r.body ?? '?') : 'failed') ?? 0) + 1);
      return [...m]
        .sort()
        .map(([k, n]) => `${k} ${n}`)
        .join(', ');
    };

    let batch = await more(90, '90 replies');
    log(`client: 90 requests through the VIP: ${spread(batch)}`);
    check(
      ['rs1', 'rs2', 'rs3'].every((s) => batch.filter((r) => r.body === s).length >= 25) &&
        batch.every((r) => r.ok),
      'traffic spread round robin over the three real servers, no failed request',
    );
    log(`director1 table (ipvsadm -Ln):\n${(await master.queryText('ipvsadm')).trimEnd()}`);

    // A real server dies: the checker removes it; no request fails after that.
    const victim = servers[1] as LabHost;
    log('killing real server rs2');
    backends.get(victim)?.signal('SIGKILL');
    const removed = await master.waitForRecord(
      (r: LogRecord) => r.event === 'check.rs.down' && String(r.rs).includes(victim.ip4),
      'rs2 removed',
    );
    batch = await more(60, '60 replies after the removal');
    const afterRemoval = replies().filter((r) => r.t > (removed.time ?? 0));
    log(`client after the removal: ${spread(afterRemoval)}`);
    check(
      afterRemoval.every((r) => r.ok && r.body !== 'rs2'),
      'rs2 removed by its health check; no request failed or reached it afterwards',
    );
    await startBackend(victim, 1);
    await master.waitForRecord(
      (r: LogRecord) =>
        r.event === 'check.rs.up' && String(r.rs).includes(victim.ip4) && (r.time ?? 0) > (removed.time ?? 0),
      'rs2 back',
    );
    batch = await more(60, '60 replies with rs2 back');
    check(
      batch.some((r) => r.body === 'rs2'),
      `rs2 restarted and back in the table: ${spread(batch)}`,
    );

    // The MASTER crashes (and its cable is cut, so its VIP leaves the LAN with it).
    const gap = async (
      what: string,
      act: () => void | Promise<void>,
      newMaster: () => Daemon,
    ): Promise<void> => {
      const from = replies().length;
      const at = Date.now();
      await act();
      await newMaster().waitForLine(/Entering MASTER STATE/, 20_000, 0);
      await more(40, `40 replies after ${what}`);
      const around = replies().slice(Math.max(0, from - 1));
      const failures = around.filter((r) => !r.ok && r.t >= at - 100);
      const failed = `${failures.length}${failures.length ? ` (${[...new Set(failures.map((r) => r.error ?? 'status'))].join(', ')})` : ''}`;
      const oks = around.filter((r) => r.ok);
      let worst = 0;
      for (let i = 1; i < oks.length; i++)
        worst = Math.max(worst, (oks[i] as Reply).t - (oks[i - 1] as Reply).t);
      log(`client across ${what}: longest gap between answers ${worst} ms, ${failed} failed request(s)`);
      // A crash waits Master_Down_Interval (3 × 0.5 s + skew); add one TCP SYN retransmit (1 s).
      check(
        worst < 3 * ADVERT_S * 1000 + 1000 + 1500,
        `${what}: the client was served again within ${worst} ms`,
      );
    };
    await gap(
      'the MASTER crash',
      () => {
        log('crashing director1 (SIGKILL, cable cut)');
        lab.crash(d1);
        lab.setCable(d1, false);
        watched.delete(master);
      },
      () => backup,
    );
    check(
      backup.records.some((r) => r.msg === '(VI_1) Entering MASTER STATE') && lab.holders(VIP).includes(2),
      `failover: director2 is MASTER and holds ${VIP} (director1's cable is cut)`,
    );

    // director1 comes back and preempts (priority 150 > 100).
    await gap(
      'director1 coming back',
      async () => {
        log('restarting director1 (cable back)');
        lab.setCable(d1, true);
        master = await start(d1, 150, 'director1');
      },
      () => master,
    );
    await backup.waitForLine(
      /Entering BACKUP STATE/,
      20_000,
      backup.lines.findIndex((l) => l.includes('Entering MASTER STATE')) + 1,
    );
    check(lab.holders(VIP).join() === '1', `preemption: director1 is MASTER again and holds ${VIP}`);
    batch = await more(60, '60 final replies');
    check(
      batch.every((r) => r.ok),
      `traffic after everything: ${spread(batch)}`,
    );
  } catch (err) {
    failures++;
    log(`FAIL ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    clearInterval(ticker);
    await Promise.all(procs.map((d) => d.stop(3000)));
    lab.destroy();
    log('cleaned up: daemons stopped, namespaces removed');
  }
  log(failures === 0 ? 'every step behaved' : `${failures} step(s) misbehaved`);
  return failures === 0;
}
