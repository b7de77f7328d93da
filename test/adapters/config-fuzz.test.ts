/**
 * Fuzzing the config reader: 10,000 random mutations of real configs (keepalived's samples and
 * our conformance fixtures) must each give diagnostics, never an exception, and never hang. The
 * cases run in child processes (test/fuzz/config-fuzz-worker.mjs, on the built reader) so that a
 * hang is caught by a timeout instead of freezing the test runner. Seeded: failures replay.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const WORKER = fileURLToPath(new URL('../fuzz/config-fuzz-worker.mjs', import.meta.url));
const BUILT = fileURLToPath(new URL('../../dist/config/load.js', import.meta.url));
const SAMPLES = fileURLToPath(new URL('../fixtures/keepalived-samples', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../fixtures/conformance', import.meta.url));

const CASES = 10_000;
const SEED = Number(process.env.KTS_FUZZ_SEED ?? 20261123);
/** A chunk of cases that takes seconds; more than this means a hang. */
const CHUNK_TIMEOUT_MS = 90_000;

function corpus(): string[] {
  const files: string[] = [];
  for (const dir of [SAMPLES, FIXTURES]) {
    for (const f of readdirSync(dir))
      if (f.startsWith('keepalived.conf.') || f.endsWith('.conf')) files.push(`${dir}/${f}`);
  }
  return files.sort();
}

interface Summary {
  cases?: number;
  diagnostics?: number;
  withErrors?: number;
  failed?: { case: number; seed: number; error: string; text: string };
}

function runChunk(first: number, count: number, files: string[]): Promise<Summary> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WORKER, String(SEED), String(first), String(count), ...files], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `fuzz cases ${first}..${first + count - 1} (seed ${SEED}) did not finish in ${CHUNK_TIMEOUT_MS} ms: a hang`,
        ),
      );
    }, CHUNK_TIMEOUT_MS);
    child.on('close', () => {
      clearTimeout(timer);
      const line = out.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(line) as Summary);
      } catch {
        reject(new Error(`fuzz worker died: ${err || out}`));
      }
    });
  });
}

describe('config reader fuzzing', () => {
  it(`${CASES} mutated configs: diagnostics, no exception, no hang`, { timeout: 600_000 }, async () => {
    expect(existsSync(BUILT), 'run `npm run build` first (npm test does)').toBe(true);
    const files = corpus();
    expect(files.length).toBeGreaterThan(40);
    const chunks = 20;
    const size = CASES / chunks;
    const summaries: Summary[] = [];
    // Two at a time: this machine has two cores.
    for (let c = 0; c < chunks; c += 2) {
      summaries.push(
        ...(await Promise.all([runChunk(c * size, size, files), runChunk((c + 1) * size, size, files)])),
      );
    }
    const failed = summaries.find((s) => s.failed)?.failed;
    expect(
      failed,
      failed && `case ${failed.case} (seed ${failed.seed}): ${failed.error}\n--- input ---\n${failed.text}`,
    ).toBeUndefined();
    expect(summaries.reduce((n, s) => n + (s.cases ?? 0), 0)).toBe(CASES);
    // Mutants of real configs are mostly broken: the reader must have said so, not stayed quiet.
    expect(summaries.reduce((n, s) => n + (s.withErrors ?? 0), 0)).toBeGreaterThan(CASES / 2);
  });
});
