/**
 * `announce_table N [dev IFNAME]` (keepalived-ts extension, docs/bgp.md): accepted in a
 * virtual_server, with clear errors and nothing announced for bad values or a fwmark service.
 */
import { describe, expect, it } from 'vitest';
import { configTestExitCode } from '../../../src/config/diagnostics.js';
import { brief, loadText } from '../../helpers/config.js';

const lvs = ' protocol TCP\n lb_algo rr\n lb_kind NAT\n';
const notice =
  "5:2 NOTICE 'announce_table' is a keepalived-ts extension: keepalived rejects it as an unknown keyword";
const vs = (head: string, line: string, rs = '192.0.2.5') =>
  `virtual_server ${head} {\n${lvs} ${line}\n real_server ${rs} 80 {\n }\n}\n`;

describe('announce_table', () => {
  it('takes a table, and lo as the default interface', () => {
    const r = loadText(vs('203.0.113.10 80', 'announce_table 100'));
    expect(brief(r.diagnostics)).toEqual([notice]);
    expect(r.config.virtualServers[0]?.announce).toEqual({ table: 100, dev: 'lo', instances: [] });
    // -t says the file is for keepalived-ts only (the notice) and still passes it: keepalived-ts runs it.
    expect(configTestExitCode(r.diagnostics)).toBe(0);
  });

  it('takes dev IFNAME and tables above 255', () => {
    const r = loadText(vs('2001:db8::10 80', 'announce_table 4294967294 dev dummy0', '2001:db8::5'));
    expect(brief(r.diagnostics)).toEqual([notice]);
    expect(r.config.virtualServers[0]?.announce).toEqual({ table: 4294967294, dev: 'dummy0', instances: [] });
  });

  it('is off without the keyword', () => {
    expect(loadText(vs('203.0.113.10 80', 'quorum 1')).config.virtualServers[0]?.announce).toBeNull();
  });

  it.each(['253', '254', '255'])('refuses the reserved table %s with its place', (t) => {
    const r = loadText(vs('203.0.113.10 80', `announce_table ${t}`));
    expect(brief(r.diagnostics)).toEqual([
      notice,
      `5:17 GENERAL_ERROR announce_table '${t}' must be a table in [1, 4294967294], not 253-255 (default, main, local) - nothing announced`,
    ]);
    expect(r.config.virtualServers[0]?.announce).toBeNull();
  });

  it.each(['0', '4294967295', 'x1', '-3'])('refuses the table %s', (t) => {
    const r = loadText(vs('203.0.113.10 80', `announce_table ${t}`));
    // One error, not also a number error.
    expect(brief(r.diagnostics).slice(1)).toEqual([
      `5:17 GENERAL_ERROR announce_table '${t}' must be a table in [1, 4294967294], not 253-255 (default, main, local) - nothing announced`,
    ]);
    expect(r.config.virtualServers[0]?.announce).toBeNull();
  });

  it('refuses words other than dev IFNAME, and bad interface names', () => {
    const r1 = loadText(vs('203.0.113.10 80', 'announce_table 100 via lo'));
    expect(brief(r1.diagnostics)).toEqual([
      notice,
      "5:21 GENERAL_ERROR announce_table 100: expected 'dev IFNAME' or 'instance NAME' after the table, not 'via lo' - nothing announced",
    ]);
    expect(r1.config.virtualServers[0]?.announce).toBeNull();
    const r2 = loadText(vs('203.0.113.10 80', 'announce_table 100 dev'));
    expect(r2.config.virtualServers[0]?.announce).toBeNull();
    const r3 = loadText(vs('203.0.113.10 80', 'announce_table 100 dev a/b'));
    expect(brief(r3.diagnostics)).toEqual([
      notice,
      "5:25 GENERAL_ERROR announce_table 100: 'a/b' is not a valid interface name - nothing announced",
    ]);
    const r4 = loadText(vs('203.0.113.10 80', 'announce_table 100 dev sixteen-chars-xx'));
    expect(r4.config.virtualServers[0]?.announce).toBeNull();
  });

  it('refuses a fwmark virtual server: it has no address', () => {
    const r = loadText(vs('fwmark 7', 'announce_table 100'));
    expect(brief(r.diagnostics)).toContain(
      '5:2 GENERAL_ERROR announce_table: fwmark virtual server FWM 7 has no address to announce - ignoring',
    );
    expect(r.config.virtualServers[0]?.announce).toBeNull();
  });

  it('takes instance NAME (repeated, in any order with dev) and drops a name no vrrp_instance has', () => {
    const inst = (name: string, vrid: number) =>
      `vrrp_instance ${name} {\n interface lo\n virtual_router_id ${vrid}\n priority 100\n virtual_ipaddress {\n  198.51.100.${vrid}\n }\n}\n`;
    const r = loadText(
      vs('203.0.113.10 80', 'announce_table 100 instance VI_1 dev lo instance VI_2') +
        inst('VI_1', 1) +
        inst('VI_2', 2),
    );
    expect(r.config.virtualServers[0]?.announce).toEqual({
      table: 100,
      dev: 'lo',
      instances: ['VI_1', 'VI_2'],
    });
    const bad = loadText(vs('203.0.113.10 80', 'announce_table 100 instance VI_9') + inst('VI_1', 1));
    expect(bad.config.virtualServers[0]?.announce).toEqual({ table: 100, dev: 'lo', instances: [] });
    expect(brief(bad.diagnostics)).toContain(
      '5:30 GENERAL_ERROR announce_table of VS [203.0.113.10]:tcp:80: no vrrp_instance VI_9 - the route does not follow it',
    );
    const missing = loadText(vs('203.0.113.10 80', 'announce_table 100 instance'));
    expect(missing.config.virtualServers[0]?.announce).toBeNull();
  });

  it('is taken on a virtual server group', () => {
    const r = loadText(
      `virtual_server_group G {\n 203.0.113.1-3 80\n}\n` + vs('group G', 'announce_table 100 dev lo'),
    );
    expect(r.config.virtualServers[0]?.announce).toEqual({ table: 100, dev: 'lo', instances: [] });
  });
});
