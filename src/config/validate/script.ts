/**
 * Script-type keyword values (`notify_master`, `script`, `misc_path`, `quorum_up`, ...).
 *
 * keepalived re-reads such a line with a second lexer (lib/parser.c
 * `alloc_strvec_quoted_escaped()`): both `"` and `'` quote, backslash escapes work, quoted parts
 * join the text next to them. Word 1 is the command, split once more into argv; words 2 and 3 are
 * the user and group (lib/notify.c `notify_script_init()`).
 */
import type { Statement } from '../ast.js';
import type { ScriptSpec } from '../model.js';
import type { Ctx } from './context.js';

const WHITE = ' \t\n\v\f\r';

export type Lexed =
  { readonly ok: true; readonly words: readonly string[] } | { readonly ok: false; readonly message: string };

/** keepalived alloc_strvec_quoted_escaped(). */
export function lexQuotedEscaped(src: string): Lexed {
  const words: string[] = [];
  let i = 0;
  while (i < src.length) {
    while (i < src.length && WHITE.includes(src[i] as string)) i++;
    if (i >= src.length) break;
    let word = '';
    let quote = '';
    while (i < src.length) {
      const c = src[i] as string;
      if (c === '\\') {
        i++;
        if (i >= src.length) return { ok: false, message: `Missing escape char at end: '${src}'` };
        const e = src[i] as string;
        if (e === 'x' && /[0-9A-Fa-f]/.test(src[i + 1] ?? '')) {
          let v = 0;
          i++;
          while (i < src.length && /[0-9A-Fa-f]/.test(src[i] as string))
            v = ((v << 4) | parseInt(src[i++] as string, 16)) & 0xff;
          word += String.fromCharCode(v);
        } else if (e === 'c' && i + 1 < src.length) {
          word += String.fromCharCode((src[i + 1] as string).charCodeAt(0) & 0x1f);
          i += 2;
        } else if (e >= '0' && e <= '7') {
          let v = 0;
          for (
            let n = 0;
            n < 3 && i < src.length && (src[i] as string) >= '0' && (src[i] as string) <= '7';
            n++
          ) {
            v = ((v << 3) + Number(src[i++])) & 0xff;
          }
          word += String.fromCharCode(v);
        } else {
          const map: Record<string, string> = {
            a: '\x07',
            b: '\b',
            E: '\x1b',
            f: '\f',
            n: '\n',
            r: '\r',
            t: '\t',
            v: '\v',
          };
          word += map[e] ?? e;
          i++;
        }
        continue;
      }
      if (quote !== '') {
        if (c === quote) quote = '';
        else word += c;
        i++;
        continue;
      }
      if (c === '"' || c === "'") {
        quote = c;
        i++;
        continue;
      }
      if (WHITE.includes(c)) break;
      word += c;
      i++;
    }
    if (quote !== '') return { ok: false, message: `String '${src}': missing terminating ${quote}` };
    words.push(word);
  }
  return { ok: true, words };
}

/**
 * The script of a script-type keyword line (`KEYWORD CMD [USER [GROUP]]`), or undefined after
 * reporting why not. keepalived ignores such a script with a log line; we report it.
 */
export function readScript(ctx: Ctx, stmt: Statement): ScriptSpec | undefined {
  // The raw line is lexed first: an unterminated quote is reported as such (not as a missing
  // parameter), as keepalived does.
  const line = lexQuotedEscaped(stmt.line);
  if (!line.ok) {
    ctx.report('UNMATCHED_QUOTE', stmt, line.message);
    return undefined;
  }
  if (line.words.length < 2 && !ctx.arg(stmt, 1)) return undefined;
  const command = line.words[1] ?? '';
  const argv = lexQuotedEscaped(command);
  if (!argv.ok || argv.words.length === 0) {
    ctx.report('GENERAL_ERROR', stmt, `Unable to parse script '${command}' - ignoring`);
    return undefined;
  }
  return ctx.locateScript(
    { command, argv: argv.words, user: line.words[2] ?? null, group: line.words[3] ?? null },
    stmt.loc,
  );
}
