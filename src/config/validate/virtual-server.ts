/**
 * `virtual_server_group`, `virtual_server` and `real_server` (keepalived
 * check/check_parser.c and the end-of-config checks of check_data.c validate_check_config()).
 */
import type { Statement, Word } from '../ast.js';
import type { Loc } from '../diagnostics.js';
import type {
  AnnounceTable,
  Checker,
  L4Protocol,
  LbAlgo,
  LbKind,
  LvsTunnel,
  RealServer,
  ScriptSpec,
  SorryServer,
  VirtualServer,
  VirtualServerGroup,
  VirtualServerGroupEntry,
  VirtualServerKey,
} from '../model.js';
import { LB_ALGOS } from '../model.js';
import type { IpFamily } from '../../lib/ip.js';
import { CHECKER_TYPES, parseChecker, type CheckerDraft } from './checkers.js';
import type { Ctx } from './context.js';
import { block, extension, plain, valueLines, walk, type KeywordTable } from './engine.js';
import { formatIp, parseIp, parseIpPrefix } from '../../lib/ip.js';
import { readScript } from './script.js';
import { bfdCheck } from './trackers-extra.js';
import { parseBool, readTimerMs, readUnsigned } from './values.js';

/** Keywords real servers inherit from their virtual server, and checkers from both. */
/** Draft fields all exist from the start (undefined when not set): one object shape per kind. */
interface Inheritable {
  retry: number | undefined;
  delayBeforeRetryMs: number | undefined;
  warmupMs: number | undefined;
  connectTimeoutMs: number | undefined;
  delayLoopMs: number | undefined;
  alpha: boolean | undefined;
  inhibitOnFailure: boolean | undefined;
  virtualhost: string | undefined;
  smtpAlert: boolean | undefined;
}

interface RealServerDraft extends Inheritable {
  readonly at: Statement;
  /** The virtual server's group name, for keepalived's messages. */
  readonly vsGroup: string | undefined;
  /** The virtual server's protocol when the real server is read (keepalived's FMT_RS). */
  readonly vsProtocol: L4Protocol | undefined;
  address: string;
  family: IpFamily;
  port: number | undefined;
  weight: number | undefined;
  lvsMethod: LbKind | undefined;
  tunnel: LvsTunnel | null | undefined;
  notifyUp: ScriptSpec | undefined;
  notifyDown: ScriptSpec | undefined;
  uthreshold: number;
  lthreshold: number;
  checkers: CheckerDraft[];
}

interface VirtualServerDraft extends Inheritable {
  readonly at: Statement;
  readonly key: VirtualServerKey;
  readonly vsGroup: string | undefined;
  family: IpFamily | undefined;
  protocol: L4Protocol | undefined;
  protocolAt: Statement | undefined;
  lbAlgo: LbAlgo | undefined;
  lbKind: LbKind | undefined;
  lbTunnel: LvsTunnel | null;
  persistenceTimeout: number | undefined;
  persistenceGranularity: string | undefined;
  persistenceEngine: string | null;
  sorryServer: SorryServer | undefined;
  sorryServerInhibit: boolean;
  proxyProtocol: 'v1' | 'v2' | null;
  announce: AnnounceTable | null;
  announceInstanceAt: Map<string, Loc>;
  quorum: number | undefined;
  hysteresis: number | undefined;
  quorumUp: ScriptSpec | undefined;
  quorumDown: ScriptSpec | undefined;
  omega: boolean;
  haSuspend: boolean;
  weight: number | undefined;
  flags: string[];
  realServers: RealServerDraft[];
}

type H<D> = (ctx: Ctx, stmt: Statement, d: D) => void;

/**
 * The keywords a virtual server and its real servers share (their values are inherited down to
 * the checkers). keepalived 2.2.7 has a handler for each at each level (check_parser.c, the vs_ and rs_ handlers),
 * with the level in its messages; at the virtual server `alpha` and `inhibit_on_failure` take no
 * value (extra words are ignored), at the real server an optional boolean.
 */
