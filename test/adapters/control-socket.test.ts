/**
 * The control socket (daemon/control-socket.ts) against real unix-socket clients: the known
 * commands, malformed requests answered with `{"error": ...}` (binary data, an over-long line
 * without a newline, an unknown command, a client that says nothing), a daemon that keeps
 * answering afterwards, and who may connect: a uid 65534 client (setpriv, root only) is refused
 * with mode 0600 and let in with `group`. Then the built daemon: `--control-socket-group` on the
 * command line, and no TCP listener without `metrics_listen`.
 */
import { startCheckerDaemon } from '../helpers/checker-daemon.js';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ControlSocket,
  MAX_REQUEST,
  parseRequest,
  resolveGroup,
  type ControlCommand,
} from '../../src/daemon/control-socket.js';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const isRoot = process.getuid?.() === 0;
const hasSetpriv = spawnSync('setpriv', ['--version']).status === 0;

let dir: string;
let sock: ControlSocket | undefined;
const seen: ControlCommand[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kts-control-'));
  chmodSync(dir, 0o755); // the uid 65534 client must reach the socket
});
afterEach(() => {
  sock?.close();
  sock = undefined;
  seen.length = 0;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function open(name: string, group: string | null = null): Promise<string> {
  const path = join(dir, name);
  sock = await ControlSocket.listen(path, { group }, (command) => {
    seen.push(command);
    return command === 'status' ? { ok: true } : `table for ${command}\n`;
  });
  return path;
}

interface Exchange {
  readonly answer: string;
  /** How the connection ended: the daemon's close ('end') or an error code. */
  readonly end: string;
  readonly ms: number;
}

/** Connect, write each part (a Buffer as is), optionally half-close, collect the answer. */
function ask(
  path: string,
  parts: (string | Buffer)[],
  opts: { halfClose?: boolean } = {},
): Promise<Exchange> {
  return new Promise((resolve) => {
    const started = Date.now();
    const c = connect(path);
    const got: Buffer[] = [];
    let done = false;
    const finish = (end: string): void => {
      if (done) return;
      done = true;
      c.destroy();
      resolve({ answer: Buffer.concat(got).toString('utf8'), end, ms: Date.now() - started });
    };
    c.on('connect', () => {
      for (const p of parts) c.write(p);
      if (opts.halfClose === true) c.end();
    });
    c.on('data', (d: Buffer) => got.push(d));
    c.on('end', () => finish('end'));
    c.on('close', () => finish('close'));
    c.on('error', (e: NodeJS.ErrnoException) => finish(e.code ?? e.message));
  });
}

const errorOf = (answer: string): string => (JSON.parse(answer) as { error: string }).error;

describe('control socket requests', () => {
  it('answers the known commands; an empty line is status', async () => {
    const path = await open('ok.sock');
    expect((await ask(path, ['status\n'])).answer).toBe('{"ok":true}\n');
    expect((await ask(path, ['\r\n'])).answer).toBe('{"ok":true}\n');
    expect((await ask(path, ['ipvsadm-save\r\n'])).answer).toBe('table for ipvsadm-save\n');
    // socat-style: the line without a newline, then a half-close.
    expect((await ask(path, ['ipvsadm'], { halfClose: true })).answer).toBe('table for ipvsadm\n');
    expect(seen).toEqual(['status', 'status', 'ipvsadm-save', 'ipvsadm']);
  });

  it('unknown command, binary data, an over-long line: a JSON error, the handler is not called', async () => {
    const path = await open('bad.sock');
    const garbage = Buffer.from([0x00, 0xff, 0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0xfe, 0x0a]);
    const cases: [string, (string | Buffer)[], string][] = [
      [
        'unknown',
        ['reboot now\n'],
        "unknown command 'reboot now' (commands: status, ipvsadm, ipvsadm-save, reload-plan)",
      ],
      ['binary', [garbage], 'malformed request: not a line of text'],
      ['binary, half-closed', [garbage.subarray(0, 8)], 'malformed request: not a line of text'],
      ['over-long', ['s'.repeat(MAX_REQUEST + 1)], `request line over ${MAX_REQUEST} bytes`],
      ['over-long in pieces', ['a'.repeat(3000), 'b'.repeat(3000)], `request line over ${MAX_REQUEST} bytes`],
    ];
    for (const [name, parts, error] of cases) {
      const r = await ask(path, parts, { halfClose: name.endsWith('half-closed') });
      expect({ name, error: errorOf(r.answer), end: r.end }).toEqual({ name, error, end: 'end' });
    }
    // 1 MiB without a newline: answered once MAX_REQUEST is passed; the rest is not kept.
    const flood = await ask(path, [Buffer.alloc(1024 * 1024, 0x61)]);
    expect(errorOf(flood.answer)).toBe(`request line over ${MAX_REQUEST} bytes`);
    expect(seen).toEqual([]);
    expect((await ask(path, ['status\n'])).answer).toBe('{"ok":true}\n');
  });

  it('a client that sends nothing (or no newline) is told so after 5 s, not held forever', async () => {
    const path = await open('slow.sock');
    const [silent, partial] = await Promise.all([ask(path, []), ask(path, ['stat'])]);
    for (const r of [silent, partial]) {
      expect(errorOf(r.answer)).toBe('no request line within 5 s');
      expect(r.ms).toBeGreaterThanOrEqual(4900);
      expect(r.ms).toBeLessThan(6500);
    }
    expect(seen).toEqual([]);
  }, 10_000);

  it('bytes after the request line are ignored; a handler that throws is an error answer', async () => {
    const path = join(dir, 'throw.sock');
    sock = await ControlSocket.listen(path, {}, () => {
      throw new Error('no status yet');
    });
    const r = await ask(path, ['status\nipvsadm\n', Buffer.alloc(64 * 1024)]);
    expect(errorOf(r.answer)).toBe('no status yet');
  });

  it('200 hostile clients at once: every one is answered or refused, and the socket still works', async () => {
    const path = await open('many.sock');
    const hostile = Array.from({ length: 200 }, (_, i) =>
      ask(path, [i % 2 === 0 ? Buffer.alloc(8192, 0xff) : 'nonsense\n']),
    );
    const results = await Promise.all(hostile);
    // Over MAX_CONNECTIONS at once node:net closes the newcomers without an answer.
    for (const r of results) {
      if (r.answer !== '') expect(errorOf(r.answer)).toMatch(/^(malformed request|unknown command)/);
    }
    expect(results.filter((r) => r.answer !== '').length).toBeGreaterThan(0);
    expect((await ask(path, ['status\n'])).answer).toBe('{"ok":true}\n');
  });
});

describe('parseRequest', () => {
  it.each<[string, ReturnType<typeof parseRequest>]>([
    ['', { ok: true, command: 'status' }],
    ['  status \r', { ok: true, command: 'status' }],
    ['ipvsadm', { ok: true, command: 'ipvsadm' }],
    [
      'reload-plan /etc/keepalived/new.conf',
      { ok: true, command: 'reload-plan', arg: '/etc/keepalived/new.conf' },
    ],
    ['reload-plan', { ok: false, error: 'reload-plan needs the absolute path of a configuration file' }],
    [
      'reload-plan new.conf',
      { ok: false, error: 'reload-plan needs the absolute path of a configuration file' },
    ],
    [
      'STATUS',
      { ok: false, error: "unknown command 'STATUS' (commands: status, ipvsadm, ipvsadm-save, reload-plan)" },
    ],
    ['status\u0000', { ok: false, error: 'malformed request: not a line of text' }],
    ['statüs', { ok: false, error: 'malformed request: not a line of text' }],
  ])('%j', (line, expected) => {
    expect(parseRequest(Buffer.from(line, 'utf8'))).toEqual(expected);
  });
});

describe('who may use the control socket', () => {
  /**
   * As uid/gid 65534 (no supplementary groups, or `groups`): connect, send status, report the
   * answer or the error code. Asynchronous: the socket under test is served by this process.
   */
  function asNobody(path: string, groups: 'clear' | number = 'clear'): Promise<string> {
    const client = `
      const c = require('node:net').connect(${JSON.stringify(path)});
      let got = '';
      c.on('connect', () => c.write('status\\n'));
      c.on('data', (d) => (got += d));
      c.on('end', () => console.log('answer ' + got.trim()));
      c.on('error', (e) => console.log('error ' + e.code));
    `;
    const argv = [
      '--reuid=65534',
      '--regid=65534',
      groups === 'clear' ? '--clear-groups' : `--groups=${groups}`,
      process.execPath,
      '-e',
      client,
    ];
    return new Promise((resolve, reject) => {
      const child = spawn('setpriv', argv, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      child.on('error', reject);
      child.on('exit', () => resolve(out.trim()));
    });
  }

  it('mode 0600 by default; uid 65534 gets EACCES', async () => {
    const path = await open('private.sock');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    if (!isRoot || !hasSetpriv) return; // the permission half needs root and setpriv
    expect(await asNobody(path)).toBe('error EACCES');
  });

  it.runIf(isRoot && hasSetpriv)(
    'with group nogroup: mode 0660, group 65534, and uid 65534 gets its answer',
    async () => {
      const path = await open('shared.sock', 'nogroup');
      const st = statSync(path);
      expect({ mode: st.mode & 0o777, uid: st.uid, gid: st.gid }).toEqual({
        mode: 0o660,
        uid: 0,
        gid: 65534,
      });
      expect(await asNobody(path)).toBe('answer {"ok":true}');
    },
  );

  it.runIf(isRoot && hasSetpriv)(
    'the group is what counts: a member by supplementary group gets in',
    async () => {
      // gid 4242 is nobody's primary group; the client is uid/gid 65534 with 4242 added.
      const path = await open('numeric.sock', '4242');
      expect(statSync(path).gid).toBe(4242);
      expect(await asNobody(path)).toBe('error EACCES');
      expect(await asNobody(path, 4242)).toBe('answer {"ok":true}');
    },
  );

  it('an unknown group is a KA_ERR_CONTROL error and leaves no socket behind', async () => {
    const path = join(dir, 'nogroup.sock');
    await expect(ControlSocket.listen(path, { group: 'no-such-group-kts' }, () => 'x')).rejects.toMatchObject(
      {
        code: 'KA_ERR_CONTROL',
        message: "control socket group 'no-such-group-kts': no such group",
      },
    );
    expect(existsSync(path)).toBe(false);
  });

  it('resolveGroup: names from the group file, numbers as they are', () => {
    const file = join(dir, 'group');
    writeFileSync(file, 'root:x:0:\nkts-status:x:1234:alice,bob\nbroken:x:zz:\n');
    expect(resolveGroup('kts-status', file)).toBe(1234);
    expect(resolveGroup('root', file)).toBe(0);
    expect(resolveGroup('4321', file)).toBe(4321);
    expect(resolveGroup('broken', file)).toBeNull();
    expect(resolveGroup('nobody-here', file)).toBeNull();
  });
});

describe('the built daemon (-C)', () => {
  let daemon: ChildProcess | undefined;
  const lines: string[] = [];
  afterAll(() => daemon?.kill('SIGKILL'));

  it('--control-socket-group gives the socket to the group; no TCP listener without metrics_listen', async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
    const conf = join(dir, 'daemon.conf');
    // A checker to a closed loopback port: the daemon has work to do but nothing to listen on.
    writeFileSync(
      conf,
      'virtual_server 192.0.2.100 80 {\n delay_loop 1\n protocol TCP\n real_server 127.0.0.1 9 {\n  TCP_CHECK {\n   connect_timeout 1\n  }\n }\n}\n',
    );
    const path = join(dir, 'daemon.sock');
    daemon = await startCheckerDaemon({
      conf,
      pidFile: join(dir, 'd.pid'),
      controlSocket: path,
      lines,
      extra: ['--control-socket-group', 'nogroup'],
    });
    const st = statSync(path);
    expect({ mode: st.mode & 0o777, gid: st.gid }).toEqual({ mode: 0o660, gid: 65534 });
    expect(errorOf((await ask(path, ['bogus\n'])).answer)).toMatch(/^unknown command 'bogus'/);
    expect(JSON.parse((await ask(path, ['status\n'])).answer)).toHaveProperty('virtualServers');

    // The probe sees a listener where there is one: ours, on an ephemeral loopback port.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const port = (probe.address() as AddressInfo).port;
    const hex = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
    expect(tcpListeners(process.pid)).toContain(`tcp ${hex}`);
    probe.close();

    const pid = daemon.pid ?? 0;
    expect(tcpListeners(pid)).toEqual([]);
    // The same view from ss, as an operator would look (when it is installed).
    const ss = spawnSync('ss', ['-Hltnp'], { encoding: 'utf8' });
    if (ss.status === 0) expect(ss.stdout.split('\n').filter((l) => l.includes(`pid=${pid},`))).toEqual([]);
    expect(daemon.exitCode).toBeNull();
  });
});

/**
 * The TCP sockets in LISTEN state that process `pid` holds: its socket inodes (/proc/PID/fd)
 * matched against /proc/PID/net/tcp and tcp6 (state 0A), as `local address:port` in hex.
 */
function tcpListeners(pid: number): string[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m?.[1] !== undefined) inodes.add(m[1]);
    } catch {
      // Closed meanwhile.
    }
  }
  const out: string[] = [];
  for (const table of ['tcp', 'tcp6']) {
    const rows = readFileSync(`/proc/${pid}/net/${table}`, 'utf8').trim().split('\n').slice(1);
    for (const row of rows) {
      const f = row.trim().split(/\s+/);
      if (f[3] === '0A' && f[9] !== undefined && inodes.has(f[9])) out.push(`${table} ${f[1] ?? ''}`);
    }
  }
  return out;
}
