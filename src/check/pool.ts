/**
 * One virtual server's pool: which real servers are in the table and with what weight, from their
 * checkers' verdicts, with quorum, hysteresis, the sorry server and inhibit_on_failure (keepalived
 * check/ipwrapper.c: init_service_vs(), update_svr_checker_state(), perform_svr_state(),
 * update_quorum_state(), update_svr_wgt(), clear_service_vs()). Pure: methods return effects (table
 * operations, keepalived's log lines, notify scripts, FIFO lines) for the caller to perform.
 *
 * - A real server is alive while none of its checkers is down; one without checkers always is.
 * - Alive servers are in the table with their weight. A dead one is removed, or with
 *   inhibit_on_failure kept at weight 0 (its connections survive).
 * - Quorum: the summed weight of the alive servers. It is lost below quorum - hysteresis and gained
 *   at quorum + hysteresis; without quorum and with a sorry server, the alive servers leave the
 *   table and the sorry server takes their place until quorum returns.
 */
import type { RealServer, ScriptSpec, VirtualServer } from '../config/model.js';
import { formatRs, formatService } from './format.js';

/** IPVS's weight limit; keepalived's real_weight() clamps the effective weight to 0..this. */
const IPVS_WEIGHT_MAX = 2 ** 31 - 1;
const realWeight = (w: number): number => Math.max(0, Math.min(IPVS_WEIGHT_MAX, w));

/** A real server by index in `vs.realServers`, or the sorry server. */
export type PoolMember = number | 'sorry';

export type PoolEffect =
  | { readonly kind: 'set'; readonly member: PoolMember; readonly weight: number }
  | { readonly kind: 'remove'; readonly member: PoolMember }
  | {
      readonly kind: 'log';
      readonly event: string;
      readonly msg: string;
      readonly fields: Readonly<Record<string, string | number | boolean>>;
    }
  | { readonly kind: 'script'; readonly script: ScriptSpec; readonly stopping: boolean }
  | { readonly kind: 'fifo'; readonly line: string };

/** A real server of the new config on a reload (Pool.reload()). */
export type ReloadMember =
  /**
   * The same server in the old pool (index `old`): its state carries over. `failed` counts its
   * checkers that are down after migration, `weight` is its new effective weight (the configured
   * one, or what a dynamic checker set).
   */
  | { readonly old: number; readonly failed: number; readonly weight: number }
  /** A new server: `failed` of its checkers start down (alpha), as at start. */
  | { readonly old: null; readonly failed: number };

/** The same sorry server (address and port) in both (rs_iseq() in clear_diff_s_srv()). */
const sameSorry = (a: VirtualServer, b: VirtualServer): boolean =>
  a.sorryServer !== null &&
  b.sorryServer !== null &&
  a.sorryServer.address === b.sorryServer.address &&
  a.sorryServer.port === b.sorryServer.port;

interface RsState {
  alive: boolean;
  /** In the table (keepalived rs->set). */
  set: boolean;
  failed: number;
  /** Configured weight plus dynamic changes (MISC_CHECK misc_dynamic, FILE_CHECK dynamic). */
  weight: number;
}

export interface PoolView {
  readonly quorumUp: boolean;
  readonly sorryActive: boolean;
  readonly realServers: readonly {
    readonly alive: boolean;
    readonly inTable: boolean;
    readonly weight: number;
  }[];
}

export class Pool {
  private readonly rs: RsState[];
  private quorumUp = false;
  private sorryAlive = false;
  /** releaseSorry() took out a sorry server that stood in for the pool. */
  private sorryReleased = false;
  private effects: PoolEffect[] = [];
  readonly name: string;

  constructor(readonly vs: VirtualServer) {
    this.name = vs.display;
    this.rs = vs.realServers.map((r) => ({ alive: false, set: false, failed: 0, weight: r.weight }));
  }

  view(): PoolView {
    return {
      quorumUp: this.quorumUp,
      sorryActive: this.sorryAlive,
      realServers: this.rs.map((r) => ({ alive: r.alive, inTable: r.set, weight: realWeight(r.weight) })),
    };
  }

