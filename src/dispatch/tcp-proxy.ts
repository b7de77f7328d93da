/**
 * The TCP side of the embedded dispatcher: accept a client on the virtual address, pick a real
 * server, connect (trying the next pick when one refuses, within the connect budget), then copy
 * bytes both ways until both sides are done. Where IPVS NATs packets, this terminates TCP; what the
 * client observes is kept as close as a proxy can:
 *   - half-close: a FIN from one side becomes end() towards the other after the queued bytes
 *     (allowHalfOpen on both sockets), so a client that shuts its write side still gets the reply;
 *   - reset: an RST (error) on one side becomes an RST on the other (resetAndDestroy);
 *   - no real server (all weight 0 / overloaded / none, or all refused): the client is reset at
 *     once, where IPVS would answer the SYN with ICMP port unreachable or the server's RST.
 * Backpressure: a side whose write() returns false pauses the other side's reads until 'drain'.
 * Handlers are shared functions that find their connection through a symbol on the socket
 * (manual data/drain instead of pipe(), which costs a stream and closures per connection). Every socket has an 'error' handler:
 * nothing a peer does throws.
 */
import net from 'node:net';
import { setConnActive } from './conn-accounting.js';
import type { ConnHooks, DestCounters } from './conn-hooks.js';
import type { Client, Destination } from './model.js';
import type { PersistenceHandle } from './persistence.js';
import { encodeProxyV1, encodeProxyV2 } from './proxy-protocol.js';
import { ConnReadBuffer, type ReadBufferPool } from './read-buffers.js';

export interface TcpFrontOptions {
  readonly connectTimeoutMs: number;
  readonly proxyProtocol: 'v1' | 'v2' | null;
}

/**
 * connecting: inactive (SYN_RECV); open: active (ESTABLISHED); half-closed: inactive (FIN_WAIT /
 * CLOSE_WAIT); closed: unbound. See conn-accounting.ts.
 */
type ConnState = 'connecting' | 'open' | 'half-closed' | 'closed';

const kConn = Symbol('tcp-conn');
type ConnSocket = net.Socket & { [kConn]?: TcpConn };

class TcpConn {
  state: ConnState = 'connecting';
  upstream: ConnSocket | null = null;
  dest: Destination | null = null;
  counters: DestCounters | null = null;
  reader: ConnReadBuffer | null = null;
  /** Destinations this client failed to reach, for the next pick. */
  tried: Set<Destination> | null = null;
  timer: ReturnType<typeof setTimeout> | null = null;
  /** FIN received from the client / from the real server. */
  clientEnded = false;
  upstreamEnded = false;
  clientClosed = false;
  upstreamClosed = false;
  template: PersistenceHandle | null = null;

  constructor(
    readonly front: TcpFront,
    readonly client: ConnSocket,
    readonly peer: Client,
    readonly deadlineMs: number,
  ) {}

  readonly onUpstreamRead = (n: number, buf: Buffer): boolean => {
    const client = this.client;
    const reader = this.reader;
    if (reader === null || this.counters === null) return false;
    this.counters.bytesOut += n;
    const ok = client.write(reader.chunk(buf, n));
    reader.afterWrite(buf, n, client.writableLength > 0);
    // false pauses the upstream socket's reads until the client drains (onClientDrain).
    return ok;
  };
}

const noop = (): void => {};

function onClientData(this: ConnSocket, chunk: Buffer): void {
  const conn = this[kConn];
  const up = conn?.upstream;
  if (!conn || !up || conn.counters === null) return;
  conn.counters.bytesIn += chunk.length;
  if (!up.write(chunk)) this.pause();
}

function onUpstreamDrain(this: ConnSocket): void {
  const conn = this[kConn];
  if (conn && !conn.clientEnded) conn.client.resume();
}

function onClientDrain(this: ConnSocket): void {
  const up = this[kConn]?.upstream;
  if (up && !up.destroyed) up.resume();
}

