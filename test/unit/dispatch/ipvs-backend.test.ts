/**
 * IpvsTable (src/dispatch/ipvs-backend.ts) on a fake kernel: how the checkers' set()/remove(),
 * start, reload and stop become IPVS commands, batched per turn of the event loop, and how
 * failures are tolerated and logged as keepalived 2.2.7 does (check/ipvswrapper.c ipvs_talk():
 * EEXIST on ADD/ADDDEST and ENOENT on DEL/DELDEST count as done but are logged; a failed
 * EDITDEST with ENOENT is retried as ADDDEST; libipvs restores the kernel's original timeouts
 * on stop, ipvs_stop() -> ipvs_set_timeout(NULL)).
 *
 * The fake kernel keeps a table and answers like net/netfilter/ipvs/ip_vs_ctl.c: EEXIST for a
 * service or destination that exists, ESRCH for a missing service, ENOENT for a missing
 * destination; its errors are shaped like the real adapter's (KaError with a NetlinkErrno cause).
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { Destination } from '../../../src/check/table.js';
import type { Config, VirtualServer } from '../../../src/config/model.js';
import { IpvsTable, type IpvsConfig } from '../../../src/dispatch/ipvs-backend.js';
import { serviceId } from '../../../src/dispatch/ipvs-model.js';
import { KaError } from '../../../src/lib/errors.js';
import { describeChange, type Ipvs, type IpvsChange } from '../../../src/net/ipvs.js';
import type {
  IpvsDest,
  IpvsDestEntry,
  IpvsService,
  IpvsServiceEntry,
  IpvsServiceKey,
  IpvsTimeouts,
} from '../../../src/net/ipvs-netlink.js';
import { netlinkError } from '../../../src/net/netlink-socket.js';
import { brief, loadText } from '../../helpers/config.js';

const ENOENT = 2;
const ESRCH = 3;
const EEXIST = 17;
const EINVAL = 22;

const ZERO_STATS = {
  conns: 0,
  inPkts: 0,
  outPkts: 0,
  inBytes: 0,
  outBytes: 0,
  cps: 0,
  inPps: 0,
  outPps: 0,
  inBps: 0,
  outBps: 0,
};

const dkey = (d: { address: string; port: number }): string => `${d.address}|${d.port}`;

/** The kernel's IPVS table, as ip_vs_ctl.c answers changes to it. */
class FakeKernel implements Ipvs {
  readonly table = new Map<string, { service: IpvsService; dests: Map<string, IpvsDest> }>();
  /** Every apply() call, with its changes. */
  readonly batches: IpvsChange[][] = [];
  timeoutsNow: IpvsTimeouts = { tcp: 900, tcpFin: 120, udp: 300 };
  timeoutReads = 0;
  closed = false;
  /** An errno (or an Error) to fail a change with before the table is consulted. */
  fail: (c: IpvsChange) => number | Error | null = () => null;

  async apply(changes: readonly IpvsChange[]): Promise<(Error | null)[]> {
    this.batches.push([...changes]);
    await Promise.resolve();
    return changes.map((c) => {
      const forced = this.fail(c);
      if (forced instanceof Error) return forced;
      const errno = forced ?? this.change(c);
      // what LinuxIpvs resolves with: NetlinkSocket's KaError, errno and code on its cause
      return errno === 0 ? null : netlinkError(describeChange(c), errno, null);
    });
  }

  private change(c: IpvsChange): number {
    const svc = (key: IpvsServiceKey) => this.table.get(serviceId(key));
    switch (c.op) {
      case 'flush':
        this.table.clear();
        return 0;
      case 'add-service':
        if (svc(c.service.key)) return EEXIST;
        this.table.set(serviceId(c.service.key), { service: c.service, dests: new Map() });
        return 0;
      case 'edit-service': {
        const s = svc(c.service.key);
        if (!s) return ESRCH;
        s.service = c.service;
        return 0;
      }
      case 'del-service':
        return this.table.delete(serviceId(c.key)) ? 0 : ESRCH;
      case 'add-dest':
      case 'edit-dest':
      case 'del-dest': {
        const s = svc(c.key);
        if (!s) return ESRCH;
        const present = s.dests.has(dkey(c.dest));
        if (c.op === 'add-dest' && present) return EEXIST;
        if (c.op !== 'add-dest' && !present) return ENOENT;
        if (c.op === 'del-dest') s.dests.delete(dkey(c.dest));
        else s.dests.set(dkey(c.dest), c.dest);
        return 0;
      }
      case 'set-timeouts': {
        // ip_vs_set_timeout(): 0 leaves a timeout as it is
        const t = c.timeouts;
        this.timeoutsNow = {
          tcp: t.tcp || this.timeoutsNow.tcp,
          tcpFin: t.tcpFin || this.timeoutsNow.tcpFin,
          udp: t.udp || this.timeoutsNow.udp,
        };
        return 0;
      }
      case 'start-daemon':
      case 'stop-daemon':
        return 0;
    }
  }

