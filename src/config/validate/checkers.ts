/**
 * Checker blocks inside `real_server` (keepalived check/check_api.c common
 * keywords and check_http.c, check_tcp.c, check_misc.c, check_smtp.c, check_dns.c, check_udp.c,
 * check_ping.c, check_file.c).
 */
import type { Statement, Word } from '../ast.js';
import type { Loc } from '../diagnostics.js';
import { DNS_QUERY_TYPES, type Checker, type DnsChecker, type HttpUrl, type ScriptSpec } from '../model.js';
import type { IpFamily } from '../../lib/ip.js';
import type { Ctx } from './context.js';
import { block, plain, walk, type KeywordTable } from './engine.js';
import { parseIp, parseSockaddrIp } from '../../lib/ip.js';
import { readScript } from './script.js';
import { trackers } from './tracker-registry.js';
import { notActedOn, unsupported } from './unsupported.js';
import { parseBool, readInt, readTimerMs, readUnsigned } from './values.js';

export type CheckerType = Checker['type'];

/**
 * What a checker block sets; defaults come from the real and virtual server when it is completed.
 * Every field exists from the start (undefined when not set): one object shape for all drafts.
 */
export interface CheckerDraft {
  readonly type: CheckerType;
  /** The real server's family: where the checker connects unless connect_ip says otherwise. */
  readonly rsFamily: IpFamily | undefined;
  connectIp: string | undefined;
  connectPort: number | undefined;
  bindTo: string | undefined;
  bindPort: number | undefined;
  bindIf: string | undefined;
  connectTimeoutMs: number | undefined;
  fwmark: number | undefined;
  retry: number | undefined;
  delayBeforeRetryMs: number | undefined;
  warmupMs: number | undefined;
  delayLoopMs: number | undefined;
  alpha: boolean | undefined;
  logAllFailures: boolean | undefined;
  // HTTP_GET / SSL_GET
  urls: HttpUrl[];
  httpProtocol: '1.0' | '1.0C' | '1.1' | undefined;
  virtualhost: string | undefined;
  enableSni: boolean | undefined;
  fastRecovery: boolean | undefined;
  // MISC_CHECK
  script: ScriptSpec | undefined;
  miscTimeoutMs: number | undefined;
  miscDynamic: boolean | undefined;
  miscUser: { user: string; group: string | null } | undefined;
  /** keepalived dropped the checker while reading it (MISC_CHECK with a user that does not exist). */
  removed?: boolean;
  // SMTP_CHECK (each deprecated `host { }` block is one more checker)
  heloName: string | undefined;
  hosts: CheckerDraft[];
  // DNS_CHECK
  queryType: DnsChecker['queryType'] | undefined;
  queryName: string | undefined;
  // UDP_CHECK
  payload: string | undefined;
  requireReply: string | null | undefined;
  minReplyLength: number | undefined;
  maxReplyLength: number | undefined;
  // FILE_CHECK
  trackFile: string | undefined;
  trackFileAt: Word | undefined;
  fileWeight: number | undefined;
  fileReverse: boolean | undefined;
}

type H = (ctx: Ctx, stmt: Statement, d: CheckerDraft) => void;

const boolOpt =
  (what: string, set: (d: CheckerDraft, v: boolean) => void): H =>
  (ctx, stmt, d) => {
    const w = stmt.words[1];
    if (!w) return set(d, true);
    const v = parseBool(w.text);
    if (v === undefined) ctx.report('GENERAL_ERROR', w, `Invalid ${what} parameter ${w.text}`);
    else set(d, v);
  };

/** The timer keywords: keepalived's "ignore_error" reads report the bad value and keep the default. */
const timerOpt =
  (
    minUs: number,
    maxUs: number,
    message: (v: string) => string,
    set: (d: CheckerDraft, ms: number) => void,
  ): H =>
  (ctx, stmt, d) => {
    const w = ctx.arg(stmt, 1);
    if (!w) return;
    const v = readTimerMs(ctx, w, minUs, maxUs, true);
    if (v === undefined) ctx.report('GENERAL_ERROR', w, message(w.text));
    else set(d, v);
  };

