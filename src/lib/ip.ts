/**
 * IP address parsing as inet_pton(3) accepts it (dotted quads only for IPv4), with RFC 5952
 * canonical text for IPv6. Pure: node:net is an adapter module and not used here.
 */
/** An address family as keepalived's config names it (and `ip -4`/`-6`): IPv4 or IPv6. */
export type IpFamily = 'inet' | 'inet6';

/** What the socket layer knows about a received message (RFC 5798 §7.1 checks need it). */
export interface ReceivedMeta {
  readonly family: IpFamily;
  /** IP source and destination, 4 or 16 bytes. */
  readonly src: Uint8Array;
  readonly dst: Uint8Array;
  /** IPv4 TTL or IPv6 hop limit; must be 255. */
  readonly ttl: number;
}

export interface ParsedIp {
  readonly family: IpFamily;
  /** Canonical text (IPv4 dotted quad, RFC 5952 IPv6). */
  readonly address: string;
  readonly bytes: Uint8Array;
}

export function parseIpv4(text: string): Uint8Array | undefined {
  const out = new Uint8Array(4);
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 46; // a final '.' closes the last part
    if (c === 46) {
      if (digits === 0 || part > 3) return undefined;
      out[part++] = value;
      value = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      // inet_pton: 1-3 digits, no leading zero unless the part is "0".
      if (digits > 0 && value === 0) return undefined;
      value = value * 10 + (c - 48);
      if (++digits > 3 || value > 255) return undefined;
    } else {
      return undefined;
    }
  }
  return part === 4 ? out : undefined;
}

export function parseIpv6(text: string): Uint8Array | undefined {
  if (!/^[0-9A-Fa-f:.]+$/.test(text)) return undefined;
  const double = text.indexOf('::');
  if (double >= 0 && text.indexOf('::', double + 1) >= 0) return undefined;
  let head: string[];
  let tail: string[] = [];
  if (double >= 0) {
    const h = text.slice(0, double);
    const t = text.slice(double + 2);
    head = h === '' ? [] : h.split(':');
    tail = t === '' ? [] : t.split(':');
  } else {
    head = text.split(':');
  }
  const groups: number[] = [];
  const parseGroups = (parts: string[], allowV4Last: boolean): number[] | undefined => {
    const out: number[] = [];
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i] as string;
      if (allowV4Last && i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIpv4(p);
        if (!v4) return undefined;
        out.push(((v4[0] as number) << 8) | (v4[1] as number), ((v4[2] as number) << 8) | (v4[3] as number));
      } else {
        if (!/^[0-9A-Fa-f]{1,4}$/.test(p)) return undefined;
        out.push(parseInt(p, 16));
      }
    }
    return out;
  };
  const h = parseGroups(head, double < 0);
  const t = parseGroups(tail, true);
  if (!h || !t) return undefined;
  if (double >= 0) {
    if (h.length + t.length > 7) return undefined;
    groups.push(...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t);
  } else {
    if (h.length !== 8) return undefined;
    groups.push(...h);
  }
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[i * 2] = g >> 8;
    out[i * 2 + 1] = g & 0xff;
  });
  return out;
}

export function formatIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join('.');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] as number) << 8) | (bytes[i + 1] as number));
  // RFC 5952 §4.2: compress the longest run (≥ 2) of zero groups, the first one on a tie.
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

export function parseIp(text: string): ParsedIp | undefined {
  const v4 = parseIpv4(text);
  // A dotted quad inet_pton accepts is already canonical.
  if (v4) return { family: 'inet', address: text, bytes: v4 };
  const v6 = parseIpv6(text);
  if (v6) return { family: 'inet6', address: formatIp(v6), bytes: v6 };
  return undefined;
}

/** `ADDR[/PREFIX]`; undefined prefix when none was written, 'bad' when it is not a valid length. */
export function parseIpPrefix(
  text: string,
): { ip: ParsedIp; prefix: number | undefined | 'bad' } | undefined {
  const slash = text.indexOf('/');
  const ip = parseIp(slash < 0 ? text : text.slice(0, slash));
  if (!ip) return undefined;
  if (slash < 0) return { ip, prefix: undefined };
  const p = text.slice(slash + 1);
  const max = ip.family === 'inet' ? 32 : 128;
  if (!/^\d{1,3}$/.test(p) || Number(p) > max) return { ip, prefix: 'bad' };
  return { ip, prefix: Number(p) };
}

/**
 * Numeric comparison of two addresses of one family (keepalived inet_inaddrcmp(): unsigned,
 * big-endian): negative, 0 or positive. Unparsable or different families compare equal.
 */
export function compareIp(a: string, b: string): number {
  const x = parseIp(a);
  const y = parseIp(b);
  if (!x || !y || x.family !== y.family) return 0;
  for (let i = 0; i < x.bytes.length; i++) {
    const d = (x.bytes[i] as number) - (y.bytes[i] as number);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * An address as keepalived's inet_stosockaddr() (lib/utils.c) reads it where it wants a bare
 * address (unicast peers, source addresses, connect_ip, smtp_server, ...): IPv6 when the text has
 * a ':', and anything from the first '-' or '/' on (a range or a prefix) is dropped, so
 * `192.0.2.1/24` is 192.0.2.1.
 */
export function parseSockaddrIp(text: string): ParsedIp | undefined {
  const cut = text.search(/[-/]/);
  const bare = cut < 0 ? text : text.slice(0, cut);
  const ip = parseIp(bare);
  if (!ip) return undefined;
  return (ip.family === 'inet6') === text.includes(':') ? ip : undefined;
}
