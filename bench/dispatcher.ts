/**
 * Benchmark: the embedded dispatcher against HAProxy 2.6 (`mode tcp`, roundrobin), both in front
 * of the same three nginx backends, in one throwaway network namespace and the same run.
 * keepalived-ts is the whole daemon (`-C`, lb_algo rr) with W data-plane workers
 * (`--dispatch-workers W`: the service listens in each with SO_REUSEPORT); HAProxy gets
 * `nbthread W` and runs at nice 10, the nice level of our workers (dispatch/worker.ts). wrk is the
 * client. Each W in WORKERS (default "1,2") is a pass of its own with fresh proxies.
 *
 * Workloads, interleaved round by round (the order of the two proxies alternates):
 *   keep-alive      64 connections, ~100-byte responses
 *   conn/request    64 connections, `Connection: close`: a new TCP connection per request
 *   64 KiB          64 connections, keep-alive, 64 KiB responses
 * For each: req/s, p99 latency, MB/s and the proxy's CPU (% of one core, all threads), medians of R
 * rounds, and the ratio keepalived-ts / HAProxy (target ≥ 0.8; for p99 and CPU lower is better, so
 * the ratio printed there is HAProxy / keepalived-ts).
 *
 * Then memory: RSS of each proxy at rest and with IDLE idle proxied connections (each client has sent
 * half an HTTP request, so the upstream connection is open too). The issue asks for 10,000, but a
 * proxied connection takes two descriptors and this machine's hard limit is 20,000 per process (root
 * cannot raise it here), so the default is 9,000; the per-connection cost is printed as well.
 *
 * Run as root with haproxy, nginx-light and wrk installed: `npm run bench:dispatcher`
 * (SECONDS=length of one wrk run, default 10; R=rounds, default 3; IDLE=idle connections, default
 * 9000; WORKERS=comma-separated worker/thread counts, default 1,2; ONLY=run the workloads whose
 * name contains it, e.g. ONLY=conn/request; PROF=dir: V8 CPU profiles of the daemon's threads,
 * written when it stops).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from '../test/netns/netns.js';
import {
  TICKS_PER_S,
  checkerDaemonArgv,
  cpuTicks,
  machineLine,
  median,
  requireCommand,
  rssKiB,
  runBench,
  sh,
  sleep,
  waitFor,
} from './common.js';

const SECONDS = Number(process.env.SECONDS ?? 10);
const ROUNDS = Number(process.env.R ?? 3);
const IDLE = Number(process.env.IDLE ?? 9000);
const WORKERS = (process.env.WORKERS ?? '1,2').split(',').map(Number);
/** Our data-plane workers' nice level (dispatch/worker.ts); HAProxy runs at it too. */
const WORKER_NICE = 10;
const CONNECTIONS = 64;
const VIP = '192.0.2.1';
const KTS_PORT = 80;
const HAPROXY_PORT = 81;
const BACKENDS = [8081, 8082, 8083];

const ns = `kts-bdsp-${process.pid}`;
const dir = mkdtempSync(join(tmpdir(), 'kts-bench-dispatcher-'));
const procs: ChildProcess[] = [];

const SMALL_BODY = 'x'.repeat(100);

const NGINX = `user root;
worker_processes 1;
worker_rlimit_nofile 19500;
pid ${dir}/nginx.pid;
error_log ${dir}/nginx.err warn;
events { worker_connections 19000; }
http {
  access_log off;
  keepalive_requests 10000000;
  keepalive_timeout 300s;
  client_header_timeout 300s;
  default_type text/plain;
  server {
${BACKENDS.map((p) => `    listen 127.0.0.1:${p};`).join('\n')}
    location = / { return 200 "${SMALL_BODY}"; }
    location = /big { alias ${dir}/big.bin; }
  }
}
`;

const haproxyConfig = (threads: number): string => `global
  nbthread ${threads}
  maxconn ${IDLE + 200}
defaults
  mode tcp
  timeout connect 5s
  timeout client 300s
  timeout server 300s
frontend bench
  bind ${VIP}:${HAPROXY_PORT}
  default_backend nginx
backend nginx
  balance roundrobin
${BACKENDS.map((p, i) => `  server s${i + 1} 127.0.0.1:${p}`).join('\n')}
`;

const KEEPALIVED = `global_defs {
  router_id bench
}
virtual_server ${VIP} ${KTS_PORT} {
  lb_algo rr
  lb_kind NAT
  protocol TCP
${BACKENDS.map((p) => `  real_server 127.0.0.1 ${p} {\n    weight 1\n  }`).join('\n')}
}
`;

/** Holds IDLE connections open through a proxy, each with half a request sent; says "held N". */
const HOLDER = `
const net = require('node:net');
const [host, port, n] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3])];
let open = 0;
const socks = [];
function one() {
  const s = net.connect({ host, port }, () => {
    s.write('GET / HTTP/1.1\\r\\nHost: bench\\r\\n');
    if (++open === n) console.log('held ' + open);
  });
  s.on('error', (e) => { console.error(e.message); process.exit(1); });
  s.on('close', () => { console.error('closed early'); process.exit(1); });
  socks.push(s);
}
let started = 0;
(function batch() { for (let i = 0; i < 500 && started < n; i++, started++) one(); if (started < n) setTimeout(batch, 20); })();
`;

