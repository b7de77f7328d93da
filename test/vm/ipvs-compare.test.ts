/**
 * The same IPVS table as keepalived 2.2.7 (issue 14's acceptance), under a real kernel in the VM
 * lab: Debian's keepalived and then keepalived-ts, each checker-only (-C) on
 * test/fixtures/ipvs/director.conf (a virtual server for each thing keepalived programs: DR, NAT,
 * TUN with GUE, wlc/sh/mh/lc/wrr/rr with their flags, persistence with a netmask and an IPv6
 * prefix, a persistence engine with ops, SCTP, fwmarks, groups of addresses and of fwmarks, a
 * sorry server with quorum and hysteresis, an inhibited sorry server with its own method,
 * thresholds, weights, inhibit_on_failure, lvs_timeouts), driven through the same steps by
 * scenarios/ipvs-compare.sh: converged, two real servers dead, back, a quorum lost (sorry
 * servers in), a SIGHUP to director-reload.conf (scheduler, real servers added, removed and
 * re-weighted, a forwarding method, a group address, a virtual server removed, a timeout), and
 * stopped. After each step `ipvsadm -Sn` (sorted) and the timeouts must be the same for both.
 *
 * One deliberate difference: keepalived 2.2.7 leaves a group's address services in the table on
 * stop (its per-entry counters, check/ipvswrapper.c); keepalived-ts removes everything it added.
 */
import { describe, expect, it } from 'vitest';
import { runInVm } from './vm.js';

const STEPS = ['1-converged', '2-servers-down', '3-servers-back', '4-quorum-lost', '5-reloaded', '6-stopped'];

describe('the IPVS table keepalived-ts programs', () => {
  it('is keepalived 2.2.7’s at every step: start, failures, quorum, reload, stop', async () => {
    const vm = await runInVm(
      'bash test/vm/scenarios/ipvs-compare.sh test/fixtures/ipvs/director.conf test/fixtures/ipvs/director-reload.conf keepalived keepalived-ts',
    );
    const file = (name: string): string => vm.files.get(name) ?? '';
    expect(
      vm.code,
      `${vm.output}\n--- keepalived-ts log (tail)\n${file('keepalived-ts.log').split('\n').slice(-30).join('\n')}`,
    ).toBe(0);
    const table = (kind: string, step: string): string[] =>
      file(`${kind}-${step}.table`)
        .split('\n')
        .filter((l) => l !== '');
    for (const step of STEPS) {
      const ours = table('keepalived-ts', step);
      const theirs = table('keepalived', step);
      console.log(`[ipvs-compare] ${step}: keepalived-ts ${ours.length} lines, keepalived ${theirs.length}`);
      if (step === '6-stopped') {
        expect(ours).toEqual([]);
        // keepalived 2.2.7's leftovers, if any, are the group's address services only.
        expect(theirs.filter((l) => !/^-A -t 192\.0\.2\.12[0-3]:80 -s rr$/.test(l))).toEqual([]);
      } else expect(ours, step).toEqual(theirs);
      expect(file(`keepalived-ts-${step}.timeouts`), `${step} timeouts`).toBe(
        file(`keepalived-${step}.timeouts`),
      );
    }

    // The steps did what they say (so that agreeing means something).
    const t = (step: string): string => table('keepalived-ts', step).join('\n');
    expect(t('1-converged')).toContain('-a -t 192.0.2.100:80 -r 192.0.2.11:80 -g -w 3');
    expect(t('2-servers-down')).not.toContain('-r 192.0.2.11:80');
    expect(t('2-servers-down')).toContain('-a -t 192.0.2.101:80 -r 192.0.2.15:80 -i -w 0'); // inhibited
    expect(t('4-quorum-lost')).toContain('-a -t 192.0.2.102:80 -r 192.0.2.19:8080 -m -w 1'); // sorry server
    expect(t('4-quorum-lost')).toContain('-a -t 192.0.2.105:80 -r 192.0.2.19:80 -g -w 1'); // inhibited sorry
    expect(t('5-reloaded')).toContain('-A -t 192.0.2.100:80 -s rr -p 300 -M 255.255.255.0');
    expect(t('5-reloaded')).toContain('-a -t 192.0.2.123:80 -r 192.0.2.12:80 -g -w 1');
    expect(t('5-reloaded')).not.toContain('--sctp-service');
    expect(file('keepalived-ts-1-converged.timeouts')).toBe('Timeout (tcp tcpfin udp): 7200 120 300\n');
    expect(file('keepalived-ts-5-reloaded.timeouts')).toBe('Timeout (tcp tcpfin udp): 7200 120 600\n');
    expect(file('keepalived-ts-6-stopped.timeouts')).toBe('Timeout (tcp tcpfin udp): 900 120 300\n');

    // Read back through the daemon: the kernel's table, with the counters of a real connection.
    expect(
      file('kts-save.txt')
        .split('\n')
        .filter((l) => l)
        .sort(),
    ).toEqual(table('keepalived-ts', '1-converged'));
    const status = JSON.parse(file('kts-status.json') || '{}') as {
      dispatcher: { id: string; dests: { address: string; totals: { conns: number } }[] }[];
    };
    const nat = status.dispatcher.find((s) => s.id === 'ipvs TCP 192.0.2.102:80');
    expect(nat?.dests.reduce((n, d) => n + d.totals.conns, 0)).toBeGreaterThanOrEqual(1);
    expect(file('keepalived-ts.log')).not.toContain('"event":"ipvs.error"');
  });
});
