/**
 * ipvsadm rules → keepalived.conf: the parser (src/convert/ipvsadm-rules.ts) on both forms
 * (ipvsadm-save output and scripts of ipvsadm commands) and every option of ipvsadm(8) it reads,
 * its errors (FILE:LINE), and the converter's output (src/convert/from-ipvsadm.ts).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runConvertCommand } from '../../../src/cli/convert-command.js';
import { ConvertError, type ConvertOptions } from '../../../src/convert/format.js';
import { FORMATS } from '../../../src/convert/formats.js';
import { convertIpvsadm, detectIpvsadm, IPVSADM_FORMAT } from '../../../src/convert/from-ipvsadm.js';
import { parseIpvsadmRules, type Command } from '../../../src/convert/ipvsadm-rules.js';

const FIXTURES = new URL('../../fixtures/convert/ipvsadm/', import.meta.url);
const fixture = (name: string): string => readFileSync(new URL(name, FIXTURES), 'utf8');
const OPTIONS: ConvertOptions = { file: 'rules', role: 'primary', check: 'TCP_CHECK' };
const convert = (text: string, check = 'TCP_CHECK'): ReturnType<typeof convertIpvsadm> =>
  convertIpvsadm(text, { ...OPTIONS, check });
const parse = (text: string): readonly Command[] => parseIpvsadmRules(text, 'rules').commands;
const only = (text: string): Command => {
  const c = parse(text);
  expect(c).toHaveLength(1);
  return c[0] as Command;
};
/** The message of the ConvertError `fn` throws. */
function error(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConvertError);
    return (err as Error).message;
  }
  throw new Error('no error thrown');
}
/** The body lines of the block that begins with `head` (one level, trimmed). */
function block(text: string, head: string): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.trim() === `${head} {`);
  expect(start, `no block ${head}`).toBeGreaterThanOrEqual(0);
  const indent = (lines[start] as string).search(/\S/);
  const end = lines.findIndex((l, i) => i > start && l.search(/\S/) === indent && l.trim() === '}');
  return lines
    .slice(start + 1, end)
    .filter((l) => l.search(/\S/) === indent + 4)
    .map((l) => l.trim());
}

