/**
 * What a running daemon has opened, closed in the reverse order on stop (the pid file last, as
 * it was claimed first). A closer that throws is logged and the rest still run.
 */
import type { Logger } from './log.js';

export class Closers {
  private readonly closers: { readonly what: string; readonly close: () => void }[] = [];

  constructor(private readonly log: Logger) {}

  add(what: string, close: () => void): void {
    this.closers.push({ what, close });
  }

  /** Closes everything added, newest first; a second call does nothing. */
  closeAll(): void {
    for (const c of this.closers.reverse()) {
      try {
        c.close();
      } catch (err) {
        this.log.warn(
          { event: 'daemon.cleanup-error', what: c.what, err },
          `cleanup: ${(err as Error).message}`,
        );
      }
    }
    this.closers.length = 0;
  }
}
