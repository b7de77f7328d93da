/**
 * `global_defs` keywords keepalived-ts accepts but does not act on (process priorities and CPU
 * affinity, netlink buffer sizes, nftables, D-Bus, VMAC name prefixes, umask, config copies,
 * ...). Each is reported as not acted on (UNSUPPORTED), and its value is still read and checked the
 * way keepalived 2.2.7's handler (core/global_parser.c) reads it, with keepalived's messages, so
 * `-t` gives keepalived's verdict.
 *
 * Where keepalived's handler reads a word without checking it is there, a missing word is
 * keepalived's "missing a parameter" (`ctx.arg`); where it checks first, its own message.
 */
import type { Statement, Word } from '../ast.js';
import type { Ctx, HostFacts } from './context.js';
import type { Keyword, KeywordKind, KeywordTable } from './engine.js';
import { parseBool, readInt, readUnsigned } from './values.js';

/** What the not-acted-on keywords remember between lines ("already specified" and the like). */
export interface TuningState {
  /** Keyword (or group of keywords) → the value first given. */
  readonly seen: Map<string, string>;
  /** vrrp_rx_bufs_policy bits, accumulated over lines as keepalived does. */
  rxPolicy: number;
}

export const newTuningState = (): TuningState => ({ seen: new Map(), rxPolicy: 0 });

type Check<D> = (ctx: Ctx, stmt: Statement, d: D) => void;

const text = (stmt: Statement, i: number): string | undefined => stmt.words[i]?.text;
const name = (stmt: Statement): string => stmt.words[0]?.text ?? '';

/** A keyword we do not act on: say so, then check its value as keepalived does. */
export function ignored<D>(check: Check<D> = () => undefined, kind: KeywordKind = 'plain'): Keyword<D> {
  return {
    kind,
    handle: (ctx, stmt, d) => {
      ctx.report('UNSUPPORTED', stmt, `${name(stmt)}: not supported - ignored`);
      check(ctx, stmt, d);
    },
  };
}

/** keepalived check_true_false() after an optional word; `message` when it is not a boolean. */
export function optionalBool(
  ctx: Ctx,
  stmt: Statement,
  message: (word: string) => string,
): boolean | undefined {
  const w = stmt.words[1];
  if (!w) return true;
  const b = parseBool(w.text);
  if (b === undefined) ctx.report('GENERAL_ERROR', stmt, message(w.text));
  return b;
}

/** The "Invalid value 'X' for global KEYWORD specified" booleans. */
export const globalBool = (ctx: Ctx, stmt: Statement, label = name(stmt)): boolean | undefined =>
  optionalBool(ctx, stmt, (w) => `Invalid value '${w}' for global ${label} specified`);

/** keepalived read_unsigned_strvec() on word `i` (a missing word is a missing parameter). */
function unsignedAt(ctx: Ctx, stmt: Statement, i: number, min: number, max: number): number | undefined {
  const w = ctx.arg(stmt, i);
  return w && readUnsigned(ctx, w, min, max);
}

/** keepalived read_int_strvec() on word `i`. */
function intAt(ctx: Ctx, stmt: Statement, i: number, min: number, max: number): number | undefined {
  const w = ctx.arg(stmt, i);
  return w && readInt(ctx, w, min, max);
}

/** C strtol(s, NULL, 10) as keepalived's read_int_func() leaves it in its result (an int). */
function strtolInt(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d+)/.exec(s);
  if (!m) return 0;
  const v = BigInt(`${m[1]}${m[2]}`);
  return Number(BigInt.asIntN(32, v));
}

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;
const UINT_MAX = 4294967295;

/** sched_get_priority_min/max(SCHED_RR) on Linux. */
const RR_MIN = 1;
const RR_MAX = 99;

/** `*_process_name`: keepalived truncates a name of more than 15 characters (TASK_COMM_LEN). */
const processName: Check<unknown> = (ctx, stmt) => {
  const w = ctx.arg(stmt, 1);
  if (w && Buffer.byteLength(w.text) >= 16)
    ctx.report('GENERAL_ERROR', stmt, `Process name ${w.text} more than 15 characters, truncating`);
};

/** `vrrp_priority` and the like: a nice value. */
const priority =
  (process: string): Check<unknown> =>
  (ctx, stmt) => {
    if (stmt.words.length < 2)
      return void ctx.report('GENERAL_ERROR', stmt, `No ${process} process priority specified`);
    if (intAt(ctx, stmt, 1, -20, 19) === undefined)
      ctx.report('GENERAL_ERROR', stmt, `Invalid ${process} process priority specified`);
  };

