/**
 * The VM lab itself (test/vm/vm.ts): it boots Debian's kernel, runs a script as root with the
 * host's files, reports its exit status and output, collects the files it wrote, and has what
 * this machine's kernel lacks: IPVS (programmed by ipvsadm here), dummy interfaces, netem.
 */
import { describe, expect, it } from 'vitest';
import { runInVm } from './vm.js';

describe('the VM lab', () => {
  it('runs a script under a real kernel with IPVS, dummy and netem', async () => {
    const r = await runInVm(
      [
        'uname -r',
        'ipvsadm -A -t 192.0.2.100:80 -s rr',
        'ipvsadm -a -t 192.0.2.100:80 -r 192.0.2.11:80 -g -w 2',
        'ipvsadm -Sn > "$KTS_RUN/table"',
        'ip link add d0 type dummy && echo dummy-ok',
        'tc qdisc add dev d0 root netem loss 10% && echo netem-ok',
        'test -r "$PWD/package.json" && echo checkout-visible',
        'exit 7',
      ].join('\n'),
      { modules: ['ip_vs'] },
    );
    expect(r.code, r.output).toBe(7);
    expect(r.output.split('\n')).toEqual(
      expect.arrayContaining([expect.stringMatching(/-amd64$/), 'dummy-ok', 'netem-ok', 'checkout-visible']),
    );
    expect(r.files.get('table')).toBe(
      '-A -t 192.0.2.100:80 -s rr\n-a -t 192.0.2.100:80 -r 192.0.2.11:80 -g -w 2\n',
    );
  });

  it('a script that runs too long is stopped, and QEMU with it', async () => {
    const r = await runInVm('sleep 600', { timeoutS: 8 });
    expect(r.code).toBe(124);
  });
});
