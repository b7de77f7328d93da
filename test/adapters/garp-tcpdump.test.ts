/**
 * The unsolicited NA and gratuitous ARP frames as tcpdump, an independent decoder, reads them
 * (the byte-level checks are test/unit/net/garp.test.ts).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseIpv4, parseIpv6 } from '../../src/lib/ip.js';
import { garpFrame, unsolicitedNaFrame } from '../../src/net/garp.js';
import { writePcap } from '../helpers/pcap.js';

const v4 = (text: string): Uint8Array => parseIpv4(text) as Uint8Array;
const mac = Uint8Array.of(0x02, 0x6b, 0x6c, 0, 0, 0x02);
const vip = parseIpv6('2001:db8::100') as Uint8Array;

describe('tcpdump reads our frames', () => {
  it('decodes the same way in tcpdump', () => {
    if (spawnSync('tcpdump', ['--version']).status !== 0)
      throw new Error('tcpdump is not installed: `npm run setup:test-host` installs it');
    const dir = mkdtempSync(join(tmpdir(), 'kts-na-'));
    try {
      const file = join(dir, 'na.pcap');
      writePcap(file, [
        unsolicitedNaFrame(mac, vip, vip, true),
        unsolicitedNaFrame(mac, vip, vip, false),
        garpFrame(mac, v4('192.0.2.100')),
      ]);
      const r = spawnSync('tcpdump', ['-r', file, '-n', '-e', '-vv', '-t'], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const lines = r.stdout.split('\n').map((l) => l.trim());
      const na = (flags: string): string[] => [
        '02:6b:6c:00:00:02 > 33:33:00:00:00:01, ethertype IPv6 (0x86dd), length 86: (hlim 255, next-header ICMPv6 (58) ' +
          'payload length: 32) 2001:db8::100 > ff02::1: [icmp6 sum ok] ICMP6, neighbor advertisement, length 32, ' +
          `tgt is 2001:db8::100, Flags [${flags}]`,
        // tcpdump names option 2 from the receiver's side: the target link-layer address.
        'destination link-address option (2), length 8 (1): 02:6b:6c:00:00:02',
        '0x0000:  026b 6c00 0002',
      ];
      expect(lines).toEqual([
        ...na('router, override'),
        ...na('override'),
        '02:6b:6c:00:00:02 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Ethernet (len 6), IPv4 (len 4), ' +
          'Request who-has 192.0.2.100 (ff:ff:ff:ff:ff:ff) tell 192.0.2.100, length 28',
        '',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
