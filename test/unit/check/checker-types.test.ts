/**
 * Each checker type's definition (checker-type.ts, in its probe file): every keyword the config
 * reader knows has one; its timing and attempt limit as keepalived 2.2.7 derives them; its SMTP
 * alert body word for word (check_tcp.c, check_udp.c, check_ping.c, check_dns.c, check_misc.c,
 * check_http.c); its reload compare.
 */
import { describe, expect, it } from 'vitest';
import { checkerTypes } from '../../../src/check/checker-types.js';
import type { Checker, Config, VirtualServer } from '../../../src/config/model.js';
import { CHECKER_TYPES } from '../../../src/config/validate/checkers.js';
import { brief, loadText } from '../../helpers/config.js';

const types = checkerTypes();

function load(conf: string): Config {
  const loaded = loadText(conf);
  expect(brief(loaded.diagnostics).filter((d) => !d.includes('NOTICE'))).toEqual([]);
  return loaded.config;
}

/** The virtual server and the first checker of a real server with `check` as its checker block. */
function checkerOf(check: string, vsExtra = ''): { vs: VirtualServer; c: Checker } {
  const config = load(`
track_file f {
  file /run/kts-state
}
virtual_server 192.0.2.100 80 {
  protocol TCP
  lb_algo rr
  lb_kind NAT
  delay_loop 10
  ${vsExtra}
  real_server 192.0.2.21 80 {
    ${check}
  }
}`);
  const vs = config.virtualServers[0];
  const c = vs?.realServers[0]?.checkers[0];
  if (!vs || !c) throw new Error('no checker');
  return { vs, c };
}

function typeOf(c: Checker) {
  const t = types.get(c.type);
  if (!t) throw new Error(`no definition for ${c.type}`);
  return t;
}

describe('checker type definitions', () => {
  it('every checker keyword the config reader knows has a definition', () => {
    expect([...types.keys()].sort()).toEqual([...CHECKER_TYPES].sort());
  });

  it.each([
    // block, [retry, delay_before_retry, delay_loop, delay while down] in ms
    ['TCP_CHECK {\n retry 2\n delay_before_retry 3\n}', [2, 3000, 10_000, 10_000]],
    // HTTP: a down checker waits the longer of delay_loop and delay_before_retry.
    ['HTTP_GET {\n url {\n path /\n }\n retry 2\n delay_before_retry 15\n}', [2, 15_000, 10_000, 15_000]],
    ['SSL_GET {\n url {\n path /\n }\n delay_before_retry 2\n}', [1, 2000, 10_000, 10_000]],
    // FILE_CHECK: no retries, the file looked at every second at most.
    ['FILE_CHECK {\n track_file f\n}', [0, 1000, 1000, 1000]],
  ])('%s: timing %o', (check, [retry, dbr, loop, down]) => {
    const { c } = checkerOf(check);
    expect(typeOf(c).timing(c)).toEqual({
      retry,
      delayBeforeRetryMs: dbr,
      delayLoopMs: loop,
      downDelayMs: down,
    });
  });

  it.each([
    ['TCP_CHECK {\n connect_timeout 3\n}', 3000],
    // Every url within connect_timeout.
    ['HTTP_GET {\n connect_timeout 2\n url {\n path /a\n }\n url {\n path /b\n }\n}', 4000],
    // Connect, greeting, HELO, reply, QUIT, reply.
    ['SMTP_CHECK {\n connect_timeout 2\n}', 12_000],
    ['MISC_CHECK {\n misc_path /bin/true\n misc_timeout 4\n}', 4000],
    // misc_timeout 0: the virtual server's delay_loop.
    ['MISC_CHECK {\n misc_path /bin/true\n misc_timeout 0\n}', 10_000],
  ])('%s: an attempt may take %i ms', (check, ms) => {
    const { vs, c } = checkerOf(check);
    expect(typeOf(c).attemptLimitMs(c, vs)).toBe(ms);
  });

  it.each([
    ['TCP_CHECK', '=> TCP CHECK succeed on service <=', '=> TCP CHECK failed on service <='],
    ['UDP_CHECK', '=> UDP CHECK succeed on service <=', '=> UDP CHECK failed on service <='],
    ['PING_CHECK', '=> ICMP CHECK succeed on service <=', '=> ICMP CHECK failed on service <='],
    ['DNS_CHECK', '=> DNS_CHECK: succeed on service <=', '=> DNS_CHECK: failed on service <='],
    ['HTTP_GET', '=> CHECK succeed on service <=', '=> CHECK failed on service : HTTP request failed <='],
    ['SSL_GET', '=> CHECK succeed on service <=', '=> CHECK failed on service : HTTP request failed <='],
    ['SMTP_CHECK', '=> CHECK succeed on service <=', '=> CHECK failed on service <='],
    ['FILE_CHECK', '=> CHECK succeed on service <=', '=> CHECK failed on service <='],
    ['MISC_CHECK', '=> MISC CHECK succeeded on service <=', '=> MISC CHECK failed on service <='],
  ])('%s mails %j and %j', (type, up, down) => {
    const t = types.get(type as Checker['type']);
    expect(t?.texts.alert(true, undefined)).toBe(up);
    expect(t?.texts.alert(false, 'refused')).toBe(down);
  });

  it('MISC_CHECK mails a timeout as "timed out"', () => {
    expect(types.get('MISC_CHECK')?.texts.alert(false, 'timeout')).toBe(
      '=> MISC CHECK timed out on service <=',
    );
  });

  it.each([
    ['HTTP_GET {\n url {\n path /\n }\n}', 'HTTP_GET {\n url {\n path /\n }\n retry 7\n}', true],
    ['HTTP_GET {\n url {\n path /\n }\n}', 'HTTP_GET {\n url {\n path /x\n }\n}', false],
    ['SMTP_CHECK {\n helo_name a\n}', 'SMTP_CHECK {\n helo_name b\n}', false],
    ['DNS_CHECK {\n name example.org\n}', 'DNS_CHECK {\n name example.org\n delay_before_retry 9\n}', true],
    ['DNS_CHECK {\n name example.org\n}', 'DNS_CHECK {\n name example.com\n}', false],
    ['MISC_CHECK {\n misc_path /bin/true\n}', 'MISC_CHECK {\n misc_path /bin/true\n retry 3\n}', true],
    ['MISC_CHECK {\n misc_path /bin/true\n}', 'MISC_CHECK {\n misc_path /bin/false\n}', false],
    ['FILE_CHECK {\n track_file f\n}', 'FILE_CHECK {\n track_file f\n weight 4\n}', false],
  ])('%j then %j: the same checker (compare) %s', (a, b, same) => {
    const x = checkerOf(a).c;
    const y = checkerOf(b).c;
    expect(typeOf(x).sameTarget(x, y)).toBe(same);
  });
});
