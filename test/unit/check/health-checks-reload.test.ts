/**
 * HealthChecks.reload() on a fake clock with a scripted probe (as health-checks.test.ts): what a
 * SIGHUP keeps (keepalived ipwrapper.c clear_diff_services(), clear_diff_rs(), migrate_checkers()).
 * An identical config touches nothing; real servers and virtual servers come and go; a changed
 * checker restarts with its verdict; a new weight reaches the table.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { HealthChecks } from '../../../src/check/health-checks.js';
import type { CheckerType } from '../../../src/check/checker-type.js';
import { erase } from '../../../src/check/checker-types.js';
import type { ProbeOutcome } from '../../../src/check/probe.js';
import { tcpCheck } from '../../../src/check/probes/tcp.js';
import { migrateChecker, settleCheckers } from '../../../src/check/reload-planner.js';
import { MemoryTable, type Destination, type ServiceTable } from '../../../src/check/table.js';
import type { VirtualServer } from '../../../src/config/model.js';
import { brief, loadText } from '../../helpers/config.js';
import { FakeClock } from '../../fakes/fake-clock.js';
import { runTimersTo } from '../../fakes/settle.js';

const VS = '[192.0.2.100]:tcp:80';

interface RsOpts {
  readonly extra?: string;
  readonly check?: string;
}

const rs = (n: number, o: RsOpts = {}): string => `
  real_server 192.0.2.${n} 80 {
    ${o.extra ?? ''}
    TCP_CHECK {
      connect_timeout 2
      retry 2
      delay_before_retry 1
      warmup 0
      ${o.check ?? ''}
    }
  }`;

const vs = (address: string, servers: string, extra = ''): string => `
virtual_server ${address} 80 {
  protocol TCP
  lb_algo rr
  lb_kind NAT
  delay_loop 10
  ${extra}
  ${servers}
}`;

/** The table as a list of operations (and its contents). */
class RecordingTable implements ServiceTable {
  readonly ops: string[] = [];
  readonly memory = new MemoryTable();
  set(v: VirtualServer, d: Destination, weight: number): void {
    this.ops.push(`set ${v.display} ${d.address} ${weight}`);
    this.memory.set(v, d, weight);
  }
  remove(v: VirtualServer, d: Destination): void {
    this.ops.push(`remove ${v.display} ${d.address}`);
    this.memory.remove(v, d);
  }
}

function load(conf: string) {
  const loaded = loadText(conf);
  expect(brief(loaded.diagnostics).filter((d) => !d.includes('NOTICE'))).toEqual([]);
  return loaded.config;
}

function harness(conf: string) {
  const fake = new FakeClock();
  const clock = fake.asClock();
  const attempts: string[] = [];
  const created: string[] = [];
  let closed = 0;
  const healthy = new Map<string, boolean>();
  // TCP_CHECK's own definition (timing, texts, compare) with a scripted probe.
  const type: CheckerType = {
    ...erase(tcpCheck),
    create: (_c, target) => {
      created.push(target.display);
      return {
        attempt: (): Promise<ProbeOutcome> => {
          attempts.push(`${fake.now} ${target.display}`);
          return Promise.resolve(
            (healthy.get(target.rs.address) ?? true)
              ? { ok: true }
              : { ok: false, reason: 'refused', detail: `TCP connection to ${target.display} failed.` },
          );
        },
        close: () => void closed++,
      };
    },
  };
  const logs: { msg: string; event?: string }[] = [];
  const log = pino({ level: 'debug' }, { write: (l: string) => logs.push(JSON.parse(l) as { msg: string }) });
  const table = new RecordingTable();
  const lines: string[] = [];
  const checks = new HealthChecks(load(conf), {
    clock,
    log,
    table,
    notifier: { checkerScript: (s) => lines.push(`script ${s.command}`), checkerLine: (l) => lines.push(l) },
    types: new Map([['TCP_CHECK', type]]),
    trackFileValue: () => undefined,
    localAddresses: new Set(),
    random: () => 0,
  });
  const runTo = async (t: number): Promise<void> => {
    await runTimersTo(fake, t);
  };
  /** Reload with `text`; what the table, the log and the FIFO saw during it. */
  const reload = (text: string) => {
    const [ops, nLogs, nLines] = [table.ops.length, logs.length, lines.length];
    const report = checks.reload(load(text));
    return {
      report,
      ops: table.ops.slice(ops),
      logs: logs.slice(nLogs).map((l) => l.msg),
      lines: lines.slice(nLines),
    };
  };
  const inTable = (name = VS): string[] =>
    table.memory.entries(name).map((e) => `${e.address.split('.')[3] ?? ''}:${e.weight}`);
  const since = (t: number): string[] =>
    attempts.filter((a) => Number(a.split(' ')[0]) >= t).map((a) => a.replace('192.0.2.', '.'));
  return {
    checks,
    healthy,
    logs,
    lines,
    runTo,
    reload,
    inTable,
    since,
    created,
    closed: () => closed,
    table,
  };
}

