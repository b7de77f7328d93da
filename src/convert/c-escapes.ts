/**
 * C string escapes as Piranha writes them in lvs.cf (`send = "GET / HTTP/1.0\r\n\r\n"`): nanny
 * sends the bytes the escapes stand for. `\n \r \t \a \b \f \v \\ \" \'`, octal `\NNN` (up to three
 * digits) and hex `\xHH`; any other `\C` is C itself. Also the percent form the converter uses to
 * hand such bytes to `keepalived-ts send-expect` through keepalived's misc_path untouched.
 */

const SIMPLE: Readonly<Record<string, number>> = {
  n: 10,
  r: 13,
  t: 9,
  a: 7,
  b: 8,
  f: 12,
  v: 11,
};

/** The bytes (as a latin1 string: one char per byte) that `text`'s escapes stand for. */
export function decodeCEscapes(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c !== '\\' || i + 1 >= text.length) {
      out += c;
      continue;
    }
    const e = text[++i] as string;
    const simple = SIMPLE[e];
    if (simple !== undefined) {
      out += String.fromCharCode(simple);
    } else if (e === 'x' && /^[0-9a-fA-F]/.test(text.slice(i + 1, i + 2))) {
      const hex = /^[0-9a-fA-F]{1,2}/.exec(text.slice(i + 1)) as RegExpExecArray;
      out += String.fromCharCode(parseInt(hex[0], 16));
      i += hex[0].length;
    } else if (/[0-7]/.test(e)) {
      const oct = /^[0-7]{1,3}/.exec(text.slice(i)) as RegExpExecArray;
      out += String.fromCharCode(parseInt(oct[0], 8) & 0xff);
      i += oct[0].length - 1;
    } else {
      out += e;
    }
  }
  return out;
}

/** Bytes outside this set are written %HH: no space, quote or backslash is left for keepalived's parser, and `-` alone can mean the empty string. */
const SAFE = /[A-Za-z0-9._~/:=,+@]/;

/** `bytes` (latin1, one char per byte) with every unsafe byte as %HH; an empty string stays empty. */
export function percentEncode(bytes: string): string {
  let out = '';
  for (const c of bytes) {
    out += SAFE.test(c) ? c : `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The inverse of percentEncode; undefined when a `%` is not followed by two hex digits. */
export function percentDecode(text: string): string | undefined {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c !== '%') {
      out += c;
      continue;
    }
    const hex = text.slice(i + 1, i + 3);
    if (!/^[0-9a-fA-F]{2}$/.test(hex)) return undefined;
    out += String.fromCharCode(parseInt(hex, 16));
    i += 2;
  }
  return out;
}
