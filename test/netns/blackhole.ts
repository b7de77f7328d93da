/**
 * The lossy-backup scenario of issue 9: two directors (VRRPv2, advert_int 1), `lossPct`% of VRRP
 * packets dropped on the BACKUP's input by nftables, a client pinging the VIP every 10 ms. A backup
 * that misses three adverts takes over wrongly; what matters is how long the client is then
 * blackholed (its ARP entry pointing at a MAC that no longer holds the VIP). Shared by
 * test/netns/blackhole.test.ts and bench/blackhole.ts.
 */
import { spawn } from 'node:child_process';
import { PACKAGE_ROOT } from './netns.js';
import type { Daemon, Lab } from './lab.js';
import { config, instanceBlock } from './vrrp-conf.js';

export const VIP = '192.0.2.100';
export type DirectorKind = 'keepalived-ts' | 'keepalived';

export interface LossResult {
  readonly spuriousTakeovers: number;
  /** Sampled every 50 ms: both directors held the VIP. */
  readonly dualMs: number;
  readonly pingsSent: number;
  readonly pingsLost: number;
  /** The longest time between two answered pings. */
  readonly longestGapMs: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Until the MASTER has logged its second GARP burst (garp_master_delay, 5 s, after the first):
 * both daemons log "Sending/queueing gratuitous ARPs" per burst. Its GARPs follow within ms.
 */
async function secondBurst(master: Daemon): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (master.lines.filter((l) => l.includes('Sending/queueing gratuitous ARPs')).length < 2) {
    if (Date.now() > deadline) throw new Error(`${master.name} logged no second GARP burst`);
    await sleep(50);
  }
  await sleep(100);
}

async function start(lab: Lab, kind: DirectorKind, host: number, priority: number): Promise<Daemon> {
  const conf = config(instanceBlock({ priority }));
  return kind === 'keepalived-ts'
    ? lab.startKts(lab.host(host), conf)
    : lab.startKeepalived(lab.host(host), conf);
}

/**
 * Run the scenario for `seconds` (or until `untilTakeovers` spurious takeovers, whichever is first,
 * after at least `minSeconds`). Stops the daemons and removes the nftables table before returning.
 */
export async function lossScenario(
  lab: Lab,
  kind: DirectorKind,
  opts: { seconds: number; lossPct: number; untilTakeovers?: number; minSeconds?: number },
): Promise<LossResult> {
  const master = await start(lab, kind, 1, 150);
  await master.waitForLine(/Entering MASTER STATE/, 20_000);
  const backup = await start(lab, kind, 2, 100);
  await backup.waitForLine(/Entering BACKUP STATE/, 20_000);
  const h2 = lab.host(2);
  try {
    // The client resolves the VIP first: Linux creates no ARP entry from a gratuitous ARP.
    lab.exec(lab.client, ['ping', '-c', '1', '-W', '2', VIP]);
    await secondBurst(master);
    lab.exec(h2, ['nft', 'add', 'table', 'inet', 'ktsloss']);
    lab.exec(h2, ['nft', 'add chain inet ktsloss input { type filter hook input priority 0 ; }']);
    lab.exec(h2, [
      'nft',
      `add rule inet ktsloss input ip protocol vrrp numgen random mod 100 < ${opts.lossPct} drop`,
    ]);
    const mark = backup.lines.length;
    const ping = spawn(
      'ip',
      ['netns', 'exec', lab.client.ns, 'ping', '-D', '-n', '-i', '0.01', '-W', '1', VIP],
      { stdio: ['ignore', 'pipe', 'ignore'], detached: true },
    );
    let out = '';
    ping.stdout.on('data', (c: Buffer) => (out += c.toString()));
    let dualMs = 0;
    const t0 = Date.now();
    const takeovers = (): number =>
      backup.lines.slice(mark).filter((l) => l.includes('Entering MASTER STATE')).length;
    while (Date.now() - t0 < opts.seconds * 1000) {
      if (
        opts.untilTakeovers !== undefined &&
        takeovers() >= opts.untilTakeovers &&
        Date.now() - t0 >= (opts.minSeconds ?? 0) * 1000
      )
        break;
      const t = Date.now();
      if (lab.holders(VIP).length > 1) dualMs += 50;
      await sleep(Math.max(0, 50 - (Date.now() - t)));
    }
    lab.exec(h2, ['nft', 'delete', 'table', 'inet', 'ktsloss']);
    await sleep(1500); // let the last gap close before stopping the pings
    if (ping.pid) process.kill(-ping.pid, 'SIGINT');
    await new Promise((r) => ping.once('exit', r));
    const replies = [...out.matchAll(/^\[(\d+\.\d+)\] \d+ bytes from .*icmp_seq=(\d+)/gm)].map((m) => ({
      t: Number(m[1]) * 1000,
      seq: Number(m[2]),
    }));
    const sent = Number(/(\d+) packets transmitted/.exec(out)?.[1] ?? 0);
    let longest = 0;
    for (let i = 1; i < replies.length; i++)
      longest = Math.max(longest, (replies[i]?.t ?? 0) - (replies[i - 1]?.t ?? 0));
    return {
      spuriousTakeovers: takeovers(),
      dualMs,
      pingsSent: sent,
      pingsLost: Math.max(0, sent - replies.length),
      longestGapMs: Math.round(longest),
    };
  } finally {
    await Promise.all([master.stop(), backup.stop()]);
  }
}

