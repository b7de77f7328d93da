/**
 * The service table in ipvsadm's two text forms (ipvsadm.c print_service_entry(),
 * list_all()/save mode), so operators and their scripts read keepalived-ts's table as they read
 * IPVS's: `ipvsadm -Ln` and `ipvsadm-save -n`. Pure.
 *
 * The embedded dispatcher proxies every connection; the Forward column still shows the configured
 * method (Masq, Route, Tunnel), which is what IPVS would use where it is available.
 */
import type { LbKind, LvsTunnel } from '../config/model.js';
import type { IpFamily } from '../lib/ip.js';

export interface ViewDest {
  readonly address: string;
  readonly port: number;
  readonly forward: LbKind;
  readonly weight: number;
  readonly activeConns: number;
  readonly inactConns: number;
  /** TUN: the encapsulation (null: IPIP). */
  readonly tunnel?: LvsTunnel | null;
}

export interface ViewService {
  readonly protocol: 'TCP' | 'UDP' | 'SCTP';
  /** An address service, or a fwmark one. */
  readonly address: string | null;
  readonly port: number;
  readonly fwmark: number | null;
  readonly family: IpFamily;
  readonly scheduler: string;
  /** Seconds; 0: not persistent. */
  readonly persistenceTimeout: number;
  readonly persistencePrefix: number;
  /** Persistence engine (`--pe sip`). */
  readonly pe?: string | null;
  readonly flags: readonly string[];
  readonly dests: readonly ViewDest[];
}

const FORWARD: Record<LbKind, string> = { NAT: 'Masq', DR: 'Route', TUN: 'Tunnel' };
const SAVE_FORWARD: Record<LbKind, string> = { NAT: '-m', DR: '-g', TUN: '-i' };

const hostPort = (address: string, port: number): string =>
  address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;

/** A prefix length as ipvsadm prints an IPv4 netmask. */
function netmask(prefix: number): string {
  const m = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return [24, 16, 8, 0].map((s) => (m >>> s) & 0xff).join('.');
}

const fullPrefix = (f: IpFamily): number => (f === 'inet' ? 32 : 128);
const schedFlags = (flags: readonly string[]): string[] => flags.filter((f) => f !== 'ops');

/** `ipvsadm -Ln`. */
export function ipvsadmList(services: readonly ViewService[]): string {
  const out = [
    'IP Virtual Server version 1.2.1 (size=4096)',
    'Prot LocalAddress:Port Scheduler Flags',
    '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
  ];
  for (const s of services) {
    let line =
      s.fwmark !== null
        ? `FWM  ${s.fwmark} ${s.scheduler}`
        : `${s.protocol}  ${hostPort(s.address ?? '', s.port)} ${s.scheduler}`;
    const flags = schedFlags(s.flags);
    if (flags.length > 0) line += ` (${flags.join(',')})`;
    if (s.persistenceTimeout > 0) {
      line += ` persistent ${s.persistenceTimeout}`;
      if (s.persistencePrefix !== fullPrefix(s.family))
        line += ` mask ${s.family === 'inet' ? netmask(s.persistencePrefix) : s.persistencePrefix}`;
    }
    if (s.pe) line += ` pe ${s.pe}`;
    if (s.flags.includes('ops')) line += ' ops';
    out.push(line);
    for (const d of s.dests) {
      out.push(
        `  -> ${hostPort(d.address, d.port).padEnd(28)} ${FORWARD[d.forward].padEnd(7)} ${String(d.weight).padEnd(6)} ${String(d.activeConns).padEnd(10)} ${String(d.inactConns).padEnd(10)}`,
      );
    }
  }
  return `${out.join('\n')}\n`;
}

/** ipvsadm's service selector: `-t addr:port`, `-u addr:port`, `--sctp-service ...` or `-f mark`. */
function serviceSelector(s: Omit<ViewService, 'dests'>): string[] {
  if (s.fwmark !== null) return ['-f', String(s.fwmark)];
  const opt = s.protocol === 'TCP' ? '-t' : s.protocol === 'UDP' ? '-u' : '--sctp-service';
  return [opt, hostPort(s.address ?? '', s.port)];
}

/** `ipvsadm -A ...`: add the virtual service (scheduler, flags, persistence). */
function addServiceArgs(s: Omit<ViewService, 'dests'>): string[] {
  const args = ['-A', ...serviceSelector(s), '-s', s.scheduler];
  const flags = schedFlags(s.flags);
  if (flags.length > 0) args.push('-b', flags.join(','));
  if (s.persistenceTimeout > 0) {
    args.push('-p', String(s.persistenceTimeout));
    if (s.persistencePrefix !== fullPrefix(s.family))
      args.push('-M', s.family === 'inet' ? netmask(s.persistencePrefix) : String(s.persistencePrefix));
  }
  if (s.pe) args.push('--pe', s.pe);
  if (s.flags.includes('ops')) args.push('-o');
  return args;
}

/** `ipvsadm -a|-e|-d ...`: add, edit or delete a real server of a service. */
function destArgs(op: 'add' | 'edit' | 'delete', s: Omit<ViewService, 'dests'>, d: ViewDest): string[] {
  const head = [
    op === 'add' ? '-a' : op === 'edit' ? '-e' : '-d',
    ...serviceSelector(s),
    '-r',
    hostPort(d.address, d.port),
  ];
  if (op === 'delete') return head;
  const args = [...head, SAVE_FORWARD[d.forward], '-w', String(d.weight)];
  if (d.forward === 'TUN') {
    const t = d.tunnel ?? { type: 'ipip', port: 0, flags: 'nocsum' };
    args.push('--tun-type', t.type);
    if (t.type === 'gue') args.push('--tun-port', String(t.port));
    if (t.type !== 'ipip') args.push(`--tun-${t.flags}`);
  }
  return args;
}

/** `ipvsadm-save -n`: the commands `ipvsadm-restore` replays. */
export function ipvsadmSave(services: readonly ViewService[]): string {
  const out: string[] = [];
  for (const s of services) {
    out.push(addServiceArgs(s).join(' '));
    for (const d of s.dests) out.push(destArgs('add', s, d).join(' '));
  }
  return out.length > 0 ? `${out.join('\n')}\n` : '';
}
