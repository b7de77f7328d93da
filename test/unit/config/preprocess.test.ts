import { describe, expect, it } from 'vitest';
import { preprocess } from '../../../src/config/preprocess.js';
import { memoryFs } from '../../fakes/memory-fs.js';
import { brief, MAIN } from '../../helpers/config.js';

interface Opts {
  files?: Record<string, string>;
  configId?: string;
  allConfig?: boolean;
  executables?: string[];
}

function run(text: string, opts: Opts = {}) {
  const lines: string[] = [];
  const out = preprocess(
    MAIN,
    {
      fs: memoryFs({ [MAIN]: text, ...opts.files }, opts.executables),
      cwd: '/etc/keepalived',
      configId: opts.configId ?? 'vm',
      randomInt: (min, max) => (min + max) >> 1,
      allConfig: opts.allConfig ?? false,
    },
    (line) => {
      // `line:col text`, with the file name when it is not the main file.
      const file = line.origin.file === MAIN ? '' : `${line.origin.file}:`;
      lines.push(`${file}${line.origin.line}:${line.columnAt(0)} ${line.text}`);
    },
  );
  return {
    lines,
    diagnostics: brief(out.diagnostics),
    files: out.files,
  };
}

describe('comments (keepalived decomment())', () => {
  it.each([
    ['! a comment line', []],
    ['# a comment line', []],
    ['priority 100 # trailing', ['1:1 priority 100']],
    ['priority 100#x', ['1:1 priority 100']],
    ['priority 100!x', ['1:1 priority 100']],
    ['  \tpriority 100', ['1:4 priority 100']],
    ['notify "/bin/x #1" # real comment', ['1:1 notify "/bin/x #1"']],
    ["notify '/bin/x #1'", ["1:1 notify '/bin/x"]],
    ['router_id a\\#b', ['1:1 router_id a#b']],
    ['router_id a\\!b', ['1:1 router_id a!b']],
    ['url // not a comment', ['1:1 url // not a comment']],
  ])('%s', (text, expected) => {
    expect(run(text).lines).toEqual(expected);
  });

  it('reports an unterminated quote with its line', () => {
    expect(run('router_id x\n  notify_master "/bin/x\n').diagnostics).toEqual([
      `2:1 GENERAL_ERROR Unterminated quote 'notify_master "/bin/x'`,
    ]);
  });

  it('reads CRLF files and counts blank lines', () => {
    expect(run('global_defs {\r\n\r\n  router_id a\r\n}\r\n').lines).toEqual([
      '1:1 global_defs',
      '1:13 {',
      '3:3 router_id a',
      '4:1 }',
    ]);
  });
});

describe('braces (every brace its own logical line)', () => {
  it('same line, next line and a whole block on one line', () => {
    const text = [
      'vrrp_instance A {',
      'virtual_ipaddress',
      '{',
      '192.0.2.1',
      '}',
      'unicast_peer { 192.0.2.9 }',
      '}',
    ].join('\n');
    expect(run(text).lines).toEqual([
      '1:1 vrrp_instance A',
      '1:17 {',
      '2:1 virtual_ipaddress',
      '3:1 {',
      '4:1 192.0.2.1',
      '5:1 }',
      '6:1 unicast_peer',
      '6:14 {',
      '6:16 192.0.2.9',
      '6:26 }',
      '7:1 }',
    ]);
  });

  it('a closing brace followed by a new block', () => {
    expect(run('a {\n}  vrrp_instance X {\n}').lines).toEqual([
      '1:1 a',
      '1:3 {',
      '2:1 }',
      '2:4 vrrp_instance X',
      '2:20 {',
      '3:1 }',
    ]);
  });

  it('braces inside double quotes do not split', () => {
    expect(run('script "echo {}"').lines).toEqual(['1:1 script "echo {}"']);
  });

  it('the text after a brace is read again as a line (conditionals apply)', () => {
    expect(run('a { @vm b\n', { configId: 'vm' }).lines).toEqual(['1:1 a', '1:3 {', '1:9 b']);
    expect(run('a { @other b\n', { configId: 'vm' }).lines).toEqual(['1:1 a', '1:3 {']);
  });
});

