/**
 * The data-plane worker thread's entry: it owns the listening sockets and client connections of
 * the services the main thread gave it, so client bytes never touch the thread that sends VRRP
 * adverts and runs the checkers (docs/architecture.md, "The data plane"). Table updates arrive as ToWorker messages and are
 * applied in order; events, stats and the close acknowledgement go back as FromWorker messages
 * (plane-messages.ts). A failing message handler is reported, never thrown: an uncaught exception
 * here ends the worker, and the main thread restarts it with the table re-applied.
 */
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { FromWorker, PlaneEvent, ToWorker, WorkerInit } from './plane-messages.js';
import { RateLimitedEvents } from './rate-limited-events.js';
import { ReadBufferPool } from './read-buffers.js';
import { ServiceRuntime, type RuntimeEnv } from './service-runtime.js';

const port = parentPort;
if (port === null) throw new Error('dispatch/worker.ts runs as a worker thread (see plane.ts)');
const { index } = workerData as WorkerInit;

/**
 * Below the VRRP thread: on Linux a nice value belongs to the thread (setpriority(PRIO_PROCESS, 0)
 * changes only the caller), so a saturated data plane yields the CPU to adverts, much as keepalived
 * gives its VRRP process a real-time priority (vrrp_rt_priority).
 */
const WORKER_NICE = 10;
try {
  setPriority(0, WORKER_NICE);
} catch {
  // Not allowed (a seccomp filter): the worker runs at the daemon's priority.
}

const send = (msg: FromWorker): void => port.postMessage(msg);
const env: RuntimeEnv = {
  worker: index,
  buffers: new ReadBufferPool(),
  limiter: new RateLimitedEvents(),
  emit: (event: PlaneEvent) => send({ type: 'event', event }),
  now: () => performance.now(),
};
const services = new Map<string, ServiceRuntime>();

const ticker = setInterval(() => {
  for (const svc of services.values()) svc.tick();
}, 1000);
ticker.unref();

function handle(msg: ToWorker): void {
  switch (msg.type) {
    case 'set-service': {
      const svc = services.get(msg.id);
      if (svc) svc.update(msg.spec);
      else services.set(msg.id, new ServiceRuntime(msg.id, msg.spec, env));
      return;
    }
    case 'remove-service':
      services.get(msg.id)?.close();
      services.delete(msg.id);
      return;
    case 'set-dest':
      services.get(msg.id)?.setDest(msg.dest);
      return;
    case 'remove-dest':
      services.get(msg.id)?.removeDest(msg.address, msg.port);
      return;
    case 'address-available':
      for (const svc of services.values()) svc.addressAvailable(msg.address);
      return;
    case 'stats':
      send({ type: 'stats', req: msg.req, services: [...services.values()].map((s) => s.stats()) });
      return;
    case 'close':
      for (const svc of services.values()) svc.destroy();
      services.clear();
      clearInterval(ticker);
      send({ type: 'closed', req: msg.req });
      return;
  }
}

port.on('message', (msg: ToWorker) => {
  try {
    handle(msg);
  } catch (err) {
    const service = 'id' in msg ? msg.id : null;
    env.emit({
      kind: 'internal-error',
      worker: index,
      service,
      message: (err as Error).stack ?? String(err),
    });
  }
});
