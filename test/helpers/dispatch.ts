/**
 * Shared setup for the data-plane adapter tests: a WorkerDataPlane whose workers run the TypeScript
 * sources (through ts-loader.mjs), the events it reported, ports, and small real backends.
 */
import { createHash } from 'node:crypto';
import net from 'node:net';
import { BroadcastChannel } from 'node:worker_threads';
import { afterAll, afterEach, beforeAll } from 'vitest';
import {
  WorkerDataPlane,
  type DestSpec,
  type PlaneEvent,
  type ServiceSpec,
} from '../../src/dispatch/plane.js';
import { CRASH_CHANNEL } from './worker-crash-hook.js';

export const WORKER_TS = new URL('../../src/dispatch/worker.ts', import.meta.url);
export const TS_LOADER = new URL('./ts-loader.mjs', import.meta.url).href;
/** Loaded in every test worker: crashWorker() below. */
const CRASH_HOOK = new URL('./worker-crash-hook.ts', import.meta.url).href;

export interface TestPlane {
  readonly plane: WorkerDataPlane;
  readonly events: PlaneEvent[];
  /** Resolves with the first event (already seen or to come) that matches. */
  event<K extends PlaneEvent['kind']>(
    kind: K,
    match?: (e: Extract<PlaneEvent, { kind: K }>) => boolean,
    timeoutMs?: number,
  ): Promise<Extract<PlaneEvent, { kind: K }>>;
}

export function startPlane(workers = 1): TestPlane {
  const events: PlaneEvent[] = [];
  const waiters: (() => void)[] = [];
  const plane = new WorkerDataPlane({
    workerUrl: WORKER_TS,
    execArgv: ['--import', TS_LOADER, '--import', CRASH_HOOK],
    restartDelayMs: 50,
    onEvent: (e) => {
      events.push(e);
      for (const w of waiters.splice(0)) w();
    },
  });
  plane.start({ workers });
  const event = <K extends PlaneEvent['kind']>(
    kind: K,
    match: (e: Extract<PlaneEvent, { kind: K }>) => boolean = () => true,
    // The first event waits for a worker thread to start and compile its TypeScript: seconds on a
    // loaded CPU (CI, test:stress). The adapters project gives each test 30 s.
    timeoutMs = 25_000,
  ): Promise<Extract<PlaneEvent, { kind: K }>> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no ${kind} event in ${timeoutMs} ms; got ${JSON.stringify(events)}`)),
        timeoutMs,
      );
      const check = (): void => {
        const found = events.find(
          (e): e is Extract<PlaneEvent, { kind: K }> => e.kind === kind && match(e as never),
        );
        if (found) {
          clearTimeout(timer);
          resolve(found);
        } else {
          waiters.push(check);
        }
      };
      check();
    });
  return { plane, events, event };
}

/**
 * A test file's plane: started before its tests (handed to `setup`), closed after them. `keep()`
 * registers a backend to close after each test.
 */
export function usePlane(
  workers: number,
  setup: (t: TestPlane) => void,
): { keep: (b: Promise<Backend>) => Promise<Backend> } {
  let t: TestPlane | undefined;
  const backends: Backend[] = [];
  beforeAll(() => {
    t = startPlane(workers);
    setup(t);
  });
  afterAll(async () => {
    await t?.plane.close();
  });
  afterEach(async () => {
    await Promise.all(backends.splice(0).map((b) => b.close()));
  });
  return {
    keep: async (b) => {
      const x = await b;
      backends.push(x);
      return x;
    },
  };
}

/**
 * Make data-plane worker `index` throw an uncaught exception (worker-crash-hook.ts), as a bug in
 * it would: the restart path of plane.ts runs as in production.
 */
export function crashWorker(index: number): void {
  const channel = new BroadcastChannel(CRASH_CHANNEL);
  channel.postMessage(index);
  channel.close();
}

/** A port that was free a moment ago (the kernel hands out ephemeral ports in sequence). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export function tcpService(port: number, extra: Partial<ServiceSpec> = {}): ServiceSpec {
  return {
    protocol: 'TCP',
    address: '127.0.0.1',
    port,
    scheduler: 'rr',
    flags: [],
    persistenceTimeoutMs: 0,
    persistencePrefix: 32,
    connectTimeoutMs: 2000,
    udpIdleTimeoutMs: 300_000,
    proxyProtocol: null,
    ...extra,
  };
}

export function dest(port: number, weight = 1, address = '127.0.0.1'): DestSpec {
  return { address, port, weight, sorry: false, upperThreshold: 0, lowerThreshold: 0 };
}

export interface Backend {
  readonly port: number;
  readonly name: string;
  /** Sockets accepted so far. */
  readonly accepted: net.Socket[];
  close(): Promise<void>;
}

/** A TCP server on 127.0.0.1 running `handler` on each connection (allowHalfOpen, like a real server that reads to EOF). */
export function backend(name: string, handler: (s: net.Socket) => void): Promise<Backend> {
  return new Promise((resolve) => {
    const accepted: net.Socket[] = [];
    const server = net.createServer({ allowHalfOpen: true }, (s) => {
      accepted.push(s);
      s.on('error', () => {});
      handler(s);
    });
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      resolve({
        port,
        name,
        accepted,
        close: () =>
          new Promise<void>((done) => {
            for (const s of accepted) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

/** Answers every connection with its name, then echoes. */
export const namedEcho = (name: string): Promise<Backend> =>
  backend(name, (s) => {
    s.write(`${name}\n`);
    s.pipe(s);
  });

/** Connect, wait for the first line, return it and the socket. */
export function connectLine(port: number, host = '127.0.0.1'): Promise<{ line: string; socket: net.Socket }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host });
    let buf = '';
    socket.setEncoding('utf8');
    socket.on('error', reject);
    const onData = (d: string): void => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        socket.off('data', onData);
        resolve({ line: buf.slice(0, nl), socket });
      }
    };
    socket.on('data', onData);
    socket.on('close', () => reject(new Error(`closed before a line (got ${JSON.stringify(buf)})`)));
  });
}

/** Send `text`, resolve with what comes back once at least `expect` characters arrived. */
export function roundTrip(socket: net.Socket, text: string, expect = text.length): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (d: string | Buffer): void => {
      buf += d.toString();
      if (buf.length >= expect) {
        socket.off('data', onData);
        resolve(buf);
      }
    };
    socket.on('data', onData);
    socket.once('close', () => reject(new Error(`closed after ${JSON.stringify(buf)}`)));
    socket.write(text);
  });
}

export const sha256 = (): ReturnType<typeof createHash> => createHash('sha256');

export async function waitFor(
  cond: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
  what = 'condition',
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
