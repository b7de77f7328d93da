/**
 * VRRP advertisements on the wire: VRRPv2 (RFC 3768 §5.1) and VRRPv3 (RFC 5798 §5.1), IPv4 and
 * (v3 only) IPv6. Pure: bytes in, bytes out.
 *
 * decodeAdvert() answers one question, as FRR's vrrp_pkt_parse_datagram() does: are these bytes
 * a valid VRRP advertisement? Whether it is valid *for an instance* (VRID, authentication,
 * address list, interval) is checkAdvert()'s business (advert-check.ts). It never throws: it
 * returns the advert or a named drop reason.
 *
 *   v2:  ver|type  VRID  priority  count | auth type  adver int (s)  checksum | addresses | auth data (8)
 *   v3:  ver|type  VRID  priority  count | rsvd(4) max adver int (cs, 12 bits)  checksum | addresses
 */
import type { IpFamily, ReceivedMeta } from '../lib/ip.js';
import { formatIp } from '../lib/ip.js';
import { internetChecksum, pseudoHeaderSum } from '../lib/checksum.js';
import { IPPROTO_VRRP } from '../lib/ip-proto.js';

export type VrrpVersion = 2 | 3;

/** RFC 3768 §5.3.6: 0 no authentication, 1 simple text password, 2 IP Authentication Header. */
export type AuthType = 0 | 1 | 2;

export interface Advert {
  readonly version: VrrpVersion;
  readonly vrid: number;
  /** 0 means the master is giving up (RFC 5798 §6.4.3). */
  readonly priority: number;
  readonly family: IpFamily;
  /** The virtual addresses, canonical text, in packet order. */
  readonly addresses: readonly string[];
  /** v2: the 8-bit seconds field; v3: the 12-bit centiseconds field; in milliseconds. */
  readonly advertIntervalMs: number;
  /** v2 only (v3 has no authentication: always 0). */
  readonly authType: AuthType;
  /** v2 only: the 8 authentication bytes as sent (a PASS password, NUL-padded). Empty for v3. */
  readonly authData: Uint8Array;
}

export type PacketDropReason =
  /** Shorter than the 8-byte header. */
  | 'truncated'
  /** Version not 2 or 3, or VRRPv2 over IPv6. */
  | 'bad-version'
  /** Type not 1 (advertisement). */
  | 'bad-type'
  /** TTL / hop limit not 255 (RFC 5798 §7.1). */
  | 'bad-ttl'
  /** The length does not match the address count (e.g. CARP, which shares protocol 112). */
  | 'bad-length'
  | 'bad-checksum'
  /** VRRPv2 authentication type other than 0, 1, 2. */
  | 'bad-auth-type';

export type DecodeResult =
  | { readonly ok: true; readonly advert: Advert }
  | { readonly ok: false; readonly reason: PacketDropReason; readonly detail: string };

const VRRP_TTL = 255;
const HEADER = 8;
const V2_AUTH = 8;

const addrLength = (family: IpFamily): number => (family === 'inet' ? 4 : 16);

/** Expected message length for `count` addresses. */
function advertLength(version: VrrpVersion, family: IpFamily, count: number): number {
  return HEADER + count * addrLength(family) + (version === 2 ? V2_AUTH : 0);
}

const drop = (reason: PacketDropReason, detail: string): DecodeResult => ({ ok: false, reason, detail });

