/**
 * `keepalived-ts reload --dry-run` against a running director (issue 17): the plan of what a
 * SIGHUP from a new file would change (an instance added, a VIP added, real servers added,
 * removed and re-weighted), nothing changed meanwhile; a file with errors exits 1 with `-t`'s
 * messages; a daemon that is not there is one clear error line.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI } from './netns.js';
import { useLab } from './use-lab.js';
import { config, instanceBlock } from './vrrp-conf.js';

const suite = useLab('rplan', 1);

const vs = (servers: readonly (readonly [string, number])[]): string =>
  [
    'virtual_server 192.0.2.100 80 {',
    '  lb_algo rr',
    '  lb_kind NAT',
    '  protocol TCP',
    ...servers.flatMap(([a, w]) => [`  real_server ${a} 8080 {`, `    weight ${w}`, '  }']),
    '}',
  ].join('\n');

describe('keepalived-ts reload --dry-run', () => {
  it('prints what a reload would change, and changes nothing', async () => {
    const lab = suite.lab();
    const host = lab.host(1);
    const running = config(
      instanceBlock({ priority: 150, version: 3, advertInt: 0.1 }),
      vs([
        ['198.51.100.11', 1],
        ['198.51.100.12', 1],
      ]),
    );
    const d = suite.track(await lab.startKts(host, running));
    await d.waitForLine(/Entering MASTER STATE/);
    const next = lab.file(
      'rplan-next.conf',
      config(
        instanceBlock({
          priority: 150,
          version: 3,
          advertInt: 0.1,
          vips: ['192.0.2.100/24', '192.0.2.101/24'],
        }),
        instanceBlock({
          name: 'VI_2',
          vrid: 52,
          priority: 100,
          version: 3,
          advertInt: 0.1,
          vips: ['192.0.2.110/24'],
        }),
        vs([
          ['198.51.100.11', 3],
          ['198.51.100.13', 1],
        ]),
        // Read at start only: the plan says so.
      ).replace('  router_id lab', '  router_id lab\n  enable_traps'),
    );
    const cli = (file: string, socket = d.controlSocket ?? '') =>
      spawnSync(
        'ip',
        [
          'netns',
          'exec',
          host.ns,
          process.execPath,
          CLI,
          'reload',
          '--dry-run',
          '-f',
          file,
          '--control-socket',
          socket,
        ],
        { encoding: 'utf8' },
      );
    const r = cli(next);
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(r.stdout.split('\n')).toEqual([
      'VRRP instances kept: VI_1',
      'VRRP instances added: VI_2',
      '  VI_1: VIPs added: 192.0.2.101/24',
      '  [192.0.2.100]:tcp:80: real servers added: 198.51.100.13:8080',
      '  [192.0.2.100]:tcp:80: real servers removed: 198.51.100.12:8080',
      '  [192.0.2.100]:tcp:80: real servers re-weighted: 198.51.100.11:8080 1 -> 3',
      'Needs a restart, not applied by a reload: SNMP settings (snmp_socket, enable_traps, enable_snmp_*)',
      '',
    ]);
    // Nothing was applied: no reload, the new VIP is nowhere.
    expect(d.lines.some((l) => l.includes('Reloading'))).toBe(false);
    expect(lab.holders('192.0.2.101')).toEqual([]);

    // A file with errors: -t's messages, exit 1, the daemon not asked.
    const bad = lab.file('rplan-bad.conf', running.replace('virtual_router_id 51', 'virtual_router_id 300'));
    const b = cli(bad);
    expect(b.status).toBe(1);
    expect(b.stderr).toContain('rplan-bad.conf: Line');
    expect(b.stderr).toContain('a reload would be refused');

    // No daemon at that socket: one error line.
    const gone = cli(next, join(lab.dir, 'absent.sock'));
    expect(gone.status).toBe(1);
    expect(gone.stderr).toMatch(/^keepalived-ts reload: cannot connect to .*absent\.sock: ENOENT/);
  });
});
