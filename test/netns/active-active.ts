/**
 * Active-active directors announced over BGP (issue 21, docs/bgp.md), with the embedded
 * dispatcher, in network namespaces. One LAN (the lab's bridge):
 *
 *   h6 client ── route VIP via h1 ──> h1 router (FRR: bgpd + bfdd, maximum-paths 4, L4 hash)
 *                                        │ ECMP: the VIP via every director that announces it
 *                          h2 d1, h3 d2 (FRR: zebra import-table 100 + bgpd + bfdd; keepalived-ts
 *                                        with announce_table 100, dispatcher to the real servers)
 *                          h4 rs1, h5 rs2 (flow-server.mjs on port 7000)
 *
 * The client (flow-client.mjs) runs new-flow loops and long-lived connections through the whole
 * run; the events are marked on the way and analysed per window (test/helpers/flows.ts):
 * steady, rs-fail (d1 can no longer open connections to the real servers: its checks fail),
 * withdrawn (the router has only d2), rs-back, restored (both again), kill (d1's cable cut and
 * all its processes killed), out (the router has only d2: BFD), return (cable back, d1 boots:
 * its route table 100 empty as after a reboot, FRR and keepalived-ts started), back (both again),
 * end. Used by the netns test (assertions) and bench/active-active.ts (the report).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyseFlows, parseFlows, type EventReport, type FlowRecord, type Mark } from '../helpers/flows.js';
import { bfdProfile, directorBgpd, labTimers, type Frr } from './frr.js';
import { eventually, type Daemon, type Lab, type LabHost } from './lab.js';
import { PACKAGE_ROOT } from './netns.js';
import { config, tcpRealServer } from './vrrp-conf.js';

// From the package root: this module also runs compiled, from build/bench (bench/active-active.ts).
const CLIENT = join(PACKAGE_ROOT, 'test', 'netns', 'scripts', 'flow-client.mjs');
const SERVER = join(PACKAGE_ROOT, 'test', 'netns', 'scripts', 'flow-server.mjs');
export const VIP = '203.0.113.10';
const PORT = 7000;
const TABLE = 100;

export interface ActiveActiveResult {
  readonly marks: readonly Mark[];
  readonly records: readonly FlowRecord[];
  readonly reports: readonly EventReport[];
  /** ms from the event's mark (taken just before its action) to the router's route changing (polled every 10 ms). */
  readonly failToWithdrawnMs: number;
  readonly backToRestoredMs: number;
  readonly killToOutMs: number;
  readonly returnToBackMs: number;
  readonly directors: readonly [string, string];
}

/** The router's next hops for the VIP (its kernel's route: one `via`, or `nexthop via` lines). */
function nextHops(lab: Lab, router: LabHost): string[] {
  const text = lab.exec(router, ['ip', 'route', 'show', VIP]);
  return [...text.matchAll(/via (\S+)/g)].map((m) => m[1] ?? '').sort();
}

/** Poll the router every 10 ms until its next hops are `want`. */
async function routeIs(
  lab: Lab,
  router: LabHost,
  want: readonly string[],
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const target = [...want].sort().join(' ');
  await eventually(
    what,
    () => (nextHops(lab, router).join(' ') === target ? true : undefined),
    timeoutMs,
    10,
  );
}

function routerConf(directors: readonly LabHost[], router: LabHost): string {
  return [
    'router bgp 64512',
    ` bgp router-id ${router.ip4}`,
    ' no bgp ebgp-requires-policy',
    ...directors.flatMap((d) => [
      ` neighbor ${d.ip4} remote-as 64513`,
      ` neighbor ${d.ip4} bfd`,
      ` neighbor ${d.ip4} bfd profile fast`,
      labTimers(d.ip4),
    ]),
    ' address-family ipv4 unicast',
    '  maximum-paths 4',
    ' exit-address-family',
    '',
  ].join('\n');
}

/** keepalived-ts on a director: the VIP local (not an address), `alpha` so it announces only once checked. */
function ktsConf(servers: readonly LabHost[]): string {
  return config(
    ['static_routes {', `  local ${VIP}/32 dev lo table local scope host`, '}'].join('\n'),
    [
      `virtual_server ${VIP} ${PORT} {`,
      '  delay_loop 1',
      '  lb_algo rr',
      '  lb_kind NAT',
      '  protocol TCP',
      '  alpha',
      `  announce_table ${TABLE}`,
      ...servers.map((s) => tcpRealServer(s.ip4, PORT)),
      '}',
    ].join('\n'),
  );
}

export interface Tracker {
  track(d: Daemon): Daemon;
  untrack(d: Daemon): void;
}

/** How many answered new flows each director took since `t`. */
function since(out: string, t: number): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of parseFlows(readText(out)))
    if (r.k === 'new' && r.ok && r.t >= t) m.set(r.peer ?? '?', (m.get(r.peer ?? '?') ?? 0) + 1);
  return m;
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** Wait until each of `peers` has answered at least `n` new flows since `t`; says what it saw if not. */
async function flowsVia(
  out: string,
  t: number,
  peers: readonly string[],
  n: number,
  what: string,
): Promise<void> {
  try {
    await eventually(
      what,
      () => {
        const m = since(out, t);
        return peers.every((p) => (m.get(p) ?? 0) >= n) ? true : undefined;
      },
      30_000,
    );
  } catch (e) {
    const seen = parseFlows(readText(out)).filter((r) => r.t >= t);
    const errors = [...new Set(seen.filter((r) => r.ok === false || r.k === 'fail').map((r) => r.err))];
    throw new Error(
      `${(e as Error).message}: answered by ${JSON.stringify(Object.fromEntries(since(out, t)))}, ${seen.length} records, errors ${errors.join(', ') || 'none'}`,
      { cause: e },
    );
  }
}