  /** Total weight of the alive real servers (keepalived weigh_live_realservers()). */
  liveWeight(): number {
    return this.rs.reduce((sum, r) => sum + (r.alive ? realWeight(r.weight) : 0), 0);
  }

  /**
   * Start (init_service_vs): `downAtStart[i]` is how many of real server i's checkers start down
   * (alpha). Servers with none are added and alive; inhibited ones go in at weight 0.
   */
  init(downAtStart: readonly number[]): PoolEffect[] {
    this.rs.forEach((r, i) => {
      r.failed = downAtStart[i] ?? 0;
      const inhibit = this.config(i).inhibitOnFailure;
      if (r.failed === 0) {
        this.put(i, realWeight(r.weight));
        r.alive = true;
      } else if (inhibit) {
        this.put(i, 0);
      }
    });
    // set_quorum_states(), then update_quorum_state(init).
    this.quorumUp = this.liveWeight() >= this.vs.quorum + this.vs.hysteresis;
    this.updateQuorum(true);
    const sorry = this.vs.sorryServer;
    if (sorry && this.vs.sorryServerInhibit && !this.sorryAlive)
      this.effects.push({ kind: 'set', member: 'sorry', weight: 0 });
    return this.flush();
  }

  /**
   * A checker of real server `i` reached a verdict (update_svr_checker_state()). `checkerWasUp` is
   * its state before; `firstRun` that it had not run before; `alpha` its alpha setting.
   */
  checker(i: number, alive: boolean, checkerWasUp: boolean, firstRun: boolean, alpha: boolean): PoolEffect[] {
    const r = this.member(i);
    if (checkerWasUp === alive) {
      // The first verdict confirms the starting state: keepalived notifies for alpha or down.
      if (firstRun && (alpha || !alive)) this.rsNotifies(i, false);
      return this.flush();
    }
    if (alive ? r.failed <= 1 : r.failed === 0) this.perform(i, alive);
    if (alive) r.failed = Math.max(0, r.failed - 1);
    else r.failed++;
    return this.flush();
  }

  /** A new effective weight for real server `i` (update_svr_wgt()). */
  weight(i: number, weight: number): PoolEffect[] {
    if (this.changeWeight(i, weight)) this.updateQuorum(false);
    return this.flush();
  }

  /** update_svr_wgt() without the quorum update; true when the effective weight changed. */
  private changeWeight(i: number, weight: number): boolean {
    const r = this.member(i);
    const from = realWeight(r.weight);
    const to = realWeight(weight);
    r.weight = weight;
    if (from === to) return false;
    this.log(
      'check.weight',
      `Changing weight from ${from} to ${to} for ${r.alive ? '' : 'in'}active service ${this.rsName(i)} of VS ${this.name}`,
      {
        rs: this.rsName(i),
        from,
        to,
      },
    );
    if (r.set && r.alive && this.poolInUse()) this.effects.push({ kind: 'set', member: i, weight: to });
    return true;
  }

  /** Shutdown (clear_service_vs()): everything leaves the table; with omega the down notifies run. */
  stop(): PoolEffect[] {
    this.rs.forEach((r, i) => {
      if (!r.set) return;
      this.log('check.shutdown', `Shutting down service ${this.rsName(i)} from VS ${this.name}`, {
        rs: this.rsName(i),
      });
      this.effects.push({ kind: 'remove', member: i });
      r.set = false;
      if (r.alive) {
        r.alive = false;
        if (this.vs.omega) this.rsNotifies(i, true);
      }
    });
    if (this.sorryInTable()) {
      this.effects.push({ kind: 'remove', member: 'sorry' });
      this.sorryAlive = false;
    }
    if (this.quorumUp) {
      this.quorumUp = false;
      if (this.vs.omega) this.vsNotifies(true);
    }
    return this.flush();
  }

  // Reload (keepalived check_daemon.c reload_check_thread() → ipwrapper.c clear_diff_services(),
  // then init_services() on the new config).