describe('@id conditional lines', () => {
  it('keeps lines for our config-id and drops the others', () => {
    const text = '@high priority 170\n@low priority 85\n@^high state BACKUP\n@^low state MASTER\n@high\n';
    expect(run(text, { configId: 'high' }).lines).toEqual(['1:7 priority 170', '4:7 state MASTER']);
    expect(run(text, { configId: 'low' }).lines).toEqual(['2:6 priority 85', '3:8 state BACKUP']);
  });
});

describe('$NAME definitions and substitution', () => {
  it('substitutes $NAME before a separator and ${NAME} anywhere', () => {
    const text = [
      '$IF=eth0',
      '$NET=192.0.2',
      'interface $IF',
      'vip $NET.1',
      'vip ${NET}.1/24',
      'x $IF,$IF)',
    ].join('\n');
    expect(run(text).lines).toEqual([
      '3:1 interface eth0',
      '4:1 vip $NET.1',
      '5:1 vip 192.0.2.1/24',
      '6:1 x eth0,eth0)',
    ]);
  });

  it('leaves undefined names alone, so their braces become block braces (keepalived)', () => {
    expect(run('$A=1\nrouter_id ${RID}_x').lines).toEqual([
      '2:1 router_id $',
      '2:12 {',
      '2:13 RID',
      '2:16 }',
      '2:17 _x',
    ]);
  });

  it('a blank before = makes it an ordinary line', () => {
    expect(run('$X =1').lines).toEqual(['1:1 $X =1']);
  });

  it('redefinition: later references see the new value', () => {
    expect(run('$P=1\npriority $P\n$P=2\npriority $P').lines).toEqual(['2:1 priority 1', '4:1 priority 2']);
  });

  it('a multi-line definition expands to one logical line per line, located at the reference', () => {
    const text = [
      '$VIPS=192.0.2.1 \\',
      '  192.0.2.2 \\',
      '  192.0.2.3',
      'virtual_ipaddress {',
      '  $VIPS',
      '}',
    ].join('\n');
    expect(run(text).lines).toEqual([
      '4:1 virtual_ipaddress',
      '4:19 {',
      '5:3 192.0.2.1',
      '5:3 192.0.2.2',
      '5:3 192.0.2.3',
      '6:1 }',
    ]);
  });

  it('a blank line ends a multi-line definition; a multi-line value only expands at the end of a line', () => {
    const text = ['$M=a \\', 'b \\', '', 'c', 'x $M', 'x $M y'].join('\n');
    expect(run(text).lines).toEqual(['4:1 c', '5:1 x a', '5:3 b', '6:1 x $M y']);
  });

  it('built-ins: _INSTANCE, _HASH, _BANG, _PWD and _RANDOM', () => {
    const text = 'a ${_INSTANCE}\nb "${_HASH}${_BANG}"\nc ${_PWD}\nd ${_RANDOM 10 20}\ne ${_RANDOM}';
    expect(run(text, { configId: 'node1' }).lines).toEqual([
      '1:1 a node1',
      '2:1 b "#!"',
      '3:1 c /etc/keepalived',
      '4:1 d 15',
      '5:1 e 16383',
    ]);
  });

  it('stops a definition that refers to itself (keepalived would loop forever)', () => {
    const r = run('$A=$A\nrouter_id $A');
    expect(r.lines).toEqual([]);
    expect(r.diagnostics).toEqual(["2:1 LIMIT parameter substitution does not terminate on 'router_id $A'"]);
  });

  it('stops a multi-line definition that expands itself (found by fuzzing)', () => {
    const r = run('$VIPS=192.0.2.1 \\\n  $VIPS\nvirtual_ipaddress {\n $VIPS\n}');
    // The reference and 32 nested expansions each give one address; the 33rd expansion is refused.
    expect(r.lines.filter((l) => l.endsWith(' 192.0.2.1')).length).toBe(33);
    expect(r.diagnostics).toEqual([
      '4:2 LIMIT definitions and sequences nested more than 32 deep (one that refers to itself?) - not expanded',
    ]);
  });

  // A million lines each: seconds on a loaded machine, hence the timeouts.
  it('reads a file of more than a million lines in full (only expansions are capped)', () => {
    const text = 'priority 100\n'.repeat(1_200_000);
    const r = run(text);
    expect(r.lines.length).toBe(1_200_000);
    expect(r.lines.at(-1)).toBe('1200000:1 priority 100');
    expect(r.diagnostics).toEqual([]);
  }, 60_000);

  it('stops when definitions and sequences add more than a million lines', () => {
    // Two nested sequences: 11 × 100,000 lines, each within the per-sequence limit.
    const r = run('~SEQ(i, 11) ~SEQ(j, 100000) p $i $j\nrouter_id after');
    expect(r.lines.length).toBe(1_000_000);
    expect(r.diagnostics).toEqual([
      '1:29 LIMIT definitions and sequences expand to more than 1000000 lines - stopping',
    ]);
  }, 60_000);

  it('reports a substitution that would exceed the line length', () => {
    const r = run(`$A=${'x'.repeat(600)}\nrouter_id $A $A`);
    expect(r.diagnostics).toEqual([
      `2:1 GENERAL_ERROR Parameter substitution on line 'router_id ${'x'.repeat(600)} $A' would exceed maximum line length`,
    ]);
  });
});

