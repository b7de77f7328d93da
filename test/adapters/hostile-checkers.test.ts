/**
 * The built daemon's checker side (`keepalived-ts -C`) against hostile real servers and scripts
 * on loopback, all at once, for a few hundred attempts:
 *
 *   slowloris     accepts, then sends one byte a second
 *   silent        accepts and never answers
 *   endless       a chunked body that never ends
 *   huge          a 100 MB body (Content-Length)
 *   headers       header lines forever
 *   tls-garbage   random bytes instead of a TLS handshake (SSL_GET)
 *   hang          MISC_CHECK `sleep 1000`
 *   deaf          MISC_CHECK ignoring SIGTERM (and its sleep too)
 *   forks-keep    MISC_CHECK starting 50 sleeping children and waiting for them
 *   forks-exit    MISC_CHECK starting 50 sleeping children and exiting 1
 *
 * Every attempt fails (the reason the type names) within connect_timeout / misc_timeout plus
 * slack, as the daemon's own duration histogram shows; the daemon keeps running and answering;
 * its RSS stays within a bound over the burst; the scripts' processes (found with `ps` by the
 * test's unique directory in their command lines) never pile up and are all gone once the daemon
 * has stopped. A status-only url against the endless body is the control: it passes on its status
 * after reading 64 KiB.
 */
import { startCheckerDaemon } from '../helpers/checker-daemon.js';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DaemonStatus } from '../../src/daemon/status.js';
import { waitFor } from '../helpers/process.js';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
/** Virtual servers, each with every hostile HTTP real server: more attempts per second. */
const COPIES = 6;
/** connect_timeout and misc_timeout, seconds. */
const TIMEOUT_S = 2;
/** Attempts between the two RSS readings. */
const BURST = 300;
/** How much the daemon's RSS may grow over the burst. */
const RSS_BOUND_MIB = 50;
/** Any 32 hex digits: a `digest` makes the checker read up to 1 MiB of body. */
const DIGEST = '0123456789abcdef0123456789abcdef';

type HttpKind = 'slowloris' | 'silent' | 'endless' | 'huge' | 'headers' | 'tls-garbage' | 'endless-status';
type MiscKind = 'hang' | 'deaf' | 'forks-keep' | 'forks-exit';

/** What each attempt must end with, and within how long (the daemon's histogram bucket, ms). */
const EXPECTED: Record<HttpKind | MiscKind, { result: string; withinMs: number }> = {
  slowloris: { result: 'timeout', withinMs: 2500 },
  silent: { result: 'timeout', withinMs: 2500 },
  endless: { result: 'too-large', withinMs: 2500 },
  huge: { result: 'too-large', withinMs: 2500 },
  headers: { result: 'too-large', withinMs: 2500 },
  'tls-garbage': { result: 'tls', withinMs: 2500 },
  'endless-status': { result: 'ok', withinMs: 2500 },
  hang: { result: 'timeout', withinMs: 2500 },
  // SIGTERM at misc_timeout is ignored: SIGKILL 2 s later.
  deaf: { result: 'timeout', withinMs: 5000 },
  'forks-keep': { result: 'timeout', withinMs: 2500 },
  'forks-exit': { result: 'exit-status', withinMs: 1000 },
};

let dir: string;
let daemon: ChildProcess | undefined;
const lines: string[] = [];
const servers: Server[] = [];
const sockets = new Set<Socket>();
/** real server port → what it is. */
const kindOf = new Map<number, HttpKind | MiscKind>();

// ---- hostile servers ---------------------------------------------------------------------

function serve(kind: HttpKind, onConnection: (sock: Socket) => void): Promise<number> {
  const server = createServer((sock) => {
    sockets.add(sock);
    sock.on('error', () => undefined);
    sock.on('close', () => sockets.delete(sock));
    onConnection(sock);
  });
  servers.push(server);
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      kindOf.set(port, kind);
      resolve(port);
    }),
  );
}

