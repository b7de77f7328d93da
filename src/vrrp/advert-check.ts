/**
 * Is a valid advert valid for this instance? keepalived 2.2.7 vrrp_check_packet()'s instance
 * checks, in its order, with the counter each one increments (some checks count
 * nothing in 2.2.7, which is kept: exporters compare these numbers with keepalived's).
 */
import type { Advert, PacketDropReason } from './packet.js';
import { passwordOf } from './packet.js';
import type { VrrpStats } from './stats.js';

/**
 * Why a valid advert is not for this instance, with what keepalived's log line names
 * (log-text.ts words it).
 */
export type InstanceDrop =
  | { readonly reason: 'version-mismatch'; readonly received: number; readonly expected: number }
  | { readonly reason: 'auth-type-mismatch'; readonly received: number; readonly expected: number }
  | { readonly reason: 'auth-failure' }
  | { readonly reason: 'interval-mismatch'; readonly mineMs: number; readonly receivedMs: number }
  | { readonly reason: 'address-count-mismatch'; readonly received: number; readonly expected: number }
  /** One of our VIPs is not in the advert. */
  | { readonly reason: 'address-list-mismatch'; readonly vrid: number; readonly missing: string }
  | { readonly reason: 'not-a-peer'; readonly source: string }
  | { readonly reason: 'peer-ttl'; readonly ttl: number; readonly source: string };

export type InstanceDropReason = InstanceDrop['reason'];

export interface InstanceExpectations {
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
      readonly drop: InstanceDrop;
      /** The keepalived counter it increments, if any. */
      readonly counter: keyof VrrpStats | null;
      /** keepalived counts advert_rcvd before these checks (VIP list, unicast source). */
      readonly counted: boolean;
    };

const fail = (drop: InstanceDrop, counter: keyof VrrpStats | null, counted = false): CheckResult => ({
  ok: false,
  drop,
  counter,
  counted,
});

export function checkAdvert(a: Advert, source: string, ttl: number, want: InstanceExpectations): CheckResult {
  if (a.version !== want.version) {
    return fail({ reason: 'version-mismatch', received: a.version, expected: want.version }, null);
  }
  if (a.version === 2) {
    if (a.authType !== want.authType) {
      return fail(
        { reason: 'auth-type-mismatch', received: a.authType, expected: want.authType },
        'authtype_mismatch',
      );
    }
    if (a.authType === 1 && passwordOf(a.authData) !== want.password) {
      return fail({ reason: 'auth-failure' }, 'auth_failure');
    }
    if (a.advertIntervalMs !== want.advertIntervalMs) {
      return fail(
        { reason: 'interval-mismatch', mineMs: want.advertIntervalMs, receivedMs: a.advertIntervalMs },
        null,
      );
    }
  }
  if (want.checkAddresses && a.addresses.length !== want.vips.length) {
    return fail(
      { reason: 'address-count-mismatch', received: a.addresses.length, expected: want.vips.length },
      'addr_list_err',
    );
  }
  if (want.checkAddresses) {
    const missing = want.vips.find((v) => !a.addresses.includes(v));
    if (missing !== undefined) {
      return fail({ reason: 'address-list-mismatch', vrid: a.vrid, missing }, 'addr_list_err', true);
    }
    if (want.peers) {
      const peer = want.peers.find((p) => p.address === source);
      if (!peer) return fail({ reason: 'not-a-peer', source }, null, true);
      if (ttl < peer.minTtl || ttl > peer.maxTtl) {
        return fail({ reason: 'peer-ttl', ttl, source }, 'ip_ttl_err', true);
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
