/**
 * Benchmark for issue 13: a flood of well-formed but rejected adverts aimed at VI_1 of a director
 * pair that also runs VI_2 (test/netns/flood.ts), at 20,000 packets/s and as fast as the lab's
 * attacker can send, for VRRPv2 and VRRPv3, against keepalived-ts and Debian's keepalived 2.2.7 in
 * the same lab, interleaved. Prints, per run, the rate reached, the state transitions, the
 * legitimate adverts lost per instance (master's sent minus backup's accepted) and the packets the
 * kernel dropped at the backup's socket buffers.
 *
 * Run as root with keepalived installed: `npm run bench:vrrp-flood` (SECONDS per flood, default 5;
 * R rounds, default 1; RATES, default "20000,0", 0 meaning as fast as possible).
 */
import { cpus, hostname } from 'node:os';
import { Lab } from '../test/netns/lab.js';
import { floodScenario, type DirectorKind, type FloodResult } from '../test/netns/flood.js';
import { requireCommand } from './common.js';

const SECONDS = Number(process.env.SECONDS ?? 5);
const ROUNDS = Number(process.env.R ?? 1);
const RATES = (process.env.RATES ?? '20000,0').split(',').map(Number);

async function main(): Promise<void> {
  requireCommand('keepalived', 'keepalived');
  const lab = Lab.create('vfb', 2);
  process.once('SIGINT', () => {
    lab.destroy();
    process.kill(process.pid, 'SIGINT');
  });
  const rows: { round: number; rate: number; r: FloodResult }[] = [];
  try {
    for (let round = 1; round <= ROUNDS; round++)
      for (const version of [2, 3] as const)
        for (const rate of RATES)
          for (const kind of (round % 2
            ? ['keepalived-ts', 'keepalived']
            : ['keepalived', 'keepalived-ts']) as DirectorKind[]) {
            process.stderr.write(`round ${round}: ${kind} VRRPv${version} at ${rate || 'max'} packets/s\n`);
            const r = await floodScenario(lab, kind, { version, rate, durationMs: SECONDS * 1000 });
            process.stderr.write(`  ${JSON.stringify(r)}\n`);
            rows.push({ round, rate, r });
          }
  } finally {
    lab.destroy();
  }
  console.log(
    `\nVRRP flood at VI_1 (${new Date().toISOString().slice(0, 10)}, ${hostname()}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}): ${SECONDS} s per flood; lost = master's adverts sent - backup's accepted`,
  );
  const head = [
    'daemon',
    'VRRP',
    'target/s',
    'sent/s',
    'transitions',
    'VI_1 lost',
    'VI_2 lost',
    'kernel drops',
  ];
  console.log(head.map((h, i) => (i === 0 ? h.padEnd(14) : h.padStart(14))).join(''));
  for (const { rate, r } of rows) {
    const lost = (name: string): string => {
      const l = r.lost.find((x) => x.instance === name);
      if (r.transitions.some((t) => t.includes(`(${name})`))) return 'took over';
      return l ? `${l.lost} of ${l.sent}` : '?';
    };
    console.log(
      [
        r.kind.padEnd(14),
        `v${r.version}`.padStart(14),
        (rate ? String(rate) : 'max').padStart(14),
        String(r.pps).padStart(14),
        String(r.transitions.length).padStart(14),
        lost('VI_1').padStart(14),
        lost('VI_2').padStart(14),
        String(r.backupKernelDrops).padStart(14),
      ].join(''),
    );
    for (const t of r.transitions) console.log(`    ${t}`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
