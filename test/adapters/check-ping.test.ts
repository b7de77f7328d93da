/**
 * PING_CHECK with real ICMP: echo to 127.0.0.1 and ::1 (needs root: raw sockets), an address
 * that does not answer (a documentation prefix, failing by timeout or by an ICMP unreachable,
 * depending on the network), abort, no file descriptor left open, the reply matching on
 * synthesized packets, and keepalived's texts.
 *
 * 192.0.2.1 is not used for "no answer": on some test hosts (this one) it is the default gateway.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { firstChecker, probeSetup } from '../helpers/checks.js';
import { classifyIcmp, echoOnce, echoRequest, type EchoMatch } from '../../src/check/probes/icmp-echo.js';
import { pingCheck } from '../../src/check/probes/ping.js';

const isRoot = process.getuid?.() === 0;

function pingProbe(host: string, block = '') {
  const vip = host.includes(':') ? '2001:db8::100' : '192.0.2.100';
  const text = `virtual_server ${vip} 80 {\n protocol TCP\n real_server ${host} 80 {\n  PING_CHECK {\n   connect_timeout 0.3\n   ${block}\n  }\n }\n}\n`;
  const { checker, target, deps } = probeSetup(text, 'PING_CHECK');
  return { probe: pingCheck.create(checker, target, deps), target };
}

const openFds = (): number => readdirSync('/proc/self/fd').length;
const signal = (): AbortSignal => new AbortController().signal;

describe.runIf(isRoot)('PING_CHECK (as root)', () => {
  it.each(['127.0.0.1', '::1'])('gets an echo reply from %s', async (host) => {
    const { probe } = pingProbe(host);
    const fds = openFds();
    expect(await probe.attempt(signal())).toEqual({ ok: true });
    expect(await probe.attempt(signal())).toEqual({ ok: true });
    expect(openFds()).toBe(fds);
  });

  it.each(['198.51.100.1', '2001:db8::1'])('fails for %s, which does not answer', async (host) => {
    const { probe, target } = pingProbe(host);
    const fds = openFds();
    const started = Date.now();
    const outcome = await probe.attempt(signal());
    expect(Date.now() - started).toBeLessThan(1000);
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(['timeout', 'unreachable']).toContain(outcome.reason);
    expect(outcome.detail).toBe(
      outcome.reason === 'timeout'
        ? `ICMP connection to address ${target.display} timeout.`
        : `ICMP connection to ${target.display} of ${target.vs.display} failed.`,
    );
    expect(openFds()).toBe(fds);
  });

  it('stops on abort and closes its socket', async () => {
    const { probe } = pingProbe('198.51.100.1', 'connect_timeout 5');
    const fds = openFds();
    const ctl = new AbortController();
    const pending = probe.attempt(ctl.signal);
    ctl.abort();
    expect(await pending).toMatchObject({ ok: false, reason: 'aborted' });
    expect(openFds()).toBe(fds);
  });

  it('uses a ping socket only when ping_group_range admits us (never throws)', async () => {
    const result = await echoOnce('127.0.0.1', { timeoutMs: 300, signal: signal(), kinds: ['ping'] });
    if (result.kind === 'error') expect(result.detail).toMatch(/EACCES|Permission denied/);
    else expect(result).toEqual({ kind: 'reply' });
  });
});

describe('ICMP echo matching', () => {
  const dst4 = Uint8Array.from([192, 0, 2, 21]);
  const dst6 = Uint8Array.from(Buffer.from('20010db8000000000000000000000021', 'hex'));
  const m4: EchoMatch = { v6: false, withIpHeader: true, dst: dst4, id: 0x1234, seq: 7 };
  const m6: EchoMatch = { v6: true, withIpHeader: false, dst: dst6, id: 0x1234, seq: 7 };

  /** An IPv4 header (20 bytes) from `src` to `dst` carrying `proto`. */
  const ip4 = (src: Uint8Array, dst: Uint8Array, proto = 1): Buffer => {
    const h = Buffer.alloc(20);
    h[0] = 0x45;
    h[9] = proto;
    h.set(src, 12);
    h.set(dst, 16);
    return h;
  };
  const echo = (type: number, id: number, seq: number): Buffer => {
    const b = echoRequest(false, id, seq);
    b[0] = type;
    return b;
  };

  it('takes the reply from the target with our id and sequence only', () => {
    const me = Uint8Array.from([192, 0, 2, 2]);
    expect(classifyIcmp(Buffer.concat([ip4(dst4, me), echo(0, 0x1234, 7)]), undefined, m4)).toEqual({
      kind: 'reply',
    });
    expect(classifyIcmp(Buffer.concat([ip4(dst4, me), echo(0, 0x1234, 8)]), undefined, m4)).toBeNull();
    expect(classifyIcmp(Buffer.concat([ip4(dst4, me), echo(0, 0x9999, 7)]), undefined, m4)).toBeNull();
    expect(classifyIcmp(Buffer.concat([ip4(me, me), echo(0, 0x1234, 7)]), undefined, m4)).toBeNull();
    // our own request, looped back to a raw socket
    expect(classifyIcmp(Buffer.concat([ip4(me, dst4), echo(8, 0x1234, 7)]), undefined, m4)).toBeNull();
    // a ping socket: the kernel matched the id, no IP header
    const ping: EchoMatch = { ...m4, withIpHeader: false, id: null };
    expect(classifyIcmp(echo(0, 0x4321, 7), dst4, ping)).toEqual({ kind: 'reply' });
  });

  it('recognises a destination unreachable that quotes our request (IPv4)', () => {
    const router = Uint8Array.from([198, 51, 100, 254]);
    const me = Uint8Array.from([192, 0, 2, 2]);
    const quoted = Buffer.concat([ip4(me, dst4), echo(8, 0x1234, 7).subarray(0, 8)]);
    const unreach = Buffer.concat([Buffer.from([3, 1, 0, 0, 0, 0, 0, 0]), quoted]);
    expect(classifyIcmp(Buffer.concat([ip4(router, me), unreach]), undefined, m4)).toEqual({
      kind: 'unreachable',
      code: 1,
    });
    const other = Buffer.concat([
      Buffer.from([3, 1, 0, 0, 0, 0, 0, 0]),
      ip4(me, dst4),
      echo(8, 0x1234, 9).subarray(0, 8),
    ]);
    expect(classifyIcmp(Buffer.concat([ip4(router, me), other]), undefined, m4)).toBeNull();
  });

  it('matches ICMPv6 replies and unreachables', () => {
    const reply = echoRequest(true, 0x1234, 7);
    reply[0] = 129;
    expect(classifyIcmp(reply, dst6, m6)).toEqual({ kind: 'reply' });
    expect(classifyIcmp(reply, Uint8Array.from(Buffer.alloc(16)), m6)).toBeNull();
    const ip6 = Buffer.alloc(40);
    ip6[0] = 0x60;
    ip6[6] = 58;
    ip6.set(dst6, 24);
    const unreach = Buffer.concat([
      Buffer.from([1, 3, 0, 0, 0, 0, 0, 0]),
      ip6,
      echoRequest(true, 0x1234, 7).subarray(0, 8),
    ]);
    expect(classifyIcmp(unreach, Uint8Array.from(Buffer.alloc(16)), m6)).toEqual({
      kind: 'unreachable',
      code: 3,
    });
  });

  it("sends keepalived's request: echo header and 128 bytes of filler, IPv4 checksummed", () => {
    const r = echoRequest(false, 1, 2);
    expect(r).toHaveLength(136);
    expect(r.subarray(8, 27).toString()).toBe('keepalived check - ');
    let sum = 0;
    for (let i = 0; i < r.length; i += 2) sum += r.readUInt16BE(i);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    expect(sum).toBe(0xffff);
  });

  it("has keepalived's texts", () => {
    const { target } = pingProbe('127.0.0.1');
    const last = { ok: false, reason: 'timeout', detail: '' } as const;
    expect(pingCheck.texts.up(target.display, target, firstChecker(target))).toBe(
      'ICMP connection to [127.0.0.1]:tcp:80 success.',
    );
    expect(pingCheck.texts.down(target.display, 1, target, last, firstChecker(target))).toBe(
      'ICMP CHECK on service [127.0.0.1]:tcp:80 of [192.0.2.100]:tcp:80 failed after 1 retries.',
    );
    expect(pingCheck.texts.down(target.display, 0, target, last, firstChecker(target))).toBe(
      'ICMP CHECK on service [127.0.0.1]:tcp:80 failed.',
    );
  });
});