/** One direction is finished: ESTABLISHED → FIN_WAIT/CLOSE_WAIT, counted inactive from now on. */
function halfClose(conn: TcpConn): void {
  if (conn.state === 'open' && conn.dest !== null) {
    conn.state = 'half-closed';
    setConnActive(conn.dest, false);
  }
}

function onClientEnd(this: ConnSocket): void {
  const conn = this[kConn];
  if (!conn) return;
  conn.clientEnded = true;
  conn.upstream?.end(); // after the bytes already queued
  halfClose(conn);
}

function onUpstreamEnd(this: ConnSocket): void {
  const conn = this[kConn];
  if (!conn || conn.upstream !== this) return;
  conn.upstreamEnded = true;
  conn.client.end();
  halfClose(conn);
}

function onUpstreamConnect(this: ConnSocket): void {
  const conn = this[kConn];
  if (!conn || conn.upstream !== this) return;
  conn.front.established(conn);
}

function onUpstreamError(this: ConnSocket, err: NodeJS.ErrnoException): void {
  const conn = this[kConn];
  if (conn && conn.upstream === this && conn.state === 'connecting')
    conn.front.attemptFailed(conn, err.code ?? 'EIO');
}

function onUpstreamClose(this: ConnSocket, hadError: boolean): void {
  const conn = this[kConn];
  if (!conn || conn.upstream !== this || conn.state === 'connecting') return; // a failed attempt
  conn.upstreamClosed = true;
  conn.reader?.release(conn.client.writableLength > 0);
  const client = conn.client;
  if (!conn.clientClosed) {
    // The real server reset (or died): reset the client too. A FIN was already passed on.
    if (hadError) resetSocket(client);
    else if (!conn.upstreamEnded) client.destroy();
  }
  conn.front.maybeFinish(conn);
}

function onClientClose(this: ConnSocket, hadError: boolean): void {
  const conn = this[kConn];
  if (!conn) return;
  conn.clientClosed = true;
  const up = conn.upstream;
  if (conn.state === 'connecting') {
    conn.front.abandonAttempt(conn);
  } else if (up && !conn.upstreamClosed) {
    // A normal close means both FINs went through: the upstream finishes its queue and closes.
    if (hadError) resetSocket(up);
    else if (!conn.clientEnded) up.destroy();
  }
  conn.front.maybeFinish(conn);
}

/** RST instead of FIN (SO_LINGER 0), as a NAT would pass a reset on. */
function resetSocket(s: net.Socket): void {
  if (s.destroyed) return;
  try {
    s.resetAndDestroy();
  } catch {
    s.destroy();
  }
}

export class TcpFront {
  private readonly conns = new Set<TcpConn>();