function inheritableKeywords<D extends Inheritable>(who: 'virtual server' | 'real server'): KeywordTable<D> {
  const vs = who === 'virtual server';
  const timer =
    (minUs: number, maxUs: number, message: (v: string) => string, set: (d: D, ms: number) => void): H<D> =>
    (ctx, stmt, d) => {
      const w = ctx.arg(stmt, 1);
      if (!w) return;
      const v = readTimerMs(ctx, w, minUs, maxUs, true);
      if (v === undefined) ctx.report('GENERAL_ERROR', w, message(w.text));
      else set(d, v);
    };
  const bool =
    (message: (v: string) => string, set: (d: D, v: boolean) => void): H<D> =>
    (ctx, stmt, d) => {
      const w = stmt.words[1];
      const v = w ? parseBool(w.text) : true;
      if (v === undefined) ctx.report('GENERAL_ERROR', w ?? stmt, message(w?.text ?? ''));
      else set(d, v);
    };
  const flagOnly =
    (set: (d: D) => void): H<D> =>
    (_ctx, _stmt, d) =>
      set(d);
  return {
    retry: plain((ctx, stmt, d) => {
      const w = ctx.arg(stmt, 1);
      if (!w) return;
      const v = readUnsigned(ctx, w, 1, 0xffffffff);
      if (v === undefined) ctx.report('GENERAL_ERROR', w, `retry value invalid - ${w.text}`);
      else d.retry = v;
    }),
    delay_before_retry: plain(
      timer(
        0,
        0,
        (v) =>
          vs
            ? `virtual server delay before retry '${v}' invalid - ignoring`
            : `real server delay_before_retry '${v}' invalid - ignoring`,
        (d, v) => (d.delayBeforeRetryMs = v),
      ),
    ),
    warmup: plain(
      timer(
        0,
        0,
        (v) => `${who} warmup '${v}' invalid - ignoring`,
        (d, v) => (d.warmupMs = v),
      ),
    ),
    connect_timeout: plain(
      timer(
        1,
        0xffffffff,
        (v) => `${who} connect_timeout ${v} invalid - ignoring`,
        (d, v) => (d.connectTimeoutMs = v),
      ),
    ),
    delay_loop: plain(
      timer(
        1,
        0,
        (v) =>
          vs
            ? `virtual server delay loop '${v}' invalid - ignoring`
            : `real server delay_loop '${v}' invalid - ignoring`,
        (d, v) => (d.delayLoopMs = v),
      ),
    ),
    alpha: plain(
      vs
        ? flagOnly((d) => (d.alpha = true))
        : bool(
            (v) => `Invalid alpha parameter ${v}`,
            (d, v) => (d.alpha = v),
          ),
    ),
    inhibit_on_failure: plain(
      vs
        ? flagOnly((d) => (d.inhibitOnFailure = true))
        : bool(
            (v) => `Invalid inhibit_on_failure parameter ${v}`,
            (d, v) => (d.inhibitOnFailure = v),
          ),
    ),
    smtp_alert: plain(
      bool(
        (v) => `Invalid ${vs ? 'virtual_server' : 'real_server'} smtp_alert parameter ${v}`,
        (d, v) => (d.smtpAlert = v),
      ),
    ),
    // keepalived: a missing value is its own message here, not the parser's missing parameter.
    virtualhost: plain((ctx, stmt, d) => {
      const w = stmt.words[1];
      if (!w) ctx.report('GENERAL_ERROR', stmt, `${who} virtualhost missing`);
      else d.virtualhost = w.text;
    }),
    snmp_name: plain((ctx, stmt) => {
      if (stmt.words.length !== 2)
        ctx.report('GENERAL_ERROR', stmt, `${who} snmp_name missing or extra parameters`);
      else ctx.report('UNSUPPORTED', stmt, 'snmp_name: not supported (no SNMP) - ignored');
    }),
  };
}

/**
 * `NAT | DR | TUN [type ipip|gue|gre] [port N] [nocsum|csum|remcsum]` (keepalived
 * check_parser.c svr_forwarding_handler()): the method, and the tunnel options (defaults: ipip,
 * no port, nocsum). keepalived reads the options after any method; they matter for TUN only.
 */
function readLvsMethod(
  ctx: Ctx,
  stmt: Statement,
  server: 'real' | 'virtual' | 'sorry',
): { method: LbKind; tunnel: LvsTunnel } | undefined {
  const w = ctx.arg(stmt, 1);
  if (!w) return undefined;
  if (w.text !== 'NAT' && w.text !== 'DR' && w.text !== 'TUN') {
    ctx.report('GENERAL_ERROR', w, `PARSER : unknown [${w.text}] routing method for ${server} server.`);
    return undefined;
  }
  let type: LvsTunnel['type'] = 'ipip';
  let port = 0;
  let flags: LvsTunnel['flags'] = 'nocsum';
  const words = stmt.words;
  for (let i = 2; i < words.length; i++) {
    const word = words[i] as Word;
    const next = words[i + 1];
    if (word.text === 'type') {
      if (!next) return void ctx.report('GENERAL_ERROR', word, `Missing tunnel type for ${server} server.`);
      if (next.text !== 'ipip' && next.text !== 'gue' && next.text !== 'gre')
        return void ctx.report(
          'GENERAL_ERROR',
          next,
          `Unknown tunnel type ${next.text} for ${server} server.`,
        );
      type = next.text;
      i++;
    } else if (word.text === 'port') {
      if (!next)
        return void ctx.report('GENERAL_ERROR', word, `Missing port for ${server} server gue tunnel.`);
      const v = /^\d+$/.test(next.text) ? Number(next.text) : NaN;
      if (!(v >= 1 && v <= 65535))
        return void ctx.report(
          'GENERAL_ERROR',
          next,
          `Invalid gue tunnel port ${next.text} for ${server} server.`,
        );
      port = v;
      i++;
    } else if (word.text === 'nocsum' || word.text === 'csum' || word.text === 'remcsum') flags = word.text;
    else
      return void ctx.report(
        'GENERAL_ERROR',
        word,
        `Invalid tunnel option ${word.text} for ${server} server.`,
      );
  }
  if ((type === 'gue') !== (port !== 0))
    return void ctx.report('GENERAL_ERROR', stmt, 'gue tunnels require port, otherwise cannot have port.');
  if (type === 'ipip' && flags !== 'nocsum')
    return void ctx.report('GENERAL_ERROR', stmt, 'ipip tunnels do not support checksum option.');
  if (type === 'gre' && flags === 'remcsum')
    return void ctx.report('GENERAL_ERROR', stmt, 'gre tunnels do not support remote checksum option.');
  return { method: w.text, tunnel: { type, port, flags } };
}

/** The tunnel options worth keeping: TUN with more than plain IPIP. */
const tunnelOf = (m: { method: LbKind; tunnel: LvsTunnel }): LvsTunnel | null =>
  m.method === 'TUN' && m.tunnel.type !== 'ipip' ? m.tunnel : null;

/**
 * keepalived notify_up/notify_down/quorum_up/quorum_down handlers: a second script of one kind is
 * reported and ignored. keepalived names the virtual server group there, "(null)" outside one.
 */
