/**
 * vrrp_script rise/fall/init_fail, row by row against keepalived 2.2.7's counter
 * (vrrp_scheduler.c vrrp_init_script(), vrrp_script_child_thread()).
 */
import { describe, expect, it } from 'vitest';
import {
  newScriptState,
  scriptResult,
  scriptStatus,
  type ScriptCounterConfig,
  type ScriptStatus,
} from '../../../src/vrrp/script-state.js';

interface Row {
  readonly name: string;
  readonly cfg: ScriptCounterConfig;
  /** 'o' = exit 0, 'x' = failure. */
  readonly outcomes: string;
  /** One entry per outcome: 'U' report up, 'D' report down, '.' no report. */
  readonly reports: string;
  readonly final: ScriptStatus;
}

const cfg = (rise: number, fall: number, initFail = false): ScriptCounterConfig => ({ rise, fall, initFail });

const rows: readonly Row[] = [
  { name: 'no result yet', cfg: cfg(1, 1), outcomes: '', reports: '', final: 'init' },
  { name: 'init_fail starts down', cfg: cfg(2, 2, true), outcomes: '', reports: '', final: 'down' },
  { name: 'first success leaves init', cfg: cfg(1, 1), outcomes: 'o', reports: 'U', final: 'up' },
  { name: 'first failure leaves init', cfg: cfg(1, 1), outcomes: 'x', reports: 'D', final: 'down' },
  {
    name: 'rise 3: one success is enough at start',
    cfg: cfg(3, 2),
    outcomes: 'o',
    reports: 'U',
    final: 'up',
  },
  {
    name: 'fall 3: one failure is enough at start',
    cfg: cfg(2, 3),
    outcomes: 'x',
    reports: 'D',
    final: 'down',
  },
  { name: 'rise 1 fall 1 flapping', cfg: cfg(1, 1), outcomes: 'oxoxx', reports: 'UDUD.', final: 'down' },
  { name: 'steady success reports once', cfg: cfg(2, 2), outcomes: 'oooo', reports: 'U...', final: 'up' },
  {
    name: 'fall 3 needs 3 consecutive failures',
    cfg: cfg(1, 3),
    outcomes: 'oxxx',
    reports: 'U..D',
    final: 'down',
  },
  {
    name: 'a success resets the fall count',
    cfg: cfg(1, 3),
    outcomes: 'oxxoxxox',
    reports: 'U.......',
    final: 'up',
  },
  {
    name: 'rise 3 needs 3 consecutive successes',
    cfg: cfg(3, 1),
    outcomes: 'xooo',
    reports: 'D..U',
    final: 'up',
  },
  {
    name: 'a failure resets the rise count',
    cfg: cfg(3, 1),
    outcomes: 'xooxoooo',
    reports: 'D.....U.',
    final: 'up',
  },
  {
    name: 'init_fail: first failure is silent',
    cfg: cfg(1, 1, true),
    outcomes: 'xxo',
    reports: '..U',
    final: 'up',
  },
  { name: 'init_fail, rise 2', cfg: cfg(2, 1, true), outcomes: 'oox', reports: '.UD', final: 'down' },
  {
    name: 'init_fail, rise 3, interrupted',
    cfg: cfg(3, 2, true),
    outcomes: 'ooxooo',
    reports: '.....U',
    final: 'up',
  },
  { name: 'rise 2 fall 2 long run', cfg: cfg(2, 2), outcomes: 'oxxxooxo', reports: 'U.D..U..', final: 'up' },
];

describe('vrrp_script counter (rise/fall/init_fail)', () => {
  it.each(rows)('$name', ({ cfg: c, outcomes, reports, final }) => {
    let state = newScriptState(c);
    const got: string[] = [];
    for (const ch of outcomes) {
      const step = scriptResult(state, c, ch === 'o' ? 'ok' : 'fail');
      state = step.state;
      got.push(step.report === 'up' ? 'U' : step.report === 'down' ? 'D' : '.');
    }
    expect(got.join('')).toBe(reports);
    expect(scriptStatus(state)).toBe(final);
  });

  it("keepalived's initial result values", () => {
    expect(newScriptState(cfg(3, 2)).result).toBe(2);
    expect(newScriptState(cfg(3, 2, true)).result).toBe(0);
  });

  it('result stays within 0..rise+fall-1', () => {
    const c = cfg(2, 3);
    let state = newScriptState(c);
    for (const ch of 'ooooxxxxxxoxoxooooo') {
      state = scriptResult(state, c, ch === 'o' ? 'ok' : 'fail').state;
      expect(state.result).toBeGreaterThanOrEqual(0);
      expect(state.result).toBeLessThanOrEqual(c.rise + c.fall - 1);
      expect(state.status).toBe(state.result >= c.rise ? 'up' : 'down');
    }
  });
});
