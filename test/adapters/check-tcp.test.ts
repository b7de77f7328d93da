/**
 * TCP_CHECK against real sockets on loopback: connect and close (IPv4 and IPv6), refused, a
 * listener whose accept queue is full (the SYN is dropped: connect timeout), bindto/bind_port,
 * abort, keepalived's texts, and nothing left open after an attempt.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { countBackTo, quietCount } from '../helpers/handles.js';
import type { TcpChecker } from '../../src/config/model.js';
import { firstChecker, probeSetup } from '../helpers/checks.js';
import { tcpCheck } from '../../src/check/probes/tcp.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const fn of cleanups.splice(0).reverse()) fn();
});

function tcpProbe(rs: string, block = '', global = '') {
  const vip = rs.includes(':') ? '2001:db8::100' : '192.0.2.100';
  const text = `${global}virtual_server ${vip} 80 {\n protocol TCP\n real_server ${rs} {\n  TCP_CHECK {\n   connect_timeout 0.3\n   ${block}\n  }\n }\n}\n`;
  const { checker, target, deps } = probeSetup(text, 'TCP_CHECK');
  const probe = tcpCheck.create(checker, target, deps);
  cleanups.push(() => probe.close());
  return { probe, target, checker: checker satisfies TcpChecker };
}

/** A listening server that records its connections' remote ports and when they closed. */
async function listen(host: string): Promise<{ server: Server; port: number; peers: Socket[] }> {
  const peers: Socket[] = [];
  const server = createServer((s) => {
    peers.push(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  cleanups.push(() => {
    for (const p of peers) p.destroy();
    server.close();
  });
  return { server, port: (server.address() as AddressInfo).port, peers };
}

/** A port nobody listens on (bound, then released). */
async function closedPort(host: string): Promise<number> {
  const { server, port } = await listen(host);
  await new Promise((r) => server.close(r));
  return port;
}

/**
 * A listener that never accepts (a child process blocked in Atomics.wait, so no CPU) with a
 * backlog of 1, its accept queue filled: further SYNs are dropped, a connect hangs.
 */
async function blackhole(): Promise<number> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '-e',
      `const s = require('node:net').createServer();
       s.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () =>
         process.stdout.write(s.address().port + '\\n', () =>
           Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0)));`,
    ],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  cleanups.push(() => child.kill('SIGKILL'));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
    child.once('exit', () => reject(new Error('blackhole listener died')));
  });
  // Fill the accept queue: connections that complete are queued until one no longer does.
  for (let i = 0; i < 8; i++) {
    const s = connect(port, '127.0.0.1');
    s.on('error', () => undefined);
    cleanups.push(() => s.destroy());
    const done = await new Promise<boolean>((resolve) => {
      const t = setTimeout(() => resolve(false), 150);
      s.once('connect', () => {
        clearTimeout(t);
        resolve(true);
      });
    });
    if (!done) break;
  }
  return port;
}

