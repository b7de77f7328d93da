/**
 * keepalived keywords that keepalived-ts accepts but does not act on. keepalived 2.2.7 knows them,
 * so they are not "Unknown keyword"; we report each as UNSUPPORTED (printed by `-t`, but, since
 * keepalived itself accepts them, not a config error that changes the exit code).
 */
import type { KeywordKind, KeywordTable } from './engine.js';

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
