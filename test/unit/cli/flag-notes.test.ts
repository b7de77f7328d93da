import { describe, expect, it } from 'vitest';
import { OPTION_NAMES, parseArgs, type ParsedArgs } from '../../../src/cli/args.js';
import { FLAG_NOTES, flagNotes } from '../../../src/cli/flag-notes.js';

/** Options that act in keepalived-ts (the CLI or the daemon), so they get no note. */
const ACTING = [
  'useFile',
  'vrrp',
  'check',
  'logConsole',
  'logDetail',
  'logFacility',
  'logFormat',
  'dispatchWorkers',
  'noSyslog',
  'umask',
  'dontReleaseVrrp',
  'dontReleaseIpvs',
  'dontFork',
  'dumpConf',
  'pid',
  'genhash',
  'allConfig',
  'configId',
  'signum',
  'configTest',
  'version',
  'help',
  'dumpConfig',
  'controlSocket',
  'controlSocketGroup',
  'snmp',
  'snmpAgentSocket',
];

function args(...argv: string[]): ParsedArgs {
  const r = parseArgs(argv);
  if (!r.ok) throw new Error(r.error);
  return r.args;
}

describe('flagNotes', () => {
  it('every keepalived option either acts or has a note, never both', () => {
    const noted = Object.keys(FLAG_NOTES);
    expect([...noted, ...ACTING].sort()).toEqual([...OPTION_NAMES].sort());
  });

  it('says nothing about the options that act', () => {
    expect(
      flagNotes(
        args(
          '-f',
          'k.conf',
          '-P',
          '-C',
          '-l',
          '-D',
          '-n',
          '-p',
          '/run/k.pid',
          '-d',
          '-V',
          '-I',
          '-u',
          '022',
          '-G',
        ),
      ),
    ).toEqual([]);
  });

  it('one line per flag given, in --help order, naming the flag and saying why', () => {
    expect(flagNotes(args('-x', '-A', '/run/agentx', '--dont-respawn', '-S', '3', '-nD', '-g'))).toEqual([
      'keepalived-ts: -g/--log-file has no effect: logs go to the journal, syslog or stdout (--log-format); redirect stdout for a file',
      'keepalived-ts: -R/--dont-respawn has no effect: keepalived-ts is one process and never forks children to respawn; let systemd restart it (Restart=on-failure)',
    ]);
  });

  it.each<[string[], string]>([
    [['-B'], '-B/--no_bfd'],
    [['--all'], '--all'],
    [['-g'], '-g/--log-file'],
    [['--log-file=/var/log/k.log'], '-g/--log-file'],
    [['--flush-log-file'], '--flush-log-file'],
    [['-X'], '-X/--release-vips'],
    [['-r', '/run/v.pid'], '-r/--vrrp_pid'],
    [['-c', '/run/c.pid'], '-c/--checkers_pid'],
    [['-b', '/run/b.pid'], '-b/--bfd_pid'],
    [['-a'], '-a/--address-monitoring'],
    [['-s', 'blue'], '-s/--namespace'],
    [['-m'], '-m/--core-dump'],
    [['-Mcore.%p'], '-M/--core-dump-pattern'],
  ])('%j', (argv, label) => {
    const notes = flagNotes(args(...argv));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(
      new RegExp(`^keepalived-ts: ${label.replace(/[-/]/g, '\\$&')} has no effect: \\S`),
    );
  });
});
