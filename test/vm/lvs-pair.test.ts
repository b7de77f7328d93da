/**
 * An LVS-DR director pair end to end, as the seeds deploy it (issue 15), in the VM lab:
 * scenarios/lvs-pair.sh with keepalived-ts on both directors, keepalived 2.2.7 on both, and one of
 * each, all with `lvs_sync_daemon`. For each: the client's requests are spread over both real
 * servers; a real server whose check fails leaves the table (no request goes to it after); the
 * directors never send the HTTP replies (direct routing: they go from the real servers to the
 * client); the VIP moves as it should on a crash with the cable cut, on the old master's return
 * (it preempts) and on a SIGTERM; and one established TCP connection through the VIP survives all
 * three failovers, because the backup director's kernel has it from the master's sync daemon.
 * The client's longest gap per event is printed (bench/lvs-pair.ts compares them, with sync off).
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyse, type PairRun } from './lvs-pair.js';
import { runInVm } from './vm.js';

const RUNS: PairRun[] = [
  { tag: 'kts', d1: 'keepalived-ts', d2: 'keepalived-ts', sync: true },
  { tag: 'ka', d1: 'keepalived', d2: 'keepalived', sync: true },
  { tag: 'mixed', d1: 'keepalived-ts', d2: 'keepalived', sync: true },
];

describe('an LVS-DR director pair', () => {
  it('spreads, drops a dead real server, fails over and back, and keeps an established connection', async () => {
    const script = RUNS.map(
      (r) => `bash test/vm/scenarios/lvs-pair.sh ${r.tag} ${r.d1} ${r.d2} ${r.sync ? 1 : 0} || exit 1`,
    ).join('\n');
    const vm = await runInVm(script, { keep: true, timeoutS: 1200 });
    try {
      expect(vm.code, vm.output).toBe(0);
      for (const run of RUNS) {
        const r = analyse(
          run,
          (name) => vm.files.get(name) ?? '',
          (name) => join(vm.dir, name),
        );
        const tag = `[lvs-pair ${run.tag}: d1 ${run.d1}, d2 ${run.d2}]`;
        console.log(
          `${tag} longest client gap: ${r.gaps.map((g) => `${g.event} ${g.longestGapMs} ms (${g.failed} failed)`).join(', ')}; ` +
            `stream ${r.stream.lines} lines, restarted ${r.stream.restarted}`,
        );
        expect(
          r.events.map((e) => e.name).filter((n) => n.startsWith('timeout')),
          tag,
        ).toEqual([]);
        expect(r.holders, tag).toEqual({ ready: 'd1', crashed: 'd1 d2', preempted: 'd1', stopped: 'd2' });
        expect(r.spread, `${tag} spread`).toEqual(['r1', 'r2']);
        expect(r.afterKill, `${tag} after the kill`).toEqual(['r1', 'r2'].filter((s) => s !== r.killed));
        expect(r.directorReplies, `${tag} replies sent by a director`).toBe(0);
        // The stream connection: one counter, never reset, still running after the last failover.
        const stopped = r.events.find((e) => e.name.startsWith('stopped'))?.atMs ?? Infinity;
        expect(r.stream.restarted, tag).toBe(false);
        expect(r.stream.lastMs, `${tag} stream alive after the SIGTERM failover`).toBeGreaterThan(
          stopped - 1000,
        );
        expect(r.stream.lines, tag).toBeGreaterThan(100);
      }
    } finally {
      rmSync(vm.dir, { recursive: true, force: true });
    }
  });
});
