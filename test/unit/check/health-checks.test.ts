/**
 * The checker runner on a fake clock with a scripted probe: when attempts happen (bootstrap,
 * warmup, delay_loop, delay_before_retry), when a dead server leaves the table, ha_suspend, a
 * probe that throws, and shutdown. The real probes are tested against real servers in
 * test/adapters.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { HealthChecks } from '../../../src/check/health-checks.js';
import type { CheckerType } from '../../../src/check/checker-type.js';
import { erase } from '../../../src/check/checker-types.js';
import type { ProbeOutcome } from '../../../src/check/probe.js';
import { tcpCheck } from '../../../src/check/probes/tcp.js';
import { MemoryTable } from '../../../src/check/table.js';
import { loadText } from '../../helpers/config.js';
import { FakeClock } from '../../fakes/fake-clock.js';
import { runTimersTo } from '../../fakes/settle.js';

const CONF = (extra = ''): string => `
virtual_server 192.0.2.100 80 {
  protocol TCP
  lb_algo rr
  lb_kind NAT
  delay_loop 10
  ${extra}
  real_server 192.0.2.21 80 {
    TCP_CHECK {
      connect_timeout 2
      retry 2
      delay_before_retry 1
      warmup 0
    }
  }
  real_server 192.0.2.22 80 {
    TCP_CHECK {
      connect_timeout 2
      warmup 4
    }
  }
}
`;

function harness(conf: string, opts: { local?: string[] } = {}) {
  const fake = new FakeClock();
  const clock = fake.asClock();
  const attempts: string[] = [];
  const healthy = new Map<string, boolean | 'throw'>();
  // TCP_CHECK's own definition (timing, texts, compare) with a scripted probe.
  const type: CheckerType = {
    ...erase(tcpCheck),
    create: (_c, target) => ({
      attempt: (): Promise<ProbeOutcome> => {
        attempts.push(`${fake.now} ${target.rs.address}`);
        const h = healthy.get(target.rs.address) ?? true;
        if (h === 'throw') throw new Error('probe bug');
        return Promise.resolve(
          h
            ? { ok: true }
            : { ok: false, reason: 'refused', detail: `TCP connection to ${target.display} failed.` },
        );
      },
      close: () => undefined,
    }),
  };
  const logs: { msg: string; event?: string }[] = [];
  const log = pino({ level: 'debug' }, { write: (l: string) => logs.push(JSON.parse(l) as { msg: string }) });
  const table = new MemoryTable();
  const lines: string[] = [];
  const loaded = loadText(conf);
  const checks = new HealthChecks(loaded.config, {
    clock,
    log,
    table,
    notifier: {
      checkerScript: (s) => lines.push(`script ${s.command}`),
      checkerLine: (l) => lines.push(l),
      realServerAlert: (rs, vs, alive, body) =>
        lines.push(`mail ${rs} ${vs} ${alive ? 'UP' : 'DOWN'} ${body}`),
      quorumAlert: (vs, up, body) => lines.push(`vs-mail ${vs} ${up ? 'UP' : 'DOWN'} ${body}`),
      serviceChanged: (vs, rs) => lines.push(`changed ${vs} ${rs ?? 'quorum'}`),
    },
    types: new Map([['TCP_CHECK', type]]),
    trackFileValue: () => undefined,
    localAddresses: new Set(opts.local ?? []),
    random: () => 0.5,
  });
  /** Run timers up to `t`, letting each attempt finish before the next timer. */
  const runTo = async (t: number): Promise<void> => {
    await runTimersTo(fake, t);
  };
  const inTable = (): string[] =>
    table.entries('[192.0.2.100]:tcp:80').map((e) => `${e.address}:${e.weight}`);
  return { checks, attempts, healthy, logs, lines, runTo, inTable };
}

/** .21 fails from 1.5 s (down by 14 s: three attempts) and answers again from 14 s (up by 24 s). */
async function downAndUp(h: ReturnType<typeof harness>): Promise<void> {
  h.checks.start();
  await h.runTo(1500);
  h.healthy.set('192.0.2.21', false);
  await h.runTo(14_000);
  h.healthy.set('192.0.2.21', true);
  await h.runTo(24_000);
}

