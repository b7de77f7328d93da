/**
 * UDP_CHECK on loopback: a closed port answers with ICMP port unreachable (fail fast, IPv4 and
 * IPv6), a silent open port passes after connect_timeout, keepalived's default payload, and an
 * echo server judged with require_reply patterns (wildcard nibbles, length limits).
 */
import { createSocket, type RemoteInfo } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { countBackTo, quietCount } from '../helpers/handles.js';
import { firstChecker, probeSetup } from '../helpers/checks.js';
import { keepalivedFiller, parseReplyPattern, replyMatches, udpCheck } from '../../src/check/probes/udp.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const fn of cleanups.splice(0).reverse()) fn();
});

function udpProbe(host: string, port: number, block = '') {
  const vip = host.includes(':') ? '2001:db8::100' : '192.0.2.100';
  const text = `virtual_server ${vip} 53 {\n protocol UDP\n real_server ${host} ${port} {\n  UDP_CHECK {\n   connect_timeout 0.3\n   ${block}\n  }\n }\n}\n`;
  const { checker, target, deps } = probeSetup(text, 'UDP_CHECK');
  return { probe: udpCheck.create(checker, target, deps), target };
}

/** A UDP server that records datagrams and answers each with `reply(msg)` (null: silence). */
async function udpServer(
  host: string,
  reply: (msg: Buffer) => Buffer | null = () => null,
): Promise<{ port: number; received: Buffer[] }> {
  const received: Buffer[] = [];
  const server = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  server.on('message', (msg: Buffer, from: RemoteInfo) => {
    received.push(msg);
    const answer = reply(msg);
    if (answer) server.send(answer, from.port, from.address);
  });
  await new Promise<void>((resolve) => server.bind(0, host, resolve));
  cleanups.push(() => server.close());
  return { port: server.address().port, received };
}

async function closedUdpPort(host: string): Promise<number> {
  const { port } = await udpServer(host);
  cleanups.splice(0).forEach((fn) => fn());
  return port;
}

const signal = (): AbortSignal => new AbortController().signal;

