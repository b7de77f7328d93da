/**
 * Reading keyword values the way keepalived 2.2.7 does (lib/parser.c read_int_func(),
 * read_unsigned_func(), read_decimal_unsigned_long_func(), check_true_false()), with its messages.
 */
import type { Word } from '../ast.js';
import type { Ctx } from './context.js';

/** C strtol()/strtoul() base 10 over the word: the value and what is left after the digits. */
function parseInteger(text: string): { value: number; rest: string; negative: boolean } {
  if (isDigits(text)) return { value: Number(text), rest: '', negative: false };
  const negative = /^[ \t\n\v\f\r]*-/.test(text);
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d+)/.exec(text);
  if (!m) return { value: 0, rest: text, negative };
  return { value: Number(m[2]) * (m[1] === '-' ? -1 : 1), rest: text.slice(m[0].length), negative };
}

/** 1 to 15 ASCII digits (the common case, exact as a double). */
function isDigits(text: string): boolean {
  const n = text.length;
  if (n === 0 || n > 15) return false;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** keepalived read_int_func(): a signed integer in [min, max]. */
export function readInt(ctx: Ctx, w: Word, min: number, max: number): number | undefined {
  const { value, rest } = parseInteger(w.text);
  if (rest !== '') ctx.report('INVALID_NUMBER', w, `invalid number '${w.text}'`);
  else if (value < -2147483648 || value > 2147483647)
    ctx.report('INVALID_NUMBER', w, `number '${w.text}' outside integer range`);
  else if (value < min || value > max)
    ctx.report('INVALID_NUMBER', w, `number '${w.text}' outside range [${min}, ${max}]`);
  else return value;
  return undefined;
}

/** keepalived read_unsigned_func(): an unsigned integer in [min, max]. */
export function readUnsigned(ctx: Ctx, w: Word, min: number, max: number): number | undefined {
  const { value, rest, negative } = parseInteger(w.text);
  if (negative) ctx.report('INVALID_NUMBER', w, `negative number '${w.text}'`);
  else if (rest !== '') ctx.report('INVALID_NUMBER', w, `invalid number '${w.text}'`);
  else if (value > 4294967295)
    ctx.report('INVALID_NUMBER', w, `number '${w.text}' outside unsigned integer range`);
  else if (value < min || value > max)
    ctx.report('INVALID_NUMBER', w, `number '${w.text}' outside range [${min}, ${max}]`);
  else return value;
  return undefined;
}

/** keepalived's TIMER_MAXIMUM in µs (ULONG_MAX on 64-bit, printed as 18446744073709.551614). */
const TIMER_MAX_US = 18446744073709551614n;

/**
 * keepalived read_timer()/read_decimal_unsigned_long_func() with 6 decimal places: seconds with up
 * to µs precision, returned in µs. `minUs`/`maxUs` bound the value (max 0 = keepalived's maximum).
 */
export function readTimerUs(
  ctx: Ctx,
  w: Word,
  minUs: number,
  maxUs = 0,
  ignoreError = false,
): number | undefined {
  const text = w.text;
  if (text.startsWith('-')) {
    ctx.report('INVALID_NUMBER', w, `negative number '${text}'`);
    return undefined;
  }
  const dot = text.indexOf('.');
  let intPart = dot < 0 ? text : text.slice(0, dot);
  let frac = dot < 0 ? '' : text.slice(dot + 1);
  let roundUp = false;
  if (frac.length > 6) {
    ctx.report('INVALID_NUMBER', w, `number '${text}' has too many decimal places`);
    roundUp = (frac[6] ?? '0') >= '5';
    frac = frac.slice(0, 6);
  }
  intPart = intPart.replace(/^[ \t]+/, '');
  if (
    !/^\+?\d*$/.test(intPart) ||
    !/^\d*$/.test(frac) ||
    (intPart.replace('+', '') === '' && frac === '' && text !== '')
  ) {
    ctx.report('INVALID_NUMBER', w, `invalid number '${text}'`);
    return ignoreError ? leadingTimerUs(text, minUs, maxUs) : undefined;
  }
  const digits = (intPart.replace('+', '') || '0') + frac.padEnd(6, '0');
  // Exact in a double up to 2^53 µs (285 years); BigInt only for keepalived's huge range.
  const us = digits.length <= 15 ? Number(digits) + (roundUp ? 1 : 0) : Infinity;
  if (us >= minUs && (maxUs === 0 || us <= maxUs) && us !== Infinity) return us;
  const big = BigInt(digits) + (roundUp ? 1n : 0n);
  const max = maxUs === 0 ? TIMER_MAX_US : BigInt(maxUs);
  if (big < BigInt(minUs) || big > max) {
    ctx.report(
      'INVALID_NUMBER',
      w,
      `number '${text}' outside range [${formatUs(BigInt(minUs))}, ${formatUs(max)}]`,
    );
    return undefined;
  }
  return Number(big);
}

/**
 * keepalived read_decimal_unsigned_long_func() with `ignore_error` (which its -t leaves on for
 * this reader): an invalid number still counts as the value of its leading digits, the decimal
 * point removed and zeros appended, when that is in range ("abc" is 0 s, "1x" is 1 µs).
 */
function leadingTimerUs(text: string, minUs: number, maxUs: number): number | undefined {
  const dot = text.indexOf('.');
  const frac = dot < 0 ? '' : text.slice(dot + 1, dot + 7);
  const updated = (dot < 0 ? text : text.slice(0, dot) + frac) + '0'.repeat(6 - frac.length);
  const lead = /^[ \t]*\+?(\d*)/.exec(updated)?.[1] ?? '';
  const us = lead === '' ? 0 : Number(lead);
  return us >= minUs && (maxUs === 0 || us <= maxUs) ? us : undefined;
}

function formatUs(us: bigint): string {
  return `${us / 1000000n}.${String(us % 1000000n).padStart(6, '0')}`;
}

/** A timer in whole milliseconds (our model's unit). */
export function readTimerMs(
  ctx: Ctx,
  w: Word,
  minUs: number,
  maxUs = 0,
  ignoreError = false,
): number | undefined {
  const us = readTimerUs(ctx, w, minUs, maxUs, ignoreError);
  return us === undefined ? undefined : Math.round(us / 1000);
}

/** keepalived check_true_false(). */
export function parseBool(text: string): boolean | undefined {
  if (text === 'true' || text === 'on' || text === 'yes') return true;
  if (text === 'false' || text === 'off' || text === 'no') return false;
  return undefined;
}
