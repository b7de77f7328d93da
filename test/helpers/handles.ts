/**
 * Counting this process's open sockets (process.getActiveResourcesInfo(): `TCPSocketWrap`,
 * `UDPWrap`) for the "leaves no socket open" tests. A closed handle leaves the list a few event
 * loop turns later, more under a loaded CPU, so both counts wait for it instead of a fixed time.
 */
const count = (type: string): number => process.getActiveResourcesInfo().filter((t) => t === type).length;
const turn = (): Promise<void> => new Promise((r) => setTimeout(r, 10));

/** The count once it has stopped falling (handles closed by earlier tests are gone). */
export async function quietCount(type: string, timeoutMs = 2_000): Promise<number> {
  const end = Date.now() + timeoutMs;
  let last = count(type);
  for (;;) {
    await turn();
    const now = count(type);
    if (now >= last || Date.now() > end) return now;
    last = now;
  }
}

/** The count once it is back to `before` or below, or after `timeoutMs` (a leak: more). */
export async function countBackTo(type: string, before: number, timeoutMs = 5_000): Promise<number> {
  const end = Date.now() + timeoutMs;
  while (count(type) > before && Date.now() < end) await turn();
  return count(type);
}
