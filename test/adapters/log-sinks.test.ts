/**
 * The daemon's logger writing to the journal's and syslog's sockets (daemon/log.ts), received by
 * a real AF_UNIX datagram socket (python3, bound where journald or a syslog daemon would be):
 * one datagram per line with keepalived's text and identifiers, and the JSON line on stdout
 * instead when nobody listens. Under systemd, the real journald: the system test.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger, type LogOptions } from '../../src/daemon/log.js';
import { decodeJournal } from '../helpers/journal.js';
import { waitFor } from '../helpers/process.js';

/** Binds a SOCK_DGRAM socket at argv[1] and prints each datagram, base64, one per line. */
const RECEIVER = `
import base64, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print('bound', flush=True)
while True:
    print(base64.b64encode(s.recv(262144)).decode(), flush=True)
`;

let dir: string;
let children: ChildProcessWithoutNullStreams[];
let fds: number[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kts-log-sinks-'));
  children = [];
  fds = [];
});
afterEach(() => {
  for (const c of children) c.kill('SIGKILL');
  for (const fd of fds) closeSync(fd);
  rmSync(dir, { recursive: true, force: true });
});

async function receiver(path: string): Promise<Buffer[]> {
  const child = spawn('python3', ['-c', RECEIVER, path]);
  children.push(child);
  const got: Buffer[] = [];
  let bound = false;
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (line === 'bound') bound = true;
    else got.push(Buffer.from(line, 'base64'));
  });
  await waitFor(
    () => bound,
    5000,
    () => `python3 receiver did not bind ${path}: ${stderr}`,
  );
  return got;
}

/** A logger whose JSON lines (stdout's part) go to a file we can read. */
function logger(opts: Omit<LogOptions, 'console' | 'detail' | 'fd'>) {
  const jsonFile = join(dir, 'stdout.json');
  const fd = openSync(jsonFile, 'w');
  fds.push(fd);
  return {
    log: createLogger({ console: false, detail: false, fd, ...opts }),
    json: () => readFileSync(jsonFile, 'utf8'),
  };
}

describe('logging to the journal and to syslog', () => {
  it('journal: one datagram per line, MESSAGE and identifiers as keepalived, fields as journal fields', async () => {
    const path = join(dir, 'journal.sock');
    const got = await receiver(path);
    const { log, json } = logger({ format: 'journal', socketPath: path });
    log.info(
      { event: 'vrrp.transition', instance: 'VI_1', from: 'BACKUP', to: 'MASTER', priority: 150 },
      '(VI_1) Entering MASTER STATE',
    );
    log.warn(
      { event: 'check.down', rs: '[192.0.2.11]:tcp:80' },
      'TCP_CHECK on service [192.0.2.11]:tcp:80 failed.',
    );
    await waitFor(
      () => got.length >= 2,
      5000,
      () => `${got.length} datagrams`,
    );
    const [vrrp, check] = got.map((d) => new Map(decodeJournal(d)));
    expect(vrrp?.get('MESSAGE')).toBe('(VI_1) Entering MASTER STATE');
    expect(vrrp?.get('SYSLOG_IDENTIFIER')).toBe('Keepalived_vrrp');
    expect(vrrp?.get('PRIORITY')).toBe('6');
    expect(vrrp?.get('SYSLOG_FACILITY')).toBe('3');
    expect(vrrp?.get('SYSLOG_PID')).toBe(String(process.pid));
    expect([vrrp?.get('EVENT'), vrrp?.get('INSTANCE'), vrrp?.get('TO')]).toEqual([
      'vrrp.transition',
      'VI_1',
      'MASTER',
    ]);
    expect(vrrp?.get('KEEPALIVED_PRIORITY')).toBe('150');
    expect(check?.get('SYSLOG_IDENTIFIER')).toBe('Keepalived_healthcheckers');
    expect(check?.get('PRIORITY')).toBe('4');
    expect(check?.get('RS')).toBe('[192.0.2.11]:tcp:80');
    // Nothing went to stdout as well.
    expect(json()).toBe('');
  });

  it("syslog: glibc syslog(3)'s line, with -S's facility", async () => {
    const path = join(dir, 'log.sock');
    const got = await receiver(path);
    const { log } = logger({ format: 'syslog', socketPath: path, facility: 19 });
    log.info({ event: 'check.rs.down' }, 'Removing service [192.0.2.11]:tcp:80 from VS [192.0.2.100]:tcp:80');
    await waitFor(
      () => got.length >= 1,
      5000,
      () => 'no datagram',
    );
    expect(got[0]?.toString()).toMatch(
      new RegExp(
        `^<158>[A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d Keepalived_healthcheckers\\[${process.pid}\\]: Removing service \\[192\\.0\\.2\\.11\\]:tcp:80 from VS \\[192\\.0\\.2\\.100\\]:tcp:80$`,
      ),
    );
  });

  it('nobody listening: each line goes to stdout as JSON instead, none lost', () => {
    const { log, json } = logger({ format: 'journal', socketPath: join(dir, 'absent.sock') });
    log.info({ event: 'vrrp.transition', instance: 'VI_1' }, '(VI_1) Entering BACKUP STATE');
    log.error({ event: 'daemon.start-failed' }, 'keepalived-ts cannot start');
    const lines = json()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { msg: string; event: string });
    expect(lines.map((l) => [l.event, l.msg])).toEqual([
      ['vrrp.transition', '(VI_1) Entering BACKUP STATE'],
      ['daemon.start-failed', 'keepalived-ts cannot start'],
    ]);
  });
});
