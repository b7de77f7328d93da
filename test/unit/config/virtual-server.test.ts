/**
 * virtual_server, real_server, checkers and virtual_server_group. Message texts checked against
 * keepalived 2.2.7 `-t`.
 */
import { describe, expect, it } from 'vitest';
import type { HttpChecker } from '../../../src/config/model.js';
import { brief, loadText } from '../../helpers/config.js';

const vs = (head: string, body: string) => `virtual_server ${head} {\n${body}\n}\n`;
const lvs = ' protocol TCP\n lb_algo rr\n lb_kind NAT\n';

describe('virtual_server defaults', () => {
  it('warns like keepalived about missing protocol, scheduler and forwarding method', () => {
    expect(
      brief(loadText(vs('192.0.2.1 80', ' protocol TCP\n real_server 192.0.2.5 80 {\n }')).diagnostics),
    ).toEqual([
      "1:1 WARNING Virtual server [192.0.2.1]:tcp:80: no scheduler set, setting default 'wlc'",
      '1:1 WARNING Virtual server [192.0.2.1]:tcp:80: no forwarding method set, setting default NAT',
    ]);
    const r = loadText(vs('192.0.2.1 80', ' lb_algo rr\n lb_kind NAT\n real_server 192.0.2.5 80 {\n }'));
    expect(brief(r.diagnostics)).toEqual([
      '1:1 WARNING Virtual server [192.0.2.1]:none:80: no protocol set - defaulting to UDP',
    ]);
    expect(r.config.virtualServers[0]).toMatchObject({ protocol: 'UDP', lbAlgo: 'rr', lbKind: 'NAT' });
  });

  it('fully defaults a virtual server and its real servers', () => {
    const r = loadText(vs('192.0.2.1 80', `${lvs} real_server 192.0.2.5 8080 {\n }`));
    expect(r.diagnostics).toEqual([]);
    expect(r.config.virtualServers[0]).toEqual({
      key: { kind: 'address', address: '192.0.2.1', port: 80 },
      display: '[192.0.2.1]:tcp:80',
      family: 'inet',
      protocol: 'TCP',
      delayLoopMs: 60_000,
      lbAlgo: 'rr',
      lbKind: 'NAT',
      lbTunnel: null,
      persistenceTimeout: 0,
      persistenceGranularity: null,
      persistenceEngine: null,
      sorryServer: null,
      sorryServerInhibit: false,
      proxyProtocol: null,
      announce: null,
      quorum: 1,
      hysteresis: 0,
      quorumUp: null,
      quorumDown: null,
      alpha: false,
      omega: false,
      inhibitOnFailure: false,
      haSuspend: false,
      virtualhost: null,
      smtpAlert: false,
      flags: [],
      realServers: [
        {
          address: '192.0.2.5',
          port: 8080,
          weight: 1,
          lvsMethod: 'NAT',
          tunnel: null,
          inhibitOnFailure: false,
          notifyUp: null,
          notifyDown: null,
          uthreshold: 0,
          lthreshold: 0,
          alpha: false,
          delayLoopMs: 60_000,
          virtualhost: null,
          checkers: [],
        },
      ],
    });
  });

  it('lvs_method TUN with tunnel options, sorry_server_lvs_method and persistence_engine', () => {
    const r = loadText(
      vs(
        '192.0.2.1 5060',
        [
          'protocol UDP',
          'lb_algo rr',
          'lb_kind TUN type gue port 6080 csum',
          'persistence_timeout 60',
          'persistence_engine sip',
          'sorry_server 192.0.2.9 5060',
          'sorry_server_lvs_method DR',
          'real_server 192.0.2.5 5060 {\n }',
          'real_server 192.0.2.6 5060 {\n lvs_method TUN type gre\n }',
          'real_server 192.0.2.7 5060 {\n lvs_method NAT\n }',
        ].join('\n'),
      ),
    );
    expect(r.diagnostics.filter((d) => d.severity !== 'unsupported')).toEqual([]);
    const v = r.config.virtualServers[0];
    expect(v?.lbTunnel).toEqual({ type: 'gue', port: 6080, flags: 'csum' });
    expect(v?.persistenceEngine).toBe('sip');
    expect(v?.sorryServer).toEqual({ address: '192.0.2.9', port: 5060, lvsMethod: 'DR', tunnel: null });
    expect(v?.realServers.map((rs) => [rs.lvsMethod, rs.tunnel])).toEqual([
      ['TUN', { type: 'gue', port: 6080, flags: 'csum' }],
      ['TUN', { type: 'gre', port: 0, flags: 'nocsum' }],
      ['NAT', null],
    ]);
  });

  it.each([
    ['TUN type gue', 'gue tunnels require port, otherwise cannot have port.'],
    ['TUN port 80', 'gue tunnels require port, otherwise cannot have port.'],
    ['TUN type ipip csum', 'ipip tunnels do not support checksum option.'],
    ['TUN type gre remcsum', 'gre tunnels do not support remote checksum option.'],
    ['TUN type vxlan', 'Unknown tunnel type vxlan for virtual server.'],
    ['TUN fast', 'Invalid tunnel option fast for virtual server.'],
  ])('lb_kind %s: %s (keepalived svr_forwarding_handler)', (method, message) => {
    const r = loadText(vs('192.0.2.1 80', `lb_algo rr\n lb_kind ${method}\n real_server 192.0.2.5 80 {\n }`));
    expect(r.diagnostics.map((d) => d.message)).toContain(message);
  });

  it('sorry_server_lvs_method without sorry_server is an error', () => {
    const r = loadText(
      vs('192.0.2.1 80', `${lvs} sorry_server_lvs_method DR\n real_server 192.0.2.5 80 {\n }`),
    );
    expect(r.diagnostics.map((d) => d.message)).toContain(
      'sorry_server forwarding used without sorry_server',
    );
  });

  it('proxy_protocol (keepalived-ts extension) takes v1 or v2 and reports anything else', () => {
    const ok = loadText(vs('192.0.2.1 80', `${lvs} proxy_protocol v1\n real_server 192.0.2.5 80 {\n }`));
    const notice =
      "5:2 NOTICE 'proxy_protocol' is a keepalived-ts extension: keepalived rejects it as an unknown keyword";
    expect(brief(ok.diagnostics)).toEqual([notice]);
    expect(ok.config.virtualServers[0]?.proxyProtocol).toBe('v1');
    const bad = loadText(vs('192.0.2.1 80', `${lvs} proxy_protocol v3\n real_server 192.0.2.5 80 {\n }`));
    expect(brief(bad.diagnostics)).toEqual([
      notice,
      "5:17 GENERAL_ERROR proxy_protocol must be v1 or v2, not 'v3' - ignoring",
    ]);
    expect(bad.config.virtualServers[0]?.proxyProtocol).toBeNull();
  });

  it('persistence_timeout alone means 360 s', () => {
    expect(
      loadText(vs('192.0.2.1 80', `${lvs} persistence_timeout\n real_server 192.0.2.5 80 {\n }`)).config
        .virtualServers[0]?.persistenceTimeout,
    ).toBe(360);
  });

  it('real server checks: duplicates, port mismatch outside NAT, no real servers, zero port', () => {
    const text =
      vs(
        '192.0.2.1 80',
        ' lb_algo rr\n lb_kind DR\n protocol TCP\n real_server 192.0.2.5 81 {\n }\n real_server 192.0.2.5 81 {\n }',
      ) +
      vs('192.0.2.2 80', lvs) +
      vs('192.0.2.3 0', `${lvs} real_server 192.0.2.9 80 {\n }`);
    expect(brief(loadText(text).diagnostics)).toEqual([
      "5:2 WARNING WARNING - virtual server [192.0.2.1]:tcp:80 and real server [192.0.2.5]:tcp:81 ports don't match - resetting",
      "7:2 WARNING WARNING - virtual server [192.0.2.1]:tcp:80 and real server [192.0.2.5]:tcp:81 ports don't match - resetting",
      '7:2 WARNING VS [192.0.2.1]:tcp:80: real server [192.0.2.5]:tcp:81 is duplicated - removing second rs',
      '10:1 WARNING Virtual server [192.0.2.2]:tcp:80 has no real servers - ignoring',
      '16:1 WARNING Virtual server [192.0.2.3]:tcp:0: zero port only valid for persistent services - setting',
    ]);
  });

  it('quorum and hysteresis are bounded by the real servers weight', () => {
    const text = vs(
      '192.0.2.1 80',
      `${lvs} quorum 5\n hysteresis 9\n real_server 192.0.2.5 80 {\n weight 2\n }`,
    );
    const r = loadText(text);
    expect(brief(r.diagnostics)).toEqual([
      '1:1 WARNING Warning - quorum 5 for [192.0.2.1]:tcp:80 exceeds total weight of real servers 2, reducing quorum to 2',
      '1:1 WARNING Virtual server [192.0.2.1]:tcp:80: hysteresis 9 >= quorum 2; setting hysteresis to 1',
    ]);
    expect(r.config.virtualServers[0]).toMatchObject({ quorum: 2, hysteresis: 1 });
  });

  it('invalid values', () => {
    const text = vs(
      '192.0.2.1 80',
      ' lb_algo xyz\n lb_kind FOO\n protocol TCP\n delay_loop 0\n real_server 192.0.2.5 80 {\n }',
    );
    expect(brief(loadText(text).diagnostics)).toEqual([
      "2:10 GENERAL_ERROR Invalid lvs_scheduler 'xyz' - ignoring",
      '3:10 GENERAL_ERROR PARSER : unknown [FOO] routing method for virtual server.',
      "5:13 INVALID_NUMBER number '0' outside range [0.000001, 18446744073709.551614]",
      "5:13 GENERAL_ERROR virtual server delay loop '0' invalid - ignoring",
      "1:1 WARNING Virtual server [192.0.2.1]:tcp:80: no scheduler set, setting default 'wlc'",
      '1:1 WARNING Virtual server [192.0.2.1]:tcp:80: no forwarding method set, setting default NAT',
    ]);
  });

  it('address families of virtual and real servers must match', () => {
    const r = loadText(vs('2001:db8::1 80', `${lvs} real_server 192.0.2.5 80 {\n }`));
    expect(brief(r.diagnostics)).toEqual([
      "5:2 GENERAL_ERROR Address family of virtual server and real server 192.0.2.5 don't match - skipping real server.",
      '1:1 WARNING Virtual server [2001:db8::1]:tcp:80 has no real servers - ignoring',
    ]);
  });

  it('fwmark: the protocol is ignored, with a warning', () => {
    const r = loadText(vs('fwmark 1', `${lvs} real_server 192.0.2.5 {\n }`));
    expect(brief(r.diagnostics)).toEqual([
      '2:2 WARNING Warning: Virtual server FWM 1: protocol specified for fwmark - protocol will be ignored',
    ]);
    expect(r.config.virtualServers[0]).toMatchObject({
      key: { kind: 'fwmark', fwmark: 1 },
      display: 'FWM 1',
    });
  });
});

