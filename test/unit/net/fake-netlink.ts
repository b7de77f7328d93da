/**
 * A fake native addon for netlink sockets of any protocol (adapted from the FakeRawSock in
 * rtnl.test.ts, which keeps its own copy): every sendto() is one datagram, recorded whole and as
 * its messages; `onDatagram` plays the kernel and answers with deliver(), which reports the socket
 * readable on a later microtask as libuv would. Also the kernel's answers as bytes (NLMSG_ERROR
 * acks, NLMSG_DONE). Shared by netlink-socket.test.ts and ipvs.test.ts.
 */
import { expect } from 'vitest';
import { SOCK, type PollHandle, type RawSock, type RecvResult } from '../../../src/net/native.js';
import { encodeMessage, NLM_F, NLMSG, parseMessages, type NlMessage } from '../../../src/net/netlink.js';

export class Errno extends Error {
  constructor(
    readonly code: string,
    readonly errno: number,
  ) {
    super(code);
  }
}

interface Poller {
  readonly fd: number;
  readonly cb: (status: number, events: number) => void;
  stopped: boolean;
}

export class FakeNetlinkSock implements RawSock {
  private nextFd = 30;
  readonly open = new Set<number>();
  /** The protocol each fd was opened with. */
  readonly protocols = new Map<number, number>();
  /** Every sendto(): the messages of one datagram, with its size. */
  readonly datagrams: { fd: number; bytes: number; messages: NlMessage[] }[] = [];
  private readonly pollers: Poller[] = [];
  private readonly inbox = new Map<number, RecvResult[]>();
  /** The fake kernel: called once per datagram sent. */
  onDatagram: (fd: number, messages: NlMessage[]) => void = () => {};

  /** Every message sent, in order. */
  get sent(): NlMessage[] {
    return this.datagrams.flatMap((d) => d.messages);
  }

  socket(domain: number, type: number, protocol: number): number {
    expect([domain, type]).toEqual([SOCK.AF_NETLINK, SOCK.SOCK_RAW | SOCK.SOCK_NONBLOCK | SOCK.SOCK_CLOEXEC]);
    const fd = this.nextFd++;
    this.open.add(fd);
    this.protocols.set(fd, protocol);
    return fd;
  }
  setsockopt(fd: number): void {
    this.live(fd);
  }
  bind(fd: number): void {
    this.live(fd);
  }
  sendto(fd: number, data: Uint8Array, addr: Uint8Array | null): number {
    this.live(fd);
    expect(addr && Buffer.from(addr).readUInt32LE(4)).toBe(0); // to the kernel
    const { messages, error } = parseMessages(Buffer.from(data));
    expect(error).toBeNull();
    this.datagrams.push({ fd, bytes: data.length, messages });
    this.onDatagram(fd, messages);
    return data.length;
  }
  recvmmsg(): number {
    return 0;
  }
  attachFilter(): void {}
  recvmsg(fd: number): RecvResult | null {
    this.live(fd);
    return this.inbox.get(fd)?.shift() ?? null;
  }
  close(fd: number): void {
    this.live(fd);
    this.open.delete(fd);
  }
  poll(fd: number, cb: (status: number, events: number) => void): PollHandle {
    this.live(fd);
    const p: Poller = { fd, cb, stopped: false };
    this.pollers.push(p);
    return p as unknown as PollHandle;
  }
  pollStop(handle: PollHandle): void {
    (handle as unknown as Poller).stopped = true;
  }

  private live(fd: number): void {
    if (!this.open.has(fd)) throw new Errno('EBADF', 9);
  }

  /** Queue a datagram from the kernel for fd and report fd readable, later. */
  deliver(fd: number, data: Buffer): void {
    const q = this.inbox.get(fd) ?? [];
    this.inbox.set(fd, q);
    const name = Buffer.alloc(12);
    name.writeUInt16LE(SOCK.AF_NETLINK, 0);
    q.push({ data, name, control: Buffer.alloc(0), flags: 0, length: data.length });
    queueMicrotask(() => {
      for (const p of this.pollers) if (p.fd === fd && !p.stopped) p.cb(0, 1);
    });
  }

  /** The only open fd (the socket under test). */
  get fd(): number {
    expect(this.open.size).toBe(1);
    return [...this.open][0] as number;
  }
}

/** The kernel's NLMSG_ERROR for `m`: errno 0 is an ACK (capped: the request's header only). */
export const ack = (m: NlMessage, errno = 0): Buffer => {
  const e = Buffer.alloc(4);
  e.writeInt32LE(-errno, 0);
  return encodeMessage({ type: NLMSG.ERROR, flags: NLM_F.CAPPED, seq: m.seq }, [
    e,
    encodeMessage({ type: m.type, flags: m.flags, seq: m.seq }, []),
  ]);
};

/** NLMSG_DONE ending a dump. */
export const done = (seq: number, errno = 0): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32LE(-errno, 0);
  return encodeMessage({ type: NLMSG.DONE, flags: NLM_F.MULTI, seq }, [b]);
};
