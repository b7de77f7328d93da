/**
 * The Linux `Rtnl`: rtnetlink over NETLINK_ROUTE sockets of the native addon. One request socket
 * (netlink-socket.ts) carries requests one at a time; each `watchLinks` has its own socket in the
 * RTMGRP_LINK group.
 * Sockets are non-blocking and read when libuv reports them readable, so nothing here blocks.
 * Bytes are built and read by netlink.ts.
 */
import { KaError } from '../lib/errors.js';
import { isErrno, rawSock, SOCK, type PollHandle, type RawSock } from './native.js';
import {
  decodeAddress,
  decodeLink,
  encodeAddressRequest,
  encodeGetAddresses,
  encodeGetLinks,
  MSG_TRUNC,
  parseMessages,
  RTM,
  RTMGRP,
  toInterfaceAddress,
  toLinkInfo,
  AF,
} from './netlink.js';
import { NetlinkSocket, openNetlink, senderPid, socketError } from './netlink-socket.js';
import type { AddressSpec, InterfaceAddress, LinkInfo, RouteTable, Rtnl, VmacLinks } from './ports.js';
import { encodeAddrGenModeNone, encodeDelLink, encodeNewMacvlan, encodeSetLinkUp } from './link-requests.js';
import type { RuleSyntax } from '../config/route-syntax.js';
import { encodeRoute, encodeRule, type RouteSpec } from './rtnl-routes.js';

export interface RtnlOptions {
  /** How long a request may wait for its answer before it rejects (default 2000 ms). */
  readonly timeoutMs?: number;
  /**
   * Problems no caller can be told about: a watch socket that fails, link events lost to a
   * receive-buffer overrun (the watch then re-reads every link), malformed datagrams, a watch
   * callback that threw. Default: ignored.
   */
  readonly onError?: (err: Error) => void;
}

/** Largest datagram a link-event socket reads. */
const RECV_SIZE = 64 * 1024;

const toError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));

interface Watch {
  readonly fd: number;
  poll: PollHandle | null;
  /** Links reported so far, to report the ones that vanish during an overrun as deleted. */
  readonly known: Map<number, LinkInfo>;
  readonly onChange: (link: LinkInfo, deleted: boolean) => void;
  resyncing: boolean;
  closed: boolean;
}

const prefixText = (p: { address: string; length: number } | null): string =>
  p ? `${p.address}/${p.length}` : 'default';

export class LinuxRtnl implements Rtnl, RouteTable, VmacLinks {
  private readonly onError: (err: Error) => void;
  private readonly requests: NetlinkSocket;
  private readonly watches = new Set<Watch>();
  private closed = false;

  constructor(
    private readonly sock: RawSock,
    options: RtnlOptions = {},
  ) {
    this.onError = options.onError ?? (() => {});
    this.requests = new NetlinkSocket(sock, SOCK.NETLINK_ROUTE, 'rtnetlink', {
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      onError: this.onError,
    });
  }

  async links(): Promise<LinkInfo[]> {
    const messages = await this.requests.request(
      { what: 'RTM_GETLINK dump', build: (seq) => encodeGetLinks(seq) },
      true,
    );
    const out: LinkInfo[] = [];
    for (const m of messages) {
      if (m.type !== RTM.NEWLINK) continue;
      const d = decodeLink(m);
      if (d.ok && d.link.family === AF.UNSPEC) out.push(toLinkInfo(d.link));
    }
    return out;
  }

  async addresses(): Promise<InterfaceAddress[]> {
    const messages = await this.requests.request(
      { what: 'RTM_GETADDR dump', build: (seq) => encodeGetAddresses(seq) },
      true,
    );
    const out: InterfaceAddress[] = [];
    for (const m of messages) {
      if (m.type !== RTM.NEWADDR) continue;
      const d = decodeAddress(m);
      const a = d.ok ? toInterfaceAddress(d.address) : undefined;
      if (a) out.push(a);
    }
    return out;
  }

