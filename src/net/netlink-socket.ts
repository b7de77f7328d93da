/**
 * A netlink request socket of any protocol (NETLINK_ROUTE for rtnl.ts, NETLINK_GENERIC for
 * ipvs.ts) on the native addon. Requests go one datagram at a time: a datagram is one request
 * (a dump, or a change acknowledged by NLMSG_ERROR) or a batch of changes sent together, each with
 * its own seq and acknowledgement, as the kernel processes every message of a datagram in turn
 * (netlink_rcv_skb()). Answers are matched by seq; dumps are collected until NLMSG_DONE and
 * re-read when the kernel marks them interrupted. The socket is non-blocking and read when libuv
 * reports it readable; each datagram has a deadline. Bytes are built and read by netlink.ts.
 */
import { KaError } from '../lib/errors.js';
import { isErrno, SOCK, type PollHandle, type RawSock } from './native.js';
import {
  decodeDone,
  decodeError,
  errnoName,
  MSG_TRUNC,
  NETLINK_OPT,
  NLM_F,
  NLMSG,
  parseMessages,
  type NlMessage,
} from './netlink.js';
import { sockaddrNl } from './sockaddr.js';

export interface NetlinkSocketOptions {
  /** How long a datagram may wait for its answers before it fails (default 2000 ms). */
  readonly timeoutMs?: number;
  /** Problems no caller can be told about (malformed or truncated answers, ENOBUFS). */
  readonly onError?: (err: Error) => void;
  /** Multicast groups to bind to (rtnetlink RTMGRP_* bits); default none. */
  readonly groups?: number;
  /** Receive buffer (SO_RCVBUF), for sockets that read events. */
  readonly rcvbuf?: number;
}

/** Largest datagram we read: the kernel's dump batches stay under 32 KiB, events are smaller. */
const RECV_SIZE = 64 * 1024;
/** Dumps that the kernel reports as interrupted (NLM_F_DUMP_INTR) are re-read this often. */
const DUMP_RETRIES = 3;
const DEFAULT_TIMEOUT_MS = 2000;
const ETIMEDOUT = 110;

/** An errno as the cause of a KaError, shaped like the addon's errors (`isErrno` works on it). */
export class NetlinkErrno extends Error {
  constructor(
    readonly errno: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'NetlinkErrno';
  }
}

export function netlinkError(what: string, errno: number, detail: string | null): KaError {
  const code = errnoName(errno);
  const text = `${what}: ${code}${detail ? ` (${detail})` : ''}`;
  return new KaError('KA_ERR_NETLINK', text, new NetlinkErrno(errno, code, text));
}

export function socketError(what: string, cause: unknown): KaError {
  const code = isErrno(cause) ? cause.code : 'EUNKNOWN';
  return new KaError('KA_ERR_NETLINK', `${what}: ${code}`, cause);
}

const toError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));

/** The sender's port id in a sockaddr_nl (0 is the kernel). */
export const senderPid = (name: Buffer): number => (name.length >= 8 ? name.readUInt32LE(4) : 0);

