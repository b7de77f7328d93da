/**
 * reload-planner.ts on its own, with fake running checkers: which virtual servers, real servers
 * and checkers a new config keeps, restarts, starts and stops (keepalived ipwrapper.c
 * clear_diff_services(), clear_diff_rs(), migrate_checkers()), paired by identity and each
 * type's compare, never by position.
 */
import { describe, expect, it } from 'vitest';
import { effectiveCheckers } from '../../../src/check/checker-type.js';
import { checkerTypes } from '../../../src/check/checker-types.js';
import {
  planReload,
  type CheckerStep,
  type PlannerChecker,
  type PlannerServer,
  type PlannerService,
} from '../../../src/check/reload-planner.js';
import type { CheckerState } from '../../../src/check/verdict.js';
import type { Checker, Config } from '../../../src/config/model.js';
import { brief, loadText } from '../../helpers/config.js';

interface FakeRun extends PlannerChecker {
  /** Which running checker this is: `vs/rs#n` of the old config. */
  readonly id: string;
}
interface FakeServer extends PlannerServer<FakeRun> {
  readonly id: string;
  readonly alive: boolean;
}
type FakeService = PlannerService<FakeServer>;

const types = checkerTypes();

function load(conf: string): Config {
  const loaded = loadText(conf);
  expect(brief(loaded.diagnostics).filter((d) => !d.includes('NOTICE'))).toEqual([]);
  return loaded.config;
}

const rs = (addr: string, check = 'TCP_CHECK {\n connect_timeout 2\n retry 2\n}', extra = ''): string => `
  real_server ${addr} 80 {
    ${extra}
    ${check}
  }`;

const vs = (address: string, servers: string): string => `
virtual_server ${address} 80 {
  protocol TCP
  lb_algo rr
  lb_kind NAT
  delay_loop 10
  ${servers}
}`;

/**
 * The running tree of `config` (its checkers as they run): each checker a fake with the given state (default: up, has run),
 * named by its virtual server's address, its real server's address and its position.
 */
function running(
  config: Config,
  opts: {
    state?: (id: string) => CheckerState;
    dynamicWeight?: (id: string) => number | undefined;
    alive?: (id: string) => boolean;
  } = {},
): FakeService[] {
  return config.virtualServers.map((v, vi) => ({
    vs: v,
    servers: v.realServers.map((r, ri): FakeServer => {
      const sid = `${vi}:${r.address}@${ri}`;
      return {
        id: sid,
        rs: r,
        alive: opts.alive?.(sid) ?? true,
        checkers: effectiveCheckers(r.checkers, config, (t) => types.get(t)).map(
          (c: Checker, ci): FakeRun => {
            const id = `${sid}#${ci}`;
            return {
              id,
              checker: c,
              state: opts.state?.(id) ?? { up: true, hasRun: true, retries: 0 },
              dynamicWeight: opts.dynamicWeight?.(id),
            };
          },
        ),
      };
    }),
  }));
}

function plan(oldConf: string, newConf: string, opts: Parameters<typeof running>[1] = {}) {
  const old = load(oldConf);
  return planReload<FakeRun, FakeServer, FakeService>(
    { config: old, services: running(old, opts) },
    load(newConf),
    { rules: (t) => types.get(t), alive: (s) => s.alive },
  );
}

/** A step as `keep <id>`, `restart <id>`, `start`. */
const step = (s: CheckerStep<FakeRun>): string =>
  s.kind === 'keep' ? `keep ${s.run.id}` : s.kind === 'restart' ? `restart ${s.from.id}` : 'start';

/** Each new real server as `address <- old server id | new: steps`. */
const shape = (p: ReturnType<typeof plan>): string[][] =>
  p.services.map((svc) =>
    svc.servers.map((s) => `${s.rs.address} <- ${s.from?.id ?? 'new'}: ${s.checkers.map(step).join(', ')}`),
  );

const A = '192.0.2.100';

