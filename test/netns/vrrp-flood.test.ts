/**
 * A flood aimed at one virtual router (issue 13), test/netns/flood.ts's scenario: two
 * keepalived-ts directors run VI_1 (VRID 51) and VI_2 (VRID 52); an attacker floods VI_1 with
 * well-formed adverts that fail the instance checks (VRRPv2: a wrong password; VRRPv3: a wrong
 * address list).
 *
 * At 20,000 packets/s, for VRRPv2 and VRRPv3: no transition of any instance on either director,
 * not one of the master's adverts lost at the backup (for both instances), both VIPs where they
 * were, and every flood packet counted at the backup (as the flood's reason, or as
 * socket-overflow if its buffer filled). As fast as the attacker can send (VRRPv3): VI_2, which the
 * flood does not aim at, loses nothing and never moves, whatever happens to VI_1: each VRID has a
 * socket and a buffer of its own (src/net/vrrp-socket.ts). keepalived 2.2.7 side by side:
 * `npm run bench:vrrp-flood`.
 */
import { describe, expect, it } from 'vitest';
import { floodScenario, type FloodResult } from './flood.js';
import { useLab } from './use-lab.js';

const suite = useLab('flood', 2);

const report = (r: FloodResult): void =>
  console.log(
    `[flood v${r.version}] ${r.sent} packets at ${r.pps}/s; transitions: ${r.transitions.join(', ') || 'none'}; ` +
      `lost ${r.lost.map((l) => `${l.instance} ${l.lost}/${l.sent}`).join(', ')}; ` +
      `backup's kernel drops ${r.backupKernelDrops}`,
  );

describe('a flood aimed at VI_1', () => {
  for (const version of [2, 3] as const)
    it(`VRRPv${version} at 20,000 packets/s: no transition, no advert lost, every packet counted`, async () => {
      const r = await floodScenario(suite.lab(), 'keepalived-ts', {
        version,
        rate: 20_000,
        durationMs: 5_000,
      });
      report(r);
      expect(r.pps).toBeGreaterThan(15_000);
      expect(r.transitions).toEqual([]);
      expect(r.rolesKept).toBe(true);
      expect(r.lost.map((l) => [l.instance, l.lost])).toEqual([
        ['VI_1', 0],
        ['VI_2', 0],
      ]);
      expect(r.lost.every((l) => l.sent >= 5)).toBe(true);
      expect(r.floodCounted).toBe(r.sent);
    });

  it('VRRPv3 as fast as the attacker can send: VI_2 loses no advert and never moves', async () => {
    const r = await floodScenario(suite.lab(), 'keepalived-ts', { version: 3, rate: 0, durationMs: 5_000 });
    report(r);
    expect(r.transitions.filter((t) => t.includes('(VI_2)'))).toEqual([]);
    expect(r.lost.find((l) => l.instance === 'VI_2')?.lost).toBe(0);
    expect(r.holders['VI_2']).toEqual([1]);
  });
});
