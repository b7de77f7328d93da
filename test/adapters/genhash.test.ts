/**
 * `--genhash` against real loopback servers: the digest keepalived's genhash prints (the same
 * request and MD5 code as HTTP_GET), -V/-P on the wire, -S with -I (SNI), the verbose dumps,
 * keepalived's failure texts and its command-line messages and exit codes.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { parseGenhashArgs } from '../../src/check/genhash-args.js';
import { hexDump, runGenhash } from '../../src/check/genhash.js';

const md5 = (b: string) => createHash('md5').update(b).digest('hex');

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

/** A server that records each request head and answers `response`. */
async function server(
  response: string | null,
  host = '127.0.0.1',
): Promise<{ port: number; heads: string[] }> {
  const heads: string[] = [];
  const sockets = new Set<Socket>();
  const srv = createServer((sock) => {
    sockets.add(sock);
    sock.on('error', () => {});
    let head = '';
    sock.on('data', (d) => {
      head += d.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0 || heads.length > 0) return;
      heads.push(head.slice(0, end + 4));
      if (response !== null) sock.end(response);
    });
  });
  await new Promise<void>((resolve) => srv.listen(0, host, resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        srv.close(() => resolve());
      }),
  );
  return { port: (srv.address() as AddressInfo).port, heads };
}

async function genhash(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runGenhash(argv, {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    prog: 'keepalived-ts',
  });
  return { code, out, err };
}

const ok = (body: string) => `HTTP/1.0 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`;

