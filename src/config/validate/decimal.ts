/**
 * keepalived 2.2.7's fixed-point reader (lib/parser.c read_decimal_unsigned_strvec() with a
 * `shift` of decimal places), with its messages. values.ts readTimerUs() is the 6-place case with
 * keepalived's timer bounds; this one takes any number of places and bounds, as the BFD, track
 * process and garp_group keywords use it.
 */
import type { Word } from '../ast.js';
import type { Ctx } from './context.js';

const ULONG_MAX = 18446744073709551615n;

/**
 * The value of `w` times 10^shift, or undefined after reporting why not. As keepalived, a value
 * with too many decimal places is reported, rounded and still accepted when in range; with
 * `ignoreError` (keepalived's flag, which its `-t` does not override for this reader) so is an
 * invalid number whose leading digits are in range ("abc" is 0).
 */
export function readDecimal(
  ctx: Ctx,
  w: Word,
  shift: number,
  min: number,
  max: number,
  ignoreError = false,
): number | undefined {
  const text = w.text;
  if (text.startsWith('-')) {
    ctx.report('INVALID_NUMBER', w, `negative number '${text}'`);
    return undefined;
  }
  const dot = text.indexOf('.');
  let places = dot < 0 ? 0 : text.length - dot - 1;
  let roundUp = false;
  if (places > shift) {
    ctx.report('INVALID_NUMBER', w, `number '${text}' has too many decimal places`);
    roundUp = (text[dot + shift + 1] ?? '0') >= '5';
    places = shift;
  }
  const digits =
    (dot < 0 ? text : text.slice(0, dot) + text.slice(dot + 1, dot + 1 + places)) +
    '0'.repeat(shift - places);
  // C strtoull(): leading white space, an optional sign, then decimal digits up to the end.
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d*)$/.exec(digits);
  if (!m || (m[2] === '' && digits !== '')) {
    ctx.report('INVALID_NUMBER', w, `invalid number '${text}'`);
    if (!ignoreError) return undefined;
    const lead = /^[ \t\n\v\f\r]*[+-]?(\d*)/.exec(digits)?.[1] ?? '';
    const v = BigInt(lead || '0') + (roundUp ? 1n : 0n);
    return v >= BigInt(min) && v <= BigInt(max) ? Number(v) : undefined;
  }
  let value = BigInt(m[2] || '0');
  if (value > ULONG_MAX) {
    ctx.report('INVALID_NUMBER', w, `number '${text}' outside unsigned decimal range`);
    return undefined;
  }
  if (m[1] === '-' && value !== 0n) value = ULONG_MAX + 1n - value;
  if (roundUp) value++;
  if (value < BigInt(min) || value > BigInt(max)) {
    ctx.report(
      'INVALID_NUMBER',
      w,
      `number '${text}' outside range [${fixed(BigInt(min), shift)}, ${fixed(BigInt(max), shift)}]`,
    );
    return undefined;
  }
  return Number(value);
}

/** keepalived's "%lu.%*.*lu" of a fixed-point value. */
function fixed(v: bigint, shift: number): string {
  const unit = 10n ** BigInt(shift);
  return `${v / unit}.${shift === 0 ? '' : String(v % unit).padStart(shift, '0')}`;
}