/** Write `next()` as fast as the client reads, until it returns null or the socket closes. */
function pump(sock: Socket, next: () => Buffer | null): void {
  const go = (): void => {
    while (!sock.destroyed) {
      const chunk = next();
      if (chunk === null) return void sock.end();
      if (!sock.write(chunk)) return void sock.once('drain', go);
    }
  };
  go();
}

const KIB16 = Buffer.alloc(16 * 1024, 0x78);
const CHUNK = Buffer.concat([Buffer.from('4000\r\n'), KIB16, Buffer.from('\r\n')]);
const HUGE = 100 * 1024 * 1024;

const endless = (sock: Socket): void => {
  sock.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
  pump(sock, () => CHUNK);
};

const hostile: Record<HttpKind, (sock: Socket) => void> = {
  slowloris: (sock) => {
    const text = 'HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok';
    let i = 0;
    const t = setInterval(() => sock.write(text[i++ % text.length] ?? ''), 1000);
    sock.on('close', () => clearInterval(t));
  },
  silent: () => undefined,
  endless,
  'endless-status': endless,
  huge: (sock) => {
    sock.write(`HTTP/1.0 200 OK\r\nContent-Length: ${HUGE}\r\n\r\n`);
    let sent = 0;
    pump(sock, () => (sent >= HUGE ? null : ((sent += KIB16.length), KIB16)));
  },
  headers: (sock) => {
    sock.write('HTTP/1.1 200 OK\r\n');
    let n = 0;
    pump(sock, () => Buffer.from(`X-Junk-${n++}: ${'y'.repeat(1000)}\r\n`));
  },
  'tls-garbage': (sock) => {
    // Not a TLS record: whatever the client sends is answered with more random bytes.
    sock.write(randomBytes(4096));
    sock.on('data', () => sock.write(randomBytes(1024)));
  },
};

// ---- the daemon --------------------------------------------------------------------------

function httpRealServer(kind: HttpKind, port: number): string {
  const type = kind === 'tls-garbage' ? 'SSL_GET' : 'HTTP_GET';
  const digest = kind === 'endless-status' ? '' : `\n        digest ${DIGEST}`;
  return `
  real_server 127.0.0.1 ${port} {
    ${type} {
      url {
        path /health${digest}
        status_code 200
      }
      connect_timeout ${TIMEOUT_S}
      retry 0
      warmup 0
    }
  }`;
}

function miscRealServer(port: number, script: string): string {
  return `
  real_server 127.0.0.1 ${port} {
    MISC_CHECK {
      misc_path ${script}
      misc_timeout ${TIMEOUT_S}
      retry 0
      warmup 0
    }
  }`;
}

function script(name: string, body: string): string {
  const file = join(dir, name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

const records = (): { msg: string; event?: string }[] =>
  lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg: string; event?: string });

function status(): Promise<DaemonStatus> {
  return new Promise((resolve, reject) => {
    const sock = connect(join(dir, 'kts.sock'));
    let data = '';
    sock.on('connect', () => sock.write('status\n'));
    sock.on('data', (c) => (data += c.toString()));
    sock.on('end', () => resolve(JSON.parse(data) as DaemonStatus));
    sock.on('error', reject);
  });
}

type CheckerView = DaemonStatus['virtualServers'][number]['realServers'][number]['checkers'][number];

/** Every checker with the kind of its real server. */
async function checkers(): Promise<{ kind: HttpKind | MiscKind; c: CheckerView; alive: boolean }[]> {
  const s = await status();
  return s.virtualServers.flatMap((vs) =>
    vs.realServers.flatMap((rs) =>
      rs.checkers.map((c) => {
        const port = Number(/:(\d+)$/.exec(rs.name)?.[1]);
        const kind = kindOf.get(port);
        if (kind === undefined) throw new Error(`unknown real server ${rs.name}`);
        return { kind, c, alive: rs.alive };
      }),
    ),
  );
}