const script =
  <D extends { readonly vsGroup: string | undefined }>(
    get: (d: D) => ScriptSpec | undefined,
    set: (d: D, s: ScriptSpec) => void,
  ): H<D> =>
  (ctx, stmt, d) => {
    if (get(d)) {
      const kind = stmt.words[0]?.text ?? '';
      ctx.report(
        'GENERAL_ERROR',
        stmt,
        `(${d.vsGroup ?? '(null)'}) ${kind} script already specified - ignoring ${stmt.words[1]?.text ?? ''}`,
      );
      return;
    }
    const s = readScript(ctx, stmt);
    if (s) set(d, s);
  };

const realServerKeywords: KeywordTable<RealServerDraft> = {
  ...inheritableKeywords<RealServerDraft>('real server'),
  weight: plain((ctx, stmt, d) => {
    const w = ctx.arg(stmt, 1);
    if (!w) return;
    const v = readUnsigned(ctx, w, 0, 2147483647);
    if (v === undefined)
      ctx.report('GENERAL_ERROR', w, `Real server weight ${w.text} is outside range 0-2147483647`);
    else d.weight = v;
  }),
  lvs_method: plain((ctx, stmt, d) => {
    const m = readLvsMethod(ctx, stmt, 'real');
    if (!m) return;
    d.lvsMethod = m.method;
    d.tunnel = tunnelOf(m);
  }),
  uthreshold: plain((ctx, stmt, d) => {
    const w = ctx.arg(stmt, 1);
    if (!w) return;
    const v = readUnsigned(ctx, w, 0, 0xffffffff);
    if (v === undefined)
      ctx.report('GENERAL_ERROR', w, `Invalid real_server uthreshold '${w.text}' - ignoring`);
    else d.uthreshold = v;
  }),
  lthreshold: plain((ctx, stmt, d) => {
    const w = ctx.arg(stmt, 1);
    if (!w) return;
    const v = readUnsigned(ctx, w, 0, 0xffffffff);
    if (v === undefined)
      ctx.report('GENERAL_ERROR', w, `Invalid real_server lthreshold '${w.text}' - ignoring`);
    else d.lthreshold = v;
  }),
  notify_up: plain(
    script<RealServerDraft>(
      (d) => d.notifyUp,
      (d, s) => (d.notifyUp = s),
    ),
  ),
  notify_down: plain(
    script<RealServerDraft>(
      (d) => d.notifyDown,
      (d, s) => (d.notifyDown = s),
    ),
  ),
  ...Object.fromEntries(
    CHECKER_TYPES.map((type) => [
      type,
      block<RealServerDraft>((ctx, stmt, d) => {
        const c = parseChecker(ctx, stmt, type, d.family);
        if (c) d.checkers.push(c);
      }),
    ]),
  ),
  // Not acted on (reported UNSUPPORTED), but checked as keepalived does.
  BFD_CHECK: block((ctx, stmt, d) =>
    bfdCheck(ctx, stmt, `[${d.address}]:${protoName(d.vsProtocol)}:${d.port ?? 0}`, d),
  ),
};

/** `ADDR [PORT]` of a real or sorry server. */
function readEndpoint(
  ctx: Ctx,
  stmt: Statement,
): { ip: ReturnType<typeof parseIp>; port: number | undefined } | undefined {
  const a = ctx.arg(stmt, 1);
  if (!a) return undefined;
  const ip = parseIp(a.text);
  if (!ip) {
    ctx.report('GENERAL_ERROR', a, `Invalid address '${a.text}' for ${stmt.words[0]?.text ?? ''} - skipping`);
    return undefined;
  }
  const p = stmt.words[2];
  if (!p) return { ip, port: undefined };
  const port = readUnsigned(ctx, p, 0, 65535);
  if (port === undefined) return undefined;
  return { ip, port };
}

/** Kernel tables a route of ours must not go to: 253 default, 254 main, 255 local (rt_names). */
const RESERVED_TABLES = new Set([253, 254, 255]);

/** An interface name the kernel accepts (dev_valid_name(): 1..15 bytes, no `/`, `:` or space, not `.` or `..`). */
const validIfName = (n: string): boolean =>
  n.length > 0 && Buffer.byteLength(n) <= 15 && n !== '.' && n !== '..' && !/[/:\s]/.test(n);

/**
 * `announce_table N [dev IFNAME] [instance NAME]...` (keepalived-ts extension, docs/bgp.md). A fwmark service has no
 * address to announce; a bad value is reported with its place and nothing is announced.
 */
function announceTable(ctx: Ctx, stmt: Statement, d: VirtualServerDraft): void {
  const w = ctx.arg(stmt, 1);
  if (!w) return;
  if (d.key.kind === 'fwmark') {
    ctx.report(
      'GENERAL_ERROR',
      stmt,
      `announce_table: fwmark virtual server FWM ${d.key.fwmark} has no address to announce - ignoring`,
    );
    return;
  }
  // One error for any bad table (not also readUnsigned's INVALID_NUMBER): a plain decimal number.
  const table = /^\d{1,10}$/.test(w.text) ? Number(w.text) : NaN;
  if (!(table >= 1 && table <= 0xfffffffe) || RESERVED_TABLES.has(table)) {
    ctx.report(
      'GENERAL_ERROR',
      w,
      `announce_table '${w.text}' must be a table in [1, 4294967294], not 253-255 (default, main, local) - nothing announced`,
    );
    return;
  }
  let dev = 'lo';
  const instances: string[] = [];
  const rest = stmt.words.slice(2);
  for (let i = 0; i < rest.length; i += 2) {
    const kw = rest[i];
    const value = rest[i + 1];
    if ((kw?.text !== 'dev' && kw?.text !== 'instance') || !value) {
      ctx.report(
        'GENERAL_ERROR',
        kw ?? stmt,
        `announce_table ${table}: expected 'dev IFNAME' or 'instance NAME' after the table, not '${rest
          .slice(i)
          .map((x) => x.text)
          .join(' ')}' - nothing announced`,
      );
      return;
    }
    if (kw.text === 'instance') {
      instances.push(value.text);
      d.announceInstanceAt.set(value.text, value.loc);
      continue;
    }
    if (!validIfName(value.text)) {
      ctx.report(
        'GENERAL_ERROR',
        value,
        `announce_table ${table}: '${value.text}' is not a valid interface name - nothing announced`,
      );
      return;
    }
    dev = value.text;
  }
  d.announce = { table, dev, instances };
}