const IMPOSTOR = `${PACKAGE_ROOT}/test/netns/scripts/impostor.mjs`;

function startPing(lab: Lab): {
  answered: () => Promise<void>;
  stop: () => Promise<{ sent: number; longestGapMs: number }>;
} {
  const ping = spawn(
    'ip',
    ['netns', 'exec', lab.client.ns, 'ping', '-D', '-n', '-i', '0.01', '-W', '1', VIP],
    {
      stdio: ['ignore', 'pipe', 'ignore'],
      detached: true,
    },
  );
  let out = '';
  ping.stdout.on('data', (c: Buffer) => (out += c.toString()));
  return {
    answered: () =>
      new Promise<void>((resolve, reject) => {
        const deadline = Date.now() + 10_000;
        const check = (): void => {
          if (/bytes from/.test(out)) resolve();
          else if (Date.now() > deadline) reject(new Error('the client got no ping reply from the VIP'));
          else setTimeout(check, 10);
        };
        check();
      }),
    stop: async () => {
      if (ping.pid) process.kill(-ping.pid, 'SIGINT');
      await new Promise((r) => ping.once('exit', r));
      const times = [...out.matchAll(/^\[(\d+\.\d+)\] \d+ bytes from /gm)].map((m) => Number(m[1]) * 1000);
      let longest = 0;
      for (let i = 1; i < times.length; i++)
        longest = Math.max(longest, (times[i] ?? 0) - (times[i - 1] ?? 0));
      return {
        sent: Number(/(\d+) packets transmitted/.exec(out)?.[1] ?? 0),
        longestGapMs: Math.round(longest),
      };
    },
  };
}

/**
 * The GARP race made deterministic: host 3 plays a router that wrongly took over (a lower-priority
 * advert) and whose GARP reaches the client after the master's immediate answer
 * (scripts/impostor.mjs). The client stays blackholed until the master announces again: keepalived
 * after garp_lower_prio_delay (5 s), keepalived-ts 100 ms after the last lower-priority advert.
 * Returns the client's longest gap per round.
 */
export async function raceScenario(lab: Lab, kind: DirectorKind, rounds: number): Promise<number[]> {
  const master = await start(lab, kind, 1, 150);
  await master.waitForLine(/Entering MASTER STATE/, 20_000);
  const backup = await start(lab, kind, 2, 100);
  await backup.waitForLine(/Entering BACKUP STATE/, 20_000);
  const gaps: number[] = [];
  try {
    lab.exec(lab.client, ['ping', '-c', '1', '-W', '2', VIP]);
    await secondBurst(master);
    for (let i = 0; i < rounds; i++) {
      const ping = startPing(lab);
      await ping.answered();
      lab.exec(lab.host(3), [process.execPath, IMPOSTOR, VIP]);
      // keepalived's own recovery is garp_lower_prio_delay (5 s) later: wait past it.
      await sleep(7500);
      gaps.push((await ping.stop()).longestGapMs);
    }
    return gaps;
  } finally {
    await Promise.all([master.stop(), backup.stop()]);
  }
}
