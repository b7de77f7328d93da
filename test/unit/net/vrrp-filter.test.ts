/**
 * The VRRP receive sockets' BPF programs, run by a small classic-BPF interpreter with the kernel's
 * semantics for the instructions they use (a load past the end of the packet returns 0, i.e.
 * drops). The kernel runs the same bytes in test/netns/vrrp-flood.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { BPF, encodeFilter, vridFilter, type BpfInsn } from '../../../src/net/vrrp-filter.js';
import { encodeAdvert } from '../../../src/vrrp/packet.js';

function run(program: readonly BpfInsn[], pkt: Uint8Array): number {
  let a = 0;
  let x = 0;
  for (let pc = 0; pc < program.length; pc++) {
    const i = program[pc] as BpfInsn;
    const load = (at: number): number | null => (at < pkt.length ? (pkt[at] as number) : null);
    switch (i.code) {
      case BPF.LD_B_ABS:
      case BPF.LD_B_IND: {
        const v = load(i.code === BPF.LD_B_ABS ? i.k : x + i.k);
        if (v === null) return 0;
        a = v;
        break;
      }
      case BPF.LDX_B_MSH: {
        const v = load(i.k);
        if (v === null) return 0;
        x = 4 * (v & 0x0f);
        break;
      }
      case BPF.ALU_AND_K:
        a &= i.k;
        break;
      case BPF.JEQ_K:
        pc += a === i.k ? i.jt : i.jf;
        break;
      case BPF.RET_K:
        return i.k;
      default:
        throw new Error(`opcode ${i.code} not interpreted`);
    }
  }
  throw new Error('fell off the end of the program');
}

const advert = (vrid: number, family: 'inet' | 'inet6'): Uint8Array =>
  encodeAdvert({
    version: 3,
    vrid,
    priority: 100,
    family,
    addresses: [family === 'inet' ? Uint8Array.of(192, 0, 2, 100) : new Uint8Array(16).fill(1)],
    advertIntervalMs: 1000,
    authType: 0,
    src: family === 'inet' ? Uint8Array.of(192, 0, 2, 1) : new Uint8Array(16).fill(2),
    dst: family === 'inet' ? Uint8Array.of(224, 0, 0, 18) : new Uint8Array(16).fill(3),
  });

/** An IPv4 header of `ihl` words, protocol `proto`, around `payload`. */
function ipv4(
  payload: Uint8Array,
  opts: { ihl?: number; proto?: number; version?: number } = {},
): Uint8Array {
  const ihl = opts.ihl ?? 5;
  const h = new Uint8Array(ihl * 4);
  h[0] = ((opts.version ?? 4) << 4) | ihl;
  h[8] = 255;
  h[9] = opts.proto ?? 112;
  return Uint8Array.from([...h, ...payload]);
}

describe('vridFilter (IPv4: the socket sees the IP header)', () => {
  const prog = vridFilter('inet', 51);

  it('accepts its VRID, with or without IP options', () => {
    expect(run(prog, ipv4(advert(51, 'inet')))).toBeGreaterThan(0);
    expect(run(prog, ipv4(advert(51, 'inet'), { ihl: 6 }))).toBeGreaterThan(0);
    expect(run(prog, ipv4(advert(51, 'inet'), { ihl: 15 }))).toBeGreaterThan(0);
  });

  it('drops every other VRID', () => {
    for (let vrid = 1; vrid <= 255; vrid++)
      if (vrid !== 51) expect(run(prog, ipv4(advert(vrid, 'inet'))), `VRID ${vrid}`).toBe(0);
  });

  it('drops another protocol or IP version, and what is too short to hold a VRID', () => {
    expect(run(prog, ipv4(advert(51, 'inet'), { proto: 17 }))).toBe(0);
    expect(run(prog, ipv4(advert(51, 'inet'), { version: 6 }))).toBe(0);
    expect(run(prog, ipv4(Uint8Array.of(0x31)))).toBe(0);
    expect(run(prog, ipv4(new Uint8Array(0)))).toBe(0);
    expect(run(prog, Uint8Array.of(0x45))).toBe(0);
    expect(run(prog, new Uint8Array(0))).toBe(0);
  });

  it('leaves the rest to the daemon, which counts it: a bad type, version or checksum passes', () => {
    const bad = advert(51, 'inet');
    bad[0] = 0x27;
    bad[6] = (bad[6] as number) ^ 0xff;
    expect(run(prog, ipv4(bad))).toBeGreaterThan(0);
  });
});

describe('vridFilter (IPv6: the socket sees the VRRP header)', () => {
  const prog = vridFilter('inet6', 7);
  it('accepts its VRID only', () => {
    expect(run(prog, advert(7, 'inet6'))).toBeGreaterThan(0);
    expect(run(prog, advert(8, 'inet6'))).toBe(0);
    expect(run(prog, Uint8Array.of(0x31))).toBe(0);
  });
});

describe('encodeFilter', () => {
  it('lays instructions out as struct sock_filter, little-endian', () => {
    const bytes = encodeFilter([{ code: BPF.JEQ_K, jt: 1, jf: 2, k: 0x01020304 }]);
    expect(bytes.toString('hex')).toBe('1500010204030201');
  });

  it('rejects a VRID out of range', () => {
    expect(() => vridFilter('inet', 0)).toThrow(RangeError);
    expect(() => vridFilter('inet', 256)).toThrow(RangeError);
  });
});
