/** lib/strtol.ts against what glibc's strtol(s, &end, 0) returns for the same text. */
import { describe, expect, it } from 'vitest';
import { strtol } from '../../../src/lib/strtol.js';

describe('strtol (glibc, base 0, 64-bit long)', () => {
  it.each([
    ['42', 42n, 2],
    [' \t\n42x', 42n, 5],
    ['+5z', 5n, 2],
    ['-0x1F', -31n, 5],
    ['0X1f', 31n, 4],
    ['017', 15n, 3],
    ['09', 0n, 1], // octal: the 9 ends the number after the 0
    ['0x', 0n, 1], // no hex digit: "0" then 'x'
    ['0xg', 0n, 1],
    ['-0', 0n, 2],
  ])('%j → %s, end %d', (text, value, end) => {
    expect(strtol(text)).toEqual({ value, end, overflow: false });
  });

  it('no digits: 0 with end at the start (endptr = nptr)', () => {
    expect(strtol('')).toEqual({ value: 0n, end: 0, overflow: false });
    expect(strtol('  -x')).toEqual({ value: 0n, end: 0, overflow: false });
    expect(strtol('ab, 3', 3)).toEqual({ value: 3n, end: 5, overflow: false });
  });

  it('saturates at LONG_MIN / LONG_MAX with ERANGE', () => {
    expect(strtol('9223372036854775807')).toEqual({ value: 2n ** 63n - 1n, end: 19, overflow: false });
    expect(strtol('9223372036854775808')).toEqual({ value: 2n ** 63n - 1n, end: 19, overflow: true });
    expect(strtol('-9223372036854775809')).toEqual({ value: -(2n ** 63n), end: 20, overflow: true });
    expect(strtol('0xffffffffffffffffff')).toMatchObject({ value: 2n ** 63n - 1n, overflow: true });
  });
});
