// Benchmark: `keepalived-ts -t` against keepalived 2.2.7's `keepalived -t` on one large generated
// keepalived.conf (200 vrrp_instances, 2,000 virtual_servers of 8 real_servers with HTTP_GET).
// Both run interleaved inside a throwaway network namespace that has an `eth0`, as -t checks that
// interfaces exist. Needs root, iproute2 and keepalived; `npm run bench:parse` builds dist/ first.
// BENCH_RUNS=N sets the repetitions per tool (default 5); BENCH_LINES=N makes the config about N
// lines long (more virtual servers; default 192,005, e.g. BENCH_LINES=2000000). Only
// documentation addresses are used (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24) and no packet
// is sent.
import { spawnSync } from 'node:child_process';
import console from 'node:console'; // explicit, so lint needs no Node globals for .mjs
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { setImmediate as tick } from 'node:timers/promises';
import { URL, fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const GNU_TIME = '/usr/bin/time';
const NETNS = `kts-bench-${process.pid}`;
const RUN_TIMEOUT_MS = 120_000;

const INSTANCES = 200;
const VIRTUAL_SERVERS = 2_000;
/** Lines of the default config; one virtual server of 8 real servers is 95 of them. */
const DEFAULT_LINES = 192_005;
const LINES_PER_VS = 95;
const REAL_SERVERS_PER_VS = 8;

// ---- config generation ----

/** `prefix.n` for a /24 documentation range; n must be a host number. */
function host(prefix, n) {
  if (!Number.isInteger(n) || n < 1 || n > 254) throw new Error(`host number out of range: ${n}`);
  return `${prefix}.${n}`;
}

// VIPs take 198.51.100.1-200; real servers share the rest of 198.51.100.0/24 and all of 203.0.113.0/24.
const vip = (i) => host('198.51.100', i);
const REAL_POOL = [
  ...Array.from({ length: 54 }, (_, k) => host('198.51.100', 201 + k)),
  ...Array.from({ length: 254 }, (_, k) => host('203.0.113', 1 + k)),
];

/** Real server k (0-based, over all virtual servers): address cycles the pool, port steps per lap. */
function realServer(k) {
  return [REAL_POOL[k % REAL_POOL.length], 8000 + Math.floor(k / REAL_POOL.length)];
}

function globalDefs() {
  return ['global_defs {', '  router_id bench', '  enable_script_security', '  script_user root', '}', ''];
}

function vrrpInstance(i) {
  return [
    `vrrp_instance VI_${i} {`,
    '  interface eth0',
    `  virtual_router_id ${i}`,
    '  priority 100',
    '  advert_int 1',
    '  virtual_ipaddress {',
    `    ${vip(i)}`,
    '  }',
    '}',
    '',
  ];
}

/** Virtual server i (0-based): 192.0.2.x, port i+1, so address+port is unique. */
function virtualServer(i) {
  const lines = [
    `virtual_server ${host('192.0.2', 1 + (i % 254))} ${i + 1} {`,
    '  delay_loop 6',
    '  lb_algo rr',
    '  lb_kind NAT',
    '  protocol TCP',
  ];
  for (let j = 0; j < REAL_SERVERS_PER_VS; j++) {
    const [addr, port] = realServer(i * REAL_SERVERS_PER_VS + j);
    lines.push(
      `  real_server ${addr} ${port} {`,
      '    HTTP_GET {',
      '      url {',
      '        path /health',
      '        status_code 200',
      '      }',
      '      connect_timeout 3',
      '      retry 3',
      '      delay_before_retry 3',
      '    }',
      '  }',
    );
  }
  lines.push('}', '');
  return lines;
}

function generateConfig(virtualServers) {
  const lines = globalDefs();
  for (let i = 1; i <= INSTANCES; i++) lines.push(...vrrpInstance(i));
  for (let i = 0; i < virtualServers; i++) lines.push(...virtualServer(i));
  return lines.join('\n');
}

// ---- network namespace ----

function ip(args) {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new Error(`ip ${args.join(' ')} failed: ${(r.stderr || r.error?.message || '').trim()}`);
  }
}