  async addAddress(spec: AddressSpec): Promise<void> {
    await this.address('add', spec, ['EEXIST']);
  }

  async deleteAddress(spec: AddressSpec): Promise<void> {
    // Not there (any more), or its interface is gone with it.
    await this.address('del', spec, ['EADDRNOTAVAIL', 'ENOENT', 'ESRCH', 'ENODEV']);
  }

  async createMacvlan(name: string, parent: number, mac: Uint8Array): Promise<number> {
    await this.requests.request(
      { what: `RTM_NEWLINK macvlan ${name}`, build: (seq) => encodeNewMacvlan(seq, name, parent, mac) },
      false,
    );
    const link = (await this.links()).find((l) => l.name === name);
    if (!link) throw new KaError('KA_ERR_NETLINK', `RTM_NEWLINK macvlan ${name}: created, but not listed`);
    return link.index;
  }

  async setAddrGenModeNone(index: number): Promise<void> {
    await this.requests.request(
      {
        what: `RTM_NEWLINK ifindex ${index} addr_gen_mode none`,
        build: (seq) => encodeAddrGenModeNone(seq, index),
      },
      false,
    );
  }

  async setLinkUp(index: number): Promise<void> {
    await this.requests.request(
      { what: `RTM_NEWLINK ifindex ${index} up`, build: (seq) => encodeSetLinkUp(seq, index) },
      false,
    );
  }

  async deleteLink(index: number): Promise<void> {
    await this.requests.request(
      {
        what: `RTM_DELLINK ifindex ${index}`,
        build: (seq) => encodeDelLink(seq, index),
        okErrnos: ['ENODEV'],
      },
      false,
    );
  }

  async addRoute(spec: RouteSpec): Promise<void> {
    await this.route('add', spec, ['EEXIST']);
  }

  async deleteRoute(spec: RouteSpec): Promise<void> {
    await this.route('del', spec, ['ESRCH', 'ENOENT']);
  }

  async addRule(spec: RuleSyntax): Promise<void> {
    await this.rule('add', spec, ['EEXIST']);
  }

  async deleteRule(spec: RuleSyntax): Promise<void> {
    await this.rule('del', spec, ['ENOENT', 'ESRCH']);
  }

  private async route(op: 'add' | 'del', spec: RouteSpec, okErrnos: readonly string[]): Promise<void> {
    const what = `${op === 'add' ? 'RTM_NEWROUTE' : 'RTM_DELROUTE'} ${prefixText(spec.dst)} table ${spec.table}`;
    await this.requests.request({ what, build: (seq) => encodeRoute(op, spec, seq), okErrnos }, false);
  }

  private async rule(op: 'add' | 'del', spec: RuleSyntax, okErrnos: readonly string[]): Promise<void> {
    const what = `${op === 'add' ? 'RTM_NEWRULE' : 'RTM_DELRULE'} from ${prefixText(spec.from)} table ${spec.table}`;
    await this.requests.request({ what, build: (seq) => encodeRule(op, spec, seq), okErrnos }, false);
  }

  watchLinks(onChange: (link: LinkInfo, deleted: boolean) => void): () => void {
    if (this.closed) throw new KaError('KA_ERR_NETLINK', 'watchLinks: the rtnetlink handle is closed');
    // A large buffer; an overrun is recovered from anyway (resync()).
    const fd = openNetlink(this.sock, SOCK.NETLINK_ROUTE, 'link-event', RTMGRP.LINK, 1024 * 1024);
    const w: Watch = { fd, poll: null, known: new Map(), onChange, resyncing: false, closed: false };
    try {
      w.poll = this.sock.poll(fd, (status) => this.onWatchReadable(w, status));
    } catch (err) {
      this.sock.close(fd);
      throw socketError('cannot poll the link-event socket', err);
    }
    this.watches.add(w);
    return () => this.unwatch(w);
  }