const virtualServerKeywords: KeywordTable<VirtualServerDraft> = {
  ...inheritableKeywords<VirtualServerDraft>('virtual server'),
  ip_family: plain((ctx, stmt, d) => {
    const w = ctx.arg(stmt, 1);
    if (!w) return;
    if (w.text === 'inet' || w.text === 'inet6') {
      if (d.family !== undefined && d.family !== w.text) {
        ctx.report(
          'GENERAL_ERROR',
          w,
          `Virtual server specified family ${w.text} conflicts with server family - ignoring`,
        );
      } else d.family = w.text;
    } else ctx.report('GENERAL_ERROR', w, `unknown address family ${w.text}`);
  }),
  lb_algo: plain(algo),
  lvs_sched: plain(algo),
  lb_kind: plain(vsMethod),
  lvs_method: plain(vsMethod),
  protocol: plain((ctx, stmt, d) => {
    const w = ctx.arg(stmt, 1);
    if (!w) return;
    const p = w.text.toUpperCase();
    if (p === 'TCP' || p === 'UDP' || p === 'SCTP') {
      d.protocol = p;
      d.protocolAt = stmt;
    } else ctx.report('GENERAL_ERROR', w, `Unknown protocol ${w.text} - ignoring`);
  }),
  persistence_timeout: plain((ctx, stmt, d) => {
    const w = stmt.words[1];
    if (!w) {
      d.persistenceTimeout = 360;
      return;
    }
    const v = readUnsigned(ctx, w, 1, 2678400);
    if (v === undefined) ctx.report('GENERAL_ERROR', w, `persistence_timeout invalid`);
    else d.persistenceTimeout = v;
  }),
  // keepalived pgr_handler(): a prefix length 1-128 for IPv6, a numeric netmask for IPv4 (the
  // family is the virtual server's, else guessed from a '.').
  persistence_granularity: plain((ctx, stmt, d) => {
    const w = ctx.arg(stmt, 1);
    if (!w) return;
    const family = d.family ?? (w.text.includes('.') ? 'inet' : 'inet6');
    if (family === 'inet6') {
      if (readUnsigned(ctx, w, 1, 128) === undefined) {
        ctx.report('GENERAL_ERROR', w, `Invalid IPv6 persistence_granularity specified - ${w.text}`);
        return;
      }
    } else if (!isNumericIpv4(w.text)) {
      ctx.report('GENERAL_ERROR', w, `Invalid IPv4 persistence_granularity specified - ${w.text}`);
      return;
    }
    d.persistenceGranularity = w.text;
    d.persistenceTimeout ??= 360;
  }),
  sorry_server: plain((ctx, stmt, d) => {
    const e = readEndpoint(ctx, stmt);
    if (e?.ip) d.sorryServer = { address: e.ip.address, port: e.port ?? 0, lvsMethod: null, tunnel: null };
  }),
  sorry_server_lvs_method: plain((ctx, stmt, d) => {
    if (!d.sorryServer) {
      ctx.report('GENERAL_ERROR', stmt, 'sorry_server forwarding used without sorry_server');
      return;
    }
    const m = readLvsMethod(ctx, stmt, 'sorry');
    if (m) d.sorryServer = { ...d.sorryServer, lvsMethod: m.method, tunnel: tunnelOf(m) };
  }),
  persistence_engine: plain((ctx, stmt, d) => {
    const w = ctx.arg(stmt, 1);
    if (!w) return;
    // IP_VS_PENAME_MAXLEN is 16 with the NUL.
    if (w.text.length > 15)
      ctx.report('GENERAL_ERROR', w, `persistence_name too long, truncating - ${w.text}`);
    d.persistenceEngine = w.text.slice(0, 15);
  }),
  sorry_server_inhibit: plain((_ctx, _stmt, d) => (d.sorryServerInhibit = true)),
  // keepalived-ts extension (docs/dispatcher.md).
  proxy_protocol: extension((ctx, stmt, d) => {
    const w = ctx.arg(stmt, 1);
    if (!w) return;
    if (w.text === 'v1' || w.text === 'v2') d.proxyProtocol = w.text;
    else ctx.report('GENERAL_ERROR', w, `proxy_protocol must be v1 or v2, not '${w.text}' - ignoring`);
  }),
  // keepalived-ts extension (docs/bgp.md).
  announce_table: extension(announceTable),
  // keepalived quorum_handler(): an invalid quorum is taken as 1.
  quorum: plain((ctx, stmt, d) => {
    const w = ctx.arg(stmt, 1);
    if (!w) return;
    const v = readUnsigned(ctx, w, 1, 0xffffffff);
    if (v === undefined)
      ctx.report('GENERAL_ERROR', w, `Quorum ${w.text} must be in [1, 4294967295]. Setting to 1.`);
    d.quorum = v ?? 1;
  }),
  hysteresis: plain((ctx, stmt, d) => {
    const w = ctx.arg(stmt, 1);
    if (!w) return;
    const v = readUnsigned(ctx, w, 0, 0xffffffff);
    if (v === undefined)
      ctx.report('GENERAL_ERROR', w, `Hysteresis ${w.text} must be in [0, 4294967295] - ignoring`);
    else d.hysteresis = v;
  }),
  quorum_up: plain(
    script<VirtualServerDraft>(
      (d) => d.quorumUp,
      (d, s) => (d.quorumUp = s),
    ),
  ),
  quorum_down: plain(
    script<VirtualServerDraft>(
      (d) => d.quorumDown,
      (d, s) => (d.quorumDown = s),
    ),
  ),
  omega: plain((_ctx, _stmt, d) => (d.omega = true)),
  ha_suspend: plain((_ctx, _stmt, d) => (d.haSuspend = true)),
  weight: plain((ctx, stmt, d) => {
    const w = ctx.arg(stmt, 1);
    if (!w) return;
    const v = readUnsigned(ctx, w, 1, 2147483647);
    if (v === undefined)
      ctx.report('GENERAL_ERROR', w, `Virtual server weight ${w.text} is outside range 1-2147483647`);
    else d.weight = v;
  }),
  ...Object.fromEntries(
    ['ops', 'hashed', 'flag-1', 'flag-2', 'flag-3', 'sh-port', 'sh-fallback', 'mh-port', 'mh-fallback'].map(
      (f) => [f, plain<VirtualServerDraft>((_ctx, _stmt, d) => void d.flags.push(f))],
    ),
  ),
  real_server: block((ctx, stmt, d) => {
    const e = readEndpoint(ctx, stmt);
    if (!e?.ip) return;
    const rs: RealServerDraft = {
      retry: undefined,
      delayBeforeRetryMs: undefined,
      warmupMs: undefined,
      connectTimeoutMs: undefined,
      delayLoopMs: undefined,
      alpha: undefined,
      inhibitOnFailure: undefined,
      virtualhost: undefined,
      smtpAlert: undefined,
      weight: undefined,
      lvsMethod: undefined,
      tunnel: undefined,
      notifyUp: undefined,
      notifyDown: undefined,
      at: stmt,
      vsGroup: d.vsGroup,
      vsProtocol: d.protocol,
      address: e.ip.address,
      family: e.ip.family,
      port: e.port,
      uthreshold: 0,
      lthreshold: 0,
      checkers: [],
    };
    walk(ctx, stmt.block?.body ?? [], realServerKeywords, rs);
    if (d.family !== undefined && d.family !== rs.family) {
      ctx.report(
        'GENERAL_ERROR',
        stmt,
        `Address family of virtual server and real server ${(stmt.words[1] as Word).text} don't match - skipping real server.`,
      );
      return;
    }
    d.family ??= rs.family;
    d.realServers.push(rs);
  }),
};

