/**
 * SIGHUP on the VRRP side (VrrpNode.reload) on fake ports and a fake clock, against keepalived
 * 2.2.7's reload (vrrp.c clear_diff_vrrp(), restore_vrrp_state(), vrrp_complete_init()): a kept
 * MASTER does not flap, a VIP diff is applied address by address, removed instances go like on
 * SIGTERM but notify DELETED, added ones start as at start-up, sync groups are rebuilt.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { Config } from '../../../src/config/model.js';
import { VrrpNode, type NodeNotifier } from '../../../src/daemon/vrrp-node.js';
import type { AddressSpec, Announcer, ReceivedAdvert, Rtnl, VrrpSockets } from '../../../src/net/ports.js';
import { decodeAdvert, encodeAdvert } from '../../../src/vrrp/packet.js';
import { loadText } from '../../helpers/config.js';
import { FakeClock } from '../../fakes/fake-clock.js';
import { ETH0, ETH0_ADDR } from '../../helpers/host.js';

const LINK = ETH0;
const ADDR = ETH0_ADDR;
const GROUP = Uint8Array.of(224, 0, 0, 18);

interface InstanceText {
  readonly name: string;
  readonly vrid: number;
  readonly priority: number;
  readonly vips: readonly string[];
  readonly extra?: string;
}

const instance = (i: InstanceText): string => `
vrrp_instance ${i.name} {
  interface eth0
  virtual_router_id ${i.vrid}
  priority ${i.priority}
  advert_int 1
  ${i.extra ?? ''}
  virtual_ipaddress {
${i.vips.map((v) => `    ${v}`).join('\n')}
  }
}
`;

const VI_1: InstanceText = {
  name: 'VI_1',
  vrid: 51,
  priority: 150,
  vips: ['192.0.2.100/24', '192.0.2.101/24'],
};
const VI_2: InstanceText = { name: 'VI_2', vrid: 52, priority: 100, vips: ['192.0.2.110/24'] };
/** Unicast: a socket of its own. */
const VI_3: InstanceText = {
  name: 'VI_3',
  vrid: 53,
  priority: 150,
  vips: ['192.0.2.130/24'],
  extra: 'unicast_peer {\n    192.0.2.12\n  }',
};

function load(text: string): Config {
  const loaded = loadText(text, { host: { interfaceExists: () => true } });
  const fatal = loaded.diagnostics.filter((d) => d.severity === 'fatal');
  if (fatal.length > 0) throw new Error(fatal.map((d) => d.message).join('; '));
  return loaded.config;
}