describe('checkers', () => {
  const rs = (checker: string, rsBody = '', vsBody = '') =>
    loadText(
      vs(
        '192.0.2.1 80',
        `${lvs}${vsBody ? `${vsBody}\n` : ''} real_server 192.0.2.5 8080 {\n${rsBody}\n ${checker}\n }`,
      ),
    );

  it('HTTP_GET: urls, status codes, digest, and keepalived defaults (retry 1, delay_before_retry 3 s)', () => {
    const r = rs(
      'HTTP_GET {\n url {\n path /health\n digest 640205B7B0FC66C1EA91C463FAC6334D\n }\n url {\n path /\n status_code 200-299 400 503\n }\n }',
    );
    expect(r.diagnostics).toEqual([]);
    const c = r.config.virtualServers[0]?.realServers[0]?.checkers[0] as HttpChecker;
    expect(c).toEqual({
      type: 'HTTP_GET',
      connectIp: '192.0.2.5',
      connectPort: 8080,
      bindTo: null,
      bindPort: null,
      bindIf: null,
      connectTimeoutMs: 5000,
      fwmark: null,
      retry: 1,
      delayBeforeRetryMs: 3000,
      delayLoopMs: 60_000,
      warmupMs: 60_000,
      alpha: false,
      logAllFailures: false,
      urls: [
        {
          path: '/health',
          digest: '640205b7b0fc66c1ea91c463fac6334d',
          statusCodes: [[200, 299]],
          virtualhost: null,
          regex: null,
          regexNoMatch: false,
        },
        {
          path: '/',
          digest: null,
          statusCodes: [
            [200, 299],
            [400, 400],
            [503, 503],
          ],
          virtualhost: null,
          regex: null,
          regexNoMatch: false,
        },
      ],
      httpProtocol: '1.0',
      virtualhost: null,
      enableSni: false,
      fastRecovery: false,
    });
  });

  it('checker settings inherit checker > real server > virtual server', () => {
    const r = rs(
      'TCP_CHECK {\n connect_port 81\n retry 4\n }',
      ' delay_loop 10\n connect_timeout 2\n virtualhost rs.example',
      ' delay_loop 6\n retry 9\n delay_before_retry 7\n virtualhost vs.example',
    );
    expect(r.config.virtualServers[0]?.realServers[0]).toMatchObject({
      delayLoopMs: 10_000,
      virtualhost: 'rs.example',
    });
    expect(r.config.virtualServers[0]?.realServers[0]?.checkers[0]).toMatchObject({
      type: 'TCP_CHECK',
      connectPort: 81,
      retry: 4,
      connectTimeoutMs: 2000,
      delayLoopMs: 10_000,
      delayBeforeRetryMs: 7000,
      warmupMs: 10_000,
    });
  });

  it('per-type defaults: DNS retries 3 and waits a loop, MISC retries 0 and times out after a loop', () => {
    const r = rs(
      'DNS_CHECK {\n type a\n name example.org\n }\n MISC_CHECK {\n misc_path "/bin/chk 1"\n misc_dynamic\n }',
      ' delay_loop 5',
    );
    expect(r.config.virtualServers[0]?.realServers[0]?.checkers).toMatchObject([
      { type: 'DNS_CHECK', retry: 3, delayBeforeRetryMs: 5000, queryType: 'A', name: 'example.org' },
      {
        type: 'MISC_CHECK',
        retry: 0,
        delayBeforeRetryMs: 1000,
        timeoutMs: 5000,
        dynamic: true,
        script: { argv: ['/bin/chk', '1'] },
      },
    ]);
  });

  it('keepalived messages for bad checker blocks', () => {
    const r = rs(
      'HTTP_GET {\n nb_get_retry 3\n url {\n digest abc\n status_code 99 600\n }\n }\n MISC_CHECK {\n }',
    );
    expect(brief(r.diagnostics)).toEqual([
      "8:2 GENERAL_ERROR nb_get_retry is deprecated - please use 'retry'",
      "10:9 GENERAL_ERROR digest 'abc' character length should be 32 rather than 3",
      "11:14 GENERAL_ERROR Invalid HTTP_GET status code '99'",
      "11:17 GENERAL_ERROR Invalid HTTP_GET status code '600'",
      '12:2 GENERAL_ERROR HTTP/SSL_GET checker url has no path - ignoring',
      '13:2 GENERAL_ERROR HTTP/SSL_GET checker has no urls specified - ignoring',
      '15:2 GENERAL_ERROR No script path has been specified for MISC_CHECKER - skipping',
    ]);
    expect(r.config.virtualServers[0]?.realServers[0]?.checkers).toEqual([]);
  });

  it('SMTP_CHECK host blocks become one checker each', () => {
    const r = rs(
      'SMTP_CHECK {\n helo_name mx.example\n connect_timeout 9\n host {\n connect_ip 192.0.2.6\n }\n host {\n connect_ip 192.0.2.7\n connect_port 587\n }\n }',
    );
    expect(r.config.virtualServers[0]?.realServers[0]?.checkers).toMatchObject([
      {
        type: 'SMTP_CHECK',
        connectIp: '192.0.2.6',
        connectPort: 8080,
        connectTimeoutMs: 9000,
        heloName: 'mx.example',
      },
      {
        type: 'SMTP_CHECK',
        connectIp: '192.0.2.7',
        connectPort: 587,
        connectTimeoutMs: 9000,
        heloName: 'mx.example',
      },
    ]);
  });

  it('BFD_CHECK is accepted but not supported, and checked as keepalived does', () => {
    expect(brief(rs('BFD_CHECK {\n name b\n }').diagnostics)).toEqual([
      '7:2 UNSUPPORTED BFD_CHECK: not supported (no BFD) - the checker is ignored',
      // keepalived: a BFD_CHECK names a bfd_instance defined before it.
      '8:2 GENERAL_ERROR ([192.0.2.5]:tcp:8080) BFD_CHECK - BFD b not configured',
    ]);
  });
});

