/**
 * The kernel hash functions the IPVS schedulers use, so that the same client picks the same bucket
 * as IPVS would: the address fold every scheduler applies (ntohl of the IPv4 address, or of the XOR
 * of the four IPv6 words), hash_32() (include/linux/hash.h) and hsiphash() as lib/siphash.c builds
 * it on 64-bit kernels (SipHash-1-3 truncated to 32 bits), which ip_vs_mh.c uses. The 64-bit
 * SipHash arithmetic runs on 32-bit halves.
 */
import { parseIpv4, parseIpv6 } from '../../lib/ip.js';

/** GOLDEN_RATIO_32 of include/linux/hash.h. */
const GOLDEN_RATIO_32 = 0x61c88647;

/** hash_32(val, bits): the top `bits` bits of val * GOLDEN_RATIO_32 (mod 2^32). */
export function hash32(val: number, bits: number): number {
  return Math.imul(val, GOLDEN_RATIO_32) >>> (32 - bits);
}

function word(b: Uint8Array, i: number): number {
  return (((b[i] ?? 0) << 24) | ((b[i + 1] ?? 0) << 16) | ((b[i + 2] ?? 0) << 8) | (b[i + 3] ?? 0)) >>> 0;
}

/**
 * ntohl(addr_fold) of the IPVS hash keys: the IPv4 address as a host-order number, or the XOR of
 * the four 32-bit words of an IPv6 address. An IPv4-mapped IPv6 address (::ffff:a.b.c.d, what a
 * dual-stack socket reports) folds as its IPv4 address, as IPVS sees the packet. Unparsable: 0.
 */
export function addressFold(address: string): number {
  const v4 = parseIpv4(address);
  if (v4) return word(v4, 0);
  const v6 = parseIpv6(address);
  if (!v6) return 0;
  const mapped = v6.subarray(0, 10).every((b) => b === 0) && v6[10] === 0xff && v6[11] === 0xff;
  if (mapped) return word(v6, 12);
  return (word(v6, 0) ^ word(v6, 4) ^ word(v6, 8) ^ word(v6, 12)) >>> 0;
}

/** hsiphash_key_t on a 64-bit kernel: two 64-bit words, held as 32-bit halves. */
export interface HsiphashKey {
  readonly k0Hi: number;
  readonly k0Lo: number;
  readonly k1Hi: number;
  readonly k1Lo: number;
}

export function hsiphashKey(k0: bigint, k1: bigint): HsiphashKey {
  const hi = (k: bigint): number => Number((k >> 32n) & 0xffffffffn);
  const lo = (k: bigint): number => Number(k & 0xffffffffn);
  return { k0Hi: hi(k0), k0Lo: lo(k0), k1Hi: hi(k1), k1Lo: lo(k1) };
}

/** The SipHash state v0..v3 as hi, lo pairs; one scratch buffer, as hashing never re-enters. */
const state = new Uint32Array(8);

function init(key: HsiphashKey): Uint32Array {
  // 'somepseudorandomlygeneratedbytes', the SipHash initialisation constants.
  state[0] = 0x736f6d65 ^ key.k0Hi;
  state[1] = 0x70736575 ^ key.k0Lo;
  state[2] = 0x646f7261 ^ key.k1Hi;
  state[3] = 0x6e646f6d ^ key.k1Lo;
  state[4] = 0x6c796765 ^ key.k0Hi;
  state[5] = 0x6e657261 ^ key.k0Lo;
  state[6] = 0x74656462 ^ key.k1Hi;
  state[7] = 0x79746573 ^ key.k1Lo;
  return state;
}

/** One message word m: v3 ^= m, a round, v0 ^= m. */
function absorb(v: Uint32Array, mHi: number, mLo: number): void {
  v[6] = (v[6] as number) ^ mHi;
  v[7] = (v[7] as number) ^ mLo;
  sipRound(v);
  v[0] = (v[0] as number) ^ mHi;
  v[1] = (v[1] as number) ^ mLo;
}

/** HPOSTAMBLE: the last word b, v2 ^= 0xff, three rounds, (v0 ^ v1 ^ v2 ^ v3) truncated to u32. */
function finish(v: Uint32Array, bHi: number, bLo: number): number {
  absorb(v, bHi, bLo);
  v[5] = (v[5] as number) ^ 0xff;
  sipRound(v);
  sipRound(v);
  sipRound(v);
  return ((v[1] as number) ^ (v[3] as number) ^ v[5] ^ (v[7] as number)) >>> 0;
}