const uintOpt =
  (min: number, max: number, message: (v: string) => string, set: (d: CheckerDraft, v: number) => void): H =>
  (ctx, stmt, d) => {
    const w = ctx.arg(stmt, 1);
    if (!w) return;
    const v = readUnsigned(ctx, w, min, max);
    if (v === undefined) ctx.report('GENERAL_ERROR', w, message(w.text));
    else set(d, v);
  };

/** retry, delay_before_retry, warmup, delay_loop, alpha, log_all_failures: every checker has them. */
const scheduling: KeywordTable<CheckerDraft> = {
  retry: plain(
    uintOpt(
      0,
      0xffffffff,
      (v) => `Invalid retry connection value '${v}'`,
      (d, v) => (d.retry = v),
    ),
  ),
  delay_before_retry: plain(
    timerOpt(
      0,
      0,
      (v) => `Invalid delay_before_retry connection value '${v}'`,
      (d, v) => (d.delayBeforeRetryMs = v),
    ),
  ),
  warmup: plain(
    timerOpt(
      0,
      0,
      (v) => `Invalid warmup connection value '${v}'`,
      (d, v) => (d.warmupMs = v),
    ),
  ),
  delay_loop: plain(
    timerOpt(
      1,
      0,
      (v) => `delay_loop '${v}' is invalid - ignoring`,
      (d, v) => (d.delayLoopMs = v),
    ),
  ),
  alpha: plain(boolOpt('alpha', (d, v) => (d.alpha = v))),
  log_all_failures: plain(boolOpt('log_all_failures', (d, v) => (d.logAllFailures = v))),
};

/** connect_ip ... fwmark: checkers that open a connection. */
const connection: KeywordTable<CheckerDraft> = {
  // keepalived co_ip_handler()/co_srcip_handler(): addresses read by inet_stosockaddr() (a prefix
  // is dropped); the destination starts as the real server's address, so bindto must match its
  // family even without connect_ip (SMTP_CHECK's hosts start unset).
  connect_ip: plain((ctx, stmt, d) => {
    const w = ctx.arg(stmt, 1);
    if (!w) return;
    const ip = parseSockaddrIp(w.text);
    if (!ip) ctx.report('GENERAL_ERROR', w, `Invalid connect_ip address ${w.text} - ignoring`);
    else if (d.bindTo !== undefined && parseIp(d.bindTo)?.family !== ip.family) {
      ctx.report(
        'GENERAL_ERROR',
        w,
        `connect_ip address ${w.text} does not match address family of bindto - skipping`,
      );
    } else d.connectIp = ip.address;
  }),
  connect_port: plain(
    uintOpt(
      1,
      65535,
      (v) => `Invalid checker connect_port '${v}'`,
      (d, v) => (d.connectPort = v),
    ),
  ),
  bindto: plain((ctx, stmt, d) => {
    const w = ctx.arg(stmt, 1);
    if (!w) return;
    const ip = parseSockaddrIp(w.text);
    const dst = d.connectIp !== undefined ? parseIp(d.connectIp)?.family : d.rsFamily;
    if (!ip) ctx.report('GENERAL_ERROR', w, `Invalid bindto address ${w.text} - ignoring`);
    else if (dst !== undefined && dst !== ip.family) {
      ctx.report(
        'GENERAL_ERROR',
        w,
        `bindto address ${w.text} does not match address family of connect_ip - skipping`,
      );
    } else d.bindTo = ip.address;
  }),
  bind_port: plain(
    uintOpt(
      1,
      65535,
      (v) => `Invalid checker bind_port '${v}'`,
      (d, v) => (d.bindPort = v),
    ),
  ),
  bind_if: plain((ctx, stmt, d) => {
    const w = ctx.arg(stmt, 1);
    if (!w) return;
    if (w.text.length > 15) ctx.report('GENERAL_ERROR', w, `Interface name ${w.text} is too long - ignoring`);
    else {
      d.bindIf = w.text;
      // Node's sockets cannot be bound to a device (SO_BINDTODEVICE); only IPv6 link-local scope uses it.
      ctx.report(
        'UNSUPPORTED',
        stmt,
        'bind_if: checks are not bound to the interface (only an IPv6 link-local bindto uses it)',
      );
    }
  }),
  connect_timeout: plain(
    timerOpt(
      1,
      0xffffffff,
      (v) => `connect_timeout ${v} invalid - ignoring`,
      (d, v) => (d.connectTimeoutMs = v),
    ),
  ),
  fwmark: plain((ctx, stmt, d) => {
    uintOpt(
      0,
      0xffffffff,
      (v) => `Invalid fwmark connection value '${v}'`,
      (dd, v) => (dd.fwmark = v),
    )(ctx, stmt, d);
    // SO_MARK on Node's sockets is not available: the mark is not set on check connections.
    if (d.fwmark !== undefined) ctx.report('UNSUPPORTED', stmt, 'fwmark: check connections are not marked');
  }),
  ...scheduling,
};