describe('UDP_CHECK', () => {
  it.each(['127.0.0.1', '::1'])('fails fast on a closed port of %s (ICMP port unreachable)', async (host) => {
    const port = await closedUdpPort(host);
    const { probe } = udpProbe(host, port);
    const started = Date.now();
    expect(await probe.attempt(signal())).toEqual({
      ok: false,
      reason: 'refused',
      detail: `UDP connection to [${host}]:udp:${port} failed.`,
    });
    expect(Date.now() - started).toBeLessThan(200);
  });

  it("passes a silent open port after connect_timeout, having sent keepalived's default payload", async () => {
    const { port, received } = await udpServer('127.0.0.1');
    const { probe } = udpProbe('127.0.0.1', port);
    const started = Date.now();
    expect(await probe.attempt(signal())).toEqual({ ok: true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    expect(received.map((b) => b.toString('latin1'))).toEqual(['keepalived check - keepalived ch']);
  });

  it('sends the configured payload; any reply passes without require_reply', async () => {
    const { port, received } = await udpServer('127.0.0.1', () => Buffer.from('whatever'));
    const { probe } = udpProbe('127.0.0.1', port, 'payload 00fF10');
    const started = Date.now();
    expect(await probe.attempt(signal())).toEqual({ ok: true });
    expect(Date.now() - started).toBeLessThan(250);
    expect(received[0]?.toString('hex')).toBe('00ff10');
  });

  describe('with require_reply', () => {
    const echo = (msg: Buffer): Buffer => msg;

    it.each([
      ['an exact pattern', 'payload 0a0b0c0d\n require_reply 0a0b0c0d', true],
      ['wildcard nibbles', 'payload 0a0b0c0d\n require_reply 0xXbxc', true],
      [
        'a pattern shorter than the reply (only its length is compared)',
        'payload 0a0b0c0d\n require_reply 0a0b',
        true,
      ],
      ['a pattern longer than the reply', 'payload 0a0b\n require_reply 0a0bffff', true],
      ['a mismatch', 'payload 0a0b0c0d\n require_reply 0a0c', false],
      [
        'a reply shorter than min_reply_length',
        'payload 0a0b\n require_reply 0a\n min_reply_length 3',
        false,
      ],
      [
        'a reply longer than max_reply_length',
        'payload 0a0b0c0d\n require_reply 0a\n max_reply_length 3',
        false,
      ],
    ])('%s', async (_what, block, ok) => {
      const { port } = await udpServer('127.0.0.1', echo);
      const { probe } = udpProbe('127.0.0.1', port, block);
      expect(await probe.attempt(signal())).toEqual(
        ok
          ? { ok: true }
          : {
              ok: false,
              reason: 'reply',
              detail: `UDP check to [127.0.0.1]:udp:${port} reply data mismatch.`,
            },
      );
    });

    it('without a pattern accepts any reply, ignoring the length limits (as keepalived does)', async () => {
      const { port } = await udpServer('127.0.0.1', () => Buffer.alloc(300, 1));
      const { probe } = udpProbe('127.0.0.1', port, 'require_reply\n max_reply_length 10');
      expect(await probe.attempt(signal())).toEqual({ ok: true });
    });

    it('fails when no reply comes within connect_timeout', async () => {
      const { port } = await udpServer('127.0.0.1');
      const { probe } = udpProbe('127.0.0.1', port, 'require_reply 00');
      expect(await probe.attempt(signal())).toEqual({
        ok: false,
        reason: 'timeout',
        detail: `UDP connection to [127.0.0.1]:udp:${port} failed.`,
      });
    });

    it('judges only the first datagram', async () => {
      const { port } = await udpServer('::1', () => Buffer.from('bad'));
      const { probe } = udpProbe('::1', port, 'require_reply 676f6f64');
      expect(await probe.attempt(signal())).toMatchObject({ ok: false, reason: 'reply' });
    });
  });

  it('leaves no socket open, also on abort', async () => {
    const { port } = await udpServer('127.0.0.1');
    const { probe } = udpProbe('127.0.0.1', port, 'connect_timeout 5');
    const before = await quietCount('UDPWrap');
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 30);
    expect(await probe.attempt(ctl.signal)).toMatchObject({ ok: false, reason: 'aborted' });
    expect(await countBackTo('UDPWrap', before)).toBe(before);
  });

  it("matches like keepalived's check_udp_reply()", () => {
    const p = parseReplyPattern('12x4');
    expect(p.data.toString('hex')).toBe('1204');
    expect(p.mask.toString('hex')).toBe('00f0');
    expect(replyMatches(Buffer.from([0x12, 0xa4, 0xff]), p, 0, 255)).toBe(true);
    expect(replyMatches(Buffer.from([0x12, 0xa5]), p, 0, 255)).toBe(false);
    expect(replyMatches(Buffer.from([0x12]), p, 0, 255)).toBe(true);
    expect(replyMatches(Buffer.from([0x12]), p, 2, 255)).toBe(false);
    expect(keepalivedFiller(40).toString()).toBe('keepalived check - keepalived check - ke');
  });

  it("has keepalived's texts", () => {
    const { target } = udpProbe('127.0.0.1', 53);
    const last = { ok: false, reason: 'refused', detail: '' } as const;
    expect(udpCheck.texts.up(target.display, target, firstChecker(target))).toBe(
      'UDP connection to [127.0.0.1]:udp:53 success.',
    );
    expect(udpCheck.texts.down(target.display, 2, target, last, firstChecker(target))).toBe(
      'UDP_CHECK on service [127.0.0.1]:udp:53 failed after 2 retries.',
    );
    expect(udpCheck.texts.down(target.display, 0, target, last, firstChecker(target))).toBe(
      'UDP_CHECK on service [127.0.0.1]:udp:53 failed.',
    );
  });
});