export async function runActiveActive(lab: Lab, frr: Frr, t: Tracker): Promise<ActiveActiveResult> {
  const [router, d1, d2, rs1, rs2, client] = [1, 2, 3, 4, 5, 6].map((i) => lab.host(i)) as [
    LabHost,
    LabHost,
    LabHost,
    LabHost,
    LabHost,
    LabHost,
  ];
  const both = [d1.ip4, d2.ip4];
  // The router forwards on the LAN it came from: no redirects (the client must keep using it).
  lab.exec(router, [
    'sysctl',
    '-qw',
    'net.ipv4.ip_forward=1',
    'net.ipv4.fib_multipath_hash_policy=1',
    'net.ipv4.conf.all.send_redirects=0',
    'net.ipv4.conf.eth0.send_redirects=0',
  ]);
  lab.exec(client, [
    'sysctl',
    '-qw',
    'net.ipv4.conf.all.accept_redirects=0',
    'net.ipv4.conf.eth0.accept_redirects=0',
  ]);
  lab.exec(client, ['ip', 'route', 'add', `${VIP}/32`, 'via', router.ip4]);

  for (const [i, rs] of [rs1, rs2].entries()) {
    const s = t.track(
      lab.start(rs, [process.execPath, SERVER, `rs${i + 1}`, rs.ip4, String(PORT)], `rs${i + 1}`),
    );
    await s.waitForLine(/listening/);
  }
  const bfd = bfdProfile(100);
  await frr.start(router, { zebra: '', bfdd: bfd, bgpd: routerConf([d1, d2], router) });
  const conf = ktsConf([rs1, rs2]);
  const director = async (d: LabHost): Promise<Daemon> => {
    await frr.start(d, {
      zebra: `ip import-table ${TABLE}\n`,
      bfdd: bfd,
      bgpd: directorBgpd(d, router, TABLE, true),
    });
    return t.track(await lab.startKts(d, conf, ['--dispatch-workers', '1']));
  };
  await director(d1);
  await director(d2);
  await routeIs(lab, router, both, 'the VIP via both directors');
  await bfdUp(frr, router, both);

  const out = `${lab.dir}/flows.jsonl`;
  const flows = t.track(
    lab.start(client, [process.execPath, CLIENT, VIP, String(PORT), out, '4', '8', '1000'], 'client'),
  );
  await flows.waitForLine(/started/);
  const marks: Mark[] = [];
  const mark = (name: string, action = false): number => {
    const now = Date.now();
    marks.push({ name, t: now, action });
    return now;
  };

  let at = mark('steady');
  await flowsVia(out, at, both, 40, 'new flows through both directors');

  // d1 cannot open connections to the real servers any more (its checks fail); connections
  // it already has go on.
  const failAt = mark('rs-fail', true);
  lab.exec(d1, [
    'nft',
    `add table inet aa; add chain inet aa out { type filter hook output priority 0; }; add rule inet aa out tcp dport ${PORT} ct state new drop`,
  ]);
  await routeIs(lab, router, [d2.ip4], 'the VIP withdrawn by d1');
  at = mark('withdrawn');
  const failToWithdrawnMs = at - failAt;
  await flowsVia(out, at, [d2.ip4], 80, 'new flows through d2 after the withdrawal');

  const backAt = mark('rs-back', true);
  lab.exec(d1, ['nft', 'delete table inet aa']);
  await routeIs(lab, router, both, 'the VIP announced by d1 again');
  at = mark('restored');
  const backToRestoredMs = at - backAt;
  await bfdUp(frr, router, both);
  await flowsVia(out, at, both, 40, 'new flows through both directors again');

  // d1 dies: cable cut first (nothing it sends on the way down reaches anyone), then every
  // process in it killed; its kernel state stays as a dead machine's would, unseen.
  const killAt = mark('kill', true);
  lab.setCable(d1, false);
  lab.crash(d1);
  await routeIs(lab, router, [d2.ip4], 'd1 out of the ECMP set');
  at = mark('out');
  const killToOutMs = at - killAt;
  await flowsVia(out, at, [d2.ip4], 80, 'new flows through d2 after the kill');

  // d1 comes back as after a reboot: an empty route table 100, then FRR and keepalived-ts.
  lab.exec(d1, ['ip', 'route', 'flush', 'table', String(TABLE)]);
  const returnAt = mark('return', true);
  lab.setCable(d1, true);
  await director(d1);
  await routeIs(lab, router, both, 'd1 back in the ECMP set');
  at = mark('back');
  const returnToBackMs = at - returnAt;
  await flowsVia(out, at, both, 40, 'new flows through d1 again');
  const end = mark('end');

  t.untrack(flows);
  await flows.stop(5000);
  const records = parseFlows(readText(out));
  return {
    marks,
    records,
    reports: analyseFlows(records, marks, end).slice(0, -1),
    failToWithdrawnMs,
    backToRestoredMs,
    killToOutMs,
    returnToBackMs,
    directors: [d1.ip4, d2.ip4],
  };
}

/** BFD Up on the router toward every director (its slow start takes 1-2 s): a failure before would wait for BGP's hold time. */
async function bfdUp(frr: Frr, router: LabHost, peers: readonly string[]): Promise<void> {
  const host = frr.host(router);
  await eventually(
    'BFD up toward every director',
    () => {
      const list = host.show('show bfd peers json') as { peer: string; status: string }[] | null;
      return peers.every((p) => list?.some((s) => s.peer === p && s.status === 'up')) ? true : undefined;
    },
    30_000,
  );
}
