/**
 * The embedded data plane's TCP proxy on loopback, through its worker thread, with real backends:
 * half-close in both directions, a large transfer both ways under backpressure, failover when a
 * real server refuses, no real server at all, a real server dying mid-stream, a thousand clients
 * at once, quiescing and removing real servers, PROXY headers, a VIP that is not here yet, and a
 * crashed worker.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PROXY_V2_SIGNATURE } from '../../src/dispatch/proxy-protocol.js';
import {
  backend,
  connectLine,
  crashWorker,
  dest,
  freePort,
  namedEcho,
  roundTrip,
  sha256,
  usePlane,
  tcpService,
  TS_LOADER,
  waitFor,
  type Backend,
  type TestPlane,
} from '../helpers/dispatch.js';

let t!: TestPlane;
const { keep } = usePlane(2, (p) => (t = p));
let serial = 0;

/** A new service on a fresh port with these backends; resolves once it listens. */
async function service(
  ports: readonly number[],
  extra: Parameters<typeof tcpService>[1] = {},
): Promise<{ id: string; port: number }> {
  const id = `tcp-${++serial}`;
  const port = await freePort();
  t.plane.setService(id, tcpService(port, extra));
  for (const p of ports) t.plane.setDest(id, dest(p));
  await t.event('listening', (e) => e.service === id);
  return { id, port };
}

async function destStats(id: string, port: number) {
  const s = (await t.plane.stats()).get(id);
  const d = s?.dests.find((x) => x.port === port);
  if (!d) throw new Error(`no stats for ${id} → ${port}`);
  return d;
}

/** Everything the socket receives until it closes, and whether it closed with an error. */
function collect(socket: net.Socket): Promise<{ data: Buffer; error: string | null }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let error: string | null = null;
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
    socket.on('close', () => resolve({ data: Buffer.concat(chunks), error }));
  });
}

describe('half-close', () => {
  it('a client that shuts its write side still gets the whole response', async () => {
    const reply = randomBytes(300_000);
    const b = await keep(
      backend('reads-to-eof', (s) => {
        let n = 0;
        s.on('data', (d: Buffer) => (n += d.length));
        s.on('end', () => {
          s.write(`${n}\n`);
          s.end(reply);
        });
      }),
    );
    const { port } = await service([b.port]);
    const client = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    const got = collect(client);
    client.end(Buffer.alloc(5000, 7)); // request, then FIN
    const { data, error } = await got;
    expect(error).toBeNull();
    const nl = data.indexOf('\n');
    expect(data.subarray(0, nl).toString()).toBe('5000');
    expect(data.subarray(nl + 1).equals(reply)).toBe(true);
  });

  it('a real server that shuts its write side still gets the client’s later bytes', async () => {
    let received = '';
    let serverSawEnd!: () => void;
    const ended = new Promise<void>((r) => (serverSawEnd = r));
    const b = await keep(
      backend('greets-and-ends', (s) => {
        s.end('bye\n'); // FIN first, keep reading
        s.setEncoding('utf8');
        s.on('data', (d: string) => (received += d));
        s.on('end', () => serverSawEnd());
      }),
    );
    const { id, port } = await service([b.port]);
    const client = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    client.setEncoding('utf8');
    let greeting = '';
    client.on('data', (d: string) => (greeting += d));
    await new Promise((r) => client.once('end', r));
    const halfClosed = await destStats(id, b.port);
    client.end('after-your-fin');
    await ended;
    expect(greeting).toBe('bye\n');
    expect(received).toBe('after-your-fin');
    // FIN_WAIT / CLOSE_WAIT count as inactive in IPVS.
    expect(halfClosed).toMatchObject({ activeConns: 0, inactConns: 1 });
  });
});

