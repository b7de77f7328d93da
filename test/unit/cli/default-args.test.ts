import { describe, expect, it } from 'vitest';
import { joinWords, readEnvironmentFile, splitWords } from '../../../src/cli/default-args.js';

describe("keepalived's /etc/default/keepalived, as systemd reads an EnvironmentFile", () => {
  it('NAME=value lines, quoted or bare; comments skipped; the last assignment wins', () => {
    const vars = readEnvironmentFile(
      [
        '# Options to pass to keepalived',
        '',
        '# DAEMON_ARGS are appended to the keepalived command-line',
        'DAEMON_ARGS=""',
        'DAEMON_ARGS="-D -S 1 --snmp"',
        "OTHER='a b'",
        'BARE=x',
        'not an assignment',
      ].join('\n'),
    );
    expect([...vars]).toEqual([
      ['DAEMON_ARGS', '-D -S 1 --snmp'],
      ['OTHER', 'a b'],
      ['BARE', 'x'],
    ]);
  });

  it('words split at blanks, quotes group, shell expansion refused', () => {
    expect(splitWords('  -D  -S 1 --config-id "lb 1" -f/etc/k.conf ')).toEqual({
      ok: true,
      words: ['-D', '-S', '1', '--config-id', 'lb 1', '-f/etc/k.conf'],
    });
    expect(splitWords('')).toEqual({ ok: true, words: [] });
    expect(splitWords('-D "unterminated')).toEqual({ ok: false, error: `unmatched " in '-D "unterminated'` });
    expect(splitWords('-i $HOST').ok).toBe(false);
  });

  it('joined back for KEEPALIVED_TS_OPTIONS, quoting only what needs it', () => {
    expect(joinWords(['-D', '-S', '1', '--config-id', 'lb 1', '--pid=/run/k.pid'])).toBe(
      "-D -S 1 --config-id 'lb 1' --pid=/run/k.pid",
    );
    // A quote inside a word cannot be carried in the quoted value unchanged.
    expect(joinWords(['--config-id', "lb'1"])).toBeNull();
  });
});
