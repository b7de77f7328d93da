/**
 * The SNMP AgentX subagent (keepalived's -x, `enable_snmp_*`): registers KEEPALIVED-MIB's and
 * VRRPv3-MIB's subtrees with the master agent (Debian's snmpd with `master agentx`) and answers its
 * requests from the daemon's live state (daemon/snmp-mib.ts builds the rows), and sends the
 * notifications (traps) the master forwards to its trap sinks. net-snmp (npm) encodes and decodes
 * the AgentX PDUs and walks the MIB; net/agentx-link.ts owns the connection and cuts the stream
 * into PDUs, so a PDU split over reads, or several in one, reach net-snmp whole.
 *
 * The rows are rebuilt when a request comes in and they are over a second old (an snmpwalk is
 * hundreds of requests), so an idle daemon does no SNMP work; a notification is built from a
 * fresh view. Nothing here can stop the daemon: a master that is absent, refuses the session or
 * sends garbage is logged (rate-limited) and dialled again.
 */
import type { Logger } from 'pino';
import * as snmp from 'net-snmp';
import type { Config } from '../config/model.js';
import { AgentXLink, formatAgentXAddress, type AgentXAddress } from '../net/agentx-link.js';
import {
  buildMib,
  IF_TABLE,
  SCALARS,
  subtreesFor,
  tablesFor,
  type MibMeta,
  type MibParts,
  type Notification,
  type SnmpType,
  type SnmpValue,
  type TableDef,
} from './snmp-mib.js';
import type { DaemonStatus } from './status.js';

/**
 * net-snmp 3.29.2 writes an AgentX octet string with the string's length in characters and its
 * UTF-8 bytes, and cannot write a Buffer at all: every binary value (InetAddress, MacAddress)
 * and every non-ASCII name would corrupt the PDU. RFC 2741 §5.3: a 4-byte length in octets, the
 * octets, padding to a multiple of 4.
 */
snmp.AgentXPdu.writeOctetString = (buffer, value) => {
  const bytes = Buffer.isBuffer(value)
    ? value
    : value instanceof Uint8Array
      ? Buffer.from(value)
      : Buffer.from(String(value), 'utf8');
  buffer.writeUInt32BE(bytes.length);
  buffer.writeBuffer(bytes);
  for (let i = bytes.length % 4 === 0 ? 4 : bytes.length % 4; i < 4; i++) buffer.writeUInt8(0);
};

const TYPE: Readonly<Record<SnmpType, number>> = {
  Integer: snmp.ObjectType.Integer ?? 2,
  OctetString: snmp.ObjectType.OctetString ?? 4,
  Gauge: snmp.ObjectType.Gauge ?? 66,
  Counter: snmp.ObjectType.Counter ?? 65,
  Counter64: snmp.ObjectType.Counter64 ?? 70,
  TimeTicks: snmp.ObjectType.TimeTicks ?? 67,
};
const READ_ONLY = snmp.MaxAccess['read-only'] ?? 2;
const NOT_ACCESSIBLE = snmp.MaxAccess['not-accessible'] ?? 0;
const FRESH_MS = 1000;
/** AgentX PDU types (RFC 2741 §6.1): Get, GetNext, GetBulk read the MIB. */
const READS = new Set([5, 6, 7]);
const RESPONSE = 18;

export interface SnmpSource {
  readonly config: Config;
  readonly status: DaemonStatus;
}

export interface SnmpAgentOptions {
  readonly address: AgentXAddress;
  readonly parts: MibParts;
  readonly meta: MibMeta;
  readonly log: Logger;
  /** The config running and its live status. */
  readonly source: () => Promise<SnmpSource>;
  readonly retryMs?: number;
}

const value = (v: SnmpValue): unknown => (v instanceof Uint8Array ? Buffer.from(v) : v);