const urlKeywords: KeywordTable<HttpUrlDraft> = {
  path: plain((ctx, stmt, u) => {
    const w = ctx.arg(stmt, 1);
    if (w) u.path = w.text;
  }),
  digest: plain((ctx, stmt, u) => {
    const w = ctx.arg(stmt, 1);
    if (!w) return;
    if (u.digest !== null) {
      ctx.report('GENERAL_ERROR', w, `Digest '${w.text}' is a duplicate`);
      return;
    }
    if (w.text.length !== 32) {
      ctx.report(
        'GENERAL_ERROR',
        w,
        `digest '${w.text}' character length should be 32 rather than ${w.text.length}`,
      );
      return;
    }
    const bad = w.text.search(/[^0-9A-Fa-f]/);
    if (bad >= 0) {
      const i = bad - (bad % 2);
      ctx.report('GENERAL_ERROR', w, `Unable to interpret hex digit in '${w.text}' at offset ${i}/${i + 1}`);
      return;
    }
    u.digest = w.text.toLowerCase();
  }),
  status_code: plain((ctx, stmt, u) => {
    for (const w of stmt.words.slice(1)) {
      const m = /^(\d+)(?:-(\d+))?$/.exec(w.text);
      const lo = m ? Number(m[1]) : NaN;
      const hi = m?.[2] !== undefined ? Number(m[2]) : lo;
      if (!m || lo < 100 || hi > 599 || lo > hi) {
        ctx.report('GENERAL_ERROR', w, `Invalid HTTP_GET status code '${w.text}'`);
        continue;
      }
      u.statusCodes.push([lo, hi]);
    }
  }),
  virtualhost: plain((ctx, stmt, u) => {
    const w = stmt.words[1];
    if (!w) ctx.report('GENERAL_ERROR', stmt, 'Missing HTTP_GET virtualhost name');
    else u.virtualhost = w.text;
  }),
  regex: plain((ctx, stmt, u) => {
    // keepalived only logs this one (not a config error).
    if (stmt.words.length !== 2) ctx.report('NOTICE', stmt, 'regex missing or too many fields');
    else u.regex = (stmt.words[1] as Word).text;
  }),
  regex_no_match: plain((_ctx, _stmt, u) => (u.regexNoMatch = true)),
  ...unsupported<HttpUrlDraft>(['regex_options', 'regex_min_offset', 'regex_max_offset', 'regex_stack']),
};

interface HttpUrlDraft {
  path?: string;
  digest: string | null;
  statusCodes: [number, number][];
  virtualhost: string | null;
  regex: string | null;
  regexNoMatch: boolean;
}

