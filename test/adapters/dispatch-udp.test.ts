/**
 * The embedded data plane's UDP flows on loopback, through its worker thread: replies come back
 * from the virtual address, one flow per client address and port, flows expire after the idle
 * timeout (`lvs_timeouts udp`) and count as inactive connections (as IPVS counts UDP), an ICMP
 * port unreachable from a real server ends the flow so the next datagram is scheduled again.
 */
import dgram from 'node:dgram';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dest, startPlane, tcpService, waitFor, type TestPlane } from '../helpers/dispatch.js';

let t: TestPlane;
const sockets: dgram.Socket[] = [];
let serial = 0;

beforeAll(() => {
  t = startPlane(1);
});
afterAll(async () => {
  await t.plane.close();
});
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});

function bound(type: 'udp4' | 'udp6' = 'udp4', port = 0): Promise<dgram.Socket> {
  const s = dgram.createSocket(type);
  sockets.push(s);
  return new Promise((resolve, reject) => {
    s.once('error', reject);
    s.bind(port, type === 'udp4' ? '127.0.0.1' : '::1', () => resolve(s));
  });
}

/** A real server that answers `<name>:<datagram>`. */
async function udpEcho(name: string, type: 'udp4' | 'udp6' = 'udp4'): Promise<number> {
  const s = await bound(type);
  s.on('message', (msg, rinfo) => s.send(`${name}:${msg.toString()}`, rinfo.port, rinfo.address));
  return s.address().port;
}

/** A UDP port nobody listens on (the kernel answers ICMP port unreachable). */
async function closedPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise<void>((r) => s.close(r));
  return port;
}

async function service(
  backendPorts: readonly number[],
  opts: { idleMs?: number; address?: string } = {},
): Promise<{ id: string; port: number; address: string }> {
  const id = `udp-${++serial}`;
  const address = opts.address ?? '127.0.0.1';
  const port = await closedPort();
  t.plane.setService(id, {
    ...tcpService(port, { address }),
    protocol: 'UDP',
    udpIdleTimeoutMs: opts.idleMs ?? 300_000,
  });
  for (const p of backendPorts) t.plane.setDest(id, dest(p, 1, address));
  await t.event('listening', (e) => e.service === id);
  return { id, port, address };
}

/** Send one datagram, resolve with the reply and where it came from. */
function ask(
  client: dgram.Socket,
  port: number,
  address: string,
  text: string,
  timeoutMs = 2000,
): Promise<{ reply: string; from: dgram.RemoteInfo }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no reply to ${text}`)), timeoutMs);
    client.once('message', (msg, from) => {
      clearTimeout(timer);
      resolve({ reply: msg.toString(), from });
    });
    client.send(text, port, address);
  });
}

async function serviceStats(id: string) {
  const s = (await t.plane.stats()).get(id);
  if (!s) throw new Error(`no stats for ${id}`);
  return s;
}

describe('UDP flows', () => {
  it('echo through the proxy: replies come from the virtual address, one real server per flow', async () => {
    const a = await udpEcho('a');
    const b = await udpEcho('b');
    const { id, port } = await service([a, b]);
    const c1 = await bound();
    const c2 = await bound();
    const r1 = await ask(c1, port, '127.0.0.1', 'one');
    expect(r1.from).toMatchObject({ address: '127.0.0.1', port });
    const r2 = await ask(c2, port, '127.0.0.1', 'two');
    // rr: the two flows went to different real servers; each flow stays where it went.
    expect(new Set([r1.reply.split(':')[0], r2.reply.split(':')[0]])).toEqual(new Set(['a', 'b']));
    const again = await ask(c1, port, '127.0.0.1', 'three');
    expect(again.reply).toBe(`${r1.reply.split(':')[0]}:three`);
    const s = await serviceStats(id);
    // IPVS counts UDP connections as inactive.
    expect(s.dests.map((d) => [d.activeConns, d.inactConns])).toEqual([
      [0, 1],
      [0, 1],
    ]);
    expect(s.dests.reduce((n, d) => n + d.totals.conns, 0)).toBe(2);
    expect(s.dests.reduce((n, d) => n + d.totals.bytesIn, 0)).toBe('onetwothree'.length);
  });

  it('a flow idle for udpIdleTimeoutMs is forgotten; the next datagram starts a new one', async () => {
    const a = await udpEcho('a');
    // Idle 1 s; used every 300 ms, with room for a slow round trip on a loaded CPU.
    const { id, port } = await service([a], { idleMs: 1000 });
    const c = await bound();
    expect((await ask(c, port, '127.0.0.1', 'x')).reply).toBe('a:x');
    expect((await serviceStats(id)).dests[0]).toMatchObject({ inactConns: 1 });
    // Still alive while used: 1.2 s in all, longer than the idle timeout.
    for (let i = 0; i < 4; i++) {
      await new Promise((r) => setTimeout(r, 300));
      await ask(c, port, '127.0.0.1', 'keepalive');
    }
    expect((await serviceStats(id)).dests[0]).toMatchObject({ inactConns: 1 });
    await waitFor(async () => (await serviceStats(id)).dests[0]?.inactConns === 0, 20_000, 'flow expiry');
    expect((await ask(c, port, '127.0.0.1', 'y')).reply).toBe('a:y');
    expect((await serviceStats(id)).dests[0]).toMatchObject({ inactConns: 1, totals: { conns: 2 } });
  });

  it('a real server answering port unreachable: counted, and the next datagram goes elsewhere', async () => {
    const refusing = await closedPort();
    const good = await udpEcho('good');
    // New real servers go to the head of the list (IPVS): rr tries `refusing` first.
    const { id, port } = await service([good, refusing]);
    const c = await bound();
    // The first datagram is lost to the refusing one (as with IPVS); the client retries.
    await expect(ask(c, port, '127.0.0.1', 'hi', 300)).rejects.toThrow('no reply');
    expect((await ask(c, port, '127.0.0.1', 'hi')).reply).toBe('good:hi');
    const s = await serviceStats(id);
    expect(s.dests.find((d) => d.port === refusing)).toMatchObject({ connectFailures: 1, inactConns: 0 });
    await t.event('connect-failed', (e) => e.service === id && e.port === refusing);
  }, 10_000);

  it('IPv6: a service on ::1', async () => {
    const a = await udpEcho('six', 'udp6');
    const { port } = await service([a], { address: '::1' });
    const c = await bound('udp6');
    const r = await ask(c, port, '::1', 'v6');
    expect(r.reply).toBe('six:v6');
    expect(r.from).toMatchObject({ address: '::1', port });
  });

  it('no real server: the datagram is dropped and counted', async () => {
    const { id, port } = await service([]);
    const c = await bound();
    c.send('lost', port, '127.0.0.1');
    await waitFor(async () => (await serviceStats(id)).noDestination === 1, 20_000, 'noDestination');
  });
});
