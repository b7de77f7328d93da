// `npm run test:stress`: the whole suite (`npm test`) RUNS times in a row (default 3) while a busy
// loop occupies one core, as a loaded CI machine would; prints each run's result and duration and
// exits 1 if any run failed. As root, after `npm run setup:test-host`. Each run's output goes to
// stress-N.log in a temporary folder (its path is printed).
import { spawn } from 'node:child_process';
import console from 'node:console';
import { createWriteStream, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';

const runs = Number(process.env.RUNS ?? 3);
const dir = mkdtempSync(join(tmpdir(), 'kts-stress-'));
// The busy loop: a separate process at normal priority, like another CI job.
const hog = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
const stopHog = () => hog.kill('SIGKILL');
process.on('exit', stopHog);
for (const sig of ['SIGINT', 'SIGTERM'])
  process.once(sig, () => {
    stopHog();
    process.kill(process.pid, sig);
  });

const run = (n) =>
  new Promise((resolve) => {
    const log = join(dir, `stress-${n}.log`);
    const out = createWriteStream(log);
    const started = Date.now();
    const p = spawn('npm', ['test'], { stdio: ['ignore', 'pipe', 'pipe'] });
    p.stdout.pipe(out);
    p.stderr.pipe(out);
    p.on('exit', (code) => resolve({ n, code, seconds: (Date.now() - started) / 1000, log }));
  });

console.log(
  `test:stress: ${runs} runs of npm test with a busy loop (pid ${hog.pid}) on one core; logs in ${dir}`,
);
const results = [];
for (let n = 1; n <= runs; n++) {
  const r = await run(n);
  results.push(r);
  console.log(
    `run ${n}: ${r.code === 0 ? 'passed' : `FAILED (exit ${r.code})`} in ${Math.floor(r.seconds / 60)} min ${Math.round(r.seconds % 60)} s (${r.log})`,
  );
}
stopHog();
const failed = results.filter((r) => r.code !== 0).length;
console.log(`test:stress: ${runs - failed} of ${runs} runs passed`);
process.exitCode = failed ? 1 : 0;
