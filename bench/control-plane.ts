/**
 * Benchmark: the control plane under load (issue 8). A keepalived-ts MASTER (priority 150) and
 * BACKUP (100) share the VIP; the MASTER's embedded dispatcher proxies port 80 to two real servers.
 * Each scenario runs for SECONDS while the MASTER's adverts are captured on the bridge:
 *   idle         nothing else
 *   saturated    wrk opens a new connection per request through the VIP (the data-plane worker at
 *                100% of a core)
 *   cpu-hog      two busy loops in the MASTER's namespace (both cores taken)
 *   both         wrk and the busy loops together
 * Printed per scenario: adverts seen, the mean interval, p99 and max deviation from advert_int
 * (target: under 10%), requests served, and whether the BACKUP took over (target: never).
 *
 * Run as root with wrk installed: `npm run bench:control-plane` (SECONDS=20, ADVERT=1: advert_int in
 * seconds, VRRPv2 for 1 and above, VRRPv3 below).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Lab, type CapturedFrame, type Daemon } from '../test/netns/lab.js';
import { PACKAGE_ROOT } from '../test/netns/netns.js';
import { config, httpRealServer, instanceBlock } from '../test/netns/vrrp-conf.js';
import { requireCommand, sleep } from './common.js';

const SECONDS = Number(process.env.SECONDS ?? 20);
const ADVERT_S = Number(process.env.ADVERT ?? 1);
const VIP = '192.0.2.100';
const BACKEND = `${PACKAGE_ROOT}/test/netns/scripts/backend.mjs`;

interface Scenario {
  readonly name: string;
  readonly wrk: boolean;
  readonly hog: boolean;
}
const SCENARIOS: readonly Scenario[] = [
  { name: 'idle', wrk: false, hog: false },
  { name: 'saturated', wrk: true, hog: false },
  { name: 'cpu-hog', wrk: false, hog: true },
  { name: 'both', wrk: true, hog: true },
];

function conf(priority: number, servers: readonly string[]): string {
  return config(
    instanceBlock({ priority, advertInt: ADVERT_S, ...(ADVERT_S < 1 ? { version: 3 as const } : {}) }),
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

function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
}

interface Row {
  readonly scenario: string;
  readonly adverts: number;
  readonly meanMs: number;
  readonly p99DevPct: number;
  readonly maxDevPct: number;
  readonly requests: number;
  readonly takeovers: number;
}

async function run(lab: Lab, backup: Daemon, s: Scenario): Promise<Row> {
  const cap = await lab.capture(`cp-${s.name}`);
  const procs: ChildProcess[] = [];
  const inNs = (ns: string, argv: string[]): ChildProcess => {
    const p = spawn('ip', ['netns', 'exec', ns, ...argv], {
      stdio: ['ignore', 'pipe', 'ignore'],
      detached: true,
    });
    procs.push(p);
    return p;
  };
  if (s.hog) for (let i = 0; i < 2; i++) inNs(lab.host(1).ns, [process.execPath, '-e', 'for (;;) {}']);
  let wrkOut = '';
  let wrkDone: Promise<unknown> = Promise.resolve();
  if (s.wrk) {
    const w = inNs(lab.client.ns, [
      'wrk',
      '-t1',
      '-c64',
      `-d${SECONDS}s`,
      '-H',
      'Connection: close',
      `http://${VIP}/`,
    ]);
    w.stdout?.on('data', (c: Buffer) => (wrkOut += c.toString()));
    wrkDone = new Promise((r) => w.once('exit', r));
  }
  const mark = backup.lines.length;
  const t0 = Date.now();
  await sleep(SECONDS * 1000);
  await Promise.race([wrkDone, sleep(5000)]);
  for (const p of procs)
    try {
      if (p.pid) process.kill(-p.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  await sleep(300);
  const frames = await cap.stop();
  const adverts = frames.filter(
    (f: CapturedFrame) =>
      f.kind === 'vrrp' && f.srcMac === lab.host(1).mac && f.atMs >= t0 && f.priority !== 0,
  );
  const intervals = adverts.slice(1).map((f, i) => f.atMs - (adverts[i] as CapturedFrame).atMs);
  const dev = intervals.map((d) => (Math.abs(d - ADVERT_S * 1000) / (ADVERT_S * 1000)) * 100);
  const requests = Number(/(\d+) requests in/.exec(wrkOut)?.[1] ?? 0);
  return {
    scenario: s.name,
    adverts: adverts.length,
    meanMs: intervals.reduce((a, b) => a + b, 0) / Math.max(1, intervals.length),
    p99DevPct: percentile(dev, 99),
    maxDevPct: Math.max(0, ...dev),
    requests,
    takeovers: backup.lines.slice(mark).filter((l) => l.includes('Entering MASTER STATE')).length,
  };
}

async function main(): Promise<void> {
  requireCommand('wrk', 'wrk');
  const lab = Lab.create('cplane', 4);
  const daemons: Daemon[] = [];
  // Ctrl-C: remove the lab, then die of SIGINT as usual.
  const stop = (): void => {
    lab.destroy();
    process.kill(process.pid, 'SIGINT');
  };
  process.once('SIGINT', stop);
  try {
    for (const i of [3, 4]) {
      const h = lab.host(i);
      const b = lab.start(h, [process.execPath, BACKEND, `rs${i}`, h.ip4, '8080', lab.dir], `rs${i}`);
      daemons.push(b);
      await b.waitForLine(/listening/);
    }
    const servers = [httpRealServer(lab.host(3).ip4), httpRealServer(lab.host(4).ip4)];
    const master = await lab.startKts(lab.host(1), conf(150, servers));
    const backup = await lab.startKts(lab.host(2), conf(100, servers));
    daemons.push(master, backup);
    await master.waitForLine(/Entering MASTER STATE/, 20_000);
    await backup.waitForLine(/Entering BACKUP STATE/, 20_000);
    await master.waitForLine(/Dispatcher listening/);
    await sleep(6000); // past the second GARP burst
    const rows: Row[] = [];
    for (const s of SCENARIOS) {
      process.stderr.write(`scenario ${s.name} (${SECONDS} s)\n`);
      rows.push(await run(lab, backup, s));
    }
    console.log(
      `\nControl plane under load (${new Date().toISOString().slice(0, 10)}): advert_int ${ADVERT_S} s, ${SECONDS} s per scenario, 2 cores`,
    );
    console.log(
      `${'scenario'.padEnd(12)}${'adverts'.padStart(8)}${'mean ms'.padStart(10)}${'p99 dev %'.padStart(11)}${'max dev %'.padStart(11)}${'requests'.padStart(10)}${'takeovers'.padStart(11)}`,
    );
    for (const r of rows)
      console.log(
        `${r.scenario.padEnd(12)}${String(r.adverts).padStart(8)}${r.meanMs.toFixed(1).padStart(10)}${r.p99DevPct.toFixed(2).padStart(11)}${r.maxDevPct.toFixed(2).padStart(11)}${String(r.requests).padStart(10)}${String(r.takeovers).padStart(11)}`,
      );
    const worst = Math.max(...rows.map((r) => r.maxDevPct));
    console.log(
      `target: deviation under 10% and no takeover: ${worst < 10 && rows.every((r) => r.takeovers === 0) ? 'met' : 'NOT met'} (worst ${worst.toFixed(2)}%)`,
    );
  } finally {
    await Promise.all(daemons.map((d) => d.stop(3000)));
    lab.destroy();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