function inNs(argv: readonly string[], out: 'pipe' | 'ignore' = 'ignore'): ChildProcess {
  const p = spawn('ip', ['netns', 'exec', ns, ...argv], { stdio: ['ignore', out, 'pipe'], detached: true });
  procs.push(p);
  return p;
}

interface Workload {
  readonly name: string;
  readonly path: string;
  readonly close: boolean;
}
const WORKLOADS: readonly Workload[] = [
  { name: 'keep-alive 100 B', path: '/', close: false },
  { name: 'conn/request 100 B', path: '/', close: true },
  { name: 'keep-alive 64 KiB', path: '/big', close: false },
].filter((w) => w.name.includes(process.env.ONLY ?? ''));

interface Run {
  readonly rps: number;
  readonly p99Ms: number;
  readonly mbps: number;
  readonly cpu: number;
  readonly errors: number;
}

function unitMs(value: string, unit: string): number {
  const v = Number(value);
  return unit === 'us' ? v / 1000 : unit === 's' ? v * 1000 : v;
}

function unitMB(value: string, unit: string): number {
  const v = Number(value);
  return unit === 'KB' ? v / 1024 : unit === 'GB' ? v * 1024 : unit === 'B' ? v / 2 ** 20 : v;
}

async function wrk(port: number, w: Workload, pid: number): Promise<Run> {
  const args = ['wrk', '-t1', `-c${CONNECTIONS}`, `-d${SECONDS}s`, '--latency'];
  if (w.close) args.push('-H', 'Connection: close');
  args.push(`http://${VIP}:${port}${w.path}`);
  const c0 = cpuTicks(pid);
  const t0 = Date.now();
  const p = inNs(args, 'pipe');
  let out = '';
  p.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  const code = await new Promise<number | null>((r) => p.once('exit', r));
  const seconds = (Date.now() - t0) / 1000;
  const cpu = ((cpuTicks(pid) - c0) / TICKS_PER_S / seconds) * 100;
  if (code !== 0) throw new Error(`wrk exited ${code}: ${out}`);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
  const p99 = /\s99%\s+([\d.]+)(us|ms|s)/.exec(out);
  const tput = /Transfer\/sec:\s+([\d.]+)(B|KB|MB|GB)/.exec(out);
  if (!rps || !p99 || !tput) throw new Error(`cannot read wrk's output:\n${out}`);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  const errors =
    (socketErrors ? socketErrors.slice(1).reduce((a, b) => a + Number(b), 0) : 0) + Number(non2xx?.[1] ?? 0);
  return {
    rps: Number(rps[1]),
    p99Ms: unitMs(p99[1] as string, p99[2] as string),
    mbps: unitMB(tput[1] as string, tput[2] as string),
    cpu,
    errors,
  };
}

async function holdIdle(port: number): Promise<ChildProcess> {
  const p = inNs([process.execPath, '-e', HOLDER, VIP, String(port), String(IDLE)], 'pipe');
  let err = '';
  p.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  let held = false;
  p.stdout?.on('data', (c: Buffer) => (held ||= c.toString().includes('held')));
  await waitFor(`${IDLE} idle connections`, () => held || p.exitCode !== null, 120_000);
  if (!held) throw new Error(`idle holder failed: ${err}`);
  return p;
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('run as root (network namespace)');
  requireCommand('haproxy', 'haproxy');
  requireCommand('nginx', 'nginx-light');
  requireCommand('wrk', 'wrk');
  console.log(machineLine());
  sh('ip', ['netns', 'add', ns]);
  sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  sh('ip', ['-n', ns, 'addr', 'add', `${VIP}/32`, 'dev', 'lo']);
  // wrk opens ~10^4 connections a second to one address and port: without reuse its ephemeral
  // ports run out on TIME_WAIT within seconds and the run measures that, not the proxy.
  sh('ip', ['netns', 'exec', ns, 'sysctl', '-q', 'net.ipv4.tcp_tw_reuse=1']);
  sh('ip', ['netns', 'exec', ns, 'sysctl', '-q', 'net.ipv4.ip_local_port_range=1024 65535']);
  writeFileSync(join(dir, 'big.bin'), Buffer.alloc(64 * 1024, 'y'));
  writeFileSync(join(dir, 'nginx.conf'), NGINX);
  writeFileSync(join(dir, 'keepalived.conf'), KEEPALIVED);
  inNs(['nginx', '-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;']);
  for (const workers of WORKERS) await pass(workers);
}

