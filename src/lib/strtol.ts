/**
 * glibc strtol(text + start, &end, 0) on a 64-bit long, as keepalived reads numbers from a
 * track_file and from `~SEQ(...)`: leading isspace() blanks, a sign, `0x`/`0X` hex (only when a
 * hex digit follows), a leading `0` octal, else decimal; the digits stop at the first character
 * that is not one of the base. Out of range saturates at LONG_MIN/LONG_MAX with `overflow`
 * (errno ERANGE). No digits: value 0 and `end` at `start` (endptr = nptr).
 */
const LONG_MAX = 2n ** 63n - 1n;
const LONG_MIN = -(2n ** 63n);
const SPACE = ' \t\n\v\f\r';

export interface Strtol {
  readonly value: bigint;
  /** The index after the number (`start` when there is none). */
  readonly end: number;
  readonly overflow: boolean;
}

export function strtol(text: string, start = 0): Strtol {
  let i = start;
  while (i < text.length && SPACE.includes(text.charAt(i))) i++;
  let negative = false;
  if (text[i] === '+' || text[i] === '-') negative = text[i++] === '-';
  let base = 10;
  if (text[i] === '0') {
    if ((text[i + 1] === 'x' || text[i + 1] === 'X') && /[0-9a-fA-F]/.test(text.charAt(i + 2))) {
      base = 16;
      i += 2;
    } else base = 8;
  }
  const first = i;
  let magnitude = 0n;
  for (; i < text.length; i++) {
    const digit = parseInt(text.charAt(i), 36);
    if (Number.isNaN(digit) || digit >= base) break;
    magnitude = magnitude * BigInt(base) + BigInt(digit);
  }
  if (i === first) return { value: 0n, end: start, overflow: false };
  const value = negative ? -magnitude : magnitude;
  if (value > LONG_MAX) return { value: LONG_MAX, end: i, overflow: true };
  if (value < LONG_MIN) return { value: LONG_MIN, end: i, overflow: true };
  return { value, end: i, overflow: false };
}