describe('parseIpvsadmRules: ipvsadm-save form', () => {
  it('reads a service with every service option', () => {
    expect(
      only('-A -t 192.0.2.1:80 -s sh -p 120 -M 255.255.255.0 -b sh-port,sh-fallback --pe sip -o'),
    ).toEqual({
      line: 1,
      op: 'add-service',
      service: { kind: 'address', protocol: 'TCP', address: '192.0.2.1', family: 'inet', port: 80 },
      settings: {
        scheduler: 'sh',
        persistent: 120,
        netmask: '255.255.255.0',
        schedFlags: ['sh-port', 'sh-fallback'],
        pe: 'sip',
        ops: true,
      },
    });
  });

  it('leaves unsaid options undefined, -p without a timeout as the default', () => {
    const c = only('-A -u 192.0.2.1:53 -p -s rr');
    expect(c).toMatchObject({
      service: { protocol: 'UDP', port: 53 },
      settings: {
        scheduler: 'rr',
        persistent: 'default',
        netmask: undefined,
        schedFlags: [],
        pe: undefined,
        ops: false,
      },
    });
  });

  it('reads real servers with each forwarding method, weights and thresholds', () => {
    const [dr, nat, tun, plain] = parse(
      [
        '-a -t 192.0.2.1:80 -r 192.0.2.11:80 -g -w 3 -x 100 -y 10',
        '-a -t 192.0.2.1:80 -r 192.0.2.12:8080 -m -w 0',
        '-a -t 192.0.2.1:80 -r 192.0.2.13 -i --tun-type gue --tun-port 6080 --tun-csum',
        '-a -t 192.0.2.1:80 -r 192.0.2.14',
      ].join('\n'),
    );
    expect(dr).toMatchObject({
      op: 'add-server',
      server: { address: '192.0.2.11', port: 80 },
      settings: { method: 'DR', weight: 3, uthreshold: 100, lthreshold: 10 },
    });
    expect(nat).toMatchObject({ line: 2, server: { port: 8080 }, settings: { method: 'NAT', weight: 0 } });
    expect(tun).toMatchObject({
      server: { address: '192.0.2.13', port: undefined },
      settings: { method: 'TUN', tunnel: { type: 'gue', port: 6080, csum: 'csum' } },
    });
    expect(plain).toMatchObject({ settings: { method: undefined, weight: undefined, tunnel: undefined } });
  });

  it('reads IPv6 addresses in brackets, SCTP and fwmark services (-6 for IPv6)', () => {
    expect(only('-A --sctp-service [2001:db8::1]:3868 -s rr')).toMatchObject({
      service: { protocol: 'SCTP', address: '2001:db8::1', family: 'inet6', port: 3868 },
    });
    expect(only('-A -f 5 -s rr')).toMatchObject({ service: { kind: 'fwmark', fwmark: 5, family: 'inet' } });
    expect(only('-A -f 6 -6 -s rr')).toMatchObject({
      service: { kind: 'fwmark', fwmark: 6, family: 'inet6' },
    });
    // A real server's IPv6 address says the family when its line leaves -6 out.
    expect(only('-a -f 6 -r [2001:db8::11]:0 -g')).toMatchObject({
      service: { kind: 'fwmark', family: 'inet6' },
      server: { address: '2001:db8::11', family: 'inet6', port: 0 },
    });
  });

  it('reads well-known port names (ipvsadm-save without -n)', () => {
    expect(only('-A -t 192.0.2.1:http -s rr')).toMatchObject({ service: { port: 80 } });
    expect(only('-a -t 192.0.2.1:https -r 192.0.2.2:https -m')).toMatchObject({
      service: { port: 443 },
      server: { port: 443 },
    });
  });

  it('reads edits, deletions, clear, --set and --start-daemon', () => {
    const ops = parse(
      [
        '-E -t 192.0.2.1:80 -s lc',
        '-D -t 192.0.2.1:80',
        '-e -t 192.0.2.1:80 -r 192.0.2.11:80 -w 5',
        '-d -t 192.0.2.1:80 -r 192.0.2.11:80',
        '-C',
        '--set 900 120 300',
        '--start-daemon master --mcast-interface eth0 --syncid 3',
      ].join('\n'),
    );
    expect(ops.map((c) => c.op)).toEqual([
      'edit-service',
      'delete-service',
      'edit-server',
      'delete-server',
      'clear',
      'timeouts',
      'start-daemon',
    ]);
    expect(ops[5]).toEqual({ line: 6, op: 'timeouts', tcp: 900, tcpfin: 120, udp: 300 });
    expect(ops[6]).toEqual({ line: 7, op: 'start-daemon', state: 'master' });
  });
});