function vsMethod(ctx: Ctx, stmt: Statement, d: VirtualServerDraft): void {
  const m = readLvsMethod(ctx, stmt, 'virtual');
  if (!m) return;
  d.lbKind = m.method;
  d.lbTunnel = tunnelOf(m);
}

function algo(ctx: Ctx, stmt: Statement, d: VirtualServerDraft): void {
  const w = ctx.arg(stmt, 1);
  if (!w) return;
  const a = LB_ALGOS.find((x) => x === w.text);
  if (a) d.lbAlgo = a;
  else ctx.report('GENERAL_ERROR', w, `Invalid lvs_scheduler '${w.text}' - ignoring`);
}

/** `virtual_server ADDR PORT | fwmark N | group NAME` */
export function parseVirtualServer(ctx: Ctx, stmt: Statement): VirtualServerDraft | undefined {
  const first = ctx.arg(stmt, 1);
  if (!first) return undefined;
  let key: VirtualServerKey;
  let family: IpFamily | undefined;
  if (first.text === 'fwmark') {
    const w = ctx.arg(stmt, 2);
    const mark = w && readUnsigned(ctx, w, 1, 0xffffffff);
    if (mark === undefined) return undefined;
    key = { kind: 'fwmark', fwmark: mark };
  } else if (first.text === 'group') {
    const w = ctx.arg(stmt, 2);
    if (!w) return undefined;
    key = { kind: 'group', group: w.text };
  } else {
    const ip = parseIp(first.text);
    if (!ip) {
      ctx.report('GENERAL_ERROR', first, `Invalid virtual server address '${first.text}' - skipping`);
      return undefined;
    }
    const p = stmt.words[2];
    const port = p ? readUnsigned(ctx, p, 0, 65535) : 0;
    if (port === undefined) return undefined;
    key = { kind: 'address', address: ip.address, port };
    family = ip.family;
  }
  const d: VirtualServerDraft = {
    vsGroup: key.kind === 'group' ? key.group : undefined,
    retry: undefined,
    delayBeforeRetryMs: undefined,
    warmupMs: undefined,
    connectTimeoutMs: undefined,
    delayLoopMs: undefined,
    alpha: undefined,
    inhibitOnFailure: undefined,
    virtualhost: undefined,
    smtpAlert: undefined,
    protocol: undefined,
    protocolAt: undefined,
    lbAlgo: undefined,
    lbKind: undefined,
    lbTunnel: null,
    persistenceTimeout: undefined,
    persistenceGranularity: undefined,
    persistenceEngine: null,
    sorryServer: undefined,
    quorum: undefined,
    hysteresis: undefined,
    quorumUp: undefined,
    quorumDown: undefined,
    weight: undefined,
    at: stmt,
    key,
    family,
    sorryServerInhibit: false,
    proxyProtocol: null,
    announce: null,
    announceInstanceAt: new Map(),
    omega: false,
    haSuspend: false,
    flags: [],
    realServers: [],
  };
  walk(ctx, stmt.block?.body ?? [], virtualServerKeywords, d);
  return d;
}

