/**
 * The long chaos run (issue 8): `npm run bench:chaos` as root. MINUTES= of planned faults (default
 * 5); SEED= (default: random, printed; the same seed replays the same schedule); MIX_KEEPALIVED=1
 * makes director 2 Debian's keepalived (VRRP only, no client traffic); ADVERT_MS= the advert
 * interval (default 200); KINDS=freeze,kill,… only those faults. Prints the schedule as it runs,
 * then the table (test/chaos/evaluate.ts) with each violation explained; exits 1 when a target was
 * missed. Ctrl-C removes the lab.
 */
import { randomInt } from 'node:crypto';
import { explain, runChaos } from '../test/chaos/chaos.js';
import { FAULT_KINDS, parseSeed, type FaultKind } from '../test/chaos/schedule.js';

if (process.getuid?.() !== 0) throw new Error('bench:chaos builds network namespaces: run it as root');

const minutes = Number(process.env.MINUTES ?? 5);
const seed = process.env.SEED ? parseSeed(process.env.SEED) : randomInt(2 ** 31);
const advertIntervalMs = Number(process.env.ADVERT_MS ?? 200);
const kinds = process.env.KINDS?.split(',').map((k) => {
  if (!FAULT_KINDS.includes(k as FaultKind))
    throw new Error(`KINDS: ${k} is not one of ${FAULT_KINDS.join(', ')}`);
  return k as FaultKind;
});

let destroy = (): void => undefined;
// Ctrl-C: kill the lab's processes and remove its namespaces, then die of SIGINT as usual.
process.once('SIGINT', () => {
  destroy();
  console.log('interrupted: lab removed');
  process.kill(process.pid, 'SIGINT');
});

const run = await runChaos({
  seed,
  budgetMs: minutes * 60_000,
  advertIntervalMs,
  mixKeepalived: process.env.MIX_KEEPALIVED === '1',
  ...(kinds ? { kinds } : {}),
  tag: 'bchaos',
  log: (line) => console.log(line),
  onLab: (d) => (destroy = d),
});
console.log(`\nseed ${run.seed}, ${run.schedule.length} faults, wall ${(run.wallMs / 1000).toFixed(1)} s\n`);
console.log(explain(run));
process.exitCode = run.report.violations.length === 0 && run.incidents.length === 0 ? 0 : 1;
