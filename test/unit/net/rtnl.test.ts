/**
 * LinuxRtnl on a fake addon (no sockets): the request/answer protocol the real kernel makes hard
 * to provoke: seq matching, one request at a time, multi-part dumps and interrupted ones, errno
 * mapping, the 2 s timeout, overruns, and that close() leaves no fd or poll handle behind. The
 * real kernel is in test/netns/rtnl.test.ts.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { KaError } from '../../../src/lib/errors.js';
import { isErrno, SOCK, type PollHandle, type RawSock, type RecvResult } from '../../../src/net/native.js';
import {
  AF,
  encodeAttr,
  encodeAttrString,
  encodeIfaddrmsg,
  encodeLinkMessage,
  encodeMessage,
  IFA,
  IFF,
  IFLA,
  NETLINK_OPT,
  NLM_F,
  NLMSG,
  parseMessages,
  RTM,
  RTMGRP,
  type NlMessage,
} from '../../../src/net/netlink.js';
import type { AddressSpec, LinkInfo } from '../../../src/net/ports.js';
import { LinuxRtnl } from '../../../src/net/rtnl.js';
import { settle } from '../../fakes/settle.js';

class Errno extends Error {
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

/** The addon, with a scriptable kernel behind each fd. */
class FakeRawSock implements RawSock {
  private nextFd = 20;
  readonly open = new Set<number>();
  readonly bound = new Map<number, number>(); // fd -> groups
  readonly options: [number, number, number][] = [];
  readonly sent: { fd: number; message: NlMessage }[] = [];
  readonly pollers: Poller[] = [];
  private readonly inbox = new Map<number, (RecvResult | Error)[]>();
  /** Called for every message sent (the fake kernel). */
  onSend: (fd: number, m: NlMessage) => void = () => {};

  socket(domain: number, type: number, protocol: number): number {
    expect([domain, type, protocol]).toEqual([
      SOCK.AF_NETLINK,
      SOCK.SOCK_RAW | SOCK.SOCK_NONBLOCK | SOCK.SOCK_CLOEXEC,
      SOCK.NETLINK_ROUTE,
    ]);
    const fd = this.nextFd++;
    this.open.add(fd);
    return fd;
  }
  setsockopt(fd: number, level: number, name: number, value: number | Uint8Array): void {
    this.live(fd);
    this.options.push([fd, level, name]);
    expect(value).toBeTypeOf('number');
  }
  bind(fd: number, addr: Uint8Array): void {
    this.live(fd);
    const b = Buffer.from(addr);
    expect(b.readUInt16LE(0)).toBe(SOCK.AF_NETLINK);
    this.bound.set(fd, b.readUInt32LE(8));
  }
  sendto(fd: number, data: Uint8Array, addr: Uint8Array | null): number {
    this.live(fd);
    expect(addr && Buffer.from(addr).readUInt32LE(4)).toBe(0); // to the kernel
    const { messages, error } = parseMessages(Buffer.from(data));
    expect(error).toBeNull();
    for (const m of messages) {
      this.sent.push({ fd, message: m });
      this.onSend(fd, m);
    }
    return data.length;
  }
  recvmmsg(): number {
    return 0;
  }
  attachFilter(): void {}
  recvmsg(fd: number, dataSize: number): RecvResult | null {
    this.live(fd);
    const next = this.inbox.get(fd)?.shift();
    if (next instanceof Error) throw next;
    if (next) expect(next.data.length).toBeLessThanOrEqual(dataSize);
    return next ?? null;
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

  /** Queue a datagram (or an error) for fd and report it readable, as libuv would, later. */
  deliver(fd: number, item: Buffer | Error, opts: { pid?: number; flags?: number } = {}): void {
    const q = this.inbox.get(fd) ?? [];
    this.inbox.set(fd, q);
    if (item instanceof Error) q.push(item);
    else {
      const name = Buffer.alloc(12);
      name.writeUInt16LE(SOCK.AF_NETLINK, 0);
      name.writeUInt32LE(opts.pid ?? 0, 4);
      q.push({ data: item, name, control: Buffer.alloc(0), flags: opts.flags ?? 0, length: item.length });
    }
    queueMicrotask(() => {
      for (const p of this.pollers) if (p.fd === fd && !p.stopped) p.cb(0, 1);
    });
  }

  activePollers(): Poller[] {
    return this.pollers.filter((p) => !p.stopped);
  }
}

const ack = (m: NlMessage, errno = 0, text?: string): Buffer =>
  encodeMessage(
    { type: NLMSG.ERROR, flags: NLM_F.CAPPED | (text ? NLM_F.ACK_TLVS : 0), seq: m.seq, pid: 4242 },
    [
      (() => {
        const b = Buffer.alloc(4);
        b.writeInt32LE(-errno, 0);
        return b;
      })(),
      encodeMessage({ type: m.type, flags: m.flags, seq: m.seq }, []),
      ...(text ? [encodeAttrString(1, text)] : []),
    ],
  );

const done = (seq: number, errno = 0, flags: number = NLM_F.MULTI): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32LE(-errno, 0);
  return encodeMessage({ type: NLMSG.DONE, flags, seq }, [b]);
};

