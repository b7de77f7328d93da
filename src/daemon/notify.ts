/**
 * VRRP notifications: notify scripts and the notify FIFOs (keepalived 2.2.7
 * vrrp/vrrp_notify.c send_instance_notifies(), send_group_notifies(), send_event_notify(),
 * send_instance_priority_notifies(), notify_fifo(); lib/notify.c fifo_open(), fifo_close();
 * core/global_data.c for a FIFO named twice).
 *
 * - On a state change: `notify_<state>` (no arguments), then `notify` with
 *   `INSTANCE|GROUP <name> <STATE> <priority>` (0 for groups), then the FIFO line
 *   `INSTANCE "<name>" <STATE> <priority>\n`. Scripts are not waited for, except STOP ones,
 *   which get SIGKILL after 1 s (the group's own notify_stop has no such limit).
 * - DELETED is reported as FAULT unless the instance has `notify_deleted`.
 * - Every line goes to both `notify_fifo` and `vrrp_notify_fifo`; the same path for both is
 *   used once. A missing FIFO is created (mode 0644 & ~umask, chowned to the script user) and
 *   removed on close; a `*_fifo_script` is started with the path as its last argument before
 *   the FIFO is opened O_RDWR|O_NONBLOCK (so no reader never blocks). keepalived ignores
 *   write errors; a full pipe (EAGAIN) drops the line, which we count and log at debug.
 * - Not here: the sync-group rule that an instance already in its group's state sends no
 *   notifies again (send_instance_notifies()): the caller decides what to notify.
 */
