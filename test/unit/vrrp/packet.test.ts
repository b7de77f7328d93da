/**
 * The codec against captures from the real keepalived 2.2.7 (and FRR, and ucarp's CARP, which
 * must not pass for VRRP): every VRRP packet decodes and re-encodes byte for byte. Then one
 * hand-built packet per drop reason.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseIp } from '../../../src/lib/ip.js';
import { internetChecksum, pseudoHeaderSum } from '../../../src/lib/checksum.js';
import { IPPROTO_VRRP } from '../../../src/lib/ip-proto.js';
import { decodeAdvert, encodeAdvert, passwordOf, type Advert } from '../../../src/vrrp/packet.js';
import type { ReceivedMeta } from '../../../src/lib/ip.js';
import { ipOf, readPcap } from '../../helpers/pcap.js';

const DIR = fileURLToPath(new URL('../../fixtures/vectors', import.meta.url));
const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.pcap'))
  .sort();

const ip = (text: string): Uint8Array => (parseIp(text) as { bytes: Uint8Array }).bytes;

/** The VRRP messages of a capture, with what the socket layer would report. */
function vrrpPackets(file: string): { payload: Uint8Array; meta: ReceivedMeta; timeUs: number }[] {
  return readPcap(`${DIR}/${file}`).flatMap((f) => {
    const p = ipOf(f.bytes);
    if (!p || p.protocol !== IPPROTO_VRRP) return [];
    return [
      {
        payload: p.payload,
        meta: { family: p.family, src: p.src, dst: p.dst, ttl: p.ttl },
        timeUs: f.timeUs,
      },
    ];
  });
}

function reencode(a: Advert, meta: ReceivedMeta): Uint8Array {
  return encodeAdvert({
    version: a.version,
    vrid: a.vrid,
    priority: a.priority,
    family: a.family,
    addresses: a.addresses.map(ip),
    advertIntervalMs: a.advertIntervalMs,
    authType: a.authType,
    authData: a.authData,
    src: meta.src,
    dst: meta.dst,
  });
}

/** What tshark says about each capture (recorded with the captures), VRRP packets only. */
const EXPECTED: Record<
  string,
  {
    version: number;
    vrid: number;
    priorities: number[];
    addresses: string[];
    intervalMs: number;
    authType: number;
    password?: string;
  }
> = {
  'vrrp2-adverts.pcap': {
    version: 2,
    vrid: 51,
    priorities: [150, 150, 150],
    addresses: ['192.0.2.100'],
    intervalMs: 1000,
    authType: 0,
  },
  'vrrp2-auth-pass.pcap': {
    version: 2,
    vrid: 51,
    priorities: [150, 150, 150],
    addresses: ['192.0.2.100'],
    intervalMs: 1000,
    authType: 1,
    password: 'kl-pass',
  },
  'vrrp2-multi-vip.pcap': {
    version: 2,
    vrid: 52,
    priorities: [150, 150],
    addresses: ['192.0.2.100', '192.0.2.101', '198.51.100.7'],
    intervalMs: 1000,
    authType: 0,
  },
  'vrrp2-preempt.pcap': {
    version: 2,
    vrid: 51,
    priorities: [100, 100, 100, 100, 150, 150],
    addresses: ['192.0.2.100'],
    intervalMs: 1000,
    authType: 0,
  },
  'vrrp2-prio0-handover.pcap': {
    version: 2,
    vrid: 51,
    priorities: [150, 150, 0, 100, 100],
    addresses: ['192.0.2.100'],
    intervalMs: 1000,
    authType: 0,
  },
  'vrrp2-takeover-garp.pcap': {
    version: 2,
    vrid: 51,
    priorities: [150, 150, 100, 100, 100, 100, 100, 100],
    addresses: ['192.0.2.100'],
    intervalMs: 1000,
    authType: 0,
  },
  'vrrp3-adverts.pcap': {
    version: 3,
    vrid: 51,
    priorities: [150, 150, 150],
    addresses: ['192.0.2.100'],
    intervalMs: 1000,
    authType: 0,
  },
  'vrrp3-adverts-100ms.pcap': {
    version: 3,
    vrid: 51,
    priorities: [150, 150, 150, 150, 150],
    addresses: ['192.0.2.100'],
    intervalMs: 100,
    authType: 0,
  },
  'vrrp3-takeover-garp-100ms.pcap': {
    version: 3,
    vrid: 51,
    priorities: [150, 150, 100, 100, 100, 100, 100],
    addresses: ['192.0.2.100'],
    intervalMs: 100,
    authType: 0,
  },
  'vrrp3-frr-keepalived-interop.pcap': {
    version: 3,
    vrid: 51,
    priorities: [100, 100, 100, 100, 100, 150, 150, 100, 100, 100],
    addresses: ['192.0.2.100'],
    intervalMs: 1000,
    authType: 0,
  },
};