const ADD_REMOVE = /Removing|Adding|Enabling|Disabling|no longer exist|Changing weight/;

describe('HealthChecks.reload()', () => {
  it('an identical config touches nothing: no table operation, no add/remove line, state and schedule kept', async () => {
    const conf = vs('192.0.2.100', rs(21) + rs(22) + rs(23));
    const h = harness(conf);
    h.checks.start();
    await h.runTo(1500);
    h.healthy.set('192.0.2.22', false);
    await h.runTo(13_500); // .22 fails at 11 s, retries at 12 s and 13 s: down
    h.healthy.set('192.0.2.23', false);
    await h.runTo(21_500); // .23 failed at 21 s: one retry made, one to go
    expect(h.inTable()).toEqual(['21:1', '23:1']);
    const created = h.created.length;

    const r = h.reload(conf);
    expect(r.ops).toEqual([]);
    expect(r.logs.filter((m) => ADD_REMOVE.test(m) || m.includes('ctivating'))).toEqual([]);
    expect(r.lines).toEqual([]);
    expect(r.report.checkers).toEqual({ kept: 3, restarted: 0, started: 0, stopped: 0 });
    expect(r.report.virtualServers).toEqual({ kept: [VS], added: [], removed: [] });
    expect(h.created.length).toBe(created); // no probe made again
    expect(h.closed()).toBe(0);

    // .23 goes on with its retries where it was (22 s, then down at 23 s); .22 stays down and
    // comes back on its next success.
    h.healthy.set('192.0.2.22', true);
    await h.runTo(23_500);
    expect(h.since(21_501)).toEqual(['22000 [.23]:tcp:80', '23000 [.22]:tcp:80', '23000 [.23]:tcp:80']);
    expect(h.logs.map((l) => l.msg)).toContain(
      'TCP_CHECK on service [192.0.2.23]:tcp:80 failed after 2 retries.',
    );
    expect(h.inTable()).toEqual(['21:1', '22:1']);
    const status = h.checks.status()[0]?.realServers.map((x) => [x.alive, x.checkers[0]?.attempts]);
    expect(status).toEqual([
      [true, 3],
      [true, 5],
      [false, 5],
    ]);
  });

  it('a real server added starts as at start-up; one removed leaves the table with its down notify', async () => {
    const h = harness(vs('192.0.2.100', rs(21) + rs(22)));
    h.checks.start();
    await h.runTo(5000);
    const r = h.reload(vs('192.0.2.100', rs(21) + rs(23) + rs(24, { extra: 'alpha' })));
    expect(r.ops).toEqual([`remove ${VS} 192.0.2.22`, `set ${VS} 192.0.2.23 1`]);
    expect(r.logs.filter((m) => ADD_REMOVE.test(m))).toEqual([
      'service [192.0.2.22]:tcp:80 no longer exist',
      `Removing service [192.0.2.22]:tcp:80 from VS ${VS}`,
    ]);
    expect(r.lines).toEqual([`RS [192.0.2.22]:tcp:80 ${VS} DOWN`]);
    expect(r.report.realServers).toEqual({
      kept: 1,
      added: [
        { vs: VS, rs: '[192.0.2.23]:tcp:80' },
        { vs: VS, rs: '[192.0.2.24]:tcp:80' },
      ],
      removed: [{ vs: VS, rs: '[192.0.2.22]:tcp:80' }],
    });
    expect(r.report.checkers).toEqual({ kept: 1, restarted: 0, started: 2, stopped: 1 });
    expect(h.closed()).toBe(1);
    // The new ones are checked after the bootstrap second; alpha .24 goes in on its first success.
    await h.runTo(6500);
    expect(h.since(5000)).toEqual(['6000 [.23]:tcp:80', '6000 [.24]:tcp:80']);
    expect(h.inTable()).toEqual(['21:1', '23:1', '24:1']);
    await h.runTo(30_000);
    expect(h.since(5000).filter((a) => a.includes('.22'))).toEqual([]);
  });

  it('a checker whose retry changed keeps its verdict: a down server stays down, nothing touched', async () => {
    const h = harness(vs('192.0.2.100', rs(21) + rs(22)));
    h.checks.start();
    await h.runTo(1500);
    h.healthy.set('192.0.2.21', false);
    await h.runTo(13_500);
    expect(h.inTable()).toEqual(['22:1']);
    const r = h.reload(vs('192.0.2.100', rs(21, { check: 'retry 5' }) + rs(22)));
    expect(r.ops).toEqual([]);
    expect(r.logs.filter((m) => ADD_REMOVE.test(m))).toEqual([]);
    expect(r.logs).toContain(`Activating healthchecker for service [192.0.2.21]:tcp:80 for VS ${VS}`);
    expect(r.report.checkers).toEqual({ kept: 1, restarted: 1, started: 0, stopped: 0 });
    expect(h.checks.status()[0]?.realServers[0]).toMatchObject({ alive: false, inTable: false });
    // It restarts after the bootstrap second; one success brings the server back.
    h.healthy.set('192.0.2.21', true);
    await h.runTo(15_000);
    expect(h.since(13_501).filter((a) => a.includes('.21'))).toEqual(['14500 [.21]:tcp:80']);
    expect(h.inTable()).toEqual(['22:1', '21:1']);
  });

  it('a checker with a new target restarts as keepalived does: a down server comes back, one failure takes it out', async () => {
    const h = harness(vs('192.0.2.100', rs(21) + rs(22)));
    h.checks.start();
    await h.runTo(1500);
    h.healthy.set('192.0.2.21', false);
    await h.runTo(13_500);
    const r = h.reload(vs('192.0.2.100', rs(21, { check: 'connect_port 8080' }) + rs(22)));
    // migrate_checkers(): no checker of .21 has failed any more, so it is up again.
    expect(r.ops).toEqual([`set ${VS} 192.0.2.21 1`]);
    expect(r.logs.filter((m) => ADD_REMOVE.test(m))).toEqual([
      `Adding service [192.0.2.21]:tcp:80 to VS ${VS}`,
    ]);
    expect(r.report.checkers).toEqual({ kept: 1, restarted: 0, started: 1, stopped: 1 });
    // The new checker has not run and the server had no verdict left: one failure is enough.
    await h.runTo(15_000);
    expect(h.since(13_501).filter((a) => a.includes('.21'))).toEqual(['14500 [.21]:tcp:8080']);
    expect(h.inTable()).toEqual(['22:1']);
    expect(h.logs.map((l) => l.msg)).toContain(`Removing service [192.0.2.21]:tcp:80 from VS ${VS}`);
  });

  it('a virtual server removed stops its checkers and leaves the table; a new one starts', async () => {
    const A = vs('192.0.2.100', rs(21));
    const h = harness(A + vs('192.0.2.101', rs(31) + rs(32)));
    h.checks.start();
    await h.runTo(5000);
    expect(h.inTable('[192.0.2.101]:tcp:80')).toEqual(['31:1', '32:1']);
    const r = h.reload(A + vs('192.0.2.102', rs(41)));
    expect(r.ops).toEqual([
      'remove [192.0.2.101]:tcp:80 192.0.2.31',
      'remove [192.0.2.101]:tcp:80 192.0.2.32',
      'set [192.0.2.102]:tcp:80 192.0.2.41 1',
    ]);
    expect(r.logs.filter((m) => ADD_REMOVE.test(m))).toEqual([
      'Removing Virtual Server [192.0.2.101]:tcp:80',
      'Removing service [192.0.2.31]:tcp:80 from VS [192.0.2.101]:tcp:80',
      'Removing service [192.0.2.32]:tcp:80 from VS [192.0.2.101]:tcp:80',
    ]);
    expect(r.lines).toEqual([
      'RS [192.0.2.31]:tcp:80 [192.0.2.101]:tcp:80 DOWN',
      'RS [192.0.2.32]:tcp:80 [192.0.2.101]:tcp:80 DOWN',
      'VS [192.0.2.101]:tcp:80 DOWN',
    ]);
    expect(r.report.virtualServers).toEqual({
      kept: [VS],
      added: ['[192.0.2.102]:tcp:80'],
      removed: ['[192.0.2.101]:tcp:80'],
    });
    expect(h.checks.status().map((s) => s.name)).toEqual([VS, '[192.0.2.102]:tcp:80']);
    await h.runTo(30_000);
    expect(h.since(5000).filter((a) => a.includes('.3'))).toEqual([]);
    expect(h.since(5000).filter((a) => a.includes('.41'))[0]).toBe('6000 [.41]:tcp:80');
  });

  it('a new weight is applied in the table; quorum and the sorry server follow the new settings', async () => {
    const h = harness(vs('192.0.2.100', rs(21) + rs(22)));
    h.checks.start();
    await h.runTo(5000);
    let r = h.reload(vs('192.0.2.100', rs(21, { extra: 'weight 5' }) + rs(22)));
    expect(r.ops).toEqual([`set ${VS} 192.0.2.21 5`]);
    expect(r.logs.filter((m) => ADD_REMOVE.test(m))).toEqual([
      `Changing weight from 1 to 5 for active service [192.0.2.21]:tcp:80 of VS ${VS}`,
    ]);
    expect(h.inTable()).toEqual(['21:5', '22:1']);
    // .22 goes down; a quorum the live weight (5) no longer reaches: the sorry server stands in.
    h.healthy.set('192.0.2.22', false);
    await h.runTo(13_500);
    r = h.reload(
      vs('192.0.2.100', rs(21, { extra: 'weight 5' }) + rs(22), 'quorum 6\n  sorry_server 192.0.2.99 80'),
    );
    expect(r.logs).toContain(`Starting with quorum down 6-0=6 > 5 for VS ${VS}`);
    expect(r.ops).toEqual([`remove ${VS} 192.0.2.21`, `set ${VS} 192.0.2.99 1`]);
    expect(r.lines).toEqual([`VS ${VS} DOWN`]);
    expect(h.inTable()).toEqual(['99:1']);
    // The sorry server gone while it stands in: the alive server goes back in.
    r = h.reload(vs('192.0.2.100', rs(21, { extra: 'weight 5' }) + rs(22), 'quorum 6'));
    expect(r.ops).toEqual([`remove ${VS} 192.0.2.99`, `set ${VS} 192.0.2.21 5`]);
    expect(r.logs).toContain(`Removing sorry server [192.0.2.99]:tcp:80 from VS ${VS}`);
    expect(h.inTable()).toEqual(['21:5']);
  });
});

