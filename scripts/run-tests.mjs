// `npm test` after its pretest (type-check, lint, build): the test projects in three phases, one
// after the other, so the heavy ones never overlap: first `unit`, `adapters` and `netns`; then
// `vm` (QEMU keeps two host threads busy, which would skew the timing-sensitive adapter and netns
// tests); then `system` (a whole Debian system under systemd-nspawn). Each phase runs even when
// an earlier one failed, so one run reports everything; the exit status is non-zero if any phase
// failed. Arguments after `--` go to every vitest run.
import { spawnSync } from 'node:child_process';
import console from 'node:console';
import process from 'node:process';

const PHASES = [['unit', 'adapters', 'netns'], ['vm'], ['system']];
const extra = process.argv.slice(2);
const failed = [];
for (const projects of PHASES) {
  const args = ['vitest', 'run', ...projects.flatMap((p) => ['--project', p]), ...extra];
  console.log(`\n=== npm test: ${projects.join(', ')} (npx ${args.join(' ')})\n`);
  const r = spawnSync('npx', args, { stdio: 'inherit' });
  if (r.status !== 0) failed.push(`${projects.join(', ')}: exit ${r.status ?? r.signal}`);
}
if (failed.length > 0) {
  console.error(`\nnpm test: failed phases: ${failed.join('; ')}`);
  process.exitCode = 1;
} else {
  console.log('\nnpm test: every phase passed');
}
