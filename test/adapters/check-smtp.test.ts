/**
 * SMTP_CHECK against tiny SMTP servers on loopback: the full HELO/QUIT dialogue (IPv4, IPv6, the
 * default and a configured helo_name, a greeting split over two packets), and broken servers:
 * bad greeting, multi-line greeting, bad HELO reply, silence (read timeout), hang-up, refused.
 */
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { firstChecker, probeSetup } from '../helpers/checks.js';
import { SMTP_DEFAULT_HELO, smtpCheck, smtpStatus } from '../../src/check/probes/smtp.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const fn of cleanups.splice(0).reverse()) fn();
});

function smtpProbe(host: string, port: number, block = '') {
  const vip = host.includes(':') ? '2001:db8::100' : '192.0.2.100';
  const text = `virtual_server ${vip} 25 {\n protocol TCP\n real_server ${host} ${port} {\n  SMTP_CHECK {\n   connect_timeout 0.3\n   ${block}\n  }\n }\n}\n`;
  const { checker, target, deps } = probeSetup(text, 'SMTP_CHECK');
  return { probe: smtpCheck.create(checker, target, deps), target };
}

/** What the server does on a new connection and on each line it receives. */
interface Script {
  greet(s: Socket): void;
  line?(s: Socket, line: string): void;
}

const polite: Script = {
  greet: (s) => s.write('220 mail.test ESMTP ready\r\n'),
  line: (s, line) => {
    if (line.startsWith('HELO ')) s.write('250 mail.test pleased to meet you\r\n');
    else if (line === 'QUIT') s.end('221 bye\r\n');
    else s.write('500 what?\r\n');
  },
};

async function smtpServer(host: string, script: Script): Promise<{ port: number; lines: string[] }> {
  const lines: string[] = [];
  const peers: Socket[] = [];
  const server = createServer((s) => {
    peers.push(s);
    s.on('error', () => undefined);
    let buf = '';
    s.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      for (let nl = buf.indexOf('\r\n'); nl >= 0; nl = buf.indexOf('\r\n')) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        lines.push(line);
        script.line?.(s, line);
      }
    });
    script.greet(s);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  cleanups.push(() => {
    for (const p of peers) p.destroy();
    server.close();
  });
  return { port: (server.address() as AddressInfo).port, lines };
}

const signal = (): AbortSignal => new AbortController().signal;

