/**
 * HTTP_GET / SSL_GET probes against real servers on loopback (net.Server for raw bytes, node:https
 * with a certificate made by the openssl CLI): keepalived's request bytes, Host and SNI, status
 * ranges, digest, regex, a fresh connection per url and per attempt, refused / silent / slow /
 * oversized servers ending within connect_timeout, bindto, IPv6, TLS client certificates.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Config, HttpChecker } from '../../src/config/model.js';
import { formatRs, formatService } from '../../src/check/format.js';
import type { ProbeDeps, ProbeOutcome, ProbeTarget } from '../../src/check/probe.js';
import { httpGetChecker, sslGetChecker } from '../../src/check/probes/http.js';
import { loadText } from '../helpers/config.js';

const md5 = (b: string | Buffer) => createHash('md5').update(b).digest('hex');
const silent = pino({ level: 'silent' });

// ---------------------------------------------------------------- servers

interface RawServer {
  readonly port: number;
  /** Raw request heads, in arrival order. */
  readonly requests: string[];
  /** Accepted connections with their peer address. */
  readonly peers: { address: string; port: number }[];
  close(): Promise<void>;
}

type Handler = (sock: Socket, request: string) => void;

const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A TCP server that reads one request head and hands the socket to `handler`. */
async function rawServer(handler: Handler, host = '127.0.0.1'): Promise<RawServer> {
  const sockets = new Set<Socket>();
  const requests: string[] = [];
  const peers: RawServer['peers'] = [];
  const server: Server = createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => {});
    peers.push({ address: sock.remoteAddress ?? '', port: sock.remotePort ?? 0 });
    let head = '';
    const onData = (d: Buffer) => {
      head += d.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      sock.off('data', onData);
      requests.push(head.slice(0, end + 4));
      handler(sock, head.slice(0, end + 4));
    };
    sock.on('data', onData);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const s: RawServer = {
    port: (server.address() as AddressInfo).port,
    requests,
    peers,
    close: () =>
      new Promise<void>((resolve) => {
        for (const sock of sockets) sock.destroy();
        server.close(() => resolve());
      }),
  };
  servers.push(s);
  return s;
}

/** An HTTP/1.0-style answer: header, body, close. */
const reply =
  (body: string | Buffer, status = '200 OK', headers: Record<string, string | number> = {}): Handler =>
  (sock) => {
    const b = typeof body === 'string' ? Buffer.from(body) : body;
    const h = { 'Content-Length': b.length, ...headers };
    const lines = Object.entries(h).map(([k, v]) => `${k}: ${v}\r\n`);
    sock.end(Buffer.concat([Buffer.from(`HTTP/1.0 ${status}\r\n${lines.join('')}\r\n`), b]));
  };

// ---------------------------------------------------------------- checkers from config text

interface Setup {
  readonly checker: HttpChecker;
  readonly target: ProbeTarget;
  readonly deps: ProbeDeps;
}

/** A virtual server with one real server at ip:port whose only checker is `checkerText`. */
function setup(
  ip: string,
  port: number,
  checkerText: string,
  opts: { vs?: string; rs?: string; top?: string } = {},
): Setup {
  const vsIp = ip.includes(':') ? '2001:db8::100' : '192.0.2.100';
  const { config, diagnostics } = loadText(`${opts.top ?? ''}
virtual_server ${vsIp} 80 {
  protocol TCP
  ${opts.vs ?? ''}
  real_server ${ip} ${port} {
    ${opts.rs ?? ''}
    ${checkerText}
  }
}
`);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  expect(errors).toEqual([]);
  const vs = config.virtualServers[0]!;
  const rs = vs.realServers[0]!;
  const checker = rs.checkers[0] as HttpChecker;
  return {
    checker,
    target: { vs, rs, display: formatRs(rs, vs) },
    deps: depsFor(config),
  };
}

const depsFor = (config: Config): ProbeDeps => ({
  global: config.globalDefs,
  ssl: config.ssl,
  trackFileValue: () => undefined,
  log: silent,
});

