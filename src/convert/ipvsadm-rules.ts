/**
 * ipvsadm rules read into commands: the output of `ipvsadm-save` / `ipvsadm -Sn` (one command a
 * line, without the program name, as `ipvsadm-restore` reads them) and shell scripts that run
 * `ipvsadm` (or `/sbin/ipvsadm`) line by line. Pure: text in, commands and warnings out.
 *
 * The options and their defaults are ipvsadm(8)'s: short and long forms (`-A`/`--add-service`),
 * a value after a space, attached (`-w3`) or after `=` (`--weight=3`); `-p` takes its timeout only
 * when the next word is not an option. What a line does not say is left undefined here; the
 * defaults (scheduler wlc, persistence 300 s, weight 1, direct routing) are applied where the
 * commands are replayed (from-ipvsadm.ts), as ipvsadm applies them to each command.
 */
import { ConvertError } from './format.js';
import { parseIp, type IpFamily } from '../lib/ip.js';

export type Protocol = 'TCP' | 'UDP' | 'SCTP';
export type Method = 'DR' | 'NAT' | 'TUN';

/** A virtual service: protocol, address and port, or a firewall mark (`-6`: of IPv6 packets). */
export type ServiceKey =
  | {
      readonly kind: 'address';
      readonly protocol: Protocol;
      readonly address: string;
      readonly family: IpFamily;
      /** Undefined when the address was written without one (ipvsadm then uses 0). */
      readonly port: number;
    }
  | { readonly kind: 'fwmark'; readonly fwmark: number; readonly family: IpFamily };

export interface ServerAddress {
  readonly address: string;
  readonly family: IpFamily;
  /** Undefined when not written: the service's port (0 for a fwmark service). */
  readonly port: number | undefined;
}

/** `--tun-type`, `--tun-port` and the checksum option of a tunnelled real server. */
export interface Tunnel {
  readonly type: 'ipip' | 'gue' | 'gre';
  readonly port: number | undefined;
  readonly csum: 'nocsum' | 'csum' | 'remcsum' | undefined;
}

export interface ServiceSettings {
  readonly scheduler: string | undefined;
  /** `-p [TIMEOUT]`: the timeout in seconds, or 'default' for `-p` alone; undefined: not persistent. */
  readonly persistent: number | 'default' | undefined;
  /** `-M`: an IPv4 netmask or an IPv6 prefix length, as written. */
  readonly netmask: string | undefined;
  readonly schedFlags: readonly string[];
  readonly pe: string | undefined;
  readonly ops: boolean;
}

export interface ServerSettings {
  readonly method: Method | undefined;
  readonly tunnel: Tunnel | undefined;
  readonly weight: number | undefined;
  readonly uthreshold: number | undefined;
  readonly lthreshold: number | undefined;
}

/** One ipvsadm command; `line` is where it began (1-based). */
export type Command = { readonly line: number } & (
  | {
      readonly op: 'add-service' | 'edit-service';
      readonly service: ServiceKey;
      readonly settings: ServiceSettings;
    }
  | { readonly op: 'delete-service'; readonly service: ServiceKey }
  | {
      readonly op: 'add-server' | 'edit-server';
      readonly service: ServiceKey;
      readonly server: ServerAddress;
      readonly settings: ServerSettings;
    }
  | { readonly op: 'delete-server'; readonly service: ServiceKey; readonly server: ServerAddress }
  | { readonly op: 'clear' }
  /** `--set tcp tcpfin udp` (0: leave that timeout as it is). */
  | { readonly op: 'timeouts'; readonly tcp: number; readonly tcpfin: number; readonly udp: number }
  | { readonly op: 'start-daemon'; readonly state: string }
);

export interface ParsedRules {
  readonly commands: readonly Command[];
  /** Lines not converted, and why. */
  readonly warnings: readonly { readonly line: number; readonly message: string }[];
}

