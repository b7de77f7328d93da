/**
 * The built daemon's checker side (`keepalived-ts -C`) against real servers on loopback: an HTTP
 * server whose health page the test flips between 200 and 500, and a TCP server the test closes
 * and reopens. The service table (status socket), keepalived's log lines, notify_down and the
 * checker FIFO lines follow, and SIGTERM clears the table.
 */
import { startCheckerDaemon } from '../helpers/checker-daemon.js';
import { type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/process.js';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const VS = '[192.0.2.100]:tcp:80';

let dir: string;
let http: HttpServer;
let tcp: Server | undefined;
let tcpPort = 0;
let healthy = true;
let daemon: ChildProcess | undefined;
const lines: string[] = [];

const listen = (s: Server | HttpServer, port = 0): Promise<number> =>
  new Promise((resolve) => s.listen(port, '127.0.0.1', () => resolve((s.address() as AddressInfo).port)));

function startTcp(port = 0): Promise<number> {
  tcp = createServer((sock) => sock.destroy());
  return listen(tcp, port);
}

const records = (): { msg: string; event?: string; [k: string]: unknown }[] =>
  lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg: string });
const logged = (text: string): boolean => records().some((r) => r.msg === text);

function status(): Promise<{ virtualServers: { table: { port: number; weight: number }[] }[] }> {
  return new Promise((resolve, reject) => {
    const sock = connect(join(dir, 'kts.sock'));
    let data = '';
    sock.on('connect', () => sock.write('status\n'));
    sock.on('data', (c) => (data += c.toString()));
    sock.on('end', () => resolve(JSON.parse(data) as never));
    sock.on('error', reject);
  });
}
const tablePorts = async (): Promise<number[]> =>
  ((await status()).virtualServers[0]?.table ?? []).map((e) => e.port).sort((a, b) => a - b);

let httpPort = 0;

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
  dir = mkdtempSync(join(tmpdir(), 'kts-checkers-'));
  http = createHttpServer((req, res) => {
    res.statusCode = req.url === '/health' && healthy ? 200 : 500;
    res.end('ok');
  });
  httpPort = await listen(http);
  tcpPort = await startTcp();
  const notifyLog = join(dir, 'notify.log');
  writeFileSync(join(dir, 'down.sh'), `#!/bin/sh\necho "down $*" >> '${notifyLog}'\n`, { mode: 0o755 });
  writeFileSync(join(dir, 'fifo.sh'), `#!/bin/sh\nexec cat "$1" >> '${join(dir, 'fifo.log')}'\n`, {
    mode: 0o755,
  });
  const conf = `
global_defs {
  enable_script_security
  script_user root
  lvs_notify_fifo ${join(dir, 'lvs.fifo')}
  lvs_notify_fifo_script "${join(dir, 'fifo.sh')}"
}
virtual_server 192.0.2.100 80 {
  delay_loop 1
  lb_algo rr
  lb_kind NAT
  protocol TCP
  real_server 127.0.0.1 ${httpPort} {
    notify_down "${join(dir, 'down.sh')}"
    HTTP_GET {
      url {
        path /health
        status_code 200
      }
      connect_timeout 1
      retry 0
      warmup 0
    }
  }
  real_server 127.0.0.1 ${tcpPort} {
    TCP_CHECK {
      connect_timeout 1
      retry 0
      warmup 0
    }
  }
}
`;
  writeFileSync(join(dir, 'keepalived.conf'), conf);
  daemon = await startCheckerDaemon({
    conf: join(dir, 'keepalived.conf'),
    pidFile: join(dir, 'kts.pid'),
    controlSocket: join(dir, 'kts.sock'),
    lines,
  });
});

afterAll(() => {
  daemon?.kill('SIGKILL');
  http?.close();
  tcp?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('keepalived-ts -C against real servers on loopback', () => {
  it('starts with both real servers in the table and activates their checkers', async () => {
    expect(await tablePorts()).toEqual([httpPort, tcpPort].sort((a, b) => a - b));
    for (const port of [httpPort, tcpPort])
      expect(logged(`Activating healthchecker for service [127.0.0.1]:tcp:${port} for VS ${VS}`)).toBe(true);
    await waitFor(() => logged(`Remote Web server [127.0.0.1]:tcp:${httpPort} succeed on service.`), 5000);
  });

  it('an HTTP 500 takes the server out; 200 brings it back; notify_down and FIFO lines follow', async () => {
    healthy = false;
    await waitFor(
      () => logged(`Removing service [127.0.0.1]:tcp:${httpPort} from VS ${VS}`),
      5000,
      () => lines.slice(-10).join('\n'),
    );
    const down = records().find((r) => r.event === 'check.down');
    expect(down).toMatchObject({
      checker: 'HTTP_GET',
      reason: 'http-status',
      vs: VS,
      rs: `[127.0.0.1]:tcp:${httpPort}`,
    });
    expect(down?.msg).toBe(`HTTP_CHECK on service [127.0.0.1]:tcp:${httpPort} failed.`);
    expect(await tablePorts()).toEqual([tcpPort]);
    await waitFor(() => readText('notify.log').includes('down'), 3000);
    healthy = true;
    await waitFor(() => logged(`Adding service [127.0.0.1]:tcp:${httpPort} to VS ${VS}`), 5000);
    expect((await tablePorts()).sort()).toEqual([httpPort, tcpPort].sort((a, b) => a - b));
    await waitFor(() => readText('fifo.log').split('\n').filter(Boolean).length >= 2, 3000);
    expect(readText('fifo.log').split('\n').filter(Boolean)).toEqual([
      `RS [127.0.0.1]:tcp:${httpPort} ${VS} DOWN`,
      `RS [127.0.0.1]:tcp:${httpPort} ${VS} UP`,
    ]);
  });

  it('a closed TCP port removes the server within delay_loop + connect_timeout; reopening re-adds it', async () => {
    const t0 = Date.now();
    await new Promise<void>((r) => tcp?.close(() => r()));
    await waitFor(() => logged(`Removing service [127.0.0.1]:tcp:${tcpPort} from VS ${VS}`), 5000);
    expect(Date.now() - t0).toBeLessThan(1000 + 1000 + 500);
    expect(logged(`TCP_CHECK on service [127.0.0.1]:tcp:${tcpPort} failed.`)).toBe(true);
    await startTcp(tcpPort);
    await waitFor(() => logged(`Adding service [127.0.0.1]:tcp:${tcpPort} to VS ${VS}`), 5000);
  });

  it('SIGTERM clears the table and exits 0', async () => {
    const exited = new Promise<number | null>((r) => daemon?.once('exit', (code) => r(code)));
    daemon?.kill('SIGTERM');
    expect(await exited).toBe(0);
    for (const port of [httpPort, tcpPort])
      expect(logged(`Shutting down service [127.0.0.1]:tcp:${port} from VS ${VS}`)).toBe(true);
    expect(existsSync(join(dir, 'kts.sock'))).toBe(false);
  });
});

function readText(name: string): string {
  try {
    return readFileSync(join(dir, name), 'utf8');
  } catch {
    return '';
  }
}
