/**
 * The Linux `Rtnl`: rtnetlink over NETLINK_ROUTE sockets of the native addon. One request socket
 * carries requests one at a time (seq numbers increase; each answer is matched by seq; dumps are
 * collected until NLMSG_DONE); each `watchLinks` has its own socket in the RTMGRP_LINK group.
 * Sockets are non-blocking and read when libuv reports them readable, so nothing here blocks.
 * Bytes are built and read by netlink.ts.
 */
import { KaError } from '../lib/errors.js';
import { isErrno, rawSock, SOCK, type PollHandle, type RawSock } from './native.js';
import {
  decodeAddress,
  decodeDone,
  decodeError,
  decodeLink,
  encodeAddressRequest,
  encodeGetAddresses,
  encodeGetLinks,
  errnoName,
  MSG_TRUNC,
  NETLINK_OPT,
  NLM_F,
  NLMSG,
  parseMessages,
  RTM,
  RTMGRP,
  toInterfaceAddress,
  toLinkInfo,
  AF,
  type NlMessage,
} from './netlink.js';
import type { AddressSpec, InterfaceAddress, LinkInfo, Rtnl } from './ports.js';
import { sockaddrNl } from './sockaddr.js';

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

/** Largest datagram we read: the kernel's dump batches stay under 32 KiB, events are smaller. */
const RECV_SIZE = 64 * 1024;
/** Dumps that the kernel reports as interrupted (NLM_F_DUMP_INTR) are re-read this often. */
const DUMP_RETRIES = 3;
const DEFAULT_TIMEOUT_MS = 2000;
const ETIMEDOUT = 110;

/** An errno as the cause of a KaError, shaped like the addon's errors (`isErrno` works on it). */
class NetlinkErrno extends Error {
  constructor(
    readonly errno: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'NetlinkErrno';
  }
}

function netlinkError(what: string, errno: number, detail: string | null): KaError {
  const code = errnoName(errno);
  const text = `${what}: ${code}${detail ? ` (${detail})` : ''}`;
  return new KaError('KA_ERR_NETLINK', text, new NetlinkErrno(errno, code, text));
}

function socketError(what: string, cause: unknown): KaError {
  const code = isErrno(cause) ? cause.code : 'EUNKNOWN';
  return new KaError('KA_ERR_NETLINK', `${what}: ${code}`, cause);
}

const toError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));

/** Open a NETLINK_ROUTE socket bound to `groups`; closes it again if setting it up fails. */
function openSocket(sock: RawSock, groups: number): number {
  let fd: number;
  try {
    fd = sock.socket(
      SOCK.AF_NETLINK,
      SOCK.SOCK_RAW | SOCK.SOCK_NONBLOCK | SOCK.SOCK_CLOEXEC,
      SOCK.NETLINK_ROUTE,
    );
  } catch (err) {
    throw socketError('cannot open a NETLINK_ROUTE socket', err);
  }
  try {
    // Best effort: error texts from the kernel (extended ACK), and acks without our request echoed.
    for (const opt of [NETLINK_OPT.EXT_ACK, NETLINK_OPT.CAP_ACK]) {
      try {
        sock.setsockopt(fd, SOCK.SOL_NETLINK, opt, 1);
      } catch {
        // older kernels: plain acks
      }
    }
    sock.bind(fd, sockaddrNl(0, groups));
    return fd;
  } catch (err) {
    try {
      sock.close(fd);
    } catch {
      // the bind error is the one to report
    }
    throw socketError('cannot bind the NETLINK_ROUTE socket', err);
  }
}

/** The sender's port id in a sockaddr_nl (0 is the kernel). */
const senderPid = (name: Buffer): number => (name.length >= 8 ? name.readUInt32LE(4) : 0);

interface Pending {
  readonly what: string;
  readonly build: (seq: number) => Buffer;
  readonly dump: boolean;
  /** errno names that count as success (idempotent add/delete). */
  readonly okErrnos: readonly string[];
  readonly resolve: (messages: NlMessage[]) => void;
  readonly reject: (err: Error) => void;
  seq: number;
  collected: NlMessage[];
  interrupted: boolean;
  attempts: number;
  timer: ReturnType<typeof setTimeout> | undefined;
}

interface Watch {
  readonly fd: number;
  poll: PollHandle | null;
  /** Links reported so far, to report the ones that vanish during an overrun as deleted. */
  readonly known: Map<number, LinkInfo>;
  readonly onChange: (link: LinkInfo, deleted: boolean) => void;
  resyncing: boolean;
  closed: boolean;
}

export class LinuxRtnl implements Rtnl {
  private readonly timeoutMs: number;
  private readonly onError: (err: Error) => void;
  private readonly fd: number;
  private poll: PollHandle | null = null;
  private seq = 0;
  private readonly queue: Pending[] = [];
  private current: Pending | null = null;
  private readonly watches = new Set<Watch>();
  private closed = false;

  constructor(
    private readonly sock: RawSock,
    options: RtnlOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.onError = options.onError ?? (() => {});
    this.fd = openSocket(sock, 0);
    try {
      this.poll = sock.poll(this.fd, (status) => this.onReadable(status));
    } catch (err) {
      sock.close(this.fd);
      throw socketError('cannot poll the NETLINK_ROUTE socket', err);
    }
  }

  async links(): Promise<LinkInfo[]> {
    const messages = await this.request('RTM_GETLINK dump', (seq) => encodeGetLinks(seq), true, []);
    const out: LinkInfo[] = [];
    for (const m of messages) {
      if (m.type !== RTM.NEWLINK) continue;
      const d = decodeLink(m);
      if (d.ok && d.link.family === AF.UNSPEC) out.push(toLinkInfo(d.link));
    }
    return out;
  }

