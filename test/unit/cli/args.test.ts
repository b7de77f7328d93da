import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../../src/cli/args.js';

describe('keepalived command line', () => {
  it.each<[string[], Record<string, string | true>]>([
    [['-t', '-f', 'k.conf'], { configTest: true, useFile: 'k.conf' }],
    [['-nt', '-f', 'k.conf'], { dontFork: true, configTest: true, useFile: 'k.conf' }],
    // -t takes an optional value that must be attached, as with getopt: `-tf` means log file "f".
    [['-tf'], { configTest: 'f' }],
    [['-fk.conf', '-t/tmp/log'], { useFile: 'k.conf', configTest: '/tmp/log' }],
    [['--use-file=k.conf', '--config-test'], { useFile: 'k.conf', configTest: true }],
    [['--use-file', 'k.conf', '--config-test=/tmp/log'], { useFile: 'k.conf', configTest: '/tmp/log' }],
    [
      ['-nlD', '-i', 'high', '-p', '/run/a.pid'],
      { dontFork: true, logConsole: true, logDetail: true, configId: 'high', pid: '/run/a.pid' },
    ],
    [['--dump-config', '-e'], { dumpConfig: true, allConfig: true }],
    [
      ['--control-socket=/run/k.sock', '--control-socket-group', 'kts-status'],
      { controlSocket: '/run/k.sock', controlSocketGroup: 'kts-status' },
    ],
  ])('%j', (argv, expected) => {
    expect(parseArgs(argv)).toEqual({ ok: true, args: expected });
  });

  it.each([
    [['-q'], "invalid option -- 'q'"],
    [['--nope'], "unrecognized option '--nope'"],
    [['-f'], "option requires an argument -- 'f'"],
    [['--dont-fork=1'], "option '--dont-fork' doesn't allow an argument"],
    [['stray'], "unexpected argument 'stray'"],
  ])('%j is an error', (argv, error) => {
    expect(parseArgs(argv)).toEqual({ ok: false, error });
  });
});
