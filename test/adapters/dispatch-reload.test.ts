/**
 * SIGHUP on the dispatcher side, on loopback through the worker-thread data plane: the daemon's
 * order (HealthChecks.reload(), then Dispatcher.reload()) with real clients and backends. An
 * identical or slightly changed plan leaves the listener and an open proxied connection alone; a
 * removed service stops taking clients while its open connection goes on; a new service and a new
 * real server get new connections.
 */
import net from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { HealthChecks } from '../../src/check/health-checks.js';
import { startDispatcher, type Dispatcher } from '../../src/daemon/dispatcher.js';
import { WorkerDataPlane, type PlaneEvent } from '../../src/dispatch/plane.js';
import { SystemClock } from '../../src/host/system-clock.js';
import { brief, loadText } from '../helpers/config.js';
import {
  connectLine,
  freePort,
  namedEcho,
  roundTrip,
  TS_LOADER,
  waitFor,
  WORKER_TS,
  type Backend,
} from '../helpers/dispatch.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A virtual server on 127.0.0.1:`port` proxying to `servers` (no checkers: always alive). */
const vs = (port: number, servers: readonly Backend[], extra = ''): string => `
virtual_server 127.0.0.1 ${port} {
  protocol TCP
  lb_algo rr
  lb_kind NAT
  ${extra}
${servers.map((b) => `  real_server 127.0.0.1 ${b.port} {\n    weight 1\n  }`).join('\n')}
}
`;

function load(text: string) {
  const loaded = loadText(text);
  expect(brief(loaded.diagnostics).filter((d) => d.includes('ERROR'))).toEqual([]);
  return loaded.config;
}

interface Daemon {
  readonly dispatcher: Dispatcher;
  readonly events: PlaneEvent[];
  readonly msgs: string[];
  reload(text: string): ReturnType<Dispatcher['reload']>;
}

/** The checker and dispatcher sides as daemon/main.ts wires them. */
async function daemon(text: string): Promise<Daemon> {
  const events: PlaneEvent[] = [];
  const msgs: string[] = [];
  const log = pino(
    { level: 'info' },
    { write: (l: string) => msgs.push((JSON.parse(l) as { msg: string }).msg) },
  );
  const config = load(text);
  const dispatcher = await startDispatcher(config, log, {
    dataPlane: (onEvent) =>
      new WorkerDataPlane({
        workerUrl: WORKER_TS,
        execArgv: ['--import', TS_LOADER],
        onEvent: (e) => {
          events.push(e);
          onEvent(e);
        },
      }),
  });
  const checks = new HealthChecks(config, {
    clock: new SystemClock(),
    log,
    table: dispatcher.table,
    notifier: { checkerScript: () => undefined, checkerLine: () => undefined },
    types: new Map(),
    trackFileValue: () => undefined,
    localAddresses: new Set(),
    random: () => 0,
  });
  checks.start();
  cleanups.push(() => dispatcher.close());
  cleanups.push(() => checks.stop());
  return {
    dispatcher,
    events,
    msgs,
    reload: (next) => {
      const c = load(next);
      checks.reload(c);
      return dispatcher.reload(c);
    },
  };
}

async function backends(...names: string[]): Promise<Backend[]> {
  const out = await Promise.all(names.map((n) => namedEcho(n)));
  for (const b of out) cleanups.push(() => b.close());
  return out;
}

async function client(port: number): Promise<{ line: string; socket: net.Socket }> {
  const c = await connectLine(port);
  cleanups.push(() => void c.socket.destroy());
  return c;
}

/** True when a connection to `port` is refused (nothing listens). */
const refused = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });

const listening = (d: Daemon, service: string): number =>
  d.events.filter((e) => e.kind === 'listening' && e.service === service).length;

describe('Dispatcher.reload() with the worker data plane', () => {
  it('an identical plan, then a new persistence_timeout: the listener and an open connection stay', async () => {
    const [a] = await backends('a');
    if (!a) throw new Error('no backend');
    const port = await freePort();
    const id = `[127.0.0.1]:tcp:${port}`;
    const d = await daemon(vs(port, [a]));
    await waitFor(() => listening(d, id) === 1, 10_000, 'listening');
    const c1 = await client(port);
    expect(c1.line).toBe('a');
    expect(await roundTrip(c1.socket, 'one')).toBe('one');

    expect(await d.reload(vs(port, [a]))).toEqual({ kept: [id], changed: [], added: [], removed: [] });
    expect(await roundTrip(c1.socket, 'two')).toBe('two');
    expect((await client(port)).line).toBe('a');

    expect(await d.reload(vs(port, [a], 'persistence_timeout 60'))).toEqual({
      kept: [],
      changed: [id],
      added: [],
      removed: [],
    });
    expect(await roundTrip(c1.socket, 'three')).toBe('three');
    expect((await client(port)).line).toBe('a');
    // Never listened anew; the real server was set once, at start.
    expect(listening(d, id)).toBe(1);
    expect(d.msgs.filter((m) => /Removing|Adding|no longer/.test(m))).toEqual([]);
    const stats = await d.dispatcher.stats();
    expect(stats.map((s) => [s.id, s.listening, s.dests.map((x) => x.port)])).toEqual([[id, true, [a.port]]]);
  });

  it('a service removed takes no new clients while its open connection goes on; a new one serves', async () => {
    const [a, b] = await backends('a', 'b');
    if (!a || !b) throw new Error('no backend');
    const [port, port2] = [await freePort(), await freePort()];
    const d = await daemon(vs(port, [a]));
    await waitFor(() => listening(d, `[127.0.0.1]:tcp:${port}`) === 1, 10_000, 'listening');
    const c1 = await client(port);

    const report = await d.reload(vs(port2, [b]));
    expect(report).toEqual({
      kept: [],
      changed: [],
      added: [`[127.0.0.1]:tcp:${port2}`],
      removed: [`[127.0.0.1]:tcp:${port}`],
    });
    await waitFor(() => refused(port), 20_000, 'the removed service to stop listening');
    expect(await roundTrip(c1.socket, 'still here')).toBe('still here');
    // The new service got its real server from the table though the checkers set it first.
    await waitFor(() => listening(d, `[127.0.0.1]:tcp:${port2}`) === 1, 20_000, 'the new listener');
    expect((await client(port2)).line).toBe('b');
    expect(await roundTrip(c1.socket, 'and still')).toBe('and still');
    expect(d.msgs).toContain(`Removing Virtual Server [127.0.0.1]:tcp:${port}`);
  });

  it('a real server added gets new connections; the open ones stay where they are', async () => {
    const [a, b] = await backends('a', 'b');
    if (!a || !b) throw new Error('no backend');
    const port = await freePort();
    const d = await daemon(vs(port, [a]));
    await waitFor(() => listening(d, `[127.0.0.1]:tcp:${port}`) === 1, 10_000, 'listening');
    const c1 = await client(port);
    expect(c1.line).toBe('a');

    await d.reload(vs(port, [a, b]));
    const lines: string[] = [];
    for (let i = 0; i < 4; i++) lines.push((await client(port)).line);
    expect(lines.sort()).toEqual(['a', 'a', 'b', 'b']);
    expect(await roundTrip(c1.socket, 'on a')).toBe('on a');
    expect(b.accepted.length).toBe(2);
  });
});
