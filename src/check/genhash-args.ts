/**
 * genhash's command line (check_genhash.c check_genhash_parse_cmdline): GNU getopt_long rules
 * (bundled short options, `-sVALUE`, `--long=VALUE`, unique long prefixes, options and operands in
 * any order, `--` ends options) and keepalived's messages. Pure.
 */
import { parseIp } from '../lib/ip.js';
import type { HttpProtocol } from './probes/http-message.js';

export interface GenhashOptions {
  readonly ssl: boolean;
  readonly sni: boolean;
  /** Canonical IP text (what keepalived's inet_sockaddrtos prints). */
  readonly server: string;
  readonly port: number;
  readonly url: string;
  readonly vhost: string | null;
  readonly verbose: boolean;
  readonly protocol: HttpProtocol;
  readonly timeoutMs: number;
}

export type GenhashArgs =
  | { readonly ok: true; readonly options: GenhashOptions }
  /** `messages` go to stderr before the usage text. */
  | { readonly ok: false; readonly messages: readonly string[] };

/** keepalived's default: connection_to = UINT_MAX microseconds (about 71 minutes). */
const GENHASH_DEFAULT_TIMEOUT_MS = Math.floor(0xffffffff / 1000);

interface LongOption {
  readonly name: string;
  readonly short: string;
  readonly arg: boolean;
}

const LONG: readonly LongOption[] = [
  { name: 'help', short: 'h', arg: false },
  { name: 'verbose', short: 'v', arg: false },
  { name: 'use-ssl', short: 'S', arg: false },
  { name: 'use-sni', short: 'I', arg: false },
  { name: 'server', short: 's', arg: true },
  { name: 'use-virtualhost', short: 'V', arg: true },
  { name: 'port', short: 'p', arg: true },
  { name: 'url', short: 'u', arg: true },
  { name: 'fwmark', short: 'm', arg: true },
  { name: 'protocol', short: 'P', arg: true },
  { name: 'timeout', short: 't', arg: true },
];
const SHORT_WITH_ARG = new Set(LONG.filter((o) => o.arg).map((o) => o.short));
const SHORT = new Set(LONG.map((o) => o.short));

type Token =
  | { readonly kind: 'opt'; readonly c: string; readonly value: string | undefined }
  | { readonly kind: 'unknown'; readonly text: string }
  | { readonly kind: 'missing'; readonly text: string }
  | { readonly kind: 'operand'; readonly text: string };

/** getopt_long's walk over argv, one token per option (operands collected in order). */
function* tokens(argv: readonly string[]): Generator<Token> {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--') {
      for (const rest of argv.slice(i + 1)) yield { kind: 'operand', text: rest };
      return;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = a.slice(2, eq < 0 ? undefined : eq);
      const exact = LONG.find((o) => o.name === name);
      const prefixed = LONG.filter((o) => o.name.startsWith(name));
      const opt = exact ?? (prefixed.length === 1 ? prefixed[0] : undefined);
      if (!opt || (!opt.arg && eq >= 0)) {
        yield { kind: 'unknown', text: a };
      } else if (!opt.arg) {
        yield { kind: 'opt', c: opt.short, value: undefined };
      } else if (eq >= 0) {
        yield { kind: 'opt', c: opt.short, value: a.slice(eq + 1) };
      } else if (i + 1 < argv.length) {
        yield { kind: 'opt', c: opt.short, value: argv[++i] };
      } else {
        yield { kind: 'missing', text: `--${opt.name}` };
      }
      continue;
    }
    if (!a.startsWith('-') || a === '-') {
      yield { kind: 'operand', text: a };
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const c = a[j] as string;
      if (!SHORT.has(c)) {
        yield { kind: 'unknown', text: `-${c}` };
      } else if (!SHORT_WITH_ARG.has(c)) {
        yield { kind: 'opt', c, value: undefined };
      } else if (j + 1 < a.length) {
        yield { kind: 'opt', c, value: a.slice(j + 1) };
        break;
      } else if (i + 1 < argv.length) {
        yield { kind: 'opt', c, value: argv[++i] };
      } else {
        yield { kind: 'missing', text: `-${c}` };
      }
    }
  }
}

/** strtoul after leading blanks, whole string, no sign (keepalived's -m / -t checks). */
function unsignedArg(v: string): number | undefined {
  const t = v.replace(/^[ \t]+/, '');
  return /^\d+$/.test(t) ? Number(t) : undefined;
}

export function parseGenhashArgs(argv: readonly string[]): GenhashArgs {
  const messages: string[] = [];
  const stop = (msg: string): GenhashArgs => ({ ok: false, messages: [...messages, msg] });
  let bad = false;
  let ssl = false;
  let sni = false;
  let verbose = false;
  let server: string | undefined;
  let port: number | undefined;
  let url: string | undefined;
  let vhost: string | null = null;
  let protocol: HttpProtocol = '1.0';
  let timeoutMs = GENHASH_DEFAULT_TIMEOUT_MS;
  const operands: string[] = [];

  for (const t of tokens(argv)) {
    if (t.kind === 'operand') {
      operands.push(t.text);
      continue;
    }
    if (t.kind === 'unknown' || t.kind === 'missing') {
      messages.push(`${t.kind === 'unknown' ? 'Unknown option' : 'Missing parameter for option'} ${t.text}`);
      bad = true;
      continue;
    }
    const v = t.value ?? '';
    switch (t.c) {
      case 'h':
        bad = true;
        break;
      case 'v':
        verbose = true;
        break;
      case 'S':
        ssl = true;
        break;
      case 'I':
        sni = true;
        break;
      case 's': {
        // inet_stosockaddr: the address family follows from a ':'; a '-range' or '/mask' is cut off.
        const ip = parseIp(v.replace(/[-/].*$/, ''));
        if (!ip || ip.family !== (v.includes(':') ? 'inet6' : 'inet')) {
          return stop(`server should be an IP, not ${v}`);
        }
        server = ip.address;
        break;
      }
      case 'V':
        vhost = v;
        break;
      case 'p': {
        const n = /^[ \t]*[+-]?\d+$/.test(v) ? Number(v) : NaN;
        if (!(n > 0 && n <= 65535)) return stop(`invalid port number '${v}'`);
        port = n;
        break;
      }
      case 'u':
        url = v;
        break;
      case 'm':
        return stop(
          unsignedArg(v) === undefined ? `invalid fwmark '${v}'` : 'keepalived built without fwmark support',
        );
      case 'P':
        if (v === '1.0' || v === '1.1') protocol = v;
        else if (v === '1.0c' || v === '1.0C') protocol = '1.0C';
        else return stop(`invalid HTTP protocol version '${v}'`);
        break;
      case 't': {
        const s = unsignedArg(v);
        if (s === undefined) return stop(`invalid timeout '${v}'`);
        timeoutMs = s * 1000;
        break;
      }
    }
  }
  if (bad) return { ok: false, messages };
  if (operands.length > 0) return stop(`Unexpected argument(s): ${operands.join(' ')}`);
  if (server === undefined || port === undefined || url === undefined) return { ok: false, messages };
  return { ok: true, options: { ssl, sni, server, port, url, vhost, verbose, protocol, timeoutMs } };
}