  /**
   * The virtual server is gone from the new config (clear_service_vs(vs, false)): its sorry
   * server and real servers leave the table, the alive ones with their down notifies, and the
   * virtual server's quorum down notifies if it had quorum (update_vs_notifies()).
   */
  retire(): PoolEffect[] {
    const group = this.vs.key.kind === 'group' ? this.vs.key.group : null;
    this.log(
      'check.vs.removed',
      group === null ? `Removing Virtual Server ${this.name}` : `Removing Virtual Server Group [${group}]`,
      {},
    );
    if (this.sorryInTable()) {
      this.effects.push({ kind: 'remove', member: 'sorry' });
      this.sorryAlive = false;
    }
    this.rs.forEach((_, i) => this.clearServer(i));
    const sum = this.liveWeight();
    if (this.quorumUp && (sum === 0 || sum < this.vs.quorum - this.vs.hysteresis)) {
      this.quorumUp = false;
      this.vsNotifies(false);
    }
    return this.flush();
  }

  /** Real server `i` is gone from the new config (clear_diff_rs(): clear_service_rs(vs, rs, false)). */
  removeServer(i: number): PoolEffect[] {
    this.log('check.rs.removed', `service ${this.rsName(i)} no longer exist`, { rs: this.rsName(i) });
    this.clearServer(i);
    return this.flush();
  }

  /**
   * The new config's sorry server is not this one (clear_diff_s_srv()): if it is in the table
   * (standing in, or at weight 0 with inhibit) it leaves.
   */
  releaseSorry(next: VirtualServer): PoolEffect[] {
    if (!this.sorryInTable() || sameSorry(this.vs, next)) return this.flush();
    this.log('check.sorry.down', `Removing sorry server ${this.sorryName()} from VS ${this.name}`, {});
    this.effects.push({ kind: 'remove', member: 'sorry' });
    this.sorryReleased = this.sorryAlive;
    this.sorryAlive = false;
    return this.flush();
  }

  /**
   * This (new) pool takes over from `from`, the same virtual server in the old config, whose
   * removed real servers and changed sorry server have already left (removeServer(),
   * releaseSorry()). keepalived clear_diff_services() / clear_diff_rs() / migrate_checkers(),
   * then init_service_vs() on the reloaded virtual server:
   * - the quorum state, and a kept server's alive / in-table state and effective weight, carry
   *   over: a server whose state holds is not touched in the table;
   * - a kept server with no checker down comes (back) up; one with a checker down stays out, or
   *   in at weight 0 if it is now inhibit_on_failure (and out if no longer);
   * - a changed weight is applied (`Changing weight from ...`); a changed forwarding method or
   *   threshold re-sets the server in the table at its current weight;
   * - new servers start as at start-up: in the table unless a checker starts down (alpha);
   * - the quorum is checked as at start (`Gained quorum`, `Starting with quorum down`, the sorry
   *   server in or out), and an inhibited sorry server goes in at weight 0.
   */
  reload(from: Pool, members: readonly ReloadMember[]): PoolEffect[] {
    this.quorumUp = from.quorumUp;
    const keepSorry = sameSorry(from.vs, this.vs);
    this.sorryAlive = keepSorry && from.sorryAlive;
    let sorrySet = keepSorry && from.sorryInTable();
    if (sorrySet && !this.sorryAlive && !this.vs.sorryServerInhibit) {
      // It was in at weight 0 for sorry_server_inhibit, which is gone.
      this.effects.push({ kind: 'remove', member: 'sorry' });
      sorrySet = false;
    }
    members.forEach((m, i) => {
      const r = this.member(i);
      r.failed = m.failed;
      const inhibit = this.config(i).inhibitOnFailure;
      if (m.old === null) {
        // init_service_rs() for a new server; not put in while the sorry server stands in.
        if (m.failed === 0) {
          r.alive = true;
          if (this.poolInUse()) this.put(i, realWeight(r.weight));
        } else if (inhibit) {
          this.put(i, 0);
        }
        return;
      }
      const o = from.member(m.old);
      r.alive = o.alive;
      r.set = o.set;
      r.weight = o.weight;
      const mark = this.effects.length;
      this.changeWeight(i, m.weight);
      if (m.failed === 0 && !r.alive) this.perform(i, true);
      else if (m.failed > 0 && r.alive) this.perform(i, false);
      else if (m.failed > 0 && r.set !== inhibit) {
        if (inhibit) this.put(i, 0);
        else {
          this.effects.push({ kind: 'remove', member: i });
          r.set = false;
        }
      }
      const was = from.config(m.old);
      const now = this.config(i);
      const touched = this.effects
        .slice(mark)
        .some((e) => (e.kind === 'set' || e.kind === 'remove') && e.member === i);
      if (
        r.set &&
        !touched &&
        (was.lvsMethod !== now.lvsMethod ||
          was.uthreshold !== now.uthreshold ||
          was.lthreshold !== now.lthreshold)
      ) {
        this.effects.push({
          kind: 'set',
          member: i,
          weight: r.alive && this.poolInUse() ? realWeight(r.weight) : 0,
        });
      }
    });
    // The sorry server stood in and is gone (and no other one takes over): the alive servers it
    // stood in for (out of the table, or at weight 0 with inhibit_on_failure) go back in.
    const stoodIn = from.sorryAlive || from.sorryReleased;
    if (stoodIn && !this.sorryAlive && (this.quorumUp || !this.vs.sorryServer)) {
      this.rs.forEach((r, i) => {
        const done = this.effects.some((e) => e.kind === 'set' && e.member === i);
        if (r.alive && !done) this.put(i, realWeight(r.weight));
      });
    }
    this.updateQuorum(true);
    if (this.vs.sorryServer && this.vs.sorryServerInhibit && !this.sorryAlive && !sorrySet)
      this.effects.push({ kind: 'set', member: 'sorry', weight: 0 });
    return this.flush();
  }