  async services(): Promise<IpvsServiceEntry[]> {
    await Promise.resolve();
    return [...this.table.values()].map((s) => ({ ...s.service, stats: ZERO_STATS }));
  }
  async dests(key: IpvsServiceKey): Promise<IpvsDestEntry[]> {
    await Promise.resolve();
    return [...(this.table.get(serviceId(key))?.dests.values() ?? [])].map((d) => ({
      ...d,
      family: d.address.includes(':') ? 'inet6' : 'inet',
      activeConns: 0,
      inactConns: 0,
      persistConns: 0,
      stats: ZERO_STATS,
    }));
  }
  async timeouts(): Promise<IpvsTimeouts> {
    await Promise.resolve();
    this.timeoutReads++;
    return { ...this.timeoutsNow };
  }
  daemons(): Promise<{ state: 'master' | 'backup'; ifname: string; syncId: number }[]> {
    return Promise.resolve([]);
  }
  info(): Promise<{ version: number; connTabSize: number }> {
    return Promise.resolve({ version: 0x010201, connTabSize: 4096 });
  }
  close(): void {
    this.closed = true;
  }

  /** Every change sent so far, as `op what` lines. */
  sent(): string[] {
    return this.batches.flat().map(line);
  }
  /** The kernel's services, by id. */
  serviceIds(): string[] {
    return [...this.table.keys()];
  }
  destsOf(id: string): IpvsDest[] {
    return [...(this.table.get(id)?.dests.values() ?? [])];
  }
}

/** A change as one short line: `add-dest TCP/inet/192.0.2.1/80 192.0.2.21:8080 NAT w1`. */
function line(c: IpvsChange): string {
  switch (c.op) {
    case 'add-service':
    case 'edit-service':
      return `${c.op} ${serviceId(c.service.key)} ${c.service.scheduler}`;
    case 'del-service':
      return `${c.op} ${serviceId(c.key)}`;
    case 'add-dest':
    case 'edit-dest':
    case 'del-dest':
      return `${c.op} ${serviceId(c.key)} ${c.dest.address}:${c.dest.port}${
        c.op === 'del-dest' ? '' : ` ${c.dest.forward} w${c.dest.weight}`
      }`;
    case 'set-timeouts':
      return `${c.op} ${c.timeouts.tcp}/${c.timeouts.tcpFin}/${c.timeouts.udp}`;
    case 'flush':
      return 'flush';
    case 'start-daemon':
    case 'stop-daemon':
      return c.op;
  }
}

function load(text: string): Config {
  const r = loadText(text);
  expect(brief(r.diagnostics.filter((d) => d.severity === 'error' || d.severity === 'fatal'))).toEqual([]);
  return r.config;
}
const ipvsConfig = (c: Config): IpvsConfig => ({
  servers: c.virtualServers,
  groups: c.virtualServerGroups,
  global: c.globalDefs,
});

const WEB = [
  'virtual_server 192.0.2.1 80 {',
  ' protocol TCP',
  ' lb_algo rr',
  ' lb_kind NAT',
  ' real_server 192.0.2.21 8080 {',
  ' }',
  ' real_server 192.0.2.22 8080 {',
  ' }',
  '}',
  '',
].join('\n');
const GROUPED = [
  'virtual_server_group G {',
  ' 198.51.100.1-2 443',
  ' fwmark 5',
  '}',
  'virtual_server group G {',
  ' protocol TCP',
  ' lb_algo wlc',
  ' lb_kind DR',
  ' real_server 192.0.2.31 443 {',
  ' }',
  '}',
  '',
].join('\n');

interface Log {
  msg: string;
  event?: string;
  command?: string;
  errno?: number | null;
}