const http: KeywordTable<CheckerDraft> = {
  ...connection,
  nb_get_retry: plain((ctx, stmt, d) => {
    ctx.report('GENERAL_ERROR', stmt, "nb_get_retry is deprecated - please use 'retry'");
    const w = ctx.arg(stmt, 1);
    const v = w && readUnsigned(ctx, w, 0, 0xffffffff);
    if (w && v === undefined) ctx.report('GENERAL_ERROR', w, `Invalid nb_get_retry value '${w.text}'`);
    else if (v !== undefined) d.retry = v;
  }),
  virtualhost: plain((ctx, stmt, d) => {
    const w = stmt.words[1];
    if (!w) ctx.report('GENERAL_ERROR', stmt, 'HTTP_GET virtualhost name missing');
    else d.virtualhost = w.text;
  }),
  http_protocol: plain((ctx, stmt, d) => {
    const w = stmt.words[1];
    if (!w) ctx.report('GENERAL_ERROR', stmt, 'Missing http_protocol version');
    else if (w.text === '1.0' || w.text === '1.1') d.httpProtocol = w.text;
    else if (w.text === '1.0C' || w.text === '1.0c') d.httpProtocol = '1.0C';
    else ctx.report('GENERAL_ERROR', w, `Invalid http_protocol version ${w.text}`);
  }),
  enable_sni: plain(boolOpt('enable_sni', (d, v) => (d.enableSni = v))),
  fast_recovery: notActedOn(
    'virtualServers[].realServers[].checkers[].fastRecovery',
    plain(boolOpt('fast_recovery', (d, v) => (d.fastRecovery = v))),
  ),
  url: block((ctx, stmt, d) => {
    const u: HttpUrlDraft = {
      digest: null,
      statusCodes: [],
      virtualhost: null,
      regex: null,
      regexNoMatch: false,
    };
    walk(ctx, stmt.block?.body ?? [], urlKeywords, u);
    if (u.path === undefined) {
      ctx.report(
        'GENERAL_ERROR',
        stmt.block?.close ?? stmt,
        'HTTP/SSL_GET checker url has no path - ignoring',
      );
      return;
    }
    d.urls.push({
      path: u.path,
      digest: u.digest,
      statusCodes: u.statusCodes.length > 0 ? u.statusCodes : [[200, 299]],
      virtualhost: u.virtualhost,
      regex: u.regex,
      regexNoMatch: u.regexNoMatch,
    });
  }),
};

const smtpHost: KeywordTable<CheckerDraft> = connection;

