/**
 * Benchmark for issue 15: the LVS-DR director pair of test/vm/scenarios/lvs-pair.sh in the VM lab,
 * for keepalived-ts on both directors, keepalived 2.2.7 on both, and one of each, each with
 * lvs_sync_daemon on and off. Printed per run: the client's longest gap and failed requests across
 * a crash (SIGKILL, cable cut), the old master's return (it preempts) and a SIGTERM, and whether the
 * established stream connection survived. The VM runs under emulation: gaps include its slowness
 * (compare the daemons with each other, not with real hardware).
 *
 * Run as root: `npm run bench:lvs-pair`.
 */
import { rmSync } from 'node:fs';
import { cpus, hostname } from 'node:os';
import { join } from 'node:path';
import { analyse, type PairResult, type PairRun } from '../test/vm/lvs-pair.js';
import { runInVm } from '../test/vm/vm.js';

const RUNS: PairRun[] = [];
for (const sync of [true, false])
  for (const [d1, d2] of [
    ['keepalived-ts', 'keepalived-ts'],
    ['keepalived', 'keepalived'],
    ['keepalived-ts', 'keepalived'],
  ] as const)
    RUNS.push({
      tag: `${d1 === d2 ? (d1 === 'keepalived' ? 'ka' : 'kts') : 'mixed'}-sync${sync ? 1 : 0}`,
      d1,
      d2,
      sync,
    });

async function main(): Promise<void> {
  const results: PairResult[] = [];
  for (const run of RUNS) {
    process.stderr.write(`${run.tag}\n`);
    const vm = await runInVm(
      `bash test/vm/scenarios/lvs-pair.sh ${run.tag} ${run.d1} ${run.d2} ${run.sync ? 1 : 0}`,
      {
        keep: true,
        timeoutS: 900,
      },
    );
    try {
      if (vm.code !== 0) throw new Error(`${run.tag}: the scenario failed (${vm.code}):\n${vm.output}`);
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
    `\nLVS-DR director pair (${new Date().toISOString().slice(0, 10)}, ${hostname()}, ${cpus().length} x ${cpus()[0]?.model ?? '?'}; VM: TCG): client's longest gap (failed requests) per event`,
  );
  const head = ['d1 / d2', 'sync', 'crash', 'return', 'SIGTERM', 'connection'];
  console.log(head.map((h, i) => (i === 0 ? h.padEnd(28) : h.padStart(16))).join(''));
  for (const r of results) {
    const stopped = r.events.find((e) => e.name.startsWith('stopped'))?.atMs ?? Infinity;
    const survived = !r.stream.restarted && r.stream.lastMs > stopped - 1000;
    console.log(
      [
        `${r.run.d1} / ${r.run.d2}`.padEnd(28),
        (r.run.sync ? 'on' : 'off').padStart(16),
        ...r.gaps.map((g) => `${g.longestGapMs} ms (${g.failed})`.padStart(16)),
        (survived ? 'survived' : 'broken').padStart(16),
      ].join(''),
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
