/**
 * `keepalived-ts convert`'s own command line (cli/convert-command.ts): the options, the format
 * guessed from the text or named, and each usage error as one line with exit status 1. What each
 * format converts to is tested with the format (test/unit/convert/).
 */
import { describe, expect, it } from 'vitest';
import { runConvertCommand } from '../../../src/cli/convert-command.js';

const LVS_CF =
  'primary = 192.0.2.1\nservice = lvs\nvirtual WEB {\n  address = 192.0.2.100 eth0:1\n  port = 80\n  server a {\n    address = 192.0.2.11\n  }\n}\n';
const IPVSADM = '-A -t 192.0.2.100:80 -s rr\n-a -t 192.0.2.100:80 -r 192.0.2.11:80 -g -w 1\n';

function run(
  argv: readonly string[],
  text = LVS_CF,
): { code: number; out: string; err: string; read: string[] } {
  let out = '';
  let err = '';
  const read: string[] = [];
  const code = runConvertCommand(argv, {
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (err += t) },
    read: (file) => {
      read.push(file);
      return text;
    },
  });
  return { code, out, err, read };
}

describe('keepalived-ts convert', () => {
  it('guesses lvs.cf and ipvsadm rules from the text', () => {
    const cf = run(['lvs.cf']);
    expect(cf.code).toBe(0);
    expect(cf.out).toContain('vrrp_instance');
    expect(cf.out).toContain('virtual_server 192.0.2.100 80 {');
    const rules = run(['rules'], IPVSADM);
    expect(rules.code).toBe(0);
    expect(rules.out).toContain('virtual_server 192.0.2.100 80 {');
    expect(rules.out).not.toContain('vrrp_instance');
  });

  it('--role backup makes the director the BACKUP; the default is the primary', () => {
    expect(run(['lvs.cf']).out).toContain('state MASTER');
    expect(run(['--role', 'backup', 'lvs.cf']).out).toContain('state BACKUP');
    expect(run(['--role=backup', 'lvs.cf']).out).toContain('state BACKUP');
  });

  it('--check picks the ipvsadm real servers’ checker', () => {
    expect(run(['--check', 'HTTP_GET', 'rules'], IPVSADM).out).toContain('HTTP_GET {');
  });

  it('- reads standard input and names it <stdin>', () => {
    const r = run(['-'], 'nothing to see\n');
    expect(r.read).toEqual(['-']);
    expect(r).toMatchObject({
      code: 1,
      out: '',
      err: 'keepalived-ts convert: cannot tell what <stdin> is: give --from lvs.cf|ipvsadm\n',
    });
  });

  it.each([
    [['--role', 'standby', 'f'], "--role must be primary or backup, not 'standby'"],
    [['--check', 'PING_CHECK', 'f'], "--check must be one of TCP_CHECK, HTTP_GET, SSL_GET, not 'PING_CHECK'"],
    [['--from', 'haproxy', 'f'], "unknown format 'haproxy' (known: lvs.cf, ipvsadm)"],
    [['--from'], "option '--from' requires an argument"],
    [['--bogus', 'f'], "unknown option '--bogus'"],
    [['a', 'b'], "unexpected argument 'b'"],
    [[], 'no FILE given'],
  ])('%j is a usage error', (argv, message) => {
    const r = run(argv);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err.split('\n')[0]).toBe(`keepalived-ts convert: ${message}`);
  });

  it('a file it cannot read is an error naming it', () => {
    let err = '';
    const code = runConvertCommand(['/nonexistent/lvs.cf'], {
      stdout: { write: () => undefined },
      stderr: { write: (t: string) => (err += t) },
      read: () => {
        throw new Error('ENOENT: no such file or directory');
      },
    });
    expect(code).toBe(1);
    expect(err).toBe(
      'keepalived-ts convert: cannot read /nonexistent/lvs.cf: ENOENT: no such file or directory\n',
    );
  });
});