const tables: Record<CheckerType, KeywordTable<CheckerDraft>> = {
  HTTP_GET: http,
  SSL_GET: http,
  TCP_CHECK: connection,
  PING_CHECK: connection,
  MISC_CHECK: {
    ...scheduling,
    misc_path: plain((ctx, stmt, d) => {
      // keepalived: alone, no script (reported when the checker closes), not a missing parameter.
      if (stmt.words.length < 2) return;
      const s = readScript(ctx, stmt);
      if (s) d.script = s;
    }),
    misc_timeout: plain(
      uintOpt(
        0,
        Math.floor(0xffffffff / 1e6),
        (v) => `Invalid misc_timeout value '${v}'`,
        (d, v) => (d.miscTimeoutMs = v * 1000),
      ),
    ),
    misc_dynamic: plain((_ctx, _stmt, d) => (d.miscDynamic = true)),
    user: plain((ctx, stmt, d) => {
      const w = stmt.words[1];
      if (!w)
        ctx.report(
          'GENERAL_ERROR',
          stmt,
          `No user specified for misc checker script ${d.script?.command ?? ''}`,
        );
      else {
        const group = stmt.words[2]?.text ?? null;
        // keepalived misc_user_handler(): a user or group that does not exist removes the checker.
        if (
          ctx.host.userExists(w.text) === false ||
          (group !== null && ctx.host.groupExists(group) === false)
        ) {
          ctx.report(
            'GENERAL_ERROR',
            stmt,
            `Failed to set uid/gid for misc checker script ${d.script?.command ?? ''} - removing`,
          );
          d.removed = true;
        } else d.miscUser = { user: w.text, group };
      }
    }),
  },
  SMTP_CHECK: {
    ...connection,
    helo_name: plain((ctx, stmt, d) => {
      const w = stmt.words[1];
      if (!w) ctx.report('GENERAL_ERROR', stmt, 'SMTP_CHECK helo name missing');
      else d.heloName = w.text;
    }),
    host: block((ctx, stmt, d) => {
      const host = newCheckerDraft('SMTP_CHECK');
      walk(ctx, stmt.block?.body ?? [], smtpHost, host);
      d.hosts.push(host);
    }),
  },
  DNS_CHECK: {
    ...connection,
    type: plain((ctx, stmt, d) => {
      const w = ctx.arg(stmt, 1);
      if (!w) return;
      const t = DNS_QUERY_TYPES.find((x) => x === w.text.toUpperCase());
      if (!t) ctx.report('GENERAL_ERROR', w, `Unknown DNS check type ${w.text} - ignoring`);
      else d.queryType = t;
    }),
    name: plain((ctx, stmt, d) => {
      const w = ctx.arg(stmt, 1);
      if (!w) return;
      if (d.queryName !== undefined)
        ctx.report('GENERAL_ERROR', w, 'DNS_CHECK name already specified - ignoring');
      else if (/\.\./.test(w.text) || (w.text.startsWith('.') && w.text !== '.')) {
        ctx.report('GENERAL_ERROR', w, `DNS_CHECK name '${w.text}' has empty label - ignoring`);
      } else d.queryName = w.text;
    }),
  },
  UDP_CHECK: {
    ...connection,
    payload: plain((ctx, stmt, d) => {
      const w = stmt.words[1];
      if (!w) ctx.report('GENERAL_ERROR', stmt, 'UDP_CHECK payload requires a payload');
      else if (!/^([0-9A-Fa-f]{2})+$/.test(w.text))
        ctx.report('GENERAL_ERROR', w, 'Invalid hex string for UDP_CHECK payload');
      else d.payload = w.text.toLowerCase();
    }),
    require_reply: plain((ctx, stmt, d) => {
      const w = stmt.words[1];
      if (!w) d.requireReply = '';
      else if (!/^([0-9A-Fa-fXx]{2})+$/.test(w.text))
        ctx.report('GENERAL_ERROR', w, 'Invalid hex string for UDP_CHECK reply');
      else d.requireReply = w.text.toLowerCase();
    }),
    min_reply_length: plain(
      uintOpt(
        0,
        65535,
        (v) => `UDP_CHECK min length ${v} not valid - must be between 0 & 65535`,
        (d, v) => (d.minReplyLength = v),
      ),
    ),
    max_reply_length: plain(
      uintOpt(
        0,
        65535,
        (v) => `UDP_CHECK max length ${v} not valid - must be between 0 & 65535`,
        (d, v) => (d.maxReplyLength = v),
      ),
    ),
  },
  FILE_CHECK: {
    track_file: plain((ctx, stmt, d) => {
      const w = ctx.arg(stmt, 1);
      // keepalived stops at the missing parameter: no "no track_file" message follows.
      if (!w) return void (d.trackFile = '');
      // Resolved as keepalived reads it: a track_file defined further down is not found.
      if (!trackers(ctx).files.has(w.text)) {
        ctx.report('GENERAL_ERROR', stmt, `track_file ${w.text} not found`);
        return;
      }
      d.trackFile = w.text;
      d.trackFileAt = w;
    }),
    weight: plain((ctx, stmt, d) => {
      const w = stmt.words[1];
      if (!w) {
        ctx.report('GENERAL_ERROR', stmt, 'track file weight missing');
        return;
      }
      const v = readInt(ctx, w, -2147483647, 2147483647);
      if (v === undefined) {
        ctx.report(
          'GENERAL_ERROR',
          w,
          'weight for track file must be in [-2147483647..2147483647] inclusive. Ignoring...',
        );
        return;
      }
      const opt = stmt.words[2]?.text;
      if (opt !== undefined && opt !== 'reverse' && opt !== 'noreverse') {
        ctx.report(
          'GENERAL_ERROR',
          stmt.words[2] ?? stmt,
          `unknown track file weight option ${opt} - ignoring`,
        );
        return;
      }
      d.fileWeight = v;
      d.fileReverse = opt === 'reverse';
    }),
  },
};

