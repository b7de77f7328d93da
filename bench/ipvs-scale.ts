/**
 * Benchmark for issue 14: a large IPVS table, keepalived-ts against Debian's keepalived 2.2.7 in
 * the same VM (test/vm/vm.ts: Debian's kernel under QEMU's software emulation, both daemons slowed
 * alike, so the ratios mean something and the absolute times do not). SERVICES virtual services
 * (default 1,000) x 10 NAT real servers, each checked by TCP_CHECK every DELAY s (default 30), run
 * checker-only (-C) by bench/scenarios/ipvs-scale.sh. Printed per daemon: seconds from start until
 * the whole table (services and destinations) is in the kernel, CPU (% of one core) over STEADY s
 * once it is, the checks the real servers saw in that time (SYNs counted by nftables) and so the
 * CPU time per check (issue 19: keepalived's checker needs IPVS, so this is where the two checkers
 * meet on the same config; `SERVICES=30 DELAY=1` is 300 checks/s, which both keep up with under
 * emulation), seconds until a killed real server has left every service, RSS, and for
 * keepalived-ts the netlink messages that took (goal: one per destination removed).
 *
 * Run as root: `npm run bench:ipvs-scale` (SERVICES, DELAY, STEADY, R rounds: default 1).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInVm } from '../test/vm/vm.js';
import { machineLine } from './common.js';

const SERVICES = Number(process.env.SERVICES ?? 1000);
const DELAY = Number(process.env.DELAY ?? 30);
const STEADY = Number(process.env.STEADY ?? 30);
const ROUNDS = Number(process.env.R ?? 1);

function config(): string {
  const rs = Array.from({ length: 10 }, (_, i) =>
    [
      `  real_server 192.0.2.${11 + i} 80 {`,
      '    TCP_CHECK {',
      '      connect_timeout 3',
      '      retry 1',
      '    }',
      '  }',
    ].join('\n'),
  ).join('\n');
  const vs = Array.from({ length: SERVICES }, (_, i) =>
    [
      `virtual_server 198.51.100.1 ${10_000 + i} {`,
      `  delay_loop ${DELAY}`,
      '  lb_algo rr',
      '  lb_kind NAT',
      '  protocol TCP',
      rs,
      '}',
    ].join('\n'),
  );
  return ['global_defs {', '  router_id ipvs_scale', '}', ...vs, ''].join('\n');
}

const parse = (line: string): Record<string, string> =>
  Object.fromEntries(
    line
      .trim()
      .split(/\s+/)
      .map((kv) => kv.split('=') as [string, string]),
  );

/** CPU time per check the real servers saw: % of a core over checks per second, in µs. */
const usPerCheck = (r: Record<string, string>): number =>
  ((Number(r.cpu_pct) / 100) * 1e6) / Number(r.checks_per_s);

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'kts-ipvs-scale-'));
  const conf = join(dir, 'scale.conf');
  writeFileSync(conf, config());
  const rows: { round: number; kind: string; r: Record<string, string> }[] = [];
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      const order = round % 2 ? 'keepalived keepalived-ts' : 'keepalived-ts keepalived';
      process.stderr.write(`round ${round}: ${order}\n`);
      const vm = await runInVm(`bash bench/scenarios/ipvs-scale.sh ${conf} ${SERVICES} ${STEADY} ${order}`, {
        timeoutS: 1800,
        memMiB: 3072,
        onLine: (l) => process.stderr.write(`  ${l}\n`),
      });
      if (vm.code !== 0) throw new Error(`the VM scenario failed (${vm.code}):\n${vm.output}`);
      for (const kind of ['keepalived', 'keepalived-ts'])
        rows.push({ round, kind, r: parse(vm.files.get(`${kind}.result`) ?? '') });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\n${machineLine()}`);
  console.log(
    `IPVS at scale (VM: TCG, 2 vCPUs): ` +
      `${SERVICES} services x 10 real servers, TCP_CHECK every ${DELAY} s, CPU over ${STEADY} s`,
  );
  const head = [
    'daemon',
    'round',
    'table in (s)',
    'CPU (% core)',
    'checks/s',
    'µs CPU/check',
    'RS out (s)',
    'RSS (MiB)',
    'netlink msgs',
  ];
  console.log(head.map((h, i) => (i === 0 ? h.padEnd(15) : h.padStart(14))).join(''));
  for (const { round, kind, r } of rows) {
    const msgs =
      kind === 'keepalived-ts' && r.messages_after && r.messages_before
        ? String(Number(r.messages_after) - Number(r.messages_before))
        : '-';
    console.log(
      [
        kind.padEnd(15),
        String(round).padStart(14),
        (r.full_s ?? '?').padStart(14),
        (r.cpu_pct ?? '?').padStart(14),
        (r.checks_per_s ?? '?').padStart(14),
        usPerCheck(r).toFixed(0).padStart(14),
        (r.gone_s ?? '?').padStart(14),
        (Number(r.rss_kib ?? 0) / 1024).toFixed(1).padStart(14),
        msgs.padStart(14),
      ].join(''),
    );
  }
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  const ratioOf = (f: (r: Record<string, string>) => number): string => {
    const v = (kind: string): number[] => rows.filter((x) => x.kind === kind).map((x) => f(x.r));
    return (mean(v('keepalived-ts')) / mean(v('keepalived'))).toFixed(2);
  };
  const ratio = (field: string): string => ratioOf((r) => Number(r[field]));
  console.log(
    `ratios keepalived-ts / keepalived: table in ${ratio('full_s')}, steady CPU ${ratio('cpu_pct')}, CPU per check ${ratioOf(usPerCheck)}, RS out ${ratio('gone_s')}`,
  );
  console.log(`(a real server in every service going out is ${SERVICES} destination removals)`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
