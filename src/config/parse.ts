/**
 * Logical lines (from preprocess.ts, keepalived's line pipeline) to syntax tree: the words of
 * each line (lex.ts) and the PEG grammar (grammar/keepalived.peggy) for how the lines nest. Every
 * node can tell its original file, line and column. Never throws: problems are diagnostics.
 */
import { BlockNode, StatementNode, WordNode, type AstNode, type Block, type Word } from './ast.js';
import { diagnostic, type Diagnostic } from './diagnostics.js';
import { parse as pegParse } from './generated/keepalived-parser.js';
import { lexLine } from './lex.js';
import { LineTable } from './line-table.js';
import type { SourceText } from './source-text.js';

/** Our guard: peggy recurses once per block level. keepalived configs nest 5 deep at most. */
const MAX_BLOCK_DEPTH = 64;

/**
 * Logical lines in, top-level nodes out, as the lines arrive. A top-level item ends when its
 * braces balance again (or at a statement with no block after it), and each item is parsed on
 * its own with the grammar; since the grammar's top level is a plain sequence of items, that is
 * the same parse as one over the whole file, but no line outlives its block.
 */
export class LineParser {
  readonly diagnostics: Diagnostic[] = [];
  private table = new LineTable();
  private depth = 0;
  /** A top-level statement whose block, if any, starts on the next line. */
  private pending = false;

  constructor(private readonly top: (node: AstNode) => void) {}

  push(line: SourceText): void {
    const t = line.text;
    if (this.pending) {
      this.pending = false;
      if (t !== '{') this.flush();
    }
    this.table.push(line);
    if (t === '{') this.depth++;
    else if (t === '}') {
      if (this.depth > 0) this.depth--;
      if (this.depth === 0) this.flush();
    } else if (this.depth === 0) this.pending = true;
  }

  end(): void {
    this.flush();
  }

  private flush(): void {
    if (this.table.length === 0) return;
    this.diagnostics.push(...parseLines(this.table, this.top).diagnostics);
    this.table = new LineTable();
  }
}

/**
 * Run the grammar over logical lines that preprocess() produced, handing each top-level node to
 * `top` as soon as it is complete (file order).
 */
export function parseLines(lines: LineTable, top: (node: AstNode) => void): { diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  if (lines.length === 0) return { diagnostics };

  // One character per logical line (see the grammar), and the deepest nesting on the way.
  const kinds = new Array<string>(lines.length);
  let depth = 0;
  let tooDeepAt = -1;
  for (let i = 0; i < lines.length; i++) {
    const t = lines.text(i);
    if (t === '{') {
      kinds[i] = '{';
      if (++depth > MAX_BLOCK_DEPTH && tooDeepAt < 0) tooDeepAt = i;
    } else if (t === '}') {
      kinds[i] = '}';
      depth = Math.max(0, depth - 1);
    } else kinds[i] = 'S';
  }
  if (tooDeepAt >= 0) {
    diagnostics.push(
      diagnostic(
        'LIMIT',
        lines.loc(tooDeepAt, 0),
        `blocks are nested more than ${MAX_BLOCK_DEPTH} deep - ignoring the configuration`,
      ),
    );
    return { diagnostics };
  }

  // keepalived counts the blocks still open at the end of the file and reports them once.
  let unclosed = 0;
  let firstUnclosed = -1;
  const builders = {
    statement(i: number, block: Block | null): AstNode | null {
      const text = lines.text(i);
      const lexed = lexLine(
        text,
        (word, quoted, index) => new WordNode(fromLatin1(word), quoted, lines, i, index),
      );
      if (lexed.unmatchedQuote >= 0) {
        // keepalived alloc_strvec_r(): the rest of the line is dropped.
        diagnostics.push(
          diagnostic('UNMATCHED_QUOTE', lines.loc(i, lexed.unmatchedQuote), `Unmatched quote: '${text}'`),
        );
      }
      const words: Word[] = lexed.words;
      if (words.length === 0) return block ? { kind: 'orphan-block', block, loc: lines.loc(i, 0) } : null;
      return new StatementNode(words, block, fromLatin1(text));
    },
    orphan: (i: number, block: Block): AstNode => ({ kind: 'orphan-block', block, loc: lines.loc(i, 0) }),
    block(i: number, body: readonly AstNode[], close: number | null): Block {
      if (close === null) {
        unclosed++;
        firstUnclosed = i;
      }
      return new BlockNode(lines, i, close, body);
    },
    stray: (i: number): AstNode => ({ kind: 'stray-close', loc: lines.loc(i, 0) }),
    top,
  };

  try {
    pegParse(kinds.join(''), builders);
  } catch (err) {
    // The grammar accepts every input; this is a bug, reported rather than thrown.
    diagnostics.push(diagnostic('GENERAL_ERROR', lines.loc(0, 0), `internal parser error: ${String(err)}`));
  }
  if (unclosed > 0) {
    // Reported at the outermost block left open (the last one the grammar closed off).
    diagnostics.push(
      diagnostic(
        'MISSING_EOB',
        lines.loc(firstUnclosed, 0),
        `There are ${unclosed} missing '}'s or extra '{'s`,
      ),
    );
  }
  return { diagnostics };
}

/** Files are read as latin1 (one character per byte, like keepalived); words are UTF-8 again. */
function fromLatin1(s: string): string {
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 0x7f) return Buffer.from(s, 'latin1').toString('utf8');
  }
  return s;
}
