/**
 * `keepalived-ts convert` on Piranha lvs.cf files gives configs keepalived 2.2.7 accepts cleanly
 * (`keepalived -t` exits 0) for both directors, in a namespace with the interfaces the files name;
 * and `keepalived-ts send-expect`, the probe those configs run, against real loopback servers.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, Netns, requireCommand, requireNetnsLab } from './netns.js';

const dir = fileURLToPath(new URL('../fixtures/convert', import.meta.url));
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.lvs.cf'));
let ns: Netns | undefined;
let out: string;

beforeAll(() => {
  requireNetnsLab();
  requireCommand('keepalived', "install Debian's keepalived (.ci/run does), the reference for -t");
  ns = Netns.create('kts-lvscf', ['eth0', 'eth1']);
  out = mkdtempSync(join(tmpdir(), 'kts-lvscf-'));
});

afterAll(() => {
  ns?.destroy();
  if (out !== undefined) rmSync(out, { recursive: true, force: true });
});

describe('lvs.cf converted: keepalived 2.2.7 -t exits 0', () => {
  it('has the fixtures', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(4);
  });

  it.each(fixtures.flatMap((f) => [[f, 'primary'] as const, [f, 'backup'] as const]))(
    '%s --role %s',
    (file, role) => {
      const conv = spawnSync(process.execPath, [CLI, 'convert', join(dir, file), '--role', role], {
        encoding: 'utf8',
      });
      expect(conv.status, conv.stderr).toBe(0);
      const conf = join(out, `${file}.${role}.conf`);
      writeFileSync(conf, conv.stdout);
      const verdict = (ns as Netns).exec(['keepalived', '-t', '-f', conf]);
      expect([verdict.status, verdict.stderr], conv.stdout).toEqual([0, '']);
    },
  );
});

/**
 * A loopback TCP server: sends `opts.greeting` on connect (a banner), answers `reply(received)`
 * once `when(received)`, and with `opts.end` closes after answering.
 */
async function server(
  when: (got: string) => boolean,
  reply: (got: string) => string | undefined,
  opts: { greeting?: string; end?: boolean } = {},
): Promise<{ port: number; close: () => Promise<void>; received: string[] }> {
  const received: string[] = [];
  const srv: Server = createServer((sock) => {
    let got = '';
    if (opts.greeting !== undefined) sock.write(opts.greeting);
    if (opts.greeting !== undefined) sock.write(opts.greeting);
    sock.on('data', (d: Buffer) => {
      got += d.toString('latin1');
      if (when(got)) {
        received.push(got);
        const r = reply(got);
        if (r !== undefined) sock.write(r);
        if (opts.end === true) sock.end();
        if (opts.end === true) sock.end();
      }
    });
    sock.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  return {
    port,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        srv.close(() => resolve());
        // Idle sockets of the timeout case hold the server open: end it regardless.
        srv.unref();
      }),
  };
}

function sendExpect(args: readonly string[]): Promise<{ code: number | null; stderr: string; ms: number }> {
  const start = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'send-expect', ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stderr, ms: Date.now() - start }));
  });
}

describe('keepalived-ts send-expect against a loopback server', () => {
  it('matches: sends the decoded request, exits 0 on the expected answer', async () => {
    const s = await server(
      (g) => g.endsWith('\r\n\r\n'),
      () => 'HTTP/1.0 200 OK\r\n\r\n',
    );
    const r = await sendExpect(['127.0.0.1', String(s.port), 'GET / HTTP/1.0\\r\\n\\r\\n', 'HTTP']);
    await s.close();
    expect(r.code, r.stderr).toBe(0);
    expect(s.received).toEqual(['GET / HTTP/1.0\r\n\r\n']);
  });

  it('takes the percent form convert writes', async () => {
    const s = await server(
      (g) => g.includes('\r\n'),
      () => '250 hello\r\n',
    );
    const r = await sendExpect([
      '--percent',
      '--timeout',
      '5',
      '127.0.0.1',
      String(s.port),
      'HELO%20x%0D%0A',
      '250%20',
    ]);
    await s.close();
    expect(r.code, r.stderr).toBe(0);
    expect(s.received).toEqual(['HELO x\r\n']);
  });

  it('no match: the server answers something else and closes: exit 1', async () => {
    const s = await server(
      () => true,
      () => 'HTTP/1.0 500 Oops\r\n\r\n',
      { end: true },
    );
    const r = await sendExpect(['127.0.0.1', String(s.port), 'ping\\n', '200 OK']);
    await s.close();
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('closed without the expected answer');
  });

  it('timeout: the server never answers: exit 1 after --timeout', async () => {
    const s = await server(
      () => true,
      () => undefined,
    );
    const r = await sendExpect(['--timeout', '1', '127.0.0.1', String(s.port), 'ping\\n', 'pong']);
    await s.close();
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no match within 1 s');
    expect(r.ms).toBeGreaterThanOrEqual(900);
  });

  it('regex: --regex matches a pattern, and fails when the pattern does not match', async () => {
    const s = await server(
      () => false,
      () => undefined,
      { greeting: '220 mail.example ESMTP ready\r\n' },
    );
    const yes = await sendExpect(['--regex', '127.0.0.1', String(s.port), '', '^220 [a-z.]+ ESMTP']);
    const no = await sendExpect(['--regex', '--timeout', '1', '127.0.0.1', String(s.port), '', '^250 ']);
    await s.close();
    expect(yes.code, yes.stderr).toBe(0);
    expect(no.code).toBe(1);
  });

  it('refused connection: exit 1', async () => {
    const s = await server(
      () => true,
      () => undefined,
    );
    const port = s.port;
    await s.close();
    const r = await sendExpect(['127.0.0.1', String(port), 'x', 'y']);
    expect(r.code).toBe(1);
  });
});
