/**
 * SMTP alerts (daemon/smtp-alerts.ts, smtp-sender.ts) delivered to a real SMTP server on
 * loopback (the smtp-server package): keepalived's subjects, bodies and headers, the envelope
 * to every notification_email address, one mail per state, and a server that is not there
 * logged with keepalived's text, never thrown.
 */
import { openSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/daemon/log.js';
import { Notifier } from '../../src/daemon/notify.js';
import { SmtpAlerts } from '../../src/daemon/smtp-alerts.js';
import { smtpSender } from '../../src/daemon/smtp-sender.js';
import { waitFor } from '../helpers/process.js';

interface Mail {
  readonly helo: string;
  readonly from: string;
  readonly to: string[];
  readonly data: string;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function smtpServer(): Promise<{ port: number; mails: Mail[] }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      let data = '';
      stream.on('data', (c: Buffer) => (data += c.toString()));
      stream.on('end', () => {
        mails.push({
          helo: session.hostNameAppearsAs,
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          data,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port: (server.server.address() as AddressInfo).port, mails };
}

/** A header of the message, unfolded (a long Subject continues on indented lines). */
const header = (data: string, name: string): string | undefined =>
  new RegExp(`^${name}: (.*)$`, 'mi').exec(data.replace(/\r?\n[ \t]+/g, ' '))?.[1]?.trim();

function settings(port: number) {
  return {
    smtpServer: { host: '127.0.0.1', port },
    smtpConnectTimeoutMs: 2000,
    smtpHeloName: 'lb1.example.org',
    notificationEmail: ['ops@example.org', 'noc@example.org'],
    notificationEmailFrom: 'keepalived@lb1.example.org',
  };
}

const devNull = openSync('/dev/null', 'w');
const quietLog = () => createLogger({ console: false, detail: true, format: 'json', fd: devNull });

describe('SMTP alerts', () => {
  it("a VRRP instance's new states, as keepalived mails them: subject, body, headers, envelope; one mail per state", async () => {
    const { port, mails } = await smtpServer();
    const send = smtpSender(settings(port), quietLog());
    expect(send).not.toBeNull();
    const sending: Promise<void>[] = [];
    const alerts = new SmtpAlerts('lb1', (m) => {
      if (send) sending.push(send(m));
    });
    const notifier = Notifier.open({
      global: {
        notifyFifo: null,
        vrrpNotifyFifo: null,
        lvsNotifyFifo: null,
        scriptUser: null,
        enableScriptSecurity: false,
      },
      log: quietLog(),
      alerts,
    });
    cleanups.push(() => notifier.close());
    const inst = {
      name: 'VI_1',
      notify: { master: null, backup: null, fault: null, stop: null, any: null },
      notifyDeleted: null,
      notifyMasterRxLowerPri: null,
      notifyPriorityChanges: false,
      smtpAlert: true,
    };
    notifier.instance(inst, 'MASTER', 150);
    notifier.instance(inst, 'MASTER', 150); // the same state again: no second mail
    notifier.instance(inst, 'BACKUP', 150);
    notifier.group({ name: 'G1', notify: inst.notify, smtpAlert: true }, 'FAULT');
    notifier.instance({ ...inst, name: 'VI_2', smtpAlert: false }, 'MASTER', 100);
    // Every mail handed to the sender has been delivered (or failed) when these settle.
    await Promise.all(sending);
    expect(sending).toHaveLength(3);
    const subjects = mails.map((m) => header(m.data, 'Subject')).sort();
    expect(subjects).toEqual([
      '[lb1] VRRP Group G1 - Entering FAULT state',
      '[lb1] VRRP Instance VI_1 - Entering BACKUP state',
      '[lb1] VRRP Instance VI_1 - Entering MASTER state',
    ]);
    const master = mails.find((m) => header(m.data, 'Subject')?.endsWith('Entering MASTER state'));
    expect(master?.data).toContain('=> VRRP Instance is now owning VRRP VIPs <=');
    expect(master?.from).toBe('keepalived@lb1.example.org');
    expect(master?.to).toEqual(['ops@example.org', 'noc@example.org']);
    expect(master?.helo).toBe('lb1.example.org');
    expect(header(master?.data ?? '', 'X-Mailer')).toBe('Keepalived');
    expect(header(master?.data ?? '', 'From')).toBe('keepalived@lb1.example.org');
    expect(header(master?.data ?? '', 'To')).toBe('ops@example.org, noc@example.org');
    expect(header(master?.data ?? '', 'Date')).toMatch(
      /^\w{3}, \d{1,2} \w{3} \d{4} \d\d:\d\d:\d\d [+-]\d{4}$/,
    );
    // (VI_1 MASTER twice and VI_2 without smtp_alert made no mail.)
    expect(mails).toHaveLength(3);
  });

  it('a real server: the subject says UP or DOWN, the body is the checker’s', async () => {
    const { port, mails } = await smtpServer();
    const send = smtpSender(settings(port), quietLog());
    const alerts = new SmtpAlerts('lb1', (m) => void send?.(m));
    alerts.realServer(
      '[198.51.100.11]:tcp:80',
      '[192.0.2.100]:tcp:80',
      false,
      '=> TCP CHECK failed on service <=',
    );
    await waitFor(
      () => mails.length >= 1,
      10_000,
      () => 'no mail',
    );
    expect(header(mails[0]?.data ?? '', 'Subject')).toBe(
      '[lb1] Realserver [198.51.100.11]:tcp:80 of virtual server [192.0.2.100]:tcp:80 - DOWN',
    );
    expect(mails[0]?.data).toContain('=> TCP CHECK failed on service <=');
  });

  it('no smtp_server or no address: nothing to send; a server that refuses: logged, not thrown', async () => {
    expect(smtpSender({ ...settings(25), smtpServer: null }, quietLog())).toBeNull();
    expect(smtpSender({ ...settings(25), notificationEmail: [] }, quietLog())).toBeNull();
    // A port nobody listens on: take one and close it.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const closed = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const lines: string[] = [];
    const log = quietLog();
    const warn = log.warn.bind(log);
    log.warn = ((obj: unknown, msg: string) => {
      lines.push(msg);
      warn(obj as object, msg);
    }) as typeof log.warn;
    const send = smtpSender(settings(closed), log);
    await expect(send?.({ subject: 's', body: 'b' })).resolves.toBeUndefined();
    expect(lines).toEqual([`SMTP connection ERROR to [127.0.0.1]:${closed}.`]);
  });
});
