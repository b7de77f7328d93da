/**
 * ipvsadm rules → keepalived.conf (docs/migration.md, "From ipvsadm rules"). The commands are
 * replayed in order as ipvsadm would run them against an empty table (-A adds, -E and -e set a
 * service or real server again, -D and -d remove, -C clears), with ipvsadm(8)'s defaults, and
 * the table that results is written as keepalived's virtual_server blocks (keepalived.conf(5)).
 * Pure: text in, keepalived.conf text and warnings out.
 *
 * Each real server gets the checker ConvertOptions.check names: ipvsadm has none, and without one
 * keepalived would never take a failed real server out of the table.
 */
import { LB_ALGOS } from '../config/model.js';
import {
  CONVERT_CHECKS,
  ConvertError,
  type ConvertOptions,
  type ConvertResult,
  type SourceFormat,
} from './format.js';
import {
  parseIpvsadmRules,
  RULE_LINE,
  type Command,
  type Method,
  type ServerSettings,
  type ServiceKey,
  type ServiceSettings,
  type Tunnel,
} from './ipvsadm-rules.js';
import { parseIp, type IpFamily } from '../lib/ip.js';

/** Seconds between two checks of a real server (keepalived's own default, 60 s, is slow to notice). */
const DELAY_LOOP = 6;
/** Seconds a check waits for the connection (keepalived's default is 5). */
export const CONNECT_TIMEOUT = 3;
/** ipvsadm(8): `-p` without a timeout. keepalived's `persistence_timeout` alone means 360 s. */
const DEFAULT_PERSISTENCE = 300;
/** ipvsadm(8): the scheduler when -s is not given. */
const DEFAULT_SCHEDULER = 'wlc';

interface Server {
  readonly address: string;
  readonly family: IpFamily;
  readonly port: number;
  readonly line: number;
  readonly edited: number[];
  readonly method: Method;
  readonly tunnel: Tunnel | undefined;
  readonly weight: number;
  readonly uthreshold: number;
  readonly lthreshold: number;
}

interface Service {
  readonly key: ServiceKey;
  readonly line: number;
  readonly edited: number[];
  settings: ServiceSettings;
  readonly servers: Map<string, Server>;
}

const serviceId = (k: ServiceKey): string =>
  k.kind === 'fwmark' ? `FWM ${k.fwmark} ${k.family}` : `${k.protocol} [${k.address}]:${k.port}`;

/** The service as ipvsadm names it in its messages: `-t 192.0.2.1:80`, `-f 5`. */
function serviceName(k: ServiceKey): string {
  if (k.kind === 'fwmark') return `-f ${k.fwmark}${k.family === 'inet6' ? ' -6' : ''}`;
  const opt = k.protocol === 'TCP' ? '-t' : k.protocol === 'UDP' ? '-u' : '--sctp-service';
  return `${opt} ${hostPort(k.address, k.port)}`;
}

const hostPort = (address: string, port: number): string =>
  address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;

/** The replayed table, in the order the services were added. */
interface Table {
  readonly services: Map<string, Service>;
  timeouts: { tcp: number; tcpfin: number; udp: number; line: number } | undefined;
}

/**
 * The real server's port as ipvsadm sets it: the service's when none is written; for direct
 * routing and tunnels the service's whatever is written (those methods cannot change the port);
 * for a fwmark service the one written, else 0.
 */
function serverPort(service: ServiceKey, written: number | undefined, method: Method): number {
  if (service.kind === 'fwmark') return written ?? 0;
  if (method !== 'NAT') return service.port;
  return written ?? service.port;
}

