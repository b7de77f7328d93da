/**
 * announce_table end to end with FRR 8.4 (docs/bgp.md, etc/frr/frr.conf.example): the director
 * runs keepalived-ts, zebra (`ip import-table 100`) and bgpd (`redistribute table 100` through a
 * prefix-list route map); a router in AS 64512 peers with it. The router's kernel has the VIP via
 * the director while the real server is up, loses it when the real server dies, gets it back when
 * the server returns, and loses it when keepalived-ts stops. The VIP is made local on the
 * director with a `local` route in table local (static_routes), not an address, as docs/bgp.md
 * says. FRR runs in the foreground in each namespace with its own sockets under the lab's
 * directory, so the lab's teardown stops it.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, type Daemon, type Lab, type LabHost } from './lab.js';
import { requireCommand } from './netns.js';
import { useLab } from './use-lab.js';
import { config, httpRealServer } from './vrrp-conf.js';

const BACKEND = fileURLToPath(new URL('./scripts/backend.mjs', import.meta.url));
const FRR = '/usr/lib/frr';
const VIP = '203.0.113.10';

let lab: Lab;
/** FRR's state, outside the lab's directory (mode 0700, which the frr user cannot enter). */
let frrRoot = '';
// Registered before useLab's after-hooks, so it runs after them (vitest runs them as a stack):
// once the lab, and with it FRR, is gone.
afterAll(() => {
  if (frrRoot) rmSync(frrRoot, { recursive: true, force: true });
});
const suite = useLab('afrr', 3, {
  setup: (l) => {
    lab = l;
    requireCommand(`${FRR}/bgpd`, 'install FRR (`apt-get install frr`, 8.4 on Debian 12)');
    frrRoot = mkdtempSync(join(tmpdir(), 'kts-afrr-'));
    chmodSync(frrRoot, 0o755);
  },
});

/** zebra then bgpd in `host`, in the foreground, with their sockets in the returned directory. */
async function startFrr(host: LabHost, zebra: string, bgpd: string): Promise<string> {
  const dir = join(frrRoot, `h${host.index}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'zebra.conf'), `hostname h${host.index}\n${zebra}`);
  writeFileSync(join(dir, 'bgpd.conf'), `hostname h${host.index}\n${bgpd}`);
  // The daemons drop to the frr user before they write their pid files and sockets.
  const chown = spawnSync('chown', ['-R', 'frr:frr', dir]);
  if (chown.status !== 0) throw new Error(`chown ${dir} failed`);
  for (const d of ['zebra', 'bgpd']) {
    suite.track(
      lab.start(
        host,
        [
          `${FRR}/${d}`,
          '-u',
          'frr',
          '-g',
          'frr',
          '-P',
          '0',
          '-f',
          join(dir, `${d}.conf`),
          '-i',
          join(dir, `${d}.pid`),
          '--vty_socket',
          dir,
          '-z',
          join(dir, 'zserv.api'),
        ],
        `${d}-h${host.index}`,
      ),
    );
    await eventually(`${d} on h${host.index}`, () => (existsSync(join(dir, `${d}.vty`)) ? true : undefined));
  }
  return dir;
}

const BGP_TIMERS =
  ' neighbor PEER timers 3 9\n neighbor PEER timers connect 1\n neighbor PEER advertisement-interval 0\n';

/** The router's kernel route to the VIP, '' when there is none. */
const routerRoute = (router: LabHost): string => lab.exec(router, ['ip', 'route', 'show', VIP]).trim();

async function backend(host: LabHost): Promise<Daemon> {
  const b = suite.track(lab.start(host, [process.execPath, BACKEND, 'rs', host.ip4, '8080', lab.dir], 'rs'));
  await b.waitForLine(/listening/);
  return b;
}

describe('announce_table with FRR', () => {
  it('the router has the VIP via the director exactly while its virtual server has quorum', async () => {
    const director = lab.host(1);
    const rsHost = lab.host(2);
    const router = lab.host(3);
    await startFrr(
      director,
      'ip import-table 100\n',
      [
        'ip prefix-list VIP4 seq 5 permit 203.0.113.0/24 ge 32',
        'route-map ANNOUNCE permit 10',
        ' match ip address prefix-list VIP4',
        'exit',
        'route-map NONE deny 10',
        'exit',
        'router bgp 64513',
        ` bgp router-id ${director.ip4}`,
        ` neighbor ${router.ip4} remote-as 64512`,
        BGP_TIMERS.replaceAll('PEER', router.ip4),
        ' address-family ipv4 unicast',
        '  redistribute table 100 route-map ANNOUNCE',
        `  neighbor ${router.ip4} route-map NONE in`,
        `  neighbor ${router.ip4} route-map ANNOUNCE out`,
        ' exit-address-family',
        '',
      ].join('\n'),
    );
    await startFrr(
      router,
      '',
      [
        'router bgp 64512',
        ` bgp router-id ${router.ip4}`,
        ' no bgp ebgp-requires-policy',
        ` neighbor ${director.ip4} remote-as 64513`,
        BGP_TIMERS.replaceAll('PEER', director.ip4),
        ' address-family ipv4 unicast',
        '  maximum-paths 4',
        ' exit-address-family',
        '',
      ].join('\n'),
    );
    const rs = await backend(rsHost);
    const conf = config(
      ['static_routes {', `  local ${VIP}/32 dev lo table local`, '}'].join('\n'),
      [
        `virtual_server ${VIP} 80 {`,
        '  delay_loop 1',
        '  lb_algo rr',
        '  lb_kind NAT',
        '  protocol TCP',
        '  announce_table 100',
        httpRealServer(rsHost.ip4, { warmup0: true }),
        '}',
      ].join('\n'),
    );
    const kts = suite.track(await lab.startKts(director, conf));
    const viaDirector = (): boolean => routerRoute(router).includes(`via ${director.ip4} `);
    await eventually(
      'the VIP via the director on the router',
      () => (viaDirector() ? true : undefined),
      30_000,
    );
    expect(routerRoute(router)).toMatch(
      new RegExp(`^${VIP.replaceAll('.', '\\.')} .*via ${director.ip4} .*proto bgp`),
    );

    // The real server dies: quorum lost, the route leaves table 100, BGP withdraws it.
    suite.untrack(rs);
    rs.signal('SIGKILL');
    await eventually(
      'the VIP gone from the router',
      () => (routerRoute(router) === '' ? true : undefined),
      30_000,
    );

    await backend(rsHost);
    await eventually('the VIP back on the router', () => (viaDirector() ? true : undefined), 30_000);

    // keepalived-ts stops (FRR keeps running): the route is withdrawn.
    suite.untrack(kts);
    expect(await kts.stop()).toBe(0);
    await eventually(
      'the VIP gone after the stop',
      () => (routerRoute(router) === '' ? true : undefined),
      30_000,
    );
    expect(lab.exec(director, ['ip', 'route', 'show', 'table', '100']).trim()).toBe('');
  });
});
