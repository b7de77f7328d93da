/**
 * The ports through which the VRRP daemon touches the kernel. Each has one Linux implementation
 * in src/net/; the unit tests of the drivers (test/unit/daemon/) implement them in memory.
 * Implementations never throw from callbacks: problems are returned or reported through `onError`.
 */
import type { IpFamily, ReceivedMeta } from '../lib/ip.js';
import type { RuleSyntax } from '../config/route-syntax.js';
import type { RouteSpec } from './rtnl-routes.js';

/** A network interface as rtnetlink reports it. */
export interface LinkInfo {
  readonly index: number;
  readonly name: string;
  /** Hardware address (6 bytes for Ethernet), empty when none. */
  readonly mac: Uint8Array;
  /** Administratively up and with carrier (IFF_UP and IFF_RUNNING): keepalived's "up". */
  readonly up: boolean;
  /** A macvlan: its lower device's index and its mode (1: private). */
  readonly macvlan?: { readonly parent: number; readonly mode: number };
}

/** VRRP virtual-MAC interfaces (use_vmac): macvlans the daemon creates and removes. */
export interface VmacLinks {
  /** A private-mode macvlan `name` on `parent` with `mac`, left down; resolves with its index. */
  createMacvlan(name: string, parent: number, mac: Uint8Array): Promise<number>;
  /** IPv6 addresses generation mode none (no automatic link-local from the virtual MAC). */
  setAddrGenModeNone(index: number): Promise<void>;
  setLinkUp(index: number): Promise<void>;
  deleteLink(index: number): Promise<void>;
}

/** Per-interface IPv4 settings, /proc/sys/net/ipv4/conf/IFNAME/KEY (in the daemon's netns). */
export interface InterfaceSysctls {
  /** The value, or null when it cannot be read (no such interface). */
  get(ifname: string, key: string): number | null;
  /** Throws when it cannot be written. */
  set(ifname: string, key: string, value: number): void;
}

export interface InterfaceAddress {
  readonly index: number;
  readonly family: IpFamily;
  readonly address: string;
  readonly prefixLength: number;
  /** IFA_F_SECONDARY: not the primary address of its subnet. */
  readonly secondary: boolean;
  /** IPv6 link-local (fe80::/10). */
  readonly linkLocal: boolean;
  readonly label: string | null;
}

/** One address to add or remove (keepalived's `virtual_ipaddress` line, resolved). */
export interface AddressSpec {
  readonly index: number;
  readonly family: IpFamily;
  readonly address: string;
  readonly prefixLength: number;
  readonly broadcast: string | null;
  readonly scope: 'global' | 'site' | 'link' | 'host' | 'nowhere';
  readonly label: string | null;
  readonly peer: string | null;
  /** IFA_F_NODAD etc. */
  readonly flags: readonly ('home' | 'nodad' | 'mngtmpaddr' | 'noprefixroute')[];
  readonly preferredLft: number | 'forever' | null;
}

/** rtnetlink: links, addresses and link events. */
export interface Rtnl {
  links(): Promise<LinkInfo[]>;
  addresses(): Promise<InterfaceAddress[]>;
  /** Add an address; an address that is already there is not an error. */
  addAddress(spec: AddressSpec): Promise<void>;
  /** Remove an address; one that is not there is not an error. */
  deleteAddress(spec: AddressSpec): Promise<void>;
  /** Link changes (RTM_NEWLINK/DELLINK); returns an unsubscribe function. */
  watchLinks(onChange: (link: LinkInfo, deleted: boolean) => void): () => void;
  close(): void;
}

/** Routes and rules through rtnetlink (virtual_routes/rules, static_routes/rules). */
export interface RouteTable {
  /** Add a route; one that is already there is not an error. */
  addRoute(spec: RouteSpec): Promise<void>;
  /** Remove a route; one that is not there is not an error. */
  deleteRoute(spec: RouteSpec): Promise<void>;
  addRule(spec: RuleSyntax): Promise<void>;
  deleteRule(spec: RuleSyntax): Promise<void>;
}

export interface ReceivedAdvert {
  /** The VRRP message (IP payload). */
  readonly payload: Uint8Array;
  readonly meta: ReceivedMeta;
}

/**
 * VRRP sockets on one interface, family, source and group: one to send from, and one to receive
 * each VRID that is listened to (so a flood for one VRID cannot crowd out another's adverts).
 * TTL / hop limit 255 both ways.
 */
export interface VrrpChannel {
  /** Send a VRRP message to `dst` (the group or a unicast peer). */
  send(payload: Uint8Array, dst: Uint8Array): void;
  /** Start receiving the adverts of `vrid` (idempotent); throws when the socket cannot be set up. */
  listen(vrid: number): void;
  /** Stop receiving `vrid` and close its socket (idempotent). */
  unlisten(vrid: number): void;
  /**
   * Deliver now, through `onAdvert`, what already waits on the socket of `vrid`, without
   * waiting for the event loop's I/O phase: a timer that expired while the process was stopped
   * must not fire before the adverts that arrived in time (see VrrpInstanceDriver.arm()).
   */
  receivePending(vrid: number): void;
  close(): void;
}

export interface VrrpChannelOptions {
  readonly family: IpFamily;
  readonly ifindex: number;
  readonly ifname: string;
  /** Our source address (4 or 16 bytes); adverts go out from it. */
  readonly source: Uint8Array;
  /** The multicast group to join, or null in unicast mode. */
  readonly group: Uint8Array | null;
  /** A received packet; its bytes are valid during the call only. */
  readonly onAdvert: (advert: ReceivedAdvert) => void;
  /** The kernel dropped `count` packets for `vrid` because its receive buffer was full. */
  readonly onOverflow?: (vrid: number, count: number) => void;
  readonly onError: (err: Error) => void;
}

export interface VrrpSockets {
  open(opts: VrrpChannelOptions): VrrpChannel;
}

/** Gratuitous ARP (IPv4) and unsolicited neighbour advertisements (IPv6). */
export interface Announcer {
  /** One gratuitous ARP for `address` on the interface, from `mac`. */
  garp(ifindex: number, mac: Uint8Array, address: string): void;
  /** One unsolicited NA for `address` on the interface, from `mac`. */
  unsolicitedNa(ifindex: number, mac: Uint8Array, address: string, router: boolean): void;
  close(): void;
}
