/**
 * Benchmark for issue 15: the LVS director pair of test/vm/scenarios/lvs-pair.sh in the VM lab, in
 * DR, NAT and TUN mode (MODES=DR,NAT,TUN), for keepalived-ts on both directors, keepalived 2.2.7 on
 * both, and one of each, with lvs_sync_daemon on (and, but for the mixed pair, off). Printed per
 * run: the client's longest gap and failed requests across a crash (SIGKILL, cable cut), the old
 * master's return (it preempts) and a SIGTERM, and whether the established connections (the
 * interactive stream, the long transfer) survived all three. The VM runs under emulation: gaps include its slowness
 * (compare the daemons with each other, not with real hardware).
 *
 * Run as root: `npm run bench:lvs-pair`.
 */
import { rmSync } from 'node:fs';
import { cpus, hostname } from 'node:os';
import { join } from 'node:path';
import { analyse, pairCommand, type PairResult, type PairRun } from '../test/vm/lvs-pair.js';
import { runInVm } from '../test/vm/vm.js';

const MODES = (process.env.MODES ?? 'DR,NAT,TUN').split(',') as PairRun['mode'][];
const RUNS: PairRun[] = [];
for (const mode of MODES)
  for (const sync of [true, false])
    for (const [d1, d2] of [
      ['keepalived-ts', 'keepalived-ts'],
      ['keepalived', 'keepalived'],
      ['keepalived-ts', 'keepalived'],
    ] as const)
      if (sync || d1 === d2)
        RUNS.push({
          tag: `${mode}-${d1 === d2 ? (d1 === 'keepalived' ? 'ka' : 'kts') : 'mixed'}-sync${sync ? 1 : 0}`,
          d1,
          d2,
          sync,
          mode,
        });

async function main(): Promise<void> {
  const results: PairResult[] = [];
  for (const run of RUNS) {
    process.stderr.write(`${run.tag}\n`);
    const vm = await runInVm(pairCommand(run), {
      keep: true,
      timeoutS: 900,
    });
    try {
      if (vm.code !== 0) {
        process.stderr.write(`${run.tag}: the scenario failed (${vm.code}):\n${vm.output}\n`);
        process.exitCode = 1;
        continue;
      }
      results.push(
        analyse(
          run,
          (n) => vm.files.get(n) ?? '',
          (n) => join(vm.dir, n),
        ),
      );
    } finally {
      rmSync(vm.dir, { recursive: true, force: true });
    }
  }
  console.log(
    `\nLVS director pair (${new Date().toISOString().slice(0, 10)}, ${hostname()}, ${cpus().length} x ${cpus()[0]?.model ?? '?'}; VM: TCG): client's longest gap (failed requests) per event`,
  );
  const head = ['mode: d1 / d2', 'sync', 'crash', 'return', 'SIGTERM', 'stream', 'transfer'];
  console.log(head.map((h, i) => (i === 0 ? h.padEnd(34) : h.padStart(15))).join(''));
  for (const r of results) {
    const stopped = r.events.find((e) => e.name.startsWith('stopped'))?.atMs ?? Infinity;
    const stream = !r.stream.restarted && r.stream.lastMs > stopped - 1000;
    const transfer = !r.transfer.ended && r.transfer.intact && r.transfer.lastMs > stopped - 1000;
    console.log(
      [
        `${r.run.mode}: ${r.run.d1} / ${r.run.d2}`.padEnd(34),
        (r.run.sync ? 'on' : 'off').padStart(15),
        ...r.gaps.map((g) => `${g.longestGapMs} ms (${g.failed})`.padStart(15)),
        (stream ? 'survived' : 'broken').padStart(15),
        (transfer ? 'survived' : 'broken').padStart(15),
      ].join(''),
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
