/**
 * The AgentX transport (RFC 2741 §8: a TCP connection, port 705, or a Unix stream socket; net-snmp's
 * snmpd listens on /var/agentx/master by default, which keepalived's `snmp_socket` also defaults
 * to). A stream carries PDUs back to back: each a 20-byte header whose last word is the payload
 * length (§6.1, in the byte order the NETWORK_BYTE_ORDER flag says), so the link cuts the stream
 * into whole PDUs before anything parses them. A PDU over 1 MiB, or a connection that ends or
 * fails, drops the link; it is dialled again every `retryMs` (the master agent may start after us,
 * or restart).
 */
import { connect, type Socket } from 'node:net';

export type AgentXAddress =
  | { readonly kind: 'unix'; readonly path: string }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number };

const DEFAULT_AGENTX_SOCKET = '/var/agentx/master';
const HEADER = 20;
const NETWORK_BYTE_ORDER = 0x10;
export const MAX_PDU_BYTES = 1 << 20;

/**
 * net-snmp's transport specifiers as keepalived's `snmp_socket` and snmpd's `agentXSocket` take
 * them: `unix:/path` or `/path`, `tcp:host:port`, `tcp:port`, `host:port` (TCP). AgentX over UDP
 * is not a thing the master agent accepts.
 */
export function parseAgentXAddress(text: string | null): AgentXAddress | { readonly error: string } {
  const t = (text ?? DEFAULT_AGENTX_SOCKET).trim();
  if (t.startsWith('unix:')) return { kind: 'unix', path: t.slice(5) };
  if (t.startsWith('/')) return { kind: 'unix', path: t };
  if (/^(udp6?|tls|dtls):/i.test(t))
    return { error: `AgentX socket ${t}: only unix: and tcp: are supported` };
  const rest = t.replace(/^tcp6?:/i, '');
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(rest) ?? /^()()(\d+)$/.exec(rest);
  const port = Number(m?.[3]);
  if (!m || !Number.isInteger(port) || port < 1 || port > 65535)
    return { error: `AgentX socket ${t}: not a socket address` };
  return { kind: 'tcp', host: m[1] || m[2] || 'localhost', port };
}

export const formatAgentXAddress = (a: AgentXAddress): string =>
  a.kind === 'unix' ? `unix:${a.path}` : `tcp:${a.host}:${a.port}`;

/** Cuts a byte stream into whole AgentX PDUs (pure). */
export class PduFramer {
  private pending: Buffer = Buffer.alloc(0);

  /** The complete PDUs `chunk` finishes; throws on a PDU larger than MAX_PDU_BYTES. */
  push(chunk: Buffer): Buffer[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const out: Buffer[] = [];
    while (this.pending.length >= HEADER) {
      const flags = this.pending[2] ?? 0;
      const payload =
        flags & NETWORK_BYTE_ORDER ? this.pending.readUInt32BE(16) : this.pending.readUInt32LE(16);
      if (payload > MAX_PDU_BYTES) throw new Error(`AgentX PDU of ${payload} bytes (limit ${MAX_PDU_BYTES})`);
      const size = HEADER + payload;
      if (this.pending.length < size) break;
      out.push(this.pending.subarray(0, size));
      this.pending = this.pending.subarray(size);
    }
    return out;
  }
}

export interface AgentXLinkEvents {
  /** A new connection is up: open the session on it. */
  readonly connected: () => void;
  readonly pdu: (pdu: Buffer) => void;
  /** The connection failed or ended (`err`: why); a new one is tried in retryMs. */
  readonly lost: (err: Error | null) => void;
}

export class AgentXLink {
  private socket: Socket | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    readonly address: AgentXAddress,
    private readonly events: AgentXLinkEvents,
    private readonly retryMs = 5000,
  ) {}

  start(): void {
    if (this.closed || this.socket) return;
    const framer = new PduFramer();
    const s =
      this.address.kind === 'unix'
        ? connect({ path: this.address.path })
        : connect({ host: this.address.host, port: this.address.port });
    this.socket = s;
    let failure: Error | null = null;
    s.on('connect', () => this.events.connected());
    s.on('data', (chunk: Buffer) => {
      let pdus: Buffer[];
      try {
        pdus = framer.push(chunk);
      } catch (err) {
        failure = err as Error;
        s.destroy();
        return;
      }
      for (const p of pdus) this.events.pdu(p);
    });
    s.on('error', (err) => (failure = err));
    s.on('close', () => {
      if (this.socket === s) this.socket = null;
      if (this.closed) return;
      this.events.lost(failure);
      this.timer = setTimeout(() => {
        this.timer = null;
        this.start();
      }, this.retryMs);
      this.timer.unref();
    });
  }

  /** False when there is no connection to write to. */
  write(data: Buffer): boolean {
    const s = this.socket;
    if (!s || s.connecting || s.destroyed) return false;
    s.write(data);
    return true;
  }

  /** Ends the link for good: `last` (a Close PDU) is written first when connected. */
  close(last?: Buffer): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    const s = this.socket;
    this.socket = null;
    if (!s) return;
    if (last && !s.connecting && !s.destroyed) s.end(last);
    else s.destroy();
    // Do not wait on a master that never answers.
    setTimeout(() => s.destroy(), 200).unref();
  }
}