describe('parseIpvsadmRules: scripts of ipvsadm commands', () => {
  it('reads long options, attached values, `=` values and program paths', () => {
    const c = parse(
      [
        '/sbin/ipvsadm --add-service --tcp-service 192.0.2.1:80 --scheduler=wrr --persistent 60 --netmask 255.255.0.0 --sched-flags flag-1',
        '/usr/sbin/ipvsadm --add-server --udp-service 192.0.2.1:53 --real-server 192.0.2.11:53 --masquerading --weight=2 --u-threshold 9 --l-threshold 4',
        'sudo ipvsadm --add-server --fwmark-service 5 --ipv6 --real-server [2001:db8::11] --ipip',
        'ipvsadm -a -t 192.0.2.1:80 -r 192.0.2.12 --gatewaying -w7',
      ].join('\n'),
    );
    expect(c[0]).toMatchObject({
      op: 'add-service',
      settings: { scheduler: 'wrr', persistent: 60, netmask: '255.255.0.0', schedFlags: ['flag-1'] },
    });
    expect(c[1]).toMatchObject({
      service: { protocol: 'UDP' },
      settings: { method: 'NAT', weight: 2, uthreshold: 9, lthreshold: 4 },
    });
    expect(c[2]).toMatchObject({ service: { kind: 'fwmark', family: 'inet6' }, settings: { method: 'TUN' } });
    expect(c[3]).toMatchObject({ line: 4, settings: { method: 'DR', weight: 7 } });
  });

  it('skips comments, blank lines and listing; warns about other shell lines with their line', () => {
    const r = parseIpvsadmRules(
      [
        '#!/bin/sh',
        '',
        'VIP=192.0.2.1',
        'ipvsadm -A -t 192.0.2.1:80   # the web service',
        'ipvsadm -Ln',
        'ipvsadm -a -t $VIP:80 -r 192.0.2.11',
        'echo done >/dev/null',
        'ipvsadm -C && ipvsadm -A -t 192.0.2.2:80 -p 2>/dev/null',
        'ipvsadm -a -t 192.0.2.2:80 \\',
        '  -r 192.0.2.12 -m',
        'ipvsadm -R < /etc/ipvsadm.rules',
      ].join('\n'),
      'run.sh',
    );
    expect(r.commands.map((c) => [c.line, c.op])).toEqual([
      [4, 'add-service'],
      [8, 'clear'],
      [8, 'add-service'],
      [9, 'add-server'],
    ]);
    expect(r.commands[3]).toMatchObject({ server: { address: '192.0.2.12' }, settings: { method: 'NAT' } });
    expect(r.warnings).toEqual([
      { line: 3, message: 'skipped: not an ipvsadm command: VIP=192.0.2.1' },
      {
        line: 6,
        message:
          'skipped: needs the shell (variables, command substitution or quoting): ipvsadm -a -t $VIP:80 -r 192.0.2.11',
      },
      { line: 7, message: 'skipped: not an ipvsadm command: echo done >/dev/null' },
      {
        line: 11,
        message: 'ipvsadm -R reads its rules from standard input: not converted (convert that file instead)',
      },
    ]);
  });

  it('reads the seed articles’ command scripts', () => {
    const r = parseIpvsadmRules(fixture('lvs-nat.sh'), 'lvs-nat.sh');
    expect(r.commands.filter((c) => c.op === 'add-server')).toHaveLength(7);
    expect(r.warnings.map((w) => w.line)).toEqual([4, 5, 22]);
  });
});

describe('parseIpvsadmRules: errors name the file and line', () => {
  const cases: [string, string, RegExp][] = [
    ['an unknown option', '-A -t 192.0.2.1:80 -q', /^rules:1: unknown ipvsadm option '-q'$/],
    ['an unknown long option', '-A -t 192.0.2.1:80 --fast', /^rules:1: unknown ipvsadm option '--fast'$/],
    ['a missing value', '\n-a -t 192.0.2.1:80 -r', /^rules:2: option '-r' needs a value$/],
    ['a stray word', '-A -t 192.0.2.1:80 rr', /^rules:1: unexpected word 'rr'/],
    ['no command', '-t 192.0.2.1:80 -s rr', /^rules:1: no ipvsadm command/],
    ['two commands', '-A -a -t 192.0.2.1:80', /^rules:1: more than one ipvsadm command: -A -a$/],
    ['no service', '-A -s rr', /^rules:1: no service/],
    [
      'a host name',
      '-A -t www.example.com:80',
      /^rules:1: 'www.example.com' is not an IP address.*ipvsadm-save -n/,
    ],
    ['an unknown port name', '-A -t 192.0.2.1:gopherx', /^rules:1: port 'gopherx' is a service name/],
    [
      'a port out of range',
      '-A -t 192.0.2.1:70000',
      /^rules:1: port '70000' is not a number from 0 to 65535$/,
    ],
    ['a bad weight', '-a -t 192.0.2.1:80 -r 192.0.2.2 -w -1', /^rules:1: option '-w' needs a value|weight/],
    [
      'a threshold out of range',
      '-a -t 192.0.2.1:80 -r 192.0.2.2 -x 70000',
      /^rules:1: upper threshold '70000'/,
    ],
    ['a bad fwmark', '-A -f 0', /^rules:1: firewall mark '0' is not a number from 1/],
    ['two methods', '-a -t 192.0.2.1:80 -r 192.0.2.2 -g -m', /^rules:1: more than one forwarding method/],
    [
      'tunnel options without -i',
      '-a -t 192.0.2.1:80 -r 192.0.2.2 -m --tun-type gre',
      /^rules:1: --tun-type is for tunnelled/,
    ],
    [
      'gue without a port',
      '-a -t 192.0.2.1:80 -r 192.0.2.2 -i --tun-type gue',
      /^rules:1: --tun-port is needed for gue/,
    ],
    ['an unknown scheduler flag', '-A -t 192.0.2.1:80 -b fast', /^rules:1: unknown scheduler flag 'fast'/],
    [
      'a service option on a real server',
      '-a -t 192.0.2.1:80 -r 192.0.2.2 -s rr',
      /^rules:1: option '-s' does not go with '-a'$/,
    ],
    ['an option twice', '-A -t 192.0.2.1:80 -s rr -s wlc', /^rules:1: option '-s' given twice$/],
    ['--set short of values', '--set 900 120', /^rules:1: --set needs three timeouts/],
    ['a bad persistence timeout', '-A -t 192.0.2.1:80 -p 0', /^rules:1: persistence timeout '0'/],
  ];
  it.each(cases)('%s', (_name, text, message) => {
    expect(error(() => parseIpvsadmRules(text, 'rules'))).toMatch(message);
  });
});

