/**
 * Recycled read buffers for the real server → client direction (Node's default read path
 * allocates a fresh 64 KiB buffer per read, which halved bulk throughput in a long-running
 * process). The upstream socket reads into a buffer we give it (`onread`), we
 * write a view of it to the client, and reuse it for the next read unless that write stayed
 * queued (then the queued write still points into it and the next read gets another buffer).
 *
 * Memory: libuv needs a buffer registered on every reading socket, so a private 64 KiB buffer per
 * connection would cost 640 MiB for 10,000 idle connections. Instead every connection starts on
 * one worker-wide landing buffer whose bytes are copied before they are written (small reads,
 * cheap), and takes a private buffer from a small free list only once it sees a large read (bulk
 * traffic). After a few small reads in a row it gives the private buffer back.
 */

export const READ_BUFFER_BYTES = 64 * 1024;
/** A read at least this large moves the connection onto a private buffer. */
const LARGE_READ_BYTES = 16 * 1024;
/** This many reads in a row below SMALL_READ_BYTES give the private buffer back. */
const SMALL_READ_BYTES = 4 * 1024;
const SMALL_READS_TO_RELEASE = 4;
/** Free private buffers kept per worker (4 MiB). */
const FREE_LIST_MAX = 64;

/** One per worker. */
export class ReadBufferPool {
  /** Shared by every connection not on a private buffer: its bytes never outlive the read callback. */
  readonly landing: Buffer = Buffer.allocUnsafeSlow(READ_BUFFER_BYTES);
  private readonly free: Buffer[] = [];

  take(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafeSlow(READ_BUFFER_BYTES);
  }

  give(buf: Buffer): void {
    if (this.free.length < FREE_LIST_MAX) this.free.push(buf);
  }

  get freeCount(): number {
    return this.free.length;
  }
}

/** One per upstream socket: what its next read lands in. */
export class ConnReadBuffer {
  private own: Buffer | null = null;
  private smallReads = 0;

  constructor(private readonly pool: ReadBufferPool) {}

  /** `onread.buffer`: Node calls it when the socket is set up and after every read. */
  readonly next = (): Buffer => this.own ?? this.pool.landing;

  /** The bytes of a read to hand to write(): a copy when they are in the shared landing buffer. */
  chunk(buf: Buffer, n: number): Buffer {
    return buf === this.pool.landing ? Buffer.from(buf.subarray(0, n)) : buf.subarray(0, n);
  }

  /**
   * After writing `chunk(buf, n)`: `queued` is whether the client socket still holds unwritten
   * bytes (writableLength > 0), i.e. whether a private buffer may still be referenced.
   */
  afterWrite(buf: Buffer, n: number, queued: boolean): void {
    if (buf === this.pool.landing) {
      if (n >= LARGE_READ_BYTES) this.own = this.pool.take();
      return;
    }
    if (queued) {
      // The queued write owns this one now; the next read needs another.
      this.own = this.pool.take();
      this.smallReads = 0;
      return;
    }
    if (n >= SMALL_READ_BYTES) {
      this.smallReads = 0;
    } else if (++this.smallReads >= SMALL_READS_TO_RELEASE) {
      this.pool.give(buf);
      this.own = null;
      this.smallReads = 0;
    }
  }

  /** The connection is over: give the private buffer back unless a queued write still uses it. */
  release(queued: boolean): void {
    if (this.own !== null && !queued) this.pool.give(this.own);
    this.own = null;
  }
}