describe('planReload()', () => {
  it('an identical config keeps every checker as it runs', () => {
    const conf = vs(A, rs('192.0.2.21') + rs('192.0.2.22'));
    const p = plan(conf, conf);
    expect(shape(p)).toEqual([
      [
        '192.0.2.21 <- 0:192.0.2.21@0: keep 0:192.0.2.21@0#0',
        '192.0.2.22 <- 0:192.0.2.22@1: keep 0:192.0.2.22@1#0',
      ],
    ]);
    expect(p.report.checkers).toEqual({ kept: 2, restarted: 0, started: 0, stopped: 0 });
    expect(p.removed).toEqual([]);
    expect(p.services[0]?.removedServers).toEqual([]);
  });

  it('reordered real servers and virtual servers keep their own checkers (identity, not position)', () => {
    const B = '192.0.2.101';
    const p = plan(
      vs(A, rs('192.0.2.21') + rs('192.0.2.22')) + vs(B, rs('192.0.2.31')),
      vs(B, rs('192.0.2.31')) + vs(A, rs('192.0.2.22') + rs('192.0.2.21')),
    );
    expect(shape(p)).toEqual([
      ['192.0.2.31 <- 1:192.0.2.31@0: keep 1:192.0.2.31@0#0'],
      [
        '192.0.2.22 <- 0:192.0.2.22@1: keep 0:192.0.2.22@1#0',
        '192.0.2.21 <- 0:192.0.2.21@0: keep 0:192.0.2.21@0#0',
      ],
    ]);
    expect(p.services.map((s) => s.from?.vs.display)).toEqual([`[${B}]:tcp:80`, `[${A}]:tcp:80`]);
    expect(p.report.virtualServers).toEqual({
      kept: [`[${B}]:tcp:80`, `[${A}]:tcp:80`],
      added: [],
      removed: [],
    });
    expect(p.report.checkers).toEqual({ kept: 3, restarted: 0, started: 0, stopped: 0 });
  });

  it('duplicate real servers: the first new one takes the first old one; one more is new, one fewer is removed', () => {
    // The config reader drops a duplicate real server (keepalived does too); the planner does not
    // rely on it: a config with duplicates made by hand.
    const base = load(vs(A, rs('192.0.2.21')));
    const dup = (n: number): Config => {
      const v = base.virtualServers[0];
      const r = v?.realServers[0];
      if (!v || !r) throw new Error('no real server');
      return { ...base, virtualServers: [{ ...v, realServers: Array.from({ length: n }, () => r) }] };
    };
    const planDup = (from: number, to: number) =>
      planReload<FakeRun, FakeServer, FakeService>(
        { config: dup(from), services: running(dup(from)) },
        dup(to),
        {
          rules: (t) => types.get(t),
          alive: (s) => s.alive,
        },
      );
    let p = planDup(2, 3);
    expect(shape(p)).toEqual([
      [
        '192.0.2.21 <- 0:192.0.2.21@0: keep 0:192.0.2.21@0#0',
        '192.0.2.21 <- 0:192.0.2.21@1: keep 0:192.0.2.21@1#0',
        '192.0.2.21 <- new: start',
      ],
    ]);
    expect(p.report.realServers.added).toEqual([{ vs: `[${A}]:tcp:80`, rs: '[192.0.2.21]:tcp:80' }]);
    p = planDup(2, 1);
    expect(shape(p)).toEqual([['192.0.2.21 <- 0:192.0.2.21@0: keep 0:192.0.2.21@0#0']]);
    expect(p.services[0]?.removedServers.map((s) => s.id)).toEqual(['0:192.0.2.21@1']);
    expect(p.report.checkers).toEqual({ kept: 1, restarted: 0, started: 0, stopped: 1 });
  });

  it('a changed compare (connect_port) starts a new checker and stops the old; a changed retry restarts it with its verdict', () => {
    const down = (): CheckerState => ({ up: false, hasRun: true, retries: 0 });
    const p = plan(
      vs(A, rs('192.0.2.21') + rs('192.0.2.22')),
      vs(
        A,
        rs('192.0.2.21', 'TCP_CHECK {\n connect_timeout 2\n retry 2\n connect_port 8080\n}') +
          rs('192.0.2.22', 'TCP_CHECK {\n connect_timeout 2\n retry 5\n}'),
      ),
      { state: down, alive: () => false },
    );
    expect(shape(p)).toEqual([
      ['192.0.2.21 <- 0:192.0.2.21@0: start', '192.0.2.22 <- 0:192.0.2.22@1: restart 0:192.0.2.22@1#0'],
    ]);
    const [s21, s22] = p.services[0]?.servers ?? [];
    expect(s21?.stop.map((r) => r.id)).toEqual(['0:192.0.2.21@0#0']);
    // migrate_checkers(): the server is down and none of its checkers has a verdict any more: the
    // new one starts up, and one failure takes it down.
    expect(s21?.checkers[0]).toMatchObject({ kind: 'start', state: { up: true, hasRun: false, retries: 2 } });
    expect(s21?.failed).toBe(0);
    // The restarted one keeps its verdict (down): the server stays out.
    expect(s22?.checkers[0]).toMatchObject({
      kind: 'restart',
      state: { up: false, hasRun: true, retries: 0 },
    });
    expect(s22?.failed).toBe(1);
    expect(p.report.checkers).toEqual({ kept: 0, restarted: 1, started: 1, stopped: 1 });
  });

  it('with a checker down, a new alpha checker of the same server starts down and needs one failure', () => {
    const p = plan(
      vs(A, rs('192.0.2.21')),
      vs(
        A,
        rs(
          '192.0.2.21',
          'TCP_CHECK {\n connect_timeout 2\n retry 2\n}\n TCP_CHECK {\n connect_timeout 2\n retry 2\n connect_port 81\n alpha\n}',
        ),
      ),
      { state: () => ({ up: false, hasRun: true, retries: 0 }), alive: () => false },
    );
    const steps = p.services[0]?.servers[0]?.checkers ?? [];
    expect(steps.map(step)).toEqual(['keep 0:192.0.2.21@0#0', 'start']);
    expect(steps[1]).toMatchObject({ kind: 'start', state: { up: false, hasRun: false, retries: 2 } });
    expect(p.services[0]?.servers[0]?.failed).toBe(2);
  });

  it('a new configured weight restarts a checker that had the same settings (its probe reads the weight)', () => {
    const p = plan(vs(A, rs('192.0.2.21')), vs(A, rs('192.0.2.21', undefined, 'weight 5')));
    expect(shape(p)).toEqual([['192.0.2.21 <- 0:192.0.2.21@0: restart 0:192.0.2.21@0#0']]);
    expect(p.services[0]?.servers[0]?.weight).toBe(5);
  });

  it("a dynamic weight carries over: FILE_CHECK's moves with the configured weight", () => {
    const tf = 'track_file f {\n file /run/kts-state\n weight 3\n}\n';
    const file = 'FILE_CHECK {\n track_file f\n}';
    const p = plan(
      tf + vs(A, rs('192.0.2.21', file, 'weight 2')),
      tf + vs(A, rs('192.0.2.21', file, 'weight 5')),
      {
        dynamicWeight: () => 8,
      },
    );
    const s = p.services[0]?.servers[0];
    expect(s?.checkers.map(step)).toEqual(['restart 0:192.0.2.21@0#0']);
    expect(s?.checkers[0]).toMatchObject({ kind: 'restart', dynamicWeight: 11 });
    expect(s?.weight).toBe(11);
  });

  it('a virtual server removed is stopped whole; a new one starts as at start-up (alpha down)', () => {
    const B = '192.0.2.101';
    const p = plan(
      vs(A, rs('192.0.2.21')) + vs(B, rs('192.0.2.31') + rs('192.0.2.32')),
      vs(A, rs('192.0.2.21')) +
        vs('192.0.2.102', rs('192.0.2.41', 'TCP_CHECK {\n connect_timeout 2\n alpha\n}')),
    );
    expect(p.removed.map((s) => s.vs.display)).toEqual([`[${B}]:tcp:80`]);
    expect(p.services[1]?.from).toBeNull();
    expect(p.services[1]?.servers[0]).toMatchObject({ from: null, failed: 1 });
    expect(p.report.virtualServers.removed).toEqual([`[${B}]:tcp:80`]);
    expect(p.report.virtualServers.added).toEqual(['[192.0.2.102]:tcp:80']);
    expect(p.report.checkers).toEqual({ kept: 1, restarted: 0, started: 1, stopped: 2 });
    // Real servers of a new virtual server are not counted as added ones of a kept server.
    expect(p.report.realServers).toEqual({ kept: 1, added: [], removed: [] });
  });

  it('checkers of a type the runner does not run are left out', () => {
    const old = load(vs(A, rs('192.0.2.21')));
    const p = planReload<FakeRun, FakeServer, FakeService>(
      { config: old, services: running(old) },
      load(vs(A, rs('192.0.2.21') + rs('192.0.2.22', 'PING_CHECK {\n \n}'))),
      { rules: (t) => (t === 'TCP_CHECK' ? types.get(t) : undefined), alive: (s) => s.alive },
    );
    expect(shape(p)).toEqual([
      ['192.0.2.21 <- 0:192.0.2.21@0: keep 0:192.0.2.21@0#0', '192.0.2.22 <- new: '],
    ]);
  });
});