describe('bulk', () => {
  it('64 MiB both ways at once arrive intact (backpressure both directions)', async () => {
    const b = await keep(backend('echo', (s) => s.pipe(s)));
    const { id, port } = await service([b.port]);
    const total = 64 * 1024 * 1024;
    const block = randomBytes(1024 * 1024);
    const sent = sha256();
    const recv = sha256();
    let received = 0;
    const client = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    const done = new Promise<void>((resolve, reject) => {
      client.on('data', (d: Buffer) => {
        received += d.length;
        recv.update(d);
      });
      client.on('end', () => resolve());
      client.on('error', reject);
    });
    // Write as fast as the proxy accepts: every 'drain' means backpressure reached the client.
    let drains = 0;
    for (let i = 0; i < 64; i++) {
      const chunk = Buffer.from(block);
      chunk.writeUInt32BE(i, 0);
      sent.update(chunk);
      if (!client.write(chunk)) {
        drains++;
        await new Promise((r) => client.once('drain', r));
      }
    }
    client.end();
    await done;
    expect(received).toBe(total);
    expect(recv.digest('hex')).toBe(sent.digest('hex'));
    expect(drains).toBeGreaterThan(0);
    await waitFor(async () => (await destStats(id, b.port)).totals.bytesOut === total, 20_000, 'byte totals');
    expect((await destStats(id, b.port)).totals.bytesIn).toBe(total);
  }, 15_000);
});

describe('failover and failure', () => {
  it('a refusing real server: the client is served by the next one', async () => {
    const good = await keep(namedEcho('good'));
    const refusing = await freePort(); // nobody listens there
    const { id, port } = await service([refusing, good.port]);
    for (let i = 0; i < 4; i++) {
      const { line, socket } = await connectLine(port);
      expect(line).toBe('good');
      socket.destroy();
    }
    const bad = await destStats(id, refusing);
    // Every attempt on the refusing server failed and went on to the good one, which served
    // all four clients and never failed.
    expect(bad.totals.conns).toBeGreaterThanOrEqual(1);
    expect(bad).toMatchObject({ activeConns: 0, inactConns: 0, connectFailures: bad.totals.conns });
    expect(await destStats(id, good.port)).toMatchObject({
      connectFailures: 0,
      totals: { conns: 4, bytesIn: 0 },
    });
    const ev = await t.event('connect-failed', (e) => e.service === id);
    expect(ev).toMatchObject({ port: refusing, code: 'ECONNREFUSED' });
  });

  it('an unreachable or black-holed real server: the next one within the connect timeout', async () => {
    const good = await keep(namedEcho('good'));
    const id = `tcp-${++serial}`;
    const port = await freePort();
    t.plane.setService(id, tcpService(port, { connectTimeoutMs: 1000 }));
    t.plane.setDest(id, dest(good.port));
    t.plane.setDest(id, dest(9, 1, '192.0.2.1')); // TEST-NET-1: no answer, or no route
    await t.event('listening', (e) => e.service === id);
    const started = Date.now();
    for (let i = 0; i < 2; i++) {
      const { line, socket } = await connectLine(port);
      expect(line).toBe('good');
      socket.destroy();
    }
    expect(Date.now() - started).toBeLessThan(1500); // half the budget at most per black hole
  });

  it('all real servers refusing: the client is closed at once', async () => {
    const { id, port } = await service([await freePort(), await freePort()]);
    const started = Date.now();
    const client = net.connect({ port, host: '127.0.0.1' });
    const { data } = await collect(client);
    expect(data.length).toBe(0);
    expect(Date.now() - started).toBeLessThan(500);
    const s = (await t.plane.stats()).get(id);
    expect(s?.dests.map((d) => d.connectFailures)).toEqual([1, 1]);
  });

  it('no real server at all: the client is closed at once and counted', async () => {
    const { id, port } = await service([]);
    const { data } = await collect(net.connect({ port, host: '127.0.0.1' }));
    expect(data.length).toBe(0);
    expect((await t.plane.stats()).get(id)?.noDestination).toBe(1);
    await t.event('no-destination', (e) => e.service === id);
  });

  it('a real server dying mid-stream: the client sees the end, not a hang', async () => {
    const b = await keep(
      backend('dies', (s) => {
        s.write(Buffer.alloc(100_000, 1));
        setTimeout(() => s.resetAndDestroy(), 50);
      }),
    );
    const c = await keep(
      backend('exits', (s) => {
        s.write('partial');
        setTimeout(() => s.destroy(), 50); // a process exiting: FIN
      }),
    );
    const one = await service([b.port]);
    const two = await service([c.port]);
    const [reset, fin] = await Promise.all([
      collect(net.connect({ port: one.port, host: '127.0.0.1' })),
      collect(net.connect({ port: two.port, host: '127.0.0.1' })),
    ]);
    expect(reset.error).toBe('ECONNRESET');
    expect(fin).toEqual({ data: Buffer.from('partial'), error: null });
    await waitFor(async () => (await destStats(one.id, b.port)).activeConns === 0, 20_000, 'unbound');
  });
});

