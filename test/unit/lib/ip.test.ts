import { describe, expect, it } from 'vitest';
import { parseIp, parseIpPrefix } from '../../../src/lib/ip.js';

describe('IP addresses as inet_pton(3) reads them', () => {
  it.each([
    ['192.0.2.1', '192.0.2.1'],
    ['0.0.0.0', '0.0.0.0'],
    ['255.255.255.255', '255.255.255.255'],
    ['2001:db8::1', '2001:db8::1'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['::', '::'],
    ['::ffff:192.0.2.1', '::ffff:c000:201'],
    ['ae00::2', 'ae00::2'],
  ])('%s -> %s', (text, canonical) => {
    expect(parseIp(text)?.address).toBe(canonical);
  });

  it.each([
    '192.0.2',
    '192.0.2.1.',
    '.192.0.2.1',
    '192.0.2.256',
    '192.0.2.01',
    '192.0.2.1a',
    '1.2.3.4/24',
    '',
    '2001:db8:::1',
    '2001:db8::1::2',
    '12345::1',
    '1:2:3:4:5:6:7:8:9',
    'x',
  ])('%j is not an address', (text) => {
    expect(parseIp(text)).toBeUndefined();
  });

  it('prefixes', () => {
    expect(parseIpPrefix('192.0.2.0/24')).toMatchObject({ ip: { address: '192.0.2.0' }, prefix: 24 });
    expect(parseIpPrefix('2001:db8::/64')).toMatchObject({ ip: { family: 'inet6' }, prefix: 64 });
    expect(parseIpPrefix('192.0.2.0')?.prefix).toBeUndefined();
    expect(parseIpPrefix('192.0.2.0/33')?.prefix).toBe('bad');
    expect(parseIpPrefix('192.168.100./24')).toBeUndefined();
  });
});
