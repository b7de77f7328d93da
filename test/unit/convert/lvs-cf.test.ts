/**
 * Piranha lvs.cf → keepalived.conf (src/convert/lvs-cf.ts, from-lvs-cf.ts): reading the file,
 * the mapping of each keyword, and the warnings for what keepalived cannot express.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeCEscapes, percentDecode, percentEncode } from '../../../src/convert/c-escapes.js';
import { ConvertError } from '../../../src/convert/format.js';
import { FORMATS } from '../../../src/convert/formats.js';
import { convertLvsCf } from '../../../src/convert/from-lvs-cf.js';
import { advertFor, routerId } from '../../../src/convert/lvs-cf-vrrp.js';
import { looksLikeLvsCf, parseLvsCf } from '../../../src/convert/lvs-cf.js';

const fixture = (name: string): string =>
  readFileSync(fileURLToPath(new URL(`../../fixtures/convert/${name}`, import.meta.url)), 'utf8');
const convert = (text: string, role: 'primary' | 'backup' = 'primary') =>
  convertLvsCf(text, { file: 'lvs.cf', role, check: 'TCP_CHECK' });
const error = (text: string): string => {
  try {
    parseLvsCf(text, 'lvs.cf');
  } catch (err) {
    expect(err).toBeInstanceOf(ConvertError);
    return (err as Error).message;
  }
  throw new Error('no error');
};

const BASE = `primary = 198.51.100.10
backup = 198.51.100.20
backup_active = 1
network = direct
`;
const virtual = (body: string, server = 'server s1 {\n address = 203.0.113.1\n}') =>
  `${BASE}virtual v {\n address = 192.0.2.1 eth0:1\n port = 80\n${body}\n${server}\n}\n`;

describe('reading lvs.cf', () => {
  it('reads globals, virtual and server blocks with their lines, comments and quotes', () => {
    const cf = parseLvsCf(
      '# head\nprimary = 198.51.100.10 # trailing\nvirtual web {\n  send = "a # not a comment\\r\\n"\n  server s1 {\n    weight = 2\n  }\n}\n',
      'f',
    );
    expect(cf.globals.byKey.get('primary')).toEqual({ key: 'primary', value: '198.51.100.10', line: 2 });
    expect(cf.virtuals).toHaveLength(1);
    const v = cf.virtuals[0]!;
    expect([v.name, v.line]).toEqual(['web', 3]);
    expect(v.settings.byKey.get('send')?.value).toBe('a # not a comment\r\n');
    expect(v.servers[0]?.settings.byKey.get('weight')).toEqual({ key: 'weight', value: '2', line: 6 });
  });

  it('decodes C escapes', () => {
    expect(decodeCEscapes('a\\r\\n\\t\\\\\\"\\x41\\101\\q')).toBe('a\r\n\t\\"AAq');
    expect(parseLvsCf('send = "\\x00\\x01"\n', 'f').globals.byKey.get('send')?.value).toBe('\x00\x01');
  });

  it('percent-encodes so nothing is left for keepalived to split or unescape', () => {
    const bytes = 'GET / HTTP/1.0\r\n\r\n\'"\\-%';
    const enc = percentEncode(bytes);
    expect(enc).toMatch(/^[A-Za-z0-9._~/:=,+@%]+$/);
    expect(percentDecode(enc)).toBe(bytes);
    expect(percentDecode('%4')).toBeUndefined();
  });

  it.each([
    ['virtual v {\n', "lvs.cf:1: 'virtual v' is never closed"],
    ['}\n', "lvs.cf:1: '}' closes no block"],
    ['server s {\n}\n', "lvs.cf:1: 'server s' outside a virtual block"],
    ['virtual a {\n virtual b {\n }\n}\n', "lvs.cf:2: 'virtual b' inside the virtual block of line 1"],
    ['\n\nsend = "abc\n', 'lvs.cf:3: unterminated quoted string'],
    ['send = "abc" x\n', "lvs.cf:1: text after the closing quote: 'x'"],
    ['just words\n', "lvs.cf:1: expected 'key = value', 'NAME {' or '}', not 'just words'"],
    ['virtual v\n{\n}\n', "lvs.cf:1: '{' must end the line that opens the block"],
    ['frob x {\n}\n', 'lvs.cf:1: unknown block'],
  ])('error with its line: %j', (text, message) => {
    expect(error(text)).toContain(message);
  });

  it('is detected, and registered as lvs.cf', () => {
    expect(looksLikeLvsCf(fixture('seed-nat.lvs.cf'))).toBe(true);
    expect(looksLikeLvsCf('vrrp_instance VI_1 {\n}\n')).toBe(false);
    expect(looksLikeLvsCf('-A -t 192.0.2.1:80 -s rr\n')).toBe(false);
    expect(FORMATS.find((f) => f.detect(fixture('seed-dr.lvs.cf')))?.name).toBe('lvs.cf');
  });
});

describe('pulse → VRRP', () => {
  it('primary is MASTER 150, backup is BACKUP 100, unicast to the other director', () => {
    const p = convert(fixture('seed-dr.lvs.cf')).text;
    expect(p).toMatch(
      /state MASTER\n\s+interface eth0\n\s+virtual_router_id \d+\n\s+priority 150\n\s+advert_int 5\n/,
    );
    expect(p).toMatch(/unicast_src_ip 198\.51\.100\.10\n\s+unicast_peer {\n\s+198\.51\.100\.20\n/);
    const b = convert(fixture('seed-dr.lvs.cf'), 'backup').text;
    expect(b).toMatch(/state BACKUP\n[^]*priority 100\n/);
    expect(b).toMatch(/unicast_src_ip 198\.51\.100\.20\n\s+unicast_peer {\n\s+198\.51\.100\.10\n/);
  });

  it('chooses advert_int so the master-down time is near deadtime, and warns when it cannot', () => {
    expect(advertFor(18)).toEqual({ advert: 5, down: 18.05 });
    expect(advertFor(10).advert).toBe(3);
    const r = convert(`${BASE}deadtime = 2\n`);
    expect(r.text).toContain('advert_int 1\n');
    expect(r.warnings).toContain(
      'lvs.cf:5: deadtime 2: the nearest keepalived master-down time is 3.61 s (advert_int 1)',
    );
  });

  it('gives both directors the same virtual_router_id, from the VIPs', () => {
    const id = (t: string) => /virtual_router_id (\d+)/.exec(t)?.[1];
    expect(id(convert(fixture('seed-nat.lvs.cf')).text)).toBe(
      id(convert(fixture('seed-nat.lvs.cf'), 'backup').text),
    );
    expect(routerId(['192.0.2.2', '192.0.2.1'])).toBe(routerId(['192.0.2.1', '192.0.2.2']));
    expect(routerId(['192.0.2.1'])).toBeGreaterThanOrEqual(1);
    expect(routerId(['192.0.2.1'])).toBeLessThanOrEqual(255);
  });

  it('puts each VIP with its prefix, device and label', () => {
    const t = convert(virtual(' vip_nmask = 255.255.255.0')).text;
    expect(t).toContain('192.0.2.1/24 dev eth0 label eth0:1\n');
  });

  it('NAT: nat_router is a second instance in a sync group, advertised over the private addresses', () => {
    const t = convert(fixture('seed-nat.lvs.cf')).text;
    expect(t).toMatch(/vrrp_sync_group LVS {\n\s+group {\n\s+LVS_PUBLIC\n\s+LVS_NAT\n/);
    expect(t).toMatch(/vrrp_instance LVS_NAT {[^}]*interface eth1[^}]*unicast_src_ip 203\.0\.113\.10/);
    expect(t).toContain('203.0.113.254/24 dev eth1 label eth1:1\n');
    expect(t).toContain('lb_kind NAT\n');
  });

  it('maps network direct and tunnel to DR and TUN; refuses others', () => {
    expect(convert(fixture('seed-dr.lvs.cf')).text).toContain('lb_kind DR\n');
    expect(convert(fixture('tunnel.lvs.cf')).text).toContain('lb_kind TUN\n');
    expect(() => convert('network = bridge\n')).toThrow('lvs.cf:1: network must be nat, direct or tunnel');
  });

  it('a single director has no unicast peer', () => {
    const t = convert(fixture('tunnel.lvs.cf')).text;
    expect(t).not.toContain('unicast_peer');
    expect(convert(fixture('tunnel.lvs.cf'), 'backup').warnings.join('\n')).toContain(
      'backup_active is not 1',
    );
  });
});

describe('virtual and server blocks', () => {
  const every = convert(fixture('every-keyword.lvs.cf'));

  it('scheduler, persistence, pmask, sorry_server, quiesce_server, weight', () => {
    expect(every.text).toMatch(
      /virtual_server 192\.0\.2\.80 80 {\n[^]*delay_loop 20\n\s+lb_algo wrr\n\s+lb_kind NAT\n\s+protocol TCP\n\s+persistence_timeout 300\n\s+persistence_granularity 255\.255\.255\.0\n\s+sorry_server 203\.0\.113\.9 80\n/,
    );
    expect(every.text).toMatch(/real_server 203\.0\.113\.101 80 {\n\s+weight 3\n[^]*inhibit_on_failure\n/);
  });

  it('fwmark: virtual_server fwmark N, no protocol, the server port', () => {
    expect(every.text).toMatch(
      /virtual_server fwmark 80 {\n\s+lb_algo lc\n\s+lb_kind NAT\n\s+persistence_timeout 600\n/,
    );
    expect(every.text).toContain('real_server 203.0.113.121 8443 {');
  });

  it('active = 0 virtual and server are skipped with a warning', () => {
    expect(every.text).not.toContain('192.0.2.99');
    expect(every.text).not.toContain('203.0.113.102');
    expect(every.warnings).toContain(
      'lvs.cf:124: virtual old is not active: skipped (no virtual_server, no address)',
    );
    expect(every.warnings).toContain(
      'lvs.cf:54: server web2 is not active: skipped, as Piranha left it out of the table',
    );
  });

  it('HTTP send/expect: HTTP_GET, any status for "HTTP", the status of a status line, Host as virtualhost', () => {
    expect(convert(fixture('seed-dr.lvs.cf')).text).toMatch(
      /HTTP_GET {\n\s+url {\n\s+path \/\n\s+status_code 100-599\n\s+}\n\s+connect_timeout 6\n/,
    );
    expect(every.text).toMatch(
      /path \/health\n\s+status_code 200\n\s+}\n\s+virtualhost www\.example\.com\n\s+connect_timeout 5\n/,
    );
  });

  it('no send/expect: TCP_CHECK; UDP: UDP_CHECK with payload and require_reply in hex', () => {
    expect(convert(virtual(' timeout = 3')).text).toMatch(/TCP_CHECK {\n\s+connect_timeout 3\n\s+}/);
    expect(every.text).toMatch(
      /UDP_CHECK {\n\s+connect_timeout 3\n\s+payload 000170696e67\n\s+require_reply 706f6e67\n/,
    );
  });

  it('other send/expect: MISC_CHECK running keepalived-ts send-expect with percent-encoded arguments', () => {
    expect(every.text).toContain(
      'misc_path "/usr/bin/keepalived-ts send-expect --percent --regex --timeout 4 203.0.113.111 25 HELO%20probe.example%0D%0A %5E250%20.%2A"',
    );
    expect(every.text).toMatch(/misc_timeout 5\n/);
    const banner = convert(fixture('tunnel.lvs.cf')).text;
    expect(banner).toContain('send-expect --percent --timeout 10 203.0.113.161 21 - 220"');
  });

  it('send_program: MISC_CHECK with %h as the server address; expect is a warning', () => {
    expect(every.text).toContain(
      'misc_path "/usr/local/bin/check_ldap -H 203.0.113.141 -b \'dc=example,dc=com\'"',
    );
    expect(every.warnings.join('\n')).toMatch(
      /lvs\.cf:114: expect with send_program has no keepalived equivalent/,
    );
  });

  it('reentry becomes delay_loop with a warning; load_monitor and the rest warn', () => {
    const w = every.warnings.join('\n');
    expect(w).toContain('lvs.cf:44: reentry 20 has no keepalived equivalent: delay_loop 20');
    expect(w).toContain('lvs.cf:40: load_monitor has no keepalived equivalent');
    expect(w).toContain('lvs.cf:12: heartbeat_port has no keepalived equivalent');
    expect(w).toContain('lvs.cf:26: hard_shutdown has no keepalived equivalent');
    expect(w).toContain('lvs.cf:18: debug_level has no keepalived equivalent');
  });

  it('syncdaemon and the ipvsadm timeouts go to global_defs', () => {
    expect(every.text).toMatch(
      /global_defs {\n[^]*lvs_timeouts tcp 900 tcpfin 120 udp 300\n[^]*lvs_sync_daemon eth1 LVS_PUBLIC id 9\n/,
    );
  });

  it('unknown keys warn; bad values fail with FILE:LINE', () => {
    expect(convert(`${BASE}frobnicate = 1\n`).warnings).toContain(
      "lvs.cf:5: unknown global key 'frobnicate' ignored",
    );
    expect(() => convert(virtual(' port = http'))).toThrow(
      "lvs.cf:8: port must be a whole number from 0 to 65535, not 'http'",
    );
    expect(() => convert(virtual(' vip_nmask = 255.0.255.0'))).toThrow(
      'lvs.cf:8: vip_nmask 255.0.255.0 is not a netmask',
    );
    expect(() => convert(virtual('', 'server s {\n address = web1.example\n}'))).toThrow(
      "lvs.cf:10: address must be an IP address (keepalived takes no host names), not 'web1.example'",
    );
  });

  it('the output is deterministic and says where each block came from', () => {
    expect(convert(fixture('every-keyword.lvs.cf')).text).toBe(every.text);
    expect(every.text.startsWith('# keepalived.conf converted from lvs.cf by keepalived-ts convert')).toBe(
      true,
    );
    expect(every.text).toContain('# from lvs.cf:30 (virtual web)\nvirtual_server');
  });
});