  /** Stops every poll, closes every socket, rejects what is still waiting. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const w of [...this.watches]) this.unwatch(w);
    this.requests.close();
  }

  // -------------------------------------------------------------------------------------------
  // Requests

  private async address(op: 'add' | 'del', spec: AddressSpec, okErrnos: readonly string[]): Promise<void> {
    const what = `${op === 'add' ? 'RTM_NEWADDR' : 'RTM_DELADDR'} ${spec.address}/${spec.prefixLength} ifindex ${spec.index}`;
    const encoded = encodeAddressRequest(op, spec, 0);
    if (!encoded.ok) throw new KaError('KA_ERR_NETLINK', `${what}: ${encoded.reason}`);
    const withSeq = (seq: number): Buffer => {
      const b = Buffer.from(encoded.message);
      b.writeUInt32LE(seq, 8); // nlmsg_seq
      return b;
    };
    await this.requests.request({ what, build: withSeq, okErrnos }, false);
  }

  // -------------------------------------------------------------------------------------------
  // Link events

  private unwatch(w: Watch): void {
    if (w.closed) return;
    w.closed = true;
    this.watches.delete(w);
    const h = w.poll;
    w.poll = null;
    if (h) this.sock.pollStop(h);
    try {
      this.sock.close(w.fd);
    } catch (err) {
      this.onError(toError(err));
    }
  }

  private deliver(w: Watch, link: LinkInfo, deleted: boolean): void {
    if (w.closed) return;
    if (deleted) w.known.delete(link.index);
    else w.known.set(link.index, link);
    try {
      w.onChange(link, deleted);
    } catch (err) {
      this.onError(toError(err));
    }
  }

  private onWatchReadable(w: Watch, status: number): void {
    if (w.closed) return;
    if (status < 0) {
      this.onError(new KaError('KA_ERR_NETLINK', `polling the link-event socket failed (status ${status})`));
      return;
    }
    while (!w.closed) {
      let r;
      try {
        r = this.sock.recvmsg(w.fd, RECV_SIZE, 0);
      } catch (err) {
        if (isErrno(err, 'ENOBUFS')) {
          this.onError(
            new KaError('KA_ERR_NETLINK', 'link events were lost (ENOBUFS): re-reading every link', err),
          );
          this.resync(w);
          continue;
        }
        this.onError(socketError('recvmsg on the link-event socket', err));
        return;
      }
      if (!r || w.closed) return;
      if (senderPid(r.name) !== 0 || r.flags & MSG_TRUNC) continue;
      const parsed = parseMessages(r.data);
      if (parsed.error) this.onError(new KaError('KA_ERR_NETLINK', `malformed link event: ${parsed.error}`));
      for (const m of parsed.messages) {
        if (m.type !== RTM.NEWLINK && m.type !== RTM.DELLINK) continue;
        const d = decodeLink(m);
        // AF_BRIDGE copies of a port's events repeat what the AF_UNSPEC one says.
        if (!d.ok || d.link.family !== AF.UNSPEC) continue;
        this.deliver(w, toLinkInfo(d.link), m.type === RTM.DELLINK);
      }
    }
  }

  /** After an overrun: report every link as it is now, and the ones that went as deleted. */
  private resync(w: Watch): void {
    if (w.resyncing || this.closed) return;
    w.resyncing = true;
    this.links().then(
      (links) => {
        w.resyncing = false;
        if (w.closed) return;
        const now = new Set(links.map((l) => l.index));
        for (const [index, old] of [...w.known]) if (!now.has(index)) this.deliver(w, old, true);
        for (const l of links) this.deliver(w, l, false);
      },
      (err: unknown) => {
        w.resyncing = false;
        if (!w.closed) this.onError(toError(err));
      },
    );
  }
}

/**
 * A LinuxRtnl on the native addon (throws KaError when the addon or the socket is missing). Its
 * socket keeps Node's event loop alive until close().
 */
export function openRtnl(options: RtnlOptions = {}): LinuxRtnl {
  return new LinuxRtnl(rawSock(), options);
}
