/**
 * The pending-listener logic with an injected listen step (no sockets): a VIP that is not here
 * yet is retried every period and at once on retryNow(), each failure code is reported once.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RetryingListener, type ListenerReport } from '../../../src/dispatch/listener.js';

const errno = (code: string): NodeJS.ErrnoException => Object.assign(new Error(`listen ${code}`), { code });

describe('RetryingListener', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A listen step that fails with the queued codes, then succeeds. */
  function scripted(codes: string[]): { open: () => Promise<void>; calls: () => number } {
    let calls = 0;
    return {
      open: () => {
        calls++;
        const code = codes.shift();
        return code === undefined ? Promise.resolve() : Promise.reject(errno(code));
      },
      calls: () => calls,
    };
  }

  it('retries every period, reports EADDRNOTAVAIL once, then listening', async () => {
    const step = scripted(['EADDRNOTAVAIL', 'EADDRNOTAVAIL', 'EADDRNOTAVAIL']);
    const reports: ListenerReport[] = [];
    const l = new RetryingListener(step.open, (r) => reports.push(r), 1000);
    l.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(reports).toEqual([{ kind: 'failed', code: 'EADDRNOTAVAIL', message: 'listen EADDRNOTAVAIL' }]);
    await vi.advanceTimersByTimeAsync(1999);
    expect(step.calls()).toBe(2);
    await vi.advanceTimersByTimeAsync(1001);
    expect(step.calls()).toBe(4);
    expect(l.listening).toBe(true);
    expect(reports.map((r) => r.kind)).toEqual(['failed', 'listening']);
  });

  it('retryNow() tries at once instead of waiting for the period', async () => {
    const step = scripted(['EADDRNOTAVAIL']);
    const l = new RetryingListener(step.open, () => {}, 1000);
    l.start();
    await vi.advanceTimersByTimeAsync(10);
    l.retryNow();
    await vi.advanceTimersByTimeAsync(0);
    expect(step.calls()).toBe(2);
    expect(l.listening).toBe(true);
    await vi.advanceTimersByTimeAsync(5000);
    expect(step.calls()).toBe(2); // no stray timer left
  });

  it('a new failure code is reported again', async () => {
    const step = scripted(['EADDRNOTAVAIL', 'EADDRINUSE', 'EADDRINUSE']);
    const reports: ListenerReport[] = [];
    const l = new RetryingListener(step.open, (r) => reports.push(r), 100);
    l.start();
    await vi.advanceTimersByTimeAsync(500);
    expect(reports.map((r) => (r.kind === 'failed' ? r.code : r.kind))).toEqual([
      'EADDRNOTAVAIL',
      'EADDRINUSE',
      'listening',
    ]);
  });

  it('stop() ends the retries, and a listen completing after stop() is not reported', async () => {
    let finish!: () => void;
    const reports: ListenerReport[] = [];
    const l = new RetryingListener(
      () => new Promise<void>((r) => (finish = r)),
      (r) => reports.push(r),
      100,
    );
    l.start();
    l.stop();
    finish();
    await vi.advanceTimersByTimeAsync(1000);
    expect(reports).toEqual([]);
    expect(l.listening).toBe(false);
  });
});