function setup(text: string, kernel = new FakeKernel()) {
  const config = load(text);
  const logs: Log[] = [];
  const log = pino({ level: 'debug' }, { write: (l: string) => logs.push(JSON.parse(l) as Log) });
  const table = new IpvsTable(ipvsConfig(config), kernel, log);
  const vs = (display: string): VirtualServer => {
    const v = config.virtualServers.find((x) => x.display === display);
    expect(v, display).toBeDefined();
    return v as VirtualServer;
  };
  const errorLines = (): string[] => logs.filter((l) => l.event === 'ipvs.error').map((l) => l.msg);
  return { config, kernel, table, logs, vs, errorLines };
}

const real = (address: string, port: number): Destination => ({ address, port, sorry: false });
const WEB_ID = 'TCP/inet/192.0.2.1/80';

describe('IpvsTable start', () => {
  it('adds every service, group members expanded, in one apply() batch', async () => {
    const h = setup(WEB + GROUPED);
    await h.table.start();
    expect(h.kernel.batches).toHaveLength(1);
    expect(h.kernel.sent()).toEqual([
      `add-service ${WEB_ID} rr`,
      'add-service TCP/inet/198.51.100.1/443 wlc',
      'add-service TCP/inet/198.51.100.2/443 wlc',
      'add-service fwm/inet/5 wlc',
    ]);
    expect(h.table.messages).toBe(4);
    expect(h.table.errors.size).toBe(0);
    expect(h.errorLines()).toEqual([]);
  });

  it('lvs_flush: a flush goes before anything else', async () => {
    const k = new FakeKernel();
    k.table.set('TCP/inet/203.0.113.9/25', {
      service: {
        key: { kind: 'address', family: 'inet', protocol: 'TCP', address: '203.0.113.9', port: 25 },
        scheduler: 'rr',
        flags: 0,
        timeout: 0,
        prefix: 32,
        pe: null,
      },
      dests: new Map(),
    });
    const h = setup(`global_defs {\n lvs_flush\n}\n${WEB}`, k);
    await h.table.start();
    expect(h.kernel.sent()).toEqual(['flush', `add-service ${WEB_ID} rr`]);
    expect(h.kernel.serviceIds()).toEqual([WEB_ID]);
  });

  it('lvs_timeouts: the kernel’s timeouts read once, the unset ones sent as they were', async () => {
    const h = setup(`global_defs {\n lvs_timeouts tcp 7200 udp 50\n}\n${WEB}`);
    await h.table.start();
    expect(h.kernel.timeoutReads).toBe(1);
    expect(h.kernel.sent()).toEqual(['set-timeouts 7200/120/50', `add-service ${WEB_ID} rr`]);
    expect(h.kernel.timeoutsNow).toEqual({ tcp: 7200, tcpFin: 120, udp: 50 });
  });

  it('without lvs_timeouts the kernel’s timeouts are neither read nor set', async () => {
    const h = setup(WEB);
    await h.table.start();
    await h.table.stop(false);
    expect(h.kernel.timeoutReads).toBe(0);
    expect(h.kernel.sent().filter((s) => s.startsWith('set-timeouts'))).toEqual([]);
  });
});

