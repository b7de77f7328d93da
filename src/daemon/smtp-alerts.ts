/**
 * keepalived's SMTP alerts (core/smtp.c smtp_alert(); vrrp/vrrp_notify.c
 * vrrp_smtp_notifier(), vrrp_sync_smtp_notifier(); the check_*.c checkers): when they are sent
 * and their subjects and bodies, word for word. Pure apart from `send`, the mail adapter
 * (smtp-sender.ts).
 *
 * - An instance or sync group with `smtp_alert` (or global_defs' smtp_alert_vrrp / smtp_alert)
 *   mails each state it enters (MASTER, BACKUP, FAULT, STOP; an instance also DELETED at a
 *   reload), once per state: not again for the state it last mailed.
 * - A real server of a virtual server with `smtp_alert` (or smtp_alert_checker / smtp_alert)
 *   mails each checker that changes its verdict, the subject saying whether the real server is
 *   now UP or DOWN.
 * - A virtual server with `smtp_alert` mails each quorum change: `Virtualserver VS - UP|DOWN`,
 *   `=> Gained quorum Q+H=T <= W <=` (keepalived's one format for all four texts).
 * - `no_email_faults` leaves FAULT out; `no_checker_emails` mails a checker's change only when
 *   its real server went up or down with it (the caller decides that).
 * - Nothing is sent without `notification_email` addresses and an `smtp_server`.
 */

export interface AlertMessage {
  readonly subject: string;
  readonly body: string;
}

export type AlertState = 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP' | 'DELETED';

const INSTANCE_TEXT: Readonly<Record<AlertState, readonly [string, string]>> = {
  MASTER: ['Entering MASTER state', '=> VRRP Instance is now owning VRRP VIPs <='],
  BACKUP: ['Entering BACKUP state', '=> VRRP Instance is no longer owning VRRP VIPs <='],
  FAULT: ['Entering FAULT state', '=> VRRP Instance is no longer owning VRRP VIPs <='],
  STOP: ['Stopping', '=> VRRP Instance stopping <='],
  DELETED: ['Deleted', '=> VRRP Deleted at reload <='],
};

const GROUP_TEXT: Readonly<Record<Exclude<AlertState, 'DELETED'>, readonly [string, string]>> = {
  MASTER: ['Entering MASTER state', '=> All VRRP group instances are now in MASTER state <='],
  BACKUP: ['Entering BACKUP state', '=> All VRRP group instances are now in BACKUP state <='],
  FAULT: ['Entering FAULT state', '=> All VRRP group instances are now in FAULT state <='],
  STOP: ['Stopping', '=> All VRRP group instances are now stopping <='],
};

/** `[router_id] ...`, or the text alone without a router_id (smtp_alert()). */
const withRouter = (routerId: string | null, text: string): string =>
  routerId ? `[${routerId}] ${text}` : text;

function instanceAlert(routerId: string | null, instance: string, state: AlertState): AlertMessage {
  const [subject, body] = INSTANCE_TEXT[state];
  return { subject: withRouter(routerId, `VRRP Instance ${instance} - ${subject}`), body };
}

function groupAlert(
  routerId: string | null,
  group: string,
  state: Exclude<AlertState, 'DELETED'>,
): AlertMessage {
  const [subject, body] = GROUP_TEXT[state];
  return { subject: withRouter(routerId, `VRRP Group ${group} - ${subject}`), body };
}

/** A virtual server gained or lost quorum (check/ipwrapper.c update_quorum_state()). */
function virtualServerAlert(routerId: string | null, vs: string, up: boolean, body: string): AlertMessage {
  return { subject: withRouter(routerId, `Virtualserver ${vs} - ${up ? 'UP' : 'DOWN'}`), body };
}

function realServerAlert(
  routerId: string | null,
  rs: string,
  vs: string,
  rsAlive: boolean,
  body: string,
): AlertMessage {
  return {
    subject: withRouter(routerId, `Realserver ${rs} of virtual server ${vs} - ${rsAlive ? 'UP' : 'DOWN'}`),
    body,
  };
}

/** Sends each alert that is due; remembers what each instance and group last mailed. */
export class SmtpAlerts {
  private readonly lastMailed = new Map<string, AlertState>();

  constructor(
    /** global_defs' router_id, which every subject starts with. */
    private readonly routerId: string | null,
    private readonly send: (message: AlertMessage) => void,
    /** no_email_faults: FAULT is not mailed (and does not count as the state last mailed). */
    private readonly noEmailFaults = false,
  ) {}

  instance(name: string, enabled: boolean, state: AlertState): void {
    if (this.noEmailFaults && state === 'FAULT') return;
    if (!enabled || this.lastMailed.get(`i ${name}`) === state) return;
    this.lastMailed.set(`i ${name}`, state);
    this.send(instanceAlert(this.routerId, name, state));
  }

  group(name: string, enabled: boolean, state: Exclude<AlertState, 'DELETED'>): void {
    if (this.noEmailFaults && state === 'FAULT') return;
    if (!enabled || this.lastMailed.get(`g ${name}`) === state) return;
    this.lastMailed.set(`g ${name}`, state);
    this.send(groupAlert(this.routerId, name, state));
  }

  realServer(rs: string, vs: string, rsAlive: boolean, body: string): void {
    this.send(realServerAlert(this.routerId, rs, vs, rsAlive, body));
  }

  virtualServer(vs: string, up: boolean, body: string): void {
    this.send(virtualServerAlert(this.routerId, vs, up, body));
  }
}
