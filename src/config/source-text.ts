/**
 * A line of config text that remembers where each of its characters came from.
 *
 * keepalived rewrites lines before it tokenises them (comment removal, `$NAME` substitution,
 * `~SEQ` expansion, brace splitting). Diagnostics must still point at the original file, line and
 * column, so every rewrite goes through this type. Most lines are only trimmed or cut, so the
 * column of character i is simply `first + i`; only a substitution or an escape removal adds a
 * column map: segments saying "from text index `at`, characters come from column `col`"
 * (advancing one column per character) or, for substituted text, "all come from column `col`".
 */

export interface Origin {
  /** The file name as keepalived would print it. */
  readonly file: string;
  /** 1-based line number in that file. */
  readonly line: number;
}

interface Segment {
  readonly at: number;
  readonly col: number;
  readonly fixed: boolean;
}

export class SourceText {
  private constructor(
    readonly text: string,
    readonly origin: Origin,
    /** Column of text[0] while the map is linear. */
    private readonly first: number,
    /** The column map, or null while it is linear. */
    private readonly segments: readonly Segment[] | null,
  ) {}

  /** A physical line whose first character is at column 1. */
  static line(text: string, origin: Origin): SourceText {
    return new SourceText(text, origin, 1, null);
  }

  /** Text taken unchanged from a line, starting at column `column`. */
  static at(text: string, origin: Origin, column: number): SourceText {
    return new SourceText(text, origin, column, null);
  }

  /** Text that did not come from the file at all (an expansion): every character maps to `col`. */
  static synthetic(text: string, origin: Origin, col: number): SourceText {
    return new SourceText(text, origin, col, [{ at: 0, col, fixed: true }]);
  }

  get length(): number {
    return this.text.length;
  }

  /** The column of text[0] when the text is one unchanged run of its line, else undefined. */
  get linearStart(): number | undefined {
    return this.segments === null ? this.first : undefined;
  }

  /** 1-based original column of the character at `index` (or just past the end). */
  columnAt(index: number): number {
    const segs = this.segments;
    if (segs === null) return this.first + index;
    let lo = 0;
    let hi = segs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((segs[mid] as Segment).at <= index) lo = mid;
      else hi = mid - 1;
    }
    const seg = segs[lo] as Segment;
    return seg.fixed ? seg.col : seg.col + (index - seg.at);
  }

  slice(start: number, end: number = this.text.length): SourceText {
    const s = Math.max(0, Math.min(start, this.text.length));
    const e = Math.max(s, Math.min(end, this.text.length));
    if (s === 0 && e === this.text.length) return this;
    if (this.segments === null)
      return new SourceText(this.text.slice(s, e), this.origin, this.first + s, null);
    const out: Segment[] = [{ at: 0, col: this.columnAt(s), fixed: this.isFixedAt(s) }];
    for (const seg of this.segments) {
      if (seg.at > s && seg.at < e) out.push({ at: seg.at - s, col: seg.col, fixed: seg.fixed });
    }
    return new SourceText(this.text.slice(s, e), this.origin, out[0]?.col ?? this.first, out);
  }

  /** Replace `count` characters at `index` by `insert`, whose characters all map to `col`. */
  splice(index: number, count: number, insert: string, col: number): SourceText {
    const parts: SourceText[] = [this.slice(0, index)];
    if (insert.length > 0) parts.push(SourceText.synthetic(insert, this.origin, col));
    parts.push(this.slice(index + count));
    return SourceText.concat(parts, this.origin);
  }

  /** Delete `count` characters at `index`. */
  remove(index: number, count: number): SourceText {
    return SourceText.concat([this.slice(0, index), this.slice(index + count)], this.origin);
  }

  trimStart(chars = ' \t'): SourceText {
    let i = 0;
    while (i < this.text.length && chars.includes(this.text[i] as string)) i++;
    return this.slice(i);
  }

  trimEnd(chars = ' \t'): SourceText {
    let i = this.text.length;
    while (i > 0 && chars.includes(this.text[i - 1] as string)) i--;
    return this.slice(0, i);
  }

  private isFixedAt(index: number): boolean {
    let fixed = false;
    for (const seg of this.segments ?? []) {
      if (seg.at > index) break;
      fixed = seg.fixed;
    }
    return fixed;
  }

  private segmentsOrLinear(): readonly Segment[] {
    return this.segments ?? [{ at: 0, col: this.first, fixed: false }];
  }

  static concat(parts: readonly SourceText[], origin: Origin): SourceText {
    let text = '';
    const segments: Segment[] = [];
    for (const part of parts) {
      if (part.length === 0) continue;
      for (const seg of part.segmentsOrLinear()) {
        if (seg.at >= part.length) continue;
        segments.push({ at: seg.at + text.length, col: seg.col, fixed: seg.fixed });
      }
      text += part.text;
    }
    const head = segments[0];
    if (!head) return new SourceText('', origin, parts[0]?.first ?? 1, null);
    // Still one linear run: keep the cheap form.
    if (segments.length === 1 && !head.fixed) return new SourceText(text, origin, head.col, null);
    return new SourceText(text, origin, head.col, segments);
  }
}
