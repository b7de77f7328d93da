/**
 * The syntax tree of a keepalived.conf: statements (the words of one logical line) with their
 * optional `{ }` block. Keyword spellings are kept as written; meaning comes in validate/.
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
  /** The whole logical line, for keepalived's messages that quote it. */
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
