/**
 * Bad input on the wire (design principle 4): malformed and forged VRRP packets from a third host
 * are dropped, counted in keepalived's categories and logged (rate-limited), and the directors keep
 * their roles and VIP. A valid higher-priority advert from the same host, sent last, does move the
 * master: proof that the forged packets really reached the daemons.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { internetChecksum } from '../../src/lib/checksum.js';
import { encodeAdvert } from '../../src/vrrp/packet.js';
import { eventually, type Daemon, type Lab } from './lab.js';
import { useLab } from './use-lab.js';
import { config, instanceBlock } from './vrrp-conf.js';

const INJECT = fileURLToPath(new URL('./scripts/inject.mjs', import.meta.url));
const VIP = '192.0.2.100';

let lab: Lab;
const suite = useLab('ho', 2, { setup: (l) => (lab = l) });

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const advert = (over: { priority?: number; addresses?: number[][]; authType?: 0 | 1 } = {}): Uint8Array =>
  encodeAdvert({
    version: 2,
    vrid: 51,
    priority: over.priority ?? 254,
    family: 'inet',
    addresses: (over.addresses ?? [[192, 0, 2, 100]]).map((a) => Uint8Array.from(a)),
    advertIntervalMs: 1000,
    authType: over.authType ?? 0,
  });
/** Recompute a VRRPv2 checksum after a change. */
const resum = (b: Uint8Array): Uint8Array => {
  b[6] = 0;
  b[7] = 0;
  const sum = internetChecksum(b, 0);
  b[6] = sum >> 8;
  b[7] = sum & 0xff;
  return b;
};

function inject(packets: { hex: string; ttl: number }[]): void {
  // On stdin: 2,000 packets are more than one argv string may hold.
  const r = spawnSync('ip', ['netns', 'exec', lab.client.ns, process.execPath, INJECT], {
    encoding: 'utf8',
    input: JSON.stringify(packets),
  });
  if (r.status !== 0) throw new Error(`inject.mjs failed: ${r.stderr || r.error?.message}`);
  expect(Number(r.stdout.trim())).toBe(packets.length);
}

interface Stats {
  [k: string]: number;
}
const statsOf = async (d: Daemon): Promise<{ state: string; stats: Stats }> => {
  const s = (await d.query()) as { vrrp: { instances: { state: string; stats: Stats }[] } };
  const i = s.vrrp.instances[0];
  if (!i) throw new Error('no instance in the status');
  return i;
};

/** Every drop the daemon counted so far, all reasons. */
const dropped = async (d: Daemon): Promise<number> => {
  const s = (await d.query()) as { vrrp: { instances: { drops?: Record<string, number> }[] } };
  return Object.values(s.vrrp.instances[0]?.drops ?? {}).reduce((a, b) => a + b, 0);
};

describe('hostile VRRP packets', () => {
  it('are dropped and counted; the master keeps its VIP; a valid higher priority still wins', async () => {
    const h1 = suite.track(await lab.startKts(lab.host(1), config(instanceBlock({ priority: 150 }))));
    await h1.waitForLine(/Entering MASTER STATE/);
    const h2 = suite.track(await lab.startKts(lab.host(2), config(instanceBlock({ priority: 100 }))));
    await h2.waitForLine(/Entering BACKUP STATE/);

    const badChecksum = advert();
    badChecksum[7] = (badChecksum[7] ?? 0) ^ 0xff;
    const badType = advert();
    badType[0] = 0x22;
    const packets = [
      { hex: hex(advert()), ttl: 64 }, // TTL must be 255 (RFC 3768 §7.1)
      { hex: hex(badChecksum), ttl: 255 },
      { hex: hex(advert().subarray(0, 4)), ttl: 255 }, // truncated header
      { hex: hex(resum(badType)), ttl: 255 }, // type 2
      { hex: `${hex(advert())}00000000`, ttl: 255 }, // length does not match the count
      { hex: hex(advert({ addresses: [[192, 0, 2, 99]] })), ttl: 255 }, // not our VIP
      { hex: hex(advert({ authType: 1 })), ttl: 255 }, // PASS while we expect none
      { hex: hex(resum(Uint8Array.from([0x21, 51, 254, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]))), ttl: 255 }, // no VIPs
    ];
    // Random junk with our VRID in byte 1, some of it claiming priority 255.
    let seed = 12345;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 2000; i++) {
      const b = Uint8Array.from({ length: 1 + Math.floor(rnd() * 80) }, () => Math.floor(rnd() * 256));
      if (b.length > 1) b[1] = 51;
      if (b.length > 2) b[2] = 255;
      packets.push({ hex: hex(b), ttl: rnd() < 0.5 ? 255 : 64 });
    }
    // Every packet long enough to carry our VRID reaches both daemons (the shorter ones are
    // dropped by the sockets' BPF filter) and is counted by reason.
    const drops0 = await Promise.all([h1, h2].map(dropped));
    inject(packets);
    const reaching = packets.filter((p) => p.hex.length >= 4).length;
    await eventually('every packet counted on both', async () => {
      const now = await Promise.all([h1, h2].map(dropped));
      return now.every((n, i) => n - (drops0[i] ?? 0) >= reaching) ? true : undefined;
    });

    for (const d of [h1, h2]) expect(d.running).toBe(true);
    expect(lab.holders(VIP)).toEqual([1]);
    const s1 = await statsOf(h1);
    const s2 = await statsOf(h2);
    expect(s1.state).toBe('MASTER');
    expect(s2.state).toBe('BACKUP');
    for (const s of [s1, s2]) {
      expect(s.stats.ip_ttl_err).toBeGreaterThanOrEqual(1);
      expect(s.stats.invalid_type_rcvd).toBeGreaterThanOrEqual(1);
      expect(s.stats.packet_len_err).toBeGreaterThanOrEqual(1);
      expect(s.stats.addr_list_err).toBeGreaterThanOrEqual(2);
      expect(s.stats.authtype_mismatch).toBeGreaterThanOrEqual(1);
    }
    expect(h1.lines.some((l) => l.includes(`"event":"vrrp.drop"`))).toBe(true);
    // Rate-limited: a flood of 2,000 bad packets is not 2,000 log lines.
    expect(h1.records.filter((r) => r.event === 'vrrp.drop').length).toBeLessThan(30);
    expect(h1.lines.some((l) => l.includes('Entering BACKUP STATE') && !l.includes('(init)'))).toBe(false);

    // The control: one valid advert with priority 254 from the same host takes the master down.
    inject([{ hex: hex(advert()), ttl: 255 }]);
    await h1.waitForLine(/Master received advert from 192\.0\.2\.200 with higher priority 254, ours 150/);
    await eventually('the VIP released by h1', () => (lab.holders(VIP).length === 0 ? true : undefined));
    // The forger falls silent: h1 (the higher of the two) takes over again after its down timer.
    await h1.waitForLine(
      /Entering MASTER STATE/,
      10_000,
      h1.lines.findIndex((l) => l.includes('priority 254')),
    );
    await eventually('the VIP back on h1', () => (lab.holders(VIP).join() === '1' ? true : undefined));
  });
});
