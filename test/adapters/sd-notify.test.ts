/**
 * sd-notify.ts against a real AF_UNIX datagram receiver (python3, as systemd's notify socket would
 * be): the exact datagrams for READY/RELOADING/STOPPING/STATUS/WATCHDOG, an abstract '@' address,
 * the watchdog pings, send failures reported and not thrown, and nothing at all without
 * NOTIFY_SOCKET.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createNotifier,
  startWatchdog,
  watchdogIntervalMs,
  type WatchdogHandle,
} from '../../src/daemon/sd-notify.js';
import { waitFor } from '../helpers/process.js';

/** Binds a SOCK_DGRAM socket at argv[1] ('@name': abstract) and prints each datagram as JSON. */
const RECEIVER = `
import json, socket, sys, time
addr = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind('\\0' + addr[1:] if addr.startswith('@') else addr)
print(json.dumps({'bound': True}), flush=True)
while True:
    data = s.recv(65536)
    now = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
    print(json.dumps({'data': data.decode(), 'monoUsec': now}), flush=True)
`;

interface Received {
  readonly data: string;
  readonly monoUsec: number;
}

interface Receiver {
  readonly got: Received[];
}

let dir: string;
let children: ChildProcessWithoutNullStreams[];
let watchdogs: WatchdogHandle[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ka-sd-notify-'));
  children = [];
  watchdogs = [];
});
afterEach(() => {
  for (const w of watchdogs) w.stop();
  for (const c of children) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

async function receiver(addr: string): Promise<Receiver> {
  const child = spawn('python3', ['-c', RECEIVER, addr]);
  children.push(child);
  const got: Received[] = [];
  let bound = false;
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  createInterface({ input: child.stdout }).on('line', (line) => {
    const msg = JSON.parse(line) as { bound?: true } & Received;
    if (msg.bound) bound = true;
    else got.push(msg);
  });
  await waitFor(
    () => bound,
    5000,
    () => `python3 receiver did not bind ${addr}: ${stderr}`,
  );
  return { got };
}

const texts = (r: Receiver): string[] => r.got.map((m) => m.data);

describe('createNotifier with NOTIFY_SOCKET', () => {
  it('sends each message as one datagram, exactly as libsystemd would', async () => {
    const path = join(dir, 'notify');
    const r = await receiver(path);
    const errors: Error[] = [];
    const sd = createNotifier({ NOTIFY_SOCKET: path }, { onError: (e) => errors.push(e) });
    expect(sd.enabled).toBe(true);

    sd.ready();
    sd.ready('Startup complete');
    sd.reloading();
    sd.reloading('Reloading configuration');
    sd.stopping();
    sd.stopping('Stopping');
    sd.status('2 instances\nVI_1 MASTER');
    sd.watchdog();
    await waitFor(
      () => r.got.length === 8,
      3000,
      () => JSON.stringify(texts(r)),
    );

    expect(errors).toEqual([]);
    expect(texts(r)).toEqual([
      'READY=1',
      'READY=1\nSTATUS=Startup complete',
      expect.stringMatching(/^RELOADING=1\nMONOTONIC_USEC=\d+$/),
      expect.stringMatching(/^RELOADING=1\nMONOTONIC_USEC=\d+\nSTATUS=Reloading configuration$/),
      'STOPPING=1',
      'STOPPING=1\nSTATUS=Stopping',
      'STATUS=2 instances VI_1 MASTER',
      'WATCHDOG=1',
    ]);
    // MONOTONIC_USEC is CLOCK_MONOTONIC: at most the receiver's own reading on arrival, and close.
    for (const m of r.got.slice(2, 4)) {
      const sent = Number(/MONOTONIC_USEC=(\d+)/.exec(m.data)?.[1]);
      expect(sent).toBeLessThanOrEqual(m.monoUsec);
      expect(m.monoUsec - sent).toBeLessThan(5_000_000);
    }
  });

  it('reaches an abstract address (NOTIFY_SOCKET=@name)', async () => {
    const addr = `@keepalived-ts-test-${process.pid}-${Math.random().toString(36).slice(2)}`;
    const r = await receiver(addr);
    const errors: Error[] = [];
    const sd = createNotifier({ NOTIFY_SOCKET: addr }, { onError: (e) => errors.push(e) });
    sd.ready('Startup complete');
    sd.stopping();
    await waitFor(
      () => r.got.length === 2,
      3000,
      () => JSON.stringify(texts(r)),
    );
    expect(texts(r)).toEqual(['READY=1\nSTATUS=Startup complete', 'STOPPING=1']);
    expect(errors).toEqual([]);
  });

  it('reports a failed send through onError and never throws', () => {
    const missing = join(dir, 'nobody-listens');
    const errors: Error[] = [];
    const sd = createNotifier({ NOTIFY_SOCKET: missing }, { onError: (e) => errors.push(e) });
    expect(() => sd.ready()).not.toThrow();
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toBe(`sd_notify READY=1 to ${missing}: sendto: No such file or directory`);
    expect((errors[0]?.cause as { code?: string }).code).toBe('ENOENT');

    const vsock = createNotifier({ NOTIFY_SOCKET: 'vsock:2:1234' }, { onError: (e) => errors.push(e) });
    expect(() => vsock.stopping()).not.toThrow();
    expect(errors[1]?.message).toMatch(/^sd_notify STOPPING=1 to vsock:2:1234: only unix socket paths/);

    const throwing = createNotifier(
      { NOTIFY_SOCKET: missing },
      {
        onError: () => {
          throw new Error('logger broke');
        },
      },
    );
    expect(() => throwing.watchdog()).not.toThrow();
  });

  it('pings WATCHDOG=1 every WATCHDOG_USEC / 2 until stopped', async () => {
    const path = join(dir, 'notify');
    const r = await receiver(path);
    const env = { NOTIFY_SOCKET: path, WATCHDOG_USEC: '100000', WATCHDOG_PID: String(process.pid) };
    const wd = startWatchdog(createNotifier(env), env);
    watchdogs.push(wd);
    expect(wd.intervalMs).toBe(50);
    await waitFor(
      () => r.got.length >= 3,
      3000,
      () => JSON.stringify(texts(r)),
    );
    wd.stop();
    wd.stop();
    const count = r.got.length;
    expect(new Set(texts(r))).toEqual(new Set(['WATCHDOG=1']));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(r.got.length).toBe(count);
  });
});

describe('watchdogIntervalMs (sd_watchdog_enabled)', () => {
  const pid = 4242;
  it.each([
    ['WatchdogSec=10s', { WATCHDOG_USEC: '10000000' }, 5000],
    ['for this pid', { WATCHDOG_USEC: '10000000', WATCHDOG_PID: '4242' }, 5000],
    ['for another pid (a child that inherited it)', { WATCHDOG_USEC: '10000000', WATCHDOG_PID: '1' }, null],
    ['unset', {}, null],
    ['zero', { WATCHDOG_USEC: '0' }, null],
    ['not a number', { WATCHDOG_USEC: '10s' }, null],
    ['below 2 ms', { WATCHDOG_USEC: '1' }, 1],
    ['beyond a Node timer', { WATCHDOG_USEC: '18446744073709551615' }, 2 ** 31 - 1],
  ])('%s', (_name, env, want) => {
    expect(watchdogIntervalMs(env, pid)).toBe(want);
  });
});

describe('without NOTIFY_SOCKET', () => {
  it('does nothing at all', () => {
    const sent: string[] = [];
    const errors: Error[] = [];
    for (const env of [{}, { NOTIFY_SOCKET: '' }, { WATCHDOG_USEC: '100000' }]) {
      const sd = createNotifier(env, {
        send: (_path, data) => void sent.push(data.toString()),
        onError: (e) => errors.push(e),
        monotonicUsec: () => {
          throw new Error('the clock is not read');
        },
      });
      expect(sd.enabled).toBe(false);
      sd.ready('x');
      sd.reloading('x');
      sd.stopping('x');
      sd.status('x');
      sd.watchdog();
      const wd = startWatchdog(sd, env);
      expect(wd.intervalMs).toBeNull();
      wd.stop();
    }
    expect(sent).toEqual([]);
    expect(errors).toEqual([]);
  });
});