async function attempt(s: Setup, signal = new AbortController().signal): Promise<ProbeOutcome> {
  const type = s.checker.type === 'SSL_GET' ? sslGetChecker : httpGetChecker;
  const probe = type.create(s.checker, s.target, s.deps);
  try {
    return await probe.attempt(signal);
  } finally {
    probe.close();
  }
}

async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const r = await f();
  return [r, performance.now() - t0];
}

const HTTP = (body: string) => `HTTP_GET {\n connect_timeout 0.4\n ${body}\n}`;
const display = (port: number, ip = '127.0.0.1') => formatService(ip, 'TCP', port);

// ---------------------------------------------------------------- request bytes

describe('the request keepalived sends', () => {
  it.each([
    ['', 'GET /health HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nHost: 127.0.0.1:PORT\r\n\r\n'],
    [
      'http_protocol 1.0C',
      'GET /health HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nConnection: close\r\nHost: 127.0.0.1:PORT\r\n\r\n',
    ],
    [
      'http_protocol 1.1',
      'GET /health HTTP/1.1\r\nUser-Agent: KeepAliveClient\r\nConnection: close\r\nHost: 127.0.0.1:PORT\r\n\r\n',
    ],
  ])('http_protocol "%s"', async (proto, expected) => {
    const srv = await rawServer(reply('ok'));
    const out = await attempt(setup('127.0.0.1', srv.port, HTTP(`${proto}\n url { path /health }`)));
    expect(out).toEqual({
      ok: true,
      detail: `HTTP status code success to ${display(srv.port)} url(/health)`,
    });
    expect(srv.requests).toEqual([expected.replace('PORT', String(srv.port))]);
  });

  it('Host: url virtualhost > checker > real server > virtual server, written without a port', async () => {
    const srv = await rawServer(reply('ok'));
    const hosts = async (checkerVh: string, rsVh: string, vsVh: string, urlVh: string) => {
      srv.requests.length = 0;
      const s = setup('127.0.0.1', srv.port, HTTP(`${checkerVh}\n url { path /\n ${urlVh} }`), {
        rs: rsVh,
        vs: vsVh,
      });
      expect((await attempt(s)).ok).toBe(true);
      return /\r\nHost: (.*)\r\n/.exec(srv.requests[0] ?? '')?.[1];
    };
    expect(
      await hosts(
        'virtualhost c.example',
        'virtualhost r.example',
        'virtualhost v.example',
        'virtualhost u.example',
      ),
    ).toBe('u.example');
    expect(await hosts('virtualhost c.example', 'virtualhost r.example', 'virtualhost v.example', '')).toBe(
      'c.example',
    );
    expect(await hosts('', 'virtualhost r.example', 'virtualhost v.example', '')).toBe('r.example');
    expect(await hosts('', '', 'virtualhost v.example:8080', '')).toBe('v.example:8080');
    expect(await hosts('', '', '', '')).toBe(`127.0.0.1:${srv.port}`);
  });

  it('Host names connect_ip:connect_port, where the checker really connects', async () => {
    const srv = await rawServer(reply('ok'));
    // The real server itself (192.0.2.1:1) is not reachable: connect_ip/connect_port are.
    const s = setup('192.0.2.1', 1, HTTP(`connect_ip 127.0.0.1\n connect_port ${srv.port}\n url { path / }`));
    expect((await attempt(s)).ok).toBe(true);
    expect(srv.requests[0]).toContain(`\r\nHost: 127.0.0.1:${srv.port}\r\n`);
  });

  it('IPv6: connects to ::1 and writes Host: [::1]:port', async () => {
    const srv = await rawServer(reply('ok'), '::1');
    const out = await attempt(setup('::1', srv.port, HTTP('url { path /v6 }')));
    expect(out).toEqual({ ok: true, detail: `HTTP status code success to [::1]:tcp:${srv.port} url(/v6)` });
    expect(srv.requests[0]).toContain(`\r\nHost: [::1]:${srv.port}\r\n`);
  });
});

// ---------------------------------------------------------------- verdicts

