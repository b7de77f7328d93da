/**
 * A virtual server's pool, table-driven: real servers in and out of the table, inhibit, quorum
 * with hysteresis, the sorry server, alpha, weights and shutdown, with keepalived's log lines
 * (check/ipwrapper.c) and FIFO lines.
 */
import { describe, expect, it } from 'vitest';
import { Pool, type PoolEffect } from '../../../src/check/pool.js';
import type { VirtualServer } from '../../../src/config/model.js';
import { brief, loadText } from '../../helpers/config.js';

function vs(body: string, servers: number, rsBody = 'TCP_CHECK {\n connect_timeout 1\n }'): VirtualServer {
  const rs = Array.from(
    { length: servers },
    (_, i) => `real_server 192.0.2.${21 + i} 80 {\n weight 1\n ${rsBody}\n}`,
  ).join('\n');
  const loaded = loadText(
    `virtual_server 192.0.2.100 80 {\n protocol TCP\n lb_algo rr\n lb_kind NAT\n ${body}\n ${rs}\n}\n`,
  );
  const errors = brief(loaded.diagnostics).filter((d) => !d.includes('NOTICE'));
  expect(errors).toEqual([]);
  const v = loaded.config.virtualServers[0];
  if (!v) throw new Error('no virtual server');
  return v;
}

/** Effects as short strings: table ops, log messages, scripts, FIFO lines. */
const show = (effects: readonly PoolEffect[]): string[] =>
  effects.map((e) => {
    switch (e.kind) {
      case 'set':
        return `set ${e.member} ${e.weight}`;
      case 'remove':
        return `remove ${e.member}`;
      case 'log':
        return `log ${e.msg}`;
      case 'script':
        return `script ${e.script.command}${e.stopping ? ' (stopping)' : ''}`;
      case 'fifo':
        return `fifo ${e.line}`;
    }
  });

const VS = '[192.0.2.100]:tcp:80';
const RS = (n: number): string => `[192.0.2.${21 + n}]:tcp:80`;

