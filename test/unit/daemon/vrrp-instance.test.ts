/**
 * The instance driver on fake ports and a fake clock: it performs the state machine's effects in
 * keepalived's order (advert, VIPs, GARPs, then notify), and a failing port is logged, not fatal.
 * The real ports are exercised in test/netns.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { AddressSpec, Announcer, Rtnl } from '../../../src/net/ports.js';
import { decodeAdvert, encodeAdvert } from '../../../src/vrrp/packet.js';
import { VrrpInstanceDriver, type InstanceNotifier } from '../../../src/daemon/vrrp-instance.js';
import { wireInstance } from '../../../src/daemon/wiring.js';
import { loadText } from '../../helpers/config.js';
import { settle } from '../../fakes/settle.js';
import { FakeClock } from '../../fakes/fake-clock.js';
import { ETH0, ETH0_ADDR } from '../../helpers/host.js';

const CONF = `
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  priority 150
  virtual_ipaddress {
    192.0.2.100/24
    192.0.2.101/24
  }
}
`;
const LINK = ETH0;
const ADDR = ETH0_ADDR;

function harness(opts: { failAdd?: boolean; receivePending?: () => void } = {}) {
  const calls: string[] = [];
  const logs: { msg: string; event?: string; level: number }[] = [];
  const fake = new FakeClock();
  const clock = fake.asClock();
  const rtnl: Rtnl = {
    links: () => Promise.resolve([LINK]),
    addresses: () => Promise.resolve([ADDR]),
    addAddress: (spec: AddressSpec) => {
      calls.push(`add ${spec.address}/${spec.prefixLength}`);
      return opts.failAdd ? Promise.reject(new Error('EPERM')) : Promise.resolve();
    },
    deleteAddress: (spec: AddressSpec) => {
      calls.push(`del ${spec.address}`);
      return Promise.resolve();
    },
    watchLinks: () => () => undefined,
    close: () => undefined,
  };
  const announcer: Announcer = {
    garp: (_i, _m, address) => calls.push(`garp ${address}`),
    unsolicitedNa: (_i, _m, address) => calls.push(`na ${address}`),
    close: () => undefined,
  };
  const notifier: InstanceNotifier = {
    instance: (inst, state, priority) => calls.push(`notify ${inst.name} ${state} ${priority}`),
    masterRxLowerPri: () => calls.push('notify rx-lower'),
    priorityChanged: () => calls.push('notify priority'),
  };
  const log = pino(
    { level: 'debug' },
    { write: (line: string) => logs.push(JSON.parse(line) as { msg: string; level: number }) },
  );
  const loaded = loadText(CONF, { host: { interfaceExists: () => true } });
  const inst = loaded.config.vrrpInstances[0];
  if (!inst) throw new Error('no instance');
  const wired = wireInstance(loaded.config, inst, {
    links: [LINK],
    addresses: [ADDR],
    ipv6Forwarding: () => false,
  });
  if (!wired.ok) throw new Error(wired.error);
  const driver = new VrrpInstanceDriver(
    wired.wiring,
    {
      clock,
      log,
      rtnl,
      announcer,
      notifier,
      send: (payload, dst) => {
        const d = decodeAdvert(payload, { family: 'inet', src: Uint8Array.of(192, 0, 2, 11), dst, ttl: 255 });
        calls.push(d.ok ? `advert ${d.advert.priority}` : `bad advert ${d.reason}`);
      },
      ...(opts.receivePending ? { receivePending: opts.receivePending } : {}),
    },
    { groupAllowsMaster: () => undefined, transitioned: () => undefined },
  );
  return { driver, calls, logs, fake };
}

describe('VrrpInstanceDriver', () => {
  it('takes over in keepalived order: advert, VIPs, GARP burst, then notify', async () => {
    const { driver, calls, fake } = harness();
    driver.start({ 'interface eth0': 'up' });
    await driver.idle();
    expect(calls).toEqual(['del 192.0.2.100', 'del 192.0.2.101', 'notify VI_1 BACKUP 150']);
    calls.length = 0;
    fake.advanceTo(3500); // Master_Down_Interval at 150: 3 s + 414.0625 ms
    await driver.idle();
    const garps = Array.from({ length: 5 }, () => ['garp 192.0.2.100', 'garp 192.0.2.101']).flat();
    expect(calls).toEqual([
      'advert 150',
      'add 192.0.2.100/24',
      'add 192.0.2.101/24',
      ...garps,
      'notify VI_1 MASTER 150',
    ]);
    calls.length = 0;
    fake.advanceTo(4500);
    expect(calls).toEqual(['advert 150']);
  });

  it('a VIP the kernel refuses is logged; the instance stays MASTER and keeps advertising', async () => {
    const { driver, calls, logs, fake } = harness({ failAdd: true });
    driver.start({ 'interface eth0': 'up' });
    fake.advanceTo(3500);
    await driver.idle();
    expect(driver.state).toBe('MASTER');
    const error = logs.find((l) => l.event === 'vrrp.vips.error');
    expect(error?.msg).toBe('(VI_1) cannot set VIPs: 192.0.2.100: EPERM; 192.0.2.101: EPERM');
    calls.length = 0;
    fake.advanceTo(4500);
    expect(calls).toEqual(['advert 150']);
  });

  it('shutdown as MASTER: priority 0 first, then the VIPs go, then notify STOP; idle() waits for it', async () => {
    const { driver, calls, fake } = harness();
    driver.start({ 'interface eth0': 'up' });
    fake.advanceTo(3500);
    await driver.idle();
    calls.length = 0;
    await driver.shutdown();
    expect(calls).toEqual(['advert 0', 'del 192.0.2.100', 'del 192.0.2.101', 'notify VI_1 STOP 150']);
    calls.length = 0;
    fake.advanceTo(10_000);
    await settle();
    expect(calls).toEqual([]);
  });

  it('malformed packets are counted and change nothing', async () => {
    const { driver, calls, logs, fake } = harness();
    driver.start({ 'interface eth0': 'up' });
    await driver.idle();
    calls.length = 0;
    const meta = {
      family: 'inet' as const,
      src: Uint8Array.of(192, 0, 2, 66),
      dst: Uint8Array.of(224, 0, 0, 18),
    };
    driver.receive(Uint8Array.of(0x21, 51, 254, 1, 0, 1, 0, 0, 192, 0, 2, 100, 0, 0, 0, 0, 0, 0, 0, 0), {
      ...meta,
      ttl: 64,
    });
    driver.receive(Uint8Array.of(0x21, 51), { ...meta, ttl: 255 });
    await settle();
    expect(driver.state).toBe('BACKUP');
    expect(driver.snapshot.stats.ip_ttl_err).toBe(1);
    expect(calls).toEqual([]);
    expect(logs.filter((l) => l.event === 'vrrp.drop').map((l) => l.msg)).toEqual([
      '(VI_1) invalid TTL/HL. Received 64 and expect 255',
      '(VI_1) 2 bytes, a VRRP header is 8',
    ]);
    fake.advanceTo(3500);
    expect(driver.state).toBe('MASTER');
  });

  it('counts every dropped packet by reason, also those no keepalived counter takes', async () => {
    const { driver, fake } = harness();
    driver.start({ 'interface eth0': 'up' });
    await driver.idle();
    const meta = {
      family: 'inet' as const,
      src: Uint8Array.of(192, 0, 2, 66),
      dst: Uint8Array.of(224, 0, 0, 18),
      ttl: 255,
    };
    const valid = encodeAdvert({
      version: 2,
      vrid: 51,
      priority: 254,
      family: 'inet',
      addresses: [Uint8Array.of(192, 0, 2, 100), Uint8Array.of(192, 0, 2, 101)],
      advertIntervalMs: 1000,
      authType: 0,
    });
    const badSum = Uint8Array.from(valid);
    badSum[7] = (badSum[7] as number) ^ 1;
    for (let i = 0; i < 3; i++) driver.receive(badSum, meta);
    driver.receive(valid.subarray(0, 4), meta);
    driver.receive(valid, { ...meta, ttl: 64 });
    expect(driver.drops).toEqual({ 'bad-checksum': 3, truncated: 1, 'bad-ttl': 1 });
    // The down timer and an accepted advert (priority 254: back to BACKUP) add nothing.
    fake.advanceTo(3500);
    driver.receive(valid, meta);
    expect(driver.state).toBe('BACKUP');
    expect(driver.drops).toEqual({ 'bad-checksum': 3, truncated: 1, 'bad-ttl': 1 });
  });
});

describe('VrrpInstanceDriver: the down timer reads what waits on the socket first', () => {
  // A priority 200 master at 192.0.2.12; we are priority 150, VRRPv2 at 1 s: Master_Down_Interval
  // 3 s + 414.0625 ms.
  const advert = encodeAdvert({
    version: 2,
    vrid: 51,
    priority: 200,
    family: 'inet',
    addresses: [Uint8Array.of(192, 0, 2, 100), Uint8Array.of(192, 0, 2, 101)],
    advertIntervalMs: 1000,
    authType: 0,
  });
  const meta = {
    family: 'inet' as const,
    src: Uint8Array.of(192, 0, 2, 12),
    dst: Uint8Array.of(224, 0, 0, 18),
    ttl: 255,
  };

  it('an advert that arrived in time but was not read yet (SIGSTOP/SIGCONT) keeps it BACKUP', async () => {
    const socket: Uint8Array[] = [];
    const pending: string[] = [];
    const h = harness({
      receivePending: () => {
        pending.push(`read ${socket.length}`);
        for (const p of socket.splice(0)) h.driver.receive(p, meta);
      },
    });
    h.driver.start({ 'interface eth0': 'up' });
    h.driver.receive(advert, meta);
    await h.driver.idle();
    h.calls.length = 0;
    // The master's next advert sits in the socket when the timer runs out (the process was stopped).
    socket.push(advert);
    h.fake.advanceTo(3500);
    await settle();
    expect(pending).toEqual(['read 1']);
    expect(h.driver.state).toBe('BACKUP');
    expect(h.calls).toEqual([]);
    // That advert re-armed the timer: the master is declared down 3414.0625 ms after it was read.
    h.fake.advanceTo(6800);
    expect(h.driver.state).toBe('BACKUP');
    h.fake.advanceTo(6900);
    await h.driver.idle();
    expect(pending).toEqual(['read 1', 'read 0']);
    expect(h.driver.state).toBe('MASTER');
    expect(h.calls[0]).toBe('advert 150');
  });

  it('nothing waiting: the BACKUP takes over when the timer runs out, as before', async () => {
    const h = harness({ receivePending: () => undefined });
    h.driver.start({ 'interface eth0': 'up' });
    h.driver.receive(advert, meta);
    h.fake.advanceTo(3414);
    expect(h.driver.state).toBe('BACKUP');
    h.fake.advanceTo(3415);
    await h.driver.idle();
    expect(h.driver.state).toBe('MASTER');
  });
});