  private config(i: number): RealServer {
    const c = this.vs.realServers[i];
    if (!c) throw new RangeError(`no real server ${i} in ${this.name}`);
    return c;
  }

  private member(i: number): RsState {
    const r = this.rs[i];
    if (!r) throw new RangeError(`no real server ${i} in ${this.name}`);
    return r;
  }

  private rsName(i: number): string {
    return formatRs(this.config(i), this.vs);
  }

  private sorryName(): string {
    const s = this.vs.sorryServer;
    return s ? formatService(s.address, this.vs.key.kind === 'fwmark' ? null : this.vs.protocol, s.port) : '';
  }

  /** The sorry server is in the table: standing in, or at weight 0 with sorry_server_inhibit. */
  private sorryInTable(): boolean {
    return this.vs.sorryServer !== null && (this.sorryAlive || this.vs.sorryServerInhibit);
  }

  /** clear_service_rs(vs, rs, false): out of the table, with its down notifies if it was alive. */
  private clearServer(i: number): void {
    const r = this.member(i);
    if (!r.set) return;
    const inhibit = this.config(i).inhibitOnFailure;
    this.log(
      'check.rs.down',
      `Removing ${inhibit && !r.alive ? '(inhibited) ' : ''}service ${this.rsName(i)} from VS ${this.name}`,
      { rs: this.rsName(i), inhibit },
    );
    this.effects.push({ kind: 'remove', member: i });
    r.set = false;
    if (!r.alive) return;
    r.alive = false;
    this.rsNotifies(i, false);
  }

  /** Table changes apply unless the sorry server stands in for the pool. */
  private poolInUse(): boolean {
    return this.quorumUp || !this.vs.sorryServer || !this.sorryAlive;
  }

  private put(i: number, weight: number): void {
    this.member(i).set = true;
    this.effects.push({ kind: 'set', member: i, weight });
  }

  /** perform_svr_state(): a real server comes alive or dies. */
  private perform(i: number, alive: boolean): void {
    const r = this.member(i);
    if (r.alive === alive) return;
    const inhibit = this.config(i).inhibitOnFailure;
    const verb = alive ? (inhibit ? 'Enabling' : 'Adding') : inhibit ? 'Disabling' : 'Removing';
    const prep = inhibit ? 'of' : alive ? 'to' : 'from';
    this.log(
      alive ? 'check.rs.up' : 'check.rs.down',
      `${verb} service ${this.rsName(i)} ${prep} VS ${this.name}`,
      {
        rs: this.rsName(i),
        inhibit,
      },
    );
    if (this.poolInUse()) {
      if (alive) this.put(i, realWeight(r.weight));
      else if (inhibit) this.effects.push({ kind: 'set', member: i, weight: 0 });
      else {
        this.effects.push({ kind: 'remove', member: i });
        r.set = false;
      }
    }
    r.alive = alive;
    this.rsNotifies(i, false);
    this.updateQuorum(false);
  }