const protoName = (p: L4Protocol | undefined): string => (p ? p.toLowerCase() : 'none');

/** keepalived's FMT_VS / FMT_RS: `[addr]:proto:port`, `FWM n`, `[group]:port`. */
function display(key: VirtualServerKey, protocol: L4Protocol | undefined): string {
  switch (key.kind) {
    case 'address':
      return `[${key.address}]:${protoName(protocol)}:${key.port}`;
    case 'fwmark':
      return `FWM ${key.fwmark}`;
    case 'group':
      return `[${key.group}]:0`;
  }
}

/** A completed virtual server, with what can only be settled once global_defs is complete. */
export interface CompletedVirtualServer {
  readonly vs: VirtualServer;
  readonly loc: Loc;
  /** The block's own `smtp_alert`; keepalived takes global_defs' default at the end. */
  readonly smtpAlert: boolean | undefined;
  /** Where each `announce_table ... instance NAME` names its instance (checked once all are read). */
  readonly announceInstanceAt: ReadonlyMap<string, Loc>;
}

/**
 * keepalived validate_check_config(): defaults and the checks over the whole virtual server.
 * Nothing here depends on later blocks, so it runs as soon as the block is read (the caller
 * defers the messages to the end, where keepalived prints them).
 */
export function completeVirtualServer(ctx: Ctx, d: VirtualServerDraft): CompletedVirtualServer | undefined {
  // keepalived validate_check_config(): a virtual server without real servers is dropped before
  // any other check (a sorry server does not save it).
  if (d.realServers.length === 0) {
    ctx.report(
      'WARNING',
      d.at,
      `Virtual server ${display(d.key, d.protocol)} has no real servers - ignoring`,
    );
    return undefined;
  }
  let protocol = d.protocol;
  if (d.key.kind === 'fwmark' && d.protocolAt) {
    ctx.report(
      'WARNING',
      d.protocolAt,
      `Warning: Virtual server ${display(d.key, protocol)}: protocol specified for fwmark - protocol will be ignored`,
    );
    protocol = undefined;
  }
  const name = display(d.key, protocol);
  if (protocol === undefined && d.key.kind !== 'fwmark') {
    ctx.report('WARNING', d.at, `Virtual server ${name}: no protocol set - defaulting to UDP`);
  }
  const proto: L4Protocol = protocol ?? 'UDP';
  const shown = display(d.key, d.key.kind === 'fwmark' ? undefined : proto);
  if (d.lbAlgo === undefined)
    ctx.report('WARNING', d.at, `Virtual server ${shown}: no scheduler set, setting default 'wlc'`);
  if (d.lbKind === undefined)
    ctx.report('WARNING', d.at, `Virtual server ${shown}: no forwarding method set, setting default NAT`);
  const lbKind = d.lbKind ?? 'NAT';
  let persistenceTimeout = d.persistenceTimeout ?? 0;
  if (d.key.kind === 'address' && d.key.port === 0 && persistenceTimeout === 0) {
    ctx.report(
      'WARNING',
      d.at,
      `Virtual server ${shown}: zero port only valid for persistent services - setting`,
    );
    persistenceTimeout = 360;
  }

  const realServers: RealServer[] = [];
  const seen = new Set<string>();
  const vsPort = d.key.kind === 'address' ? d.key.port : 0;
  for (const rs of d.realServers) {
    let port = rs.port ?? vsPort;
    const method = rs.lvsMethod ?? lbKind;
    const rsName = `[${rs.address}]:${protoName(proto)}:${port}`;
    if (method !== 'NAT' && d.key.kind === 'address' && port !== vsPort && vsPort !== 0) {
      ctx.report(
        'WARNING',
        rs.at,
        `WARNING - virtual server ${shown} and real server ${rsName} ports don't match - resetting`,
      );
      port = vsPort;
    }
    // keepalived validate_check_config(): a fwmark service forwards to the real server's address
    // only (except NAT), so a port there is cleared.
    if (method !== 'NAT' && d.key.kind === 'fwmark' && port !== 0) {
      ctx.report(
        'WARNING',
        rs.at,
        `WARNING - fwmark virtual server ${shown}, real server ${rsName} has port specified - clearing`,
      );
      port = 0;
    }
    const id = `${rs.address}:${port}`;
    if (seen.has(id)) {
      ctx.report('WARNING', rs.at, `VS ${shown}: real server ${rsName} is duplicated - removing second rs`);
      continue;
    }
    seen.add(id);
    const delayLoopMs = rs.delayLoopMs ?? d.delayLoopMs ?? 60_000;
    const alpha = rs.alpha ?? d.alpha ?? false;
    const virtualhost = rs.virtualhost ?? d.virtualhost ?? null;
    const checkers: Checker[] = [];
    for (const c of rs.checkers) {
      for (const draft of c.type === 'SMTP_CHECK' && c.hosts.length > 0
        ? c.hosts.map((h) => ({ ...c, ...definedOnly(h) }))
        : [c]) {
        checkers.push(completeChecker(draft, { rs, vs: d, port, delayLoopMs, alpha, virtualhost }));
      }
    }
    realServers.push({
      address: rs.address,
      port,
      weight: rs.weight ?? d.weight ?? 1,
      lvsMethod: method,
      // The virtual server's tunnel options go with its method to the servers that inherit it.
      tunnel: rs.lvsMethod === undefined ? d.lbTunnel : (rs.tunnel ?? null),
      inhibitOnFailure: rs.inhibitOnFailure ?? d.inhibitOnFailure ?? false,
      notifyUp: rs.notifyUp ?? null,
      notifyDown: rs.notifyDown ?? null,
      uthreshold: rs.uthreshold,
      lthreshold: rs.lthreshold,
      alpha,
      delayLoopMs,
      virtualhost,
      checkers,
      ...(rs.smtpAlert === undefined ? {} : { smtpAlert: rs.smtpAlert }),
    });
  }
  if (realServers.length === 0 && !d.sorryServer) {
    ctx.report('WARNING', d.at, `Virtual server ${shown} has no real servers - ignoring`);
    return undefined;
  }
  const totalWeight = realServers.reduce((s, r) => s + r.weight, 0);
  let quorum = d.quorum ?? 1;
  if (quorum > totalWeight && realServers.length > 0) {
    ctx.report(
      'WARNING',
      d.at,
      `Warning - quorum ${quorum} for ${shown} exceeds total weight of real servers ${totalWeight}, reducing quorum to ${totalWeight}`,
    );
    quorum = Math.max(1, totalWeight);
  }
  let hysteresis = d.hysteresis ?? 0;
  if (hysteresis >= quorum && hysteresis > 0) {
    ctx.report(
      'WARNING',
      d.at,
      `Virtual server ${shown}: hysteresis ${hysteresis} >= quorum ${quorum}; setting hysteresis to ${quorum - 1}`,
    );
    hysteresis = quorum - 1;
  }
  const vs: VirtualServer = {
    key: d.key,
    display: shown,
    family: d.family ?? 'inet',
    protocol: proto,
    delayLoopMs: d.delayLoopMs ?? 60_000,
    lbAlgo: d.lbAlgo ?? 'wlc',
    lbKind,
    lbTunnel: d.lbTunnel,
    persistenceTimeout,
    persistenceGranularity: d.persistenceGranularity ?? null,
    persistenceEngine: d.persistenceEngine,
    sorryServer: d.sorryServer ?? null,
    sorryServerInhibit: d.sorryServerInhibit,
    proxyProtocol: d.proxyProtocol,
    announce: d.announce,
    quorum,
    hysteresis,
    quorumUp: d.quorumUp ?? null,
    quorumDown: d.quorumDown ?? null,
    alpha: d.alpha ?? false,
    omega: d.omega,
    inhibitOnFailure: d.inhibitOnFailure ?? false,
    haSuspend: d.haSuspend,
    virtualhost: d.virtualhost ?? null,
    smtpAlert: d.smtpAlert ?? false,
    flags: d.flags,
    realServers,
  };
  // A location, not the statement: the block's tree must not outlive it.
  return { vs, loc: d.at.loc, smtpAlert: d.smtpAlert, announceInstanceAt: d.announceInstanceAt };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(o).filter(([k, v]) => v !== undefined && k !== 'hosts'),
  ) as Partial<T>;
}

