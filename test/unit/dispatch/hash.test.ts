import { describe, expect, it } from 'vitest';
import {
  addressFold,
  hash32,
  hsiphash,
  hsiphashKey,
  hsiphashU32,
} from '../../../src/dispatch/schedulers/hash.js';

describe('hash_32', () => {
  // (x * 0x61c88647 mod 2^32) >> (32 - bits), worked out independently.
  it.each([
    [0xc0a8010a, 8, 248],
    [0xc0a8010b, 8, 90],
    [0xcb007107, 8, 124],
    [0x0a000064, 8, 248],
    [0, 8, 0],
  ])('hash_32(%i, %i) = %i', (val, bits, want) => {
    expect(hash32(val, bits)).toBe(want);
  });
});

describe('addressFold (ntohl(addr_fold))', () => {
  it.each([
    ['192.168.1.10', 0xc0a8010a],
    ['::ffff:192.168.1.10', 0xc0a8010a],
    ['2001:db8::1', (0x20010db8 ^ 0 ^ 0 ^ 1) >>> 0],
    ['not an address', 0],
  ])('%s', (address, want) => {
    expect(addressFold(address)).toBe(want);
  });
});

describe('hsiphash (64-bit kernel: SipHash-1-3, 32-bit result)', () => {
  // lib/siphash_kunit.c test_vectors_hsiphash for BITS_PER_LONG == 64: key 00..0f, input 00..(n-1).
  const vectors = [
    0x050fc4dc, 0x7d57ca93, 0x4dc7d44d, 0xe7ddf7fb, 0x88d38328, 0x49533b67, 0xc59f22a7, 0x9bb11140,
    0x8d299a8e, 0x6c063de4, 0x92ff097f, 0xf94dc352, 0x57b4d9a2, 0x1229ffa7, 0xc0f95d34, 0x2a519956,
    0x7d908b66, 0x63dbd80c,
  ];
  const key = hsiphashKey(0x0706050403020100n, 0x0f0e0d0c0b0a0908n);
  const input = Uint8Array.from({ length: 64 }, (_, i) => i);

  it.each(vectors.map((v, len) => [len, v]))('length %i', (len, want) => {
    expect(hsiphash(input.subarray(0, len), key)).toBe(want);
  });

  it('hsiphashU32 is hsiphash of the 4 little-endian bytes', () => {
    expect(hsiphashU32(0x03020100, key)).toBe(vectors[4]);
  });
});