function provider(t: TableDef): snmp.Provider {
  const indexColumns = new Set(t.index.filter((i) => typeof i === 'string'));
  return {
    name: t.name,
    type: snmp.MibProviderType.Table,
    // net-snmp places a table provider at its entry (the conceptual row, `.1` under the table).
    oid: `${t.oid}.1`,
    maxAccess: NOT_ACCESSIBLE,
    tableColumns: t.columns.map((c) => ({
      number: c.number,
      name: c.name,
      type: TYPE[c.type],
      maxAccess:
        indexColumns.has(c.name) && t.columns.length > indexColumns.size ? NOT_ACCESSIBLE : READ_ONLY,
    })),
    ...(t.augments
      ? { tableAugments: t.augments }
      : {
          tableIndex: t.index.map((i) =>
            typeof i === 'string' ? { columnName: i } : { columnName: i.foreign, foreign: i.table },
          ),
        }),
  };
}

export class SnmpAgent {
  private readonly link: AgentXLink;
  private sub: snmp.Subagent | null = null;
  private ready = false;
  private builtAt = -Infinity;
  private queue: Promise<void> = Promise.resolve();
  private readonly tables: TableDef[];
  private readonly scalars: boolean;
  /** Notifications not sent because no session was open. */
  dropped = 0;
  private failures = 0;

  constructor(private readonly opts: SnmpAgentOptions) {
    this.tables = tablesFor(opts.parts);
    this.scalars = opts.parts.vrrp || opts.parts.checker;
    this.link = new AgentXLink(
      opts.address,
      {
        connected: () => this.connected(),
        // Responses to our own requests go straight through: the task that sent the request
        // waits for them in the queue.
        pdu: (pdu) => (pdu[1] === RESPONSE ? this.dispatch(pdu) : this.enqueue(() => this.received(pdu))),
        lost: (err) => this.lost(err),
      },
      opts.retryMs,
    );
  }

  start(): void {
    this.link.start();
  }

  /** Sends what `build` makes from a fresh view; counted as dropped without a session. */
  notify(build: (source: SnmpSource) => readonly Notification[]): void {
    // Something changed: the next request reads the new state, not the rows of the last second.
    this.builtAt = -Infinity;
    this.enqueue(async () => {
      const sub = this.sub;
      if (!sub || !this.ready) {
        this.dropped++;
        this.opts.log.debug(
          { event: 'snmp.trap-dropped', dropped: this.dropped },
          'SNMP notification dropped: no AgentX session',
        );
        return;
      }
      const src = await this.opts.source();
      for (const n of build(src)) {
        sub.notify(
          n.oid,
          n.varbinds.map((v) => ({ oid: v.oid, type: TYPE[v.type], value: value(v.value) })),
        );
      }
    });
  }

  close(): void {
    const sub = this.sub;
    this.ready = false;
    this.sub = null;
    // A Close PDU (reason shutdown), written by net-snmp into the capture below.
    let closing: Buffer | undefined;
    if (sub) {
      sub.socket = this.shim((b) => (closing = b));
      try {
        sub.close();
      } catch {
        // Nothing to tell the master then.
      }
    }
    this.link.close(closing);
  }

  private enqueue(task: () => Promise<void> | void): void {
    this.queue = this.queue.then(task).catch((err: unknown) => this.failed('snmp.error', err));
  }

  private failed(event: string, err: unknown): void {
    this.failures++;
    // The first failure at warn, then one in a hundred: a broken master must not flood the log.
    const level = this.failures === 1 || this.failures % 100 === 0 ? 'warn' : 'debug';
    this.opts.log[level]({ event, err, failures: this.failures }, `SNMP: ${String(err)}`);
  }

  /** A socket for net-snmp's Subagent that writes through the link. */
  private shim(write: (b: Buffer) => void): snmp.Subagent['socket'] {
    const s = {
      write: (b: Buffer) => {
        write(b);
        return true;
      },
      end: () => s,
      destroy: () => s,
      removeAllListeners: () => s,
    };
    return s as unknown as snmp.Subagent['socket'];
  }

