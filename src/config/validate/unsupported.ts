/**
 * keepalived keywords that keepalived-ts accepts but does not act on. keepalived 2.2.7 knows them,
 * so they are not "Unknown keyword"; we report each as UNSUPPORTED (printed by `-t`, but, since
 * keepalived itself accepts them, not a config error that changes the exit code).
 */
import type { IgnoredField, NotActedOn } from '../not-acted-on.js';
import { NOT_ACTED_ON } from '../not-acted-on.js';
import type { Keyword, KeywordKind, KeywordTable } from './engine.js';

export function unsupported<D>(
  names: readonly string[],
  kind: KeywordKind = 'plain',
  why = 'not supported - ignored',
): KeywordTable<D> {
  const table: Record<string, KeywordTable<D>[string]> = {};
  for (const name of names) {
    table[name] = {
      kind,
      handle: (ctx, stmt) => ctx.report('UNSUPPORTED', stmt, `${name}: ${why}`),
    };
  }
  return table;
}

/**
 * A keyword that sets a field listed `ignored` in config/not-acted-on.ts: handled as usual (its
 * value is read and checked), then reported as not acted on with the list's reason.
 */
export function notActedOn<D>(field: IgnoredField, keyword: Keyword<D>): Keyword<D> {
  const entry: NotActedOn = NOT_ACTED_ON[field];
  return {
    kind: keyword.kind,
    handle: (ctx, stmt, draft) => {
      keyword.handle(ctx, stmt, draft);
      ctx.report('UNSUPPORTED', stmt, notActedOnNote(stmt.words[0]?.text ?? entry.keywords[0] ?? '', field));
    },
  };
}

/** The `-t` note for a keyword of an `ignored` field. */
function notActedOnNote(keyword: string, field: IgnoredField): string {
  return `${keyword}: not acted on - ignored (${NOT_ACTED_ON[field].reason})`;
}
