import { describe, expect, it } from 'vitest';
import { parseStatusAnswer, parseStatusArgs } from '../../../src/cli/status-command.js';

const DEFAULT = '/run/keepalived-ts/keepalived-ts.sock';

describe('keepalived-ts status arguments', () => {
  it.each<[string[], { format: string; controlSocket: string }]>([
    [[], { format: 'text', controlSocket: DEFAULT }],
    [['--json'], { format: 'json', controlSocket: DEFAULT }],
    [
      ['--ipvsadm-save', '--control-socket', '/tmp/k.sock'],
      { format: 'ipvsadm-save', controlSocket: '/tmp/k.sock' },
    ],
    [['--control-socket=/tmp/k.sock', '--json', '--json'], { format: 'json', controlSocket: '/tmp/k.sock' }],
  ])('%j', (argv, options) => {
    expect(parseStatusArgs(argv)).toEqual({ ok: true, options });
  });

  it.each([
    [['--json', '--ipvsadm-save'], "--json and --ipvsadm-save can't be used together"],
    [['--control-socket'], "option '--control-socket' requires an argument"],
    [['--control-socket='], "option '--control-socket' requires an argument"],
    [['-j'], "unrecognized option '-j'"],
    [['now'], "unexpected argument 'now'"],
  ])('%j is an error', (argv, error) => {
    expect(parseStatusArgs(argv)).toEqual({ ok: false, error });
  });

  it('--help', () => {
    expect(parseStatusArgs(['--json', '-h'])).toEqual({ ok: true, help: true });
  });
});

describe('the status answer', () => {
  it('takes a status document', () => {
    const doc = { version: '0.1.0', vrrp: { instances: [] }, virtualServers: [] };
    expect(parseStatusAnswer('/s', JSON.stringify(doc))).toEqual({ ok: true, status: doc });
  });

  it.each([
    ['{"error":"worker gone"}\n', 'the daemon could not answer: worker gone'],
    ['', 'unexpected answer from /s: (empty)'],
    ['hello\nworld', 'unexpected answer from /s: hello'],
    ['{"vrrp":{}}', 'unexpected answer from /s: not a keepalived-ts status document'],
    ['[1]', 'unexpected answer from /s: not a keepalived-ts status document'],
  ])('%j is refused', (answer, error) => {
    expect(parseStatusAnswer('/s', answer)).toEqual({ ok: false, error });
  });
});
