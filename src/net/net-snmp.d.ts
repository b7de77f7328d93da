/**
 * The part of net-snmp (npm, no published types) the AgentX subagent uses (daemon/snmp-agent.ts).
 */
declare module 'net-snmp' {
  import type { Socket } from 'node:net';

  export const ObjectType: Readonly<Record<string, number>>;
  export const MibProviderType: { readonly Scalar: number; readonly Table: number };
  export const MaxAccess: Readonly<Record<string, number>>;

  export interface TableColumn {
    number: number;
    name: string;
    type: number;
    maxAccess: number;
  }
  export type IndexEntry = { columnName: string; foreign?: string };
  export interface Provider {
    name: string;
    type: number;
    oid: string;
    maxAccess: number;
    scalarType?: number;
    tableColumns?: TableColumn[];
    tableIndex?: IndexEntry[];
    tableAugments?: string;
  }

  export interface Mib {
    registerProvider(provider: Provider): void;
    setScalarValue(name: string, value: unknown): void;
    addTableRow(table: string, row: unknown[]): void;
  }

  export interface AgentXResponse {
    readonly error?: number;
    readonly sessionID?: number;
  }
  type Callback = (error: Error | null, pdu?: AgentXResponse) => void;

  export interface Subagent {
    socket: Pick<Socket, 'write' | 'end' | 'destroy' | 'removeAllListeners'>;
    mib: Mib;
    getMib(): Mib;
    open(callback: Callback): void;
    close(callback?: Callback): void;
    registerProvider(provider: Provider, callback: Callback): void;
    notify(oid: string, varbinds: { oid: string; type: number; value: unknown }[], callback?: Callback): void;
    onMsg(buffer: Buffer): void;
    on(event: 'error' | 'close', listener: (...args: unknown[]) => void): this;
    removeAllListeners(): this;
  }

  export function createSubagent(options: {
    master: string;
    masterPort: number;
    description: string;
  }): Subagent;
  export function createMib(): Mib;

  /** The smart-buffer net-snmp encodes AgentX PDUs into. */
  export interface PduBuffer {
    writeUInt32BE(value: number): unknown;
    writeUInt8(value: number): unknown;
    writeBuffer(value: Buffer): unknown;
  }
  export const AgentXPdu: {
    writeOctetString(buffer: PduBuffer, value: unknown): void;
  };
}