describe('scale', () => {
  it('1,000 concurrent clients are all served', async () => {
    const a = await keep(namedEcho('a'));
    const b = await keep(namedEcho('b'));
    const { id, port } = await service([a.port, b.port], { scheduler: 'wlc' });
    const clients = await Promise.all(
      Array.from({ length: 1000 }, async (_, i) => {
        const { line, socket } = await connectLine(port);
        const echoed = await roundTrip(socket, `client ${i}\n`);
        return { line, echoed, socket };
      }),
    );
    expect(clients.every((c, i) => c.echoed === `client ${i}\n`)).toBe(true);
    const s = (await t.plane.stats()).get(id);
    // All 1,000 open at once, spread by wlc.
    expect(s?.dests.reduce((n, d) => n + d.activeConns, 0)).toBe(1000);
    expect(s?.dests.map((d) => d.activeConns)).toEqual([500, 500]);
    for (const c of clients) c.socket.destroy();
    await waitFor(
      async () =>
        (await t.plane.stats()).get(id)?.dests.every((d) => d.activeConns + d.inactConns === 0) ?? false,
      5000,
      'all closed',
    );
  }, 15_000);
});

describe('table changes', () => {
  it('weight 0 quiesces: no new connections, the open one keeps working', async () => {
    const a = await keep(namedEcho('a'));
    const b = await keep(namedEcho('b'));
    const { id, port } = await service([a.port, b.port]);
    const first = await connectLine(port);
    const quiesced = first.line === 'a' ? a : b;
    const other = quiesced === a ? b : a;
    t.plane.setDest(id, dest(quiesced.port, 0));
    for (let i = 0; i < 3; i++) {
      const { line, socket } = await connectLine(port);
      expect(line).toBe(other.name);
      socket.destroy();
    }
    expect(await roundTrip(first.socket, 'still here')).toBe('still here');
    const d = await destStats(id, quiesced.port);
    expect(d).toMatchObject({ weight: 0, activeConns: 1 });
    first.socket.destroy();
  });

  it('a removed real server: no new connections, the open one goes on until it ends', async () => {
    const a = await keep(namedEcho('a'));
    const b = await keep(namedEcho('b'));
    const { id, port } = await service([a.port, b.port]);
    const first = await connectLine(port);
    const removed = first.line === 'a' ? a : b;
    const other = removed === a ? b : a;
    t.plane.removeDest(id, '127.0.0.1', removed.port);
    for (let i = 0; i < 3; i++) {
      const { line, socket } = await connectLine(port);
      expect(line).toBe(other.name);
      socket.destroy();
    }
    expect(await roundTrip(first.socket, 'still here')).toBe('still here');
    const s = (await t.plane.stats()).get(id);
    expect(s?.dests.map((d) => d.port)).toEqual([other.port]); // as ipvsadm -Ln: the trash is not shown
    first.socket.destroy();
  });
});

describe('persistence', () => {
  it('persistence_timeout: a client keeps its real server (one template, counted on it)', async () => {
    const a = await keep(namedEcho('a'));
    const b = await keep(namedEcho('b'));
    const { id, port } = await service([a.port, b.port], { persistenceTimeoutMs: 60_000 });
    const lines: string[] = [];
    for (let i = 0; i < 4; i++) {
      const { line, socket } = await connectLine(port);
      lines.push(line);
      socket.destroy();
    }
    expect(new Set(lines).size).toBe(1); // rr alone would alternate
    const s = (await t.plane.stats()).get(id);
    expect(s?.dests.map((d) => d.persistConns).sort()).toEqual([0, 1]);
  });
});