  /** update_quorum_state(). */
  private updateQuorum(init: boolean): void {
    const sum = this.liveWeight();
    const q = this.vs.quorum;
    const h = this.vs.hysteresis;
    const threshold = q + (this.quorumUp ? -1 : 1) * h;
    const sorry = this.vs.sorryServer;
    if (!this.quorumUp && sum >= threshold) {
      this.quorumUp = true;
      this.log('check.quorum.up', `Gained quorum ${q}+${h}=${threshold} <= ${sum} for VS ${this.name}`, {
        threshold,
        weight: sum,
      });
      if (sorry && this.sorryAlive) {
        const inhibit = this.vs.sorryServerInhibit;
        this.log(
          'check.sorry.down',
          `${inhibit ? 'Disabling' : 'Removing'} sorry server ${this.sorryName()} from VS ${this.name}`,
          {},
        );
        this.effects.push(
          inhibit ? { kind: 'set', member: 'sorry', weight: 0 } : { kind: 'remove', member: 'sorry' },
        );
        this.sorryAlive = false;
        this.wholePool(true);
      }
      this.vsNotifies(false);
      return;
    }
    if (
      (this.quorumUp && (sum === 0 || sum < threshold)) ||
      (init && !this.quorumUp && sorry && !this.sorryAlive)
    ) {
      this.quorumUp = false;
      this.log(
        'check.quorum.down',
        `${init ? 'Starting with quorum down' : 'Lost quorum'} ${q}-${h}=${threshold} > ${sum} for VS ${this.name}`,
        {
          threshold,
          weight: sum,
        },
      );
      if (sorry && !this.sorryAlive) {
        const inhibit = this.vs.sorryServerInhibit;
        this.log(
          'check.sorry.up',
          `${inhibit ? 'Enabling' : 'Adding'} sorry server ${this.sorryName()} to VS ${this.name}`,
          {},
        );
        this.wholePool(false);
        this.effects.push({ kind: 'set', member: 'sorry', weight: 1 });
        this.sorryAlive = true;
      }
      this.vsNotifies(false);
    }
  }

  /** perform_quorum_state(): the alive servers go back into the table, or leave it for the sorry server. */
  private wholePool(add: boolean): void {
    this.log(
      'check.pool',
      `${add ? 'Adding alive servers to' : 'Removing alive servers from'} the pool for VS ${this.name}`,
      {},
    );
    this.rs.forEach((r, i) => {
      if (!r.alive) return;
      if (add) this.put(i, realWeight(r.weight));
      else if (this.config(i).inhibitOnFailure) this.effects.push({ kind: 'set', member: i, weight: 0 });
      else if (r.set) {
        this.effects.push({ kind: 'remove', member: i });
        r.set = false;
      }
    });
  }

  /** do_rs_notifies(): notify_up/notify_down and the FIFO line `RS <rs> <vs> UP|DOWN`. */
  private rsNotifies(i: number, stopping: boolean): void {
    const r = this.member(i);
    const c = this.config(i);
    const script = r.alive ? c.notifyUp : c.notifyDown;
    if (script) this.effects.push({ kind: 'script', script, stopping });
    this.effects.push({ kind: 'fifo', line: `RS ${this.rsName(i)} ${this.name} ${r.alive ? 'UP' : 'DOWN'}` });
  }

  /** do_vs_notifies(): quorum_up/quorum_down and the FIFO line `VS <vs> UP|DOWN`. */
  private vsNotifies(stopping: boolean): void {
    const script = this.quorumUp ? this.vs.quorumUp : this.vs.quorumDown;
    if (script) this.effects.push({ kind: 'script', script, stopping });
    this.effects.push({ kind: 'fifo', line: `VS ${this.name} ${this.quorumUp ? 'UP' : 'DOWN'}` });
  }

  private log(event: string, msg: string, fields: Readonly<Record<string, string | number | boolean>>): void {
    this.effects.push({ kind: 'log', event, msg, fields: { vs: this.name, ...fields } });
  }

  private flush(): PoolEffect[] {
    const out = this.effects;
    this.effects = [];
    return out;
  }
}
