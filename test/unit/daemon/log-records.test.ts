import { describe, expect, it } from 'vitest';
import { chooseLogFormat, facilityOf } from '../../../src/daemon/log.js';
import {
  encodeJournal,
  identifierOf,
  journalFieldName,
  journalFields,
  syslogLine,
  syslogSeverity,
} from '../../../src/daemon/log-records.js';
import { decodeJournal } from '../../helpers/journal.js';

const transition = {
  level: 30,
  time: 1_796_544_673_957,
  pid: 2890,
  name: 'keepalived-ts',
  event: 'vrrp.transition',
  instance: 'VI_1',
  from: 'BACKUP',
  to: 'MASTER',
  priority: 150,
  msg: '(VI_1) Entering MASTER STATE',
};

describe('which keepalived process a line belongs to (SYSLOG_IDENTIFIER)', () => {
  it.each([
    ['vrrp.transition', 'Keepalived_vrrp'],
    ['vrrp.vips.removed', 'Keepalived_vrrp'],
    ['link.state', 'Keepalived_vrrp'],
    ['track_file', 'Keepalived_vrrp'],
    ['check.rs.down', 'Keepalived_healthcheckers'],
    ['ipvs.error', 'Keepalived_healthcheckers'],
    ['dispatch.ipvs', 'Keepalived_healthcheckers'],
    ['daemon.starting', 'Keepalived'],
    ['config.diagnostic', 'Keepalived'],
    ['systemd.notify-error', 'Keepalived'],
    [undefined, 'Keepalived_vrrp'],
  ])('%s -> %s', (event, id) => {
    expect(identifierOf(event === undefined ? {} : { event })).toBe(id);
  });
});

describe('journal fields', () => {
  it("MESSAGE is keepalived's text; priority, identifier, facility, pid; the event's fields in capitals", () => {
    expect(journalFields(transition, 3)).toEqual([
      ['MESSAGE', '(VI_1) Entering MASTER STATE'],
      ['PRIORITY', '6'],
      ['SYSLOG_IDENTIFIER', 'Keepalived_vrrp'],
      ['SYSLOG_FACILITY', '3'],
      ['SYSLOG_PID', '2890'],
      ['EVENT', 'vrrp.transition'],
      ['INSTANCE', 'VI_1'],
      ['FROM', 'BACKUP'],
      ['TO', 'MASTER'],
      // (the instance's priority: PRIORITY is the journal's own field)
      ['KEEPALIVED_PRIORITY', '150'],
    ]);
  });

  it("names: capitals, digits and _; never a leading _ or digit; a standard field's name prefixed", () => {
    expect(journalFieldName('trackFile')).toBe('TRACKFILE');
    expect(journalFieldName('rs')).toBe('RS');
    expect(journalFieldName('err.code')).toBe('ERR_CODE');
    expect(journalFieldName('_PID')).toBe('PID');
    expect(journalFieldName('9lives')).toBe('LIVES');
    expect(journalFieldName('priority')).toBe('KEEPALIVED_PRIORITY');
    expect(journalFieldName('message')).toBe('KEEPALIVED_MESSAGE');
    expect(journalFieldName('___')).toBeUndefined();
  });

  it('levels map to syslog severities', () => {
    expect([60, 50, 40, 30, 20, 10].map(syslogSeverity)).toEqual([2, 3, 4, 6, 7, 7]);
    expect(journalFields({ level: 40, msg: 'w' }, 3)[1]).toEqual(['PRIORITY', '4']);
  });

  it('objects become JSON; a value with a newline goes length-prefixed, so it survives intact', () => {
    const rec = {
      level: 50,
      pid: 1,
      event: 'daemon.start-failed',
      err: { message: 'a\nb' },
      msg: 'line 1\nline 2',
    };
    const fields = decodeJournal(encodeJournal(journalFields(rec, 19)));
    expect(fields).toContainEqual(['MESSAGE', 'line 1\nline 2']);
    expect(fields).toContainEqual(['ERR', '{"message":"a\\nb"}']);
    expect(fields).toContainEqual(['SYSLOG_IDENTIFIER', 'Keepalived']);
    expect(fields).toContainEqual(['SYSLOG_FACILITY', '19']);
    expect(fields).toContainEqual(['PRIORITY', '3']);
  });

  it('a plain record encodes as NAME=value lines', () => {
    expect(
      encodeJournal([
        ['MESSAGE', 'hi'],
        ['EVENT', 'x.y'],
      ]).toString(),
    ).toBe('MESSAGE=hi\nEVENT=x.y\n');
  });
});

describe('syslog (what glibc syslog(3) sends to /dev/log)', () => {
  it('<PRI>Mmm dd hh:mm:ss IDENT[PID]: MESSAGE', () => {
    const at = new Date(2026, 11, 6, 8, 11, 13);
    expect(syslogLine(transition, 3, at)).toBe(
      '<30>Dec  6 08:11:13 Keepalived_vrrp[2890]: (VI_1) Entering MASTER STATE',
    );
    // -S 2 (LOG_LOCAL2 = 18), a warning from the checkers, a newline flattened.
    expect(syslogLine({ level: 40, pid: 7, event: 'check.down', msg: 'a\nb' }, 18, at)).toBe(
      '<148>Dec  6 08:11:13 Keepalived_healthcheckers[7]: a b',
    );
  });
});

describe('choosing where logs go', () => {
  it('journal under systemd, JSON elsewhere; --log-format wins; -G keeps journal and syslog out', () => {
    expect(chooseLogFormat({ requested: undefined, noSyslog: false, stdoutIsJournal: true })).toBe('journal');
    expect(chooseLogFormat({ requested: undefined, noSyslog: false, stdoutIsJournal: false })).toBe('json');
    expect(chooseLogFormat({ requested: undefined, noSyslog: true, stdoutIsJournal: true })).toBe('json');
    expect(chooseLogFormat({ requested: 'syslog', noSyslog: false, stdoutIsJournal: true })).toBe('syslog');
  });

  it('-S 0-7 is LOG_LOCAL0-7 (16-23); anything else is not a facility', () => {
    expect(['0', '3', '7'].map(facilityOf)).toEqual([16, 19, 23]);
    expect(['8', 'local3', '', '-1'].map(facilityOf)).toEqual([undefined, undefined, undefined, undefined]);
  });
});