describe('~SEQ and ~LST', () => {
  it('expands a sequence with the variable defined', () => {
    expect(run('~SEQ(i, 3) vip 192.0.2.$i').lines).toEqual([
      '1:12 vip 192.0.2.1',
      '1:12 vip 192.0.2.2',
      '1:12 vip 192.0.2.3',
    ]);
    expect(run('~SEQ(i, 5, 2, 9) p $i').lines.map((l) => l.slice(5))).toEqual(['p 5', 'p 7', 'p 9']);
    expect(run('~SEQ(i, 3, 1) p $i').lines.map((l) => l.slice(5))).toEqual(['p 3', 'p 2', 'p 1']);
    expect(run('~SEQx(i, 9, 3, 0x0f) v 2001:db8::$i').lines.map((l) => l.slice(5))).toEqual([
      'v 2001:db8::9',
      'v 2001:db8::c',
      'v 2001:db8::f',
    ]);
  });

  it('nests: the first sequence on the line is the outer loop', () => {
    // `$i` followed by `$` is not a reference; only `${i}` is (checked against keepalived 2.2.7).
    expect(run('~SEQ(i, 2) ~SEQ(j, 2) p $i$j').lines.map((l) => l.split(' ').slice(1).join(' '))).toEqual([
      'p $i1',
      'p $i2',
      'p $i1',
      'p $i2',
    ]);
    expect(run('~SEQ(i, 2) ~SEQ(j, 2) p ${i}${j}').lines.map((l) => l.split(' ').slice(1).join(' '))).toEqual(
      ['p 11', 'p 12', 'p 21', 'p 22'],
    );
  });

  it('~LST with one and with several variables', () => {
    expect(
      run('~LST(ip, 192.0.2.1, 192.0.2.2) peer $ip').lines.map((l) => l.split(' ').slice(1).join(' ')),
    ).toEqual(['peer 192.0.2.1', 'peer 192.0.2.2']);
    // A missing value is empty; keepalived then trims the line.
    expect(run('~LST({a,b}, {1,2}, {3}) x $a $b').lines.map((l) => l.split(' ').slice(1).join(' '))).toEqual([
      'x 1 2',
      'x 3',
    ]);
    // Substitution repeats until nothing changes: `$a$b` becomes `$a` + '' and then 3.
    expect(run('~LST({a,b}, {1,2}, {3}) z$a$b').lines.map((l) => l.split(' ').slice(1).join(' '))).toEqual([
      'z$a2',
      'z3',
    ]);
  });

  it('reports invalid sequences', () => {
    expect(run('~SEQ(i, 1, 0, 5) x').diagnostics).toEqual([
      "1:1 GENERAL_ERROR Invalid ~SEQ values '~SEQ(i, 1, 0, 5) x'",
    ]);
    expect(run('~SEQ i').diagnostics).toEqual(["1:1 GENERAL_ERROR Invalid ~SEQ specification '~SEQ i'"]);
    expect(run('~SEQ(i)').diagnostics).toEqual(["1:1 GENERAL_ERROR Invalid ~SEQ definition '~SEQ(i)'"]);
    expect(run('~LST({a}, {1,2}) x').diagnostics).toEqual([
      "1:1 GENERAL_ERROR ~LST specification has too many values '~LST({a}, {1,2}) x'",
    ]);
    expect(run('~SEQ(i, 1000000) x').diagnostics).toEqual([
      "1:1 GENERAL_ERROR ~SEQ would expand to 1000000 lines (limit 100000) '~SEQ(i, 1000000) x'",
    ]);
  });
});