  async addresses(): Promise<InterfaceAddress[]> {
    const messages = await this.request('RTM_GETADDR dump', (seq) => encodeGetAddresses(seq), true, []);
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

  watchLinks(onChange: (link: LinkInfo, deleted: boolean) => void): () => void {
    if (this.closed) throw new KaError('KA_ERR_NETLINK', 'watchLinks: the rtnetlink handle is closed');
    const fd = openSocket(this.sock, RTMGRP.LINK);
    try {
      this.sock.setsockopt(fd, SOCK.SOL_SOCKET, SOCK.SO_RCVBUF, 1024 * 1024);
    } catch {
      // the default buffer will do; an overrun is recovered from anyway
    }
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
    this.stopPoll();
    try {
      this.sock.close(this.fd);
    } catch (err) {
      this.onError(toError(err));
    }
    const closedError = (p: Pending): KaError =>
      new KaError('KA_ERR_NETLINK', `${p.what}: the rtnetlink handle was closed`);
    const cur = this.current;
    this.current = null;
    if (cur) {
      clearTimeout(cur.timer);
      cur.reject(closedError(cur));
    }
    for (const p of this.queue.splice(0)) p.reject(closedError(p));
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
    await this.request(what, withSeq, false, okErrnos);
  }

  private request(
    what: string,
    build: (seq: number) => Buffer,
    dump: boolean,
    okErrnos: readonly string[],
  ): Promise<NlMessage[]> {
    if (this.closed)
      return Promise.reject(new KaError('KA_ERR_NETLINK', `${what}: the rtnetlink handle is closed`));
    return new Promise<NlMessage[]>((resolve, reject) => {
      this.queue.push({
        what,
        build,
        dump,
        okErrnos,
        resolve,
        reject,
        seq: 0,
        collected: [],
        interrupted: false,
        attempts: 0,
        timer: undefined,
      });
      if (!this.current) this.next();
    });
  }

  /** Send the next queued request (one at a time: a dump needs the socket to itself anyway). */
  private next(): void {
    while (!this.current && !this.closed) {
      const p = this.queue.shift();
      if (!p) return;
      if (this.send(p)) this.current = p;
    }
  }

  /** Send (or re-send) `p` with a new seq; false (and `p` rejected) when the kernel refused it. */
  private send(p: Pending): boolean {
    this.seq = (this.seq + 1) >>> 0 || 1;
    p.seq = this.seq;
    p.collected = [];
    p.interrupted = false;
    p.attempts++;
    try {
      this.sock.sendto(this.fd, p.build(p.seq), sockaddrNl(0, 0));
    } catch (err) {
      p.reject(socketError(`${p.what}: sendto`, err));
      return false;
    }
    clearTimeout(p.timer);
    p.timer = setTimeout(() => {
      if (this.current !== p) return;
      this.finish(p, netlinkError(p.what, ETIMEDOUT, `no answer within ${this.timeoutMs} ms`));
    }, this.timeoutMs);
    return true;
  }

  private finish(p: Pending, result: Error | NlMessage[]): void {
    clearTimeout(p.timer);
    if (this.current === p) this.current = null;
    if (result instanceof Error) p.reject(result);
    else p.resolve(result);
    this.next();
  }

  private onReadable(status: number): void {
    if (this.closed) return;
    if (status < 0) {
      const err = new KaError('KA_ERR_NETLINK', `polling the rtnetlink socket failed (status ${status})`);
      if (this.current) this.finish(this.current, err);
      else this.onError(err);
      return;
    }
    while (!this.closed) {
      let r;
      try {
        r = this.sock.recvmsg(this.fd, RECV_SIZE, 0);
      } catch (err) {
        // ENOBUFS: answers were dropped; the request waiting for one will time out.
        this.onError(socketError('recvmsg on the rtnetlink socket', err));
        if (isErrno(err, 'ENOBUFS')) continue;
        return;
      }
      if (!r || this.closed) return;
      if (senderPid(r.name) !== 0) continue; // only the kernel answers
      if (r.flags & MSG_TRUNC) {
        this.onError(new KaError('KA_ERR_NETLINK', `an rtnetlink answer of ${r.length} bytes was truncated`));
        continue;
      }
      const parsed = parseMessages(r.data);
      if (parsed.error)
        this.onError(new KaError('KA_ERR_NETLINK', `malformed rtnetlink answer: ${parsed.error}`));
      for (const m of parsed.messages) this.onMessage(m);
    }
  }

  private onMessage(m: NlMessage): void {
    const p = this.current;
    if (!p || m.seq !== p.seq) return; // late answer to a request that timed out
    if (m.type === NLMSG.ERROR) {
      const e = decodeError(m);
      if (!e.ok) return this.finish(p, new KaError('KA_ERR_NETLINK', `${p.what}: ${e.reason}`));
      const { errno, message } = e.error;
      if (errno === 0 || p.okErrnos.includes(errnoName(errno))) return this.finish(p, p.collected);
      return this.finish(p, netlinkError(p.what, errno, message));
    }
    if (!p.dump) return;
    if (m.flags & NLM_F.DUMP_INTR) p.interrupted = true;
    if (m.type === NLMSG.DONE) {
      const errno = decodeDone(m);
      if (errno !== 0) return this.finish(p, netlinkError(p.what, errno, null));
      if (p.interrupted && p.attempts <= DUMP_RETRIES) {
        if (!this.send(p)) {
          clearTimeout(p.timer);
          this.current = null;
          this.next();
        }
        return;
      }
      return this.finish(p, p.collected);
    }
    if (m.type !== NLMSG.NOOP) p.collected.push(m);
  }

  private stopPoll(): void {
    const h = this.poll;
    this.poll = null;
    if (h) this.sock.pollStop(h);
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