const newCheckerDraft = (type: CheckerType, rsFamily?: IpFamily): CheckerDraft => ({
  type,
  rsFamily,
  urls: [],
  hosts: [],
  connectIp: undefined,
  connectPort: undefined,
  bindTo: undefined,
  bindPort: undefined,
  bindIf: undefined,
  connectTimeoutMs: undefined,
  fwmark: undefined,
  retry: undefined,
  delayBeforeRetryMs: undefined,
  warmupMs: undefined,
  delayLoopMs: undefined,
  alpha: undefined,
  logAllFailures: undefined,
  httpProtocol: undefined,
  virtualhost: undefined,
  enableSni: undefined,
  fastRecovery: undefined,
  script: undefined,
  miscTimeoutMs: undefined,
  miscDynamic: undefined,
  miscUser: undefined,
  heloName: undefined,
  queryType: undefined,
  queryName: undefined,
  payload: undefined,
  requireReply: undefined,
  minReplyLength: undefined,
  maxReplyLength: undefined,
  trackFile: undefined,
  trackFileAt: undefined,
  fileWeight: undefined,
  fileReverse: undefined,
});

export const CHECKER_TYPES: readonly CheckerType[] = [
  'HTTP_GET',
  'SSL_GET',
  'TCP_CHECK',
  'MISC_CHECK',
  'SMTP_CHECK',
  'DNS_CHECK',
  'UDP_CHECK',
  'PING_CHECK',
  'FILE_CHECK',
];

/** Parse a checker block; undefined when keepalived drops the checker at its `}`. */
export function parseChecker(
  ctx: Ctx,
  stmt: Statement,
  type: CheckerType,
  rsFamily?: IpFamily,
): CheckerDraft | undefined {
  const d = newCheckerDraft(type, type === 'SMTP_CHECK' ? undefined : rsFamily);
  walk(ctx, stmt.block?.body ?? [], tables[type], d);
  if (d.removed) return undefined;
  // Where keepalived reports a dropped checker: its closing brace (worked out only if needed).
  const end = (): Loc => stmt.block?.close ?? stmt.loc;
  if ((type === 'HTTP_GET' || type === 'SSL_GET') && d.urls.length === 0) {
    ctx.report('GENERAL_ERROR', end(), 'HTTP/SSL_GET checker has no urls specified - ignoring');
    return undefined;
  }
  if (type === 'MISC_CHECK' && !d.script) {
    ctx.report('GENERAL_ERROR', end(), 'No script path has been specified for MISC_CHECKER - skipping');
    return undefined;
  }
  if (type === 'FILE_CHECK' && d.trackFile === undefined) {
    ctx.report('GENERAL_ERROR', end(), 'FILE_CHECK has no track_file specified - ignoring');
    return undefined;
  }
  if (type === 'UDP_CHECK' && (d.minReplyLength ?? 0) > (d.maxReplyLength ?? 255)) {
    ctx.report(
      'GENERAL_ERROR',
      end(),
      `UDP_CHECK min_reply length ${d.minReplyLength ?? 0} > max_reply_length ${d.maxReplyLength ?? 255} - will always fail`,
    );
  }
  return d;
}
