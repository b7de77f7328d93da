/**
 * DNS_CHECK against a dgram server on loopback that answers with real DNS replies built here:
 * the query's bytes, a good answer (IPv4 and IPv6), replies that are ignored (another id, not a
 * response), NXDOMAIN, silence, and a closed port (ICMP port unreachable).
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { countBackTo, quietCount } from '../helpers/handles.js';
import { firstChecker, probeSetup } from '../helpers/checks.js';
import { DNS_TYPES, dnsCheck, dnsQuery } from '../../src/check/probes/dns.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const fn of cleanups.splice(0).reverse()) fn();
});

function dnsProbe(host: string, port: number, block = '') {
  const vip = host.includes(':') ? '2001:db8::100' : '192.0.2.100';
  const text = `virtual_server ${vip} 53 {\n protocol UDP\n real_server ${host} ${port} {\n  DNS_CHECK {\n   connect_timeout 0.3\n   ${block}\n  }\n }\n}\n`;
  const { checker, target, deps } = probeSetup(text, 'DNS_CHECK');
  return { probe: dnsCheck.create(checker, target, deps), target };
}

interface Query {
  readonly id: number;
  readonly flags: number;
  readonly qdcount: number;
  /** The question section (QNAME, QTYPE, QCLASS) as sent. */
  readonly question: Buffer;
  readonly qtype: number;
  readonly labels: string[];
}

function parseQuery(msg: Buffer): Query {
  const labels: string[] = [];
  let i = 12;
  for (let n = msg[i] as number; n !== 0; n = msg[i] as number) {
    labels.push(msg.subarray(i + 1, i + 1 + n).toString('latin1'));
    i += n + 1;
  }
  const end = i + 1 + 4;
  return {
    id: msg.readUInt16BE(0),
    flags: msg.readUInt16BE(2),
    qdcount: msg.readUInt16BE(4),
    question: msg.subarray(12, end),
    qtype: msg.readUInt16BE(i + 1),
    labels,
  };
}

/** A response to `q`: QR, RD and RA set, the given RCODE, and one A record answer when rcode is 0. */
function response(q: Query, opts: { rcode?: number; id?: number; qr?: boolean } = {}): Buffer {
  const rcode = opts.rcode ?? 0;
  const header = Buffer.alloc(12);
  header.writeUInt16BE(opts.id ?? q.id, 0);
  header.writeUInt16BE(((opts.qr ?? true) ? 0x8000 : 0) | 0x0100 | 0x0080 | rcode, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(rcode === 0 ? 1 : 0, 6);
  // NAME (pointer to the question), TYPE A, CLASS IN, TTL 60, RDLENGTH 4, 192.0.2.53
  const answer = Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 53]);
  return Buffer.concat([header, q.question, ...(rcode === 0 ? [answer] : [])]);
}

type Reply = (q: Query, send: (b: Buffer) => void) => void;

async function dnsServer(host: string, reply: Reply): Promise<{ port: number; queries: Query[] }> {
  const queries: Query[] = [];
  const server: Socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  server.on('message', (msg: Buffer, from: RemoteInfo) => {
    const q = parseQuery(msg);
    queries.push(q);
    reply(q, (b) => server.send(b, from.port, from.address));
  });
  await new Promise<void>((resolve) => server.bind(0, host, resolve));
  cleanups.push(() => server.close());
  return { port: server.address().port, queries };
}

const signal = (): AbortSignal => new AbortController().signal;

