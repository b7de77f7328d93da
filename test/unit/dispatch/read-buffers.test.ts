/**
 * The read-buffer policy of the real server → client direction: small reads use the shared
 * landing buffer (copied), bulk reads a private buffer reused while writes complete, replaced when
 * a write stays queued, given back after a run of small reads.
 */
import { describe, expect, it } from 'vitest';
import { ConnReadBuffer, READ_BUFFER_BYTES, ReadBufferPool } from '../../../src/dispatch/read-buffers.js';

describe('ConnReadBuffer', () => {
  it('starts on the shared landing buffer and copies what lands there', () => {
    const pool = new ReadBufferPool();
    const r = new ConnReadBuffer(pool);
    const buf = r.next();
    expect(buf).toBe(pool.landing);
    buf.write('hello');
    const chunk = r.chunk(buf, 5);
    buf.write('XXXXX'); // the next read of any connection
    expect(chunk.toString()).toBe('hello');
    r.afterWrite(buf, 5, false);
    expect(r.next()).toBe(pool.landing);
  });

  it('a large read moves to a private buffer, reused while writes complete', () => {
    const pool = new ReadBufferPool();
    const r = new ConnReadBuffer(pool);
    r.afterWrite(pool.landing, READ_BUFFER_BYTES, false);
    const own = r.next();
    expect(own).not.toBe(pool.landing);
    expect(r.chunk(own, 10).buffer).toBe(own.buffer); // a view, no copy
    r.afterWrite(own, READ_BUFFER_BYTES, false);
    expect(r.next()).toBe(own);
  });

  it('a write that stays queued keeps the buffer: the next read gets another', () => {
    const pool = new ReadBufferPool();
    const r = new ConnReadBuffer(pool);
    r.afterWrite(pool.landing, READ_BUFFER_BYTES, false);
    const own = r.next();
    r.afterWrite(own, READ_BUFFER_BYTES, true);
    expect(r.next()).not.toBe(own);
    expect(r.next()).not.toBe(pool.landing);
  });

  it('a run of small reads gives the private buffer back to the pool', () => {
    const pool = new ReadBufferPool();
    const r = new ConnReadBuffer(pool);
    r.afterWrite(pool.landing, READ_BUFFER_BYTES, false);
    const own = r.next();
    for (let i = 0; i < 3; i++) r.afterWrite(own, 100, false);
    expect(r.next()).toBe(own);
    r.afterWrite(own, 100, false);
    expect(r.next()).toBe(pool.landing);
    expect(pool.freeCount).toBe(1);
    expect(pool.take()).toBe(own);
  });

  it('release() returns the buffer unless a queued write holds it', () => {
    const pool = new ReadBufferPool();
    const a = new ConnReadBuffer(pool);
    a.afterWrite(pool.landing, READ_BUFFER_BYTES, false);
    a.release(true);
    expect(pool.freeCount).toBe(0);
    const b = new ConnReadBuffer(pool);
    b.afterWrite(pool.landing, READ_BUFFER_BYTES, false);
    b.release(false);
    expect(pool.freeCount).toBe(1);
  });
});