/** `vrrp_rt_priority` and the like: any int, then brought into the SCHED_RR range. */
const rtPriority =
  (process: string): Check<unknown> =>
  (ctx, stmt) => {
    if (stmt.words.length < 2)
      return void ctx.report('GENERAL_ERROR', stmt, `No ${process} process real-time priority specified`);
    const v = intAt(ctx, stmt, 1, INT_MIN, INT_MAX);
    if (v === undefined)
      ctx.report('GENERAL_ERROR', stmt, `${process} process real-time priority '${text(stmt, 1)}' invalid`);
    else if (v < RR_MIN)
      ctx.report(
        'GENERAL_ERROR',
        stmt,
        `${process} process real-time priority ${v} less than minimum ${RR_MIN} - setting to minimum`,
      );
    else if (v > RR_MAX)
      ctx.report(
        'GENERAL_ERROR',
        stmt,
        `${process} process real-time priority ${v} greater than maximum ${RR_MAX} - setting to maximum`,
      );
  };

const host = (ctx: Ctx): HostFacts => ctx.host;

/** The CPUs online; unbounded when the host does not say. */
const onlineCpus = (ctx: Ctx): number => host(ctx).onlineCpus?.() ?? INT_MAX;

/** `vrrp_cpu_affinity` and the like: CPU numbers; the first bad one stops the line. */
const cpuAffinity =
  (process: string): Check<unknown> =>
  (ctx, stmt) => {
    if (stmt.words.length < 2)
      return void ctx.report('GENERAL_ERROR', stmt, `No ${process} cpu_id set specified`);
    const last = Math.min(onlineCpus(ctx) - 1, INT_MAX);
    for (const w of stmt.words.slice(1)) {
      if (readInt(ctx, w, 0, last) === undefined) {
        ctx.report(
          'GENERAL_ERROR',
          stmt,
          `Invalid cpu_id:${strtolInt(w.text)} specified for ${process} process`,
        );
        return;
      }
    }
  };

/** `vrrp_rlimit_rttime` and the like (and the deprecated `*_rlimit_rtime`). */
const rtRlimit =
  (process: string): Check<unknown> =>
  (ctx, stmt) => {
    const w = ctx.arg(stmt, 1);
    if (w && readUnsigned(ctx, w, 1, UINT_MAX) === undefined)
      ctx.report('GENERAL_ERROR', stmt, `Invalid ${process} real-time limit - ${w.text}`);
  };

/** `*_netlink_*_rcv_bufs`, `process_monitor_rcv_bufs`: a size in bytes. */
const rcvBufs: Check<unknown> = (ctx, stmt) => {
  const type = name(stmt).replace(/_rcv_bufs$/, '');
  if (stmt.words.length < 2) return void ctx.report('GENERAL_ERROR', stmt, `${type}_rcv_bufs size missing`);
  if (unsignedAt(ctx, stmt, 1, 0, UINT_MAX) === undefined)
    ctx.report('GENERAL_ERROR', stmt, `${type}_rcv_bufs size (${text(stmt, 1)}) invalid`);
};

const bool: Check<unknown> = (ctx, stmt) => void globalBool(ctx, stmt);

const chainPriority =
  (what: string): Check<unknown> =>
  (ctx, stmt) => {
    const w = ctx.arg(stmt, 1);
    if (w && readInt(ctx, w, INT_MIN, INT_MAX) === undefined)
      ctx.report('INVALID_NUMBER', stmt, `invalid ${what} chain priority '${w.text}'`);
  };

/** keepalived umask_handler(): an octal/decimal/hex number alone, or IRUSR|IWUSR|... bit names. */
const umask: Check<unknown> = (ctx, stmt) => {
  const mask = ctx.arg(stmt, 1);
  if (!mask) return;
  if (/^[0-9]/.test(mask.text)) {
    if (stmt.words.length !== 2)
      return void ctx.report('GENERAL_ERROR', stmt, 'Extra parameter(s) to umask option');
    // strtol(base 0): 0x hex, 0 octal, else decimal; the whole word must be the number.
    const t = mask.text;
    const value = /^0[xX][0-9a-fA-F]+$/.test(t)
      ? parseInt(t.slice(2), 16)
      : /^0[0-7]*$/.test(t)
        ? parseInt(t, 8)
        : /^[1-9][0-9]*$/.test(t)
          ? Number(t)
          : NaN;
    if (!(value >= 0 && value <= 0o777))
      ctx.report('GENERAL_ERROR', stmt, `invalid umask value ${mask.text}`);
    return;
  }
  const bits = ['IRUSR', 'IWUSR', 'IXUSR', 'IRGRP', 'IWGRP', 'IXGRP', 'IROTH', 'IWOTH', 'IXOTH'];
  let needOr = false;
  for (const w of stmt.words.slice(1)) {
    let p = w.text;
    while (p !== '') {
      if (needOr) {
        if (p.startsWith('|')) {
          needOr = false;
          p = p.slice(1);
          continue;
        }
        return void ctx.report('GENERAL_ERROR', stmt, `Invalid umask syntax ${w.text}`);
      }
      if (!bits.includes(p.slice(0, 5)))
        return void ctx.report('GENERAL_ERROR', stmt, `Unknown umask bit ${p}`);
      p = p.slice(5);
      needOr = true;
    }
  }
  if (!needOr) ctx.report('GENERAL_ERROR', stmt, 'umask missing bit value');
};