export function decodeAdvert(bytes: Uint8Array, meta: ReceivedMeta): DecodeResult {
  if (bytes.length < HEADER) return drop('truncated', `${bytes.length} bytes, a VRRP header is 8`);
  const b0 = bytes[0] as number;
  const version = b0 >> 4;
  const type = b0 & 0x0f;
  if (version !== 2 && version !== 3) return drop('bad-version', `version ${version}`);
  if (version === 2 && meta.family === 'inet6') return drop('bad-version', 'VRRPv2 over IPv6');
  if (type !== 1) return drop('bad-type', `type ${type}`);
  if (meta.ttl !== VRRP_TTL) return drop('bad-ttl', `invalid TTL/HL. Received ${meta.ttl} and expect 255`);
  const count = bytes[3] as number;
  const expected = advertLength(version, meta.family, count);
  if (bytes.length !== expected) {
    const size = bytes.length > expected ? 'long' : 'short';
    return drop('bad-length', `vrrp packet too ${size}, length ${bytes.length} and expect ${expected}`);
  }
  const pseudo = version === 3 ? pseudoHeaderSum(meta.src, meta.dst, bytes.length, IPPROTO_VRRP) : 0;
  if (internetChecksum(bytes, pseudo) !== 0) {
    return drop('bad-checksum', `Invalid VRRPv${version} checksum`);
  }
  const authType = version === 2 ? (bytes[4] as number) : 0;
  if (authType > 2) return drop('bad-auth-type', `Invalid auth type: ${authType}`);
  const advertIntervalMs =
    version === 2
      ? (bytes[5] as number) * 1000
      : ((((bytes[4] as number) & 0x0f) << 8) | (bytes[5] as number)) * 10;
  const len = addrLength(meta.family);
  const addresses: string[] = [];
  for (let i = 0; i < count; i++)
    addresses.push(formatIp(bytes.subarray(HEADER + i * len, HEADER + (i + 1) * len)));
  const authStart = HEADER + count * len;
  return {
    ok: true,
    advert: {
      version,
      vrid: bytes[1] as number,
      priority: bytes[2] as number,
      family: meta.family,
      addresses,
      advertIntervalMs,
      authType: authType as AuthType,
      authData:
        version === 2 ? Uint8Array.from(bytes.subarray(authStart, authStart + V2_AUTH)) : new Uint8Array(0),
    },
  };
}

/** What we put on the wire; the IP addresses are needed for the VRRPv3 checksum. */
export interface AdvertToSend {
  readonly version: VrrpVersion;
  readonly vrid: number;
  readonly priority: number;
  readonly family: IpFamily;
  /** Address bytes (4 or 16 each). */
  readonly addresses: readonly Uint8Array[];
  readonly advertIntervalMs: number;
  readonly authType: AuthType;
  /** A PASS password (at most 8 bytes, NUL-padded on the wire) or raw auth data. */
  readonly authData?: Uint8Array;
  /** IP source and destination (4 or 16 bytes); required for VRRPv3. */
  readonly src?: Uint8Array;
  readonly dst?: Uint8Array;
}

/** Encode an advertisement into a new buffer, checksum included. */
export function encodeAdvert(a: AdvertToSend): Uint8Array {
  const len = addrLength(a.family);
  const out = new Uint8Array(advertLength(a.version, a.family, a.addresses.length));
  out[0] = (a.version << 4) | 1;
  out[1] = a.vrid;
  out[2] = a.priority;
  out[3] = a.addresses.length;
  if (a.version === 2) {
    out[4] = a.authType;
    out[5] = Math.max(1, Math.min(255, Math.round(a.advertIntervalMs / 1000)));
  } else {
    const cs = Math.max(1, Math.min(0xfff, Math.round(a.advertIntervalMs / 10)));
    out[4] = cs >> 8;
    out[5] = cs & 0xff;
  }
  a.addresses.forEach((addr, i) => out.set(addr.subarray(0, len), HEADER + i * len));
  if (a.version === 2 && a.authData)
    out.set(a.authData.subarray(0, V2_AUTH), HEADER + a.addresses.length * len);
  let pseudo = 0;
  if (a.version === 3) {
    if (!a.src || !a.dst)
      throw new TypeError('encodeAdvert: VRRPv3 needs the IP source and destination for its checksum');
    pseudo = pseudoHeaderSum(a.src, a.dst, out.length, IPPROTO_VRRP);
  }
  const sum = internetChecksum(out, pseudo);
  out[6] = sum >> 8;
  out[7] = sum & 0xff;
  return out;
}

/** The password of a PASS advert: the auth data up to its first NUL. */
export function passwordOf(authData: Uint8Array): string {
  const end = authData.indexOf(0);
  return Buffer.from(authData.subarray(0, end < 0 ? authData.length : end)).toString('latin1');
}