/** The options ipvsadm(8) names, long form → [short form, takes a value]. */
const OPTIONS: Readonly<Record<string, readonly [string | null, 'value' | 'flag' | 'optional']>> = {
  'add-service': ['A', 'flag'],
  'edit-service': ['E', 'flag'],
  'delete-service': ['D', 'flag'],
  clear: ['C', 'flag'],
  restore: ['R', 'flag'],
  save: ['S', 'flag'],
  'add-server': ['a', 'flag'],
  'edit-server': ['e', 'flag'],
  'delete-server': ['d', 'flag'],
  list: ['L', 'flag'],
  zero: ['Z', 'flag'],
  set: [null, 'flag'],
  'start-daemon': [null, 'value'],
  'stop-daemon': [null, 'value'],
  help: ['h', 'flag'],
  version: ['v', 'flag'],
  'tcp-service': ['t', 'value'],
  'udp-service': ['u', 'value'],
  'sctp-service': [null, 'value'],
  'fwmark-service': ['f', 'value'],
  ipv6: ['6', 'flag'],
  scheduler: ['s', 'value'],
  persistent: ['p', 'optional'],
  netmask: ['M', 'value'],
  'sched-flags': ['b', 'value'],
  pe: [null, 'value'],
  ops: ['o', 'flag'],
  'real-server': ['r', 'value'],
  gatewaying: ['g', 'flag'],
  ipip: ['i', 'flag'],
  masquerading: ['m', 'flag'],
  'tun-type': [null, 'value'],
  'tun-port': [null, 'value'],
  'tun-nocsum': [null, 'flag'],
  'tun-csum': [null, 'flag'],
  'tun-remcsum': [null, 'flag'],
  weight: ['w', 'value'],
  'u-threshold': ['x', 'value'],
  'l-threshold': ['y', 'value'],
  numeric: ['n', 'flag'],
  connection: ['c', 'flag'],
  timeout: [null, 'flag'],
  daemon: [null, 'flag'],
  stats: [null, 'flag'],
  rate: [null, 'flag'],
  thresholds: [null, 'flag'],
  'persistent-conn': [null, 'flag'],
  'tun-info': [null, 'flag'],
  sort: [null, 'flag'],
  nosort: [null, 'flag'],
  exact: [null, 'flag'],
  syncid: [null, 'value'],
  'sync-maxlen': [null, 'value'],
  'mcast-interface': [null, 'value'],
  'mcast-group': [null, 'value'],
  'mcast-port': [null, 'value'],
  'mcast-ttl': [null, 'value'],
};
const SHORT = new Map(
  Object.entries(OPTIONS)
    .filter(([, [s]]) => s !== null)
    .map(([long, [s]]) => [s as string, long]),
);

/** Commands that change the table, and those that only look at it or at the daemon (skipped). */
const RULE_COMMANDS = [
  'add-service',
  'edit-service',
  'delete-service',
  'clear',
  'add-server',
  'edit-server',
  'delete-server',
  'set',
  'start-daemon',
];
const OTHER_COMMANDS = ['list', 'zero', 'save', 'restore', 'help', 'version', 'stop-daemon'];

/**
 * Port names ipvsadm-save prints without -n (from /etc/services); others must be numbers. The
 * well-known ones only: a name another host's /etc/services defines differently is an error.
 */
const SERVICE_PORTS: Readonly<Record<string, number>> = {
  ftp: 21,
  ssh: 22,
  telnet: 23,
  smtp: 25,
  domain: 53,
  http: 80,
  www: 80,
  pop3: 110,
  ntp: 123,
  imap: 143,
  imap2: 143,
  snmp: 161,
  ldap: 389,
  https: 443,
  submissions: 465,
  smtps: 465,
  submission: 587,
  ldaps: 636,
  imaps: 993,
  pop3s: 995,
  mysql: 3306,
  sip: 5060,
  postgresql: 5432,
  'http-alt': 8080,
};