/** keepalived include_check_set(). */
const includeCheck: Check<unknown> = (ctx, stmt) => {
  const known = ['read', 'match', 'wildcard_match', 'brace_match'];
  stmt.words.slice(1).forEach((w, i) => {
    const sign = w.text.startsWith('-') || w.text.startsWith('+');
    if (!sign && i > 0)
      return void ctx.report(
        'GENERAL_ERROR',
        stmt,
        `Duplicate include_check '${w.text}' specified - ignoring`,
      );
    const type = sign ? w.text.slice(1) : w.text;
    if (!known.includes(type))
      ctx.report('GENERAL_ERROR', stmt, `Unknown include_check type '${type}' - ignoring`);
  });
};

/** stat() errno codes keepalived prints with %m. */
const ERRNO: Record<string, [number, string]> = {
  ENOENT: [2, 'No such file or directory'],
  EACCES: [13, 'Permission denied'],
  ENOTDIR: [20, 'Not a directory'],
  ENAMETOOLONG: [36, 'File name too long'],
  ELOOP: [40, 'Too many levels of symbolic links'],
};
const errnoText = (code: string): string => {
  const [n, m] = ERRNO[code] ?? [5, 'Input/output error'];
  return `error ${n} - ${m}`;
};

/**
 * keepalived config_save_dir_handler() in the parent: an existing directory, or one it can create
 * (keepalived creates it even under `-t`; we only check that it could, i.e. its parent is a
 * directory).
 */
const configSaveDir: Check<unknown> = (ctx, stmt) => {
  const w = ctx.arg(stmt, 1);
  const stat = host(ctx).statPath?.bind(host(ctx));
  if (!w || !stat) return;
  const dir = w.text;
  const kind = stat(dir);
  if (kind === undefined || kind === 'dir') return;
  if (kind === 'other')
    return void ctx.report('GENERAL_ERROR', stmt, `config_save_dir ${dir} exists and is not a directory`);
  if (kind !== 'ENOENT')
    return void ctx.report('GENERAL_ERROR', stmt, `config_save_dir ${dir} ${errnoText(kind)}`);
  const slash = dir.replace(/\/+$/, '').lastIndexOf('/');
  const parent = slash > 0 ? dir.slice(0, slash) : slash === 0 ? '/' : '.';
  const up = stat(parent);
  if (up === undefined || up === 'dir') return;
  ctx.report(
    'GENERAL_ERROR',
    stmt,
    `Unable to create config_save_dir ${dir} (${errnoText(up === 'other' ? 'ENOTDIR' : up)})`,
  );
};

/** `vrrp_garp_extra_if [all] SECONDS` (and its deprecated name `vrrp_vmac_garp_intvl`). */
const garpExtraIf: Check<unknown> = (ctx, stmt) => {
  const cmd = name(stmt);
  if (cmd === 'vrrp_vmac_garp_intvl')
    ctx.report(
      'DEPRECATED',
      stmt,
      'Keyword "vrrp_vmac_garp_intvl" is deprecated - please use "vrrp_garp_extra_if"',
    );
  let delay = 0;
  for (const w of stmt.words.slice(1)) {
    if (w.text === 'all') continue;
    const v = readUnsigned(ctx, w, 1, 86400);
    if (v === undefined)
      return void ctx.report('GENERAL_ERROR', stmt, `${cmd} '${w.text}' invalid - ignoring`);
    delay = v;
  }
  if (!delay) ctx.report('GENERAL_ERROR', stmt, `${cmd} specified without time - ignoring`);
};

const RX_MTU = 1;
const RX_ADVERT = 2;
const RX_SIZE = 4;

