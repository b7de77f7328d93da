/**
 * The body of the SMTP alert a checker's new verdict sends, word for word as each keepalived
 * 2.2.7 checker writes it (check_tcp.c, check_udp.c, check_ping.c, check_dns.c, check_misc.c,
 * check_http.c; the others use check_http.c's). The daemon mails it (daemon/smtp-alerts.ts).
 */

/**
 * A checker's verdict changed: the body each keepalived checker writes for it. `failure` is the
 * probe's reason (MISC_CHECK says "timed out" for a timeout).
 */
export function checkerAlertBody(checkerType: string, up: boolean, failure?: string): string {
  switch (checkerType) {
    case 'TCP_CHECK':
      return up ? '=> TCP CHECK succeed on service <=' : '=> TCP CHECK failed on service <=';
    case 'UDP_CHECK':
      return up ? '=> UDP CHECK succeed on service <=' : '=> UDP CHECK failed on service <=';
    case 'PING_CHECK':
      return up ? '=> ICMP CHECK succeed on service <=' : '=> ICMP CHECK failed on service <=';
    case 'DNS_CHECK':
      return up ? '=> DNS_CHECK: succeed on service <=' : '=> DNS_CHECK: failed on service <=';
    case 'MISC_CHECK':
      return `=> MISC CHECK ${up ? 'succeeded' : failure === 'timeout' ? 'timed out' : 'failed'} on service <=`;
    case 'HTTP_GET':
    case 'SSL_GET':
      return up ? '=> CHECK succeed on service <=' : '=> CHECK failed on service : HTTP request failed <=';
    default:
      return up ? '=> CHECK succeed on service <=' : '=> CHECK failed on service <=';
  }
}
