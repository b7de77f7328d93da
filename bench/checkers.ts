/**
 * Benchmark: the checker side at scale. 5,000 real servers with TCP_CHECK and 5,000 with HTTP_GET,
 * delay_loop 1 s, against HAProxy answering on loopback inside a throwaway network namespace
 * (every 127.x address is local there, so each real server has its own address). Prints the checks
 * per second achieved against the 10,000/s configured, the daemon's CPU (% of one core) and memory,
 * and how long a killed real server takes to leave the table (target: delay_loop + connect_timeout
 * + 100 ms; CPU at most 50% of one core).
 *
 * keepalived cannot be measured beside it here: its checker process needs IPVS, which this kernel
 * does not have ("IPVS: Can't initialize ipvs: Protocol not available"). bench/ipvs-scale.ts runs
 * both checkers on one config in the VM lab and prints the CPU time per check of each.
 *
 * Run as root with haproxy installed: `npm run bench:checkers` (SECONDS=measure window, default 20;
 * R=kill rounds, default 5; N=real servers per checker type, default 5000).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from '../test/netns/netns.js';
import {
  TICKS_PER_S,
  checkerDaemonArgv,
  cpuTicks,
  median,
  requireCommand,
  rssKiB,
  runBench,
  sh,
  sleep,
  waitFor,
} from './common.js';

const N = Number(process.env.N ?? 5000);
const WINDOW_S = Number(process.env.SECONDS ?? 20);
const ROUNDS = Number(process.env.R ?? 5);
const PER_VS = 1000;
const DELAY_LOOP_S = 1;
const CONNECT_TIMEOUT_S = 2;
const TARGET_REMOVAL_MS = DELAY_LOOP_S * 1000 + CONNECT_TIMEOUT_S * 1000 + 100;

const ns = `kts-bchk-${process.pid}`;
const dir = mkdtempSync(join(tmpdir(), 'kts-bench-checkers-'));
const procs: ChildProcess[] = [];

function inNs(argv: readonly string[], out: 'pipe' | 'ignore' = 'ignore'): ChildProcess {
  const p = spawn('ip', ['netns', 'exec', ns, ...argv], { stdio: ['ignore', out, out], detached: true });
  procs.push(p);
  return p;
}

/** 127.<net>.a.b for the k-th real server of a type. */
const rsAddress = (net: number, k: number): string => `127.${net}.${Math.floor(k / 250)}.${(k % 250) + 1}`;

function config(): string {
  const out: string[] = ['global_defs {', '  router_id bench', '}'];
  const vs = (address: string, rs: string[]): void => {
    out.push(
      `virtual_server ${address} 80 {`,
      `  delay_loop ${DELAY_LOOP_S}`,
      '  lb_algo rr',
      '  lb_kind NAT',
      '  protocol TCP',
      ...rs,
      '}',
    );
  };
  const http = (a: string, port: number): string =>
    `  real_server ${a} ${port} {\n    HTTP_GET {\n      url {\n        path /\n        status_code 200\n      }\n      connect_timeout ${CONNECT_TIMEOUT_S}\n      retry 0\n    }\n  }`;
  const tcp = (a: string, port: number): string =>
    `  real_server ${a} ${port} {\n    TCP_CHECK {\n      connect_timeout ${CONNECT_TIMEOUT_S}\n      retry 0\n    }\n  }`;
  for (let v = 0; v * PER_VS < N; v++) {
    const ks = Array.from({ length: Math.min(PER_VS, N - v * PER_VS) }, (_, i) => v * PER_VS + i);
    vs(
      `192.0.2.${v + 1}`,
      ks.map((k) => http(rsAddress(1, k), 8080)),
    );
    vs(
      `198.51.100.${v + 1}`,
      ks.map((k) => tcp(rsAddress(2, k), 8081)),
    );
  }
  vs('203.0.113.1', [tcp('127.3.0.1', 8082), http('127.3.0.2', 8083)]);
  return `${out.join('\n')}\n`;
}

const HAPROXY = `global
  maxconn 9000
defaults
  timeout connect 5s
  timeout client 5s
  timeout server 5s
frontend web
  mode http
  bind 0.0.0.0:8080
  bind 0.0.0.0:8081
  http-request return status 200 content-type text/plain string ok
`;

const VICTIMS = `
const net = require('node:net'), http = require('node:http');
net.createServer((s) => s.destroy()).listen(8082, '127.3.0.1');
http.createServer((q, r) => r.end('ok')).listen(8083, '127.3.0.2', () => console.log('ready'));
`;

function status(): Promise<{ virtualServers: { realServers: { checkers: { attempts: number }[] }[] }[] }> {
  return new Promise((resolve, reject) => {
    const sock = connect(join(dir, 'kts.sock'));
    const chunks: Buffer[] = [];
    sock.on('connect', () => sock.write('status\n'));
    sock.on('data', (c: Buffer) => chunks.push(c));
    sock.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString()) as never));
    sock.on('error', reject);
  });
}