function harness(text: string, opts: { keepVipsOnStop?: boolean } = {}) {
  const calls: string[] = [];
  /** What the node's transition listener (lvs_sync_daemon's) heard: "name from>to". */
  const heard: string[] = [];
  const logs: { msg: string; event?: string }[] = [];
  const fake = new FakeClock();
  const clock = fake.asClock();
  const rtnl: Rtnl = {
    links: () => Promise.resolve([LINK]),
    addresses: () => Promise.resolve([ADDR]),
    addAddress: (spec: AddressSpec) => {
      calls.push(`add ${spec.address}/${spec.prefixLength}`);
      return Promise.resolve();
    },
    deleteAddress: (spec: AddressSpec) => {
      calls.push(`del ${spec.address}`);
      return Promise.resolve();
    },
    watchLinks: () => () => undefined,
    close: () => undefined,
  };
  /** Each channel's receive callback, by "ifname multicast|unicast". */
  const receivers = new Map<string, (advert: ReceivedAdvert) => void>();
  /** The VRIDs each channel has a receive socket for, as "ifname multicast|unicast vrid". */
  const listening = new Set<string>();
  const sockets: VrrpSockets = {
    open: (o) => {
      const key = `${o.ifname} ${o.group ? 'multicast' : 'unicast'}`;
      calls.push(`open ${key}`);
      receivers.set(key, o.onAdvert);
      // Adverts from another source than the interface's address say so.
      const from = o.source.join('.') === ADDR.address ? '' : ` from ${o.source.join('.')}`;
      return {
        send: (payload, dst) => {
          const d = decodeAdvert(payload, { family: 'inet', src: o.source, dst, ttl: 255 });
          calls.push(d.ok ? `advert ${d.advert.vrid} ${d.advert.priority}${from}` : `bad advert ${d.reason}`);
        },
        listen: (vrid) => listening.add(`${key} ${vrid}`),
        unlisten: (vrid) => listening.delete(`${key} ${vrid}`),
        receivePending: () => undefined,
        close: () => {
          calls.push(`close ${key}`);
          receivers.delete(key);
          for (const l of [...listening]) if (l.startsWith(`${key} `)) listening.delete(l);
        },
      };
    },
  };
  const announcer: Announcer = {
    garp: (_i, _m, address) => calls.push(`garp ${address}`),
    unsolicitedNa: (_i, _m, address) => calls.push(`na ${address}`),
    close: () => undefined,
  };
  const notifier: NodeNotifier = {
    instance: (inst, state, priority) => calls.push(`notify ${inst.name} ${state} ${priority}`),
    masterRxLowerPri: (inst) => calls.push(`notify ${inst.name} rx-lower`),
    priorityChanged: (inst, state, priority) => calls.push(`priority ${inst.name} ${state} ${priority}`),
    group: (group, state) => calls.push(`group ${group.name} ${state}`),
  };
  const log = pino(
    { level: 'debug' },
    { write: (line: string) => logs.push(JSON.parse(line) as { msg: string; event?: string }) },
  );
  const node = new VrrpNode(load(text), {
    clock,
    log,
    rtnl,
    sockets,
    announcer,
    notifier,
    ipv6Forwarding: () => false,
    transitioned: (name, from, to) => heard.push(`${name} ${from}>${to}`),
    ...(opts.keepVipsOnStop === undefined ? {} : { keepVipsOnStop: opts.keepVipsOnStop }),
  });
  const idle = async (): Promise<void> => {
    await Promise.all(node.instances().map((d) => d.idle()));
  };
  const state = (name: string): string | undefined =>
    node.instances().find((d) => d.wiring.inst.name === name)?.state;
  /** An advert from a peer (192.0.2.12) on the multicast channel. */
  const peerAdvert = (vrid: number, priority: number, addresses: readonly string[]): void => {
    const src = Uint8Array.of(192, 0, 2, 12);
    const payload = encodeAdvert({
      version: 2,
      vrid,
      priority,
      family: 'inet',
      addresses: addresses.map((a) => Uint8Array.from(a.split('.').map(Number))),
      advertIntervalMs: 1000,
      authType: 0,
      src,
      dst: GROUP,
    });
    receivers.get('eth0 multicast')?.({ payload, meta: { family: 'inet', src, dst: GROUP, ttl: 255 } });
  };
  /** Start, and let every instance without a peer take over (t = 9 s: past the second GARP burst). */
  const startMasters = async (): Promise<void> => {
    await node.start();
    fake.advanceTo(9000);
    await idle();
    calls.length = 0;
  };
  return { node, calls, logs, fake, idle, state, peerAdvert, startMasters, listening, heard };
}

const garps = (address: string, n = 5): string[] => Array.from({ length: n }, () => `garp ${address}`);

