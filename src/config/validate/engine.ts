/**
 * Keyword dispatch over the syntax tree, following keepalived's process_stream() (lib/parser.c):
 * the first word of each statement is looked up, case-sensitively, among the keywords of the
 * current level only.
 *
 * Where keepalived's line-by-line reader and our tree differ (documented in README):
 * - an unknown keyword that opens a block: keepalived reads the block's lines at the current
 *   level and lets its `}` close the enclosing block; we report the keyword and skip its block;
 * - a `{` after a keyword that takes none ("Unexpected '{'"): both read its contents at the
 *   current level, but keepalived's `}` then also closes the enclosing block.
 */
import type { AstNode, Statement } from '../ast.js';
import type { Ctx } from './context.js';

export type KeywordKind =
  /** A value on the keyword line. */
  | 'plain'
  /** A `{ }` sub-level with keywords of its own (`vrrp_instance`, `real_server`, `url`). */
  | 'block'
  /** A `{ }` whose lines are values (`virtual_ipaddress`, `unicast_peer`, `group`). */
  | 'values';

export interface Keyword<D> {
  readonly kind: KeywordKind;
  readonly handle: (ctx: Ctx, stmt: Statement, draft: D) => void;
}

export type KeywordTable<D> = Readonly<Record<string, Keyword<D>>>;

export const plain = <D>(handle: (ctx: Ctx, stmt: Statement, draft: D) => void): Keyword<D> => ({
  kind: 'plain',
  handle,
});
/**
 * A keepalived-ts extension keyword: handled like `plain`, and `-t` says at its line that
 * keepalived 2.2.7 does not know it (it would log "Unknown keyword" and fail its config test), so
 * a file that uses one is for keepalived-ts only. A notice, not a config error: keepalived-ts runs it.
 */
export const extension = <D>(handle: (ctx: Ctx, stmt: Statement, draft: D) => void): Keyword<D> => ({
  kind: 'plain',
  handle: (ctx, stmt, draft) => {
    const kw = stmt.words[0]?.text ?? '';
    ctx.report(
      'NOTICE',
      stmt,
      `'${kw}' is a keepalived-ts extension: keepalived rejects it as an unknown keyword`,
    );
    handle(ctx, stmt, draft);
  },
});
export const block = <D>(handle: (ctx: Ctx, stmt: Statement, draft: D) => void): Keyword<D> => ({
  kind: 'block',
  handle,
});
export const values = <D>(handle: (ctx: Ctx, stmt: Statement, draft: D) => void): Keyword<D> => ({
  kind: 'values',
  handle,
});

/**
 * Walk one level of statements, dispatching each to its keyword. `atEof`: these are the config's
 * last lines, where keepalived meets the end of the file before it looks for a block's `{` (and
 * so says nothing about it missing).
 */
export function walk<D>(
  ctx: Ctx,
  body: readonly AstNode[],
  table: KeywordTable<D>,
  draft: D,
  atEof = false,
): void {
  for (const node of body) {
    if (node.kind === 'stray-close') {
      ctx.report('UNEXPECTED_EOB', node.loc, "Extra '}' found");
      ctx.report('UNKNOWN_KEYWORD', node.loc, "Unknown keyword '}'");
      continue;
    }
    if (node.kind === 'orphan-block') {
      ctx.report('UNEXPECTED_BOB', node.block.open, "Unexpected '{' - ignoring");
      walk(ctx, node.block.body, table, draft);
      continue;
    }
    const name = (node.words[0] as { text: string }).text;
    const keyword = Object.hasOwn(table, name) ? table[name] : undefined;
    if (!keyword) {
      ctx.report('UNKNOWN_KEYWORD', node, `Unknown keyword '${name}'`);
      continue;
    }
    if (keyword.kind === 'block' && !node.block && !atEof) {
      ctx.report('MISSING_BOB', node, "Missing '{' at beginning of configuration block");
    }
    if (keyword.kind === 'values' && !node.block) {
      ctx.report('MISSING_BOB', node, `'{' missing from beginning of block ${name}`);
    }
    keyword.handle(ctx, node, draft);
    if (keyword.kind === 'plain' && node.block) {
      ctx.report('UNEXPECTED_BOB', node.block.open, "Unexpected '{' - ignoring");
      walk(ctx, node.block.body, table, draft);
    }
  }
}

/** The body of a statement's block (empty when it has none). */
const bodyOf = (stmt: Statement): readonly AstNode[] => stmt.block?.body ?? [];

/**
 * The entries of a value block: one per statement (keepalived alloc_value_block()). Words after
 * the keyword and its `params` on its own line are keepalived's "Block X has extra parameters".
 */
export function valueLines(ctx: Ctx, stmt: Statement, params = 0): Statement[] {
  if (stmt.words.length > 1 + params) {
    const second = stmt.words[1 + params] as { text: string };
    ctx.report(
      'GENERAL_ERROR',
      stmt,
      `Block ${stmt.words[0]?.text ?? ''} has extra parameters ${second.text} ...`,
    );
  }
  const out: Statement[] = [];
  const collect = (nodes: readonly AstNode[]): void => {
    for (const n of nodes) {
      if (n.kind === 'statement') {
        out.push(n);
        if (n.block) {
          ctx.report('UNEXPECTED_BOB', n.block.open, "Unexpected '{' - ignoring");
          collect(n.block.body);
        }
      } else if (n.kind === 'orphan-block') {
        ctx.report('UNEXPECTED_BOB', n.block.open, "Unexpected '{' - ignoring");
        collect(n.block.body);
      }
    }
  };
  collect(bodyOf(stmt));
  return out;
}
