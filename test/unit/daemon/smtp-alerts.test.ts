import { describe, expect, it } from 'vitest';
import { SmtpAlerts, type AlertMessage } from '../../../src/daemon/smtp-alerts.js';
import { loadText } from '../../helpers/config.js';

describe('SmtpAlerts (keepalived core/smtp.c, vrrp_notify.c, ipwrapper.c)', () => {
  it('no_email_faults: FAULT is not mailed and does not count as the state last mailed', () => {
    const sent: AlertMessage[] = [];
    const alerts = new SmtpAlerts('r1', (m) => sent.push(m), true);
    alerts.instance('VI_1', true, 'BACKUP');
    alerts.instance('VI_1', true, 'FAULT');
    alerts.instance('VI_1', true, 'BACKUP');
    alerts.group('G', true, 'FAULT');
    alerts.instance('VI_1', true, 'MASTER');
    expect(sent.map((m) => m.subject)).toEqual([
      '[r1] VRRP Instance VI_1 - Entering BACKUP state',
      '[r1] VRRP Instance VI_1 - Entering MASTER state',
    ]);
    const all: AlertMessage[] = [];
    const plain = new SmtpAlerts('r1', (m) => all.push(m));
    plain.instance('VI_1', true, 'FAULT');
    expect(all.map((m) => m.subject)).toEqual(['[r1] VRRP Instance VI_1 - Entering FAULT state']);
  });

  it('a virtual server’s quorum: "Virtualserver VS - UP|DOWN"', () => {
    const sent: AlertMessage[] = [];
    new SmtpAlerts('r1', (m) => sent.push(m)).virtualServer(
      '[192.0.2.100]:tcp:80',
      false,
      '=> Lost quorum 2+0=2 <= 1 <=',
    );
    expect(sent).toEqual([
      { subject: '[r1] Virtualserver [192.0.2.100]:tcp:80 - DOWN', body: '=> Lost quorum 2+0=2 <= 1 <=' },
    ]);
  });

  it('reads no_email_faults and no_checker_emails (with keepalived’s boolean check)', () => {
    const g = loadText('global_defs {\n no_email_faults\n no_checker_emails true\n}\n').config.globalDefs;
    expect([g.noEmailFaults, g.noCheckerEmails]).toEqual([true, true]);
    const off = loadText('global_defs {\n no_checker_emails false\n}\n').config.globalDefs;
    expect([off.noEmailFaults, off.noCheckerEmails]).toEqual([false, false]);
    expect(
      loadText('global_defs {\n no_checker_emails maybe\n}\n').diagnostics.map((d) => d.message),
    ).toEqual(["Invalid value 'maybe' for global no_checker_emails specified"]);
  });
});
