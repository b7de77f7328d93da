/**
 * The PROXY protocol encoders against the examples and layouts of HAProxy's proxy-protocol.txt
 * (§2.1 text header, §2.2 binary header), byte for byte.
 */
import { describe, expect, it } from 'vitest';
import { encodeProxyV1, encodeProxyV2, type ProxyHeaderInput } from '../../../src/dispatch/proxy-protocol.js';

const tcp = (src: string, sport: number, dst: string, dport: number): ProxyHeaderInput => ({
  protocol: 'TCP',
  source: { address: src, port: sport },
  destination: { address: dst, port: dport },
});

const SIG = '0d0a0d0a000d0a515549540a';

describe('PROXY v1', () => {
  it.each([
    {
      name: 'TCP4 (the spec example)',
      input: tcp('192.168.0.1', 56324, '192.168.0.11', 443),
      want: 'PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n',
    },
    {
      name: 'TCP6, canonical text',
      input: tcp('2001:DB8:0:0:0:0:0:1', 40000, '2001:db8::10', 80),
      want: 'PROXY TCP6 2001:db8::1 2001:db8::10 40000 80\r\n',
    },
    {
      name: 'IPv4-mapped client on a dual-stack listener: TCP4',
      input: tcp('::ffff:198.51.100.7', 1234, '::ffff:203.0.113.1', 25),
      want: 'PROXY TCP4 198.51.100.7 203.0.113.1 1234 25\r\n',
    },
    {
      name: 'mixed families: UNKNOWN',
      input: tcp('198.51.100.7', 1234, '2001:db8::1', 25),
      want: 'PROXY UNKNOWN\r\n',
    },
    {
      name: 'unparsable: UNKNOWN',
      input: tcp('not-an-ip', 1, '192.0.2.1', 2),
      want: 'PROXY UNKNOWN\r\n',
    },
    {
      name: 'UDP (v1 is TCP only): UNKNOWN',
      input: { ...tcp('192.0.2.1', 1, '192.0.2.2', 2), protocol: 'UDP' as const },
      want: 'PROXY UNKNOWN\r\n',
    },
  ])('$name', ({ input, want }) => {
    expect(encodeProxyV1(input).toString('latin1')).toBe(want);
  });

  it('the longest header fits the spec’s 107 bytes', () => {
    const max = 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe';
    expect(encodeProxyV1(tcp(max, 65535, max, 65535)).length).toBeLessThanOrEqual(107);
  });
});

describe('PROXY v2', () => {
  it.each([
    {
      name: 'TCP over IPv4',
      input: tcp('192.0.2.1', 0x1234, '203.0.113.5', 443),
      // sig, ver 2 cmd PROXY, AF_INET|STREAM, len 12, src, dst, sport, dport
      want: `${SIG}21 11 000c c0000201 cb007105 1234 01bb`,
    },
    {
      name: 'UDP over IPv4',
      input: { ...tcp('192.0.2.1', 53, '203.0.113.5', 53), protocol: 'UDP' as const },
      want: `${SIG}21 12 000c c0000201 cb007105 0035 0035`,
    },
    {
      name: 'TCP over IPv6',
      input: tcp('2001:db8::1', 1, '2001:db8::2', 2),
      want: `${SIG}21 21 0024 20010db8000000000000000000000001 20010db8000000000000000000000002 0001 0002`,
    },
    {
      name: 'IPv4-mapped addresses are sent as IPv4',
      input: tcp('::ffff:192.0.2.1', 1, '::ffff:192.0.2.2', 2),
      want: `${SIG}21 11 000c c0000201 c0000202 0001 0002`,
    },
    {
      name: 'mixed families: UNSPEC, no address block',
      input: tcp('192.0.2.1', 1, '2001:db8::2', 2),
      want: `${SIG}21 00 0000`,
    },
  ])('$name', ({ input, want }) => {
    expect(encodeProxyV2(input).toString('hex')).toBe(want.replaceAll(' ', ''));
  });

  it('allocates a new buffer every call', () => {
    const input = tcp('192.0.2.1', 1, '192.0.2.2', 2);
    expect(encodeProxyV2(input)).not.toBe(encodeProxyV2(input));
  });
});