/** Open a netlink socket bound to `groups`; closes it again if setting it up fails. */
export function openNetlink(
  sock: RawSock,
  protocol: number,
  name: string,
  groups = 0,
  rcvbuf?: number,
): number {
  let fd: number;
  try {
    fd = sock.socket(SOCK.AF_NETLINK, SOCK.SOCK_RAW | SOCK.SOCK_NONBLOCK | SOCK.SOCK_CLOEXEC, protocol);
  } catch (err) {
    throw socketError(`cannot open a ${name} socket`, err);
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
    if (rcvbuf !== undefined) {
      // SO_RCVBUFFORCE (CAP_NET_ADMIN) goes past net.core.rmem_max; else what SO_RCVBUF allows.
      try {
        sock.setsockopt(fd, SOCK.SOL_SOCKET, SOCK.SO_RCVBUFFORCE, rcvbuf);
      } catch {
        try {
          sock.setsockopt(fd, SOCK.SOL_SOCKET, SOCK.SO_RCVBUF, rcvbuf);
        } catch {
          // the default buffer will do
        }
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
    throw socketError(`cannot bind the ${name} socket`, err);
  }
}

/** One message of a datagram: how to build it (with its seq) and which errnos count as success. */
export interface NlRequest {
  readonly what: string;
  readonly build: (seq: number) => Buffer;
  /** errno names that count as success (idempotent add/delete). */
  readonly okErrnos?: readonly string[];
}

interface Part {
  readonly req: NlRequest;
  seq: number;
  result: Error | null | undefined;
}

interface Datagram {
  readonly parts: Part[];
  /** A dump: one part, answered with messages until NLMSG_DONE. */
  readonly dump: boolean;
  readonly resolve: (r: { messages: NlMessage[]; results: (Error | null)[] }) => void;
  readonly reject: (err: Error) => void;
  collected: NlMessage[];
  interrupted: boolean;
  attempts: number;
  timer: ReturnType<typeof setTimeout> | undefined;
}

export class NetlinkSocket {
  private readonly timeoutMs: number;
  private readonly onError: (err: Error) => void;
  private readonly fd: number;
  private poll: PollHandle | null = null;
  private seq = 0;
  private readonly queue: Datagram[] = [];
  private current: Datagram | null = null;
  private closed = false;

  constructor(
    private readonly sock: RawSock,
    protocol: number,
    private readonly name: string,
    options: NetlinkSocketOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.onError = options.onError ?? (() => {});
    this.fd = openNetlink(sock, protocol, name, options.groups ?? 0, options.rcvbuf);
    try {
      this.poll = sock.poll(this.fd, (status) => this.onReadable(status));
    } catch (err) {
      sock.close(this.fd);
      throw socketError(`cannot poll the ${name} socket`, err);
    }
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** One request: a dump's messages, or [] for an acknowledged change; rejects on an error. */
  async request(req: NlRequest, dump: boolean): Promise<NlMessage[]> {
    const r = await this.enqueue([req], dump);
    const err = r.results[0];
    if (err) throw err;
    return r.messages;
  }

  /**
   * Changes sent together, in order, in one datagram: resolves with each one's error (null for
   * success). The kernel goes on after a failed one. Rejects only when the datagram itself fails
   * (no answer in time, the socket closed).
   */
  async batch(reqs: readonly NlRequest[]): Promise<(Error | null)[]> {
    if (reqs.length === 0) return [];
    return (await this.enqueue(reqs, false)).results;
  }

  /** Stops the poll, closes the socket, rejects what is still waiting. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const h = this.poll;
    this.poll = null;
    if (h) this.sock.pollStop(h);
    try {
      this.sock.close(this.fd);
    } catch (err) {
      this.onError(toError(err));
    }
    const closedError = (d: Datagram): KaError =>
      new KaError(
        'KA_ERR_NETLINK',
        `${d.parts[0]?.req.what ?? 'request'}: the ${this.name} handle was closed`,
      );
    const cur = this.current;
    this.current = null;
    if (cur) {
      clearTimeout(cur.timer);
      cur.reject(closedError(cur));
    }
    for (const d of this.queue.splice(0)) d.reject(closedError(d));
  }

  private enqueue(
    reqs: readonly NlRequest[],
    dump: boolean,
  ): Promise<{ messages: NlMessage[]; results: (Error | null)[] }> {
    if (this.closed)
      return Promise.reject(
        new KaError('KA_ERR_NETLINK', `${reqs[0]?.what ?? 'request'}: the ${this.name} handle is closed`),
      );
    return new Promise((resolve, reject) => {
      this.queue.push({
        parts: reqs.map((req) => ({ req, seq: 0, result: undefined })),
        dump,
        resolve,
        reject,
        collected: [],
        interrupted: false,
        attempts: 0,
        timer: undefined,
      });
      if (!this.current) this.next();
    });
  }

  /** Send the next queued datagram (one at a time: a dump needs the socket to itself anyway). */
  private next(): void {
    while (!this.current && !this.closed) {
      const d = this.queue.shift();
      if (!d) return;
      if (this.send(d)) this.current = d;
    }
  }

  /** Send (or re-send) `d` with new seqs; false (and `d` rejected) when the kernel refused it. */
  private send(d: Datagram): boolean {
    d.collected = [];
    d.interrupted = false;
    d.attempts++;
    const bytes = d.parts.map((p) => {
      this.seq = (this.seq + 1) >>> 0 || 1;
      p.seq = this.seq;
      p.result = undefined;
      return p.req.build(p.seq);
    });
    const what = d.parts.length === 1 ? (d.parts[0]?.req.what ?? '') : `${d.parts.length} requests`;
    try {
      this.sock.sendto(
        this.fd,
        bytes.length === 1 ? (bytes[0] as Buffer) : Buffer.concat(bytes),
        sockaddrNl(0, 0),
      );
    } catch (err) {
      d.reject(socketError(`${what}: sendto`, err));
      return false;
    }
    clearTimeout(d.timer);
    d.timer = setTimeout(() => {
      if (this.current !== d) return;
      this.finish(d, netlinkError(what, ETIMEDOUT, `no answer within ${this.timeoutMs} ms`));
    }, this.timeoutMs);
    // The kernel handles a netlink message to it inside sendmsg(): the answers are already queued.
    // Reading them now, rather than on the event loop's next poll, keeps a batch of datagrams
    // from waiting a loop turn each behind whatever else the daemon is doing (10,000 checkers).
    queueMicrotask(() => {
      if (this.current === d) this.onReadable(0);
    });
    return true;
  }

  private finish(d: Datagram, failure?: Error): void {
    clearTimeout(d.timer);
    if (this.current === d) this.current = null;
    if (failure) d.reject(failure);
    else d.resolve({ messages: d.collected, results: d.parts.map((p) => p.result ?? null) });
    this.next();
  }

  private onReadable(status: number): void {
    if (this.closed) return;
    if (status < 0) {
      const err = new KaError('KA_ERR_NETLINK', `polling the ${this.name} socket failed (status ${status})`);
      if (this.current) this.finish(this.current, err);
      else this.onError(err);
      return;
    }
    while (!this.closed) {
      let r;
      try {
        r = this.sock.recvmsg(this.fd, RECV_SIZE, 0);
      } catch (err) {
        // ENOBUFS: answers were dropped (a receive buffer overrun); the datagram waiting for one
        // times out. The socket's buffer is sized so that a batch's answers fit (ipvs.ts).
        this.onError(socketError(`recvmsg on the ${this.name} socket`, err));
        if (isErrno(err, 'ENOBUFS')) continue;
        return;
      }
      if (!r || this.closed) return;
      if (senderPid(r.name) !== 0) continue; // only the kernel answers
      if (r.flags & MSG_TRUNC) {
        this.onError(
          new KaError('KA_ERR_NETLINK', `a truncated answer of ${r.length} bytes on the ${this.name} socket`),
        );
        continue;
      }
      const parsed = parseMessages(r.data);
      if (parsed.error)
        this.onError(new KaError('KA_ERR_NETLINK', `malformed ${this.name} answer: ${parsed.error}`));
      for (const m of parsed.messages) this.onMessage(m);
    }
  }

  private onMessage(m: NlMessage): void {
    const d = this.current;
    const part = d?.parts.find((p) => p.seq === m.seq);
    if (!d || !part) return; // late answer to a datagram that timed out
    if (m.type === NLMSG.ERROR) {
      const e = decodeError(m);
      if (!e.ok) part.result = new KaError('KA_ERR_NETLINK', `${part.req.what}: ${e.reason}`);
      else {
        const { errno, message } = e.error;
        part.result =
          errno === 0 || (part.req.okErrnos ?? []).includes(errnoName(errno))
            ? null
            : netlinkError(part.req.what, errno, message);
      }
      if (d.dump || d.parts.every((p) => p.result !== undefined)) this.finish(d);
      return;
    }
    if (!d.dump) return;
    if (m.flags & NLM_F.DUMP_INTR) d.interrupted = true;
    if (m.type === NLMSG.DONE) {
      const errno = decodeDone(m);
      if (errno !== 0) {
        part.result = netlinkError(part.req.what, errno, null);
        return this.finish(d);
      }
      if (d.interrupted && d.attempts <= DUMP_RETRIES) {
        if (!this.send(d)) {
          clearTimeout(d.timer);
          this.current = null;
          this.next();
        }
        return;
      }
      part.result = null;
      return this.finish(d);
    }
    if (m.type !== NLMSG.NOOP) d.collected.push(m);
  }
}