describe('IpvsTable set() and remove()', () => {
  it('calls made in the same turn go out in one batch', async () => {
    const h = setup(WEB);
    await h.table.start();
    const web = h.vs('[192.0.2.1]:tcp:80');
    h.table.set(web, real('192.0.2.21', 8080), 1);
    h.table.set(web, real('192.0.2.22', 8080), 1);
    h.table.remove(web, real('192.0.2.21', 8080));
    await h.table.settled();
    expect(h.kernel.batches).toHaveLength(2);
    expect(h.kernel.batches[1]?.map(line)).toEqual([
      `add-dest ${WEB_ID} 192.0.2.21:8080 NAT w1`,
      `add-dest ${WEB_ID} 192.0.2.22:8080 NAT w1`,
      `del-dest ${WEB_ID} 192.0.2.21:8080`,
    ]);
    expect(h.kernel.destsOf(WEB_ID).map(dkey)).toEqual(['192.0.2.22|8080']);
  });

  it('a new weight is an edit-dest (0 too: a quiesced server); the same weight sends nothing', async () => {
    const h = setup(WEB);
    await h.table.start();
    const web = h.vs('[192.0.2.1]:tcp:80');
    h.table.set(web, real('192.0.2.21', 8080), 1);
    await h.table.settled();
    h.table.set(web, real('192.0.2.21', 8080), 1);
    await h.table.settled();
    expect(h.kernel.batches).toHaveLength(2);
    h.table.set(web, real('192.0.2.21', 8080), 5);
    await h.table.settled();
    h.table.set(web, real('192.0.2.21', 8080), 0); // inhibit_on_failure
    await h.table.settled();
    expect(h.kernel.batches.slice(2).map((b) => b.map(line))).toEqual([
      [`edit-dest ${WEB_ID} 192.0.2.21:8080 NAT w5`],
      [`edit-dest ${WEB_ID} 192.0.2.21:8080 NAT w0`],
    ]);
    expect(h.kernel.destsOf(WEB_ID)[0]?.weight).toBe(0);
  });

  it('remove() is a del-dest of what the kernel has; removing an absent one sends nothing', async () => {
    const h = setup(WEB);
    await h.table.start();
    const web = h.vs('[192.0.2.1]:tcp:80');
    h.table.set(web, real('192.0.2.21', 8080), 3);
    await h.table.settled();
    h.table.remove(web, real('192.0.2.21', 8080));
    await h.table.settled();
    h.table.remove(web, real('192.0.2.21', 8080));
    h.table.remove(web, real('192.0.2.99', 8080));
    await h.table.settled();
    expect(h.kernel.sent().slice(1)).toEqual([
      `add-dest ${WEB_ID} 192.0.2.21:8080 NAT w3`,
      `del-dest ${WEB_ID} 192.0.2.21:8080`,
    ]);
    expect(h.kernel.destsOf(WEB_ID)).toEqual([]);
  });

  it('a real server of a group goes into every member, DR on each member’s port', async () => {
    const h = setup(GROUPED);
    await h.table.start();
    h.table.set(h.vs('[G]:0'), real('192.0.2.31', 443), 2);
    await h.table.settled();
    expect(h.kernel.batches[1]?.map(line)).toEqual([
      'add-dest TCP/inet/198.51.100.1/443 192.0.2.31:443 DR w2',
      'add-dest TCP/inet/198.51.100.2/443 192.0.2.31:443 DR w2',
      'add-dest fwm/inet/5 192.0.2.31:0 DR w2',
    ]);
  });

  it('set() before start() adds the service first, in the same batch', async () => {
    const h = setup(WEB);
    h.table.set(h.vs('[192.0.2.1]:tcp:80'), real('192.0.2.21', 8080), 1);
    await h.table.settled();
    expect(h.kernel.batches.map((b) => b.map(line))).toEqual([
      [`add-service ${WEB_ID} rr`, `add-dest ${WEB_ID} 192.0.2.21:8080 NAT w1`],
    ]);
  });

  it('snapshot() reads back our services with their destinations', async () => {
    const h = setup(WEB + GROUPED);
    await h.table.start();
    h.table.set(h.vs('[192.0.2.1]:tcp:80'), real('192.0.2.21', 8080), 1);
    await h.table.settled();
    const snap = await h.table.snapshot();
    expect(snap.map((s) => [s.id, s.vs, s.dests.map(dkey)])).toEqual([
      [WEB_ID, '[192.0.2.1]:tcp:80', ['192.0.2.21|8080']],
      ['TCP/inet/198.51.100.1/443', '[G]:0', []],
      ['TCP/inet/198.51.100.2/443', '[G]:0', []],
      ['fwm/inet/5', '[G]:0', []],
    ]);
  });
});

