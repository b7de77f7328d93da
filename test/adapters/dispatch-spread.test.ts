/**
 * A TCP service spread over two data-plane workers (plane.ts): each worker binds its own socket
 * with SO_REUSEPORT (net/reuseport.ts) and the kernel hands each new connection to one of them.
 * Loopback, real worker threads, real backends. What must hold:
 * - both workers listen on the one address and port, and both take clients;
 * - the stats are one table, the sum of the workers' counters;
 * - a port held by another program's socket without SO_REUSEPORT is still EADDRINUSE;
 * - persistence, UDP and real-server thresholds keep a service in one worker (IPVS counts and
 *   templates are per service, not per CPU), and a service spreads once the reason goes.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  connectLine,
  dest,
  freePort,
  namedEcho,
  usePlane,
  tcpService,
  waitFor,
  type TestPlane,
} from '../helpers/dispatch.js';

let t!: TestPlane;
const { keep } = usePlane(2, (p) => (t = p));
let serial = 0;

/** The listening TCP sockets on 127.0.0.1:port, as the kernel lists them. */
function listeners(port: number): number {
  const out = execFileSync('ss', ['-Htln', `sport = :${port}`], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.includes(`127.0.0.1:${port}`)).length;
}

async function workersOf(id: string): Promise<readonly number[]> {
  return [...((await t.plane.stats()).get(id)?.workers ?? [])].sort();
}

describe('spread over the workers', () => {
  it('both workers listen with SO_REUSEPORT and both take clients; the stats are their sum', async () => {
    const good = await keep(namedEcho('a'));
    const refused = await freePort(); // nothing listens: refused
    const id = `spread-${++serial}`;
    const port = await freePort();
    t.plane.setService(id, tcpService(port));
    // rr in each worker: every other new connection goes to the refusing real server first and
    // fails over to the good one, so each worker that takes clients reports a connect failure.
    t.plane.setDest(id, dest(refused));
    t.plane.setDest(id, dest(good.port));
    await t.event('listening', (e) => e.service === id);
    expect(await workersOf(id)).toEqual([0, 1]);
    expect(listeners(port)).toBe(2);

    const CLIENTS = 40;
    for (let i = 0; i < CLIENTS; i++) {
      const { line, socket } = await connectLine(port);
      expect(line).toBe('a');
      socket.destroy();
    }
    // Each connection comes from a new source port; the kernel's 4-tuple hash sends them to both
    // sockets (all 40 to one of two: odds 2^-39).
    await waitFor(
      () =>
        new Set(t.events.filter((e) => e.kind === 'connect-failed' && e.service === id).map((e) => e.worker))
          .size === 2,
      10_000,
      'a connect failure reported by each worker',
    );

    await waitFor(async () => {
      const s = (await t.plane.stats()).get(id);
      return (s?.dests.every((d) => d.activeConns + d.inactConns === 0) ?? false) && s?.listening === true;
    });
    const s = (await t.plane.stats()).get(id);
    const byPort = new Map(s?.dests.map((d) => [d.port, d]));
    expect(byPort.get(good.port)?.totals.conns).toBe(CLIENTS);
    const bad = byPort.get(refused);
    expect(bad?.connectFailures).toBeGreaterThan(0);
    // Every attempt on the refusing server failed, summed over both workers.
    expect(bad?.totals.conns).toBe(bad?.connectFailures);
    t.plane.removeService(id);
    await waitFor(() => listeners(port) === 0, 5000, 'both sockets closed');
  });

  it('persistence and thresholds keep a service in one worker; without them it spreads', async () => {
    const a = await keep(namedEcho('a'));

    const persistent = `persist-${++serial}`;
    const pport = await freePort();
    t.plane.setService(persistent, tcpService(pport, { persistenceTimeoutMs: 60_000 }));
    t.plane.setDest(persistent, dest(a.port));
    await t.event('listening', (e) => e.service === persistent);
    expect(await workersOf(persistent)).toHaveLength(1);
    expect(listeners(pport)).toBe(1);

    const capped = `capped-${++serial}`;
    const cport = await freePort();
    t.plane.setService(capped, tcpService(cport));
    t.plane.setDest(capped, { ...dest(a.port), upperThreshold: 100 });
    await t.event('listening', (e) => e.service === capped);
    expect(await workersOf(capped)).toHaveLength(1);
    expect(listeners(cport)).toBe(1);

    // The threshold goes: the service spreads and still answers.
    t.plane.setDest(capped, dest(a.port));
    await waitFor(
      async () => (await workersOf(capped)).length === 2 && listeners(cport) === 2,
      10_000,
      'the service on both workers',
    );
    const { line, socket } = await connectLine(cport);
    expect(line).toBe('a');
    socket.destroy();

    // Persistence goes too: it spreads.
    t.plane.setService(persistent, tcpService(pport));
    await waitFor(async () => (await workersOf(persistent)).length === 2, 10_000, 'spread after persistence');

    const udp = `udp-${++serial}`;
    t.plane.setService(udp, tcpService(await freePort(), { protocol: 'UDP' }));
    expect(await workersOf(udp)).toHaveLength(1);
    for (const id of [persistent, capped, udp]) t.plane.removeService(id);
  });

  it('a port another program holds (without SO_REUSEPORT) is EADDRINUSE, told once', async () => {
    const held = await keep(namedEcho('other'));
    const id = `held-${++serial}`;
    t.plane.setService(id, tcpService(held.port));
    const ev = await t.event('listen-failed', (e) => e.service === id);
    expect(ev.code).toBe('EADDRINUSE');
    // Both workers fail and retry every second; the failure is told once.
    await new Promise((r) => setTimeout(r, 1300));
    expect(t.events.filter((e) => e.kind === 'listen-failed' && e.service === id)).toHaveLength(1);
    expect((await t.plane.stats()).get(id)?.listening).toBe(false);
    t.plane.removeService(id);
  });

  it('a client connected through one worker is unaffected when the service spreads or narrows', async () => {
    const a = await keep(namedEcho('a'));
    const id = `narrow-${++serial}`;
    const port = await freePort();
    t.plane.setService(id, tcpService(port));
    t.plane.setDest(id, dest(a.port));
    await t.event('listening', (e) => e.service === id);
    const { socket } = await connectLine(port);
    const echoed = new Promise<string>((resolve) =>
      socket.once('data', (d: Buffer) => resolve(d.toString())),
    );
    // Persistence narrows it to one worker: the other stops listening, its connections go on.
    t.plane.setService(id, tcpService(port, { persistenceTimeoutMs: 60_000 }));
    await waitFor(
      async () => (await workersOf(id)).length === 1 && listeners(port) === 1,
      10_000,
      'one worker',
    );
    socket.write('still here\n');
    expect(await echoed).toBe('still here\n');
    socket.destroy();
    const again = await connectLine(port);
    expect(again.line).toBe('a');
    again.socket.destroy();
    t.plane.removeService(id);
  });
});
