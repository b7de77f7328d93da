/**
 * NetlinkSocket.batch() on a fake addon: several changes in one datagram (one sendto), each with
 * its own seq and its own NLMSG_ERROR answer. The kernel goes through every message of a datagram
 * in turn (netlink_rcv_skb()) and acknowledges each, so one failure leaves the others done; the
 * caller gets one result per request, in request order, whatever order the acks come in. The
 * datagram has one deadline as a whole. request() (one message, dumps) keeps working as before.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { KaError } from '../../../src/lib/errors.js';
import { isErrno } from '../../../src/net/native.js';
import { encodeMessage, NLM_F, type NlMessage } from '../../../src/net/netlink.js';
import { NetlinkErrno, NetlinkSocket, type NlRequest } from '../../../src/net/netlink-socket.js';
import { ack, done, FakeNetlinkSock } from './fake-netlink.js';
import { settle } from '../../fakes/settle.js';

const NETLINK_GENERIC = 16;
const TYPE = 0x20; // any family id
const ETIMEDOUT = 110;

/** A change request whose message carries `tag` in its type-specific byte. */
const change = (what: string, tag: number, okErrnos?: string[]): NlRequest => ({
  what,
  build: (seq) =>
    encodeMessage({ type: TYPE, flags: NLM_F.REQUEST | NLM_F.ACK, seq }, [Buffer.from([tag, 1, 0, 0])]),
  ...(okErrnos ? { okErrnos } : {}),
});

const tagOf = (m: NlMessage): number => m.payload[0] as number;