/**
 * hsiphash(data, len, key) of a 64-bit kernel: SipHash with one compression and three
 * finalisation rounds, the 64-bit result truncated to its low 32 bits.
 */
export function hsiphash(data: Uint8Array, key: HsiphashKey): number {
  const v = init(key);
  const len = data.length;
  const full = len - (len % 8);
  for (let i = 0; i < full; i += 8) absorb(v, leWord(data, i + 4), leWord(data, i));
  // The last word: the remaining bytes, little-endian, with the length in the top byte.
  let bLo = 0;
  let bHi = (len & 0xff) << 24;
  for (let i = full; i < len; i++) {
    const shift = (i - full) * 8;
    if (shift < 32) bLo |= (data[i] ?? 0) << shift;
    else bHi |= (data[i] ?? 0) << (shift - 32);
  }
  return finish(v, bHi >>> 0, bLo >>> 0);
}

/** hsiphash(&v, sizeof(u32), key) for a u32 `v` in a little-endian kernel's memory, allocation-free. */
export function hsiphashU32(value: number, key: HsiphashKey): number {
  return finish(init(key), 0x04000000, value >>> 0);
}

function leWord(b: Uint8Array, i: number): number {
  return ((b[i] ?? 0) | ((b[i + 1] ?? 0) << 8) | ((b[i + 2] ?? 0) << 16) | ((b[i + 3] ?? 0) << 24)) >>> 0;
}

/** SIPHASH_PERMUTATION on v0..v3 (each a hi, lo pair at v[2i], v[2i+1]). */
function sipRound(v: Uint32Array): void {
  let v0h = v[0] as number,
    v0l = v[1] as number,
    v1h = v[2] as number,
    v1l = v[3] as number;
  let v2h = v[4] as number,
    v2l = v[5] as number,
    v3h = v[6] as number,
    v3l = v[7] as number;
  let lo: number, t: number;
  // v0 += v1; v1 = rol(v1, 13); v1 ^= v0; v0 = rol(v0, 32)
  lo = (v0l + v1l) >>> 0;
  v0h = (v0h + v1h + (lo < v0l ? 1 : 0)) >>> 0;
  v0l = lo;
  t = ((v1h << 13) | (v1l >>> 19)) >>> 0;
  v1l = ((v1l << 13) | (v1h >>> 19)) >>> 0;
  v1h = t;
  v1h = (v1h ^ v0h) >>> 0;
  v1l = (v1l ^ v0l) >>> 0;
  t = v0h;
  v0h = v0l;
  v0l = t;
  // v2 += v3; v3 = rol(v3, 16); v3 ^= v2
  lo = (v2l + v3l) >>> 0;
  v2h = (v2h + v3h + (lo < v2l ? 1 : 0)) >>> 0;
  v2l = lo;
  t = ((v3h << 16) | (v3l >>> 16)) >>> 0;
  v3l = ((v3l << 16) | (v3h >>> 16)) >>> 0;
  v3h = t;
  v3h = (v3h ^ v2h) >>> 0;
  v3l = (v3l ^ v2l) >>> 0;
  // v0 += v3; v3 = rol(v3, 21); v3 ^= v0
  lo = (v0l + v3l) >>> 0;
  v0h = (v0h + v3h + (lo < v0l ? 1 : 0)) >>> 0;
  v0l = lo;
  t = ((v3h << 21) | (v3l >>> 11)) >>> 0;
  v3l = ((v3l << 21) | (v3h >>> 11)) >>> 0;
  v3h = t;
  v3h = (v3h ^ v0h) >>> 0;
  v3l = (v3l ^ v0l) >>> 0;
  // v2 += v1; v1 = rol(v1, 17); v1 ^= v2; v2 = rol(v2, 32)
  lo = (v2l + v1l) >>> 0;
  v2h = (v2h + v1h + (lo < v2l ? 1 : 0)) >>> 0;
  v2l = lo;
  t = ((v1h << 17) | (v1l >>> 15)) >>> 0;
  v1l = ((v1l << 17) | (v1h >>> 15)) >>> 0;
  v1h = t;
  v1h = (v1h ^ v2h) >>> 0;
  v1l = (v1l ^ v2l) >>> 0;
  t = v2h;
  v2h = v2l;
  v2l = t;
  v[0] = v0h;
  v[1] = v0l;
  v[2] = v1h;
  v[3] = v1l;
  v[4] = v2h;
  v[5] = v2l;
  v[6] = v3h;
  v[7] = v3l;
}