describe('pool of a virtual server (keepalived ipwrapper.c)', () => {
  it('starts with every server in; a dead one leaves, with notify_down and a FIFO line; it comes back', () => {
    const p = new Pool(vs('', 2, 'notify_down /bin/down.sh\n notify_up /bin/up.sh\n TCP_CHECK {\n }'));
    expect(show(p.init([0, 0]))).toEqual(['set 0 1', 'set 1 1']);
    expect(show(p.checker(0, false, true, false, false))).toEqual([
      `log Removing service ${RS(0)} from VS ${VS}`,
      'remove 0',
      'script /bin/down.sh',
      `fifo RS ${RS(0)} ${VS} DOWN`,
    ]);
    expect(p.view().realServers[0]).toEqual({ alive: false, inTable: false, weight: 1 });
    expect(show(p.checker(0, true, false, false, false))).toEqual([
      `log Adding service ${RS(0)} to VS ${VS}`,
      'set 0 1',
      'script /bin/up.sh',
      `fifo RS ${RS(0)} ${VS} UP`,
    ]);
  });

  it('inhibit_on_failure keeps a dead server at weight 0 (Disabling/Enabling)', () => {
    const p = new Pool(vs('inhibit_on_failure', 1));
    p.init([0]);
    expect(show(p.checker(0, false, true, false, false))).toEqual([
      `log Disabling service ${RS(0)} of VS ${VS}`,
      'set 0 0',
      `fifo RS ${RS(0)} ${VS} DOWN`,
      `log Lost quorum 1-0=1 > 0 for VS ${VS}`,
      `fifo VS ${VS} DOWN`,
    ]);
    expect(p.view().realServers[0]).toEqual({ alive: false, inTable: true, weight: 1 });
    expect(show(p.checker(0, true, false, false, false))).toEqual([
      `log Enabling service ${RS(0)} of VS ${VS}`,
      'set 0 1',
      `fifo RS ${RS(0)} ${VS} UP`,
      `log Gained quorum 1+0=1 <= 1 for VS ${VS}`,
      `fifo VS ${VS} UP`,
    ]);
  });

  it('losing quorum hands the service to the sorry server; regaining it brings the pool back', () => {
    const p = new Pool(
      vs('quorum 2\n sorry_server 192.0.2.50 80\n quorum_down /bin/qd.sh\n quorum_up /bin/qu.sh', 2),
    );
    expect(show(p.init([0, 0]))).toEqual(['set 0 1', 'set 1 1']);
    expect(show(p.checker(0, false, true, false, false))).toEqual([
      `log Removing service ${RS(0)} from VS ${VS}`,
      'remove 0',
      `fifo RS ${RS(0)} ${VS} DOWN`,
      `log Lost quorum 2-0=2 > 1 for VS ${VS}`,
      `log Adding sorry server [192.0.2.50]:tcp:80 to VS ${VS}`,
      `log Removing alive servers from the pool for VS ${VS}`,
      'remove 1',
      'set sorry 1',
      'script /bin/qd.sh',
      `fifo VS ${VS} DOWN`,
    ]);
    // While the sorry server serves, a recovering server is not put back on its own...
    expect(show(p.checker(0, true, false, false, false))).toEqual([
      `log Adding service ${RS(0)} to VS ${VS}`,
      `fifo RS ${RS(0)} ${VS} UP`,
      // ...but quorum returns with it, and the whole pool goes back.
      `log Gained quorum 2+0=2 <= 2 for VS ${VS}`,
      `log Removing sorry server [192.0.2.50]:tcp:80 from VS ${VS}`,
      'remove sorry',
      `log Adding alive servers to the pool for VS ${VS}`,
      'set 0 1',
      'set 1 1',
      'script /bin/qu.sh',
      `fifo VS ${VS} UP`,
    ]);
    expect(p.view()).toMatchObject({ quorumUp: true, sorryActive: false });
  });

  it('hysteresis: quorum 3 ± 1 is lost below 2 and gained back at 4', () => {
    const p = new Pool(vs('quorum 3\n hysteresis 1', 4));
    p.init([0, 0, 0, 0]);
    const quorumLines = (effects: readonly PoolEffect[]): string[] =>
      show(effects).filter((l) => l.includes('quorum'));
    expect(quorumLines(p.checker(0, false, true, false, false))).toEqual([]); // 3 live
    expect(quorumLines(p.checker(1, false, true, false, false))).toEqual([]); // 2 live: 2 >= 3-1
    expect(quorumLines(p.checker(2, false, true, false, false))).toEqual([
      `log Lost quorum 3-1=2 > 1 for VS ${VS}`,
    ]);
    expect(quorumLines(p.checker(2, true, false, false, false))).toEqual([]); // 2 live
    expect(quorumLines(p.checker(1, true, false, false, false))).toEqual([]); // 3 live: < 3+1
    expect(quorumLines(p.checker(0, true, false, false, false))).toEqual([
      `log Gained quorum 3+1=4 <= 4 for VS ${VS}`,
    ]);
  });

  it('alpha: servers start out of the table (the sorry server stands in) until their first success', () => {
    const p = new Pool(vs('alpha\n sorry_server 192.0.2.50 80', 1));
    expect(show(p.init([1]))).toEqual([
      `log Starting with quorum down 1-0=1 > 0 for VS ${VS}`,
      `log Adding sorry server [192.0.2.50]:tcp:80 to VS ${VS}`,
      `log Removing alive servers from the pool for VS ${VS}`,
      'set sorry 1',
      `fifo VS ${VS} DOWN`,
    ]);
    // The first failure confirms the down state: keepalived notifies for alpha.
    expect(show(p.checker(0, false, false, true, true))).toEqual([`fifo RS ${RS(0)} ${VS} DOWN`]);
    expect(show(p.checker(0, true, false, false, true))).toContain(
      `log Gained quorum 1+0=1 <= 1 for VS ${VS}`,
    );
  });

  it('a server with two checkers is alive only while both are up', () => {
    const p = new Pool(vs('', 1, 'TCP_CHECK {\n }\n TCP_CHECK {\n connect_port 81\n }'));
    p.init([0]);
    expect(show(p.checker(0, false, true, false, false))[0]).toBe(
      `log Removing service ${RS(0)} from VS ${VS}`,
    );
    expect(show(p.checker(0, false, true, false, false))).toEqual([]); // the second one: already out
    expect(show(p.checker(0, true, false, false, false))).toEqual([]); // one of two back: still out
    expect(show(p.checker(0, true, false, false, false))[0]).toBe(`log Adding service ${RS(0)} to VS ${VS}`);
  });

  it('a new weight is applied to a server in the pool and counted in the quorum', () => {
    const p = new Pool(vs('quorum 3', 3));
    p.init([0, 0, 0]);
    expect(show(p.checker(2, false, true, false, false))).toContain(`log Lost quorum 3-0=3 > 2 for VS ${VS}`);
    expect(show(p.weight(0, 5))).toEqual([
      `log Changing weight from 1 to 5 for active service ${RS(0)} of VS ${VS}`,
      'set 0 5',
      `log Gained quorum 3+0=3 <= 6 for VS ${VS}`,
      `fifo VS ${VS} UP`,
    ]);
    expect(show(p.weight(0, 5))).toEqual([]);
    // A dead server's new weight waits until it is back.
    expect(show(p.weight(2, 4))).toEqual([
      `log Changing weight from 1 to 4 for inactive service ${RS(2)} of VS ${VS}`,
    ]);
  });

  it('shutdown removes everything; with omega the down notifications run (with the stop limit)', () => {
    const p = new Pool(vs('omega\n quorum_down /bin/qd.sh', 1, 'notify_down /bin/down.sh\n TCP_CHECK {\n }'));
    p.init([0]);
    expect(show(p.stop())).toEqual([
      `log Shutting down service ${RS(0)} from VS ${VS}`,
      'remove 0',
      'script /bin/down.sh (stopping)',
      `fifo RS ${RS(0)} ${VS} DOWN`,
      'script /bin/qd.sh (stopping)',
      `fifo VS ${VS} DOWN`,
    ]);
    const quiet = new Pool(vs('quorum_down /bin/qd.sh', 1, 'notify_down /bin/down.sh\n TCP_CHECK {\n }'));
    quiet.init([0]);
    expect(show(quiet.stop())).toEqual([`log Shutting down service ${RS(0)} from VS ${VS}`, 'remove 0']);
  });
});