const totalAttempts = async (): Promise<number> => (await checkers()).reduce((n, x) => n + x.c.attempts, 0);

async function waitAttempts(n: number, ms: number): Promise<number> {
  const until = Date.now() + ms;
  for (;;) {
    const got = await totalAttempts();
    if (got >= n) return got;
    if (Date.now() > until) throw new Error(`only ${got} of ${n} attempts after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** VmRSS of `pid`, MiB. */
function rssMiB(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1]) / 1024;
}

/** Live processes (not zombies, not the daemon) whose command line names the test's directory, from `ps`. */
function leftovers(): { pid: number; args: string }[] {
  const ps = spawnSync('ps', ['-eo', 'pid=,stat=,args='], { encoding: 'utf8' });
  return ps.stdout
    .split('\n')
    .map((l) => /^\s*(\d+)\s+(\S+)\s+(.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null && !m[2]?.startsWith('Z') && m[3]?.includes(dir) === true)
    .map((m) => ({ pid: Number(m[1]), args: m[3] ?? '' }))
    .filter((p) => p.pid !== pid);
}

let pid = 0;
const sampled: number[] = [];
let sampler: NodeJS.Timeout | undefined;

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
  dir = mkdtempSync(join(tmpdir(), 'kts-hostile-'));
  // The scripts' sleeps run as this link, so `ps` shows the directory in their command line.
  const sleep = join(dir, 'sleep-marker');
  symlinkSync(existsSync('/bin/sleep') ? '/bin/sleep' : '/usr/bin/sleep', sleep);
  const fifty = `i=0\nwhile [ $i -lt 50 ]; do "${sleep}" 1000 & i=$((i+1)); done`;
  const scripts: Record<MiscKind, string> = {
    hang: script('hang.sh', `"${sleep}" 1000`),
    deaf: script('deaf.sh', `trap '' TERM\n"${sleep}" 1000`),
    'forks-keep': script('forks-keep.sh', `${fifty}\nwait`),
    'forks-exit': script('forks-exit.sh', `${fifty}\nexit 1`),
  };
  const httpKinds = Object.keys(hostile) as HttpKind[];
  const ports = new Map<HttpKind, number>();
  for (const kind of httpKinds) ports.set(kind, await serve(kind, hostile[kind]));
  const http = httpKinds.map((k) => httpRealServer(k, ports.get(k) ?? 0)).join('');
  const vs = (i: number, body: string): string =>
    `virtual_server 192.0.2.${100 + i} 80 {\n  delay_loop 1\n  lb_algo rr\n  lb_kind NAT\n  protocol TCP\n${body}\n}\n`;
  // MISC_CHECK real servers are never connected to: ports 1..4 only name them.
  const miscKinds = Object.keys(scripts) as MiscKind[];
  miscKinds.forEach((k, i) => kindOf.set(i + 1, k));
  const misc = miscKinds.map((k, i) => miscRealServer(i + 1, scripts[k])).join('');
  const conf = [...Array.from({ length: COPIES }, (_, i) => vs(i, http)), vs(COPIES, misc)].join('');
  writeFileSync(join(dir, 'keepalived.conf'), conf);
  daemon = await startCheckerDaemon({
    conf: join(dir, 'keepalived.conf'),
    pidFile: join(dir, 'kts.pid'),
    controlSocket: join(dir, 'kts.sock'),
    lines,
  });
  pid = daemon.pid ?? 0;
  sampler = setInterval(() => sampled.push(leftovers().length), 200);
});

afterAll(async () => {
  clearInterval(sampler);
  daemon?.kill('SIGKILL');
  for (const s of sockets) s.destroy();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  if (!dir) return;
  // Whatever a failed run left behind.
  for (const p of leftovers()) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // Gone meanwhile.
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('keepalived-ts -C against hostile servers and scripts', () => {
  let rssBefore = 0;
  let attemptsBefore = 0;

  it('every hostile checker fails within its timeout (+ slack) with its reason; the daemon stays up', async () => {
    // Warm-up: every checker has had a few attempts (the slowest, deaf, takes ~4 s each).
    const warm = Date.now() + 40_000;
    for (;;) {
      const all = await checkers();
      if (all.every((x) => x.c.attempts >= 2)) break;
      if (Date.now() > warm)
        throw new Error(`warm-up: ${JSON.stringify(all.map((x) => [x.kind, x.c.attempts]))}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    attemptsBefore = await totalAttempts();
    rssBefore = rssMiB(pid);

    const all = await checkers();
    const byKind = new Map<
      string,
      { attempts: number; sumMs: number; within: number; results: Set<string> }
    >();
    for (const { kind, c, alive } of all) {
      const want = EXPECTED[kind];
      const within = c.duration.buckets.find((b) => b.leMs === want.withinMs)?.count ?? -1;
      // Every attempt of this checker has the expected result and fits in the bucket.
      expect({ kind, results: c.results, within }).toEqual({
        kind,
        results: { [want.result]: c.attempts },
        within: c.duration.count,
      });
      expect({ kind, alive }).toEqual({ kind, alive: want.result === 'ok' });
      const k = byKind.get(kind) ?? { attempts: 0, sumMs: 0, within: want.withinMs, results: new Set() };
      k.attempts += c.duration.count;
      k.sumMs += c.duration.sumMs;
      for (const r of Object.keys(c.results)) k.results.add(r);
      byKind.set(kind, k);
    }
    console.log(
      'verdict times (mean ms per attempt, all within the bound):\n' +
        [...byKind]
          .map(
            ([kind, k]) =>
              `  ${kind.padEnd(15)} ${[...k.results].join(',').padEnd(12)} mean ${(k.sumMs / k.attempts).toFixed(0).padStart(5)} ms  <= ${k.within} ms  (${k.attempts} attempts)`,
          )
          .join('\n'),
    );
    expect(daemon?.exitCode).toBeNull();
  }, 60_000);

  it(`RSS stays within +${RSS_BOUND_MIB} MiB over ${BURST} more hostile attempts; scripts never pile up`, async () => {
    const t0 = Date.now();
    const attemptsAfter = await waitAttempts(attemptsBefore + BURST, 60_000);
    const rssAfter = rssMiB(pid);
    console.log(
      `daemon RSS: ${rssBefore.toFixed(1)} MiB after ${attemptsBefore} attempts, ` +
        `${rssAfter.toFixed(1)} MiB after ${attemptsAfter} (${attemptsAfter - attemptsBefore} in ${((Date.now() - t0) / 1000).toFixed(1)} s); ` +
        `script processes at most ${Math.max(...sampled)} at once (${sampled.length} samples)`,
    );
    expect(rssAfter - rssBefore).toBeLessThan(RSS_BOUND_MIB);
    // hang (2) + deaf (2) + forks-keep (51) + forks-exit (51, for a moment): nothing accumulates.
    expect(Math.max(...sampled)).toBeLessThanOrEqual(110);
    expect(daemon?.exitCode).toBeNull();
    expect(records().filter((r) => r.event === 'daemon.internal-error')).toEqual([]);
    // Still answering, with every hostile real server out of the table.
    const s = await status();
    expect(s.virtualServers.map((vs) => vs.table.length)).toEqual([...Array<number>(COPIES).fill(1), 0]);
  }, 90_000);

  it('SIGTERM: the daemon exits 0 and no script process outlives it', async () => {
    const exited = new Promise<number | null>((r) => daemon?.once('exit', (code) => r(code)));
    daemon?.kill('SIGTERM');
    expect(await exited).toBe(0);
    await waitFor(
      () => leftovers().length === 0,
      3000,
      () => JSON.stringify(leftovers().slice(0, 5)),
    );
  }, 20_000);
});
