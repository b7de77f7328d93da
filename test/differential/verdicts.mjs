// The differential harness's worker, run inside the test's network namespace (`ip netns exec`):
// for each case, keepalived 2.2.7's `-t` verdict (a child process, two at a time) and
// keepalived-ts's, computed in this process with the same functions as `keepalived-ts -t` (the
// built dist/), so thousands of cases cost milliseconds each on our side.
//
//   node verdicts.mjs CASES.json DIST_DIR OUT.json
//
// CASES.json: [{ id, config }] or [{ id, file }] (an existing file, run from its own folder so its
// relative includes resolve). OUT.json: [{ id, keepalived: {status, lines}, ours: {status, lines} }],
// status a number, 'timeout' or 'crash'; lines as each tool printed them.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [casesPath, distDir, outPath] = process.argv.slice(2);
const cases = JSON.parse(readFileSync(casesPath, 'utf8'));
const load = async (rel) => import(pathToFileURL(join(distDir, rel)).href);
const { loadConfig } = await load('config/load.js');
const { configTestExitCode, formatDiagnostic } = await load('config/diagnostics.js');
const { nodeConfigFs } = await load('host/config-fs.js');
const { localHostFacts } = await load('host/host-facts.js');

const dir = mkdtempSync(join(tmpdir(), 'kts-diff-'));
const host = localHostFacts();
const configId = hostname().split('.')[0] ?? '';
const PARALLEL = Number(process.env.KTS_DIFF_LANES ?? 2);
// While fixing differences: KTS_DIFF_REFERENCE=FILE (an earlier KTS_DIFF_OUTCOMES dump) reuses
// keepalived's result for every case whose config text is unchanged. CI never sets it.
const reference = new Map();
if (process.env.KTS_DIFF_REFERENCE) {
  for (const o of JSON.parse(readFileSync(process.env.KTS_DIFF_REFERENCE, 'utf8'))) reference.set(o.id, o);
}

function keepalived(file, cwd) {
  return new Promise((resolve) => {
    execFile(
      'keepalived',
      ['-t', '-f', file],
      { cwd, timeout: 20_000, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const status = err?.killed
          ? 'timeout'
          : err
            ? typeof err.code === 'number'
              ? err.code
              : 'crash'
            : 0;
        resolve({ status, lines: `${stdout}${stderr}`.split('\n').filter((l) => l !== '') });
      },
    );
  });
}

function ours(file, cwd) {
  try {
    const loaded = loadConfig(file, {
      fs: nodeConfigFs,
      cwd,
      configId,
      randomInt: (min) => min,
      allConfig: false,
      host,
    });
    // What keepalived only logs (NOTICE: log_message() lines, which its -t does not print) is
    // left out of the comparison; our own notes are filtered in compare.ts.
    const shown = loaded.diagnostics.filter((d) => d.severity !== 'info');
    return { status: configTestExitCode(loaded.diagnostics), lines: shown.map(formatDiagnostic) };
  } catch (err) {
    return { status: 'crash', lines: [String(err?.stack ?? err)] };
  }
}

const results = new Array(cases.length);
let next = 0;
async function lane() {
  while (next < cases.length) {
    const i = next++;
    const c = cases[i];
    // A generated case is written to our folder; a fixture file is read where it is (by its
    // base name, from its folder, as a user would run it).
    const file = c.file ? basename(c.file) : join(dir, `case-${i}.conf`);
    const cwd = c.file ? dirname(c.file) : dir;
    if (!c.file) writeFileSync(file, c.config);
    const cached = reference.get(c.id);
    const theirs =
      !c.file && cached?.config === c.config ? Promise.resolve(cached.keepalived) : keepalived(file, cwd);
    const mine = ours(file, cwd);
    results[i] = { id: c.id, config: c.config, keepalived: await theirs, ours: mine };
  }
}
try {
  await Promise.all(Array.from({ length: PARALLEL }, lane));
  writeFileSync(outPath, JSON.stringify(results));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
