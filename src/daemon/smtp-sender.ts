/**
 * Sends smtp-alerts.ts's messages with nodemailer, as keepalived's smtp.c sends them: to
 * global_defs' `smtp_server` (port 25 by default), HELO/EHLO `smtp_helo_name`, from
 * `notification_email_from` to every `notification_email` address, headers Date, From, To,
 * Subject and `X-Mailer: Keepalived`, each step within `smtp_connect_timeout`. No TLS, as
 * keepalived. A failure is logged with keepalived's text and never thrown. nodemailer is loaded
 * only when alerts are configured (a daemon without them does not carry it).
 */
import type { GlobalDefs } from '../config/model.js';
import type { Logger } from './log.js';
import type { AlertMessage } from './smtp-alerts.js';

export type AlertSender = (message: AlertMessage) => Promise<void>;

type MailSettings = Pick<
  GlobalDefs,
  'smtpServer' | 'smtpConnectTimeoutMs' | 'smtpHeloName' | 'notificationEmail' | 'notificationEmailFrom'
>;

/** A sender, or null when there is nowhere to send (keepalived: no email or no smtp_server). */
export function smtpSender(g: MailSettings, log: Logger): AlertSender | null {
  const server = g.smtpServer;
  if (!server || g.notificationEmail.length === 0) return null;
  const shown = `[${server.host}]:${server.port}`;
  const transport = import('nodemailer').then(({ createTransport }) =>
    createTransport({
      host: server.host,
      port: server.port,
      secure: false,
      ignoreTLS: true,
      name: g.smtpHeloName,
      connectionTimeout: g.smtpConnectTimeoutMs,
      greetingTimeout: g.smtpConnectTimeoutMs,
      socketTimeout: g.smtpConnectTimeoutMs,
    }),
  );
  return async (m) => {
    try {
      await (
        await transport
      ).sendMail({
        from: g.notificationEmailFrom,
        to: [...g.notificationEmail],
        subject: m.subject,
        text: `${m.body}\r\n`,
        date: new Date(),
        headers: { 'X-Mailer': 'Keepalived' },
      });
      log.debug({ event: 'smtp.sent', subject: m.subject }, 'SMTP alert successfully sent.');
    } catch (err) {
      const code = (err as { code?: string }).code;
      log.warn(
        { event: 'smtp.failed', server: shown, subject: m.subject, err },
        code === 'ETIMEDOUT'
          ? `Timeout connecting SMTP server ${shown}.`
          : `SMTP connection ERROR to ${shown}.`,
      );
    }
  };
}