/** One pass: both proxies with `workers` workers / threads, every workload, then idle memory. */
async function pass(workers: number): Promise<void> {
  writeFileSync(join(dir, 'haproxy.cfg'), haproxyConfig(workers));
  const haproxy = inNs(['nice', '-n', String(WORKER_NICE), 'haproxy', '-db', '-f', join(dir, 'haproxy.cfg')]);
  const kts = inNs(checkerDaemonArgv(CLI, dir, ['--dispatch-workers', String(workers)]), 'pipe');
  let listening = false;
  kts.stdout?.on('data', (c: Buffer) => (listening ||= c.toString().includes('"dispatch.listening"')));
  await waitFor('keepalived-ts listening', () => listening, 30_000);
  await sleep(1000);
  const proxies = [
    { name: 'HAProxy', port: HAPROXY_PORT, pid: haproxy.pid ?? 0 },
    { name: 'keepalived-ts', port: KTS_PORT, pid: kts.pid ?? 0 },
  ];
  const rest = proxies.map((p) => rssKiB(p.pid));

  // Warm both up (JIT, buffers) before measuring.
  for (const p of proxies)
    for (const w of WORKLOADS) await wrk(p.port, { ...w, name: 'warm-up' }, p.pid).catch(() => undefined);

  const runs = new Map<string, Run[]>();
  for (let r = 0; r < ROUNDS; r++)
    for (const w of WORKLOADS) {
      const order = r % 2 ? [...proxies].reverse() : proxies;
      for (const p of order) {
        const run = await wrk(p.port, w, p.pid);
        process.stderr.write(
          `round ${r + 1} ${w.name} ${p.name}: ${run.rps.toFixed(0)} req/s, p99 ${run.p99Ms.toFixed(2)} ms, ${run.mbps.toFixed(1)} MB/s, CPU ${run.cpu.toFixed(0)}%${run.errors ? `, ${run.errors} errors` : ''}\n`,
        );
        const key = `${w.name}|${p.name}`;
        runs.set(key, [...(runs.get(key) ?? []), run]);
      }
    }

  // Idle connections, one proxy at a time.
  const idle: number[] = [];
  for (const p of proxies) {
    const holder = await holdIdle(p.port);
    await sleep(2000);
    idle.push(rssKiB(p.pid));
    holder.kill('SIGKILL');
    await new Promise((r) => holder.once('exit', r));
    await sleep(2000);
  }

  const pick = (w: Workload, proxy: string, f: (r: Run) => number): number =>
    median((runs.get(`${w.name}|${proxy}`) ?? []).map(f));
  console.log(
    `\nDispatcher, ${workers} worker(s) / nbthread ${workers}, both at nice ${WORKER_NICE} (${new Date().toISOString().slice(0, 10)}): wrk -t1 -c${CONNECTIONS} -d${SECONDS}s, 3 nginx backends, median of ${ROUNDS} interleaved rounds`,
  );
  console.log(
    `${'workload'.padEnd(20)}${'proxy'.padEnd(15)}${'req/s'.padStart(10)}${'p99 ms'.padStart(9)}${'MB/s'.padStart(9)}${'CPU %'.padStart(7)}${'errors'.padStart(8)}`,
  );
  for (const w of WORKLOADS) {
    for (const p of proxies) {
      const xs = runs.get(`${w.name}|${p.name}`) ?? [];
      console.log(
        `${w.name.padEnd(20)}${p.name.padEnd(15)}${pick(w, p.name, (r) => r.rps)
          .toFixed(0)
          .padStart(10)}${pick(w, p.name, (r) => r.p99Ms)
          .toFixed(2)
          .padStart(9)}${pick(w, p.name, (r) => r.mbps)
          .toFixed(1)
          .padStart(9)}${pick(w, p.name, (r) => r.cpu)
          .toFixed(0)
          .padStart(7)}${String(xs.reduce((a, r) => a + r.errors, 0)).padStart(8)}`,
      );
    }
    const ratio = (f: (r: Run) => number, inverse = false): string => {
      const k = pick(w, 'keepalived-ts', f);
      const h = pick(w, 'HAProxy', f);
      return (inverse ? h / k : k / h).toFixed(2);
    };
    console.log(
      `${''.padEnd(20)}${'ratio'.padEnd(15)}${ratio((r) => r.rps).padStart(10)}${ratio((r) => r.p99Ms, true).padStart(9)}${ratio((r) => r.mbps).padStart(9)}${ratio((r) => r.cpu, true).padStart(7)}   (kts/HAProxy; p99, CPU: HAProxy/kts; target ≥ 0.8)`,
    );
  }
  console.log(`\nMemory with ${IDLE} idle proxied connections (two sockets each):`);
  proxies.forEach((p, i) => {
    const base = (rest[i] as number) / 1024;
    const held = (idle[i] as number) / 1024;
    console.log(
      `  ${p.name.padEnd(14)} at rest ${base.toFixed(1)} MiB, with ${IDLE} idle ${held.toFixed(1)} MiB (${(((held - base) * 1024) / IDLE).toFixed(2)} KiB per connection)`,
    );
  });
  console.log(
    `  ratio keepalived-ts / HAProxy with ${IDLE} idle: ${((idle[1] as number) / (idle[0] as number)).toFixed(2)}`,
  );
  for (const p of [haproxy, kts]) {
    p.kill('SIGTERM');
    if (p.exitCode === null) await new Promise((r) => p.once('exit', r));
  }
}

runBench(main, { procs, ns, dir });