function completeChecker(
  c: CheckerDraft,
  env: {
    rs: RealServerDraft;
    vs: VirtualServerDraft;
    port: number;
    delayLoopMs: number;
    alpha: boolean;
    virtualhost: string | null;
  },
): Checker {
  const { rs, vs } = env;
  const delayLoopMs = c.delayLoopMs ?? env.delayLoopMs;
  // keepalived's per-type defaults: retry 1 (DNS 3, MISC 0); delay_before_retry 1 s (HTTP 3 s, DNS the loop).
  const typeRetry = c.type === 'DNS_CHECK' ? 3 : c.type === 'MISC_CHECK' ? 0 : 1;
  const typeDelay =
    c.type === 'HTTP_GET' || c.type === 'SSL_GET' ? 3000 : c.type === 'DNS_CHECK' ? delayLoopMs : 1000;
  // Object.assign onto the type's own fields (not `{ ...base, ... }`, much slower in V8 here).
  const base = {
    connectIp: c.connectIp ?? rs.address,
    connectPort: c.connectPort ?? (c.type === 'SMTP_CHECK' && rs.port === undefined ? 25 : env.port),
    bindTo: c.bindTo ?? null,
    bindPort: c.bindPort ?? null,
    bindIf: c.bindIf ?? null,
    connectTimeoutMs: c.connectTimeoutMs ?? rs.connectTimeoutMs ?? vs.connectTimeoutMs ?? 5000,
    fwmark: c.fwmark ?? null,
    retry: c.retry ?? rs.retry ?? vs.retry ?? typeRetry,
    delayBeforeRetryMs: c.delayBeforeRetryMs ?? rs.delayBeforeRetryMs ?? vs.delayBeforeRetryMs ?? typeDelay,
    delayLoopMs,
    warmupMs: c.warmupMs ?? rs.warmupMs ?? vs.warmupMs ?? delayLoopMs,
    alpha: c.alpha ?? env.alpha,
    logAllFailures: c.logAllFailures ?? false,
  };
  switch (c.type) {
    case 'HTTP_GET':
    case 'SSL_GET':
      return Object.assign(
        {
          type: c.type,
          urls: c.urls,
          httpProtocol: c.httpProtocol ?? '1.0',
          virtualhost: c.virtualhost ?? env.virtualhost,
          enableSni: c.enableSni ?? false,
          fastRecovery: c.fastRecovery ?? false,
        },
        base,
      );
    case 'TCP_CHECK':
    case 'PING_CHECK':
      return Object.assign({ type: c.type }, base);
    case 'MISC_CHECK': {
      const s = c.script as ScriptSpec;
      const script = c.miscUser ? { ...s, user: c.miscUser.user, group: c.miscUser.group } : s;
      return Object.assign(
        { type: c.type, script, timeoutMs: c.miscTimeoutMs ?? delayLoopMs, dynamic: c.miscDynamic ?? false },
        base,
      );
    }
    case 'SMTP_CHECK':
      return Object.assign({ type: c.type, heloName: c.heloName ?? '' }, base);
    case 'DNS_CHECK':
      return Object.assign({ type: c.type, queryType: c.queryType ?? 'SOA', name: c.queryName ?? '.' }, base);
    case 'UDP_CHECK':
      return Object.assign(
        {
          type: c.type,
          payload: c.payload ?? null,
          requireReply: c.requireReply ?? null,
          minReplyLength: c.minReplyLength ?? 0,
          maxReplyLength: c.maxReplyLength ?? 255,
        },
        base,
      );
    case 'FILE_CHECK':
      return Object.assign(
        {
          type: c.type,
          trackFile: c.trackFile ?? '',
          weight: c.fileWeight ?? null,
          reverse: c.fileReverse ?? false,
          dynamic: false,
        },
        base,
      );
  }
}