describe('genhash', () => {
  it("prints the MD5 of the body alone, whatever the status, after keepalived's request", async () => {
    const srv = await server('HTTP/1.0 404 Not Found\r\n\r\n<h1>gone</h1>\n');
    const r = await genhash('-s', '127.0.0.1', '-p', String(srv.port), '-u', '/index.html');
    expect(r).toEqual({ code: 0, out: `${md5('<h1>gone</h1>\n')}\n`, err: '' });
    expect(srv.heads).toEqual([
      `GET /index.html HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nHost: 127.0.0.1:${srv.port}\r\n\r\n`,
    ]);
  });

  it('long options, -V and -P 1.1 on the wire; IPv6 server', async () => {
    const srv = await server(ok('v6 page'), '::1');
    const r = await genhash(
      '--server=::1',
      '--port',
      String(srv.port),
      '--url',
      '/x',
      '-V',
      'www.example',
      '-P',
      '1.1',
    );
    expect(r.out).toBe(`${md5('v6 page')}\n`);
    expect(srv.heads[0]).toBe(
      'GET /x HTTP/1.1\r\nUser-Agent: KeepAliveClient\r\nConnection: close\r\nHost: www.example\r\n\r\n',
    );
    const plain = await server(ok(''), '::1');
    await genhash('-s', '::1', '-p', String(plain.port), '-u', '/', '-P', '1.0c');
    expect(plain.heads[0]).toContain(`Connection: close\r\nHost: [::1]:${plain.port}\r\n`);
  });

  it('verbose: header and body dumps, the digest dump and the response time', async () => {
    const body = 'hello world, this is a body\n';
    const srv = await server(ok(body));
    const r = await genhash('-v', '-s', '127.0.0.1', '-p', String(srv.port), '-u', '/v');
    const header = `HTTP/1.0 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`;
    const digest = md5(body);
    expect(r.out).toBe(
      '-----------------------[    HTTP Header Buffer    ]-----------------------\n' +
        hexDump(Buffer.from(header)) +
        '-----------------------[ HTTP Header Ascii Buffer ]-----------------------\n' +
        `${header}\n` +
        '-----------------------[        HTML Buffer        ]-----------------------\n' +
        hexDump(Buffer.from(body)) +
        '\n-----------------------[    HTML hash resulting    ]-----------------------\n' +
        hexDump(Buffer.from(digest, 'hex')) +
        '-----------------------[ HTML hash final resulting ]-----------------------\n' +
        `${digest}\n` +
        r.out.slice(r.out.lastIndexOf('\nGlobal response time')),
    );
    expect(r.out).toMatch(/\nGlobal response time for \[\/v\] = \d+ usecs\n$/);
  });

  it("hexDump has keepalived's dump_buffer layout", () => {
    expect(hexDump(Buffer.from('HTTP/1.1 200 OK\r\nAB'))).toBe(
      '0000  48 54 54 50 2f 31 2e 31 - 20 32 30 30 20 4f 4b 0d   HTTP/1.1 200 OK.\n' +
        `0016  0a 41 42${'   '.repeat(5)} -${'   '.repeat(8)}   .AB${' '.repeat(13)}\n`,
    );
  });

  it("failures print keepalived's reason and exit 0", async () => {
    const srv = await server(null);
    const port = srv.port;
    expect(await genhash('-s', '127.0.0.1', '-p', String(port), '-u', '/', '-t', '1')).toEqual({
      code: 0,
      out: 'Timeout WEB read\n',
      err: '',
    });
    await closers.pop()?.();
    expect(await genhash('-s', '127.0.0.1', '-p', String(port), '-u', '/')).toEqual({
      code: 0,
      out: 'Connection failed\n',
      err: '',
    });
    const empty = await server('');
    expect(await genhash('-s', '127.0.0.1', '-p', String(empty.port), '-u', '/')).toEqual({
      code: 0,
      out: '',
      err: 'no data received from remote webserver\n',
    });
  });

  it('-S -I: TLS without verification, the virtual host as SNI', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ka-genhash-'));
    try {
      execFileSync(
        '/usr/bin/openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:prime256v1',
          '-nodes',
          '-keyout',
          'k.pem',
          '-out',
          'c.pem',
          '-days',
          '2',
          '-subj',
          '/CN=genhash.test',
        ],
        { cwd: dir, stdio: 'pipe' },
      );
      const names: (string | false | undefined)[] = [];
      const https = createHttpsServer(
        { key: readFileSync(join(dir, 'k.pem')), cert: readFileSync(join(dir, 'c.pem')) },
        (req, res) => {
          names.push((req.socket as TLSSocket & { servername?: string | false }).servername);
          res.end('tls body');
        },
      );
      await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
      closers.push(
        () =>
          new Promise<void>((resolve) => {
            https.closeAllConnections();
            https.close(() => resolve());
          }),
      );
      const port = String((https.address() as AddressInfo).port);
      expect((await genhash('-S', '-s', '127.0.0.1', '-p', port, '-u', '/')).out).toBe(
        `${md5('tls body')}\n`,
      );
      expect(
        (await genhash('-S', '-I', '-V', 'sni.example', '-s', '127.0.0.1', '-p', port, '-u', '/')).out,
      ).toBe(`${md5('tls body')}\n`);
      expect(names).toEqual([false, 'sni.example']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('genhash command line', () => {
  it.each([
    [[], []],
    [['-h'], []],
    [['-s', '127.0.0.1', '-p', '80'], []],
    [['-s', 'localhost', '-p', '80', '-u', '/'], ['server should be an IP, not localhost']],
    [['-s', '127.0.0.1', '-p', '0', '-u', '/'], ["invalid port number '0'"]],
    [['-s', '127.0.0.1', '-p', '80x', '-u', '/'], ["invalid port number '80x'"]],
    [['-x', '-s', '127.0.0.1', '-p', '80', '-u', '/'], ['Unknown option -x']],
    [['--bogus', '-s', '127.0.0.1'], ['Unknown option --bogus']],
    [['-s', '127.0.0.1', '-p', '80', '-u'], ['Missing parameter for option -u']],
    [['-s', '127.0.0.1', '-p', '80', '--url'], ['Missing parameter for option --url']],
    [['-s', '127.0.0.1', '-p', '80', '-u', '/', 'extra', 'args'], ['Unexpected argument(s): extra args']],
    [['-P', '2.0'], ["invalid HTTP protocol version '2.0'"]],
    [['-t', '-1'], ["invalid timeout '-1'"]],
    [['-m', '1'], ['keepalived built without fwmark support']],
  ])('%j → usage after %j, exit 1', async (argv, messages) => {
    const r = await genhash(...argv);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toBe(
      messages.map((m) => `${m}\n`).join('') + (r.err.slice(r.err.indexOf('Usage: ')) || 'missing usage'),
    );
    expect(r.err).toContain('Usage: keepalived-ts --genhash COMMAND [OPTIONS]\n');
  });

  it('getopt_long rules: bundles, attached values, unique prefixes, options after operands', () => {
    expect(parseGenhashArgs(['-vSs127.0.0.1', '-p80', '--ur=/a', '--use-v', 'h', '-t', ' 3'])).toEqual({
      ok: true,
      options: {
        ssl: true,
        sni: false,
        server: '127.0.0.1',
        port: 80,
        url: '/a',
        vhost: 'h',
        verbose: true,
        protocol: '1.0',
        timeoutMs: 3000,
      },
    });
    // "--use" is ambiguous (use-ssl, use-sni, use-virtualhost).
    expect(parseGenhashArgs(['--use', '-s', '::1', '-p', '1', '-u', '/'])).toEqual({
      ok: false,
      messages: ['Unknown option --use'],
    });
    expect(parseGenhashArgs(['-s', '0:0::1', '-p', '1', '-u', '/'])).toMatchObject({
      ok: true,
      options: { server: '::1' },
    });
  });
});
