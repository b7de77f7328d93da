/**
 * Performs a pool's effects (pool.ts): the service table, keepalived's log lines, notify scripts
 * and FIFO lines, SNMP traps, and the quorum mails of a virtual server with smtp_alert.
 */
import type { RealServer, ScriptSpec, VirtualServer } from '../config/model.js';
import type { Logger } from 'pino';
import type { PoolEffect, PoolMember } from './pool.js';
import type { Destination, ServiceTable } from './table.js';

export interface CheckNotifier {
  checkerScript(spec: ScriptSpec, stopping: boolean): void;
  checkerLine(line: string): void;
  /** An SMTP alert for a checker's new verdict (virtual servers with smtp_alert). */
  realServerAlert?(rs: string, vs: string, rsAlive: boolean, body: string): void;
  /** An SMTP alert for a quorum change of a virtual server with smtp_alert. */
  quorumAlert?(vs: string, up: boolean, body: string): void;
  /** A real server came up or went down (`rs`), or the quorum changed (`rs` null): SNMP traps. */
  serviceChanged?(vs: string, rs: string | null): void;
}

export interface EffectPorts {
  readonly log: Logger;
  readonly table: ServiceTable;
  readonly notifier: CheckNotifier;
}

/** Perform a pool's effects; `vs` is the config its member indexes refer to. */
export function applyPoolEffects(d: EffectPorts, vs: VirtualServer, effects: readonly PoolEffect[]): void {
  for (const e of effects) {
    switch (e.kind) {
      case 'set':
        d.table.set(vs, destination(vs, e.member), e.weight);
        break;
      case 'remove':
        d.table.remove(vs, destination(vs, e.member));
        break;
      case 'log':
        d.log.info({ event: e.event, ...e.fields }, e.msg);
        if (e.event === 'check.rs.up' || e.event === 'check.rs.down')
          d.notifier.serviceChanged?.(vs.display, typeof e.fields.rs === 'string' ? e.fields.rs : null);
        else if (e.event === 'check.quorum.up' || e.event === 'check.quorum.down') {
          d.notifier.serviceChanged?.(vs.display, null);
          if (vs.smtpAlert) quorumMail(d, vs, e.event === 'check.quorum.up', e.msg, e.fields);
        }
        break;
      case 'script':
        d.notifier.checkerScript(e.script, e.stopping);
        break;
      case 'fifo':
        d.notifier.checkerLine(e.line);
        break;
    }
  }
}

/**
 * keepalived's quorum mail body (ipwrapper.c update_quorum_state()): `=> Gained quorum
 * Q+H=T <= W <=`, with "Lost quorum" or "Starting with quorum up/down" as the case is, and the
 * same arithmetic in all four.
 */
function quorumMail(
  d: EffectPorts,
  vs: VirtualServer,
  up: boolean,
  msg: string,
  fields: Readonly<Record<string, string | number | boolean>>,
): void {
  const what = msg.startsWith('Starting')
    ? `Starting with quorum ${up ? 'up' : 'down'}`
    : up
      ? 'Gained quorum'
      : 'Lost quorum';
  const body = `=> ${what} ${vs.quorum}+${vs.hysteresis}=${String(fields.threshold)} <= ${String(fields.weight)} <=`;
  d.notifier.quorumAlert?.(vs.display, up, body);
}

function destination(vs: VirtualServer, member: PoolMember): Destination {
  if (member === 'sorry') {
    const s = vs.sorryServer;
    return { address: s?.address ?? '', port: s?.port ?? 0, sorry: true };
  }
  const rs: RealServer | undefined = vs.realServers[member];
  return { address: rs?.address ?? '', port: rs?.port ?? 0, sorry: false };
}