function replay(commands: readonly Command[], file: string, warn: (line: number, m: string) => void): Table {
  const table: Table = { services: new Map(), timeouts: undefined };
  const fail = (line: number, m: string): never => {
    throw new ConvertError(`${file}:${line}: ${m}`);
  };
  const find = (c: Command & { service: ServiceKey }): Service => {
    const s = table.services.get(serviceId(c.service));
    if (!s)
      fail(c.line, `no service ${serviceName(c.service)} before this line (ipvsadm: Service not defined)`);
    return s as Service;
  };
  for (const c of commands) {
    switch (c.op) {
      case 'clear':
        table.services.clear();
        break;
      case 'timeouts':
        table.timeouts = { tcp: c.tcp, tcpfin: c.tcpfin, udp: c.udp, line: c.line };
        break;
      case 'start-daemon':
        warn(
          c.line,
          `--start-daemon ${c.state} not converted: keepalived runs the sync daemon for a vrrp_instance (global_defs lvs_sync_daemon INTERFACE INSTANCE)`,
        );
        break;
      case 'add-service': {
        const id = serviceId(c.service);
        if (table.services.has(id))
          fail(c.line, `service ${serviceName(c.service)} added twice (ipvsadm: Service already exists)`);
        checkService(c.service, c.settings, file, c.line);
        table.services.set(id, {
          key: c.service,
          line: c.line,
          edited: [],
          settings: c.settings,
          servers: new Map(),
        });
        break;
      }
      case 'edit-service': {
        // ipvsadm -E sets the whole service again: what the line leaves out takes its default.
        const s = find(c);
        checkService(c.service, c.settings, file, c.line);
        s.settings = c.settings;
        s.edited.push(c.line);
        break;
      }
      case 'delete-service':
        find(c);
        table.services.delete(serviceId(c.service));
        break;
      case 'add-server':
      case 'edit-server': {
        const s = find(c);
        const method = c.settings.method ?? 'DR';
        const port = serverPort(c.service, c.server.port, method);
        if (c.server.port !== undefined && port !== c.server.port)
          warn(
            c.line,
            `real server ${hostPort(c.server.address, c.server.port)}: ${method} keeps the service's port, so ipvsadm uses ${port}`,
          );
        // ipvsadm finds a real server by address and port (as it sets the port).
        const id = `[${c.server.address}]:${port}`;
        const old = s.servers.get(id);
        if (c.op === 'add-server' && old)
          fail(
            c.line,
            `real server ${id} added twice to ${serviceName(c.service)} (ipvsadm: Destination already exists)`,
          );
        if (c.op === 'edit-server' && !old)
          fail(c.line, `no real server ${id} in ${serviceName(c.service)} (ipvsadm: No such destination)`);
        s.servers.set(id, server(c.server.address, c.server.family, port, c.settings, old, c.line));
        break;
      }
      case 'delete-server': {
        const s = find(c);
        // -d names the server as written (no port: the service's), whatever its method.
        const id = `[${c.server.address}]:${serverPort(c.service, c.server.port, 'NAT')}`;
        if (!s.servers.delete(id))
          fail(c.line, `no real server ${id} in ${serviceName(c.service)} (ipvsadm: No such destination)`);
        break;
      }
    }
  }
  return table;
}

/** A real server added (old undefined) or set again by -e: what the line leaves out is ipvsadm's default. */
function server(
  address: string,
  family: IpFamily,
  port: number,
  s: ServerSettings,
  old: Server | undefined,
  line: number,
): Server {
  return {
    address,
    family,
    port,
    line: old?.line ?? line,
    edited: old ? [...old.edited, line] : [],
    method: s.method ?? 'DR',
    tunnel: s.tunnel,
    weight: s.weight ?? 1,
    uthreshold: s.uthreshold ?? 0,
    lthreshold: s.lthreshold ?? 0,
  };
}

/** What ipvsadm itself refuses in a service's settings. */
function checkService(key: ServiceKey, s: ServiceSettings, file: string, line: number): void {
  const fail = (m: string): never => {
    throw new ConvertError(`${file}:${line}: ${m}`);
  };
  const scheduler = s.scheduler ?? DEFAULT_SCHEDULER;
  if (!(LB_ALGOS as readonly string[]).includes(scheduler))
    fail(`scheduler '${scheduler}' is not one keepalived knows (${LB_ALGOS.join(', ')})`);
  if (key.kind === 'address' && key.port === 0 && s.persistent === undefined)
    fail(`port 0 is for persistent services only (ipvsadm: Zero port specified for non-persistent service)`);
  if (s.netmask !== undefined) {
    if (key.family === 'inet6') {
      if (!/^\d+$/.test(s.netmask) || Number(s.netmask) < 1 || Number(s.netmask) > 128)
        fail(`IPv6 netmask '${s.netmask}' must be a prefix length from 1 to 128`);
    } else if (prefixOfMask(s.netmask) === undefined) fail(`'${s.netmask}' is not an IPv4 netmask`);
  }
  if (s.pe !== undefined && s.persistent === undefined) fail(`--pe ${s.pe} needs a persistent service (-p)`);
}

/** The prefix length of a contiguous IPv4 netmask (255.255.255.0 → 24), else undefined. */
function prefixOfMask(mask: string): number | undefined {
  const ip = parseIp(mask);
  if (ip?.family !== 'inet') return undefined;
  const bits = [...ip.bytes].map((b) => b.toString(2).padStart(8, '0')).join('');
  return /^1*0*$/.test(bits) ? (bits.indexOf('0') < 0 ? 32 : bits.indexOf('0')) : undefined;
}