async function totalAttempts(): Promise<number> {
  const s = await status();
  let n = 0;
  for (const vs of s.virtualServers)
    for (const rs of vs.realServers) for (const c of rs.checkers) n += c.attempts;
  return n;
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('run as root (network namespace)');
  requireCommand('haproxy', 'haproxy');
  sh('ip', ['netns', 'add', ns]);
  sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  writeFileSync(join(dir, 'haproxy.cfg'), HAPROXY);
  writeFileSync(join(dir, 'keepalived.conf'), config());
  inNs(['haproxy', '-db', '-f', join(dir, 'haproxy.cfg')]);
  const startVictims = async (): Promise<ChildProcess> => {
    const v = inNs([process.execPath, '-e', VICTIMS], 'pipe');
    await new Promise<void>((resolve) =>
      v.stdout?.on('data', (c: Buffer) => c.toString().includes('ready') && resolve()),
    );
    return v;
  };
  let victims = await startVictims();
  await sleep(500);

  const lines: { time: number; msg: string; event?: string; reason?: string; checker?: string }[] = [];
  const daemon = inNs(checkerDaemonArgv(CLI, dir, ['--control-socket', join(dir, 'kts.sock')]), 'pipe');
  let partial = '';
  daemon.stdout?.on('data', (c: Buffer) => {
    partial += c.toString();
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    for (const l of parts) if (l.startsWith('{')) lines.push(JSON.parse(l) as (typeof lines)[number]);
  });
  await waitFor('the daemon', () => lines.some((l) => l.msg === 'Startup complete'), 60_000);
  const pid = daemon.pid ?? 0;
  process.stderr.write(`started ${2 * N + 2} checkers; warming up 5 s\n`);
  await sleep(5000);

  const a0 = await totalAttempts();
  const c0 = cpuTicks(pid);
  const t0 = Date.now();
  await sleep(WINDOW_S * 1000);
  const a1 = await totalAttempts();
  const c1 = cpuTicks(pid);
  const seconds = (Date.now() - t0) / 1000;
  const rate = (a1 - a0) / seconds;
  const cpu = ((c1 - c0) / TICKS_PER_S / seconds) * 100;
  const rss = rssKiB(pid) / 1024;
  const failures = lines.filter((l) => /^Removing service \[127\.[12]\./.test(l.msg)).length;
  const reasons = new Map<string, number>();
  for (const l of lines)
    if (l.event === 'check.down') {
      const k = `${l.checker ?? '?'} ${l.reason ?? '?'}`;
      reasons.set(k, (reasons.get(k) ?? 0) + 1);
    }

  const removal: { tcp: number[]; http: number[] } = { tcp: [], http: [] };
  for (let r = 0; r < ROUNDS; r++) {
    const from = lines.length;
    const killedAt = Date.now();
    victims.kill('SIGKILL');
    const seen = (text: string): { time: number } | undefined =>
      lines.slice(from).find((l) => l.msg.startsWith(text));
    await waitFor(
      'the victims removed',
      () => !!seen('Removing service [127.3.0.1]') && !!seen('Removing service [127.3.0.2]'),
      15_000,
    );
    removal.tcp.push((seen('Removing service [127.3.0.1]')?.time ?? 0) - killedAt);
    removal.http.push((seen('Removing service [127.3.0.2]')?.time ?? 0) - killedAt);
    const back = lines.length;
    victims = await startVictims();
    await waitFor(
      'the victims back',
      () => lines.slice(back).filter((l) => l.msg.startsWith('Adding service [127.3.0.')).length >= 2,
      15_000,
    );
    await sleep(Math.random() * 1000);
  }

  daemon.kill('SIGTERM');
  await new Promise((r) => daemon.once('exit', r));
  console.log(
    `\nChecker scale (${new Date().toISOString().slice(0, 10)}): ${N} TCP_CHECK + ${N} HTTP_GET real servers, delay_loop ${DELAY_LOOP_S} s, HAProxy on loopback, ${seconds.toFixed(1)} s window`,
  );
  console.log(
    `  checks/s achieved ${rate.toFixed(0)} of ${(2 * N) / DELAY_LOOP_S} configured (${((rate / ((2 * N) / DELAY_LOOP_S)) * 100).toFixed(1)}%)`,
  );
  console.log(`  daemon CPU ${cpu.toFixed(1)}% of one core (target <= 50%), RSS ${rss.toFixed(0)} MiB`);
  console.log(
    `  real servers wrongly removed: ${failures}${reasons.size ? ` (${[...reasons].map(([k, n]) => `${k}: ${n}`).join(', ')})` : ''}`,
  );
  for (const [kind, xs] of Object.entries(removal)) {
    console.log(
      `  killed ${kind.toUpperCase()} server → removed: min ${Math.min(...xs)} / median ${median(xs)} / max ${Math.max(...xs)} ms (target <= ${TARGET_REMOVAL_MS} ms, ${ROUNDS} rounds)`,
    );
  }
}

runBench(main, { procs, ns, dir });