  constructor(
    private readonly hooks: ConnHooks,
    private options: TcpFrontOptions,
    private readonly buffers: ReadBufferPool,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** New connections use these; existing ones keep theirs. */
  setOptions(options: TcpFrontOptions): void {
    this.options = options;
  }

  /** Connections in any state, for stats and tests. */
  get size(): number {
    return this.conns.size;
  }

  createServer(): net.Server {
    return net.createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true }, (s) =>
      this.accept(s),
    );
  }

  /** Shut every connection (the data plane is closing). */
  destroyAll(): void {
    for (const conn of this.conns) {
      conn.upstream?.destroy();
      conn.client.destroy();
    }
  }

  private accept(client: ConnSocket): void {
    client.on('error', noop);
    const address = client.remoteAddress;
    const port = client.remotePort;
    if (address === undefined || port === undefined) {
      client.destroy();
      return;
    }
    const conn = new TcpConn(this, client, { address, port }, this.now() + this.options.connectTimeoutMs);
    client[kConn] = conn;
    client.on('close', onClientClose);
    this.conns.add(conn);
    this.connectNext(conn);
  }

  private connectNext(conn: TcpConn): void {
    const dest = this.hooks.pick(conn.peer, conn.tried);
    if (dest === null) {
      if (conn.tried === null) this.hooks.noDestination();
      resetSocket(conn.client);
      return;
    }
    conn.dest = dest;
    conn.counters = this.hooks.counters(dest);
    const remaining = Math.max(1, conn.deadlineMs - this.now());
    // A black-holed pick may not eat the whole budget while another one could still answer.
    const attemptMs = this.hooks.hasAlternative(conn.tried, dest) ? Math.ceil(remaining / 2) : remaining;
    conn.reader ??= new ConnReadBuffer(this.buffers);
    const up: ConnSocket = net.connect({
      host: dest.address,
      port: dest.port,
      allowHalfOpen: true,
      noDelay: true,
      onread: { buffer: conn.reader.next, callback: conn.onUpstreamRead },
    });
    up[kConn] = conn;
    conn.upstream = up;
    up.on('error', onUpstreamError);
    up.on('close', onUpstreamClose);
    up.once('connect', onUpstreamConnect);
    conn.timer = setTimeout(() => {
      if (conn.upstream === up && conn.state === 'connecting') this.attemptFailed(conn, 'ETIMEDOUT');
    }, attemptMs);
  }

  /** @internal the real server accepted. */
  established(conn: TcpConn): void {
    const up = conn.upstream;
    const dest = conn.dest;
    if (up === null || dest === null) return;
    if (conn.timer !== null) clearTimeout(conn.timer);
    conn.timer = null;
    conn.state = 'open';
    setConnActive(dest, true);
    conn.template = this.hooks.connected(conn.peer, dest);
    const client = conn.client;
    if (this.options.proxyProtocol !== null) {
      const input = {
        protocol: 'TCP' as const,
        source: conn.peer,
        destination: { address: client.localAddress ?? '', port: client.localPort ?? 0 },
      };
      up.write(this.options.proxyProtocol === 'v1' ? encodeProxyV1(input) : encodeProxyV2(input));
    }
    client.on('data', onClientData);
    client.on('end', onClientEnd);
    client.on('drain', onClientDrain);
    up.on('end', onUpstreamEnd);
    up.on('drain', onUpstreamDrain);
    client.resume();
  }

  /** @internal a connect attempt failed: count it, then the next pick or give up. */
  attemptFailed(conn: TcpConn, code: string): void {
    const dest = conn.dest;
    const up = conn.upstream;
    if (conn.timer !== null) clearTimeout(conn.timer);
    conn.timer = null;
    conn.upstream = null;
    conn.dest = null;
    conn.counters = null;
    up?.destroy();
    if (dest === null) return;
    this.hooks.connectFailed(dest, code);
    this.hooks.release(dest, false, null);
    (conn.tried ??= new Set()).add(dest);
    if (conn.clientClosed) this.maybeFinish(conn);
    else if (this.now() < conn.deadlineMs) this.connectNext(conn);
    else resetSocket(conn.client);
  }

  /** @internal the client left while we were still connecting. */
  abandonAttempt(conn: TcpConn): void {
    const dest = conn.dest;
    if (conn.timer !== null) clearTimeout(conn.timer);
    conn.timer = null;
    conn.upstream?.destroy();
    conn.upstream = null;
    conn.dest = null;
    if (dest !== null) this.hooks.release(dest, false, null);
    conn.state = 'closed';
    this.conns.delete(conn);
  }

  /** @internal both sockets are closed: unbind. */
  maybeFinish(conn: TcpConn): void {
    if (conn.state === 'closed' || !conn.clientClosed) return;
    if (conn.upstream !== null && !conn.upstreamClosed) return;
    const wasActive = conn.state === 'open';
    conn.state = 'closed';
    this.conns.delete(conn);
    if (conn.dest !== null) this.hooks.release(conn.dest, wasActive, conn.template);
  }
}
