/**
 * Keep trying to listen on a virtual address. On a BACKUP director the VIP is not on this host
 * yet, so bind() fails with EADDRNOTAVAIL until VRRP makes us MASTER. IPVS has no such step (it
 * matches packets, not sockets); keepalived's own answer for proxies is net.ipv4.ip_nonlocal_bind.
 * We keep the service pending instead: retry every second and at once when the daemon says the
 * address arrived (addressAvailable), and report each failure code once, not every retry.
 * Other errors (EADDRINUSE, EACCES) are retried the same way: they may clear too.
 */

const LISTEN_RETRY_MS = 1000;

/** Bind and listen once: resolves when listening, rejects with the errno error. */
export type OpenListener = () => Promise<void>;

export type ListenerReport =
  | { readonly kind: 'listening' }
  | { readonly kind: 'failed'; readonly code: string; readonly message: string };

export class RetryingListener {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private attempting = false;
  private stopped = false;
  private lastCode: string | null = null;
  private up = false;

  constructor(
    private readonly open: OpenListener,
    private readonly report: (r: ListenerReport) => void,
    private readonly retryMs = LISTEN_RETRY_MS,
  ) {}

  get listening(): boolean {
    return this.up;
  }

  start(): void {
    void this.attempt();
  }

  /** The address may be here now: try at once if pending. */
  retryNow(): void {
    if (this.up || this.stopped || this.attempting) return;
    this.clearTimer();
    void this.attempt();
  }

  stop(): void {
    this.stopped = true;
    this.clearTimer();
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private async attempt(): Promise<void> {
    if (this.stopped || this.up || this.attempting) return;
    this.attempting = true;
    try {
      await this.open();
      this.attempting = false;
      if (this.stopped) return; // the owner closes what it opened
      this.up = true;
      this.lastCode = null;
      this.report({ kind: 'listening' });
    } catch (err) {
      this.attempting = false;
      if (this.stopped) return;
      const e = err as NodeJS.ErrnoException;
      const code = e.code ?? 'UNKNOWN';
      if (code !== this.lastCode) {
        this.lastCode = code;
        this.report({ kind: 'failed', code, message: e.message });
      }
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.attempt();
      }, this.retryMs);
    }
  }
}
