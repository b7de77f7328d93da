/**
 * LinuxAnnouncer over a fake RawSock (a constructor argument, no patching): what it asks the
 * kernel to send, and that failures are counted and reported, never thrown. The real socket is
 * exercised in test/netns/announcer.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { KaError } from '../../../src/lib/errors.js';
import { AnnounceError, openAnnouncer } from '../../../src/net/announcer.js';
import { garpFrame, unsolicitedNaFrame } from '../../../src/net/garp.js';
import { SOCK, type PollHandle, type RawSock } from '../../../src/net/native.js';
import { sockaddrLl } from '../../../src/net/sockaddr.js';
import { parseIpv4, parseIpv6 } from '../../../src/lib/ip.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const errno = (code: string, n: number): Error =>
  Object.assign(new Error(`sendto: ${code}`), { code, errno: n });

class FakeSock implements RawSock {
  readonly opened: [number, number, number][] = [];
  readonly sent: { fd: number; data: string; addr: string }[] = [];
  readonly closed: number[] = [];
  sendError: Error | undefined;
  socketError: Error | undefined;

  socket(domain: number, type: number, protocol: number): number {
    if (this.socketError) throw this.socketError;
    this.opened.push([domain, type, protocol]);
    return 7;
  }
  setsockopt(): void {}
  bind(): void {}
  sendto(fd: number, data: Uint8Array, addr: Uint8Array | null): number {
    if (this.sendError) throw this.sendError;
    this.sent.push({ fd, data: hex(data), addr: hex(addr ?? new Uint8Array()) });
    return data.length;
  }
  recvmsg(): null {
    return null;
  }
  recvmmsg(): number {
    return 0;
  }
  attachFilter(): void {}
  close(fd: number): void {
    this.closed.push(fd);
  }
  poll(): PollHandle {
    throw new Error('not used');
  }
  pollStop(): void {}
}

const MAC = Uint8Array.of(0x02, 0x6b, 0x6c, 0, 0, 0x02);

describe('LinuxAnnouncer', () => {
  it('opens one non-blocking close-on-exec AF_PACKET raw socket', () => {
    const sock = new FakeSock();
    openAnnouncer({ sock });
    expect(sock.opened).toEqual([
      [SOCK.AF_PACKET, SOCK.SOCK_RAW | SOCK.SOCK_NONBLOCK | SOCK.SOCK_CLOEXEC, 0],
    ]);
  });

  it('sends whole frames to the broadcast / all-nodes MAC on the interface', () => {
    const sock = new FakeSock();
    const a = openAnnouncer({ sock });
    a.garp(4, MAC, '192.0.2.100');
    a.unsolicitedNa(4, MAC, '2001:db8::100', true);
    a.unsolicitedNa(4, MAC, '2001:DB8:0::100', false);
    const v6 = parseIpv6('2001:db8::100') as Uint8Array;
    expect(sock.sent).toEqual([
      {
        fd: 7,
        data: hex(garpFrame(MAC, parseIpv4('192.0.2.100') as Uint8Array)),
        addr: hex(sockaddrLl(4, 0x0806, Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff))),
      },
      {
        fd: 7,
        data: hex(unsolicitedNaFrame(MAC, v6, v6, true)),
        addr: hex(sockaddrLl(4, 0x86dd, Uint8Array.of(0x33, 0x33, 0, 0, 0, 1))),
      },
      {
        fd: 7,
        data: hex(unsolicitedNaFrame(MAC, v6, v6, false)),
        addr: hex(sockaddrLl(4, 0x86dd, Uint8Array.of(0x33, 0x33, 0, 0, 0, 1))),
      },
    ]);
    expect(a.stats).toEqual({ garpSent: 1, naSent: 2, errors: 0 });
  });

  it('reports and counts kernel refusals instead of throwing', () => {
    const sock = new FakeSock();
    const errors: AnnounceError[] = [];
    const a = openAnnouncer({ sock, onError: (e) => errors.push(e) });
    sock.sendError = errno('ENETDOWN', 100);
    expect(() => a.garp(4, MAC, '192.0.2.100')).not.toThrow();
    expect(() => a.unsolicitedNa(4, MAC, '2001:db8::100', false)).not.toThrow();
    expect(errors.map((e) => [e.kind, e.ifindex, e.address, e.errno, e.code])).toEqual([
      ['garp', 4, '192.0.2.100', 'ENETDOWN', 'KA_ERR_SOCKET'],
      ['na', 4, '2001:db8::100', 'ENETDOWN', 'KA_ERR_SOCKET'],
    ]);
    expect(errors[0]?.message).toBe(
      'cannot send gratuitous ARP for 192.0.2.100 on interface index 4: sendto: ENETDOWN',
    );
    expect(errors[0]).toBeInstanceOf(KaError);
    expect(a.stats).toEqual({ garpSent: 0, naSent: 0, errors: 2 });
  });

  it('reports bad arguments, a closed socket, and works without onError', () => {
    const sock = new FakeSock();
    const errors: (string | null)[] = [];
    const a = openAnnouncer({ sock, onError: (e) => errors.push(e.message) });
    a.garp(4, MAC, '2001:db8::1');
    a.unsolicitedNa(4, MAC, '192.0.2.1', false);
    a.garp(4, new Uint8Array(20), '192.0.2.1');
    a.close();
    a.close();
    a.garp(4, MAC, '192.0.2.1');
    expect(sock.sent).toEqual([]);
    expect(sock.closed).toEqual([7]);
    expect(errors).toEqual([
      'cannot send gratuitous ARP for 2001:db8::1 on interface index 4: not an IPv4 address',
      'cannot send unsolicited neighbour advert for 192.0.2.1 on interface index 4: not an IPv6 address',
      'cannot send gratuitous ARP for 192.0.2.1 on interface index 4: MAC address of 20 bytes',
      'cannot send gratuitous ARP for 192.0.2.1 on interface index 4: the announcer is closed',
    ]);
    const quiet = openAnnouncer({ sock: new FakeSock() });
    quiet.garp(4, MAC, 'nonsense');
    expect(quiet.stats.errors).toBe(1);
  });

  it('turns a refused socket into a KaError', () => {
    const sock = new FakeSock();
    sock.socketError = errno('EPERM', 1);
    expect(() => openAnnouncer({ sock })).toThrow(expect.objectContaining({ code: 'KA_ERR_SOCKET_PERM' }));
    sock.socketError = errno('EAFNOSUPPORT', 97);
    expect(() => openAnnouncer({ sock })).toThrow(expect.objectContaining({ code: 'KA_ERR_SOCKET' }));
  });
});