describe('captures from keepalived 2.2.7 (and FRR)', () => {
  it('has every capture', () => {
    expect(files).toEqual([...Object.keys(EXPECTED), 'ucarp-carp-negative.pcap'].sort());
  });

  it.each(Object.keys(EXPECTED))('%s decodes as tshark says and re-encodes byte for byte', (file) => {
    const want = EXPECTED[file] as (typeof EXPECTED)[string];
    const packets = vrrpPackets(file);
    expect(packets.map((p) => p.meta.ttl)).toEqual(packets.map(() => 255));
    const decoded = packets.map((p) => {
      const r = decodeAdvert(p.payload, p.meta);
      if (!r.ok) throw new Error(`${file}: ${r.reason} ${r.detail}`);
      return r.advert;
    });
    expect(decoded.map((a) => a.priority)).toEqual(want.priorities);
    for (const a of decoded) {
      expect(a).toMatchObject({
        version: want.version,
        vrid: want.vrid,
        addresses: want.addresses,
        advertIntervalMs: want.intervalMs,
        authType: want.authType,
      });
      if (want.password !== undefined) expect(passwordOf(a.authData)).toBe(want.password);
    }
    packets.forEach((p, i) => expect(reencode(decoded[i] as Advert, p.meta)).toEqual(p.payload));
  });

  it('ucarp CARP adverts (same protocol, group and first byte) are not VRRP: wrong length', () => {
    const packets = vrrpPackets('ucarp-carp-negative.pcap');
    expect(packets).toHaveLength(2);
    for (const p of packets) {
      expect(decodeAdvert(p.payload, p.meta)).toEqual({
        ok: false,
        reason: 'bad-length',
        detail: 'vrrp packet too short, length 36 and expect 44',
      });
    }
  });
});

describe('encoding', () => {
  const v4 = { family: 'inet' as const, src: ip('192.0.2.11'), dst: ip('224.0.0.18') };

  it('VRRPv2 matches the documented bytes (vectors README)', () => {
    const bytes = encodeAdvert({
      version: 2,
      vrid: 51,
      priority: 150,
      addresses: [ip('192.0.2.100')],
      advertIntervalMs: 1000,
      authType: 0,
      ...v4,
    });
    expect(Buffer.from(bytes).toString('hex')).toBe('2133960100018665c00002640000000000000000');
  });

  it('VRRPv3 over IPv4 sums the pseudo-header (vectors README: 0xd3c1 at 100 ms)', () => {
    const bytes = encodeAdvert({
      version: 3,
      vrid: 51,
      priority: 150,
      addresses: [ip('192.0.2.100')],
      advertIntervalMs: 100,
      authType: 0,
      ...v4,
    });
    expect(Buffer.from(bytes).toString('hex')).toBe('31339601000ad3c1c0000264');
  });

  it('VRRPv3 over IPv6: decodes back and its checksum covers the IPv6 pseudo-header', () => {
    const meta: ReceivedMeta = { family: 'inet6', src: ip('fe80::1'), dst: ip('ff02::12'), ttl: 255 };
    const addresses = ['2001:db8::1', '2001:db8::100'];
    const bytes = encodeAdvert({
      version: 3,
      vrid: 7,
      priority: 200,
      family: 'inet6',
      addresses: addresses.map(ip),
      advertIntervalMs: 250,
      authType: 0,
      src: meta.src,
      dst: meta.dst,
    });
    expect(bytes.length).toBe(8 + 2 * 16);
    // Summing everything (pseudo-header, message with its checksum) gives 0xffff: complement 0.
    expect(internetChecksum(bytes, pseudoHeaderSum(meta.src, meta.dst, bytes.length, IPPROTO_VRRP))).toBe(0);
    // The same bytes do not check against another source: the pseudo-header is really included.
    expect(decodeAdvert(bytes, { ...meta, src: ip('fe80::2') })).toMatchObject({
      ok: false,
      reason: 'bad-checksum',
    });
    expect(decodeAdvert(bytes, meta)).toEqual({
      ok: true,
      advert: {
        version: 3,
        vrid: 7,
        priority: 200,
        family: 'inet6',
        addresses,
        advertIntervalMs: 250,
        authType: 0,
        authData: new Uint8Array(0),
      },
    });
  });

  it('a PASS password is NUL-padded to 8 bytes', () => {
    const bytes = encodeAdvert({
      version: 2,
      vrid: 1,
      priority: 100,
      addresses: [ip('192.0.2.1')],
      advertIntervalMs: 1000,
      authType: 1,
      authData: Buffer.from('abc'),
      ...v4,
    });
    expect(Buffer.from(bytes.subarray(12)).toString('hex')).toBe('6162630000000000');
  });
});