describe('include', () => {
  const files = {
    '/etc/keepalived/conf.d/10-a.conf': 'router_id a\n',
    '/etc/keepalived/conf.d/20-b.conf': 'include ../other/c.conf\nnotify b\n',
    '/etc/keepalived/other/c.conf': 'state c\n',
  };

  it('includes glob matches in order, relative to the including file, at any depth', () => {
    const r = run('global_defs {\ninclude conf.d/*.conf\n}\n', { files });
    expect(r.lines).toEqual([
      '1:1 global_defs',
      '1:13 {',
      'conf.d/10-a.conf:1:1 router_id a',
      '../other/c.conf:1:1 state c',
      'conf.d/20-b.conf:2:1 notify b',
      '3:1 }',
    ]);
    expect(r.files).toEqual([
      MAIN,
      '/etc/keepalived/conf.d/10-a.conf',
      '/etc/keepalived/conf.d/20-b.conf',
      '/etc/keepalived/other/c.conf',
    ]);
  });

  it('brace alternatives', () => {
    expect(run('include conf.d/{20-b,10-a}.conf', { files }).lines.map((l) => l.split(' ')[0])).toEqual([
      '../other/c.conf:1:1',
      'conf.d/20-b.conf:2:1',
      'conf.d/10-a.conf:1:1',
    ]);
  });

  it('a missing plain include is only a notice; includea/includem make it an error', () => {
    expect(run('include nope.conf').diagnostics).toEqual(["1:9 NOTICE Config files missing 'nope.conf'."]);
    expect(run('includem nope.conf').diagnostics).toEqual([
      "1:10 INCLUDE_FAILED Config files missing 'nope.conf'.",
    ]);
    expect(run('include nope.conf', { allConfig: true }).diagnostics).toEqual([
      "1:9 INCLUDE_FAILED Config files missing 'nope.conf'.",
    ]);
    expect(run('include conf.d/*.none', { files }).diagnostics).toEqual([]);
    expect(run('include nodir/*.conf', { files }).diagnostics).toEqual([
      "1:9 NOTICE Config files missing 'nodir/*.conf'.",
    ]);
    expect(run('includew conf.d/*.none', { files }).diagnostics).toEqual([
      "1:10 INCLUDE_FAILED No config files matched 'conf.d/*.none'.",
    ]);
  });

  it('refuses executable files and stops include loops', () => {
    const r = run('include x.conf\ninclude self.conf', {
      files: { '/etc/keepalived/x.conf': 'a', '/etc/keepalived/self.conf': 'include self.conf\nb' },
      executables: ['/etc/keepalived/x.conf'],
    });
    expect(r.diagnostics).toEqual([
      "1:9 NOTICE Configuration file 'x.conf' is not a regular non-executable file - skipping",
      "self.conf:1:9 LIMIT include loop: 'self.conf' is already being read - skipping",
    ]);
    expect(r.lines).toEqual(['self.conf:2:1 b']);
  });

  it('a missing -f file cannot run', () => {
    const out = preprocess(
      '/nonexistent.conf',
      {
        fs: memoryFs({}),
        cwd: '/',
        configId: 'vm',
        randomInt: () => 0,
      },
      () => undefined,
    );
    expect(brief(out.diagnostics)).toEqual(["- FILE_NOT_FOUND Config files missing '/nonexistent.conf'."]);
  });
});

describe('line length (keepalived 2.2.7 reads 1023 bytes at a time)', () => {
  it('splits a longer line and says so', () => {
    const r = run(`router_id ${'a'.repeat(1100)}`);
    expect(r.lines).toEqual([`1:1 router_id ${'a'.repeat(1013)}`, `1:1024 ${'a'.repeat(87)}`]);
    expect(r.diagnostics).toEqual([
      '1:1024 GENERAL_ERROR line too long (1110 characters, at most 1023) - keepalived 2.2.7 reads it as several lines',
    ]);
  });

  it('reports embedded NULs and drops the rest of the line', () => {
    const r = run('router_id ab\0cd\nstate MASTER');
    expect(r.lines).toEqual(['1:1 router_id ab', '2:1 state MASTER']);
    expect(r.diagnostics).toEqual(['1:13 GENERAL_ERROR configuration appears to have embedded NULs']);
  });
});
