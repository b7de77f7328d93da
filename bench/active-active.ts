/**
 * `npm run bench:active-active`: active-active directors announced over BGP by FRR (issue 21,
 * docs/bgp.md). The scenario of test/netns/active-active.ts, RUNS times (default 3), with the
 * embedded dispatcher in network namespaces on this host: per event, the new flows' split over the
 * directors, the longest client gap and the broken long-lived connections, and the time the
 * router took to change its route (BFD for the kill). The IPVS side (mh scheduler, connection
 * sync) needs the VM lab's kernel; its test in test/vm/ prints its report the same way.
 */
import { formatReports, type EventReport } from '../test/helpers/flows.js';
import { runActiveActive, type ActiveActiveResult } from '../test/netns/active-active.js';
import { Frr } from '../test/netns/frr.js';
import { Lab, type Daemon } from '../test/netns/lab.js';
import { machineLine, median } from './common.js';

const RUNS = Number(process.env.RUNS ?? 3);

async function once(): Promise<ActiveActiveResult> {
  const lab = Lab.create('bact', 6);
  let running: Daemon[] = [];
  const track = (d: Daemon): Daemon => {
    running.push(d);
    return d;
  };
  const frr = new Frr(() => lab, track);
  try {
    frr.prepare();
    return await runActiveActive(lab, frr, {
      track,
      untrack: (d) => {
        running = running.filter((x) => x !== d);
      },
    });
  } finally {
    // A daemon that will not stop must not leave the namespaces behind.
    await Promise.allSettled(running.map((d) => d.stop()));
    lab.destroy();
    frr.cleanup();
  }
}

async function main(): Promise<void> {
  const runs: ActiveActiveResult[] = [];
  for (let i = 0; i < RUNS; i++) {
    const r = await once();
    runs.push(r);
    process.stderr.write(`${formatReports(`run ${i + 1}`, r.reports)}\n`);
  }
  console.log(`\n${machineLine()}`);
  console.log(
    `\nActive-active over BGP, embedded dispatcher, ${RUNS} runs (2 directors, FRR 8.4 router with ECMP and BFD 100 ms x 3;`,
  );
  console.log('client: 4 new-flow loops, 8 long-lived connections, 1 s connect timeout)\n');
  const events = runs[0]?.reports.map((r) => r.event) ?? [];
  console.log(
    'event        new flows  failed  split d1/d2 (%)   longest gap ms (max of runs)  broken (sum: via d1 / via d2)',
  );
  for (const event of events) {
    const reps = runs
      .map((r) => r.reports.find((x) => x.event === event))
      .filter((x): x is EventReport => !!x);
    const [d1, d2] = runs[0]?.directors ?? ['', ''];
    const sum = (f: (r: EventReport) => number): number => reps.reduce((a, r) => a + f(r), 0);
    const flows = sum((r) => r.newFlows);
    const ok1 = sum((r) => r.split[d1] ?? 0);
    const ok2 = sum((r) => r.split[d2] ?? 0);
    const pct = (n: number): string => (ok1 + ok2 > 0 ? ((100 * n) / (ok1 + ok2)).toFixed(0) : '-');
    console.log(
      `${event.padEnd(12)} ${String(flows).padStart(9)} ${String(sum((r) => r.failed)).padStart(7)}   ${`${pct(ok1)} / ${pct(ok2)}`.padEnd(16)} ${String(Math.max(...reps.map((r) => r.longestGapMs))).padStart(14)}                ${sum((r) => r.brokenBy[d1] ?? 0)} / ${sum((r) => r.brokenBy[d2] ?? 0)}`,
    );
  }
  const times = (f: (r: ActiveActiveResult) => number): string => {
    const xs = runs.map(f);
    return `min ${Math.min(...xs)} / median ${median(xs)} / max ${Math.max(...xs)} ms`;
  };
  console.log('\nRoute changes on the router (polled every 10 ms):');
  console.log(
    `  rs-fail -> withdrawn  ${times((r) => r.failToWithdrawnMs)}  (checks fail, then BGP withdraws)`,
  );
  console.log(`  rs-back -> restored   ${times((r) => r.backToRestoredMs)}`);
  console.log(`  kill -> out           ${times((r) => r.killToOutMs)}  (BFD)`);
  console.log(
    `  return -> back        ${times((r) => r.returnToBackMs)}  (FRR and keepalived-ts start, BGP, checks)`,
  );
}

await main();
