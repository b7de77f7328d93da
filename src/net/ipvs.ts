/**
 * The Linux `Ipvs` port: the kernel's IPVS table over generic netlink (NETLINK_GENERIC, family
 * "IPVS"), as ipvsadm and keepalived's libipvs drive it. Changes go in batches: every change the
 * caller hands over in one turn travels in as few datagrams as fit (each message acknowledged on
 * its own, so one failure does not stop the rest). Dumps read the table back with its counters.
 *
 * openIpvs() resolves the family; when the kernel does not know it, it loads the ip_vs module as
 * keepalived does (modprobe, through the kernel's configured modprobe path) and tries again.
 * Bytes are built and read by ipvs-netlink.ts.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { KaError } from '../lib/errors.js';
import {
  decodeDaemon,
  decodeDest,
  decodeFamilyId,
  decodeInfo,
  decodeService,
  decodeTimeouts,
  encodeDaemon,
  encodeDelService,
  encodeDest,
  encodeFlush,
  encodeGetDaemons,
  encodeGetDests,
  encodeGetFamily,
  encodeGetInfo,
  encodeGetServices,
  encodeGetTimeouts,
  encodeService,
  encodeSetTimeouts,
  IPVS_GENL_NAME,
  serviceName,
  type IpvsDaemon,
  type IpvsDest,
  type IpvsDestEntry,
  type IpvsService,
  type IpvsServiceEntry,
  type IpvsServiceKey,
  type IpvsTimeouts,
} from './ipvs-netlink.js';
import { isErrno, rawSock, type RawSock } from './native.js';
import { NetlinkSocket, type NlRequest } from './netlink-socket.js';

const NETLINK_GENERIC = 16;
/** Datagrams stay under this, so a batch of thousands of changes is a few sends. */
const MAX_DATAGRAM = 32 * 1024;
/**
 * At most this many changes per datagram: the kernel queues every acknowledgement before we read
 * any, each charged about 1 KiB (skb truesize) against the receive buffer (RCVBUF).
 */
const MAX_MESSAGES = 256;
/** The socket's receive buffer: room for MAX_MESSAGES acknowledgements several times over. */
const RCVBUF = 4 * 1024 * 1024;

/** One change to the kernel's table. */
export type IpvsChange =
  | { readonly op: 'add-service' | 'edit-service'; readonly service: IpvsService }
  | { readonly op: 'del-service'; readonly key: IpvsServiceKey }
  | {
      readonly op: 'add-dest' | 'edit-dest' | 'del-dest';
      readonly key: IpvsServiceKey;
      readonly dest: IpvsDest;
    }
  | { readonly op: 'set-timeouts'; readonly timeouts: IpvsTimeouts }
  | { readonly op: 'start-daemon' | 'stop-daemon'; readonly daemon: IpvsDaemon }
  | { readonly op: 'flush' };

export interface Ipvs {
  /** Apply `changes` in order; resolves with each one's error (null: done). Never rejects. */
  apply(changes: readonly IpvsChange[]): Promise<(Error | null)[]>;
  services(): Promise<IpvsServiceEntry[]>;
  dests(key: IpvsServiceKey): Promise<IpvsDestEntry[]>;
  timeouts(): Promise<IpvsTimeouts>;
  daemons(): Promise<{ state: 'master' | 'backup'; ifname: string; syncId: number }[]>;
  info(): Promise<{ version: number; connTabSize: number }>;
  close(): void;
}

/** What a change is called in logs: keepalived's command names with the service and server. */
export function describeChange(c: IpvsChange): string {
  switch (c.op) {
    case 'add-service':
    case 'edit-service':
      return `${c.op === 'add-service' ? 'ADD_SERVICE' : 'EDIT_SERVICE'} ${serviceName(c.service.key)}`;
    case 'del-service':
      return `DEL_SERVICE ${serviceName(c.key)}`;
    case 'add-dest':
    case 'edit-dest':
    case 'del-dest': {
      const host = c.dest.address.includes(':') ? `[${c.dest.address}]` : c.dest.address;
      const cmd = c.op === 'add-dest' ? 'ADD_DEST' : c.op === 'edit-dest' ? 'EDIT_DEST' : 'DEL_DEST';
      return `${cmd} ${host}:${c.dest.port} of ${serviceName(c.key)}`;
    }
    case 'set-timeouts':
      return 'SET_TIMEOUT';
    case 'start-daemon':
      return `START_DAEMON ${c.daemon.state}`;
    case 'stop-daemon':
      return `STOP_DAEMON ${c.daemon.state}`;
    case 'flush':
      return 'FLUSH';
  }
}

function build(familyId: number, c: IpvsChange): (seq: number) => Buffer {
  switch (c.op) {
    case 'add-service':
      return (seq) => encodeService(familyId, 'new', seq, c.service);
    case 'edit-service':
      return (seq) => encodeService(familyId, 'set', seq, c.service);
    case 'del-service':
      return (seq) => encodeDelService(familyId, seq, c.key);
    case 'add-dest':
      return (seq) => encodeDest(familyId, 'new', seq, c.key, c.dest);
    case 'edit-dest':
      return (seq) => encodeDest(familyId, 'set', seq, c.key, c.dest);
    case 'del-dest':
      return (seq) => encodeDest(familyId, 'del', seq, c.key, c.dest);
    case 'set-timeouts':
      return (seq) => encodeSetTimeouts(familyId, seq, c.timeouts);
    case 'start-daemon':
      return (seq) => encodeDaemon(familyId, 'new', seq, c.daemon);
    case 'stop-daemon':
      return (seq) => encodeDaemon(familyId, 'del', seq, c.daemon);
    case 'flush':
      return (seq) => encodeFlush(familyId, seq);
  }
}

