/**
 * The config a differential case is written into: a small director config that keepalived 2.2.7
 * accepts in the harness's namespace (one VRRP instance on eth0, one virtual server with one real
 * server, script security on with scripts run as root), with lines added at the levels the case
 * names. A level that needs a block of its own (a vrrp_script and the instance tracking it, a
 * checker inside the real server, ...) gets it only when the case has lines for it, and a tracker
 * the lines name (chk, tf, tp, bfd1) is defined, so each case stays small and its messages come
 * from what it probes. Pure.
 *
 * keepalived's `-t` kills itself (exit 143, no output) as soon as a script is set to run as a
 * user other than root, so the skeleton's scripts run as root.
 */
import type { LevelName } from './catalogue.js';

export type Slots = Partial<Record<LevelName, readonly string[]>> & {
  /** Leave script security and the script user at keepalived's defaults. */
  readonly defaultScriptSecurity?: boolean;
};

const indent = (lines: readonly string[], depth: number): string[] =>
  lines.flatMap((l) => l.split('\n')).map((l) => `${'  '.repeat(depth)}${l}`);

const blockOf = (head: string, lines: readonly string[]): string[] => [`${head} {`, ...indent(lines, 1), '}'];

/**
 * `required` (the line a block needs to be complete, e.g. url's `path /`) followed by the case's
 * lines, unless the case sets that keyword itself.
 */
function withRequired(required: string, lines: readonly string[] = []): string[] {
  const keyword = required.split(/\s/)[0] ?? '';
  const setsIt = lines.some((l) => l.split(/\s/)[0] === keyword);
  return setsIt ? [...lines] : [required, ...lines];
}

/** The real server's checkers for the checker levels the case fills. */
function checkerLines(s: Slots): string[] {
  const out: string[] = [];
  const url = blockOf('url', withRequired('path /', s.url));
  if (s.HTTP_GET || s.url) out.push(...blockOf('HTTP_GET', [...url, ...(s.HTTP_GET ?? [])]));
  if (s.SSL_GET) out.push(...blockOf('SSL_GET', [...blockOf('url', ['path /']), ...s.SSL_GET]));
  if (s.TCP_CHECK) out.push(...blockOf('TCP_CHECK', s.TCP_CHECK));
  if (s.MISC_CHECK) out.push(...blockOf('MISC_CHECK', withRequired('misc_path /bin/true', s.MISC_CHECK)));
  if (s.SMTP_CHECK || s.host) {
    const host = s.host ? blockOf('host', withRequired('connect_ip 192.0.2.20', s.host)) : [];
    out.push(...blockOf('SMTP_CHECK', [...(s.SMTP_CHECK ?? []), ...host]));
  }
  if (s.DNS_CHECK) out.push(...blockOf('DNS_CHECK', s.DNS_CHECK));
  if (s.UDP_CHECK) out.push(...blockOf('UDP_CHECK', s.UDP_CHECK));
  if (s.PING_CHECK) out.push(...blockOf('PING_CHECK', s.PING_CHECK));
  if (s.FILE_CHECK) out.push(...blockOf('FILE_CHECK', withRequired('track_file tf', s.FILE_CHECK)));
  if (s.BFD_CHECK) out.push(...blockOf('BFD_CHECK', withRequired('name bfd1', s.BFD_CHECK)));
  return out;
}

const LEVELS_WITH_LINES = (s: Slots): string =>
  Object.entries(s)
    .filter(([, v]) => Array.isArray(v))
    .flatMap(([, v]) => v as string[])
    .join('\n');

/** The whole config for a case: the director skeleton with `slots` filled in. */
export function configFor(s: Slots): string {
  const out: string[] = [];
  const text = LEVELS_WITH_LINES(s);
  const names = (word: string): boolean => new RegExp(`(^|\\s)${word}(\\s|$)`, 'm').test(text);
  const global = ['router_id kts_diff'];
  if (!s.defaultScriptSecurity) global.push('enable_script_security', 'script_user root');
  out.push(...blockOf('global_defs', [...global, ...(s.global_defs ?? [])]));

  const script = Boolean(s.vrrp_script);
  const trackFile = Boolean(s.track_file || s.FILE_CHECK) || names('tf');
  const process = Boolean(s.vrrp_track_process) || names('tp');
  const bfd = Boolean(s.bfd_instance || s.BFD_CHECK) || names('bfd1');
  if (script || names('chk'))
    out.push(...blockOf('vrrp_script chk', withRequired('script "/bin/true"', s.vrrp_script)));
  if (trackFile) out.push(...blockOf('track_file tf', withRequired('file "/dev/null"', s.track_file)));
  if (process)
    out.push(...blockOf('vrrp_track_process tp', withRequired('process sshd', s.vrrp_track_process)));
  if (bfd) out.push(...blockOf('bfd_instance bfd1', withRequired('neighbor_ip 192.0.2.20', s.bfd_instance)));

  const instance = ['interface eth0', 'virtual_router_id 51', 'priority 100'];
  instance.push(...blockOf('virtual_ipaddress', ['192.0.2.100/24']));
  if (s.authentication) instance.push(...blockOf('authentication', s.authentication));
  if (script) instance.push(...blockOf('track_script', ['chk']));
  if (s.track_file) instance.push(...blockOf('track_file', ['tf']));
  if (s.vrrp_track_process) instance.push(...blockOf('track_process', ['tp']));
  if (s.bfd_instance) instance.push(...blockOf('track_bfd', ['bfd1']));
  out.push(...blockOf('vrrp_instance VI_1', [...instance, ...(s.vrrp_instance ?? [])]));
  if (s.vrrp_sync_group) {
    // A sync group of one instance draws a message of its own: give it two.
    const second = [
      'interface eth1',
      'virtual_router_id 52',
      'priority 100',
      ...blockOf('virtual_ipaddress', ['192.0.2.101/24']),
    ];
    out.push(...blockOf('vrrp_instance VI_2', second));
    out.push(...blockOf('vrrp_sync_group G1', withRequired('group {\n  VI_1\n  VI_2\n}', s.vrrp_sync_group)));
  }
  if (s.track_group)
    out.push(...blockOf('track_group TG', withRequired('group {\n  VI_1\n}', s.track_group)));
  if (s.garp_group) out.push(...blockOf('garp_group', withRequired('interface eth0', s.garp_group)));

  const rs = [...(s.real_server ?? []), ...checkerLines(s)];
  const vs = ['protocol TCP', 'lb_algo rr', 'lb_kind NAT', ...(s.virtual_server ?? [])];
  vs.push(...blockOf('real_server 192.0.2.20 80', rs));
  out.push(...blockOf('virtual_server 192.0.2.100 80', vs));
  if (s.SSL) out.push(...blockOf('SSL', s.SSL));
  if (s.root) out.push(...indent(s.root, 0));
  return `${out.join('\n')}\n`;
}