describe('drop reasons (RFC 5798 §7.1 packet checks)', () => {
  const meta: ReceivedMeta = { family: 'inet', src: ip('192.0.2.11'), dst: ip('224.0.0.18'), ttl: 255 };
  const good = (): Uint8Array =>
    Uint8Array.from(Buffer.from('2133960100018665c00002640000000000000000', 'hex'));
  const withSum = (b: Uint8Array): Uint8Array => {
    b[6] = 0;
    b[7] = 0;
    const s = internetChecksum(b);
    b[6] = s >> 8;
    b[7] = s & 0xff;
    return b;
  };
  const mutate = (f: (b: Uint8Array) => void): Uint8Array => {
    const b = good();
    f(b);
    return withSum(b);
  };

  it.each<[string, Uint8Array, Partial<ReceivedMeta>, string]>([
    ['empty', new Uint8Array(0), {}, 'truncated'],
    ['7 bytes', good().subarray(0, 7), {}, 'truncated'],
    ['version 4', mutate((b) => (b[0] = 0x41)), {}, 'bad-version'],
    ['VRRPv2 over IPv6', good(), { family: 'inet6', src: ip('fe80::1'), dst: ip('ff02::12') }, 'bad-version'],
    ['type 2', mutate((b) => (b[0] = 0x22)), {}, 'bad-type'],
    ['TTL 64', good(), { ttl: 64 }, 'bad-ttl'],
    ['TTL 254', good(), { ttl: 254 }, 'bad-ttl'],
    ['count 2 with room for 1', mutate((b) => (b[3] = 2)), {}, 'bad-length'],
    ['count 0 with an address', mutate((b) => (b[3] = 0)), {}, 'bad-length'],
    ['auth data cut off', good().subarray(0, 16), {}, 'bad-length'],
    ['a stray byte at the end', Uint8Array.from([...good(), 0]), {}, 'bad-length'],
    [
      'flipped bit',
      (() => {
        const b = good();
        b[9] = (b[9] as number) ^ 1;
        return b;
      })(),
      {},
      'bad-checksum',
    ],
    ['auth type 3', mutate((b) => (b[4] = 3)), {}, 'bad-auth-type'],
  ])('%s', (_name, bytes, override, reason) => {
    const r = decodeAdvert(bytes, { ...meta, ...override });
    expect(r.ok ? 'ok' : r.reason).toBe(reason);
  });

  it('decodes whatever it is given without throwing', () => {
    for (let n = 0; n < 2000; n++) {
      const len = n % 60;
      const bytes = Uint8Array.from({ length: len }, (_, i) => (i * 37 + n * 11) & 0xff);
      expect(() => decodeAdvert(bytes, { ...meta, ttl: n % 2 ? 255 : 64 })).not.toThrow();
    }
  });
});
