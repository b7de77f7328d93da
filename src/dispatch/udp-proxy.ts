/**
 * The UDP side of the embedded dispatcher. IPVS keeps one connection entry per client address and
 * port (ip_vs_proto_udp.c) that expires after `lvs_timeouts udp` of silence (default 300 s), and
 * counts it as inactive for its whole life (no state changes, see conn-accounting.ts). Here a flow
 * is a connected dgram socket towards the chosen real server: client datagrams go out through it,
 * its replies go back to the client from the service socket (so the client sees the virtual
 * address answer). An ICMP error on the flow (ECONNREFUSED: port unreachable) counts as a connect
 * failure and ends the flow, so the client's next datagram is scheduled again.
 * No PROXY protocol header on UDP: v1 is TCP only and real servers share no framing for v2 over UDP.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import type { ConnHooks, DestCounters } from './conn-hooks.js';
import type { Client, Destination } from './model.js';
import type { PersistenceHandle } from './persistence.js';

export interface UdpFrontOptions {
  readonly idleTimeoutMs: number;
}

/** Datagrams held for a flow whose socket is still connecting. */
const PENDING_MAX = 64;

interface UdpFlow {
  readonly key: string;
  readonly peer: Client;
  readonly dest: Destination;
  readonly counters: DestCounters;
  readonly socket: dgram.Socket;
  /** Datagrams to send once connected; null when connected. */
  pending: Buffer[] | null;
  /** A datagram passed since the last sweep. */
  touched: boolean;
  lastSeenMs: number;
  closed: boolean;
  template: PersistenceHandle | null;
}

export class UdpFront {
  private socket: dgram.Socket | null = null;
  private readonly flows = new Map<string, UdpFlow>();
  private sweeper: ReturnType<typeof setInterval> | null = null;
  private closed = false;

  constructor(
    private readonly hooks: ConnHooks,
    private options: UdpFrontOptions,
    private readonly onInternalError: (err: Error) => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get size(): number {
    return this.flows.size;
  }

  setOptions(options: UdpFrontOptions): void {
    const restart = options.idleTimeoutMs !== this.options.idleTimeoutMs;
    this.options = options;
    if (restart && this.sweeper !== null) {
      clearInterval(this.sweeper);
      this.sweeper = null;
      this.startSweeper();
    }
  }

  /** Bind the service socket: resolves when bound, rejects with the errno error (then nothing is left open). */
  open(address: string, port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const sock = dgram.createSocket({ type: net.isIPv6(address) ? 'udp6' : 'udp4' });
      const onBindError = (err: Error): void => {
        sock.close();
        reject(err);
      };
      sock.once('error', onBindError);
      sock.bind({ address, port, exclusive: true }, () => {
        sock.off('error', onBindError);
        if (this.closed) {
          // close() came while binding.
          sock.close();
          resolve();
          return;
        }
        sock.on('error', (err) => this.onInternalError(err));
        sock.on('message', (msg, rinfo) => this.fromClient(msg, rinfo));
        this.socket = sock;
        this.startSweeper();
        resolve();
      });
    });
  }

  /** Stop receiving; existing flows' replies can no longer be returned, so they end too. */
  close(): void {
    this.closed = true;
    if (this.sweeper !== null) clearInterval(this.sweeper);
    this.sweeper = null;
    for (const flow of this.flows.values()) this.endFlow(flow);
    try {
      this.socket?.close();
    } catch {
      // already closed
    }
    this.socket = null;
  }

  private startSweeper(): void {
    // Expiry lands between the timeout and the timeout plus one period.
    const periodMs = Math.min(1000, Math.max(25, Math.floor(this.options.idleTimeoutMs / 4)));
    this.sweeper = setInterval(() => this.sweep(), periodMs);
    this.sweeper.unref();
  }

  private sweep(): void {
    const now = this.now();
    for (const flow of this.flows.values()) {
      if (flow.touched) {
        flow.touched = false;
        flow.lastSeenMs = now;
      } else if (now - flow.lastSeenMs >= this.options.idleTimeoutMs) {
        this.endFlow(flow);
      }
    }
  }

  private fromClient(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const key = `${rinfo.address}|${rinfo.port}`;
    const flow = this.flows.get(key) ?? this.newFlow(key, { address: rinfo.address, port: rinfo.port });
    if (flow === null) return;
    flow.touched = true;
    flow.counters.bytesIn += msg.length;
    if (flow.pending === null) flow.socket.send(msg);
    else if (flow.pending.length < PENDING_MAX) flow.pending.push(msg);
  }

  private newFlow(key: string, peer: Client): UdpFlow | null {
    const dest = this.hooks.pick(peer, null);
    if (dest === null) {
      this.hooks.noDestination();
      return null;
    }
    const socket = dgram.createSocket({ type: net.isIPv6(dest.address) ? 'udp6' : 'udp4' });
    const flow: UdpFlow = {
      key,
      peer,
      dest,
      counters: this.hooks.counters(dest),
      socket,
      pending: [],
      touched: true,
      lastSeenMs: this.now(),
      closed: false,
      template: null,
    };
    this.flows.set(key, flow);
    flow.template = this.hooks.connected(peer, dest);
    socket.on('error', (err: NodeJS.ErrnoException) => {
      this.hooks.connectFailed(dest, err.code ?? 'EIO');
      this.endFlow(flow);
    });
    socket.on('message', (reply) => {
      flow.touched = true;
      flow.counters.bytesOut += reply.length;
      this.socket?.send(reply, peer.port, peer.address);
    });
    socket.connect(dest.port, dest.address, () => {
      const pending = flow.pending;
      flow.pending = null;
      if (flow.closed || pending === null) return;
      for (const msg of pending) socket.send(msg);
    });
    return flow;
  }

  private endFlow(flow: UdpFlow): void {
    if (flow.closed) return;
    flow.closed = true;
    if (this.flows.get(flow.key) === flow) this.flows.delete(flow.key);
    try {
      flow.socket.close();
    } catch {
      // already closed
    }
    this.hooks.release(flow.dest, false, flow.template);
  }
}
