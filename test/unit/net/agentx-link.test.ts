import { describe, expect, it } from 'vitest';
import { MAX_PDU_BYTES, parseAgentXAddress, PduFramer } from '../../../src/net/agentx-link.js';

/** An AgentX header (RFC 2741 §6.1) with `payload` bytes after it. */
function pdu(type: number, payload: number, networkOrder = true): Buffer {
  const b = Buffer.alloc(20 + payload, 0xaa);
  b[0] = 1;
  b[1] = type;
  b[2] = networkOrder ? 0x10 : 0;
  b[3] = 0;
  if (networkOrder) b.writeUInt32BE(payload, 16);
  else b.writeUInt32LE(payload, 16);
  return b;
}

describe('PduFramer', () => {
  it('cuts a stream into whole PDUs: split over reads, several in one read, either byte order', () => {
    const f = new PduFramer();
    const a = pdu(18, 8);
    const b = pdu(5, 24, false);
    expect(f.push(a.subarray(0, 7))).toEqual([]);
    expect(f.push(a.subarray(7, 21))).toEqual([]);
    const both = Buffer.concat([a.subarray(21), b]);
    expect(f.push(both)).toEqual([a, b]);
    expect(f.push(Buffer.concat([pdu(6, 0), pdu(7, 4)]))).toEqual([pdu(6, 0), pdu(7, 4)]);
  });
  it('refuses a PDU over the limit instead of buffering it', () => {
    expect(() => new PduFramer().push(pdu(5, 0).fill(0xff, 16, 20))).toThrow(/limit/);
    expect(MAX_PDU_BYTES).toBe(1 << 20);
  });
});

describe('parseAgentXAddress (net-snmp transport specifiers)', () => {
  it.each([
    [null, { kind: 'unix', path: '/var/agentx/master' }],
    ['/run/agentx', { kind: 'unix', path: '/run/agentx' }],
    ['unix:/run/agentx', { kind: 'unix', path: '/run/agentx' }],
    ['tcp:localhost:705', { kind: 'tcp', host: 'localhost', port: 705 }],
    ['tcp:705', { kind: 'tcp', host: 'localhost', port: 705 }],
    ['192.0.2.1:7050', { kind: 'tcp', host: '192.0.2.1', port: 7050 }],
    ['tcp6:[2001:db8::1]:705', { kind: 'tcp', host: '2001:db8::1', port: 705 }],
  ])('%s', (text, want) => expect(parseAgentXAddress(text)).toEqual(want));
  it('refuses what the master agent does not take', () => {
    expect(parseAgentXAddress('udp:161')).toEqual({
      error: 'AgentX socket udp:161: only unix: and tcp: are supported',
    });
    expect(parseAgentXAddress('tcp:host:99999')).toEqual({
      error: 'AgentX socket tcp:host:99999: not a socket address',
    });
  });
});