describe('status codes, digest, regex', () => {
  it.each([
    ['200 OK', '', true],
    ['204 No Content', '', true],
    ['299 X', '', true],
    ['301 Moved', '', false],
    ['500 Oops', '', false],
    ['302 Found', 'status_code 200 301-302', true],
    ['303 Other', 'status_code 200 301-302', false],
    ['500 Oops', 'status_code 500', true],
  ])('status %s with "%s" → ok %s', async (status, codes, ok) => {
    const srv = await rawServer(reply('body', status));
    const out = await attempt(setup('127.0.0.1', srv.port, HTTP(`url { path /\n ${codes} }`)));
    if (ok) expect(out.ok).toBe(true);
    else
      expect(out).toEqual({
        ok: false,
        reason: 'http-status',
        detail: `HTTP status code error to server ${display(srv.port)}.`,
      });
  });

  it('a status line without a code fails as a status error', async () => {
    const srv = await rawServer((sock) => sock.end('garbage\r\n\r\nbody'));
    expect(await attempt(setup('127.0.0.1', srv.port, HTTP('url { path / }')))).toMatchObject({
      ok: false,
      reason: 'http-status',
    });
  });

  it("digest: MD5 of the body matches, or fails with keepalived's text", async () => {
    const body = 'hello keepalived\n';
    const srv = await rawServer(reply(body));
    const good = await attempt(setup('127.0.0.1', srv.port, HTTP(`url { path /\n digest ${md5(body)} }`)));
    expect(good).toEqual({ ok: true, detail: `MD5 digest success to ${display(srv.port)} url(/)` });
    const bad = await attempt(setup('127.0.0.1', srv.port, HTTP(`url { path /\n digest ${md5('other')} }`)));
    expect(bad).toEqual({
      ok: false,
      reason: 'digest',
      detail: `MD5 digest error to server ${display(srv.port)}.`,
    });
  });

  it('digest covers Content-Length bytes only, and the raw bytes of a chunked body', async () => {
    const extra = await rawServer((sock) =>
      sock.end('HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello world'),
    );
    expect(
      (await attempt(setup('127.0.0.1', extra.port, HTTP(`url { path /\n digest ${md5('hello')} }`)))).ok,
    ).toBe(true);
    const chunkedBody = '5\r\nhello\r\n0\r\n\r\n';
    const chunked = await rawServer((sock) =>
      sock.end(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${chunkedBody}`),
    );
    const s = setup(
      '127.0.0.1',
      chunked.port,
      HTTP(`http_protocol 1.1\n url { path /\n digest ${md5(chunkedBody)} }`),
    );
    expect((await attempt(s)).ok).toBe(true);
  });

  it("digest without Content-Length reads to the server's close", async () => {
    const srv = await rawServer((sock) => {
      sock.write('HTTP/1.0 200 OK\r\n\r\npart one, ');
      setTimeout(() => sock.end('part two'), 50);
    });
    const out = await attempt(
      setup('127.0.0.1', srv.port, HTTP(`url { path /\n digest ${md5('part one, part two')} }`)),
    );
    expect(out.ok).toBe(true);
  });

  it('regex and regex_no_match on the response', async () => {
    const srv = await rawServer(reply('<html>status: HEALTHY</html>'));
    const run = (u: string) => attempt(setup('127.0.0.1', srv.port, HTTP(`url { path /\n ${u} }`)));
    expect(await run('regex "status: [A-Z]+"')).toEqual({
      ok: true,
      detail: `Regex match success to ${display(srv.port)} url(/)`,
    });
    expect(await run('regex "status: sick"')).toEqual({
      ok: false,
      reason: 'regex',
      detail: `Regex match failed server ${display(srv.port)}.`,
    });
    expect((await run('regex "status: sick"\n regex_no_match')).ok).toBe(true);
    expect(await run('regex HEALTHY\n regex_no_match')).toMatchObject({ reason: 'regex' });
    // (?i) at the start becomes the JS flag.
    expect((await run('regex "(?i)healthy"')).ok).toBe(true);
  });

  it('status is judged before the digest, and all urls must pass', async () => {
    const srv = await rawServer((sock, req) => {
      if (req.startsWith('GET /a ')) reply('A')(sock, req);
      else if (req.startsWith('GET /b ')) reply('B', '503 Busy')(sock, req);
      else reply('C')(sock, req);
    });
    const both = setup('127.0.0.1', srv.port, HTTP(`url { path /a\n digest ${md5('A')} }\n url { path /c }`));
    expect(await attempt(both)).toEqual({
      ok: true,
      detail: `HTTP status code success to ${display(srv.port)} url(/c)`,
    });
    const second = setup(
      '127.0.0.1',
      srv.port,
      HTTP(`url { path /a }\n url { path /b\n digest ${md5('B')} }`),
    );
    expect(await attempt(second)).toMatchObject({ ok: false, reason: 'http-status' });
  });
});

// ---------------------------------------------------------------- connections

describe('connections', () => {
  it('opens a fresh connection for every url of every attempt', async () => {
    const srv = await rawServer(reply('ok', '200 OK', { Connection: 'keep-alive' }));
    const s = setup('127.0.0.1', srv.port, HTTP('url { path /1 }\n url { path /2 }\n url { path /3 }'));
    const probe = httpGetChecker.create(s.checker, s.target, s.deps);
    for (let i = 0; i < 3; i++) expect((await probe.attempt(new AbortController().signal)).ok).toBe(true);
    probe.close();
    expect(srv.peers).toHaveLength(9);
    expect(new Set(srv.peers.map((p) => p.port)).size).toBe(9);
    expect(srv.requests.map((r) => r.split(' ')[1])).toEqual([
      '/1',
      '/2',
      '/3',
      '/1',
      '/2',
      '/3',
      '/1',
      '/2',
      '/3',
    ]);
  });

  it('after Content-Length bytes, waits a short grace for the close, then passes anyway', async () => {
    const closing = await rawServer(reply('ok'));
    const keeping = await rawServer((sock) => sock.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
    const run = (port: number) =>
      timed(() => attempt(setup('127.0.0.1', port, HTTP(`url { path /\n digest ${md5('ok')} }`))));
    const [a, msA] = await run(closing.port);
    expect(a.ok).toBe(true);
    expect(msA).toBeLessThan(150);
    // keepalived would wait for a close that never comes and fail at connect_timeout (400 ms).
    const [b, msB] = await run(keeping.port);
    expect(b.ok).toBe(true);
    expect(msB).toBeGreaterThanOrEqual(240);
    expect(msB).toBeLessThan(390);
  });

  it('connection refused', async () => {
    const srv = await rawServer(reply('ok'));
    const port = srv.port;
    await srv.close();
    const [out, ms] = await timed(() => attempt(setup('127.0.0.1', port, HTTP('url { path / }'))));
    expect(out).toEqual({
      ok: false,
      reason: 'refused',
      detail: `Connection failed server ${display(port)}.`,
    });
    expect(ms).toBeLessThan(300);
  });

  it('a server that accepts and never answers ends at connect_timeout', async () => {
    const srv = await rawServer(() => {});
    const [out, ms] = await timed(() => attempt(setup('127.0.0.1', srv.port, HTTP('url { path / }'))));
    expect(out).toEqual({
      ok: false,
      reason: 'timeout',
      detail: `Timeout WEB read server ${display(srv.port)}.`,
    });
    expect(ms).toBeGreaterThanOrEqual(380);
    expect(ms).toBeLessThan(700);
  });

  it('one byte per second ends at connect_timeout (in the header or in the body)', async () => {
    const dribble =
      (text: string, afterHead = '') =>
      (sock: Socket) => {
        if (afterHead) sock.write(afterHead);
        let i = 0;
        const t = setInterval(() => {
          if (sock.destroyed || i >= text.length) return clearInterval(t);
          sock.write(text[i++]!);
        }, 1000);
        sock.write(text[i++]!);
        sock.on('close', () => clearInterval(t));
      };
    const inHead = await rawServer(dribble('HTTP/1.0 200 OK\r\n\r\nok'));
    const [a, msA] = await timed(() => attempt(setup('127.0.0.1', inHead.port, HTTP('url { path / }'))));
    expect(a).toEqual({
      ok: false,
      reason: 'timeout',
      detail: `Timeout HTTP read server ${display(inHead.port)}.`,
    });
    expect(msA).toBeLessThan(700);
    const inBody = await rawServer(dribble('x'.repeat(100), 'HTTP/1.0 200 OK\r\n\r\n'));
    const [b, msB] = await timed(() =>
      attempt(setup('127.0.0.1', inBody.port, HTTP(`url { path /\n digest ${md5('x'.repeat(100))} }`))),
    );
    expect(b).toMatchObject({ ok: false, reason: 'timeout' });
    expect(msB).toBeLessThan(700);
  });

  it('an endless body: a digest url fails with too-large, a status-only url passes; reading stops', async () => {
    let sent = 0;
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const srv = await rawServer((sock) => {
      sock.write('HTTP/1.0 200 OK\r\n\r\n');
      const pump = () => {
        while (!sock.destroyed && sent < 512 * 1024 * 1024) {
          sent += chunk.length;
          if (!sock.write(chunk)) return void sock.once('drain', pump);
        }
      };
      pump();
    });
    const heapBefore = process.memoryUsage().heapUsed;
    const [big, ms] = await timed(() =>
      attempt(setup('127.0.0.1', srv.port, HTTP(`url { path /\n digest ${md5('x')} }`))),
    );
    expect(big).toMatchObject({ ok: false, reason: 'too-large' });
    expect(ms).toBeLessThan(400);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024);
    const plain = await attempt(setup('127.0.0.1', srv.port, HTTP('url { path / }')));
    expect(plain.ok).toBe(true);
    // The server could write at most what the socket buffers held before the checker stopped reading.
    expect(sent).toBeLessThan(64 * 1024 * 1024);
  });

  it('an endless header fails with too-large', async () => {
    const srv = await rawServer((sock) => {
      sock.write('HTTP/1.0 200 OK\r\n');
      sock.write(`X-Pad: ${'p'.repeat(32 * 1024)}\r\n`);
    });
    expect(await attempt(setup('127.0.0.1', srv.port, HTTP('url { path / }')))).toMatchObject({
      ok: false,
      reason: 'too-large',
    });
  });

  it('a server closing without a header: no data received', async () => {
    const srv = await rawServer((sock) => sock.end());
    expect(await attempt(setup('127.0.0.1', srv.port, HTTP('url { path / }')))).toEqual({
      ok: false,
      reason: 'protocol',
      detail: `Read, no data received from server ${display(srv.port)}.`,
    });
  });

  it("logs a Content-Length mismatch once per distinct difference, with keepalived's text", async () => {
    const srv = await rawServer((sock) => sock.end('HTTP/1.0 200 OK\r\nContent-Length: 10\r\n\r\nshort'));
    const lines: string[] = [];
    const log = pino({}, { write: (l: string) => void lines.push((JSON.parse(l) as { msg: string }).msg) });
    const s = setup('127.0.0.1', srv.port, HTTP('url { path /len }'));
    const probe = httpGetChecker.create(s.checker, s.target, { ...s.deps, log });
    expect((await probe.attempt(new AbortController().signal)).ok).toBe(true);
    expect((await probe.attempt(new AbortController().signal)).ok).toBe(true);
    probe.close();
    expect(lines).toEqual([
      `http_check for RS ${display(srv.port)} VS [192.0.2.100]:tcp:80 url /len: content_length (10) does not match received bytes (5)`,
    ]);
  });

  it('bindto and bind_port choose the source address and port, again on every attempt', async () => {
    const srv = await rawServer(reply('ok'));
    const free = await rawServer(() => {});
    const sourcePort = free.port;
    await free.close();
    const s = setup(
      '127.0.0.1',
      srv.port,
      HTTP(`bindto 127.0.0.2\n bind_port ${sourcePort}\n url { path / }`),
    );
    const probe = httpGetChecker.create(s.checker, s.target, s.deps);
    // The server closes first, so the fixed source port is free again for the next attempt.
    for (let i = 0; i < 3; i++)
      expect(await probe.attempt(new AbortController().signal)).toMatchObject({ ok: true });
    probe.close();
    expect(srv.peers).toEqual(Array(3).fill({ address: '127.0.0.2', port: sourcePort }));
  });

  it('an abort signal ends the attempt at once', async () => {
    const srv = await rawServer(() => {});
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 50);
    const [out, ms] = await timed(() =>
      attempt(setup('127.0.0.1', srv.port, HTTP('url { path / }')), ctl.signal),
    );
    expect(out).toMatchObject({ ok: false, reason: 'aborted' });
    expect(ms).toBeLessThan(300);
  });

  it("texts: keepalived's up and down lines", () => {
    const d = '[10.0.0.2]:tcp:80';
    const s = setup('127.0.0.1', 1, HTTP('url { path / }'));
    const last: ProbeOutcome = { ok: false, reason: 'timeout', detail: '' };
    expect(httpGetChecker.texts.up(d, s.target, s.checker)).toBe(
      'Remote Web server [10.0.0.2]:tcp:80 succeed on service.',
    );
    expect(httpGetChecker.texts.down(d, 3, s.target, last, s.checker)).toBe(
      'HTTP_CHECK on service [10.0.0.2]:tcp:80 failed after 3 retries.',
    );
    expect(sslGetChecker.texts.down(d, 0, s.target, last, s.checker)).toBe(
      'HTTP_CHECK on service [10.0.0.2]:tcp:80 failed.',
    );
  });
});

// ---------------------------------------------------------------- SSL_GET

describe('SSL_GET', () => {
  let dir: string;
  let serverKey: Buffer;
  let serverCert: Buffer;
  const openssl = (...args: string[]) => execFileSync('/usr/bin/openssl', args, { cwd: dir, stdio: 'pipe' });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ka-check-http-'));
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'];
    openssl(
      'req',
      '-x509',
      ...ec,
      '-nodes',
      '-keyout',
      'server.key',
      '-out',
      'server.crt',
      '-days',
      '2',
      '-subj',
      '/CN=server.test',
    );
    openssl(
      'genpkey',
      '-algorithm',
      'EC',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-aes-128-cbc',
      '-pass',
      'pass:s3cret',
      '-out',
      'client.key',
    );
    openssl(
      'req',
      '-new',
      '-x509',
      '-key',
      'client.key',
      '-passin',
      'pass:s3cret',
      '-out',
      'client.crt',
      '-days',
      '2',
      '-subj',
      '/CN=checker',
    );
    serverKey = readFileSync(join(dir, 'server.key'));
    serverCert = readFileSync(join(dir, 'server.crt'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  interface Seen {
    servername: string | false | undefined;
    host: string | undefined;
    httpVersion: string;
    userAgent: string | undefined;
    clientCn: string | undefined;
  }

  async function httpsServer(
    body = 'secure ok',
    host = '127.0.0.1',
  ): Promise<{ port: number; seen: Seen[] }> {
    const seen: Seen[] = [];
    const server: HttpsServer = createHttpsServer(
      { key: serverKey, cert: serverCert, requestCert: true, rejectUnauthorized: false },
      (req, res) => {
        const sock = req.socket as TLSSocket;
        const peer = sock.getPeerCertificate();
        seen.push({
          servername: (sock as TLSSocket & { servername?: string | false }).servername,
          host: req.headers.host,
          httpVersion: req.httpVersion,
          userAgent: req.headers['user-agent'],
          clientCn: peer.subject ? String(peer.subject.CN) : undefined,
        });
        res.end(body);
      },
    );
    await new Promise<void>((resolve) => server.listen(0, host, resolve));
    servers.push({
      close: () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    });
    return { port: (server.address() as AddressInfo).port, seen };
  }

  const SSL = (body: string) => `SSL_GET {\n connect_timeout 0.5\n ${body}\n}`;

  it('does not verify the self-signed certificate and sends no SNI by default', async () => {
    const srv = await httpsServer();
    const s = setup(
      '127.0.0.1',
      srv.port,
      SSL(`virtualhost www.example\n url { path /\n digest ${md5('secure ok')} }`),
    );
    expect(await attempt(s)).toEqual({
      ok: true,
      detail: `MD5 digest success to ${display(srv.port)} url(/)`,
    });
    expect(srv.seen).toEqual([
      {
        servername: false,
        host: 'www.example',
        httpVersion: '1.0',
        userAgent: 'KeepAliveClient',
        clientCn: undefined,
      },
    ]);
  });

  it('enable_sni sends the virtualhost as the server name (url > checker > virtual server)', async () => {
    const srv = await httpsServer();
    const names = async (checkerText: string, opts: { rs?: string; vs?: string } = {}) => {
      srv.seen.length = 0;
      expect((await attempt(setup('127.0.0.1', srv.port, SSL(`enable_sni\n ${checkerText}`), opts))).ok).toBe(
        true,
      );
      return srv.seen[0]?.servername;
    };
    expect(await names('virtualhost c.example\n url { path /\n virtualhost u.example }')).toBe('u.example');
    expect(await names('virtualhost c.example\n url { path / }')).toBe('c.example');
    expect(await names('url { path / }', { vs: 'virtualhost v.example' })).toBe('v.example');
    // keepalived 2.2.7 leaves the real server's virtualhost out of SNI (check_ssl.c ssl_connect).
    expect(await names('url { path / }', { rs: 'virtualhost r.example', vs: 'virtualhost v.example' })).toBe(
      'v.example',
    );
    expect(await names('url { path / }')).toBe(false);
  });

  it('presents the client certificate of the SSL block, its key unlocked by the password', async () => {
    const srv = await httpsServer('', '::1');
    const top = `SSL {\n password s3cret\n certificate ${join(dir, 'client.crt')}\n key ${join(dir, 'client.key')}\n ca ${join(dir, 'client.crt')}\n}`;
    const s = setup('::1', srv.port, SSL('url { path / }'), { top });
    expect(await attempt(s)).toMatchObject({ ok: true });
    expect(srv.seen[0]).toMatchObject({ clientCn: 'checker', host: `[::1]:${srv.port}` });
  });

  it('an unreadable key file fails the attempt as a TLS error', async () => {
    const srv = await httpsServer();
    const top = `SSL {\n key ${join(dir, 'missing.key')}\n}`;
    expect(await attempt(setup('127.0.0.1', srv.port, SSL('url { path / }'), { top }))).toMatchObject({
      ok: false,
      reason: 'tls',
    });
  });

  it('a plain HTTP server fails the handshake', async () => {
    // Answers in plain HTTP as soon as the client speaks (a ClientHello has no request head).
    const plain = createServer((sock) => sock.once('data', () => sock.end('HTTP/1.0 200 OK\r\n\r\nnot tls')));
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    servers.push({ close: () => new Promise<void>((resolve) => plain.close(() => resolve())) });
    const port = (plain.address() as AddressInfo).port;
    expect(await attempt(setup('127.0.0.1', port, SSL('url { path / }')))).toMatchObject({
      ok: false,
      reason: 'tls',
      detail: `SSL handshake/communication error connecting to server ${display(port)}.`,
    });
  });

  it('a TLS server that never completes the handshake ends at connect_timeout', async () => {
    const srv = await rawServer(() => {});
    // The raw server waits for a request head the TLS client never sends.
    const [out, ms] = await timed(() => attempt(setup('127.0.0.1', srv.port, SSL('url { path / }'))));
    expect(out).toEqual({
      ok: false,
      reason: 'connect-timeout',
      detail: `Timeout connecting server ${display(srv.port)}.`,
    });
    expect(ms).toBeLessThan(900);
  });
});
