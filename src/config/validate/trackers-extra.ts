/**
 * Top-level blocks keepalived-ts reads but does not act on: `bfd_instance` (keepalived
 * bfd/bfd_parser.c), `vrrp_track_process`, `garp_group` and `track_group` (vrrp/vrrp_parser.c),
 * and the `BFD_CHECK` checker (check/check_bfd.c). Each block is reported UNSUPPORTED, and its
 * contents are checked keyword by keyword with keepalived's messages, so `-t` gives keepalived's
 * verdict on them.
 *
 * keepalived reads the config once per process (checker, VRRP, BFD), each with its own handlers
 * for `bfd_instance`: the BFD process checks the session parameters, the VRRP process the
 * `weight`, and `vrrp` / `checker` say which of those two processes may track the instance.
 */
import type { Statement, Word } from '../ast.js';
import { formatIp, parseIpv4, parseIpv6 } from '../../lib/ip.js';
import type { Ctx } from './context.js';
import { readDecimal } from './decimal.js';
import { plain, valueLines, values, walk, type KeywordTable } from './engine.js';
import { trackers } from './tracker-registry.js';
import { parseBool, readInt, readUnsigned } from './values.js';

const unsupportedBlock = (ctx: Ctx, stmt: Statement): void => {
  ctx.report('UNSUPPORTED', stmt, `${stmt.words[0]?.text ?? ''}: not supported - ignored`);
};

/** What keepalived's processes keep between blocks, per validation. */
interface ExtraState {
  /** BFD process: the instances configured, by name, with their addresses. */
  readonly bfds: { name: string; nbr: Addr; src: Addr | undefined }[];
  /** keepalived's static `neighbor_str` (see bfdNeighbor()). */
  neighborWord: string;
  /** garp_group: the groups so far and which interfaces each one took. */
  readonly garpGroups: GarpDraft[];
  readonly garpInterfaces: Map<string, GarpDraft>;
  readonly trackGroups: Set<string>;
  /** BFD_CHECK: the BFD sessions each real server already monitors. */
  readonly rsBfds: WeakMap<object, Set<string>>;
}

const states = new WeakMap<Ctx, ExtraState>();

