/** The shared checker reducer: retries, delays and transitions as keepalived's epilogs decide them. */
import { describe, expect, it } from 'vitest';
import {
  initialChecker,
  verdict,
  type CheckerState,
  type VerdictTiming,
} from '../../../src/check/verdict.js';

const T: VerdictTiming = { retry: 2, delayBeforeRetryMs: 300, delayLoopMs: 5000, downDelayMs: 5000 };

/** Feed outcomes; return one line per step: transition (or -), next delay, retries. */
function run(start: CheckerState, outcomes: string, t = T): string[] {
  let s = start;
  return [...outcomes].map((o) => {
    const r = verdict(s, o === '+', t);
    s = r.state;
    const tr = r.transition
      ? `${r.transition.kind}${r.transition.kind === 'down' ? `/${r.transition.retries}` : ''}${r.transition.wasUp ? '' : ' (was down)'}`
      : '-';
    return `${o} ${tr} next=${r.nextInMs}${r.retrying ? ' retrying' : ''}`;
  });
}

describe('checker verdict (keepalived tcp_epilog/epilog)', () => {
  it('starts up: the first success confirms it; failures are retried, the last retry takes it down', () => {
    expect(run(initialChecker(false), '++---+')).toEqual([
      '+ up next=5000', // first run: keepalived logs the success and confirms the state
      '+ - next=5000',
      '- - next=300 retrying',
      '- - next=300 retrying',
      '- down/2 next=5000',
      '+ up (was down) next=5000', // one success brings it back
    ]);
  });

  it('a success in the middle of a retry run resets the retries', () => {
    expect(run(initialChecker(false), '+--+---')).toEqual([
      '+ up next=5000',
      '- - next=300 retrying',
      '- - next=300 retrying',
      '+ - next=5000',
      '- - next=300 retrying',
      '- - next=300 retrying',
      '- down/2 next=5000',
    ]);
  });

  it('while down there are no retries: one attempt per down delay (HTTP: max(delay_loop, delay_before_retry))', () => {
    const down = { up: false, hasRun: true, retries: 0 };
    expect(run(down, '--', { ...T, downDelayMs: 7000 })).toEqual(['- - next=7000', '- - next=7000']);
  });

  it('alpha starts down: a first failure is confirmed down after its retries; a first success brings it up', () => {
    expect(run(initialChecker(true), '---')).toEqual([
      '- - next=300 retrying',
      '- - next=300 retrying',
      '- down/2 (was down) next=5000',
    ]);
    expect(run(initialChecker(true), '+')).toEqual(['+ up (was down) next=5000']);
  });

  it('retry 0 (MISC_CHECK default): the first failure decides', () => {
    expect(run(initialChecker(false), '+-', { ...T, retry: 0 })).toEqual([
      '+ up next=5000',
      '- down/0 next=5000',
    ]);
  });
});