describe('DNS_CHECK', () => {
  it.each(['127.0.0.1', '::1'])('passes on a NOERROR answer from %s', async (host) => {
    const { port, queries } = await dnsServer(host, (q, send) => send(response(q)));
    const { probe } = dnsProbe(host, port);
    expect(await probe.attempt(signal())).toEqual({ ok: true });
    // keepalived's defaults: type SOA for the root, RD set, one question.
    expect(queries).toHaveLength(1);
    expect(queries[0]).toMatchObject({ flags: 0x0100, qdcount: 1, qtype: DNS_TYPES.SOA, labels: [] });
  });

  it('asks for the configured type and name', async () => {
    const { port, queries } = await dnsServer('127.0.0.1', (q, send) => send(response(q)));
    const { probe } = dnsProbe('127.0.0.1', port, 'type AAAA\n name www.example.com.');
    expect(await probe.attempt(signal())).toEqual({ ok: true });
    expect(queries[0]).toMatchObject({ qtype: DNS_TYPES.AAAA, labels: ['www', 'example', 'com'] });
  });

  it('ignores a reply with another id and takes the right one after it', async () => {
    const { port } = await dnsServer('127.0.0.1', (q, send) => {
      send(response(q, { id: (q.id + 1) & 0xffff, rcode: 2 }));
      setTimeout(() => send(response(q)), 30);
    });
    const { probe } = dnsProbe('127.0.0.1', port);
    expect(await probe.attempt(signal())).toEqual({ ok: true });
  });

  it.each([
    ['another id', (q: Query) => response(q, { id: (q.id + 1) & 0xffff })],
    ['QR clear (not a response)', (q: Query) => response(q, { qr: false })],
    ['a runt', () => Buffer.alloc(5)],
  ])('times out when the only reply has %s', async (_what, make) => {
    const { port } = await dnsServer('127.0.0.1', (q, send) => send(make(q)));
    const { probe } = dnsProbe('127.0.0.1', port);
    expect(await probe.attempt(signal())).toEqual({
      ok: false,
      reason: 'timeout',
      detail: `DNS_CHECK ([127.0.0.1]:udp:${port}) read timeout from socket`,
    });
  });

  it('fails on NXDOMAIN (a non-zero RCODE)', async () => {
    const { port } = await dnsServer('127.0.0.1', (q, send) => send(response(q, { rcode: 3 })));
    const { probe } = dnsProbe('127.0.0.1', port);
    expect(await probe.attempt(signal())).toEqual({
      ok: false,
      reason: 'dns',
      detail: `DNS_CHECK ([127.0.0.1]:udp:${port}) read error occurred. (rcode = 3)`,
    });
  });

  it('times out after connect_timeout when the server stays silent', async () => {
    const { port, queries } = await dnsServer('127.0.0.1', () => undefined);
    const { probe } = dnsProbe('127.0.0.1', port);
    const started = Date.now();
    expect(await probe.attempt(signal())).toMatchObject({ ok: false, reason: 'timeout' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(queries).toHaveLength(1);
  });

  it('fails fast on a closed port (ICMP port unreachable)', async () => {
    const { port } = await dnsServer('127.0.0.1', () => undefined);
    cleanups.splice(0).forEach((fn) => fn());
    const { probe } = dnsProbe('127.0.0.1', port);
    const started = Date.now();
    expect(await probe.attempt(signal())).toEqual({
      ok: false,
      reason: 'refused',
      detail: `DNS_CHECK ([127.0.0.1]:udp:${port}) failed to read socket; errno 111 (Connection refused)`,
    });
    expect(Date.now() - started).toBeLessThan(200);
  });

  it('leaves no socket open', async () => {
    const { port } = await dnsServer('127.0.0.1', (q, send) => send(response(q)));
    const { probe } = dnsProbe('127.0.0.1', port);
    const before = await quietCount('UDPWrap');
    await probe.attempt(signal());
    const ctl = new AbortController();
    const pending = probe.attempt(ctl.signal);
    ctl.abort();
    expect(await pending).toMatchObject({ ok: false, reason: 'aborted' });
    expect(await countBackTo('UDPWrap', before)).toBe(before);
  });

  it("builds keepalived's query bytes", () => {
    expect(dnsQuery(0x1234, DNS_TYPES.A, 'a.bc').toString('hex')).toBe(
      '1234' + '0100' + '0001' + '0000' + '0000' + '0000' + '0161' + '026263' + '00' + '0001' + '0001',
    );
    expect(dnsQuery(1, DNS_TYPES.SOA, '.').subarray(12).toString('hex')).toBe('00' + '0006' + '0001');
  });

  it("has keepalived's texts: no line going up, ` after N retries` going down", () => {
    const { target } = dnsProbe('127.0.0.1', 53);
    expect(dnsCheck.texts.up(target.display, target, firstChecker(target))).toBe('');
    const last = {
      ok: false,
      reason: 'timeout',
      detail: 'DNS_CHECK ([127.0.0.1]:udp:53) read timeout from socket',
    } as const;
    expect(dnsCheck.texts.down(target.display, 3, target, last, firstChecker(target))).toBe(
      'DNS_CHECK ([127.0.0.1]:udp:53) read timeout from socket after 3 retries',
    );
    expect(dnsCheck.texts.down(target.display, 0, target, last, firstChecker(target))).toBe(last.detail);
  });
});