describe('TCP_CHECK', () => {
  it.each(['127.0.0.1', '::1'])('connects to %s and closes the connection', async (host) => {
    const { port, peers } = await listen(host);
    const { probe, target } = tcpProbe(`${host} ${port}`);
    expect(target.display).toBe(`[${host}]:tcp:${port}`);
    const before = await quietCount('TCPSocketWrap');
    expect(await probe.attempt(new AbortController().signal)).toEqual({ ok: true });
    expect(peers).toHaveLength(1);
    // The checker closed its end: the server sees the end of the stream.
    await new Promise<void>((resolve) => {
      if (peers[0]!.readableEnded) resolve();
      else peers[0]!.once('end', resolve).resume();
    });
    peers[0]!.destroy();
    expect(await countBackTo('TCPSocketWrap', before)).toBe(before);
  });

  it('uses connect_ip / connect_port instead of the real server address', async () => {
    const { port, peers } = await listen('127.0.0.1');
    const { probe, target } = tcpProbe('192.0.2.21 80', `connect_ip 127.0.0.1\n connect_port ${port}`);
    expect(target.display).toBe(`[127.0.0.1]:tcp:${port}`);
    expect(await probe.attempt(new AbortController().signal)).toEqual({ ok: true });
    expect(peers).toHaveLength(1);
  });

  it('fails with `refused` on a closed port, with keepalived per-attempt text', async () => {
    const port = await closedPort('127.0.0.1');
    const { probe } = tcpProbe(`127.0.0.1 ${port}`);
    expect(await probe.attempt(new AbortController().signal)).toEqual({
      ok: false,
      reason: 'refused',
      detail: `TCP connection to [127.0.0.1]:tcp:${port} failed.`,
    });
  });

  it('times out after connect_timeout when the SYN goes unanswered', async () => {
    const port = await blackhole();
    const { probe } = tcpProbe(`127.0.0.1 ${port}`);
    const before = await quietCount('TCPSocketWrap');
    const started = Date.now();
    const outcome = await probe.attempt(new AbortController().signal);
    const took = Date.now() - started;
    expect(outcome).toEqual({
      ok: false,
      reason: 'connect-timeout',
      detail: `TCP connection to [127.0.0.1]:tcp:${port} timeout.`,
    });
    expect(took).toBeGreaterThanOrEqual(280);
    expect(took).toBeLessThan(1500);
    expect(await countBackTo('TCPSocketWrap', before)).toBe(before);
  });

  it('binds to bindto / bind_port', async () => {
    const { port, peers } = await listen('127.0.0.1');
    const from = await closedPort('127.0.0.1');
    const { probe } = tcpProbe(`127.0.0.1 ${port}`, `bindto 127.0.0.1\n bind_port ${from}`);
    expect(await probe.attempt(new AbortController().signal)).toEqual({ ok: true });
    expect(peers[0]?.remotePort).toBe(from);
  });

  it('fails (not throws) when bindto cannot be bound', async () => {
    const { port } = await listen('127.0.0.1');
    const { probe } = tcpProbe(`127.0.0.1 ${port}`, 'bindto 192.0.2.250');
    expect(await probe.attempt(new AbortController().signal)).toEqual({
      ok: false,
      reason: 'error',
      detail: 'TCP socket bind failed. Rescheduling.',
    });
  });

  it('stops at once on abort and releases the socket', async () => {
    const port = await blackhole();
    const { probe } = tcpProbe(`127.0.0.1 ${port}`, 'connect_timeout 5');
    const before = await quietCount('TCPSocketWrap');
    const ctl = new AbortController();
    const pending = probe.attempt(ctl.signal);
    setTimeout(() => ctl.abort(), 50);
    const started = Date.now();
    expect(await pending).toMatchObject({ ok: false, reason: 'aborted' });
    expect(Date.now() - started).toBeLessThan(500);
    expect(await countBackTo('TCPSocketWrap', before)).toBe(before);
    const aborted = AbortSignal.abort();
    expect(await probe.attempt(aborted)).toMatchObject({ ok: false, reason: 'aborted' });
  });

  it("has keepalived's transition texts", () => {
    const { target } = tcpProbe('127.0.0.1 8080');
    const last = { ok: false, reason: 'refused', detail: '' } as const;
    expect(tcpCheck.texts.up(target.display, target, firstChecker(target))).toBe(
      'TCP connection to [127.0.0.1]:tcp:8080 success.',
    );
    expect(tcpCheck.texts.down(target.display, 1, target, last, firstChecker(target))).toBe(
      'TCP_CHECK on service [127.0.0.1]:tcp:8080 failed after 1 retries.',
    );
    expect(tcpCheck.texts.down(target.display, 0, target, last, firstChecker(target))).toBe(
      'TCP_CHECK on service [127.0.0.1]:tcp:8080 failed.',
    );
  });
});