describe('SMTP_CHECK', () => {
  it.each(['127.0.0.1', '::1'])('passes a HELO / QUIT dialogue with %s', async (host) => {
    const { port, lines } = await smtpServer(host, polite);
    const { probe } = smtpProbe(host, port);
    expect(await probe.attempt(signal())).toEqual({ ok: true });
    expect(lines).toEqual([`HELO ${SMTP_DEFAULT_HELO}`, 'QUIT']);
  });

  it('sends the configured helo_name', async () => {
    const { port, lines } = await smtpServer('127.0.0.1', polite);
    const { probe } = smtpProbe('127.0.0.1', port, 'helo_name lb1.example.com');
    expect(await probe.attempt(signal())).toEqual({ ok: true });
    expect(lines[0]).toBe('HELO lb1.example.com');
  });

  it('reassembles a greeting split over two packets', async () => {
    const { port } = await smtpServer('127.0.0.1', {
      ...polite,
      greet: (s) => {
        s.write('22');
        setTimeout(() => s.write('0 slow.test\r\n'), 50);
      },
    });
    const { probe } = smtpProbe('127.0.0.1', port);
    expect(await probe.attempt(signal())).toEqual({ ok: true });
  });

  it.each([
    ['a refusal', '554 go away\r\n'],
    ['a multi-line greeting (keepalived reads only the first line)', '220-first\r\n220 second\r\n'],
    ['a greeting with no text after the code', '220\r\n'],
  ])('fails on %s', async (_what, greeting) => {
    const { port } = await smtpServer('127.0.0.1', { ...polite, greet: (s) => s.write(greeting) });
    const { probe } = smtpProbe('127.0.0.1', port);
    expect(await probe.attempt(signal())).toEqual({
      ok: false,
      reason: 'protocol',
      detail: `SMTP_CHECK Bad greeting banner from server [127.0.0.1]:${port}`,
    });
  });

  it('fails on a bad HELO reply', async () => {
    const { port } = await smtpServer('127.0.0.1', { ...polite, line: (s) => s.write('501 no\r\n') });
    const { probe } = smtpProbe('127.0.0.1', port);
    expect(await probe.attempt(signal())).toEqual({
      ok: false,
      reason: 'protocol',
      detail: `SMTP_CHECK Bad HELO response from server [127.0.0.1]:${port}`,
    });
  });

  it('times out reading from a server that accepts but never speaks', async () => {
    const { port } = await smtpServer('127.0.0.1', { greet: () => undefined });
    const { probe } = smtpProbe('127.0.0.1', port);
    const started = Date.now();
    expect(await probe.attempt(signal())).toEqual({
      ok: false,
      reason: 'timeout',
      detail: `SMTP_CHECK Read timeout from server [127.0.0.1]:${port}`,
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('gives each step its own connect_timeout (keepalived), not one for the whole dialogue', async () => {
    // Each answer comes after 200 ms: 600 ms in all, more than the 300 ms timeout.
    const { port } = await smtpServer('127.0.0.1', {
      greet: (s) => setTimeout(() => s.write('220 slow\r\n'), 200),
      line: (s, line) => setTimeout(() => polite.line?.(s, line), 200),
    });
    const { probe } = smtpProbe('127.0.0.1', port);
    expect(await probe.attempt(signal())).toEqual({ ok: true });
  });

  it('fails with a read failure when the server hangs up', async () => {
    const { port } = await smtpServer('127.0.0.1', { greet: (s) => s.end() });
    const { probe } = smtpProbe('127.0.0.1', port);
    expect(await probe.attempt(signal())).toEqual({
      ok: false,
      reason: 'reset',
      detail: `SMTP_CHECK Read failure from server [127.0.0.1]:${port}`,
    });
  });

  it('fails when the server hangs up after the greeting (the HELO is written, the read fails)', async () => {
    const { port } = await smtpServer('127.0.0.1', { greet: (s) => s.end('220 bye at once\r\n') });
    const { probe } = smtpProbe('127.0.0.1', port);
    expect(await probe.attempt(signal())).toMatchObject({
      ok: false,
      detail: `SMTP_CHECK Read failure from server [127.0.0.1]:${port}`,
    });
  });

  it('fails when the connection is refused', async () => {
    const { port } = await smtpServer('127.0.0.1', polite);
    cleanups.splice(0).forEach((fn) => fn()); // close the server: the port is now closed
    const { probe } = smtpProbe('127.0.0.1', port);
    expect(await probe.attempt(signal())).toEqual({
      ok: false,
      reason: 'refused',
      detail: `SMTP_CHECK Could not connect to server [127.0.0.1]:${port}`,
    });
  });

  it('stops on abort', async () => {
    const { port } = await smtpServer('127.0.0.1', { greet: () => undefined });
    const { probe } = smtpProbe('127.0.0.1', port, 'connect_timeout 5');
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 50);
    expect(await probe.attempt(ctl.signal)).toMatchObject({ ok: false, reason: 'aborted' });
  });

  it("parses a status like keepalived's smtp_get_status()", () => {
    expect(smtpStatus('220 ok')).toBe(220);
    expect(smtpStatus('250')).toBe(250);
    expect(smtpStatus('220-more')).toBe(-1);
    expect(smtpStatus('220\r')).toBe(-1);
    expect(smtpStatus(' 220 x')).toBe(-1);
    expect(smtpStatus('2200 x')).toBe(-1);
  });

  it("has keepalived's texts", () => {
    const { target } = smtpProbe('127.0.0.1', 25);
    expect(smtpCheck.texts.up(target.display, target, firstChecker(target))).toBe(
      'Remote SMTP server [127.0.0.1]:tcp:25 succeed on service.',
    );
    const last = {
      ok: false,
      reason: 'timeout',
      detail: 'SMTP_CHECK Read timeout from server [127.0.0.1]:25',
    } as const;
    expect(smtpCheck.texts.down(target.display, 1, target, last, firstChecker(target))).toBe(last.detail);
  });
});