describe('IpvsTable stop', () => {
  it('stop(false) deletes every service, and restores the timeouts', async () => {
    const h = setup(`global_defs {\n lvs_timeouts tcpfin 30\n}\n${WEB}${GROUPED}`);
    await h.table.start();
    await h.table.stop(false);
    expect(h.kernel.sent().slice(-5)).toEqual([
      `del-service ${WEB_ID}`,
      'del-service TCP/inet/198.51.100.1/443',
      'del-service TCP/inet/198.51.100.2/443',
      'del-service fwm/inet/5',
      'set-timeouts 900/120/300',
    ]);
    expect(h.kernel.table.size).toBe(0);
    expect(h.kernel.timeoutsNow).toEqual({ tcp: 900, tcpFin: 120, udp: 300 });
  });

  it('stop(true) (-I) leaves the services but still restores the timeouts', async () => {
    const h = setup(`global_defs {\n lvs_timeouts tcp 60\n}\n${WEB}`);
    await h.table.start();
    h.table.set(h.vs('[192.0.2.1]:tcp:80'), real('192.0.2.21', 8080), 1);
    await h.table.settled();
    const before = h.kernel.sent().length;
    await h.table.stop(true);
    expect(h.kernel.sent().slice(before)).toEqual(['set-timeouts 900/120/300']);
    expect(h.kernel.serviceIds()).toEqual([WEB_ID]);
    expect(h.kernel.destsOf(WEB_ID)).toHaveLength(1);
  });

  it('lvs_flush_onstop flushes instead of deleting service by service', async () => {
    const h = setup(`global_defs {\n lvs_flush_onstop\n}\n${WEB}${GROUPED}`);
    await h.table.start();
    await h.table.stop(false);
    expect(h.kernel.batches.at(-1)?.map(line)).toEqual(['flush']);
    expect(h.kernel.table.size).toBe(0);
  });
});

describe('IpvsTable reload', () => {
  async function reloaded(before: string, after: string, prepare?: (h: ReturnType<typeof setup>) => void) {
    const h = setup(before);
    await h.table.start();
    prepare?.(h);
    await h.table.settled();
    const from = h.kernel.sent().length;
    const next = load(after);
    await h.table.reload(ipvsConfig(next));
    return { ...h, next, changes: h.kernel.sent().slice(from) };
  }

  it('a virtual server gone: its services are deleted, the others untouched', async () => {
    const r = await reloaded(WEB + GROUPED, WEB);
    expect(r.changes).toEqual([
      'del-service TCP/inet/198.51.100.1/443',
      'del-service TCP/inet/198.51.100.2/443',
      'del-service fwm/inet/5',
    ]);
    expect(r.kernel.serviceIds()).toEqual([WEB_ID]);
  });

  it('the same config changes nothing', async () => {
    const r = await reloaded(WEB + GROUPED, WEB + GROUPED, (h) =>
      h.table.set(h.vs('[192.0.2.1]:tcp:80'), real('192.0.2.21', 8080), 1),
    );
    expect(r.changes).toEqual([]);
  });

  it('a changed scheduler (or persistence) is an edit-service; its destinations stay', async () => {
    const r = await reloaded(WEB, WEB.replace('lb_algo rr', 'lb_algo wrr\n persistence_timeout 60'), (h) =>
      h.table.set(h.vs('[192.0.2.1]:tcp:80'), real('192.0.2.21', 8080), 1),
    );
    expect(r.changes).toEqual([`edit-service ${WEB_ID} wrr`]);
    expect(r.kernel.table.get(WEB_ID)?.service).toMatchObject({ scheduler: 'wrr', timeout: 60, flags: 1 });
    expect(r.kernel.destsOf(WEB_ID).map(dkey)).toEqual(['192.0.2.21|8080']);
  });

  it('a new group address gets the virtual server’s current destinations', async () => {
    const r = await reloaded(GROUPED, GROUPED.replace('198.51.100.1-2 443', '198.51.100.1-3 443'), (h) =>
      h.table.set(h.vs('[G]:0'), real('192.0.2.31', 443), 4),
    );
    expect(r.changes).toEqual([
      'add-service TCP/inet/198.51.100.3/443 wlc',
      'add-dest TCP/inet/198.51.100.3/443 192.0.2.31:443 DR w4',
    ]);
  });

  it('a kept destination whose lvs_method changed is edited', async () => {
    const before = WEB.replace(' real_server 192.0.2.22 8080 {\n }\n', '').replace('8080', '80');
    const after = before.replace(
      'real_server 192.0.2.21 80 {',
      'real_server 192.0.2.21 80 {\n  lvs_method DR',
    );
    const r = await reloaded(before, after, (h) =>
      h.table.set(h.vs('[192.0.2.1]:tcp:80'), real('192.0.2.21', 80), 1),
    );
    expect(r.changes).toEqual([`edit-dest ${WEB_ID} 192.0.2.21:80 DR w1`]);
    expect(r.kernel.destsOf(WEB_ID)).toMatchObject([{ address: '192.0.2.21', port: 80, forward: 'DR' }]);
  });

  it('a kept destination whose lvs_method changes its kernel port leaves no stale destination behind', async () => {
    // NAT keeps the real server's port (8080); DR takes the service's (443). The kernel knows a
    // destination by address and port, so the NAT one (192.0.2.31:8080) must go when the DR one
    // (192.0.2.31:443) comes, or the service ends up with both. (Fails at the time of writing:
    // see the report; IpvsTable.putDest() adds the new one and never deletes the old.)
    const before = [
      'virtual_server_group G {',
      ' 198.51.100.1 443',
      '}',
      'virtual_server group G {',
      ' protocol TCP',
      ' lb_algo rr',
      ' lb_kind NAT',
      ' real_server 192.0.2.31 8080 {',
      ' }',
      '}',
      '',
    ].join('\n');
    const after = before.replace('lb_kind NAT', 'lb_kind DR');
    const r = await reloaded(before, after, (h) => h.table.set(h.vs('[G]:0'), real('192.0.2.31', 8080), 1));
    expect(r.next.virtualServers[0]?.realServers[0]).toMatchObject({ port: 8080, lvsMethod: 'DR' });
    expect(r.kernel.destsOf('TCP/inet/198.51.100.1/443')).toMatchObject([
      { address: '192.0.2.31', port: 443, forward: 'DR' },
    ]);
  });

  it('changed lvs_timeouts: the originals restored, then the new ones set over them', async () => {
    const r = await reloaded(
      `global_defs {\n lvs_timeouts tcp 7200\n}\n${WEB}`,
      `global_defs {\n lvs_timeouts udp 10\n}\n${WEB}`,
    );
    expect(r.changes).toEqual(['set-timeouts 900/120/300', 'set-timeouts 900/120/10']);
    expect(r.kernel.timeoutsNow).toEqual({ tcp: 900, tcpFin: 120, udp: 10 });
    await r.table.stop(true);
    expect(r.kernel.timeoutsNow).toEqual({ tcp: 900, tcpFin: 120, udp: 300 });
  });

  it('lvs_timeouts removed: the originals restored, nothing set on stop', async () => {
    const r = await reloaded(`global_defs {\n lvs_timeouts tcp 7200\n}\n${WEB}`, WEB);
    expect(r.changes).toEqual(['set-timeouts 900/120/300']);
    const n = r.kernel.sent().length;
    await r.table.stop(true);
    expect(r.kernel.sent().length).toBe(n);
  });
});