/** `virtual_server_group NAME { entries }` */
export function parseVirtualServerGroup(
  ctx: Ctx,
  stmt: Statement,
  name: Word,
): VirtualServerGroup | undefined {
  const entries: VirtualServerGroupEntry[] = [];
  for (const line of valueLines(ctx, stmt, 1)) {
    const first = (line.words[0] as Word).text;
    if (first === 'fwmark') {
      const w = ctx.arg(line, 1);
      const mark = w && readUnsigned(ctx, w, 1, 0xffffffff);
      if (mark === undefined) continue;
      const fam = line.words[2]?.text;
      entries.push({ kind: 'fwmark', fwmark: mark, family: fam === 'inet' || fam === 'inet6' ? fam : null });
      continue;
    }
    const range = parseRange(first);
    if (!range) {
      ctx.report('GENERAL_ERROR', line, `Invalid virtual server group IP address/range ${first} - skipping`);
      continue;
    }
    const p = line.words[1];
    const port = p ? readUnsigned(ctx, p, 0, 65535) : 0;
    if (port === undefined) continue;
    entries.push({ kind: 'range', family: range.family, first: range.first, last: range.last, port });
  }
  if (entries.length === 0) {
    ctx.report('WARNING', stmt, `virtual server group ${name.text} has no entries - removing`);
    return undefined;
  }
  return { name: name.text, entries };
}

/** `A.B.C.D`, `A.B.C.D-E` (last octet), `X::Y-Z` (last group, hex), `A.B.C.D/nn`. */
function parseRange(text: string): { family: IpFamily; first: string; last: string } | undefined {
  if (text.includes('/')) {
    const p = parseIpPrefix(text);
    if (!p || p.prefix === 'bad' || p.prefix === undefined) return undefined;
    const bytes = Uint8Array.from(p.ip.bytes);
    const bits = bytes.length * 8;
    const first = Uint8Array.from(bytes);
    const last = Uint8Array.from(bytes);
    for (let i = p.prefix; i < bits; i++) {
      const byte = i >> 3;
      const bit = 0x80 >> (i & 7);
      first[byte] = (first[byte] as number) & ~bit;
      last[byte] = (last[byte] as number) | bit;
    }
    return { family: p.ip.family, first: formatIp(first), last: formatIp(last) };
  }
  const dash = text.lastIndexOf('-');
  if (dash < 0) {
    const ip = parseIp(text);
    return ip && { family: ip.family, first: ip.address, last: ip.address };
  }
  const ip = parseIp(text.slice(0, dash));
  if (!ip) return undefined;
  const end = text.slice(dash + 1);
  const full = parseIp(end);
  if (full)
    return full.family === ip.family
      ? { family: ip.family, first: ip.address, last: full.address }
      : undefined;
  const last = Uint8Array.from(ip.bytes);
  if (ip.family === 'inet') {
    if (!/^\d{1,3}$/.test(end) || Number(end) > 255 || Number(end) < (ip.bytes[3] as number))
      return undefined;
    last[3] = Number(end);
  } else {
    if (!/^[0-9a-fA-F]{1,4}$/.test(end)) return undefined;
    const v = parseInt(end, 16);
    if (v < (((ip.bytes[14] as number) << 8) | (ip.bytes[15] as number))) return undefined;
    last[14] = v >> 8;
    last[15] = v & 0xff;
  }
  return { family: ip.family, first: ip.address, last: formatIp(last) };
}

/** What getaddrinfo(AI_NUMERICHOST, AF_INET) takes: inet_aton's 1 to 4 parts, decimal, octal or hex. */
function isNumericIpv4(text: string): boolean {
  const parts = text.split('.');
  if (parts.length > 4) return false;
  const values = parts.map((p) =>
    /^0[xX][0-9a-fA-F]+$/.test(p)
      ? parseInt(p, 16)
      : /^0[0-7]*$/.test(p)
        ? parseInt(p, 8)
        : /^[1-9]\d*$/.test(p)
          ? Number(p)
          : NaN,
  );
  if (values.some((v) => Number.isNaN(v))) return false;
  const last = values[values.length - 1] as number;
  return values.slice(0, -1).every((v) => v <= 255) && last < 2 ** (8 * (5 - values.length));
}