export class LinuxIpvs implements Ipvs {
  constructor(
    private readonly socket: NetlinkSocket,
    private readonly familyId: number,
  ) {}

  async apply(changes: readonly IpvsChange[]): Promise<(Error | null)[]> {
    const out: (Error | null)[] = [];
    let chunk: NlRequest[] = [];
    let size = 0;
    const flush = async (): Promise<void> => {
      if (chunk.length === 0) return;
      const reqs = chunk;
      chunk = [];
      size = 0;
      try {
        out.push(...(await this.socket.batch(reqs)));
      } catch (err) {
        const e = err instanceof Error ? err : new Error(String(err));
        out.push(...reqs.map(() => e));
      }
    };
    for (const c of changes) {
      const req: NlRequest = { what: describeChange(c), build: build(this.familyId, c) };
      const bytes = req.build(0).length;
      if (size + bytes > MAX_DATAGRAM || chunk.length >= MAX_MESSAGES) await flush();
      chunk.push(req);
      size += bytes;
    }
    await flush();
    return out;
  }

  async services(): Promise<IpvsServiceEntry[]> {
    const ms = await this.socket.request(
      { what: 'GET_SERVICE dump', build: (seq) => encodeGetServices(this.familyId, seq) },
      true,
    );
    return ms.map(decodeService).filter((s): s is IpvsServiceEntry => s !== null);
  }

  async dests(key: IpvsServiceKey): Promise<IpvsDestEntry[]> {
    const ms = await this.socket.request(
      {
        what: `GET_DEST dump of ${serviceName(key)}`,
        build: (seq) => encodeGetDests(this.familyId, seq, key),
      },
      true,
    );
    return ms.map((m) => decodeDest(m, key.family)).filter((d): d is IpvsDestEntry => d !== null);
  }

  async timeouts(): Promise<IpvsTimeouts> {
    const ms = await this.socket.request(
      { what: 'GET_CONFIG', build: (seq) => encodeGetTimeouts(this.familyId, seq) },
      true,
    );
    const m = ms[0];
    if (!m) throw new KaError('KA_ERR_NETLINK', 'GET_CONFIG: no answer');
    return decodeTimeouts(m);
  }

  async daemons(): Promise<{ state: 'master' | 'backup'; ifname: string; syncId: number }[]> {
    const ms = await this.socket.request(
      { what: 'GET_DAEMON dump', build: (seq) => encodeGetDaemons(this.familyId, seq) },
      true,
    );
    return ms.map(decodeDaemon).filter((d) => d !== null);
  }

  async info(): Promise<{ version: number; connTabSize: number }> {
    const ms = await this.socket.request(
      { what: 'GET_INFO', build: (seq) => encodeGetInfo(this.familyId, seq) },
      true,
    );
    const m = ms[0];
    if (!m) throw new KaError('KA_ERR_NETLINK', 'GET_INFO: no answer');
    return decodeInfo(m);
  }

  close(): void {
    this.socket.close();
  }
}

/** The family id of "IPVS", or null when the kernel has none (ip_vs not loaded or not built). */
async function familyId(socket: NetlinkSocket): Promise<number | null> {
  try {
    const ms = await socket.request(
      { what: 'CTRL_CMD_GETFAMILY IPVS', build: (seq) => encodeGetFamily(seq, IPVS_GENL_NAME) },
      true,
    );
    for (const m of ms) {
      const id = decodeFamilyId(m);
      if (id !== null) return id;
    }
    return null;
  } catch (err) {
    if (err instanceof KaError && isErrno(err.cause, 'ENOENT')) return null;
    throw err;
  }
}

/** `modprobe ip_vs` with the kernel's modprobe (keepalived's modprobe_ipvs()); true if it worked. */
function loadIpvsModule(): boolean {
  let modprobe = '/sbin/modprobe';
  try {
    modprobe = readFileSync('/proc/sys/kernel/modprobe', 'utf8').trim() || modprobe;
  } catch {
    // the default
  }
  return spawnSync(modprobe, ['-s', 'ip_vs'], { stdio: 'ignore' }).status === 0;
}

export interface OpenIpvsOptions {
  readonly sock?: RawSock;
  /** Try loading the module when the family is missing (default true). */
  readonly load?: boolean;
  readonly onError?: (err: Error) => void;
}

/**
 * A LinuxIpvs, or null when this kernel has no IPVS (after trying to load the module). Throws
 * KaError when netlink itself fails (no CAP_NET_ADMIN: EPERM).
 */
export async function openIpvs(opts: OpenIpvsOptions = {}): Promise<LinuxIpvs | null> {
  const socket = new NetlinkSocket(opts.sock ?? rawSock(), NETLINK_GENERIC, 'IPVS netlink', {
    timeoutMs: 5000,
    rcvbuf: RCVBUF,
    ...(opts.onError ? { onError: opts.onError } : {}),
  });
  try {
    let id = await familyId(socket);
    if (id === null && (opts.load ?? true) && loadIpvsModule()) id = await familyId(socket);
    if (id === null) {
      socket.close();
      return null;
    }
    return new LinuxIpvs(socket, id);
  } catch (err) {
    socket.close();
    throw err;
  }
}