describe('IpvsTable errors', () => {
  it('EEXIST on add-service is logged (keepalived’s wording) and followed by an edit-service', async () => {
    const k = new FakeKernel();
    k.table.set(WEB_ID, {
      service: {
        key: { kind: 'address', family: 'inet', protocol: 'TCP', address: '192.0.2.1', port: 80 },
        scheduler: 'lc', // a crashed run's
        flags: 0,
        timeout: 0,
        prefix: 32,
        pe: null,
      },
      dests: new Map(),
    });
    const h = setup(WEB, k);
    await h.table.start();
    expect(h.kernel.batches.map((b) => b.map(line))).toEqual([
      [`add-service ${WEB_ID} rr`],
      [`edit-service ${WEB_ID} rr`],
    ]);
    expect(h.errorLines()).toEqual([
      'IPVS cmd IP_VS_SO_SET_ADD(1154) error: Service already exists(17) (192.0.2.1:tcp:80)',
    ]);
    expect(h.logs.find((l) => l.event === 'ipvs.error')).toMatchObject({
      command: 'IP_VS_SO_SET_ADD',
      errno: EEXIST,
    });
    expect(h.kernel.table.get(WEB_ID)?.service.scheduler).toBe('rr');
    expect(Object.fromEntries(h.table.errors)).toEqual({ 'IP_VS_SO_SET_ADD 17': 1 });
    expect(h.table.messages).toBe(2);
  });

  it('EEXIST on add-dest is logged and followed by an edit-dest', async () => {
    const h = setup(WEB);
    await h.table.start();
    h.kernel.table.get(WEB_ID)?.dests.set('192.0.2.21|8080', {
      address: '192.0.2.21',
      port: 8080,
      forward: 'NAT',
      weight: 9,
      uthreshold: 0,
      lthreshold: 0,
      tunnel: null,
    });
    h.table.set(h.vs('[192.0.2.1]:tcp:80'), real('192.0.2.21', 8080), 1);
    await h.table.settled();
    expect(h.kernel.batches.slice(1).map((b) => b.map(line))).toEqual([
      [`add-dest ${WEB_ID} 192.0.2.21:8080 NAT w1`],
      [`edit-dest ${WEB_ID} 192.0.2.21:8080 NAT w1`],
    ]);
    expect(h.errorLines()).toEqual([
      'IPVS cmd IP_VS_SO_SET_ADDDEST(1159) error: Destination already exists(17) (192.0.2.1:tcp:80 -> 192.0.2.21:8080)',
    ]);
    expect(h.kernel.destsOf(WEB_ID)[0]?.weight).toBe(1);
    expect(h.table.messages).toBe(3);
  });

  it('ENOENT on edit-dest is retried as add-dest, and not logged when that works', async () => {
    const h = setup(WEB);
    await h.table.start();
    const web = h.vs('[192.0.2.1]:tcp:80');
    h.table.set(web, real('192.0.2.21', 8080), 1);
    await h.table.settled();
    h.kernel.table.get(WEB_ID)?.dests.clear(); // someone ran ipvsadm -d
    h.table.set(web, real('192.0.2.21', 8080), 2);
    await h.table.settled();
    expect(h.kernel.batches.slice(2).map((b) => b.map(line))).toEqual([
      [`edit-dest ${WEB_ID} 192.0.2.21:8080 NAT w2`],
      [`add-dest ${WEB_ID} 192.0.2.21:8080 NAT w2`],
    ]);
    expect(h.errorLines()).toEqual([]);
    expect(h.table.errors.size).toBe(0);
    expect(h.kernel.destsOf(WEB_ID)[0]?.weight).toBe(2);
    expect(h.table.messages).toBe(4);
  });

  it('ENOENT on edit-dest whose add-dest retry fails too: the add-dest is logged', async () => {
    const h = setup(WEB);
    await h.table.start();
    const web = h.vs('[192.0.2.1]:tcp:80');
    h.table.set(web, real('192.0.2.21', 8080), 1);
    await h.table.settled();
    h.kernel.table.get(WEB_ID)?.dests.clear();
    h.kernel.fail = (c) => (c.op === 'add-dest' ? EINVAL : null);
    h.table.set(web, real('192.0.2.21', 8080), 2);
    await h.table.settled();
    expect(h.errorLines()).toEqual([
      'IPVS cmd IP_VS_SO_SET_ADDDEST(1159) error: Invalid operation.  Possibly wrong module version, address not unicast, ...(22) (192.0.2.1:tcp:80 -> 192.0.2.21:8080)',
    ]);
    expect(Object.fromEntries(h.table.errors)).toEqual({ 'IP_VS_SO_SET_ADDDEST 22': 1 });
  });

  it('ENOENT on del-dest and ESRCH on del-service are logged but tolerated', async () => {
    const h = setup(WEB);
    await h.table.start();
    const web = h.vs('[192.0.2.1]:tcp:80');
    h.table.set(web, real('192.0.2.21', 8080), 1);
    await h.table.settled();
    h.kernel.table.get(WEB_ID)?.dests.clear();
    h.table.remove(web, real('192.0.2.21', 8080));
    await h.table.settled();
    h.kernel.table.clear();
    await h.table.stop(false);
    expect(h.errorLines()).toEqual([
      'IPVS cmd IP_VS_SO_SET_DELDEST(1160) error: No such destination(2) (192.0.2.1:tcp:80 -> 192.0.2.21:8080)',
      'IPVS cmd IP_VS_SO_SET_DEL(1156) error: No such service(3) (192.0.2.1:tcp:80)',
    ]);
    // nothing retried: one message each
    expect(h.kernel.sent().slice(2)).toEqual([`del-dest ${WEB_ID} 192.0.2.21:8080`, `del-service ${WEB_ID}`]);
    expect(Object.fromEntries(h.table.errors)).toEqual({
      'IP_VS_SO_SET_DELDEST 2': 1,
      'IP_VS_SO_SET_DEL 3': 1,
    });
  });

  it('another error is logged with keepalived’s wording, counted, and the destination tried again later', async () => {
    const h = setup(WEB);
    await h.table.start();
    const web = h.vs('[192.0.2.1]:tcp:80');
    h.kernel.fail = (c) => (c.op === 'add-dest' && c.dest.address === '192.0.2.21' ? EINVAL : null);
    h.table.set(web, real('192.0.2.21', 8080), 1);
    h.table.set(web, real('192.0.2.22', 8080), 1);
    await h.table.settled();
    expect(h.errorLines()).toEqual([
      'IPVS cmd IP_VS_SO_SET_ADDDEST(1159) error: Invalid operation.  Possibly wrong module version, address not unicast, ...(22) (192.0.2.1:tcp:80 -> 192.0.2.21:8080)',
    ]);
    expect(Object.fromEntries(h.table.errors)).toEqual({ 'IP_VS_SO_SET_ADDDEST 22': 1 });
    expect(h.kernel.destsOf(WEB_ID).map(dkey)).toEqual(['192.0.2.22|8080']); // the other one went in
    // the failed one is not taken as present: the same set() again tries again
    h.kernel.fail = () => null;
    h.table.set(web, real('192.0.2.21', 8080), 1);
    await h.table.settled();
    expect(h.kernel.batches.at(-1)?.map(line)).toEqual([`add-dest ${WEB_ID} 192.0.2.21:8080 NAT w1`]);
    expect(h.kernel.destsOf(WEB_ID).map(dkey).sort()).toEqual(['192.0.2.21|8080', '192.0.2.22|8080']);
  });

  it('a service the kernel refuses (no such scheduler) is logged and added again on the next set()', async () => {
    const h = setup(WEB);
    h.kernel.fail = (c) => (c.op === 'add-service' ? ENOENT : null);
    await h.table.start();
    expect(h.errorLines()).toEqual([
      'IPVS cmd IP_VS_SO_SET_ADD(1154) error: Scheduler or persistence engine not found(2) (192.0.2.1:tcp:80)',
    ]);
    h.kernel.fail = () => null;
    h.table.set(h.vs('[192.0.2.1]:tcp:80'), real('192.0.2.21', 8080), 1);
    await h.table.settled();
    expect(h.kernel.batches.at(-1)?.map(line)).toEqual([
      `add-service ${WEB_ID} rr`,
      `add-dest ${WEB_ID} 192.0.2.21:8080 NAT w1`,
    ]);
  });

  it('an error without an errno (the handle closed) is logged with its message', async () => {
    const h = setup(WEB);
    h.kernel.fail = () =>
      new KaError('KA_ERR_NETLINK', 'ADD_SERVICE TCP 192.0.2.1:80: the IPVS netlink handle was closed');
    await h.table.start();
    expect(h.errorLines()).toEqual([
      'IPVS cmd IP_VS_SO_SET_ADD error: ADD_SERVICE TCP 192.0.2.1:80: the IPVS netlink handle was closed',
    ]);
    expect(Object.fromEntries(h.table.errors)).toEqual({ 'IP_VS_SO_SET_ADD EIO': 1 });
  });

  it('a failure to read the timeouts is logged and no timeouts are set', async () => {
    const k = new FakeKernel();
    k.timeouts = () => Promise.reject(new KaError('KA_ERR_NETLINK', 'GET_CONFIG: EPERM'));
    const h = setup(`global_defs {\n lvs_timeouts tcp 60\n}\n${WEB}`, k);
    await h.table.start();
    expect(h.logs.filter((l) => l.msg === 'Failed to get IPVS timeouts')).toHaveLength(1);
    await h.table.stop(true);
    expect(h.kernel.sent()).toEqual([`add-service ${WEB_ID} rr`]);
  });

  it('messages counts every netlink message, retries included', async () => {
    const h = setup(WEB + GROUPED);
    await h.table.start(); // 4
    const web = h.vs('[192.0.2.1]:tcp:80');
    h.table.set(web, real('192.0.2.21', 8080), 1); // 1
    h.table.set(h.vs('[G]:0'), real('192.0.2.31', 443), 1); // 3
    await h.table.settled();
    h.kernel.table.get(WEB_ID)?.dests.clear();
    h.table.set(web, real('192.0.2.21', 8080), 2); // edit + add retry: 2
    await h.table.settled();
    expect(h.table.messages).toBe(10);
    expect(h.kernel.batches.flat()).toHaveLength(10);
  });
});
