/**
 * `keepalived-ts status` (dist/cli.js) against a real daemon: `keepalived-ts -C` on loopback with
 * one virtual server on a free 127.0.0.1 port whose real server is a TCP server of the test's. The
 * text view, `--json` and `--ipvsadm-save` must show what the control socket answers; a missing,
 * stale or silent socket is one line on stderr and exit 1. Also `--signum`.
 */
import { startCheckerDaemon } from '../helpers/checker-daemon.js';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryControl } from '../../src/cli/status-command.js';
import { waitFor } from '../helpers/process.js';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

let dir: string;
let sock: string;
let real: Server;
let realPort = 0;
let vsPort = 0;
let daemon: ChildProcess | undefined;
const lines: string[] = [];

const listen = (s: Server, port = 0): Promise<number> =>
  new Promise((resolve) => s.listen(port, '127.0.0.1', () => resolve((s.address() as AddressInfo).port)));

/** A port nobody listens on right now (the daemon's dispatcher binds it). */
async function freePort(): Promise<number> {
  const s = createServer();
  const port = await listen(s);
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function cli(...args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: dir, timeout: 15_000 });
}

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
  dir = mkdtempSync(join(tmpdir(), 'kts-status-'));
  sock = join(dir, 'kts.sock');
  real = createServer((c) => c.end());
  realPort = await listen(real);
  vsPort = await freePort();
  writeFileSync(
    join(dir, 'keepalived.conf'),
    `virtual_server 127.0.0.1 ${vsPort} {
  delay_loop 1
  lb_algo rr
  lb_kind NAT
  protocol TCP
  real_server 127.0.0.1 ${realPort} {
    TCP_CHECK {
      connect_timeout 1
    }
  }
}
`,
  );
  daemon = await startCheckerDaemon({
    conf: join(dir, 'keepalived.conf'),
    pidFile: join(dir, 'kts.pid'),
    controlSocket: sock,
    lines,
  });
  // The dispatcher's worker is listening once its table line appears.
  await waitFor(
    () => lines.some((l) => l.includes(`Dispatcher listening on TCP 127.0.0.1:${vsPort}`)),
    10_000,
    () => lines.join('\n'),
  );
  // And the checker has had its first result.
  const deadline = Date.now() + 5000;
  while (!(await checkerResult()).includes('ok')) {
    if (Date.now() > deadline) throw new Error(`no TCP_CHECK result: ${lines.join('\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
});

async function checkerResult(): Promise<string> {
  const doc = JSON.parse(await queryControl(sock, 'status')) as {
    virtualServers: { realServers: { checkers: { last: string | null }[] }[] }[];
  };
  return doc.virtualServers[0]?.realServers[0]?.checkers[0]?.last ?? '';
}

afterAll(async () => {
  if (daemon && daemon.exitCode === null) {
    const exited = new Promise((r) => daemon?.once('exit', r));
    daemon.kill('SIGTERM');
    await exited;
  }
  real?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('keepalived-ts status against a running daemon (-C on loopback)', () => {
  it('prints the daemon, no VRRP instances, the real server and the ipvsadm table as the socket has it', async () => {
    const r = cli('status', '--control-socket', sock);
    expect([r.status, r.stderr]).toEqual([0, '']);
    const table = await queryControl(sock, 'ipvsadm');
    expect(table).toContain(`TCP  127.0.0.1:${vsPort} rr`);
    const header = r.stdout.split('\n')[0] ?? '';
    expect(header).toMatch(new RegExp(`^keepalived-ts v\\d+\\.\\d+\\.\\d+, pid ${daemon?.pid}, up \\d+s$`));
    expect(r.stdout.slice(header.length + 1)).toBe(
      `
VRRP instances: none

Virtual servers (1)
  [127.0.0.1]:tcp:${vsPort}: 1/1 real servers up, quorum up
    [127.0.0.1]:tcp:${realPort}: up, weight 1; TCP_CHECK ok

Dispatcher table (ipvsadm -Ln)
${table}`,
    );
  });

  it('--json prints the status document, indented', () => {
    const r = cli('status', '--json', `--control-socket=${sock}`);
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/^\{\n {2}"version": /);
    const doc = JSON.parse(r.stdout) as {
      pid: number;
      vrrp: { instances: unknown[] };
      virtualServers: { name: string; realServers: { name: string; alive: boolean }[] }[];
    };
    expect(doc.pid).toBe(daemon?.pid);
    expect(doc.vrrp.instances).toEqual([]);
    expect(doc.virtualServers.map((v) => [v.name, v.realServers.map((rs) => [rs.name, rs.alive])])).toEqual([
      [`[127.0.0.1]:tcp:${vsPort}`, [[`[127.0.0.1]:tcp:${realPort}`, true]]],
    ]);
  });

  it('--ipvsadm-save prints ipvsadm-save -n text', async () => {
    const r = cli('status', '--ipvsadm-save', '--control-socket', sock);
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toBe(await queryControl(sock, 'ipvsadm-save'));
    expect(r.stdout).toBe(
      `-A -t 127.0.0.1:${vsPort} -s rr\n-a -t 127.0.0.1:${vsPort} -r 127.0.0.1:${realPort} -m -w 1\n`,
    );
  });
});

describe('keepalived-ts status without a daemon', () => {
  it('no socket: one line on stderr, exit 1', () => {
    const missing = join(dir, 'nope.sock');
    const r = cli('status', '--control-socket', missing);
    expect([r.status, r.stdout, r.stderr]).toEqual([
      1,
      '',
      `keepalived-ts status: cannot connect to ${missing}: ENOENT (is the daemon running? --control-socket PATH)\n`,
    ]);
  });

  it('a file that nobody listens on: ECONNREFUSED', () => {
    const stale = join(dir, 'stale.sock');
    writeFileSync(stale, '');
    const r = cli('status', '--json', '--control-socket', stale);
    expect([r.status, r.stdout, r.stderr]).toEqual([
      1,
      '',
      `keepalived-ts status: cannot connect to ${stale}: ECONNREFUSED (is the daemon running? --control-socket PATH)\n`,
    ]);
  });

  it('a socket that never answers times out', async () => {
    const silentPath = join(dir, 'silent.sock');
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(silentPath, () => r()));
    try {
      await expect(queryControl(silentPath, 'status', 200)).rejects.toThrow(
        `no answer from ${silentPath} within 0.2 s`,
      );
    } finally {
      silent.close();
    }
  });

  it('bad arguments: the message and the usage, exit 1', () => {
    const r = cli('status', '--frobnicate');
    expect(r.status).toBe(1);
    expect(r.stderr.split('\n').slice(0, 2)).toEqual([
      "keepalived-ts status: unrecognized option '--frobnicate'",
      'Usage: keepalived-ts status [--json | --ipvsadm-save] [--control-socket=PATH]',
    ]);
  });
});

describe('keepalived-ts --signum', () => {
  it('prints the number and exits 0', () => {
    expect(cli('--signum=RELOAD')).toMatchObject({ status: 0, stdout: '1\n', stderr: '' });
    expect(cli('--signum', 'STATS_CLEAR')).toMatchObject({ status: 0, stdout: '63\n', stderr: '' });
  });

  it("an unknown name is keepalived's error line and exit 1", () => {
    expect(cli('--signum=stop')).toMatchObject({ status: 1, stdout: '', stderr: 'Unknown sigfunc stop\n' });
  });
});