describe('virtual_server_group', () => {
  it('reads addresses, ranges, prefixes and fwmarks', () => {
    const text =
      'virtual_server_group G {\n 192.0.2.1 80\n 192.0.2.3-10 80\n 2001:db8::2-9 80\n 198.51.100.0/30 443\n fwmark 7 inet6\n}\n';
    const r = loadText(text);
    expect(r.diagnostics).toEqual([]);
    expect(r.config.virtualServerGroups).toEqual([
      {
        name: 'G',
        entries: [
          { kind: 'range', family: 'inet', first: '192.0.2.1', last: '192.0.2.1', port: 80 },
          { kind: 'range', family: 'inet', first: '192.0.2.3', last: '192.0.2.10', port: 80 },
          { kind: 'range', family: 'inet6', first: '2001:db8::2', last: '2001:db8::9', port: 80 },
          { kind: 'range', family: 'inet', first: '198.51.100.0', last: '198.51.100.3', port: 443 },
          { kind: 'fwmark', fwmark: 7, family: 'inet6' },
        ],
      },
    ]);
  });

  it('an empty group is removed, and a virtual server using it goes too (keepalived only logs it)', () => {
    const text = `virtual_server_group G {\n}\n${vs('group G', `${lvs} real_server 192.0.2.4 80 {\n }`)}`;
    const loaded = loadText(text);
    expect(brief(loaded.diagnostics)).toEqual([
      '1:1 WARNING virtual server group G has no entries - removing',
      '3:1 NOTICE Virtual server group G specified but not configured - ignoring virtual server [G]:0',
    ]);
    expect(loaded.config.virtualServers).toEqual([]);
  });
});