import type { Logger } from 'pino';
import { spawnSync } from 'node:child_process';
import { chownSync, closeSync, constants, lstatSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import type { FifoSpec, GlobalDefs, ScriptSpec, VrrpInstance, VrrpSyncGroup } from '../config/model.js';
import {
  resolveScriptUser,
  spawnNotify,
  type AccountFiles,
  type NotifyHandle,
  type ScriptUser,
} from '../host/run-script.js';
import type { SmtpAlerts } from './smtp-alerts.js';

export type InstanceNotifyState = 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP' | 'DELETED';
export type GroupNotifyState = 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP';
type FifoEvent = InstanceNotifyState | 'MASTER_RX_LOWER_PRI' | 'MASTER_PRIORITY' | 'BACKUP_PRIORITY';

/** What the notifier reads of an instance / sync group. */
export type NotifyInstance = Pick<
  VrrpInstance,
  'name' | 'notify' | 'notifyDeleted' | 'notifyMasterRxLowerPri' | 'notifyPriorityChanges'
> &
  Partial<Pick<VrrpInstance, 'smtpAlert'>>;
export type NotifyGroup = Pick<VrrpSyncGroup, 'name' | 'notify'> & Partial<Pick<VrrpSyncGroup, 'smtpAlert'>>;

export interface NotifierOptions {
  readonly global: Pick<
    GlobalDefs,
    'notifyFifo' | 'vrrpNotifyFifo' | 'lvsNotifyFifo' | 'scriptUser' | 'enableScriptSecurity'
  >;
  readonly log: Logger;
  readonly accounts?: AccountFiles;
  readonly env?: NodeJS.ProcessEnv;
  /** How long STOP notify scripts may run before SIGKILL (keepalived: 1 s). */
  readonly stopKillMs?: number;
  /** SMTP alerts (smtp_alert), when global_defs says where to send them. */
  readonly alerts?: SmtpAlerts;
  /** SNMP notifications (enable_traps with the SNMP subagent running). */
  readonly traps?: TrapSink;
}

/** Where state changes go as SNMP notifications (daemon/snmp-traps.ts). */
export interface TrapSink {
  instance(name: string, state: InstanceNotifyState): void;
  group(name: string, state: GroupNotifyState): void;
  /** A real server's state (`rs`) or a virtual server's quorum (`rs` null) changed. */
  service(vs: string, rs: string | null): void;
}

const STOP_KILL_MS = 1000;

type Side = 'vrrp' | 'lvs';

interface OpenFifo {
  readonly path: string;
  readonly fd: number;
  readonly created: boolean;
  /** Which lines it gets: `notify_fifo` both, `vrrp_notify_fifo` VRRP, `lvs_notify_fifo` checker. */
  readonly sides: ReadonlySet<Side>;
}

const errnoNumber = (err: unknown): number => {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  return (osConstants.errno as Record<string, number | undefined>)[code] ?? 0;
};

export class Notifier {
  private readonly fifos: OpenFifo[] = [];
  private readonly fifoScripts: NotifyHandle[] = [];
  private readonly running = new Set<Promise<void>>();
  /** STOP scripts: keepalived waits for them (≤ stopKillMs) before it exits. */
  private readonly bounded = new Set<Promise<void>>();
  private readonly users = new WeakMap<ScriptSpec, ScriptUser | null>();
  private closed = false;
  /** FIFO lines not written (full pipe or write error). */
  droppedLines = 0;

  private constructor(private readonly opts: NotifierOptions) {}

  /** Create/open the FIFOs and start their scripts (keepalived notify_fifo_open()). */
  static open(opts: NotifierOptions): Notifier {
    const n = new Notifier(opts);
    const { notifyFifo, vrrpNotifyFifo, lvsNotifyFifo } = opts.global;
    if (notifyFifo) n.openFifo(notifyFifo, '', ['vrrp', 'lvs']);
    for (const [spec, side] of [
      [vrrpNotifyFifo, 'vrrp'],
      [lvsNotifyFifo, 'lvs'],
    ] as const) {
      if (!spec) continue;
      if (notifyFifo && spec.path === notifyFifo.path) {
        opts.log.info(
          { event: 'notify.fifo', path: spec.path },
          `notify FIFO ${spec.path} has been specified for global and ${side} FIFO - ignoring ${side} FIFO`,
        );
      } else n.openFifo(spec, `${side}_`, [side]);
    }
    return n;
  }

  /**
   * A checker-side script (notify_up/notify_down, quorum_up/quorum_down), not waited for; at
   * shutdown keepalived gives it 1 s (system_call_script(..., TIMER_HZ, ...)).
   */
  checkerScript(spec: ScriptSpec, stopping: boolean): void {
    this.run(spec, [], stopping ? this.stopKillMs : undefined);
  }

  /** A checker FIFO line (`RS [..] [..] UP`, `VS [..] DOWN`) to notify_fifo and lvs_notify_fifo. */
  checkerLine(line: string): void {
    this.write(`${line}\n`, 'lvs');
  }

  instance(inst: NotifyInstance, state: InstanceNotifyState, priority: number): void {
    const reported = state === 'DELETED' && inst.notifyDeleted === null ? 'FAULT' : state;
    const specific = {
      MASTER: inst.notify.master,
      BACKUP: inst.notify.backup,
      FAULT: inst.notify.fault,
      STOP: inst.notify.stop,
      DELETED: inst.notifyDeleted,
    }[reported];
    const killAfter = reported === 'STOP' ? this.stopKillMs : undefined;
    if (specific) this.run(specific, [], killAfter);
    if (inst.notify.any)
      this.run(inst.notify.any, ['INSTANCE', inst.name, reported, String(priority)], killAfter);
    this.fifoLine('INSTANCE', inst.name, reported, priority);
    // The mail names the state itself (DELETED included), as vrrp_smtp_notifier() does.
    this.opts.alerts?.instance(inst.name, inst.smtpAlert === true, state);
    this.opts.traps?.instance(inst.name, state);
  }

  group(group: NotifyGroup, state: GroupNotifyState): void {
    const specific = {
      MASTER: group.notify.master,
      BACKUP: group.notify.backup,
      FAULT: group.notify.fault,
      STOP: group.notify.stop,
    }[state];
    if (specific) this.run(specific, [], undefined);
    const killAfter = state === 'STOP' ? this.stopKillMs : undefined;
    if (group.notify.any) this.run(group.notify.any, ['GROUP', group.name, state, '0'], killAfter);
    this.fifoLine('GROUP', group.name, state, 0);
    this.opts.alerts?.group(group.name, group.smtpAlert === true, state);
    this.opts.traps?.group(group.name, state);
  }

  /** A real server's checker changed its verdict, with smtp_alert (the checkers' smtp_alert()). */
  realServerAlert(rs: string, vs: string, rsAlive: boolean, body: string): void {
    this.opts.alerts?.realServer(rs, vs, rsAlive, body);
  }

  /** A virtual server with smtp_alert gained (`up`) or lost quorum. */
  quorumAlert(vs: string, up: boolean, body: string): void {
    this.opts.alerts?.virtualServer(vs, up, body);
  }

  /** A real server came up or went down (`rs`), or a virtual server's quorum changed (`rs` null). */
  serviceChanged(vs: string, rs: string | null): void {
    this.opts.traps?.service(vs, rs);
  }

  /** A MASTER heard a lower priority advert (send_event_notify()). */
  masterRxLowerPri(inst: NotifyInstance, priority: number): void {
    if (inst.notifyMasterRxLowerPri) this.run(inst.notifyMasterRxLowerPri, [], undefined);
    this.fifoLine('INSTANCE', inst.name, 'MASTER_RX_LOWER_PRI', priority);
  }

  /** The effective priority changed (FIFO only, with `notify_priority_changes`). */
  priorityChanged(inst: NotifyInstance, state: InstanceNotifyState, priority: number): void {
    if (!inst.notifyPriorityChanges) return;
    this.fifoLine(
      'INSTANCE',
      inst.name,
      state === 'MASTER' ? 'MASTER_PRIORITY' : 'BACKUP_PRIORITY',
      priority,
    );
  }

  /** Resolves when every notify script started so far has exited. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  /**
   * Remove created FIFOs, close them, SIGTERM the FIFO scripts (SIGKILL 1 s later). Resolves when
   * those and the STOP scripts have gone; other notify scripts are not waited for (keepalived
   * does not track them either).
   */
  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      for (const f of this.fifos) {
        // Unlink first so a reader looping on open() cannot reopen it (fifo_close()).
        if (f.created) this.tryUnlink(f.path);
        try {
          closeSync(f.fd);
        } catch {
          // already closed
        }
      }
      this.fifos.length = 0;
      for (const s of this.fifoScripts) s.kill();
    }
    await Promise.all([...this.fifoScripts.map((s) => s.exited), ...this.bounded]);
  }

  private get stopKillMs(): number {
    return this.opts.stopKillMs ?? STOP_KILL_MS;
  }

  private userFor(spec: ScriptSpec): ScriptUser | null {
    let user = this.users.get(spec);
    if (user === undefined) {
      user = resolveScriptUser(spec, this.opts.global, this.opts.accounts);
      this.users.set(spec, user);
    }
    return user;
  }

  private spawn(
    spec: ScriptSpec,
    args: readonly string[],
    killAfterMs: number | undefined,
    onExit?: () => void,
  ) {
    const user = this.userFor(spec);
    if (user === null) {
      this.opts.log.warn(
        { event: 'notify.script', script: spec.command },
        `No user to run script ${spec.command}`,
      );
      return null;
    }
    return spawnNotify(spec, args, {
      ...user,
      ...(killAfterMs === undefined ? {} : { killAfterMs }),
      ...(this.opts.env === undefined ? {} : { env: this.opts.env }),
      onError: (message) => this.opts.log.error({ event: 'notify.script', script: spec.command }, message),
      ...(onExit ? { onExit } : {}),
    });
  }

  private run(spec: ScriptSpec, args: readonly string[], killAfterMs: number | undefined): void {
    const handle = this.spawn(spec, args, killAfterMs);
    if (!handle) return;
    const done: Promise<void> = handle.exited.finally(() => {
      this.running.delete(done);
      this.bounded.delete(done);
    });
    this.running.add(done);
    if (killAfterMs !== undefined) this.bounded.add(done);
  }

  private fifoLine(type: 'INSTANCE' | 'GROUP', name: string, event: FifoEvent, priority: number): void {
    this.write(`${type} "${name}" ${event} ${priority & 0xff}\n`, 'vrrp');
  }

  private write(line: string, side: Side): void {
    for (const f of this.fifos) {
      if (!f.sides.has(side)) continue;
      try {
        writeSync(f.fd, line);
      } catch (err) {
        this.droppedLines++;
        const code = (err as NodeJS.ErrnoException).code;
        this.opts.log.debug(
          { event: 'notify.fifo.drop', path: f.path, reason: code, dropped: this.droppedLines },
          `notify fifo ${f.path}: line dropped (${code})`,
        );
      }
    }
  }

  private tryUnlink(path: string): void {
    try {
      unlinkSync(path);
    } catch {
      // already gone
    }
  }

  /** lib/notify.c fifo_open(): create if missing, start the script, open without blocking. */
  private openFifo(spec: FifoSpec, type: string, sides: readonly Side[]): void {
    const { log } = this.opts;
    const path = spec.path;
    let created = false;
    if (lstatSync(path, { throwIfNoEntry: false }) === undefined) {
      const mode = (0o644 & ~process.umask()).toString(8);
      const r = spawnSync('mkfifo', ['-m', mode, '--', path], { stdio: 'ignore' });
      if (r.status !== 0) {
        log.info({ event: 'notify.fifo', path }, `Unable to create ${type}notify fifo ${path}`);
        return;
      }
      created = true;
      // keepalived chowns to the fifo's own user, else the default script user.
      const owner = resolveScriptUser({ user: null, group: null }, this.opts.global, this.opts.accounts);
      if (owner && (owner.uid !== process.getuid?.() || owner.gid !== process.getgid?.())) {
        try {
          chownSync(path, owner.uid, owner.gid);
        } catch {
          log.info({ event: 'notify.fifo', path }, `Failed to set uid:gid for fifo ${path}`);
        }
      }
    }
    if (spec.script) {
      // At shutdown keepalived reaps it through child_killed_thread(), which says nothing.
      const handle = this.spawn(spec.script, [path], undefined, () => {
        if (!this.closed)
          log.info(
            { event: 'notify.fifo.script', path },
            // keepalived's VRRP and checker processes each log it for the FIFOs they own.
            `${sides.includes('vrrp') ? 'vrrp' : 'lvs'} notify fifo script terminated`,
          );
      });
      if (handle) this.fifoScripts.push(handle);
    }
    let fd: number;
    try {
      fd = openSync(path, constants.O_RDWR | constants.O_NONBLOCK | constants.O_NOFOLLOW);
    } catch (err) {
      log.info(
        { event: 'notify.fifo', path },
        `Unable to open ${type}notify fifo ${path} - errno ${errnoNumber(err)}`,
      );
      if (created) this.tryUnlink(path);
      return;
    }
    this.fifos.push({ path, fd, created, sides: new Set(sides) });
  }
}