function state(ctx: Ctx): ExtraState {
  let s = states.get(ctx);
  if (!s) {
    s = {
      bfds: [],
      neighborWord: 'neighbor',
      garpGroups: [],
      garpInterfaces: new Map(),
      trackGroups: new Set(),
      rsBfds: new WeakMap(),
    };
    states.set(ctx, s);
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// bfd_instance

interface Addr {
  readonly family: 'inet' | 'inet6';
  readonly text: string;
}

/** keepalived inet_stosockaddr(): the family from a ':', anything from a '-' or '/' dropped. */
function readAddr(text: string): Addr | undefined {
  const family = text.includes(':') ? 'inet6' : 'inet';
  const cut = text.search(/[-/]/);
  const bare = cut < 0 ? text : text.slice(0, cut);
  const bytes = family === 'inet' ? parseIpv4(bare) : parseIpv6(bare);
  return bytes ? { family, text: formatIp(bytes) } : undefined;
}

/** keepalived BFD_* limits (bfd.h). */
const BFD_INTERVAL_MAX = Math.floor(0xffffffff / 1000);
const BFD_INAME_MAX = 32;

interface BfdDraft {
  readonly name: string;
  /** The BFD process reads the block (not skipped, not disabled). */
  bfd: boolean;
  /** The VRRP process reads the block. */
  readonly vrrp: boolean;
  nbr: Addr | undefined;
  src: Addr | undefined;
  ttl: number;
  maxHops: number;
  events: { vrrp: boolean; checker: boolean };
}

/** A BFD process keyword: skipped when that process does not read the block. */
const bfdOnly = (handle: (ctx: Ctx, stmt: Statement, d: BfdDraft, w: Word) => void) =>
  plain<BfdDraft>((ctx, stmt, d) => {
    if (!d.bfd) return;
    const w = ctx.arg(stmt, 1);
    if (w) handle(ctx, stmt, d, w);
    // keepalived stops at a missing parameter: nothing is reported at the `}`.
    else d.bfd = false;
  });

const interval = (what: string, minMs: number) =>
  bfdOnly((ctx, _stmt, d, w) => {
    if (readDecimal(ctx, w, 3, minMs * 1000, BFD_INTERVAL_MAX * 1000) === undefined) {
      ctx.report(
        'GENERAL_ERROR',
        w,
        `Configuration error: BFD instance ${d.name} ${what} value ${w.text} is not valid (must be in range [${minMs}-${BFD_INTERVAL_MAX}]), ignoring`,
      );
    }
  });

const ttl = bfdOnly((ctx, _stmt, d, w) => {
  const v = readUnsigned(ctx, w, 1, 255);
  if (v === undefined) {
    ctx.report(
      'GENERAL_ERROR',
      w,
      `Configuration error: BFD instance ${d.name} ttl/hoplimit value ${w.text} not valid (must be in range [1-255]), ignoring`,
    );
  } else d.ttl = v;
});

const bfdNeighbor = bfdOnly((ctx, _stmt, d, w) => {
  const s = state(ctx);
  // keepalived compares the address (not the keyword) with "neighbour_ip" to pick its wording.
  if (w.text === 'neighbour_ip') s.neighborWord = 'neighbour';
  const a = readAddr(w.text);
  if (!a) {
    ctx.report(
      'GENERAL_ERROR',
      w,
      `Configuration error: BFD instance ${d.name} has malformed ${s.neighborWord} address ${w.text}, ignoring instance`,
    );
    // Dropped, and the rest of its block is skipped by the BFD process.
    d.bfd = false;
    return;
  }
  d.nbr = a;
});

const bfdInstanceKeywords: KeywordTable<BfdDraft> = {
  source_ip: bfdOnly((ctx, _stmt, d, w) => {
    const a = readAddr(w.text);
    if (a) d.src = a;
    else {
      ctx.report(
        'GENERAL_ERROR',
        w,
        `Configuration error: BFD instance ${d.name} has malformed source address ${w.text}, ignoring`,
      );
    }
  }),
  neighbor_ip: bfdNeighbor,
  neighbour_ip: bfdNeighbor,
  min_rx: interval('min_rx', 1),
  min_tx: interval('min_tx', 1),
  idle_tx: interval('idle_tx', 1000),
  multiplier: bfdOnly((ctx, _stmt, d, w) => {
    if (readUnsigned(ctx, w, 1, 255) === undefined) {
      ctx.report(
        'GENERAL_ERROR',
        w,
        `Configuration error: BFD instance ${d.name} multiplier value ${w.text} not valid (must be in range [1-255]), ignoring`,
      );
    }
  }),
  passive: plain(() => undefined),
  ttl,
  hoplimit: ttl,
  max_hops: bfdOnly((ctx, _stmt, d, w) => {
    const v = readInt(ctx, w, -1, 255);
    if (v === undefined) {
      ctx.report(
        'GENERAL_ERROR',
        w,
        `Configuration error: BFD instance ${d.name} max_hops value ${w.text} not valid (must be in range [-1-255]), ignoring`,
      );
    } else d.maxHops = v;
  }),
  // The VRRP process's keyword.
  weight: plain((ctx, stmt, d) => {
    if (!d.vrrp) return;
    const w = ctx.arg(stmt, 1);
    if (!w) return;
    if (readInt(ctx, w, -253, 253) === undefined) {
      ctx.report(
        'GENERAL_ERROR',
        w,
        `Configuration error: BFD instance ${d.name} weight value ${w.text} not valid (must be in range [-253-253]), ignoring`,
      );
    }
    const r = stmt.words[2];
    if (r && r.text !== 'reverse') {
      ctx.report(
        'GENERAL_ERROR',
        r,
        `Configuration error: BFD instance ${d.name} unknown weight option ${r.text}`,
      );
    }
  }),
  vrrp: plain((_ctx, _stmt, d) => (d.events.vrrp = true)),
  checker: plain((_ctx, _stmt, d) => (d.events.checker = true)),
};

/** `bfd_instance NAME { }` */
export function bfdInstance(ctx: Ctx, stmt: Statement): void {
  unsupportedBlock(ctx, stmt);
  const name = ctx.arg(stmt, 1);
  if (!name) return;
  const s = state(ctx);
  const reg = trackers(ctx);
  const at = stmt;
  const n = name.text;
  // Each process's own check of the name; a process that refuses it skips the whole block.
  let bfd = true;
  if (n.length >= BFD_INAME_MAX) {
    ctx.report(
      'GENERAL_ERROR',
      at,
      `Configuration error: BFD instance ${n} name too long (maximum length is ${BFD_INAME_MAX - 1} characters) - ignoring`,
    );
    bfd = false;
  } else if (s.bfds.some((b) => b.name === n)) {
    ctx.report('GENERAL_ERROR', at, `Configuration error: BFD instance ${n} already configured - ignoring`);
    bfd = false;
  }
  let vrrp = true;
  if (n.length >= BFD_INAME_MAX) {
    ctx.report('GENERAL_ERROR', at, `BFD name ${n} too long`);
    vrrp = false;
  } else if (reg.vrrpBfds.has(n)) {
    ctx.report('GENERAL_ERROR', at, `BFD ${n} already specified`);
    vrrp = false;
  }
  let checker = true;
  if (reg.checkerBfds.has(n)) {
    ctx.report('GENERAL_ERROR', at, `BFD ${n} already specified`);
    checker = false;
  }
  if (!bfd && !vrrp && !checker) return;
  const d: BfdDraft = {
    name: n,
    bfd,
    vrrp,
    nbr: undefined,
    src: undefined,
    ttl: 0,
    maxHops: 0,
    events: { vrrp: false, checker: false },
  };
  walk(ctx, stmt.block?.body ?? [], bfdInstanceKeywords, d);
  const end = stmt.block?.close ?? stmt.loc;
  if (d.bfd) completeBfd(ctx, s, d, end);
  const any = d.events.vrrp || d.events.checker;
  if (vrrp && (!any || d.events.vrrp)) reg.vrrpBfds.add(n);
  if (checker && (!any || d.events.checker)) reg.checkerBfds.add(n);
}

/** keepalived bfd_end_handler(): the BFD process's checks at the block's `}`. */
function completeBfd(ctx: Ctx, s: ExtraState, d: BfdDraft, end: Statement['loc']): void {
  const nbr = d.nbr;
  const word = s.neighborWord;
  if (!nbr) {
    ctx.report(
      'GENERAL_ERROR',
      end,
      `Configuration error: BFD instance ${d.name} has no ${word} address set, disabling instance`,
    );
    return;
  }
  const src = d.src;
  if (src && src.family !== nbr.family) {
    // keepalived prints both through one static buffer: the source address twice.
    ctx.report(
      'GENERAL_ERROR',
      end,
      `Configuration error: BFD instance ${d.name} source address ${src.text} and ${word} address ${src.text} are not of the same family, disabling instance`,
    );
    return;
  }
  const same = (a: Addr, b: Addr): boolean => a.family === b.family && a.text === b.text;
  const dup = s.bfds.some((b) => same(b.nbr, nbr) && (!b.src || !src || same(b.src, src)));
  if (dup) {
    ctx.report(
      'GENERAL_ERROR',
      end,
      src
        ? `Configuration error: BFD instance ${d.name} has duplicate source/${word} address ${src.text}/${nbr.text}, ignoring instance`
        : `Configuration error: BFD instance ${d.name} has duplicate ${word} address ${nbr.text}, ignoring instance`,
    );
    return;
  }
  const ttlValue = d.ttl || (nbr.family === 'inet' ? 255 : 64);
  if (d.maxHops > ttlValue) {
    ctx.report(
      'GENERAL_ERROR',
      end,
      `BFD instance ${d.name}: max_hops exceeds ttl/hoplimit - setting to ttl/hoplimit`,
    );
  }
  s.bfds.push({ name: d.name, nbr, src });
}

// ---------------------------------------------------------------------------------------------
// vrrp_track_process

interface ProcessDraft {
  readonly name: string;
  hasProcess: boolean;
  weight: number;
  quorum: number;
  quorumMax: number;
}

const processDelay = (prefix: string) =>
  plain<ProcessDraft>((ctx, stmt, d) => {
    const w = ctx.arg(stmt, 1);
    if (!w) return;
    if (readDecimal(ctx, w, 6, 1, 3600 * 1000000, true) === undefined) {
      ctx.report(
        'GENERAL_ERROR',
        w,
        `${prefix}delay (${w.text}) for vrrp_track_process ${d.name} must be between [0.000001..3600] inclusive. Ignoring...`,
      );
    }
  });

const trackProcessKeywords: KeywordTable<ProcessDraft> = {
  process: plain((ctx, stmt, d) => {
    const w = ctx.arg(stmt, 1);
    // keepalived stops at a missing parameter: nothing is reported at the `}`.
    if (!w) return void (d.hasProcess = true);
    if (d.hasProcess) {
      ctx.report('GENERAL_ERROR', w, `Process already set for track process ${d.name} - ignoring ${w.text}`);
      return;
    }
    d.hasProcess = true;
  }),
  param_match: plain((ctx, stmt) => {
    const w = stmt.words[1];
    if (w && w.text !== 'initial' && w.text !== 'partial') {
      ctx.report('GENERAL_ERROR', w, `Invalid param_match type ${w.text} - ignoring`);
    }
  }),
  weight: plain((ctx, stmt, d) => {
    const w = stmt.words[1];
    if (!w) {
      ctx.report('GENERAL_ERROR', stmt, `No weight specified for track process ${d.name} - ignoring`);
      return;
    }
    if (d.weight !== 0) {
      ctx.report('GENERAL_ERROR', w, `Weight already set for track process ${d.name} - ignoring ${w.text}`);
      return;
    }
    const v = readInt(ctx, w, -254, 254);
    if (v === undefined) {
      ctx.report(
        'GENERAL_ERROR',
        w,
        `Weight (${w.text}) for vrrp_track_process ${d.name} must be between [-254..254] inclusive. Ignoring...`,
      );
      return;
    }
    const r = stmt.words[2];
    if (r && r.text !== 'reverse') {
      ctx.report('GENERAL_ERROR', r, `vrrp_track_process ${d.name} unknown weight option ${r.text}`);
    }
    d.weight = v;
  }),
  quorum: plain((ctx, stmt, d) => {
    const w = ctx.arg(stmt, 1);
    if (!w) return;
    const v = readUnsigned(ctx, w, 1, 65535);
    if (v === undefined) {
      ctx.report(
        'GENERAL_ERROR',
        w,
        `Quorum (${w.text}) for vrrp_track_process ${d.name} must be between [1..65535] inclusive. Ignoring...`,
      );
    } else if (v > d.quorumMax) {
      ctx.report('GENERAL_ERROR', w, 'Quorum is greater than quorum_max - ignoring');
    } else d.quorum = v;
  }),
  quorum_max: plain((ctx, stmt, d) => {
    const w = ctx.arg(stmt, 1);
    if (!w) return;
    const v = readUnsigned(ctx, w, 0, 65535);
    if (v === undefined) {
      ctx.report(
        'GENERAL_ERROR',
        w,
        `quorum_max (${w.text}) for vrrp_track_process ${d.name} must be between [0..65535] inclusive. Ignoring...`,
      );
      return;
    }
    // keepalived allows quorum_max 0 when quorum is not set.
    if ((v !== 0 || d.quorum > 1) && v < d.quorum) {
      ctx.report('GENERAL_ERROR', w, 'quorum_max is less than quorum - ignoring');
      return;
    }
    d.quorumMax = v;
    if (v === 0) d.quorum = 0;
    else if (d.quorum === 0) d.quorum = 1;
  }),
  delay: processDelay(''),
  terminate_delay: processDelay('terminate_'),
  fork_delay: processDelay('fork_'),
  full_command: plain(() => undefined),
};

/** `vrrp_track_process NAME { }` */
export function vrrpTrackProcess(ctx: Ctx, stmt: Statement): void {
  unsupportedBlock(ctx, stmt);
  const name = ctx.arg(stmt, 1);
  if (!name) return;
  const d: ProcessDraft = { name: name.text, hasProcess: false, weight: 0, quorum: 1, quorumMax: 0xffffffff };
  walk(ctx, stmt.block?.body ?? [], trackProcessKeywords, d);
  if (!d.hasProcess) {
    ctx.report(
      'GENERAL_ERROR',
      stmt.block?.close ?? stmt.loc,
      `track process '${d.name}' process name not specified`,
    );
    return;
  }
  trackers(ctx).processes.add(d.name);
}

// ---------------------------------------------------------------------------------------------
// garp_group

interface GarpDraft {
  haveDelay: boolean;
  /** keepalived's aggregation group number (set by an `interfaces` block), 0 otherwise. */
  aggregation: number;
}

const garpInterval = (what: string) =>
  plain<GarpDraft>((ctx, stmt, d) => {
    const w = ctx.arg(stmt, 1);
    // keepalived stops at a missing parameter: nothing is reported at the `}`.
    if (!w) return void (d.haveDelay = true);
    if (readDecimal(ctx, w, 6, 0, 2147483647, true) === undefined) {
      ctx.report('GENERAL_ERROR', w, `garp_group ${what} '${w.text}' invalid`);
      return;
    }
    d.haveDelay = true;
  });

/** Give interface `name` to the group; false (reported) when it cannot. */
function garpInterface(ctx: Ctx, at: Word, name: string, d: GarpDraft, shown = name): void {
  const s = state(ctx);
  if (ctx.host.interfaceExists(name) === false) {
    // BAD_IF: keepalived also notes a non-existent interface, reported at the end.
    ctx.report('BAD_IF', at, `WARNING - interface ${name} specified for garp_group doesn't exist`);
    return;
  }
  if (s.garpInterfaces.has(name)) {
    ctx.report('GENERAL_ERROR', at, `garp_group already specified for ${shown} - ignoring`);
    return;
  }
  s.garpInterfaces.set(name, d);
}

const garpGroupKeywords: KeywordTable<GarpDraft> = {
  garp_interval: garpInterval('garp_interval'),
  gna_interval: garpInterval('gna_interval'),
  interface: plain((ctx, stmt, d) => {
    const w = ctx.arg(stmt, 1);
    if (w) garpInterface(ctx, w, w.text, d);
  }),
  interfaces: values((ctx, stmt, d) => {
    const names = valueLines(ctx, stmt).flatMap((line) => line.words);
    if (names.length === 0) {
      ctx.report('GENERAL_ERROR', stmt, 'Warning - empty garp_group interfaces block');
      return;
    }
    d.aggregation = 1 + state(ctx).garpGroups.filter((g) => g !== d && g.aggregation !== 0).length;
    // keepalived names the block's second word in its "already specified" message.
    const second = names[1]?.text ?? '';
    for (const w of names) garpInterface(ctx, w, w.text, d, second);
  }),
};

/** `garp_group { }` */
export function garpGroup(ctx: Ctx, stmt: Statement): void {
  unsupportedBlock(ctx, stmt);
  const s = state(ctx);
  const d: GarpDraft = { haveDelay: false, aggregation: 0 };
  s.garpGroups.push(d);
  walk(ctx, stmt.block?.body ?? [], garpGroupKeywords, d);
  if (d.haveDelay) return;
  ctx.report(
    'GENERAL_ERROR',
    stmt.block?.close ?? stmt.loc,
    `garp group ${d.aggregation} does not have any delay set - removing`,
  );
  s.garpGroups.splice(s.garpGroups.indexOf(d), 1);
  for (const [name, g] of s.garpInterfaces) if (g === d) s.garpInterfaces.delete(name);
}

// ---------------------------------------------------------------------------------------------
// track_group

interface TrackGroupDraft {
  readonly name: string;
  groupSet: boolean;
}

const trackGroupKeywords: KeywordTable<TrackGroupDraft> = {
  group: values((ctx, stmt, d) => {
    if (d.groupSet) {
      // keepalived skips the block.
      ctx.report('GENERAL_ERROR', stmt, `Group list already specified for sync group ${d.name}`);
      return;
    }
    if (valueLines(ctx, stmt).length === 0) {
      ctx.report('GENERAL_ERROR', stmt, `Warning - track group ${d.name} has empty group block`);
      return;
    }
    d.groupSet = true;
  }),
};

/** `track_group NAME { }` */
export function trackGroup(ctx: Ctx, stmt: Statement): void {
  unsupportedBlock(ctx, stmt);
  const name = stmt.words[1];
  if (stmt.words.length !== 2 || !name) {
    ctx.report('GENERAL_ERROR', stmt, 'track_group must have a name - skipping');
    return;
  }
  const s = state(ctx);
  if (s.trackGroups.has(name.text)) {
    ctx.report('GENERAL_ERROR', stmt, `track_group ${name.text} already defined`);
    return;
  }
  s.trackGroups.add(name.text);
  walk(ctx, stmt.block?.body ?? [], trackGroupKeywords, { name: name.text, groupSet: false });
}

// ---------------------------------------------------------------------------------------------
// BFD_CHECK (inside real_server)

interface BfdCheckDraft {
  /** keepalived dequeues the checker on a bad `name`; later keywords are then ignored. */
  active: boolean;
  bfd: string | undefined;
  readonly rs: string;
}

const bfdCheckKeywords: KeywordTable<BfdCheckDraft & { readonly rsKey: object }> = {
  name: plain((ctx, stmt, d) => {
    if (!d.active) return;
    const w = stmt.words[1];
    let error: string | undefined;
    if (stmt.words.length !== 2 || !w) error = 'No or too many names specified - skipping checker';
    else if (!trackers(ctx).checkerBfds.has(w.text)) error = `BFD ${w.text} not configured`;
    else if (d.bfd !== undefined) error = `BFD ${w.text} already specified as ${d.bfd}`;
    else if (w.text.length >= BFD_INAME_MAX) error = `BFD name ${w.text} too long`;
    else if (state(ctx).rsBfds.get(d.rsKey)?.has(w.text)) error = `RS already monitoring ${w.text}`;
    if (error !== undefined) {
      ctx.report('GENERAL_ERROR', stmt, `(${d.rs}) BFD_CHECK - ${error}`);
      d.active = false;
      return;
    }
    d.bfd = (w as Word).text;
  }),
  alpha: plain((ctx, stmt, d) => {
    if (!d.active) return;
    const w = stmt.words[1];
    if (w && parseBool(w.text) === undefined) {
      ctx.report('GENERAL_ERROR', w, `Invalid alpha parameter ${w.text}`);
    }
  }),
};

/**
 * A `BFD_CHECK { }` block of a real server: `rs` is keepalived's FMT_RS of it, `rsKey` identifies
 * the real server (a session it monitors twice is refused).
 */
export function bfdCheck(ctx: Ctx, stmt: Statement, rs: string, rsKey: object): void {
  ctx.report('UNSUPPORTED', stmt, 'BFD_CHECK: not supported (no BFD) - the checker is ignored');
  const d: BfdCheckDraft & { readonly rsKey: object } = { active: true, bfd: undefined, rs, rsKey };
  walk(ctx, stmt.block?.body ?? [], bfdCheckKeywords, d);
  if (!d.active) return;
  if (d.bfd === undefined) {
    ctx.report(
      'GENERAL_ERROR',
      stmt.block?.close ?? stmt.loc,
      `(${rs}) No name has been specified for BFD_CHECKER - skipping`,
    );
    return;
  }
  const rsBfds = state(ctx).rsBfds;
  let set = rsBfds.get(rsKey);
  if (!set) rsBfds.set(rsKey, (set = new Set()));
  set.add(d.bfd);
}
