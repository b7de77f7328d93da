/** Waiting and process checks shared by the adapter tests that run real scripts. */
import { readFileSync } from 'node:fs';

/** Alive and not a zombie (an orphan's zombie may linger if nobody reaps it here). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Poll `cond` every 10 ms; throw `what()` (or a plain message) after `ms`. */
export async function waitFor(cond: () => boolean, ms = 3000, what?: () => string): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(what ? `timed out: ${what()}` : 'timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}
