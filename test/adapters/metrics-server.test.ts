/**
 * The Prometheus endpoint (src/daemon/metrics-server.ts) on a real loopback socket, port 0: GET
 * /metrics with the 0.0.4 content type, 404 elsewhere, 405 for other methods, a failing renderer
 * answered with 500 while the server goes on, concurrent scrapes sharing one render, close().
 */
import { connect, createServer, type AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { KaError } from '../../src/lib/errors.js';
import { startMetricsServer, type MetricsServer } from '../../src/daemon/metrics-server.js';

const TEXT = '# HELP keepalived_ts_up Test.\n# TYPE keepalived_ts_up gauge\nkeepalived_ts_up 1\n';

const servers: MetricsServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(render: () => Promise<string>, logLines?: string[]): Promise<MetricsServer> {
  const log = logLines ? pino({ level: 'info' }, { write: (l: string) => logLines.push(l) }) : undefined;
  const s = await startMetricsServer({ address: '127.0.0.1', port: 0, render, ...(log ? { log } : {}) });
  servers.push(s);
  return s;
}

const url = (s: MetricsServer, path: string): string => `http://127.0.0.1:${s.port}${path}`;

describe('metrics server', () => {
  it('answers GET /metrics with the text format 0.0.4', async () => {
    const s = await start(() => Promise.resolve(TEXT));
    expect(s.address).toBe('127.0.0.1');
    expect(s.port).toBeGreaterThan(0);
    const res = await fetch(url(s, '/metrics'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(await res.text()).toBe(TEXT);
    // A query string (some scrapers add one) does not matter.
    expect((await fetch(url(s, '/metrics?name[]=x'))).status).toBe(200);
  });

  it('HEAD gets the headers only; other methods 405; other paths 404', async () => {
    const s = await start(() => Promise.resolve(TEXT));
    const head = await fetch(url(s, '/metrics'), { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(Buffer.byteLength(TEXT)));
    expect(await head.text()).toBe('');
    const post = await fetch(url(s, '/metrics'), { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    await post.arrayBuffer();
    for (const path of ['/', '/metrics/', '/metricsx', '/status']) {
      const res = await fetch(url(s, path));
      expect(res.status, path).toBe(404);
      await res.arrayBuffer();
    }
  });

  it('a failing render gives 500 and is logged; the server goes on', async () => {
    const logLines: string[] = [];
    let fail: 'reject' | 'throw' | null = 'reject';
    const s = await start(() => {
      if (fail === 'throw') throw new Error('render blew up');
      if (fail === 'reject') return Promise.reject(new Error('status unavailable'));
      return Promise.resolve(TEXT);
    }, logLines);
    const rejected = await fetch(url(s, '/metrics'));
    expect(rejected.status).toBe(500);
    expect(await rejected.text()).toBe('metrics unavailable\n');
    fail = 'throw';
    expect((await fetch(url(s, '/metrics'))).status).toBe(500);
    fail = null;
    const ok = await fetch(url(s, '/metrics'));
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe(TEXT);
    const events = logLines.map((l) => JSON.parse(l) as { event: string; component: string; msg: string });
    expect(events.map((e) => [e.component, e.event, e.msg])).toEqual([
      ['metrics', 'metrics.render-failed', 'metrics render failed: Error: status unavailable'],
      ['metrics', 'metrics.render-failed', 'metrics render failed: Error: render blew up'],
    ]);
  });

  it('concurrent scrapes share one render', async () => {
    let calls = 0;
    let release: (() => void) | undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const s = await start(async () => {
      calls++;
      await gate;
      return TEXT;
    });
    const scrapes = [1, 2, 3].map(() => fetch(url(s, '/metrics')).then((r) => r.text()));
    // All three wait for the render the first one started; then it finishes.
    while (s.waiting < 3) await new Promise((r) => setTimeout(r, 5));
    expect(calls).toBe(1);
    release?.();
    expect(await Promise.all(scrapes)).toEqual([TEXT, TEXT, TEXT]);
    expect(calls).toBe(1);
    // The next scrape renders afresh.
    await (await fetch(url(s, '/metrics'))).text();
    expect(calls).toBe(2);
  });

  it('a malformed request gets 400 and the server goes on', async () => {
    const s = await start(() => Promise.resolve(TEXT));
    const answer = await new Promise<string>((resolve, reject) => {
      const sock = connect(s.port, '127.0.0.1', () => sock.end('NOT HTTP AT ALL\r\n\r\n'));
      let data = '';
      sock.on('data', (c: Buffer) => (data += c.toString('latin1')));
      sock.on('close', () => resolve(data));
      sock.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect((await fetch(url(s, '/metrics'))).status).toBe(200);
  });

  it('close() stops listening and can be called twice', async () => {
    const s = await start(() => Promise.resolve(TEXT));
    await (await fetch(url(s, '/metrics'))).text();
    await s.close();
    await s.close();
    await expect(fetch(url(s, '/metrics'))).rejects.toThrow();
  });

  it('an address that cannot be bound is a KaError, not a crash', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as AddressInfo).port;
    try {
      const err: unknown = await startMetricsServer({
        address: '127.0.0.1',
        port,
        render: () => Promise.resolve(TEXT),
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KaError);
      expect(err).toMatchObject({ code: 'KA_ERR_SOCKET' });
      expect((err as Error).message).toMatch(
        new RegExp(`^metrics_listen: cannot listen on 127\\.0\\.0\\.1:${port}: `),
      );
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  });
});
