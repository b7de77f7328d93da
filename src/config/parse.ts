/**
 * Text to syntax tree: keepalived's line pipeline (preprocess.ts), then the PEG grammar
 * (grammar/keepalived.peggy) over the logical lines, with every node located in its original
 * file, line and column. Never throws: problems are diagnostics.
 */
import type { AstNode, Block, Statement, Word } from './ast.js';
import { diagnostic, type Diagnostic, type Loc } from './diagnostics.js';
import { parse as pegParse } from './generated/keepalived-parser.js';
import { preprocess, type PreprocessOptions } from './preprocess.js';
import type { SourceText } from './source-text.js';

/** Our guard: peggy recurses once per block level. keepalived configs nest 5 deep at most. */
export const MAX_BLOCK_DEPTH = 64;

export interface ParsedConfig {
  readonly nodes: readonly AstNode[];
  readonly diagnostics: readonly Diagnostic[];
  readonly files: readonly string[];
}

/** What the generated parser returns (offsets into the joined logical lines). */
interface RawWord {
  readonly text: string;
  readonly quoted: boolean;
  readonly unmatched: boolean;
  readonly at: number;
}
interface RawBlock {
  readonly open: number;
  readonly close: number | null;
  readonly body: readonly RawNode[];
}
type RawNode =
  | {
      readonly kind: 'statement';
      readonly words: readonly RawWord[];
      readonly block: RawBlock | null;
      readonly at: number;
    }
  | { readonly kind: 'orphan-block'; readonly block: RawBlock; readonly at: number }
  | { readonly kind: 'stray-close'; readonly at: number };

export function parseConfig(pattern: string, opts: PreprocessOptions): ParsedConfig {
  const pre = preprocess(pattern, opts);
  const { nodes, diagnostics } = parseLines(pre.lines);
  return { nodes, diagnostics: [...pre.diagnostics, ...diagnostics], files: pre.files };
}

/** Run the grammar over logical lines that preprocess() produced. */
export function parseLines(lines: readonly SourceText[]): { nodes: AstNode[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const starts: number[] = [];
  let text = '';
  let depth = 0;
  let deepest = 0;
  for (const line of lines) {
    starts.push(text.length);
    text += `${line.text}\n`;
    if (line.text === '{') deepest = Math.max(deepest, ++depth);
    else if (line.text === '}') depth = Math.max(0, depth - 1);
  }
  const locate = (offset: number): { loc: Loc; line: SourceText } => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    const line = lines[lo] as SourceText;
    const start = starts[lo] ?? 0;
    return { loc: { ...line.origin, column: line.columnAt(offset - start) }, line };
  };
  if (lines.length === 0) return { nodes: [], diagnostics };
  if (deepest > MAX_BLOCK_DEPTH) {
    const deep = lines.find((l) => l.text === '{');
    const origin = deep ? deep.origin : { file: '', line: 0 };
    diagnostics.push(
      diagnostic(
        'LIMIT',
        { ...origin, column: 1 },
        `blocks are nested more than ${MAX_BLOCK_DEPTH} deep - ignoring the configuration`,
      ),
    );
    return { nodes: [], diagnostics };
  }

  let raw: readonly RawNode[];
  try {
    const result: unknown = pegParse(text);
    raw = result as readonly RawNode[];
  } catch (err) {
    // The grammar accepts every input; this is a bug, reported rather than thrown.
    const where =
      typeof err === 'object' && err !== null && 'location' in err
        ? (err as { location: { start: { offset: number } } }).location.start.offset
        : 0;
    diagnostics.push(diagnostic('GENERAL_ERROR', locate(where).loc, `internal parser error: ${String(err)}`));
    return { nodes: [], diagnostics };
  }

  const convertBlock = (b: RawBlock): Block => ({
    open: locate(b.open).loc,
    close: b.close === null ? null : locate(b.close).loc,
    body: convertNodes(b.body),
  });
  const convertNodes = (nodes: readonly RawNode[]): AstNode[] => {
    const out: AstNode[] = [];
    for (const n of nodes) {
      if (n.kind === 'stray-close') {
        out.push({ kind: 'stray-close', loc: locate(n.at).loc });
      } else if (n.kind === 'orphan-block') {
        out.push({ kind: 'orphan-block', block: convertBlock(n.block), loc: locate(n.at).loc });
      } else {
        const { loc, line } = locate(n.at);
        const words: Word[] = [];
        for (const w of n.words) {
          if (w.unmatched) {
            // keepalived alloc_strvec_r(): the rest of the line is dropped.
            diagnostics.push(
              diagnostic('UNMATCHED_QUOTE', locate(w.at).loc, `Unmatched quote: '${line.text}'`),
            );
            break;
          }
          words.push({ text: fromLatin1(w.text), quoted: w.quoted, loc: locate(w.at).loc });
        }
        const block = n.block === null ? null : convertBlock(n.block);
        if (words.length === 0) {
          if (block) out.push({ kind: 'orphan-block', block, loc });
          continue;
        }
        const statement: Statement = { kind: 'statement', words, block, loc, line: fromLatin1(line.text) };
        out.push(statement);
      }
    }
    return out;
  };
  return { nodes: convertNodes(raw), diagnostics };
}

/** Files are read as latin1 (one character per byte, like keepalived); words are UTF-8 again. */
function fromLatin1(s: string): string {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(s) ? s : Buffer.from(s, 'latin1').toString('utf8');
}
