/**
 * Test-only fault injection for the data-plane workers, loaded in each worker before its entry
 * (startPlane() passes it with `--import` in the workers' execArgv). A message on the
 * BroadcastChannel CRASH_CHANNEL with a worker's index makes that worker throw an uncaught
 * exception, which ends the thread as a real bug would; plane.ts then restarts it. The production
 * protocol (src/dispatch/plane-messages.ts) has no such message.
 */
import { BroadcastChannel, isMainThread, workerData } from 'node:worker_threads';

export const CRASH_CHANNEL = 'keepalived-ts-test-worker-crash';
export const CRASH_MESSAGE = 'injected worker crash';

if (!isMainThread) {
  const { index } = workerData as { index: number };
  const channel = new BroadcastChannel(CRASH_CHANNEL);
  // The channel must not keep a worker alive that would otherwise end.
  channel.unref();
  channel.onmessage = (ev: unknown) => {
    if ((ev as MessageEvent).data !== index) return;
    setImmediate(() => {
      throw new Error(CRASH_MESSAGE);
    });
  };
}