describe('VrrpNode.reload', () => {
  it('each VRID has its receive socket while an instance uses it: a reload opens and closes them', async () => {
    const h = harness(instance(VI_1) + instance(VI_3));
    await h.startMasters();
    expect([...h.listening].sort()).toEqual(['eth0 multicast 51', 'eth0 unicast 53']);
    await h.node.reload(load(instance(VI_1) + instance(VI_2)));
    await h.idle();
    expect([...h.listening].sort()).toEqual(['eth0 multicast 51', 'eth0 multicast 52']);
    await h.node.shutdown();
  });

  it('a MASTER reloaded with the same config: no transition, no GARP, no VIP change, one advert at once', async () => {
    const h = harness(instance(VI_1));
    await h.startMasters();
    expect(h.state('VI_1')).toBe('MASTER');
    const report = await h.node.reload(load(instance(VI_1)));
    await h.idle();
    expect(report).toEqual({ kept: ['VI_1'], changed: [], added: [], removed: [], errors: [] });
    expect(h.calls).toEqual(['advert 51 150']);
    expect(h.state('VI_1')).toBe('MASTER');
    h.calls.length = 0;
    h.fake.advanceTo(10_000); // the advert timer restarted at the reload (9 s)
    expect(h.calls).toEqual(['advert 51 150']);
    expect(h.logs.filter((l) => l.event === 'vrrp.transition')).toHaveLength(2); // BACKUP, MASTER at start
  });

  it('a MASTER reloaded with one VIP removed and one added: one del, one add, GARPs for the new VIP only', async () => {
    const h = harness(instance(VI_1));
    await h.startMasters();
    await h.node.reload(load(instance({ ...VI_1, vips: ['192.0.2.100/24', '192.0.2.102/24'] })));
    await h.idle();
    // keepalived restore_vrrp_state() + vrrp_send_link_update(garp_master_repeat): the new address
    // is announced 5 times (keepalived 2.2.7 announces the kept ones too; we do not).
    expect(h.calls).toEqual([
      'advert 51 150',
      'del 192.0.2.101',
      'add 192.0.2.102/24',
      ...garps('192.0.2.102'),
    ]);
    expect(h.state('VI_1')).toBe('MASTER');
    expect(h.logs.map((l) => l.msg)).toContain('(VI_1) ip address 192.0.2.101/24 dev eth0, no longer exist');
    // The adverts carry the new list; on leaving MASTER the new list goes.
    h.calls.length = 0;
    await h.node.shutdown();
    expect(h.calls).toEqual([
      'advert 51 0',
      'del 192.0.2.100',
      'del 192.0.2.102',
      'notify VI_1 STOP 150',
      'close eth0 multicast',
    ]);
  });

  it('a priority raised on a BACKUP: it stays BACKUP, then preempts the lower master after its down timer', async () => {
    const h = harness(instance({ ...VI_2, priority: 100 }));
    await h.node.start();
    await h.idle();
    for (let t = 500; t <= 3000; t += 1000) {
      h.fake.advanceTo(t);
      h.peerAdvert(52, 110, ['192.0.2.110']);
    }
    expect(h.state('VI_2')).toBe('BACKUP');
    h.calls.length = 0;
    await h.node.reload(load(instance({ ...VI_2, priority: 120 })));
    await h.idle();
    // Only the FIFO priority line (sent with notify_priority_changes); no state notification.
    expect(h.calls).toEqual(['priority VI_2 BACKUP 120']);
    const driver = h.node.instances()[0];
    expect([driver?.snapshot.basePriority, driver?.snapshot.effectivePriority]).toEqual([120, 120]);
    // The master's 110 is now lower: discarded while the down timer (restarted at 2.5 s) runs out.
    h.fake.advanceTo(3500);
    h.peerAdvert(52, 110, ['192.0.2.110']);
    expect(h.state('VI_2')).toBe('BACKUP');
    h.fake.advanceTo(2500 + 3531.25 - 1); // Master_Down_Interval at 120: 3 s + 531.25 ms
    expect(h.state('VI_2')).toBe('BACKUP');
    h.fake.advanceTo(2500 + 3531.25);
    expect(h.state('VI_2')).toBe('MASTER');
  });

  it('a removed MASTER sends priority 0, drops its VIPs, notifies DELETED and its socket closes; an added one starts', async () => {
    const h = harness(instance(VI_1) + instance(VI_3));
    await h.startMasters();
    expect([h.state('VI_1'), h.state('VI_3')]).toEqual(['MASTER', 'MASTER']);
    const report = await h.node.reload(load(instance(VI_1) + instance(VI_2)));
    await h.idle();
    expect(report).toEqual({ kept: ['VI_1'], changed: [], added: ['VI_2'], removed: ['VI_3'], errors: [] });
    // VI_3 goes first, as on SIGTERM, but notifies DELETED (reported as FAULT without notify_deleted).
    expect(h.calls.slice(0, 3)).toEqual(['advert 53 0', 'del 192.0.2.130', 'notify VI_3 DELETED 150']);
    // VI_1 is kept; VI_2 starts as at start-up on VI_1's multicast socket (leftovers cleared,
    // BACKUP); the unicast socket only VI_3 used is closed.
    const rest = h.calls.slice(3);
    expect(rest.filter((c) => !c.startsWith('close'))).toEqual([
      'advert 51 150',
      'del 192.0.2.110',
      'del 192.0.2.110',
      'notify VI_2 BACKUP 100',
    ]);
    expect(rest.filter((c) => c.startsWith('close'))).toEqual(['close eth0 unicast']);
    expect(h.node.instances().map((d) => `${d.wiring.inst.name} ${d.state}`)).toEqual([
      'VI_1 MASTER',
      'VI_2 BACKUP',
    ]);
    // VI_2 runs: with no master of its own it takes over after its down timer.
    h.calls.length = 0;
    h.fake.advanceTo(9000 + 3609.375);
    await h.idle();
    expect(h.state('VI_2')).toBe('MASTER');
    expect(h.calls).toContain('notify VI_2 MASTER 100');
  });

  it('with -V (--dont-release-vrrp) a removed MASTER still releases its VIPs (keepalived vrrp_restore_interface())', async () => {
    const h = harness(instance(VI_1) + instance(VI_3), { keepVipsOnStop: true });
    await h.startMasters();
    await h.node.reload(load(instance(VI_1)));
    await h.idle();
    expect(h.calls.slice(0, 3)).toEqual(['advert 53 0', 'del 192.0.2.130', 'notify VI_3 DELETED 150']);
  });

  it('a new advert_int applies at once on a kept MASTER', async () => {
    const h = harness(instance(VI_1));
    await h.startMasters();
    await h.node.reload(load(instance(VI_1).replace('advert_int 1', 'advert_int 2')));
    await h.idle();
    h.fake.advanceTo(12_500);
    expect(h.calls).toEqual(['advert 51 150', 'advert 51 150']); // at 9 s (reload), then 11 s
  });

  it('a kept instance whose multicast source changed moves to a new socket; the old one closes', async () => {
    const h = harness(instance(VI_1));
    await h.startMasters();
    const moved = { ...VI_1, extra: 'mcast_src_ip 192.0.2.99' };
    const report = await h.node.reload(load(instance(moved)));
    await h.idle();
    expect(report.kept).toEqual(['VI_1']);
    expect(h.calls).toEqual(['open eth0 multicast', 'advert 51 150 from 192.0.2.99', 'close eth0 multicast']);
    expect(h.state('VI_1')).toBe('MASTER');
  });

  it('a removed instance already in FAULT sends nothing and notifies nothing (keepalived, no notify_deleted)', async () => {
    const faulty = { ...VI_2, extra: 'track_interface {\n    eth9\n  }' };
    const h = harness(instance(VI_1) + instance(faulty));
    await h.startMasters();
    expect(h.state('VI_2')).toBe('FAULT');
    await h.node.reload(load(instance(VI_1)));
    await h.idle();
    expect(h.calls).toEqual(['advert 51 150']);
  });

  it('a new VRID under the same name is another instance: removed, then started from INIT', async () => {
    const h = harness(instance(VI_1));
    await h.startMasters();
    const report = await h.node.reload(load(instance({ ...VI_1, vrid: 61 })));
    await h.idle();
    expect(report).toEqual({ kept: [], changed: ['VI_1'], added: [], removed: [], errors: [] });
    expect(h.calls).toEqual([
      'advert 51 0',
      'del 192.0.2.100',
      'del 192.0.2.101',
      'notify VI_1 DELETED 150',
      'del 192.0.2.100',
      'del 192.0.2.101',
      'del 192.0.2.100',
      'del 192.0.2.101',
      'notify VI_1 BACKUP 150',
    ]);
    expect(h.state('VI_1')).toBe('BACKUP');
  });

  it('a weight-0 vrrp_script new in the reload does not fault a MASTER until it reports', async () => {
    const h = harness(instance(VI_1));
    await h.startMasters();
    const script = 'vrrp_script chk {\n  script "/bin/true"\n}\n';
    const tracked = { ...VI_1, extra: 'track_script {\n    chk\n  }' };
    await h.node.reload(load(script + instance(tracked)));
    await h.idle();
    expect(h.calls).toEqual(['advert 51 150']);
    expect(h.state('VI_1')).toBe('MASTER');
    expect(h.node.instances()[0]?.snapshot.trackerStatus).toEqual({
      'interface eth0': 'up',
      'script chk': 'unknown',
    });
    h.calls.length = 0;
    h.node.scriptStatus('chk', 'down');
    await h.idle();
    expect(h.state('VI_1')).toBe('FAULT');
    expect(h.calls).toEqual([
      'advert 51 0',
      'advert 51 0',
      'del 192.0.2.100',
      'del 192.0.2.101',
      'notify VI_1 FAULT 150',
    ]);
  });

  it('a config whose interface is missing is refused and changes nothing', async () => {
    const h = harness(instance(VI_1));
    await h.startMasters();
    const broken = instance(VI_1).replace('interface eth0', 'interface eth9');
    await expect(h.node.reload(load(broken))).rejects.toThrow("(VI_1) interface eth9 doesn't exist");
    await h.idle();
    expect(h.calls).toEqual([]);
    expect(h.state('VI_1')).toBe('MASTER');
  });

  describe('sync groups', () => {
    const group = (members: string): string => `vrrp_sync_group G1 {\n  group {\n    ${members}\n  }\n}\n`;

    it("tells the node's listener of every member's change, the ones its group orders too", async () => {
      // lvs_sync_daemon follows one instance: in a group, that member may be the one moved by the
      // group (keepalived's vrrp_sync_master/backup call the same state-change path for each).
      const h = harness(group('VI_1\n    VI_2') + instance(VI_1) + instance(VI_2));
      await h.startMasters();
      expect(h.heard.filter((t) => t.endsWith('>MASTER')).sort()).toEqual([
        'VI_1 BACKUP>MASTER',
        'VI_2 BACKUP>MASTER',
      ]);
      h.heard.length = 0;
      h.peerAdvert(52, 200, ['192.0.2.110']);
      await h.idle();
      expect(h.heard.sort()).toEqual(['VI_1 MASTER>BACKUP', 'VI_2 MASTER>BACKUP']);
      await h.node.shutdown();
    });

    it('a group whose members are all kept keeps its state: nothing is notified', async () => {
      const text = group('VI_1\n    VI_2') + instance(VI_1) + instance(VI_2);
      const h = harness(text);
      await h.startMasters();
      expect(h.node.groups()).toEqual([{ name: 'G1', state: 'MASTER', members: ['VI_1', 'VI_2'] }]);
      await h.node.reload(load(text));
      await h.idle();
      expect(h.calls).toEqual(['advert 51 150', 'advert 52 100']);
      expect(h.node.groups()).toEqual([{ name: 'G1', state: 'MASTER', members: ['VI_1', 'VI_2'] }]);
    });

    it('a group that gains a new member goes BACKUP with its members, as keepalived moves them', async () => {
      const h = harness(group('VI_1\n    VI_2') + instance(VI_1) + instance(VI_2));
      await h.startMasters();
      const more = { ...VI_3, extra: '' };
      await h.node.reload(
        load(group('VI_1\n    VI_2\n    VI_3') + instance(VI_1) + instance(VI_2) + instance(more)),
      );
      await h.idle();
      expect(h.node.groups()).toEqual([{ name: 'G1', state: 'BACKUP', members: ['VI_1', 'VI_2', 'VI_3'] }]);
      expect(h.node.instances().map((d) => `${d.wiring.inst.name} ${d.state}`)).toEqual([
        'VI_1 BACKUP',
        'VI_2 BACKUP',
        'VI_3 BACKUP',
      ]);
      // Kept members advertise at the reload; the group then settles: BACKUP, the members move
      // (no priority 0: keepalived vrrp_init_state() just restores the interfaces).
      const of = (vips: readonly string[], name: string): string[] =>
        h.calls.filter((c) => vips.some((v) => c.endsWith(v.split('/')[0] ?? '')) || c.includes(` ${name} `));
      expect(h.calls.slice(0, 2)).toEqual(['advert 51 150', 'advert 52 100']);
      expect(h.calls.filter((c) => c.startsWith('group'))).toEqual(['group G1 BACKUP']);
      expect(of(VI_1.vips, 'VI_1')).toEqual(['del 192.0.2.100', 'del 192.0.2.101', 'notify VI_1 BACKUP 150']);
      expect(of(VI_2.vips, 'VI_2')).toEqual(['del 192.0.2.110', 'notify VI_2 BACKUP 100']);
      expect(of(more.vips, 'VI_3')).toEqual(['del 192.0.2.130', 'del 192.0.2.130', 'notify VI_3 BACKUP 150']);
    });
  });
});

describe('VrrpNode receive', () => {
  it('adverts for VRIDs nobody has: each counted, one log line per socket and 10 s whatever the VRID', async () => {
    const h = harness(instance(VI_1));
    await h.startMasters();
    for (let vrid = 1; vrid <= 255; vrid++) if (vrid !== 51) h.peerAdvert(vrid, 100, ['192.0.2.100']);
    expect(h.node.unknownVrid).toBe(254);
    const lines = (): { msg: string }[] => h.logs.filter((l) => l.event === 'vrrp.drop');
    expect(lines().map((l) => l.msg)).toEqual([
      'Unknown VRID(1) received on interface(2) from 192.0.2.12. ignoring...',
    ]);
    h.fake.advanceTo(19_000);
    h.peerAdvert(52, 100, ['192.0.2.100']);
    expect(lines()).toHaveLength(2);
    expect(lines()[1]).toMatchObject({ suppressed: 253 });
    expect(h.state('VI_1')).toBe('MASTER');
  });
});