describe('HealthChecks (fake clock, scripted probe)', () => {
  it('smtp_alert: a mail for each verdict change, saying whether the real server is up (keepalived check_tcp.c)', async () => {
    const h = harness(CONF('smtp_alert'));
    await downAndUp(h);
    expect(h.lines.filter((l) => l.startsWith('mail '))).toEqual([
      'mail [192.0.2.21]:tcp:80 [192.0.2.100]:tcp:80 DOWN => TCP CHECK failed on service <=',
      'mail [192.0.2.21]:tcp:80 [192.0.2.100]:tcp:80 UP => TCP CHECK succeed on service <=',
    ]);
    // Without smtp_alert: none.
    const quiet = harness(CONF());
    quiet.checks.start();
    await quiet.runTo(1500);
    quiet.healthy.set('192.0.2.21', false);
    await quiet.runTo(14_000);
    expect(quiet.lines.filter((l) => l.startsWith('mail '))).toEqual([]);
  });

  it('smtp_alert on the virtual server: a mail for each quorum change (ipwrapper.c), and every change for SNMP', async () => {
    const h = harness(CONF('smtp_alert\n  quorum 2'));
    await downAndUp(h);
    expect(h.lines.filter((l) => l.startsWith('vs-mail '))).toEqual([
      'vs-mail [192.0.2.100]:tcp:80 DOWN => Lost quorum 2+0=2 <= 1 <=',
      'vs-mail [192.0.2.100]:tcp:80 UP => Gained quorum 2+0=2 <= 2 <=',
    ]);
    expect(h.lines.filter((l) => l.startsWith('changed '))).toEqual([
      'changed [192.0.2.100]:tcp:80 [192.0.2.21]:tcp:80',
      'changed [192.0.2.100]:tcp:80 quorum',
      'changed [192.0.2.100]:tcp:80 [192.0.2.21]:tcp:80',
      'changed [192.0.2.100]:tcp:80 quorum',
    ]);
  });

  it('no_checker_emails: a checker’s change is mailed only when it takes the real server up or down', async () => {
    const two = (global: string): string =>
      `global_defs {\n ${global}\n}\n` +
      CONF('smtp_alert').replace(
        '    TCP_CHECK {\n      connect_timeout 2\n      retry 2',
        '    TCP_CHECK {\n      connect_timeout 2\n      connect_port 81\n      retry 0\n    }\n    TCP_CHECK {\n      connect_timeout 2\n      retry 2',
      );
    const mails = async (global: string): Promise<string[]> => {
      const h = harness(two(global));
      h.checks.start();
      await h.runTo(1500);
      h.healthy.set('192.0.2.21', false);
      await h.runTo(14_000);
      return h.lines.filter((l) => l.startsWith('mail [192.0.2.21]'));
    };
    // Two checkers fail: the first takes the server down, the second changes nothing more.
    expect(await mails('router_id r1')).toHaveLength(2);
    expect(await mails('no_checker_emails')).toEqual([
      'mail [192.0.2.21]:tcp:80 [192.0.2.100]:tcp:80 DOWN => TCP CHECK failed on service <=',
    ]);
  });

  it('first attempt after the 1 s bootstrap plus random warmup; then every delay_loop', async () => {
    const h = harness(CONF());
    h.checks.start();
    expect(h.inTable()).toEqual(['192.0.2.21:1', '192.0.2.22:1']);
    await h.runTo(25_000);
    // .21: warmup 0 → 1 s; .22: warmup 4 s × 0.5 → 3 s; then every 10 s.
    expect(h.attempts).toEqual([
      '1000 192.0.2.21',
      '3000 192.0.2.22',
      '11000 192.0.2.21',
      '13000 192.0.2.22',
      '21000 192.0.2.21',
      '23000 192.0.2.22',
    ]);
    expect(h.logs.filter((l) => l.event === 'check.activate').map((l) => l.msg)).toEqual([
      'Activating healthchecker for service [192.0.2.21]:tcp:80 for VS [192.0.2.100]:tcp:80',
      'Activating healthchecker for service [192.0.2.22]:tcp:80 for VS [192.0.2.100]:tcp:80',
    ]);
  });

  it('a dead server is removed after its retries, delay_before_retry apart, and re-added on success', async () => {
    const h = harness(CONF());
    h.checks.start();
    await h.runTo(1500);
    h.healthy.set('192.0.2.21', false);
    await h.runTo(14_000);
    expect(h.attempts.filter((a) => a.endsWith('.21'))).toEqual([
      '1000 192.0.2.21',
      '11000 192.0.2.21', // fails: retry 1 of 2
      '12000 192.0.2.21', // retry 2
      '13000 192.0.2.21', // the last: down
    ]);
    expect(h.inTable()).toEqual(['192.0.2.22:1']);
    const down = h.logs
      .filter((l) => l.event === 'check.down' || l.event === 'check.rs.down')
      .map((l) => l.msg);
    expect(down).toEqual([
      'TCP_CHECK on service [192.0.2.21]:tcp:80 failed after 2 retries.',
      'Removing service [192.0.2.21]:tcp:80 from VS [192.0.2.100]:tcp:80',
    ]);
    expect(h.lines).toContain('RS [192.0.2.21]:tcp:80 [192.0.2.100]:tcp:80 DOWN');
    h.healthy.set('192.0.2.21', true);
    await h.runTo(23_500); // down: next attempt one delay_loop later, at 23 s
    expect(h.inTable()).toEqual(['192.0.2.22:1', '192.0.2.21:1']);
    expect(
      h.logs.some((l) => l.msg === 'Adding service [192.0.2.21]:tcp:80 to VS [192.0.2.100]:tcp:80'),
    ).toBe(true);
  });

  it('a probe that throws is a failed attempt, not a crash', async () => {
    const h = harness(CONF());
    h.checks.start();
    h.healthy.set('192.0.2.21', 'throw');
    await h.runTo(3500);
    expect(h.checks.status()[0]?.realServers[0]?.checkers[0]?.last).toBe(
      'error: internal error: Error: probe bug',
    );
  });

  it('ha_suspend: no checks while the virtual address is elsewhere; they start when it arrives', async () => {
    const h = harness(CONF('ha_suspend'));
    h.checks.start();
    await h.runTo(30_000);
    expect(h.attempts).toEqual([]);
    expect(h.logs.filter((l) => l.event === 'check.activate')[0]?.msg).toBe(
      'Deactivating healthchecker for service [192.0.2.21]:tcp:80 for VS [192.0.2.100]:tcp:80',
    );
    h.checks.addressChanged('192.0.2.100', true);
    await h.runTo(30_001);
    expect(h.attempts).toEqual(['30000 192.0.2.21', '30000 192.0.2.22']);
    h.checks.addressChanged('192.0.2.100', false);
    await h.runTo(60_000);
    expect(h.attempts.length).toBe(2);
  });

  it('stop clears the table and no attempt follows', async () => {
    const h = harness(CONF());
    h.checks.start();
    await h.runTo(5000);
    h.checks.stop();
    const n = h.attempts.length;
    await h.runTo(60_000);
    expect(h.attempts.length).toBe(n);
    expect(h.inTable()).toEqual([]);
  });
});
