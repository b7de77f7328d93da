/** Persistence templates (ip_vs_core.c ip_vs_sched_persist, ip_vs_conn.c ip_vs_conn_expire). */
import { describe, expect, it } from 'vitest';
import type { Destination } from '../../../src/dispatch/model.js';
import { maskedClient, Persistence, TEMPLATE_RETRY_MS } from '../../../src/dispatch/persistence.js';
import { createScheduler } from '../../../src/dispatch/schedulers/index.js';
import { client, nameOf, service, weights } from './fixtures.js';

const TIMEOUT = 300_000;

function setup(opts: { prefix?: number; expireQuiescentTemplate?: boolean } = {}) {
  const svc = service(weights(1, 1, 1), { scheduler: 'rr', timeoutMs: TIMEOUT, prefix: opts.prefix ?? 32 });
  const rr = createScheduler('rr', []);
  rr.update(svc);
  const p = new Persistence(
    opts.expireQuiescentTemplate === undefined
      ? {}
      : { expireQuiescentTemplate: opts.expireQuiescentTemplate },
  );
  const connect = (address: string, nowMs: number) => p.schedule(svc, client(address), rr, nowMs);
  const [a, b] = svc.dests as [Destination, Destination, Destination];
  return { svc, rr, p, connect, a, b };
}

describe('Persistence', () => {
  it('sends a client network back to its first destination', () => {
    const { connect, a } = setup({ prefix: 24 });
    expect(nameOf(connect('192.0.2.1', 0)?.dest)).toBe('A');
    expect(nameOf(connect('192.0.2.200', 1)?.dest)).toBe('A'); // same /24; rr alone would give B
    expect(nameOf(connect('198.51.100.1', 2)?.dest)).toBe('B'); // another network: the scheduler
    expect(nameOf(connect('192.0.2.7', 3)?.dest)).toBe('A');
    expect(a.persistConns).toBe(1);
  });

  it.each([
    { name: 'IPv4 /24', address: '192.0.2.77', prefix: 24, want: '192.0.2.0' },
    { name: 'IPv4 /32', address: '192.0.2.77', prefix: 32, want: '192.0.2.77' },
    { name: 'IPv4 /20', address: '192.0.31.77', prefix: 20, want: '192.0.16.0' },
    { name: 'IPv4-mapped counts as IPv4', address: '::ffff:192.0.2.77', prefix: 24, want: '192.0.2.0' },
    { name: 'IPv6 /64', address: '2001:db8:1:2:3:4:5:6', prefix: 64, want: '2001:db8:1:2::' },
  ])('masks the client: $name', ({ address, prefix, want }) => {
    expect(maskedClient(service([], { prefix }), client(address))).toBe(want);
  });

  it('a template is freed when its timer fires with no connection left', () => {
    const { p, connect, a, svc } = setup();
    const h = connect('192.0.2.1', 0);
    expect(h).not.toBeNull();
    p.release(h!, 10_000);
    p.expire(TIMEOUT - 1);
    expect(p.lookup(svc, client('192.0.2.1'), TIMEOUT - 1)).toBe(a);
    p.expire(TIMEOUT);
    expect(p.size).toBe(0);
    expect(a.persistConns).toBe(0);
    expect(nameOf(connect('192.0.2.1', TIMEOUT)?.dest)).toBe('B'); // rr goes on
  });

  it('each new connection restarts the timer', () => {
    const { p, connect, svc } = setup();
    p.release(connect('192.0.2.1', 0)!, 1);
    p.release(connect('192.0.2.1', 200_000)!, 200_001);
    p.expire(TIMEOUT + 1);
    expect(nameOf(p.lookup(svc, client('192.0.2.1'), 499_999))).toBe('A');
    p.expire(500_000);
    expect(p.size).toBe(0);
  });

  it('open connections postpone the expiry by 60 s at a time, and the timeout becomes 60 s', () => {
    const { p, connect, a } = setup();
    const h = connect('192.0.2.1', 0)!;
    p.expire(TIMEOUT); // fires with one connection: again at 360 s
    expect(p.templates()).toMatchObject([
      { controlled: 1, timeoutMs: TEMPLATE_RETRY_MS, expiresAtMs: 360_000 },
    ]);
    p.release(h, 310_000);
    const again = connect('192.0.2.1', 320_000)!; // through the template: now + 60 s
    expect(again.dest).toBe(a);
    expect(p.templates()).toMatchObject([{ controlled: 1, expiresAtMs: 380_000 }]);
    p.release(again, 330_000);
    p.expire(379_999);
    expect(p.size).toBe(1);
    p.expire(380_000);
    expect(p.size).toBe(0);
  });

  it('a quiesced destination (weight 0) keeps its persistent clients', () => {
    const { connect, a } = setup();
    connect('192.0.2.1', 0);
    a.weight = 0;
    expect(connect('192.0.2.1', 1)?.dest).toBe(a);
    expect(connect('198.51.100.1', 2)?.dest).not.toBe(a); // new clients do not go there
  });

  it('an overloaded destination keeps its persistent clients', () => {
    const { connect, a } = setup();
    connect('192.0.2.1', 0);
    a.overloaded = true;
    expect(connect('192.0.2.1', 1)?.dest).toBe(a);
  });

  it('with expire_quiescent_template, weight 0 sends the client to the scheduler; the old template still counts', () => {
    const { p, connect, a, b } = setup({ expireQuiescentTemplate: true });
    p.release(connect('192.0.2.1', 0)!, 1);
    a.weight = 0;
    expect(connect('192.0.2.1', 10)?.dest).toBe(b);
    expect(a.persistConns).toBe(1); // unhashed, alive until its timer
    expect(b.persistConns).toBe(1);
    p.expire(TIMEOUT);
    expect(a.persistConns).toBe(0);
    expect(p.size).toBe(1);
  });

  it('a removed destination: its templates are not used, and destRemoved drops them', () => {
    const { svc, rr, p, connect, a } = setup();
    connect('192.0.2.1', 0);
    svc.dests.splice(0, 1);
    rr.update(svc);
    expect(p.lookup(svc, client('192.0.2.1'), 1)).toBeNull(); // ip_vs_check_template
    p.destRemoved(a);
    expect(a.persistConns).toBe(0);
    expect(p.size).toBe(0);
    expect(connect('192.0.2.1', 2)?.dest).not.toBe(a);
  });

  it('no destination from the scheduler: no template', () => {
    const { svc, p, connect } = setup();
    for (const d of svc.dests) d.weight = 0;
    expect(connect('192.0.2.1', 0)).toBeNull();
    expect(p.size).toBe(0);
  });

  it('services do not share templates', () => {
    const { p, rr, connect } = setup();
    connect('192.0.2.1', 0); // A on port 80
    const other = service(weights(1, 1), { timeoutMs: TIMEOUT, vip: '10.0.0.200' });
    expect(p.lookup(other, client('192.0.2.1'), 1)).toBeNull();
    expect(p.schedule(other, client('192.0.2.1'), rr, 1)).not.toBeNull();
    expect(p.size).toBe(2);
  });
});
