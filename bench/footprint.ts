/**
 * Benchmark: resident memory of a director at rest (issue 19), keepalived-ts beside Debian's
 * keepalived 2.2.7 in the same network-namespace lab (test/netns/lab.ts), one run:
 *
 * - VRRP only, 1 instance and 100 instances (one VIP each), a lone MASTER;
 * - checkers: 100 virtual servers of 10 real servers with TCP_CHECK at delay_loop 1 (1,000 real
 *   servers), keepalived-ts only: keepalived's checker needs the kernel's IPVS, which this
 *   machine lacks (docs/vm-lab.md).
 *
 * Each daemon runs for SETTLE seconds after it is up (every instance MASTER, or start-up complete),
 * then the resident memory of its process tree is read from /proc (keepalived -P: the parent and
 * its VRRP child; keepalived-ts: one process, its worker threads included). For scale, a bare
 * `node` idling on this machine is also measured. Run as root: `npm run bench:footprint` (SETTLE=10).
 */
import { execFileSync } from 'node:child_process';
import { Lab, type Daemon, type LabHost } from '../test/netns/lab.js';
import { config, instanceBlock } from '../test/netns/vrrp-conf.js';
import { machineLine, sleep, treeRssKiB } from './common.js';

const SETTLE_S = Number(process.env.SETTLE ?? 10);

type Kind = 'keepalived-ts' | 'keepalived';

function vrrpConfig(instances: number): string {
  const blocks = Array.from({ length: instances }, (_, i) =>
    instanceBlock({
      name: `VI_${i + 1}`,
      vrid: i + 1,
      priority: 150,
      state: 'MASTER',
      vips: [`203.0.113.${i + 1}/24`],
    }),
  );
  return config(...blocks);
}

/** 100 virtual servers × 10 real servers on `target` (closed ports: every check is refused). */
function checkerConfig(target: LabHost): string {
  const services = Array.from({ length: 100 }, (_, v) =>
    [
      `virtual_server 198.51.100.${v + 1} 80 {`,
      '  delay_loop 1',
      '  lb_algo rr',
      '  lb_kind DR',
      '  protocol TCP',
      ...Array.from({ length: 10 }, (_, r) =>
        [
          `  real_server ${target.ip4} ${20_000 + v * 10 + r} {`,
          '    TCP_CHECK {',
          '      connect_timeout 1',
          '    }',
          '  }',
        ].join('\n'),
      ),
      '}',
    ].join('\n'),
  );
  return config(...services);
}

interface Row {
  readonly scenario: string;
  readonly kind: Kind;
  readonly rssKiB: number | null;
}

async function measure(
  lab: Lab,
  kind: Kind,
  conf: string,
  upWhen: (d: Daemon) => Promise<unknown>,
): Promise<number> {
  const host = lab.host(1);
  const d = kind === 'keepalived-ts' ? await lab.startKts(host, conf) : await lab.startKeepalived(host, conf);
  try {
    await upWhen(d);
    await sleep(SETTLE_S * 1000);
    const pid = d.proc.pid;
    if (pid === undefined) throw new Error(`${kind} has no pid`);
    return treeRssKiB(pid);
  } finally {
    await d.stop();
  }
}

async function main(): Promise<void> {
  const lab = Lab.create('bfp', 2);
  const rows: Row[] = [];
  try {
    for (const instances of [1, 100]) {
      const scenario = `VRRP, ${instances} instance${instances === 1 ? '' : 's'}`;
      for (const kind of ['keepalived-ts', 'keepalived'] as const) {
        const r = await measure(lab, kind, vrrpConfig(instances), async (d) => {
          for (let i = 1; i <= instances; i++)
            await d.waitForLine(new RegExp(`\\(VI_${i}\\) Entering MASTER STATE`), 30_000);
        });
        rows.push({ scenario, kind, rssKiB: r });
        process.stderr.write(`${scenario} ${kind}: ${r} KiB\n`);
      }
    }
    const scenario = 'checkers, 1,000 real servers';
    const r = await measure(lab, 'keepalived-ts', checkerConfig(lab.host(2)), () => Promise.resolve());
    rows.push({ scenario, kind: 'keepalived-ts', rssKiB: r });
    rows.push({ scenario, kind: 'keepalived', rssKiB: null });
  } finally {
    lab.destroy();
  }

  const bare = bareNodeKiB();
  const mib = (k: number | null): string => (k === null ? '-' : (k / 1024).toFixed(1));
  console.log(`\n${machineLine()}`);
  console.log(`\nResident memory at rest, ${SETTLE_S} s after start-up (MiB)\n`);
  console.log('scenario                        keepalived-ts   keepalived   ratio');
  for (const scenario of [...new Set(rows.map((r) => r.scenario))]) {
    const ts = rows.find((r) => r.scenario === scenario && r.kind === 'keepalived-ts');
    const ka = rows.find((r) => r.scenario === scenario && r.kind === 'keepalived');
    const ratio =
      ts?.rssKiB != null && ka?.rssKiB != null ? (ts.rssKiB / ka.rssKiB).toFixed(2) : 'n/a (needs IPVS)';
    console.log(
      `${scenario.padEnd(32)}${mib(ts?.rssKiB ?? null).padStart(13)}${mib(ka?.rssKiB ?? null).padStart(13)}   ${ratio}`,
    );
  }
  console.log(`\nA bare node idling (node -e 'setInterval(() => {}, 1000)'): ${mib(bare)} MiB`);
}

/** The floor Node itself sets: an idle `node` with nothing loaded. */
function bareNodeKiB(): number {
  const out = execFileSync(
    process.execPath,
    [
      '-e',
      "setTimeout(() => console.log(/VmRSS:\\s+(\\d+)/.exec(require('fs').readFileSync('/proc/self/status', 'utf8'))[1]), 2000)",
    ],
    { encoding: 'utf8' },
  );
  return Number(out.trim());
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
