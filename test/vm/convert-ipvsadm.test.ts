/**
 * `keepalived-ts convert --from ipvsadm` gives the IPVS table the rules give, under a real kernel
 * in the VM lab (scenarios/convert-ipvsadm.sh): test/fixtures/convert/ipvsadm/lab.rules (DR, NAT,
 * TUN with GUE and a mixed service, wlc/rr/wrr/sh/lc/mh with scheduler flags, persistence with an
 * IPv4 netmask and an IPv6 prefix, a persistence engine with one-packet scheduling, fwmark
 * services for IPv4 and IPv6, a port-0 persistent service, UDP, weights including 0, thresholds)
 * restored with ipvsadm-restore, then converted and run by keepalived-ts checker-only: the two
 * `ipvsadm -Sn` (sorted) and `ipvsadm -Ln --thresholds` must be the same, and stay so while the
 * converted checks run.
 */
import { describe, expect, it } from 'vitest';
import { runInVm } from './vm.js';

const RULES = 'test/fixtures/convert/ipvsadm/lab.rules';

describe('convert --from ipvsadm in the VM lab', () => {
  it('programs the table ipvsadm-restore programs from the same rules', async () => {
    const vm = await runInVm(`bash test/vm/scenarios/convert-ipvsadm.sh ${RULES}`);
    const file = (name: string): string => vm.files.get(name) ?? '';
    expect(
      vm.code,
      `${vm.output}\n--- convert\n${file('convert.err')}\n--- keepalived-ts log (tail)\n${file('keepalived-ts.log').split('\n').slice(-30).join('\n')}`,
    ).toBe(0);
    const lines = (name: string): string[] =>
      file(name)
        .split('\n')
        .filter((l) => l !== '');
    const restored = lines('restored.table');
    // Every service and real server of the rules is in the restored table (24 lines), so that
    // agreeing means something.
    expect(restored).toHaveLength(24);
    expect(restored).toContain('-A -t 192.0.2.100:80 -s wlc -p 300 -M 255.255.255.0');
    expect(lines('converted.table')).toEqual(restored);
    expect(file('converted.thresholds')).toBe(file('restored.thresholds'));
    expect(file('restored.thresholds')).toMatch(/192\.0\.2\.12:80 .*\b100 +10\b/);
    // The table stayed the rules' table while the converted checks ran (30 s).
    expect(file('held').trim()).toBe('30');
    expect(file('keepalived-ts.log')).not.toContain('"event":"ipvs.error"');
  });
});
