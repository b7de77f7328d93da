/**
 * virtual_routes and virtual_rules follow the VIPs (keepalived vrrp_handle_iproutes(),
 * vrrp_handle_iprules()): added when an instance becomes MASTER, removed when it leaves MASTER or
 * stops; static_ipaddress, static_routes and static_rules are there from start-up to stop
 * (keepalived start_vrrp()/stop_vrrp()). Checked with iproute2 in each director's namespace.
 */
import { describe, expect, it } from 'vitest';
import { eventually, type Lab } from './lab.js';
import { useLab } from './use-lab.js';
import { config, instanceBlock } from './vrrp-conf.js';

let lab: Lab;
const suite = useLab('rt', 2, { setup: (l) => (lab = l) });

const STATIC = [
  'static_ipaddress {',
  '  198.51.100.5/32 dev eth0',
  '}',
  'static_routes {',
  '  203.0.113.0/24 via 192.0.2.254 dev eth0 table 200',
  '}',
  'static_rules {',
  '  from 203.0.113.5 table 200 priority 200',
  '}',
].join('\n');

const conf = (priority: number): string =>
  config(
    STATIC,
    instanceBlock({
      priority,
      extra: [
        'virtual_routes {',
        '  198.51.100.0/24 via 192.0.2.254 dev eth0 table 100 metric 7',
        '  blackhole 203.0.113.128/25 table 100',
        '}',
        'virtual_rules {',
        '  from 192.0.2.100 table 100 priority 100',
        '}',
      ],
    }),
  );

/** iproute2's view; a table that does not exist (nothing in it yet, or any more) shows as empty. */
const show = (host: number, what: string[]): string => {
  try {
    return lab.exec(lab.host(host), ['ip', ...what]);
  } catch (err) {
    if (/table does not exist/.test((err as Error).message)) return '';
    throw err;
  }
};
const vrouted = (host: number): boolean =>
  show(host, ['route', 'show', 'table', '100']).includes('198.51.100.0/24');
const vruled = (host: number): boolean =>
  show(host, ['rule', 'show']).includes('from 192.0.2.100 lookup 100');

describe('routes and rules', () => {
  it('virtual ones follow MASTER; static ones live from start to stop', async () => {
    const h1 = suite.track(await lab.startKts(lab.host(1), conf(150)));
    await h1.waitForLine(/Entering MASTER STATE/);
    await eventually('the virtual route and rule on h1', () => (vrouted(1) && vruled(1) ? true : undefined));
    // Protocol 18 is keepalived's (iproute2 names it).
    expect(
      new Set(
        show(1, ['route', 'show', 'table', '100'])
          .trim()
          .split('\n')
          .map((l) => l.trim()),
      ),
    ).toEqual(
      new Set([
        '198.51.100.0/24 via 192.0.2.254 dev eth0 proto keepalived metric 7',
        'blackhole 203.0.113.128/25 proto keepalived',
      ]),
    );
    expect(show(1, ['rule', 'show'])).toContain('100:\tfrom 192.0.2.100 lookup 100');
    // Static entries: from start-up on, on both directors.
    const h2 = suite.track(await lab.startKts(lab.host(2), conf(100)));
    await h2.waitForLine(/Entering BACKUP STATE/);
    for (const h of [1, 2]) {
      expect(show(h, ['addr', 'show', 'dev', 'eth0'])).toContain('198.51.100.5/32');
      expect(show(h, ['route', 'show', 'table', '200'])).toContain(
        '203.0.113.0/24 via 192.0.2.254 dev eth0 proto keepalived',
      );
      expect(show(h, ['rule', 'show'])).toContain('200:\tfrom 203.0.113.5 lookup 200');
    }
    expect(vrouted(2) || vruled(2)).toBe(false);

    // The master stops: its virtual and static entries go; the backup takes over with the virtual ones.
    suite.untrack(h1);
    expect(await h1.stop()).toBe(0);
    expect(vrouted(1) || vruled(1)).toBe(false);
    expect(show(1, ['route', 'show', 'table', '200'])).toBe('');
    expect(show(1, ['rule', 'show'])).not.toContain('lookup 200');
    expect(show(1, ['addr', 'show', 'dev', 'eth0'])).not.toContain('198.51.100.5');
    await h2.waitForLine(/Entering MASTER STATE/);
    await eventually('the virtual route and rule on h2', () => (vrouted(2) && vruled(2) ? true : undefined));
  });
});