/**
 * ipvsadm's scheduler flags as keepalived's keywords: keepalived spells sh's and mh's own flags by
 * name (`sh-port`), as ipvsadm prints them for those schedulers; flag-1 and flag-2 are the same bits.
 */
function schedulerFlags(scheduler: string, flags: readonly string[], warn: (m: string) => void): string[] {
  const named: Record<string, Record<string, string>> = {
    sh: { 'flag-1': 'sh-fallback', 'flag-2': 'sh-port' },
    mh: { 'flag-1': 'mh-fallback', 'flag-2': 'mh-port' },
  };
  return flags.map((f) => {
    const own = /^(sh|mh)-/.exec(f)?.[1];
    if (own !== undefined && own !== scheduler)
      warn(`scheduler flag ${f} is for the ${own} scheduler, not ${scheduler}: kept, with no effect`);
    return named[scheduler]?.[f] ?? f;
  });
}

/** The method most of the real servers use (ties: the first server's), for the virtual server. */
function mainMethod(servers: readonly Server[]): Method {
  const count = new Map<Method, number>();
  for (const s of servers) count.set(s.method, (count.get(s.method) ?? 0) + 1);
  let best = (servers[0] as Server).method;
  for (const [m, n] of count) if (n > (count.get(best) ?? 0)) best = m;
  return best;
}

function lvsMethod(method: Method, tunnel: Tunnel | undefined): string {
  if (method !== 'TUN' || tunnel === undefined || tunnel.type === 'ipip') return method;
  const parts = ['TUN', 'type', tunnel.type];
  if (tunnel.port !== undefined) parts.push('port', String(tunnel.port));
  if (tunnel.csum !== undefined) parts.push(tunnel.csum);
  return parts.join(' ');
}

const where = (file: string, line: number, edited: readonly number[]): string =>
  `# from ${file}:${line}${edited.length > 0 ? ` (set again at line ${edited.join(', ')})` : ''}`;

/** The checker block of a real server, indented for its place. */
function checker(check: string, defaultPort: number | undefined): string[] {
  const body: string[] = [];
  if (check !== 'TCP_CHECK') body.push('url {', '    path /', '    status_code 200', '}');
  if (defaultPort !== undefined) body.push(`connect_port ${defaultPort}`);
  body.push(`connect_timeout ${CONNECT_TIMEOUT}`);
  return [`${check} {`, ...body.map((l) => `    ${l}`), '}'];
}

function writeService(
  s: Service,
  options: ConvertOptions,
  warn: (line: number, m: string) => void,
): string[] {
  const k = s.key;
  const servers = [...s.servers.values()];
  const name = serviceName(k);
  const vsWarn = (m: string): void => warn(s.line, `${name}: ${m}`);
  if (servers.length === 0) {
    vsWarn('no real servers: not converted (keepalived ignores a virtual server without real servers)');
    return [];
  }
  const set = s.settings;
  const scheduler = set.scheduler ?? DEFAULT_SCHEDULER;
  const method = mainMethod(servers);
  const body: string[] = [`delay_loop ${DELAY_LOOP}`, `lvs_sched ${scheduler}`];
  // The tunnel options of the virtual server's method are those of its first tunnelled server.
  const first = servers.find((r) => r.method === method) as Server;
  const vsTunnel = method === 'TUN' ? first.tunnel : undefined;
  body.push(`lvs_method ${lvsMethod(method, vsTunnel)}`);
  if (k.kind === 'address') body.push(`protocol ${k.protocol}`);
  else if (k.family === 'inet6') body.push('ip_family inet6');
  if (set.persistent !== undefined) {
    body.push(`persistence_timeout ${set.persistent === 'default' ? DEFAULT_PERSISTENCE : set.persistent}`);
    // keepalived's default granularity is ipvsadm's: the whole address.
    if (set.netmask !== undefined && set.netmask !== '255.255.255.255' && set.netmask !== '128')
      body.push(`persistence_granularity ${set.netmask}`);
  } else if (set.netmask !== undefined)
    vsWarn(
      `-M ${set.netmask} not converted: a netmask only matters for a persistent service (keepalived's would make it persistent)`,
    );
  if (set.pe !== undefined) body.push(`persistence_engine ${set.pe}`);
  if (set.ops) {
    if (k.kind === 'address' && k.protocol !== 'UDP')
      vsWarn('-o (one-packet scheduling) is meant for UDP services');
    body.push('ops');
  }
  body.push(...schedulerFlags(scheduler, set.schedFlags, vsWarn));
  if (k.kind === 'address' && k.protocol !== 'TCP')
    vsWarn(
      `a ${k.protocol} service: its real servers are checked with ${options.check} over TCP on the same port`,
    );

  for (const r of servers) {
    if (r.family !== k.family) {
      warn(
        r.line,
        `${name}: real server ${r.address} is not of the service's address family: not converted (keepalived cannot mix them in one virtual server)`,
      );
      continue;
    }
    const rs: string[] = [where(options.file, r.line, r.edited)];
    if (
      r.method !== method ||
      (r.method === 'TUN' && lvsMethod(r.method, r.tunnel) !== lvsMethod(method, vsTunnel))
    )
      rs.push(`lvs_method ${lvsMethod(r.method, r.tunnel)}`);
    rs.push(`weight ${r.weight}`);
    if (r.uthreshold !== 0) rs.push(`uthreshold ${r.uthreshold}`);
    if (r.lthreshold !== 0) rs.push(`lthreshold ${r.lthreshold}`);
    // A real server without a port (fwmark, or a port-0 persistent service) takes the port of
    // each connection; a check needs one, so it gets the check's usual port.
    let checkPort: number | undefined;
    if (r.port === 0) {
      checkPort = options.check === 'SSL_GET' ? 443 : 80;
      warn(
        r.line,
        `${name}: real server ${r.address} has no port; its ${options.check} connects to port ${checkPort} (connect_port): check that it is a port the server answers on`,
      );
    }
    rs.push(...checker(options.check, checkPort));
    const head =
      r.port === 0 && k.kind === 'fwmark' ? `real_server ${r.address}` : `real_server ${r.address} ${r.port}`;
    body.push(`${head} {`, ...rs.map((l) => `    ${l}`), '}');
  }
  const head =
    k.kind === 'fwmark' ? `virtual_server fwmark ${k.fwmark}` : `virtual_server ${k.address} ${k.port}`;
  return [where(options.file, s.line, s.edited), `${head} {`, ...body.map((l) => `    ${l}`), '}', ''];
}

