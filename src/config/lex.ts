/**
 * Words of one logical line, as keepalived 2.2.7 `alloc_strvec_r()` (lib/parser.c) splits them:
 * blanks (` \t\f\n\r\v`) separate words; a word that starts with `"` runs to the next `"`
 * (quotes removed, blanks kept, no escapes; single quotes are ordinary characters); a `"` inside
 * a word ends that word. A `"` with no partner ends the line ("Unmatched quote").
 */

export interface LexedLine<W> {
  readonly words: W[];
  /** Index of a `"` with no closing partner, or -1. */
  readonly unmatchedQuote: number;
}

/** Makes a word: its text, whether it was quoted, and the index of its first character. */
export type MakeWord<W> = (text: string, quoted: boolean, index: number) => W;

const isBlank = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);
const QUOTE = 34;

export function lexLine<W>(text: string, make: MakeWord<W>): LexedLine<W> {
  const words: W[] = [];
  const n = text.length;
  let i = 0;
  for (;;) {
    while (i < n && isBlank(text.charCodeAt(i))) i++;
    if (i >= n) return { words, unmatchedQuote: -1 };
    const start = i;
    if (text.charCodeAt(i) === QUOTE) {
      const close = text.indexOf('"', i + 1);
      if (close < 0) return { words, unmatchedQuote: start };
      words.push(make(text.slice(i + 1, close), true, start));
      i = close + 1;
    } else {
      let c = text.charCodeAt(i);
      while (i < n && !isBlank(c) && c !== QUOTE) c = text.charCodeAt(++i);
      words.push(make(text.slice(start, i), false, start));
    }
  }
}