const linkMsg = (
  type: number,
  seq: number,
  index: number,
  name: string,
  flags: number,
  family: number = AF.UNSPEC,
) =>
  encodeLinkMessage({ type, flags: NLM_F.MULTI, seq }, { family, index, flags }, [
    encodeAttrString(IFLA.IFNAME, name),
    encodeAttr(IFLA.ADDRESS, Uint8Array.from([2, 0, 0, 0, 0, index])),
  ]);

const addrMsg = (seq: number, index: number, bytes: number[], prefixLength: number) =>
  encodeMessage({ type: RTM.NEWADDR, flags: NLM_F.MULTI, seq }, [
    encodeIfaddrmsg({
      family: bytes.length === 4 ? AF.INET : AF.INET6,
      prefixLength,
      flags: 0,
      scope: 0,
      index,
    }),
    encodeAttr(IFA.ADDRESS, Uint8Array.from(bytes)),
    encodeAttr(IFA.LOCAL, Uint8Array.from(bytes)),
  ]);

const vip: AddressSpec = {
  index: 3,
  family: 'inet',
  address: '192.0.2.10',
  prefixLength: 24,
  broadcast: '+',
  scope: 'global',
  label: 'eth0:vip',
  peer: null,
  flags: [],
  preferredLft: null,
};

const ETIMEDOUT = 110;

function setup(opts: { timeoutMs?: number } = {}) {
  const sock = new FakeRawSock();
  const errors: Error[] = [];
  const rtnl = new LinuxRtnl(sock, { ...opts, onError: (e) => errors.push(e) });
  const fd = [...sock.open][0] as number;
  return { sock, rtnl, errors, fd };
}

async function rejection(p: Promise<unknown>): Promise<KaError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(KaError);
    return err as KaError;
  }
  throw new Error('expected a rejection');
}

afterEach(() => {
  vi.useRealTimers();
});

