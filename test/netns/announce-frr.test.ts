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
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { directorBgpd, Frr, labTimers } from './frr.js';
import { eventually, type Daemon, type Lab, type LabHost } from './lab.js';
import { useLab } from './use-lab.js';
import { announcedHttpService, config } from './vrrp-conf.js';

const BACKEND = fileURLToPath(new URL('./scripts/backend.mjs', import.meta.url));
const VIP = '203.0.113.10';

let lab: Lab;
const frr = new Frr(
  () => lab,
  (d) => suite.track(d),
);
// Registered before useLab's after-hooks, so it runs after them (vitest runs them as a stack):
// once the lab, and with it FRR, is gone.
afterAll(() => frr.cleanup());
const suite = useLab('afrr', 3, {
  setup: (l) => {
    lab = l;
    frr.prepare();
  },
});

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
    await frr.start(director, {
      zebra: 'ip import-table 100\n',
      bgpd: directorBgpd(director, router, 100, false),
    });
    await frr.start(router, {
      zebra: '',
      bgpd: [
        'router bgp 64512',
        ` bgp router-id ${router.ip4}`,
        ' no bgp ebgp-requires-policy',
        ` neighbor ${director.ip4} remote-as 64513`,
        labTimers(director.ip4),
        ' address-family ipv4 unicast',
        '  maximum-paths 4',
        ' exit-address-family',
        '',
      ].join('\n'),
    });
    const rs = await backend(rsHost);
    const conf = config(
      ['static_routes {', `  local ${VIP}/32 dev lo table local scope host`, '}'].join('\n'),
      announcedHttpService(VIP, [rsHost.ip4]),
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