describe('PROXY protocol', () => {
  /** A backend that returns, as hex, all it got up to the client's FIN. */
  const header = (): Promise<Backend> =>
    backend('proxy', (s) => {
      const got: Buffer[] = [];
      s.on('data', (d: Buffer) => got.push(d));
      s.on('end', () => s.end(Buffer.concat(got).toString('hex')));
    });

  it('v1: the real server sees the client and the virtual address first', async () => {
    const b = await keep(header());
    const { port } = await service([b.port], { proxyProtocol: 'v1' });
    const client = net.connect({ port, host: '127.0.0.1' });
    const got = collect(client);
    await new Promise((r) => client.once('connect', r));
    const cport = client.localPort;
    client.end('GET');
    const text = Buffer.from((await got).data.toString(), 'hex').toString('latin1');
    expect(text).toBe(`PROXY TCP4 127.0.0.1 127.0.0.1 ${cport} ${port}\r\nGET`);
  });

  it('v2: the binary header, then the client’s bytes', async () => {
    const b = await keep(header());
    const { port } = await service([b.port], { proxyProtocol: 'v2' });
    const client = net.connect({ port, host: '127.0.0.1' });
    const got = collect(client);
    await new Promise((r) => client.once('connect', r));
    const cport = client.localPort ?? 0;
    client.end('GET');
    const bytes = Buffer.from((await got).data.toString(), 'hex');
    expect(bytes.subarray(0, 12).equals(PROXY_V2_SIGNATURE)).toBe(true);
    expect([...bytes.subarray(12, 16)]).toEqual([0x21, 0x11, 0, 12]);
    expect([...bytes.subarray(16, 24)]).toEqual([127, 0, 0, 1, 127, 0, 0, 1]);
    expect(bytes.readUInt16BE(24)).toBe(cport);
    expect(bytes.readUInt16BE(26)).toBe(port);
    expect(bytes.subarray(28).toString()).toBe('GET');
  });
});

describe('listening', () => {
  it('an address not on this host: pending, reported once, retried every second', async () => {
    const id = `tcp-${++serial}`;
    t.plane.setService(id, tcpService(8080, { address: '192.0.2.10' }));
    const ev = await t.event('listen-failed', (e) => e.service === id);
    expect(ev.code).toBe('EADDRNOTAVAIL');
    await new Promise((r) => setTimeout(r, 1300)); // at least one retry
    expect(t.events.filter((e) => e.kind === 'listen-failed' && e.service === id)).toHaveLength(1);
    expect((await t.plane.stats()).get(id)?.listening).toBe(false);
    t.plane.removeService(id);
  });

  it('the address appears (netns, root): addressAvailable() listens at once', async () => {
    if (process.getuid?.() !== 0)
      throw new Error('this test adds an address in a network namespace: run it as root (sudo npm test)');
    // A throwaway network namespace (unshare -n) where the child may add 192.0.2.10 to lo.
    const script = fileURLToPath(new URL('../helpers/dispatch-vip-appears.ts', import.meta.url));
    const child = spawn('unshare', ['-n', process.execPath, '--import', TS_LOADER, script], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect({ code, err }).toEqual({ code: 0, err: '' });
    const result = JSON.parse(out.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
    expect(result).toMatchObject({ pending: 'EADDRNOTAVAIL', reply: 'backend' });
    // Listening follows addressAvailable(), not the next 1 s retry.
    expect(result.listenMs).toBeLessThan(500);
  }, 15_000);
});

describe('worker crash', () => {
  it('a crashed worker is restarted with its services and real servers', async () => {
    const a = await keep(namedEcho('a'));
    const { id, port } = await service([a.port]);
    const worker = (await t.plane.stats()).get(id)?.workers[0] ?? -1;
    const before = t.events.length;
    crashWorker(worker);
    const exit = await t.event('worker-exit', (e) => e.worker === worker);
    expect(exit.error).toContain('injected worker crash');
    await t.event('worker-restarted', (e) => e.worker === worker);
    await t.event('listening', (e) => e.service === id && t.events.indexOf(e) > before);
    const { line, socket } = await connectLine(port);
    expect(line).toBe('a');
    socket.destroy();
  });
});
