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
    const r = this.member(i);
    const from = realWeight(r.weight);
    const to = realWeight(weight);
    r.weight = weight;
    if (from === to) return this.flush();
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
    this.updateQuorum(false);
    return this.flush();
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
    if (this.sorryAlive || this.vs.sorryServerInhibit) {
      this.effects.push({ kind: 'remove', member: 'sorry' });
      this.sorryAlive = false;
    }
    if (this.quorumUp) {
      this.quorumUp = false;
      if (this.vs.omega) this.vsNotifies(true);
    }
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
      else {
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
