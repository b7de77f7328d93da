/**
 * Is a valid advert valid for this instance? keepalived 2.2.7 vrrp_check_packet()'s instance
 * checks, in its order, with the counter each one increments (some checks count
 * nothing in 2.2.7, which is kept: exporters compare these numbers with keepalived's).
 */
import type { Advert, PacketDropReason } from './packet.js';
import { passwordOf } from './packet.js';
import type { VrrpStats } from './stats.js';

export type InstanceDropReason =
  | 'version-mismatch'
  | 'auth-type-mismatch'
  | 'auth-failure'
  | 'interval-mismatch'
  | 'address-count-mismatch'
  | 'address-list-mismatch'
  | 'not-a-peer'
  | 'peer-ttl';

export interface InstanceExpectations {
  readonly name: string;
  readonly version: 2 | 3;
  readonly authType: 0 | 1 | 2;
  readonly password: string;
  readonly advertIntervalMs: number;
  /** The virtual addresses in the adverts (canonical text). */
  readonly vips: readonly string[];
  /** Check the address list (keepalived skips it for the known master with skip_check_adv_addr). */
  readonly checkAddresses: boolean;
  /** With check_unicast_src: the peers adverts may come from, and their TTL range. */
  readonly peers:
    readonly { readonly address: string; readonly minTtl: number; readonly maxTtl: number }[] | null;
}

export type CheckResult =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly reason: InstanceDropReason;
      /** The keepalived counter it increments, if any. */
      readonly counter: keyof VrrpStats | null;
      readonly detail: string;
      /** keepalived counts advert_rcvd before these checks (VIP list, unicast source). */
      readonly counted: boolean;
    };

const fail = (
  reason: InstanceDropReason,
  counter: keyof VrrpStats | null,
  detail: string,
  counted = false,
): CheckResult => ({ ok: false, reason, counter, detail, counted });

export function checkAdvert(a: Advert, source: string, ttl: number, want: InstanceExpectations): CheckResult {
  if (a.version !== want.version) {
    return fail(
      'version-mismatch',
      null,
      `(${want.name}) wrong version. Received ${a.version} and expect ${want.version}`,
    );
  }
  if (a.version === 2) {
    if (a.authType !== want.authType) {
      return fail(
        'auth-type-mismatch',
        'authtype_mismatch',
        `(${want.name}) received a ${a.authType} auth, expecting ${want.authType}!`,
      );
    }
    if (a.authType === 1 && passwordOf(a.authData) !== want.password) {
      return fail('auth-failure', 'auth_failure', `(${want.name}) received an invalid passwd!`);
    }
    if (a.advertIntervalMs !== want.advertIntervalMs) {
      return fail(
        'interval-mismatch',
        null,
        `(${want.name}) advertisement interval mismatch mine=${want.advertIntervalMs / 1000} sec rcv'd=${a.advertIntervalMs / 1000} sec`,
      );
    }
  }
  if (want.checkAddresses && a.addresses.length !== want.vips.length) {
    return fail(
      'address-count-mismatch',
      'addr_list_err',
      `(${want.name}) received an unexpected ip number count ${a.addresses.length}, expected ${want.vips.length}!`,
    );
  }
  if (want.checkAddresses) {
    const missing = want.vips.find((v) => !a.addresses.includes(v));
    if (missing !== undefined) {
      return fail(
        'address-list-mismatch',
        'addr_list_err',
        `(${want.name}) ip address associated with VRID ${a.vrid} not present in MASTER advert: ${missing}`,
        true,
      );
    }
    if (want.peers) {
      const peer = want.peers.find((p) => p.address === source);
      if (!peer)
        return fail(
          'not-a-peer',
          null,
          `(${want.name}) unicast source address ${source} not a unicast peer`,
          true,
        );
      if (ttl < peer.minTtl || ttl > peer.maxTtl) {
        return fail('peer-ttl', 'ip_ttl_err', `(${want.name}) invalid TTL/HL ${ttl} from ${source}`, true);
      }
    }
  }
  return { ok: true };
}

/** The counter keepalived increments for a packet the decoder rejected (none for some). */
export function packetDropCounter(reason: PacketDropReason): keyof VrrpStats | null {
  switch (reason) {
    case 'bad-length':
      return 'packet_len_err';
    case 'bad-ttl':
      return 'ip_ttl_err';
    case 'bad-type':
      return 'invalid_type_rcvd';
    case 'bad-auth-type':
      return 'invalid_authtype';
    case 'truncated':
    case 'bad-version':
    case 'bad-checksum':
      return null;
  }
}
