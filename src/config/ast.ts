/**
 * The syntax tree of a keepalived.conf: statements (the words of one logical line) with their
 * optional `{ }` block. Keyword spellings are kept as written; meaning comes in validate/.
 * Locations are worked out when asked for (only diagnostics need them), from the logical line.
 */
import type { Loc } from './diagnostics.js';

export interface Word {
  readonly text: string;
  /** Written as `"..."` (keepalived removes the quotes and keeps the blanks inside). */
  readonly quoted: boolean;
  readonly loc: Loc;
}

export interface Block {
  readonly open: Loc;
  /** Where the closing `}` is, or null when the file ended first. */
  readonly close: Loc | null;
  readonly body: readonly AstNode[];
}

export interface Statement {
  readonly kind: 'statement';
  /** At least one word; words[0] is the keyword. */
  readonly words: readonly Word[];
  readonly block: Block | null;
  readonly loc: Loc;
  /** The whole logical line, for keepalived's messages that quote it and its script lexer. */
  readonly line: string;
}

/** A `{ ... }` with no keyword before it ("Unexpected '{'"). */
export interface OrphanBlock {
  readonly kind: 'orphan-block';
  readonly block: Block;
  readonly loc: Loc;
}

/** A `}` at top level ("Extra '}' found"). */
export interface StrayClose {
  readonly kind: 'stray-close';
  readonly loc: Loc;
}

export type AstNode = Statement | OrphanBlock | StrayClose;

/** Where the characters of logical lines come from (a LineTable). */
export interface LineLocator {
  loc(line: number, index: number): Loc;
}

export class WordNode implements Word {
  constructor(
    readonly text: string,
    readonly quoted: boolean,
    private readonly lines: LineLocator,
    private readonly lineIndex: number,
    private readonly index: number,
  ) {}

  get loc(): Loc {
    return this.lines.loc(this.lineIndex, this.index);
  }
}

export class StatementNode implements Statement {
  readonly kind = 'statement';
  constructor(
    readonly words: readonly Word[],
    readonly block: Block | null,
    readonly line: string,
  ) {}

  get loc(): Loc {
    return (this.words[0] as Word).loc;
  }
}

export class BlockNode implements Block {
  constructor(
    private readonly lines: LineLocator,
    private readonly openLine: number,
    private readonly closeLine: number | null,
    readonly body: readonly AstNode[],
  ) {}

  get open(): Loc {
    return this.lines.loc(this.openLine, 0);
  }

  get close(): Loc | null {
    return this.closeLine === null ? null : this.lines.loc(this.closeLine, 0);
  }
}