/** The global_defs keywords we accept without acting on them, by the draft's tuning state. */
export function tuningKeywords<D>(state: (d: D) => TuningState): KeywordTable<D> {
  const once =
    (
      key: string,
      already: (stmt: Statement, first: string) => string,
      set: Check<D> = () => undefined,
    ): Check<D> =>
    (ctx, stmt, d) => {
      const seen = state(d).seen;
      const first = seen.get(key);
      if (first !== undefined) return void ctx.report('GENERAL_ERROR', stmt, already(stmt, first));
      set(ctx, stmt, d);
    };
  const remember = (key: string, value: string | undefined, d: D): void => {
    if (value !== undefined) state(d).seen.set(key, value);
  };
  /** `nftables`, `nftables_ipvs`: an optional table name, once. */
  const nftables =
    (what: string): Check<D> =>
    (ctx, stmt, d) => {
      const seen = state(d).seen;
      if (seen.has(name(stmt)))
        return void ctx.report('GENERAL_ERROR', stmt, `${what} already specified - ignoring`);
      const table = text(stmt, 1);
      // NFT_TABLE_MAXNAMELEN (NFT_NAME_MAXLEN) is 256 with the NUL.
      if (table !== undefined && Buffer.byteLength(table) >= 256)
        return void ctx.report('GENERAL_ERROR', stmt, `${what} table name too long - ignoring`);
      seen.set(name(stmt), table ?? '');
    };
  const vmacPrefix =
    (key: string, label: string): Check<D> =>
    (ctx, stmt, d) => {
      if (state(d).seen.has(key)) {
        const w = ctx.arg(stmt, 1);
        if (w) ctx.report('GENERAL_ERROR', stmt, `${label} has already been specified - ignoring ${w.text}`);
        return;
      }
      remember(key, ctx.arg(stmt, 1)?.text, d);
    };

  const table: Record<string, Keyword<D>> = {
    process_names: ignored(),
    process_name: ignored(processName),
    vrrp_process_name: ignored(processName),
    checker_process_name: ignored(processName),
    lvs_process_name: ignored(processName),
    bfd_process_name: ignored(processName),
    max_auto_priority: ignored((ctx, stmt) => {
      if (stmt.words.length < 2) return;
      if (intAt(ctx, stmt, 1, -1, RR_MAX) === undefined)
        ctx.report(
          'GENERAL_ERROR',
          stmt,
          `max_auto_priority '${text(stmt, 1)}' must be in [0, ${RR_MAX}] (or -1 to disable) - ignoring`,
        );
    }),
    min_auto_priority_delay: ignored((ctx, stmt) => {
      if (stmt.words.length < 2)
        return void ctx.report('GENERAL_ERROR', stmt, 'min_auto_priority_delay requires delay time');
      if (intAt(ctx, stmt, 1, 1, 10000000) === undefined)
        ctx.report(
          'GENERAL_ERROR',
          stmt,
          `min_auto_priority_delay '${text(stmt, 1)}' must be in [1, 10000000] - ignoring`,
        );
    }),
    // keepalived checks the kernel knob is writable; as root it is whenever it exists.
    disable_local_igmp: ignored(),
    vrrp_garp_extra_if: ignored(garpExtraIf),
    vrrp_vmac_garp_intvl: ignored(garpExtraIf),
    // This keepalived build has nftables and no iptables: any use is reported.
    vrrp_iptables: ignored((ctx, stmt) =>
      ctx.report(
        'GENERAL_ERROR',
        stmt,
        "iptables not supported, using nftables instead. Please replace 'vrrp_iptables and 'vrrp_ipsets' with 'nftables' config option",
      ),
    ),
    vrrp_ipsets: ignored(),
    nftables: ignored(nftables('nftables')),
    nftables_priority: ignored(chainPriority('nftables')),
    nftables_ifindex: ignored(),
    nftables_ipvs: ignored(nftables('ipvs nftables')),
    nftables_ipvs_priority: ignored(chainPriority('ipvs nftables')),
    nftables_ipvs_start_fwmark: ignored((ctx, stmt) => {
      const w = ctx.arg(stmt, 1);
      if (w && readUnsigned(ctx, w, 1, UINT_MAX) === undefined)
        ctx.report('INVALID_NUMBER', stmt, `invalid ipvs nftables start_fwmark priority '${w.text}'`);
    }),
    nftables_counters: ignored(),
    enable_dbus: ignored(),
    dbus_service_name: ignored((ctx, stmt) => {
      if (stmt.words.length < 2) ctx.report('GENERAL_ERROR', stmt, 'dbus_service_name missing - ignoring');
    }),
    rs_init_notifies: ignored(bool),
    vrrp_rx_bufs_policy: ignored((ctx, stmt, d) => {
      if (stmt.words.length < 2) return void ctx.report('GENERAL_ERROR', stmt, 'vrrp_rx_bufs_policy missing');
      const s = state(d);
      for (const w of stmt.words.slice(1)) {
        const upper = w.text.toUpperCase();
        if (upper === 'MTU') s.rxPolicy |= RX_MTU;
        else if (upper === 'ADVERT') s.rxPolicy |= RX_ADVERT;
        // keepalived reads the size from the first word whichever word this is.
        else if (readUnsigned(ctx, stmt.words[1] as Word, 0, UINT_MAX) === undefined)
          ctx.report('GENERAL_ERROR', stmt, `Invalid vrrp_rx_bufs_policy ${w.text}`);
        else s.rxPolicy |= RX_SIZE;
      }
      if (s.rxPolicy & RX_SIZE && s.rxPolicy & (RX_MTU | RX_ADVERT)) {
        ctx.report('GENERAL_ERROR', stmt, 'Cannot set vrrp_rx_bufs_policy size and policy, ignoring policy');
        s.rxPolicy &= ~(RX_MTU | RX_ADVERT);
      } else if (s.rxPolicy & RX_MTU && s.rxPolicy & RX_ADVERT) {
        ctx.report(
          'GENERAL_ERROR',
          stmt,
          'Cannot set both vrrp_rx_bufs_policy MTU and ADVERT, ignoring ADVERT',
        );
        s.rxPolicy &= ~RX_ADVERT;
      }
    }),
    vrrp_rx_bufs_multiplier: ignored((ctx, stmt) => {
      if (stmt.words.length !== 2)
        return void ctx.report('GENERAL_ERROR', stmt, 'Invalid vrrp_rx_bufs_multiplier');
      if (unsignedAt(ctx, stmt, 1, 1, UINT_MAX) === undefined)
        ctx.report('GENERAL_ERROR', stmt, `Invalid vrrp_rx_bufs_multiplier ${text(stmt, 1)}`);
    }),
    log_unknown_vrids: ignored(),
    vmac_prefix: ignored(vmacPrefix('vmac_prefix', 'vmac prefix')),
    vmac_addr_prefix: ignored(vmacPrefix('vmac_addr_prefix', 'vmac_addr prefix')),
    umask: ignored(umask),
    reload_time_file: ignored((ctx, stmt) => {
      if (stmt.words.length !== 2) ctx.report('GENERAL_ERROR', stmt, 'reload_time_file invalid');
    }),
    reload_repeat: ignored(),
    reload_file: ignored(),
    include_check: {
      kind: 'plain',
      handle: (ctx, stmt, d) => {
        ctx.report(
          'UNSUPPORTED',
          stmt,
          'include_check: not supported (use includea, includem, ... or -e/--all-config) - ignored',
        );
        includeCheck(ctx, stmt, d);
      },
    },
    config_save_dir: ignored(configSaveDir),
    tmp_config_directory: ignored(
      once(
        'tmp_config_directory',
        () => 'tmp_config_directory already specified - ignoring',
        (ctx, stmt, d) => {
          const w = text(stmt, 1);
          if (w === undefined)
            ctx.report('GENERAL_ERROR', stmt, 'tmp_config_directory missing directory name');
          remember('tmp_config_directory', w, d);
        },
      ),
    ),
    data_use_instance: ignored((ctx, stmt) => void globalBool(ctx, stmt, 'date_use_instance')),
  };
  for (const process of ['vrrp', 'checker', 'bfd']) {
    table[`${process}_priority`] = ignored(priority(process));
    table[`${process}_no_swap`] = ignored();
    table[`${process}_rt_priority`] = ignored(rtPriority(process));
    table[`${process}_cpu_affinity`] = ignored(cpuAffinity(process));
    table[`${process}_rlimit_rttime`] = ignored(rtRlimit(process));
    table[`${process}_rlimit_rtime`] = ignored(rtRlimit(process));
  }
  for (const bufs of [
    'vrrp_netlink_cmd',
    'vrrp_netlink_monitor',
    'process_monitor',
    'lvs_netlink_cmd',
    'lvs_netlink_monitor',
  ]) {
    table[`${bufs}_rcv_bufs`] = ignored(rcvBufs);
    table[`${bufs}_rcv_bufs_force`] = ignored(bool);
  }
  return table;
}