describe('LinuxRtnl requests', () => {
  it('opens one bound socket with extended ACKs and polls it', () => {
    const { sock, fd } = setup();
    expect(sock.open.size).toBe(1);
    expect(sock.bound.get(fd)).toBe(0);
    expect(sock.options).toContainEqual([fd, SOCK.SOL_NETLINK, NETLINK_OPT.EXT_ACK]);
    expect(sock.activePollers().map((p) => p.fd)).toEqual([fd]);
  });

  it('adds with increasing seq numbers and resolves on the ACK', async () => {
    const { sock, rtnl } = setup();
    sock.onSend = (fd, m) => sock.deliver(fd, ack(m));
    await rtnl.addAddress(vip);
    await rtnl.deleteAddress(vip);
    expect(sock.sent.map((s) => s.message.type)).toEqual([RTM.NEWADDR, RTM.DELADDR]);
    const [a, b] = sock.sent.map((s) => s.message.seq);
    expect(b).toBe((a as number) + 1);
    expect(sock.sent[0]?.message.flags).toBe(NLM_F.REQUEST | NLM_F.ACK | NLM_F.CREATE | NLM_F.EXCL);
  });

  it('EEXIST on add and EADDRNOTAVAIL/ENOENT/ESRCH/ENODEV on delete are success', async () => {
    const { sock, rtnl } = setup();
    let errno = 17;
    sock.onSend = (fd, m) => sock.deliver(fd, ack(m, errno));
    await rtnl.addAddress(vip);
    for (errno of [99, 2, 3, 19]) await rtnl.deleteAddress(vip);
  });

  it('other errors reject with KA_ERR_NETLINK, the errno name and the kernel’s text', async () => {
    const { sock, rtnl } = setup();
    let errno = 1;
    sock.onSend = (fd, m) =>
      sock.deliver(fd, ack(m, errno, errno === 1 ? 'Operation not permitted here' : undefined));
    const e = await rejection(rtnl.addAddress(vip));
    expect(e.code).toBe('KA_ERR_NETLINK');
    expect(e.message).toBe('RTM_NEWADDR 192.0.2.10/24 ifindex 3: EPERM (Operation not permitted here)');
    expect(isErrno(e.cause, 'EPERM')).toBe(true);
    errno = 99; // EADDRNOTAVAIL is only harmless on delete
    expect(isErrno((await rejection(rtnl.addAddress(vip))).cause, 'EADDRNOTAVAIL')).toBe(true);
    errno = 17; // and EEXIST only on add
    expect(isErrno((await rejection(rtnl.deleteAddress(vip))).cause, 'EEXIST')).toBe(true);
    errno = 4095;
    expect((await rejection(rtnl.deleteAddress(vip))).message).toMatch(/: E4095$/);
  });

  it('an invalid spec rejects without sending anything', async () => {
    const { sock, rtnl } = setup();
    const e = await rejection(rtnl.addAddress({ ...vip, address: '2001:db8::1' }));
    expect(e.message).toMatch(/invalid inet address/);
    expect(sock.sent).toHaveLength(0);
  });

  it('collects a dump over several datagrams until NLMSG_DONE, ignoring strangers', async () => {
    const { sock, rtnl } = setup();
    sock.onSend = (fd, m) => {
      sock.deliver(fd, ack({ ...m, seq: m.seq - 1 })); // a stale answer
      sock.deliver(fd, linkMsg(RTM.NEWLINK, m.seq, 9, 'evil', 0), { pid: 777 }); // not from the kernel
      sock.deliver(
        fd,
        Buffer.concat([
          linkMsg(RTM.NEWLINK, m.seq, 1, 'lo', IFF.UP),
          linkMsg(RTM.NEWLINK, m.seq, 2, 'eth0', 0x41),
        ]),
      );
      sock.deliver(fd, linkMsg(RTM.NEWLINK, m.seq, 2, 'eth0', 0x41, 7)); // AF_BRIDGE copy
      sock.deliver(fd, Buffer.concat([linkMsg(RTM.NEWLINK, m.seq, 3, 'eth1', 0x1043), done(m.seq)]));
    };
    const links = await rtnl.links();
    expect(links.map((l) => [l.index, l.name, l.up])).toEqual([
      [1, 'lo', false],
      [2, 'eth0', true],
      [3, 'eth1', true],
    ]);
    expect(Array.from((links[1] as LinkInfo).mac)).toEqual([2, 0, 0, 0, 0, 2]);
    expect(sock.sent[0]?.message.flags).toBe(NLM_F.REQUEST | NLM_F.DUMP);
  });

  it('reads addresses', async () => {
    const { sock, rtnl } = setup();
    sock.onSend = (fd, m) =>
      sock.deliver(
        fd,
        Buffer.concat([
          addrMsg(m.seq, 2, [192, 0, 2, 1], 24),
          addrMsg(m.seq, 2, [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 64),
          done(m.seq),
        ]),
      );
    expect((await rtnl.addresses()).map((a) => `${a.family} ${a.address}/${a.prefixLength}`)).toEqual([
      'inet 192.0.2.1/24',
      'inet6 2001:db8::1/64',
    ]);
  });

  it('re-reads a dump the kernel marks as interrupted', async () => {
    const { sock, rtnl } = setup();
    let round = 0;
    sock.onSend = (fd, m) => {
      round++;
      const flags = NLM_F.MULTI | (round === 1 ? NLM_F.DUMP_INTR : 0);
      sock.deliver(
        fd,
        Buffer.concat([linkMsg(RTM.NEWLINK, m.seq, round, `if${round}`, 0), done(m.seq, 0, flags)]),
      );
    };
    expect((await rtnl.links()).map((l) => l.name)).toEqual(['if2']);
    expect(sock.sent.map((s) => s.message.seq)).toEqual([1, 2]);
  });

  it('a dump that fails rejects', async () => {
    const { sock, rtnl } = setup();
    sock.onSend = (fd, m) => sock.deliver(fd, done(m.seq, 16));
    expect(isErrno((await rejection(rtnl.links())).cause, 'EBUSY')).toBe(true);
    sock.onSend = (fd, m) => sock.deliver(fd, ack(m, 22));
    expect(isErrno((await rejection(rtnl.addresses())).cause, 'EINVAL')).toBe(true);
  });

  it('sends one request at a time, in order', async () => {
    const { sock, rtnl } = setup();
    const held: NlMessage[] = [];
    sock.onSend = (_fd, m) => held.push(m);
    const a = rtnl.addAddress(vip);
    const b = rtnl.deleteAddress(vip);
    await settle();
    expect(held).toHaveLength(1);
    sock.deliver(sock.sent[0]?.fd as number, ack(held[0] as NlMessage));
    await a;
    expect(held).toHaveLength(2);
    expect(held[1]?.type).toBe(RTM.DELADDR);
    sock.deliver(sock.sent[1]?.fd as number, ack(held[1] as NlMessage));
    await b;
  });

  it('rejects a request not answered within 2 s, then goes on; a late answer is ignored', async () => {
    vi.useFakeTimers();
    const { sock, rtnl, fd } = setup();
    const held: NlMessage[] = [];
    sock.onSend = (_fd, m) => held.push(m);
    const first = rejection(rtnl.addAddress(vip));
    const second = rtnl.deleteAddress(vip);
    await vi.advanceTimersByTimeAsync(1999);
    expect(held).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    const e = await first;
    expect(e.message).toBe('RTM_NEWADDR 192.0.2.10/24 ifindex 3: ETIMEDOUT (no answer within 2000 ms)');
    expect((e.cause as { errno: number }).errno).toBe(ETIMEDOUT);
    expect(held).toHaveLength(2);
    sock.deliver(fd, ack(held[0] as NlMessage, 1)); // the late EPERM belongs to nobody now
    sock.deliver(fd, ack(held[1] as NlMessage));
    await second;
  });

  it('reports malformed and truncated datagrams without throwing', async () => {
    const { sock, rtnl, fd, errors } = setup();
    sock.onSend = (_fd, m) => {
      sock.deliver(fd, Buffer.from([1, 2, 3]));
      sock.deliver(fd, ack(m, 1), { flags: 0x20 }); // MSG_TRUNC: not trusted
      sock.deliver(fd, new Errno('ENOBUFS', 105));
      sock.deliver(fd, ack(m));
    };
    await rtnl.addAddress(vip);
    expect(errors.map((e) => e.message)).toEqual([
      'malformed rtnetlink answer: 3 trailing bytes',
      'a truncated answer of 36 bytes on the rtnetlink socket',
      'recvmsg on the rtnetlink socket: ENOBUFS',
    ]);
  });

  it('close() rejects what waits, stops the poll, closes the fd; twice is harmless', async () => {
    vi.useFakeTimers();
    const { sock, rtnl } = setup();
    const a = rejection(rtnl.addAddress(vip));
    const b = rejection(rtnl.links());
    rtnl.watchLinks(() => {});
    expect(sock.open.size).toBe(2);
    rtnl.close();
    rtnl.close();
    expect((await a).message).toMatch(/closed/);
    expect((await b).message).toMatch(/closed/);
    expect(sock.open.size).toBe(0);
    expect(sock.activePollers()).toHaveLength(0);
    expect(vi.getTimerCount()).toBe(0);
    expect((await rejection(rtnl.links())).message).toMatch(/closed/);
    expect(() => rtnl.watchLinks(() => {})).toThrow(KaError);
  });

  it('a socket that cannot be bound is closed again', () => {
    const sock = new FakeRawSock();
    sock.bind = () => {
      throw new Errno('EPERM', 1);
    };
    expect(() => new LinuxRtnl(sock)).toThrow(/cannot bind the rtnetlink socket: EPERM/);
    expect(sock.open.size).toBe(0);
  });
});

describe('LinuxRtnl.watchLinks', () => {
  it('reports RTM_NEWLINK/DELLINK from its own RTMGRP_LINK socket, and unsubscribes', async () => {
    const { sock, rtnl, fd } = setup();
    const seen: string[] = [];
    const stop = rtnl.watchLinks((l, deleted) =>
      seen.push(`${l.name} ${l.up ? 'up' : 'down'}${deleted ? ' deleted' : ''}`),
    );
    const wfd = [...sock.open].find((f) => f !== fd) as number;
    expect(sock.bound.get(wfd)).toBe(RTMGRP.LINK);
    sock.deliver(wfd, linkMsg(RTM.NEWLINK, 0, 3, 'eth0', IFF.UP));
    sock.deliver(wfd, linkMsg(RTM.NEWLINK, 0, 3, 'eth0', IFF.UP, 7)); // AF_BRIDGE
    sock.deliver(
      wfd,
      Buffer.concat([
        linkMsg(RTM.NEWLINK, 0, 3, 'eth0', IFF.UP | IFF.RUNNING),
        linkMsg(RTM.DELLINK, 0, 4, 'eth1', 0),
      ]),
    );
    sock.deliver(wfd, encodeMessage({ type: RTM.NEWADDR, flags: 0, seq: 0 }, [Buffer.alloc(8)]));
    await new Promise((r) => setTimeout(r, 0));
    expect(seen).toEqual(['eth0 down', 'eth0 up', 'eth1 down deleted']);
    stop();
    stop();
    expect(sock.open.has(wfd)).toBe(false);
    expect(sock.activePollers().map((p) => p.fd)).toEqual([fd]);
    sock.deliver(wfd, linkMsg(RTM.NEWLINK, 0, 3, 'eth0', 0));
    await new Promise((r) => setTimeout(r, 0));
    expect(seen).toHaveLength(3);
    rtnl.close();
    expect(sock.open.size).toBe(0);
  });

  it('a callback that throws goes to onError and does not stop the watch', async () => {
    const { sock, rtnl, fd, errors } = setup();
    let n = 0;
    rtnl.watchLinks(() => {
      if (n++ === 0) throw new Error('boom');
    });
    const wfd = [...sock.open].find((f) => f !== fd) as number;
    sock.deliver(
      wfd,
      Buffer.concat([linkMsg(RTM.NEWLINK, 0, 3, 'eth0', 0), linkMsg(RTM.NEWLINK, 0, 3, 'eth0', 0x41)]),
    );
    await new Promise((r) => setTimeout(r, 0));
    expect(n).toBe(2);
    expect(errors.map((e) => e.message)).toEqual(['boom']);
    rtnl.close();
  });

  it('a callback may unsubscribe or close everything; nothing is read from a closed fd', async () => {
    const { sock, rtnl, fd, errors } = setup();
    const seen: string[] = [];
    const stop = rtnl.watchLinks((l) => {
      seen.push(l.name);
      stop();
    });
    const wfd = [...sock.open].find((f) => f !== fd) as number;
    sock.deliver(wfd, linkMsg(RTM.NEWLINK, 0, 3, 'eth0', 0));
    sock.deliver(wfd, linkMsg(RTM.NEWLINK, 0, 4, 'eth1', 0));
    await new Promise((r) => setTimeout(r, 0));
    expect(seen).toEqual(['eth0']);
    rtnl.watchLinks((l) => {
      seen.push(l.name);
      rtnl.close();
    });
    const wfd2 = [...sock.open].find((f) => f !== fd) as number;
    sock.deliver(
      wfd2,
      Buffer.concat([linkMsg(RTM.NEWLINK, 0, 5, 'eth2', 0), linkMsg(RTM.NEWLINK, 0, 6, 'eth3', 0)]),
    );
    sock.deliver(wfd2, linkMsg(RTM.NEWLINK, 0, 7, 'eth4', 0));
    await new Promise((r) => setTimeout(r, 0));
    expect(seen).toEqual(['eth0', 'eth2']);
    expect(errors).toEqual([]); // no EBADF from reading on after the close
    expect(sock.open.size).toBe(0);
  });

  it('after an overrun, re-reads every link and reports the ones that went as deleted', async () => {
    const { sock, rtnl, fd, errors } = setup();
    const seen: string[] = [];
    rtnl.watchLinks((l, deleted) => seen.push(`${l.index} ${l.name}${deleted ? ' deleted' : ''}`));
    const wfd = [...sock.open].find((f) => f !== fd) as number;
    sock.deliver(
      wfd,
      Buffer.concat([linkMsg(RTM.NEWLINK, 0, 3, 'eth0', 0), linkMsg(RTM.NEWLINK, 0, 4, 'eth1', 0)]),
    );
    await new Promise((r) => setTimeout(r, 0));
    sock.onSend = (f, m) => {
      expect(m.type).toBe(RTM.GETLINK);
      sock.deliver(f, Buffer.concat([linkMsg(RTM.NEWLINK, m.seq, 3, 'eth0', 0x41), done(m.seq)]));
    };
    sock.deliver(wfd, new Errno('ENOBUFS', 105));
    await new Promise((r) => setTimeout(r, 0));
    expect(seen).toEqual(['3 eth0', '4 eth1', '4 eth1 deleted', '3 eth0']);
    expect(errors[0]?.message).toMatch(/link events were lost/);
    rtnl.close();
  });

  it('ignores the link socket’s SO_RCVBUF failing', () => {
    const sock = new FakeRawSock();
    const rtnl = new LinuxRtnl(sock);
    const orig = sock.setsockopt.bind(sock);
    sock.setsockopt = (fd, level, name, value) => {
      if (level === SOCK.SOL_SOCKET) throw new Errno('EPERM', 1);
      orig(fd, level, name, value);
    };
    const stop = rtnl.watchLinks(() => {});
    expect(sock.open.size).toBe(2);
    stop();
    rtnl.close();
    expect(sock.open.size).toBe(0);
  });
});