function setup(timeoutMs?: number) {
  const sock = new FakeNetlinkSock();
  const errors: Error[] = [];
  const socket = new NetlinkSocket(sock, NETLINK_GENERIC, 'test netlink', {
    onError: (e) => errors.push(e),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
  return { sock, socket, errors, fd: sock.fd };
}

/** Answers every message of each datagram, in `order`, with the errno `errnoOf` picks. */
function kernel(
  sock: FakeNetlinkSock,
  errnoOf: (m: NlMessage) => number = () => 0,
  order: 'same' | 'reversed' | 'one-datagram-each' = 'same',
): void {
  sock.onDatagram = (fd, ms) => {
    const list = order === 'reversed' ? [...ms].reverse() : ms;
    if (order === 'one-datagram-each') for (const m of list) sock.deliver(fd, ack(m, errnoOf(m)));
    else sock.deliver(fd, Buffer.concat(list.map((m) => ack(m, errnoOf(m)))));
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('NetlinkSocket.batch', () => {
  it('opens the protocol asked for', () => {
    const { sock, fd } = setup();
    expect(sock.protocols.get(fd)).toBe(NETLINK_GENERIC);
  });

  it('sends every request in one datagram (one sendto), each with its own increasing seq', async () => {
    const { sock, socket } = setup();
    kernel(sock);
    const results = await socket.batch([change('a', 1), change('b', 2), change('c', 3)]);
    expect(results).toEqual([null, null, null]);
    expect(sock.datagrams).toHaveLength(1);
    const ms = sock.datagrams[0]?.messages ?? [];
    expect(ms.map(tagOf)).toEqual([1, 2, 3]);
    const seqs = ms.map((m) => m.seq);
    expect(new Set(seqs).size).toBe(3);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    // the datagram is the messages back to back (each a multiple of 4 bytes)
    expect(sock.datagrams[0]?.bytes).toBe(3 * 20);
  });

  it('one failing in the middle: its error in its place, the others succeed', async () => {
    const { sock, socket } = setup();
    kernel(sock, (m) => (tagOf(m) === 2 ? 17 : 0));
    const [a, b, c] = await socket.batch([change('first', 1), change('second', 2), change('third', 3)]);
    expect(a).toBeNull();
    expect(c).toBeNull();
    expect(b).toBeInstanceOf(KaError);
    expect((b as KaError).code).toBe('KA_ERR_NETLINK');
    expect(b?.message).toBe('second: EEXIST');
    // shaped like the addon's errors: numeric errno and its name
    const cause = (b as KaError).cause;
    expect(cause).toBeInstanceOf(NetlinkErrno);
    expect(isErrno(cause, 'EEXIST')).toBe(true);
    expect((cause as NetlinkErrno).errno).toBe(17);
  });

  it('several failures, each with its own errno', async () => {
    const { sock, socket } = setup();
    const errnos: Record<number, number> = { 1: 2, 2: 0, 3: 3, 4: 22 };
    kernel(sock, (m) => errnos[tagOf(m)] ?? 0);
    const results = await socket.batch([1, 2, 3, 4].map((t) => change(`r${t}`, t)));
    expect(results.map((r) => (r ? (r as KaError).message : null))).toEqual([
      'r1: ENOENT',
      null,
      'r3: ESRCH',
      'r4: EINVAL',
    ]);
  });

  it('matches acks by seq: reversed order, or one datagram each, gives the same results', async () => {
    for (const order of ['reversed', 'one-datagram-each'] as const) {
      const { sock, socket } = setup();
      kernel(sock, (m) => (tagOf(m) === 1 ? 1 : 0), order);
      const results = await socket.batch([change('x', 1), change('y', 2), change('z', 3)]);
      expect(results.map((r) => r?.message ?? null)).toEqual(['x: EPERM', null, null]);
    }
  });

  it('waits for every ack before resolving', async () => {
    const { sock, socket, fd } = setup();
    let held: NlMessage[] = [];
    sock.onDatagram = (_fd, ms) => (held = ms);
    let settled = false;
    const p = socket.batch([change('a', 1), change('b', 2)]).then((r) => {
      settled = true;
      return r;
    });
    sock.deliver(fd, ack(held[1] as NlMessage));
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    sock.deliver(fd, ack(held[0] as NlMessage, 95));
    expect((await p).map((r) => r?.message ?? null)).toEqual(['a: EOPNOTSUPP', null]);
  });

  it('okErrnos count as success for their own request only', async () => {
    const { sock, socket } = setup();
    kernel(sock, () => 17);
    const results = await socket.batch([change('idempotent', 1, ['EEXIST']), change('strict', 2)]);
    expect(results[0]).toBeNull();
    expect(results[1]?.message).toBe('strict: EEXIST');
  });

  it('an empty batch sends nothing', async () => {
    const { sock, socket } = setup();
    expect(await socket.batch([])).toEqual([]);
    expect(sock.datagrams).toHaveLength(0);
  });

  it('batches queued together go out one datagram after the other', async () => {
    const { sock, socket } = setup();
    kernel(sock);
    const [r1, r2] = await Promise.all([
      socket.batch([change('a', 1), change('b', 2)]),
      socket.batch([change('c', 3)]),
    ]);
    expect([r1, r2]).toEqual([[null, null], [null]]);
    expect(sock.datagrams.map((d) => d.messages.map(tagOf))).toEqual([[1, 2], [3]]);
    const seqs = sock.sent.map((m) => m.seq);
    expect(new Set(seqs).size).toBe(3);
  });

  it('the whole datagram times out: the batch rejects with ETIMEDOUT, then the next goes', async () => {
    vi.useFakeTimers();
    const { sock, socket, fd } = setup(500);
    const held: NlMessage[][] = [];
    sock.onDatagram = (_fd, ms) => held.push(ms);
    let failure: unknown;
    const first = socket.batch([change('a', 1), change('b', 2), change('c', 3)]).catch((e: unknown) => {
      failure = e;
    });
    const second = socket.batch([change('d', 4)]);
    // two of three answered: not enough
    sock.deliver(fd, Buffer.concat([ack(held[0]?.[0] as NlMessage), ack(held[0]?.[1] as NlMessage)]));
    await vi.advanceTimersByTimeAsync(499);
    expect(failure).toBeUndefined();
    expect(held).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await first;
    expect(failure).toBeInstanceOf(KaError);
    expect((failure as KaError).message).toBe('3 requests: ETIMEDOUT (no answer within 500 ms)');
    expect(isErrno((failure as KaError).cause, 'ETIMEDOUT')).toBe(true);
    expect(((failure as KaError).cause as NetlinkErrno).errno).toBe(ETIMEDOUT);
    // the next datagram is sent; a late answer to the old one is ignored
    expect(held).toHaveLength(2);
    sock.deliver(fd, ack(held[0]?.[2] as NlMessage, 1));
    sock.deliver(fd, ack(held[1]?.[0] as NlMessage));
    expect(await second).toEqual([null]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('close() rejects a batch in flight', async () => {
    const { sock, socket } = setup();
    sock.onDatagram = () => {};
    const p = socket.batch([change('a', 1), change('b', 2)]);
    socket.close();
    await expect(p).rejects.toThrow(/a: the test netlink handle was closed/);
    await expect(socket.batch([change('c', 3)])).rejects.toThrow(/closed/);
    expect(sock.open.size).toBe(0);
  });
});

describe('NetlinkSocket.request (unchanged by batches)', () => {
  const dumpReq: NlRequest = {
    what: 'dump',
    build: (seq) =>
      encodeMessage({ type: TYPE, flags: NLM_F.REQUEST | NLM_F.DUMP, seq }, [Buffer.from([9, 1, 0, 0])]),
  };
  const answer = (seq: number, n: number): Buffer =>
    encodeMessage({ type: TYPE, flags: NLM_F.MULTI, seq }, [Buffer.from([n, 1, 0, 0])]);

  it('a dump collects its messages over several datagrams until NLMSG_DONE', async () => {
    const { sock, socket } = setup();
    sock.onDatagram = (fd, [m]) => {
      const seq = (m as NlMessage).seq;
      sock.deliver(fd, Buffer.concat([answer(seq, 1), answer(seq, 2)]));
      sock.deliver(fd, Buffer.concat([answer(seq, 3), done(seq)]));
    };
    const ms = await socket.request(dumpReq, true);
    expect(ms.map(tagOf)).toEqual([1, 2, 3]);
    expect(sock.datagrams).toHaveLength(1);
    expect(sock.sent[0]?.flags).toBe(NLM_F.REQUEST | NLM_F.DUMP);
  });

  it('a change request resolves with [] on its ack and rejects on an error', async () => {
    const { sock, socket } = setup();
    let errno = 0;
    kernel(sock, () => errno);
    expect(await socket.request(change('one', 1), false)).toEqual([]);
    errno = 22;
    await expect(socket.request(change('two', 2), false)).rejects.toThrow('two: EINVAL');
  });

  it('a dump queued behind a batch waits for it', async () => {
    const { sock, socket, fd } = setup();
    const held: NlMessage[][] = [];
    sock.onDatagram = (_fd, ms) => held.push(ms);
    const b = socket.batch([change('a', 1), change('b', 2)]);
    const d = socket.request(dumpReq, true);
    await settle();
    expect(held).toHaveLength(1);
    sock.deliver(fd, Buffer.concat((held[0] ?? []).map((m) => ack(m))));
    expect(await b).toEqual([null, null]);
    expect(held).toHaveLength(2);
    const seq = (held[1]?.[0] as NlMessage).seq;
    sock.deliver(fd, Buffer.concat([answer(seq, 7), done(seq)]));
    expect((await d).map(tagOf)).toEqual([7]);
  });
});
