/**
 * Run the differential cases: a namespace with the interfaces the skeleton names (eth0..eth3,
 * eth0 holding 192.0.2.1/24 and 2001:db8::1/64), the worker inside it (verdicts.mjs), the
 * comparison. Shared by the CI test (test/netns/config-differential.test.ts) and the report
 * (`npm run diff:config`, which writes docs/config-agreement.md). Needs root and keepalived.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Netns, PACKAGE_ROOT } from '../netns/netns.js';
import type { Case } from './cases.js';
import type { Outcome } from './compare.js';

const WORKER = join(PACKAGE_ROOT, 'test', 'differential', 'verdicts.mjs');

/**
 * The lab namespace, always called `kts-diff`: the catalogue's `net_namespace` case names it, and
 * keepalived's -t enters that namespace. One harness run at a time (netns tests run one file at a
 * time; the report runs alone).
 */
export function differentialLab(): Netns {
  const ns = Netns.createNamed(process.env.KTS_DIFF_NS ?? 'kts-diff');
  try {
    ['eth0', 'eth1', 'eth2', 'eth3'].forEach((name, i) => {
      ns.ip(['link', 'add', name, 'type', 'veth', 'peer', 'name', `p${i}`]);
      ns.ip(['link', 'set', name, 'up']);
      ns.ip(['link', 'set', `p${i}`, 'up']);
    });
    ns.ip(['link', 'set', 'lo', 'up']);
    ns.ip(['addr', 'add', '192.0.2.1/24', 'dev', 'eth0']);
    ns.ip(['addr', 'add', '2001:db8::1/64', 'dev', 'eth0', 'nodad']);
  } catch (err) {
    ns.destroy();
    throw err;
  }
  return ns;
}

/** A case for the worker: a generated config, or an existing file run from its own folder. */
export type WorkerCase = Pick<Case, 'id' | 'config'> | { readonly id: string; readonly file: string };

/** Both tools' `-t` on every case, in `ns`. */
export async function runCases(ns: Netns, cases: readonly WorkerCase[]): Promise<Outcome[]> {
  const dir = mkdtempSync(join(tmpdir(), 'kts-diffrun-'));
  try {
    const input = join(dir, 'cases.json');
    const output = join(dir, 'out.json');
    writeFileSync(
      input,
      JSON.stringify(
        cases.map((c) => ('file' in c ? { id: c.id, file: c.file } : { id: c.id, config: c.config })),
      ),
    );
    // KTS_DIFF_DIST: another build of keepalived-ts (while working on the validator).
    const dist = process.env.KTS_DIFF_DIST ?? join(PACKAGE_ROOT, 'dist');
    await new Promise<void>((resolve, reject) => {
      const child = spawn('ip', ['netns', 'exec', ns.name, process.execPath, WORKER, input, dist, output], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let err = '';
      child.stderr.on('data', (b: Buffer) => (err += b.toString()));
      child.on('error', reject);
      child.on('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`verdicts.mjs exited ${code}: ${err}`)),
      );
    });
    return JSON.parse(readFileSync(output, 'utf8')) as Outcome[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
