/**
 * Comment removal, as keepalived 2.2.7 `decomment()` (lib/parser.c) does it on every line.
 *
 * - Leading blanks are removed.
 * - The first `!` or `#` outside double quotes starts a comment, even in the middle of a word.
 *   Single quotes do not protect. Outside quotes, `\#` and `\!` stand for the plain characters.
 * - A trailing `\` is kept (it marks a multi-line `$NAME=` definition).
 * - An odd number of `"` is reported as "Unterminated quote".
 * - Trailing blanks are removed.
 */
import { SourceText } from './source-text.js';

export interface Decommented {
  readonly line: SourceText;
  /** The text keepalived prints in "Unterminated quote '...'", or undefined when quotes balance. */
  readonly unterminatedQuote: string | undefined;
}

export function decomment(input: SourceText): Decommented {
  let line = input.trimStart();
  let quote = false;
  let commentAt = -1;
  let continuation = false;
  let i = 0;
  while (i < line.length) {
    const c = line.text[i];
    if (c === '"') {
      if (commentAt < 0) quote = !quote;
      i++;
    } else if (c === '\\') {
      const next = line.text[i + 1];
      if (next === undefined) {
        // A trailing backslash: cut it here, put it back after trimming.
        continuation = true;
        line = line.slice(0, i);
        break;
      }
      if (!quote && (next === '#' || next === '!')) {
        line = line.remove(i, 1);
        i++;
      } else {
        i += 2;
      }
    } else if ((c === '!' || c === '#') && !quote && commentAt < 0) {
      commentAt = i;
      i++;
    } else {
      i++;
    }
  }
  const unterminatedQuote = quote ? line.text : undefined;
  if (commentAt >= 0) line = line.slice(0, commentAt);
  line = line.trimEnd(' \t');
  if (continuation) {
    line = SourceText.concat(
      [line, SourceText.synthetic('\\', line.origin, line.columnAt(line.length))],
      line.origin,
    );
  }
  return { line, unterminatedQuote };
}