const SCHED_FLAGS = ['flag-1', 'flag-2', 'flag-3', 'sh-fallback', 'sh-port', 'mh-fallback', 'mh-port'];

interface Where {
  readonly file: string;
  readonly line: number;
}
const fail = (at: Where, message: string): never => {
  throw new ConvertError(`${at.file}:${at.line}: ${message}`);
};

/**
 * A shell line split into words: quotes removed, `\` escapes honoured, `#` comments dropped, and
 * split at `;`, `&&`, `||` into separate commands; a pipe or a redirection ends the command (its
 * target is not read). Null when it needs the shell: `$`, backquotes or an unclosed quote.
 */
function shellWords(text: string): string[][] | null {
  const commands: string[][] = [];
  let words: string[] = [];
  let word: string | null = null;
  let stopped = false;
  const end = (): void => {
    if (word !== null && !stopped) words.push(word);
    word = null;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '$' || c === '`') return null;
    if (c === "'" || c === '"') {
      const close = text.indexOf(c, i + 1);
      if (close < 0) return null;
      const inner = text.slice(i + 1, close);
      if (c === '"' && /[$`]/.test(inner)) return null;
      word = (word ?? '') + inner;
      i = close;
    } else if (c === '\\') {
      word = (word ?? '') + (text[i + 1] ?? '');
      i++;
    } else if (c === ' ' || c === '\t') end();
    else if (c === '#' && word === null) break;
    else if (c === ';' || (c === '&' && text[i + 1] === '&') || (c === '|' && text[i + 1] === '|')) {
      end();
      if (c !== ';') i++;
      commands.push(words);
      words = [];
      stopped = false;
    } else if (c === '|' || c === '>' || c === '<' || c === '&') {
      // `2>&1`, `>/dev/null`, `| grep`: the rest of this command is the shell's.
      if (word !== null && /^\d+$/.test(word)) word = null;
      end();
      stopped = true;
    } else word = (word ?? '') + c;
  }
  end();
  commands.push(words);
  return commands.filter((w) => w.length > 0);
}

/** `ipvsadm`, `/sbin/ipvsadm`, `sudo ipvsadm`: the words after the program, else null. */
function ipvsadmArgs(words: readonly string[]): string[] | null {
  let i = 0;
  if (words[0] === 'sudo') i++;
  const prog = words[i];
  if (prog === undefined || !/^(?:.*\/)?ipvsadm$/.test(prog)) return null;
  return words.slice(i + 1);
}

interface Option {
  readonly name: string;
  readonly value: string | undefined;
  /** How it was written, for messages. */
  readonly written: string;
}

/** The words of one ipvsadm command as options (popt's rules: see the file comment). */
function readOptions(args: readonly string[], at: Where): Option[] {
  const out: Option[] = [];
  const kindOf = (name: string): string => (OPTIONS[name] as readonly [unknown, string])[1];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    let name: string;
    let value: string | undefined;
    const bundled: Option[] = [];
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      name = a.slice(2, eq < 0 ? undefined : eq);
      if (!(name in OPTIONS)) fail(at, `unknown ipvsadm option '${a}'`);
      if (eq >= 0) {
        if (kindOf(name) === 'flag') fail(at, `option '--${name}' takes no value`);
        value = a.slice(eq + 1);
      }
    } else if (a.startsWith('-') && a.length > 1) {
      const short = SHORT.get(a[1] as string);
      if (short === undefined) fail(at, `unknown ipvsadm option '${a.slice(0, 2)}'`);
      name = short as string;
      if (a.length > 2) {
        if (kindOf(name) !== 'flag') value = a.slice(2);
        else
          // Bundled flags (`-Ln`, `-gw`...): each letter an option of its own.
          for (const c of a.slice(2)) {
            const more = SHORT.get(c);
            if (more === undefined) fail(at, `unknown ipvsadm option '-${c}' in '${a}'`);
            if (kindOf(more as string) !== 'flag')
              fail(at, `option '-${c}' needs a value of its own in '${a}'`);
            bundled.push({ name: more as string, value: undefined, written: `-${c}` });
          }
      }
    } else return fail(at, `unexpected word '${a}' (every ipvsadm argument follows an option)`);
    const kind = kindOf(name);
    if (kind === 'value' && value === undefined) {
      value = args[++i];
      if (value === undefined) fail(at, `option '${a}' needs a value`);
    } else if (kind === 'optional' && value === undefined) {
      const next = args[i + 1];
      if (next !== undefined && !next.startsWith('-')) value = args[++i];
    }
    out.push({ name, value, written: a }, ...bundled);
    // `--set tcp tcpfin udp` takes three values.
    if (name === 'set') {
      const three = args.slice(i + 1, i + 4);
      if (three.length < 3) fail(at, '--set needs three timeouts: tcp tcpfin udp');
      out.push({ name: 'set-values', value: three.join(' '), written: three.join(' ') });
      i += 3;
    }
  }
  return out;
}

function integer(text: string, min: number, max: number, what: string, at: Where): number {
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max)
    fail(at, `${what} '${text}' is not a number from ${min} to ${max}`);
  return Number(text);
}

function port(text: string, at: Where): number {
  if (/^\d+$/.test(text)) return integer(text, 0, 65535, 'port', at);
  const known = SERVICE_PORTS[text];
  if (known === undefined)
    fail(
      at,
      `port '${text}' is a service name this converter does not know: save the rules with ipvsadm-save -n`,
    );
  return known as number;
}

/** `ADDR[:PORT]`, `[V6ADDR][:PORT]` or a bare IPv6 address. */
function hostPort(text: string, at: Where): { address: string; family: IpFamily; port: number | undefined } {
  let host = text;
  let portText: string | undefined;
  const bracket = /^\[([^\]]+)\](?::(.*))?$/.exec(text);
  if (bracket) {
    host = bracket[1] as string;
    portText = bracket[2];
  } else if (text.split(':').length === 2) {
    [host, portText] = text.split(':') as [string, string];
  }
  const ip = parseIp(host);
  if (!ip)
    fail(
      at,
      `'${host}' is not an IP address: keepalived needs addresses (save the rules with ipvsadm-save -n)`,
    );
  if (bracket && ip?.family !== 'inet6') fail(at, `'${text}': only IPv6 addresses go in brackets`);
  return {
    address: (ip as NonNullable<typeof ip>).address,
    family: (ip as NonNullable<typeof ip>).family,
    port: portText === undefined || portText === '' ? undefined : port(portText, at),
  };
}

/** One ipvsadm command's options as a Command (null: a command that does not change the rules). */
function toCommand(options: readonly Option[], at: Where, warn: (m: string) => void): Command | null {
  const commands = options.filter((o) => RULE_COMMANDS.includes(o.name) || OTHER_COMMANDS.includes(o.name));
  if (commands.length === 0) fail(at, 'no ipvsadm command (-A, -E, -D, -a, -e, -d, -C, ...)');
  if (commands.length > 1)
    fail(at, `more than one ipvsadm command: ${commands.map((c) => c.written).join(' ')}`);
  const command = commands[0] as Option;
  if (command.name === 'restore') {
    warn('ipvsadm -R reads its rules from standard input: not converted (convert that file instead)');
    return null;
  }
  if (OTHER_COMMANDS.includes(command.name)) return null;
  const line = at.line;
  const seen = new Set<string>();
  for (const o of options)
    if (seen.has(o.name) && o.name !== 'set-values') fail(at, `option '${o.written}' given twice`);
    else seen.add(o.name);
  const get = (name: string): string | undefined => options.find((o) => o.name === name)?.value;
  const has = (name: string): boolean => options.some((o) => o.name === name);

  if (command.name === 'clear') return { line, op: 'clear' };
  if (command.name === 'set') {
    const [tcp, tcpfin, udp] = (get('set-values') as string)
      .split(' ')
      .map((t) => integer(t, 0, 2147483647, 'timeout', at)) as [number, number, number];
    return { line, op: 'timeouts', tcp, tcpfin, udp };
  }
  if (command.name === 'start-daemon') return { line, op: 'start-daemon', state: command.value as string };

  const selectors = ['tcp-service', 'udp-service', 'sctp-service', 'fwmark-service'].filter(has);
  if (selectors.length !== 1)
    fail(at, selectors.length === 0 ? 'no service (-t, -u, --sctp-service or -f)' : 'more than one service');
  const sel = selectors[0] as string;
  let service: ServiceKey;
  if (sel === 'fwmark-service') {
    const fwmark = integer(get(sel) as string, 1, 0xffffffff, 'firewall mark', at);
    // An IPv6 fwmark service is `-f N -6`; a real server's line may leave the -6 out, its
    // address says the family.
    const rs = get('real-server');
    const v6 = has('ipv6') || (rs !== undefined && hostPort(rs, at).family === 'inet6');
    service = { kind: 'fwmark', fwmark, family: v6 ? 'inet6' : 'inet' };
  } else {
    const hp = hostPort(get(sel) as string, at);
    const protocol: Protocol = sel === 'tcp-service' ? 'TCP' : sel === 'udp-service' ? 'UDP' : 'SCTP';
    service = { kind: 'address', protocol, address: hp.address, family: hp.family, port: hp.port ?? 0 };
  }

  const only = (allowed: readonly string[]): void => {
    const common = [
      'tcp-service',
      'udp-service',
      'sctp-service',
      'fwmark-service',
      'ipv6',
      'numeric',
      'set-values',
    ];
    for (const o of options)
      if (o !== command && !common.includes(o.name) && !allowed.includes(o.name))
        fail(at, `option '${o.written}' does not go with '${command.written}'`);
  };
  if (command.name === 'delete-service') {
    only([]);
    return { line, op: 'delete-service', service };
  }
  if (command.name === 'add-service' || command.name === 'edit-service') {
    only(['scheduler', 'persistent', 'netmask', 'sched-flags', 'pe', 'ops']);
    const p = get('persistent');
    const flags = (get('sched-flags') ?? '').split(',').filter((f) => f !== '');
    for (const f of flags)
      if (!SCHED_FLAGS.includes(f))
        fail(at, `unknown scheduler flag '${f}' (known: ${SCHED_FLAGS.join(', ')})`);
    const scheduler = get('scheduler');
    if (scheduler !== undefined && !/^[a-z0-9_]+$/.test(scheduler))
      fail(at, `bad scheduler name '${scheduler}'`);
    const pe = get('pe');
    if (pe !== undefined && !/^[a-z0-9_]+$/.test(pe)) fail(at, `bad persistence engine name '${pe}'`);
    return {
      line,
      op: command.name,
      service,
      settings: {
        scheduler,
        persistent: has('persistent')
          ? p === undefined
            ? 'default'
            : integer(p, 1, 2678400, 'persistence timeout', at)
          : undefined,
        netmask: get('netmask'),
        schedFlags: flags,
        pe,
        ops: has('ops'),
      },
    };
  }

  // A real server.
  const rs = get('real-server');
  if (rs === undefined) fail(at, `'${command.written}' needs a real server (-r)`);
  const server = hostPort(rs as string, at);
  if (command.name === 'delete-server') {
    only(['real-server']);
    return { line, op: 'delete-server', service, server };
  }
  only([
    'real-server',
    'gatewaying',
    'ipip',
    'masquerading',
    'tun-type',
    'tun-port',
    'tun-nocsum',
    'tun-csum',
    'tun-remcsum',
    'weight',
    'u-threshold',
    'l-threshold',
  ]);
  const methods = (['gatewaying', 'ipip', 'masquerading'] as const).filter(has);
  if (methods.length > 1) fail(at, 'more than one forwarding method (-g, -i, -m)');
  const method: Method | undefined =
    methods[0] === 'gatewaying'
      ? 'DR'
      : methods[0] === 'ipip'
        ? 'TUN'
        : methods[0] === 'masquerading'
          ? 'NAT'
          : undefined;
  let tunnel: Tunnel | undefined;
  const tunOptions = ['tun-type', 'tun-port', 'tun-nocsum', 'tun-csum', 'tun-remcsum'].filter(has);
  if (tunOptions.length > 0) {
    if (method !== 'TUN') fail(at, `--${tunOptions[0]} is for tunnelled real servers (-i) only`);
    const type = get('tun-type') ?? 'ipip';
    if (type !== 'ipip' && type !== 'gue' && type !== 'gre')
      fail(at, `unknown tunnel type '${type}' (ipip, gue, gre)`);
    const tport = get('tun-port');
    if ((type === 'gue') !== (tport !== undefined))
      fail(at, '--tun-port is needed for gue tunnels, and only for them');
    const csums = (['tun-nocsum', 'tun-csum', 'tun-remcsum'] as const).filter(has);
    if (csums.length > 1) fail(at, 'more than one tunnel checksum option');
    const csum = csums[0]?.slice(4) as Tunnel['csum'];
    if (type === 'ipip' && csum !== undefined) fail(at, 'ipip tunnels have no checksum option');
    if (type === 'gre' && csum === 'remcsum') fail(at, 'gre tunnels have no remote checksum offload');
    tunnel = {
      type: type as Tunnel['type'],
      port: tport === undefined ? undefined : integer(tport, 1, 65535, 'tunnel port', at),
      csum,
    };
  }
  const num = (name: string, max: number, what: string): number | undefined => {
    const v = get(name);
    return v === undefined ? undefined : integer(v, 0, max, what, at);
  };
  return {
    line,
    op: command.name as 'add-server' | 'edit-server',
    service,
    server,
    settings: {
      method,
      tunnel,
      weight: num('weight', 2147483647, 'weight'),
      uthreshold: num('u-threshold', 65535, 'upper threshold'),
      lthreshold: num('l-threshold', 65535, 'lower threshold'),
    },
  };
}

/** Lines beginning an ipvsadm rule, in either form (for format detection). */
export const RULE_LINE =
  /^[ \t]*(?:(?:sudo[ \t]+)?(?:\S*\/)?ipvsadm[ \t]+)?(?:-[AaEeDd]|--add-service|--add-server)[ \t]/m;

/** Read ipvsadm-save output or a script of ipvsadm commands. Throws ConvertError (FILE:LINE). */
export function parseIpvsadmRules(text: string, file: string): ParsedRules {
  const commands: Command[] = [];
  const warnings: { line: number; message: string }[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const at: Where = { file, line: i + 1 };
    let logical = lines[i] as string;
    // A backslash at the end of a line continues the command on the next.
    while (/(^|[^\\])(\\\\)*\\$/.test(logical) && i + 1 < lines.length)
      logical = logical.slice(0, -1) + ' ' + (lines[++i] as string);
    const trimmed = logical.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const warn = (message: string): void => void warnings.push({ line: at.line, message });
    const parts = shellWords(trimmed);
    if (parts === null) {
      warn(`skipped: needs the shell (variables, command substitution or quoting): ${trimmed}`);
      continue;
    }
    for (const words of parts) {
      // ipvsadm-save's lines are ipvsadm's arguments (ipvsadm -R also takes them after "ipvsadm").
      const args = (words[0] as string).startsWith('-') ? words : ipvsadmArgs(words);
      if (args === null) {
        warn(`skipped: not an ipvsadm command: ${parts.length === 1 ? trimmed : words.join(' ')}`);
        continue;
      }
      const c = toCommand(readOptions(args, at), at, warn);
      if (c) commands.push(c);
    }
  }
  return { commands, warnings };
}