/** Give the (already added) namespace an `eth0`, up, with its veth peer `eth0p`. */
function addEth0() {
  ip(['-n', NETNS, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0p']);
  ip(['-n', NETNS, 'link', 'set', 'eth0', 'up']);
  ip(['-n', NETNS, 'link', 'set', 'eth0p', 'up']);
}

/** Kill what is still running in our namespace (a timed-out run), by pid, then delete it. */
function deleteNetns() {
  const pids = spawnSync('ip', ['netns', 'pids', NETNS], { encoding: 'utf8' }).stdout ?? '';
  for (const pid of pids.split(/\s+/).filter(Boolean)) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // already gone
    }
  }
  spawnSync('ip', ['netns', 'del', NETNS]);
}

// ---- timing ----

/** One run of argv in the namespace: wall seconds, exit code, stderr lines, max RSS (KiB) if known. */
function timeRun(argv, withTime) {
  const cmd = withTime ? [GNU_TIME, '-q', '-f', '%M', ...argv] : argv;
  const start = process.hrtime.bigint();
  const r = spawnSync('ip', ['netns', 'exec', NETNS, ...cmd], {
    encoding: 'utf8',
    timeout: RUN_TIMEOUT_MS,
    killSignal: 'SIGKILL',
    maxBuffer: 256 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.error && r.error.code !== 'ETIMEDOUT') throw r.error;
  const stderr = (r.stderr ?? '').split('\n').filter((l) => l.trim() !== '');
  let rssKiB;
  if (withTime && /^\d+$/.test(stderr.at(-1) ?? '')) rssKiB = Number(stderr.pop());
  const exit = r.error ? 'timeout' : (r.status ?? r.signal);
  return { seconds, exit, stderr, stdout: r.stdout ?? '', rssKiB };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

// ---- report ----

function summarize(name, runs) {
  const secs = runs.map((r) => r.seconds);
  const rss = runs.map((r) => r.rssKiB).filter((x) => x !== undefined);
  return {
    name,
    min: Math.min(...secs),
    median: median(secs),
    max: Math.max(...secs),
    exits: [...new Set(runs.map((r) => String(r.exit)))].join(','),
    rssMiB: rss.length ? median(rss) / 1024 : undefined,
  };
}

function printTable(rows) {
  const header = ['tool', 'min s', 'median s', 'max s', 'exit codes', 'max RSS MiB (median)'];
  const cells = rows.map((r) => [
    r.name,
    r.min.toFixed(3),
    r.median.toFixed(3),
    r.max.toFixed(3),
    r.exits,
    r.rssMiB === undefined ? 'n/a' : r.rssMiB.toFixed(1),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...cells.map((row) => row[c].length)));
  for (const row of [header, ...cells]) {
    console.log(
      row
        .map((x, c) => x.padEnd(widths[c]))
        .join('  ')
        .trimEnd(),
    );
  }
}

function printDiagnostics(name, first) {
  console.log(`\n${name}: ${first.stderr.length} stderr line(s) on the first run (exit ${first.exit})`);
  for (const line of first.stderr.slice(0, 3)) console.log(`  ${line}`);
  if (first.stdout.trim()) console.log(`  (+ ${first.stdout.trim().split('\n').length} stdout line(s))`);
}

/** keepalived 2.2.7 sometimes dies with "Terminated" (exit 143 / SIGTERM): say so if it did. */
function reportTerminated(runs) {
  const hit = runs.filter(
    (r) => r.exit === 143 || r.exit === 'SIGTERM' || r.stderr.some((l) => /Terminated/.test(l)),
  );
  if (hit.length)
    console.log(`\nnote: keepalived was "Terminated" (143) in ${hit.length} of ${runs.length} runs`);
}

// ---- main ----

/**
 * Virtual servers for BENCH_LINES (default 192,005: 2,000 of them), or undefined if it is not an
 * integer from 192,005 to 3,000,000 (VS ports and real-server ports stay in range up to there).
 */
function parseVirtualServers(value) {
  if (value === undefined || value === '') return VIRTUAL_SERVERS;
  const n = Number(value);
  if (!Number.isInteger(n) || n < DEFAULT_LINES || n > 3_000_000) return undefined;
  return VIRTUAL_SERVERS + Math.round((n - DEFAULT_LINES) / LINES_PER_VS);
}

/** Repetitions per tool from BENCH_RUNS (default 5), or undefined if it is not a positive integer. */
function parseRuns(value) {
  if (value === undefined || value === '') return 5;
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 ? n : undefined;
}

/** Why the benchmark cannot run here, or undefined. */
function preflight() {
  if (!existsSync(CLI)) return `${CLI} is missing: run \`npm run build\` first (or \`npm run bench:parse\`)`;
  if (process.getuid?.() !== 0)
    return 'this benchmark needs root to create a network namespace (ip netns add)';
  if (parseVirtualServers(process.env.BENCH_LINES) === undefined)
    return `BENCH_LINES must be an integer from ${DEFAULT_LINES} to 3000000, got ${process.env.BENCH_LINES}`;
  if (parseRuns(process.env.BENCH_RUNS) === undefined) {
    return `BENCH_RUNS must be a positive integer, got ${process.env.BENCH_RUNS}`;
  }
  return undefined;
}

async function main() {
  const problem = preflight();
  if (problem) {
    console.error(`bench/parse: ${problem}`);
    return 1;
  }
  const runs = parseRuns(process.env.BENCH_RUNS);
  const withTime = existsSync(GNU_TIME);

  let interrupted = false;
  const onSignal = () => (interrupted = true);
  const checkpoint = async () => {
    await tick(); // let a pending SIGINT/SIGTERM handler run
    if (interrupted) throw new Error('interrupted');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const dir = mkdtempSync(path.join(os.tmpdir(), 'kts-bench-'));
  let netnsMade = false;
  try {
    const file = path.join(dir, 'keepalived.conf');
    const text = generateConfig(parseVirtualServers(process.env.BENCH_LINES));
    writeFileSync(file, text);
    const lines = text.split('\n').length - 1; // the text ends with a newline
    const kaVersion = (spawnSync('keepalived', ['--version'], { encoding: 'utf8' }).stderr ?? '').split(
      '\n',
    )[0];
    console.log(
      `${new Date().toISOString()} on ${os.cpus()[0]?.model ?? 'unknown CPU'} (${os.cpus().length} cores, ` +
        `${Math.round(os.totalmem() / 2 ** 30)} GiB), Node ${process.version}, ${kaVersion}`,
    );
    console.log(`config: ${file}, ${(statSync(file).size / 1024 / 1024).toFixed(2)} MiB, ${lines} lines`);
    await checkpoint();

    try {
      ip(['netns', 'add', NETNS]);
      netnsMade = true;
      addEth0();
    } catch (err) {
      console.error(`bench/parse: cannot create network namespace ${NETNS}: ${err.message}`);
      return 1;
    }

    const tools = [
      { name: 'keepalived-ts', argv: [process.execPath, CLI, '-t', '-f', file], runs: [] },
      { name: 'keepalived', argv: ['keepalived', '-t', '-f', file], runs: [] },
    ];
    console.log(`runs: ${runs} per tool, interleaved${withTime ? '' : ` (no ${GNU_TIME}: RSS skipped)`}\n`);
    for (let r = 0; r < runs; r++) {
      // Alternate which tool goes first, so neither always runs on a warmer machine.
      for (const tool of r % 2 ? [...tools].reverse() : tools) {
        const result = timeRun(tool.argv, withTime);
        await checkpoint();
        tool.runs.push(result);
      }
    }

    const [ts, ka] = tools.map((t) => summarize(t.name, t.runs));
    printTable([ts, ka]);
    const ratio = ts.median / ka.median;
    console.log(`\nratio keepalived-ts / keepalived (median): ${ratio.toFixed(3)} (target < 1)`);
    if (ts.rssMiB !== undefined && ka.rssMiB !== undefined)
      console.log(`memory ratio (median max RSS): ${(ts.rssMiB / ka.rssMiB).toFixed(2)} (target <= 2)`);
    for (const t of tools) printDiagnostics(t.name, t.runs[0]);
    reportTerminated(tools[1].runs);
    return 0;
  } catch (err) {
    console.error(`bench/parse: ${err.message}`);
    return interrupted ? 130 : 1;
  } finally {
    if (netnsMade) deleteNetns();
    rmSync(dir, { recursive: true, force: true });
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

process.exitCode = await main();