describe('convertIpvsadm', () => {
  it('writes a virtual server per service with ipvsadm’s defaults made explicit', () => {
    const r = convert(['-A -t 192.0.2.1:80', '-a -t 192.0.2.1:80 -r 192.0.2.11'].join('\n'));
    expect(r.warnings).toEqual([]);
    expect(r.text).toBe(
      [
        '# keepalived.conf converted from rules (ipvsadm rules) by keepalived-ts convert.',
        '# Each ipvsadm service is a virtual_server, each of its real servers a real_server; ipvsadm',
        '# has no health checks, so every real server gets a TCP_CHECK (every 6 s, delay_loop) to',
        '# take it out of the table while it does not answer. Review the checks before use.',
        '',
        '# from rules:1',
        'virtual_server 192.0.2.1 80 {',
        '    delay_loop 6',
        '    lvs_sched wlc',
        '    lvs_method DR',
        '    protocol TCP',
        '    real_server 192.0.2.11 80 {',
        '        # from rules:2',
        '        weight 1',
        '        TCP_CHECK {',
        '            connect_timeout 3',
        '        }',
        '    }',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('is deterministic', () => {
    const text = fixture('lab.rules');
    expect(convert(text)).toEqual(convert(text));
  });

  it('converts persistence, granularity, engine, ops and scheduler flags', () => {
    const r = convert(
      [
        '-A -u 192.0.2.1:5060 -s sh -p -M 255.255.255.0 --pe sip -o -b flag-1,sh-port',
        '-a -u 192.0.2.1:5060 -r 192.0.2.11:5060',
        '-A -t [2001:db8::1]:443 -s mh -b flag-2 -p 60 -M 64',
        '-a -t [2001:db8::1]:443 -r [2001:db8::11]:443 -m',
        '-A -t 192.0.2.2:80 -s rr -p 30 -M 255.255.255.255',
        '-a -t 192.0.2.2:80 -r 192.0.2.12',
      ].join('\n'),
    );
    expect(block(r.text, 'virtual_server 192.0.2.1 5060')).toEqual([
      'delay_loop 6',
      'lvs_sched sh',
      'lvs_method DR',
      'protocol UDP',
      'persistence_timeout 300',
      'persistence_granularity 255.255.255.0',
      'persistence_engine sip',
      'ops',
      'sh-fallback',
      'sh-port',
      'real_server 192.0.2.11 5060 {',
      '}',
    ]);
    expect(block(r.text, 'virtual_server 2001:db8::1 443')).toEqual(
      expect.arrayContaining([
        'lvs_method NAT',
        'persistence_timeout 60',
        'persistence_granularity 64',
        'mh-port',
      ]),
    );
    // The default granularity (the whole address) is keepalived's default too.
    expect(block(r.text, 'virtual_server 192.0.2.2 80').join('\n')).not.toContain('granularity');
    expect(r.warnings).toEqual([
      'rules:1: -u 192.0.2.1:5060: a UDP service: its real servers are checked with TCP_CHECK over TCP on the same port',
    ]);
  });

  it('gives the virtual server the most common method and the others their own lvs_method', () => {
    const r = convert(
      [
        '-A -t 192.0.2.1:80 -s rr',
        '-a -t 192.0.2.1:80 -r 192.0.2.11 -m',
        '-a -t 192.0.2.1:80 -r 192.0.2.12 -i',
        '-a -t 192.0.2.1:80 -r 192.0.2.13 -i --tun-type gue --tun-port 6080 --tun-remcsum',
        '-a -t 192.0.2.1:80 -r 192.0.2.14 -i --tun-type gre --tun-csum',
      ].join('\n'),
    );
    expect(block(r.text, 'virtual_server 192.0.2.1 80')).toContain('lvs_method TUN');
    expect(block(r.text, 'real_server 192.0.2.11 80')).toContain('lvs_method NAT');
    expect(block(r.text, 'real_server 192.0.2.12 80').join('\n')).not.toContain('lvs_method');
    expect(block(r.text, 'real_server 192.0.2.13 80')).toContain('lvs_method TUN type gue port 6080 remcsum');
    expect(block(r.text, 'real_server 192.0.2.14 80')).toContain('lvs_method TUN type gre csum');
  });

  it('converts weights (0 too) and thresholds', () => {
    const r = convert(
      ['-A -t 192.0.2.1:80', '-a -t 192.0.2.1:80 -r 192.0.2.11 -w 0 -x 100 -y 10'].join('\n'),
    );
    expect(block(r.text, 'real_server 192.0.2.11 80')).toEqual([
      '# from rules:2',
      'weight 0',
      'uthreshold 100',
      'lthreshold 10',
      'TCP_CHECK {',
      '}',
    ]);
  });

  it('keeps a NAT real server’s port and gives DR and TUN ones the service’s (as ipvsadm does)', () => {
    const r = convert(
      [
        '-A -t 192.0.2.1:80',
        '-a -t 192.0.2.1:80 -r 192.0.2.11:8080 -m',
        '-a -t 192.0.2.1:80 -r 192.0.2.12:8080 -g',
      ].join('\n'),
    );
    expect(r.text).toContain('real_server 192.0.2.11 8080 {');
    expect(r.text).toContain('real_server 192.0.2.12 80 {');
    expect(r.warnings).toEqual([
      "rules:3: real server 192.0.2.12:8080: DR keeps the service's port, so ipvsadm uses 80",
    ]);
  });

  it('converts fwmark services (IPv6 with ip_family) with a check port for portless servers', () => {
    const r = convert(
      [
        '-A -f 6 -6 -s lc',
        '-a -f 6 -6 -r [2001:db8::11]:0 -g -w 2',
        '-A -f 7',
        '-a -f 7 -r 192.0.2.11 -m',
      ].join('\n'),
      'SSL_GET',
    );
    expect(r.text).toContain('# from rules:1\nvirtual_server fwmark 6 {\n');
    expect(block(r.text, 'virtual_server fwmark 6')).toEqual([
      'delay_loop 6',
      'lvs_sched lc',
      'lvs_method DR',
      'ip_family inet6',
      'real_server 2001:db8::11 {',
      '}',
    ]);
    expect(block(r.text, 'SSL_GET')).toEqual(['url {', '}', 'connect_port 443', 'connect_timeout 3']);
    expect(r.warnings).toEqual([
      'rules:2: -f 6 -6: real server 2001:db8::11 has no port; its SSL_GET connects to port 443 (connect_port): check that it is a port the server answers on',
      'rules:4: -f 7: real server 192.0.2.11 has no port; its SSL_GET connects to port 443 (connect_port): check that it is a port the server answers on',
    ]);
  });

  it('gives each real server the chosen checker', () => {
    const text = ['-A -t 192.0.2.1:80', '-a -t 192.0.2.1:80 -r 192.0.2.11'].join('\n');
    expect(block(convert(text, 'HTTP_GET').text, 'HTTP_GET')).toEqual(['url {', '}', 'connect_timeout 3']);
    expect(block(convert(text, 'HTTP_GET').text, 'url')).toEqual(['path /', 'status_code 200']);
    expect(error(() => convert(text, 'MISC_CHECK'))).toMatch(/^rules: the checker must be one of/);
  });

  it('replays edits, deletions and clears as ipvsadm would', () => {
    const r = convert(
      [
        '-A -t 192.0.2.9:80',
        '-a -t 192.0.2.9:80 -r 192.0.2.19',
        '-C',
        '-A -t 192.0.2.1:80 -s rr -p 60',
        '-a -t 192.0.2.1:80 -r 192.0.2.11 -m -w 3',
        '-a -t 192.0.2.1:80 -r 192.0.2.12 -m',
        '-A -t 192.0.2.2:80',
        '-a -t 192.0.2.2:80 -r 192.0.2.13',
        '-E -t 192.0.2.1:80 -s wrr',
        '-e -t 192.0.2.1:80 -r 192.0.2.11 -m -x 50',
        '-d -t 192.0.2.1:80 -r 192.0.2.12',
        '-D -t 192.0.2.2:80',
      ].join('\n'),
    );
    expect(r.text).not.toContain('192.0.2.9');
    expect(r.text).not.toContain('192.0.2.2 ');
    expect(r.text).not.toContain('192.0.2.12');
    // -E and -e set everything again: what they leave out takes its default.
    expect(r.text).toContain('# from rules:4 (set again at line 9)\nvirtual_server 192.0.2.1 80 {\n');
    expect(block(r.text, 'virtual_server 192.0.2.1 80')).toEqual([
      'delay_loop 6',
      'lvs_sched wrr',
      'lvs_method NAT',
      'protocol TCP',
      'real_server 192.0.2.11 80 {',
      '}',
    ]);
    expect(block(r.text, 'real_server 192.0.2.11 80')).toEqual([
      '# from rules:5 (set again at line 10)',
      'weight 1',
      'uthreshold 50',
      'TCP_CHECK {',
      '}',
    ]);
  });

  it('converts --set to lvs_timeouts and warns about what it cannot convert', () => {
    const r = convert(
      [
        '--set 900 0 300',
        '--start-daemon master --mcast-interface eth0',
        '-A -t 192.0.2.1:80 -M 255.255.255.0',
        '-a -t 192.0.2.1:80 -r 192.0.2.11',
        '-A -t 192.0.2.3:80',
        '-A -t 192.0.2.4:80 -s rr -b sh-port',
        '-a -t 192.0.2.4:80 -r 192.0.2.14',
      ].join('\n'),
    );
    expect(block(r.text, 'global_defs')).toEqual(['lvs_timeouts tcp 900 udp 300']);
    expect(r.text).not.toContain('192.0.2.3');
    expect(r.text).not.toContain('persistence');
    expect(r.warnings).toEqual([
      'rules:2: --start-daemon master not converted: keepalived runs the sync daemon for a vrrp_instance (global_defs lvs_sync_daemon INTERFACE INSTANCE)',
      "rules:3: -t 192.0.2.1:80: -M 255.255.255.0 not converted: a netmask only matters for a persistent service (keepalived's would make it persistent)",
      'rules:5: -t 192.0.2.3:80: no real servers: not converted (keepalived ignores a virtual server without real servers)',
      'rules:6: -t 192.0.2.4:80: scheduler flag sh-port is for the sh scheduler, not rr: kept, with no effect',
    ]);
  });

  const errors: [string, string, RegExp][] = [
    [
      'a real server before its service',
      '-a -t 192.0.2.1:80 -r 192.0.2.11',
      /^rules:1: no service -t 192\.0\.2\.1:80 before this line/,
    ],
    [
      'a service added twice',
      '-A -t 192.0.2.1:80\n-A -t 192.0.2.1:80 -s rr',
      /^rules:2: service -t 192\.0\.2\.1:80 added twice/,
    ],
    [
      'a real server added twice',
      '-A -t 192.0.2.1:80\n-a -t 192.0.2.1:80 -r 192.0.2.11\n-a -t 192.0.2.1:80 -r 192.0.2.11:80',
      /^rules:3: real server \[192\.0\.2\.11\]:80 added twice/,
    ],
    [
      'editing a missing real server',
      '-A -t 192.0.2.1:80\n-e -t 192.0.2.1:80 -r 192.0.2.11',
      /^rules:2: no real server/,
    ],
    ['deleting a missing service', '-D -t 192.0.2.1:80', /^rules:1: no service/],
    [
      'an unknown scheduler',
      '-A -t 192.0.2.1:80 -s fastest',
      /^rules:1: scheduler 'fastest' is not one keepalived knows/,
    ],
    ['port 0 without persistence', '-A -t 192.0.2.1:0', /^rules:1: port 0 is for persistent services only/],
    [
      'a bad IPv4 netmask',
      '-A -t 192.0.2.1:80 -p -M 255.0.255.0',
      /^rules:1: '255\.0\.255\.0' is not an IPv4 netmask$/,
    ],
    ['a bad IPv6 prefix', '-A -t [2001:db8::1]:80 -p -M 129', /^rules:1: IPv6 netmask '129'/],
    [
      '--pe without persistence',
      '-A -u 192.0.2.1:5060 --pe sip',
      /^rules:1: --pe sip needs a persistent service/,
    ],
    ['no service at all', '# nothing\nipvsadm -Ln', /^rules:1: no ipvsadm service \(-A\) to convert$/],
  ];
  it.each(errors)('refuses %s with FILE:LINE', (_name, text, message) => {
    expect(error(() => convert(text))).toMatch(message);
  });

  it('converts the lab fixture: every service and real server', () => {
    const r = convert(fixture('lab.rules'));
    expect(r.text.match(/^virtual_server /gm)).toHaveLength(9);
    expect(r.text.match(/^ {4}real_server /gm)).toHaveLength(15);
    expect(r.text.match(/^ {8}TCP_CHECK \{$/gm)).toHaveLength(15);
  });
});

describe('the ipvsadm format', () => {
  it('is registered and detects either form, not other text', () => {
    expect(FORMATS.find((f) => f.name === 'ipvsadm')).toBe(IPVSADM_FORMAT);
    expect(detectIpvsadm(fixture('lab.rules'))).toBe(true);
    expect(detectIpvsadm(fixture('lvs-nat.sh'))).toBe(true);
    expect(detectIpvsadm('serial_no = 1\nprimary = 192.0.2.1\nvirtual web {\n active = 1\n}\n')).toBe(false);
    expect(detectIpvsadm('virtual_server 192.0.2.1 80 {\n}\n')).toBe(false);
  });
});

describe('keepalived-ts convert on ipvsadm rules', () => {
  const run = (argv: string[], text: string): { code: number; out: string; err: string } => {
    let out = '';
    let err = '';
    const code = runConvertCommand(argv, {
      stdout: { write: (t: string) => (out += t) },
      stderr: { write: (t: string) => (err += t) },
      read: () => text,
    });
    return { code, out, err };
  };

  it('tells the format from the text, prints the config and the warnings', () => {
    const r = run(['rules.sh'], 'ipvsadm -A -u 192.0.2.1:53\nipvsadm -a -u 192.0.2.1:53 -r 192.0.2.11 -m\n');
    expect(r.code).toBe(0);
    expect(r.out).toContain('virtual_server 192.0.2.1 53 {');
    expect(r.err).toBe(
      'keepalived-ts convert: warning: rules.sh:1: -u 192.0.2.1:53: a UDP service: its real servers are checked with TCP_CHECK over TCP on the same port\n',
    );
  });

  it('reports bad rules with FILE:LINE and exit status 1', () => {
    const r = run(
      ['--from', 'ipvsadm', 'rules'],
      '-A -t 192.0.2.1:80\n-a -t 192.0.2.1:80 -r 192.0.2.11 -w x\n',
    );
    expect(r).toEqual({
      code: 1,
      out: '',
      err: "keepalived-ts convert: rules:2: weight 'x' is not a number from 0 to 2147483647\n",
    });
  });
});