/** Convert ipvsadm rules (either form) to keepalived.conf. */
export function convertIpvsadm(text: string, options: ConvertOptions): ConvertResult {
  if (!(CONVERT_CHECKS as readonly string[]).includes(options.check))
    throw new ConvertError(
      `${options.file}: the checker must be one of ${CONVERT_CHECKS.join(', ')}, not '${options.check}'`,
    );
  const parsed = parseIpvsadmRules(text, options.file);
  const warnings: { line: number; text: string }[] = [];
  const warn = (line: number, m: string): void =>
    void warnings.push({ line, text: `${options.file}:${line}: ${m}` });
  const table = replay(parsed.commands, options.file, warn);
  if (table.services.size === 0)
    throw new ConvertError(`${options.file}:1: no ipvsadm service (-A) to convert`);

  const out: string[] = [
    `# keepalived.conf converted from ${options.file} (ipvsadm rules) by keepalived-ts convert.`,
    '# Each ipvsadm service is a virtual_server, each of its real servers a real_server; ipvsadm',
    `# has no health checks, so every real server gets a ${options.check} (every ${DELAY_LOOP} s, delay_loop) to`,
    '# take it out of the table while it does not answer. Review the checks before use.',
    '',
  ];
  if (table.timeouts) {
    const t = table.timeouts;
    // ipvsadm --set: 0 leaves a timeout as it is, as keepalived does when one is not named.
    const named = (['tcp', 'tcpfin', 'udp'] as const).filter((n) => t[n] !== 0).map((n) => `${n} ${t[n]}`);
    if (named.length > 0)
      out.push(
        `# from ${options.file}:${t.line}`,
        'global_defs {',
        `    lvs_timeouts ${named.join(' ')}`,
        '}',
        '',
      );
  }
  for (const s of table.services.values()) out.push(...writeService(s, options, warn));
  // In the order of the lines they are about (a stable sort keeps each line's in turn).
  const all = [
    ...parsed.warnings.map((w) => ({ line: w.line, text: `${options.file}:${w.line}: ${w.message}` })),
    ...warnings,
  ];
  all.sort((a, b) => a.line - b.line);
  return { text: `${out.join('\n').replace(/\n+$/, '')}\n`, warnings: all.map((w) => w.text) };
}

/** Whether the text has ipvsadm rules: a line adding or editing a service or a real server. */
export function detectIpvsadm(text: string): boolean {
  return RULE_LINE.test(text);
}

export const IPVSADM_FORMAT: SourceFormat = {
  name: 'ipvsadm',
  detect: detectIpvsadm,
  convert: convertIpvsadm,
};