  private connected(): void {
    // net-snmp dials its own TCP socket at creation: drop it before its name lookup ends.
    const sub = snmp.createSubagent({
      master: 'localhost',
      masterPort: 705,
      description: `keepalived-ts ${this.opts.meta.version}`,
    });
    sub.socket.removeAllListeners();
    sub.socket.destroy();
    sub.socket = this.shim((b) => void this.link.write(b));
    sub.on('error', (err) => this.failed('snmp.error', err));
    this.sub = sub;
    this.ready = false;
    this.enqueue(async () => {
      await this.rebuild(sub);
      const where = formatAgentXAddress(this.opts.address);
      await this.request((cb) => sub.open(cb), 'open');
      for (const p of this.providers())
        await this.request((cb) => sub.registerProvider(p, cb), `register ${p.oid}`);
      this.ready = true;
      this.failures = 0;
      this.opts.log.info(
        { event: 'snmp.connected', socket: where, subtrees: subtreesFor(this.opts.parts) },
        `SNMP: AgentX subagent registered with the master agent on ${where}`,
      );
    });
  }

  private lost(err: Error | null): void {
    const was = this.ready;
    this.ready = false;
    this.sub = null;
    const where = formatAgentXAddress(this.opts.address);
    if (was)
      this.opts.log.warn(
        { event: 'snmp.disconnected', socket: where, err },
        `SNMP: lost the AgentX master on ${where}`,
      );
    else this.failed('snmp.connect-failed', err ?? new Error(`no AgentX master on ${where}`));
  }

  /** One request of ours to the master, resolved by its Response PDU (an error in it rejects). */
  private request(
    send: (cb: (err: Error | null, pdu?: snmp.AgentXResponse) => void) => void,
    what: string,
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`AgentX ${what}: no answer`)), 10_000);
      send((err, pdu) => {
        clearTimeout(timer);
        if (err) reject(err);
        else if (pdu?.error) reject(new Error(`AgentX ${what}: master answered error ${pdu.error}`));
        else resolve();
      });
    });
  }

  private async received(pdu: Buffer): Promise<void> {
    const sub = this.sub;
    if (!sub) return;
    if (READS.has(pdu[1] ?? 0) && Date.now() - this.builtAt > FRESH_MS) await this.rebuild(sub);
    this.dispatch(pdu);
  }

  /** net-snmp decodes and answers; a PDU it cannot read is counted and logged, never thrown. */
  private dispatch(pdu: Buffer): void {
    try {
      this.sub?.onMsg(pdu);
    } catch (err) {
      this.failed('snmp.bad-pdu', err);
    }
  }

  /** The providers registered with the master (ifTable only lends its index). */
  private providers(): snmp.Provider[] {
    const scalars: snmp.Provider[] = this.scalars
      ? SCALARS.map((s) => ({
          name: s.name,
          type: snmp.MibProviderType.Scalar,
          oid: s.oid,
          maxAccess: READ_ONLY,
          scalarType: TYPE[s.type],
        }))
      : [];
    return [...scalars, ...this.tables.map(provider)];
  }

  private async rebuild(sub: snmp.Subagent): Promise<void> {
    const src = await this.opts.source();
    const data = buildMib(src.config, src.status, this.opts.meta, this.opts.parts);
    const mib = snmp.createMib();
    if (this.opts.parts.rfcv3) mib.registerProvider(provider(IF_TABLE));
    for (const p of this.providers()) mib.registerProvider(p);
    if (this.scalars) for (const s of SCALARS) mib.setScalarValue(s.name, value(data.scalars[s.name] ?? ''));
    for (const t of this.tables)
      for (const row of data.rows[t.name] ?? []) mib.addTableRow(t.name, row.map(value));
    sub.mib = mib;
    this.builtAt = Date.now();
  }
}
