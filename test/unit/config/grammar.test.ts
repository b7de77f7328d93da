import { describe, expect, it } from 'vitest';
import type { AstNode } from '../../../src/config/ast.js';
import { LineTable } from '../../../src/config/line-table.js';
import { parseLines } from '../../../src/config/parse.js';
import { SourceText } from '../../../src/config/source-text.js';
import { brief } from '../../helpers/config.js';

/** Logical lines as preprocess() makes them: one per input line, located at column 1. */
function parse(...lines: string[]) {
  const nodes: AstNode[] = [];
  const source = new LineTable();
  lines.forEach((text, i) =>
    source.push(SourceText.line(text, { file: '/etc/keepalived/keepalived.conf', line: i + 1 })),
  );
  const { diagnostics } = parseLines(source, (node) => nodes.push(node));
  return { nodes, diagnostics };
}

/** A compact picture of the tree: `kw arg {` ... `}`. */
function shape(nodes: readonly AstNode[], indent = ''): string[] {
  const out: string[] = [];
  for (const n of nodes) {
    if (n.kind === 'stray-close') out.push(`${indent}STRAY } @${n.loc.line}`);
    else {
      const head =
        n.kind === 'statement' ? n.words.map((w) => (w.quoted ? `"${w.text}"` : w.text)).join(' ') : 'ORPHAN';
      const block = n.kind === 'statement' ? n.block : n.block;
      if (!block) out.push(`${indent}${head}`);
      else {
        out.push(`${indent}${head} {`);
        out.push(...shape(block.body, `${indent}  `));
        out.push(`${indent}}${block.close ? '' : ' MISSING'}`);
      }
    }
  }
  return out;
}

describe('grammar', () => {
  it('statements and blocks, braces on the same or a later line', () => {
    const r = parse(
      'global_defs',
      '{',
      'router_id a',
      '}',
      'vrrp_instance VI_1',
      '{',
      'virtual_ipaddress',
      '{',
      '192.0.2.1/24 dev eth0',
      '}',
      '}',
    );
    expect(shape(r.nodes)).toEqual([
      'global_defs {',
      '  router_id a',
      '}',
      'vrrp_instance VI_1 {',
      '  virtual_ipaddress {',
      '    192.0.2.1/24 dev eth0',
      '  }',
      '}',
    ]);
    expect(r.diagnostics).toEqual([]);
  });

  it('quoted words keep blanks and end at the next quote; a quote ends a bare word', () => {
    const r = parse('notify_master "/bin/notify.sh MASTER" root', 'x ab"cd"ef', "y 'a b'");
    expect(shape(r.nodes)).toEqual(['notify_master "/bin/notify.sh MASTER" root', 'x ab "cd" ef', "y 'a b'"]);
  });

  it('every word knows its column', () => {
    const [stmt] = parse('  priority   150').nodes;
    expect(
      stmt?.kind === 'statement' && stmt.words.map((w) => `${w.text}@${w.loc.line}:${w.loc.column}`),
    ).toEqual(['priority@1:3', '150@1:14']);
  });

  it('an unmatched quote drops the rest of the line (keepalived alloc_strvec_r)', () => {
    const r = parse('notify_master x "/bin/x');
    expect(shape(r.nodes)).toEqual(['notify_master x']);
    expect(brief(r.diagnostics)).toEqual([`1:17 UNMATCHED_QUOTE Unmatched quote: 'notify_master x "/bin/x'`]);
  });

  it('accepts stray braces and unclosed blocks as nodes (never fails)', () => {
    const r = parse('}', 'a', '{', 'b', '{', '{', 'c', '}');
    expect(shape(r.nodes)).toEqual([
      'STRAY } @1',
      'a {',
      '  b {',
      '    ORPHAN {',
      '      c',
      '    }',
      '  } MISSING',
      '} MISSING',
    ]);
  });

  it('caps block nesting instead of overflowing the stack', () => {
    const r = parse(...Array.from({ length: 100 }, () => '{'));
    expect(r.nodes).toEqual([]);
    expect(brief(r.diagnostics)).toEqual([
      '65:1 LIMIT blocks are nested more than 64 deep - ignoring the configuration',
    ]);
  });
});