describe('reload-planner.ts: which checker is the same, and what it carries over (migrate_checkers())', () => {
  const checkerOf = (check: string) => {
    const c = load(vs('192.0.2.100', rs(21, { check }))).virtualServers[0]?.realServers[0]?.checkers[0];
    if (!c) throw new Error('no checker');
    return c;
  };
  it.each([
    ['retry 5', true],
    ['delay_before_retry 3', true],
    ['connect_port 8080', false],
    ['connect_timeout 3', false],
    ['connect_ip 192.0.2.50', false],
  ])('TCP_CHECK with %s is the same checker: %s', (check, same) => {
    expect(erase(tcpCheck).sameTarget(checkerOf(''), checkerOf(check))).toBe(same);
  });

  it.each([
    // old state, new retry → new state
    [{ up: true, hasRun: true, retries: 0 }, 2, { up: true, hasRun: true, retries: 0 }],
    [{ up: true, hasRun: true, retries: 1 }, 3, { up: true, hasRun: true, retries: 1 }],
    // retries already made reach the new retry: one more failure takes it down
    [{ up: true, hasRun: true, retries: 2 }, 2, { up: true, hasRun: true, retries: 1 }],
    [{ up: true, hasRun: true, retries: 2 }, 0, { up: true, hasRun: true, retries: 0 }],
    [{ up: false, hasRun: true, retries: 0 }, 2, { up: false, hasRun: true, retries: 0 }],
    // no verdict yet (alpha, before its first attempt): starts again up, not run
    [{ up: false, hasRun: false, retries: 0 }, 2, { up: true, hasRun: false, retries: 0 }],
  ])('migrateChecker(%o, retry %i) → %o', (old, retry, want) => {
    expect(migrateChecker(old, retry)).toEqual(want);
  });

  it('settleCheckers: with a checker down, new ones start down if alpha and go down on one failure', () => {
    const fresh = { state: { up: true, hasRun: false, retries: 0 }, kept: false, retry: 3 };
    const down = { state: { up: false, hasRun: true, retries: 0 }, kept: true, alpha: false, retry: 3 };
    expect(
      settleCheckers(false, [down, { ...fresh, alpha: true }, { ...fresh, alpha: false }]).slice(1),
    ).toEqual([
      { up: false, hasRun: false, retries: 3 },
      { up: true, hasRun: false, retries: 3 },
    ]);
    // An alive server with nothing down: new checkers start up with their retries.
    expect(settleCheckers(true, [{ ...fresh, alpha: true }])).toEqual([fresh.state]);
  });
});
