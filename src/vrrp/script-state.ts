/**
 * keepalived's vrrp_script result counter (2.2.7 vrrp_scheduler.c vrrp_init_script() and
 * vrrp_script_child_thread(); vrrp_track.h). Pure.
 *
 * `result` runs from 0 to rise+fall-1: below `rise` the script is down, from `rise` up.
 * - Start: `result = rise - 1` (one success is enough), or 0 with `init_fail`.
 * - Success: below rise-1 count up; at rise-1 go up (report) and jump to rise+fall-1;
 *   while up, any success jumps back to rise+fall-1.
 * - Failure: above rise count down; at rise (or on the very first result) go down (report)
 *   and drop to 0; while down, any failure drops back to 0.
 * So `rise` consecutive successes raise a down script and `fall` consecutive failures drop an
 * up one. Until the first result the status is 'init' (with `init_fail`: 'down').
 */

export type ScriptStatus = 'up' | 'down' | 'init';
export type ScriptOutcomeKind = 'ok' | 'fail';

export interface ScriptCounterConfig {
  readonly rise: number;
  readonly fall: number;
  readonly initFail: boolean;
}

export interface ScriptState {
  readonly result: number;
  /** keepalived's init_state: INIT, FAILED (init_fail) or DONE after the first result. */
  readonly initState: 'init' | 'failed' | 'done';
  readonly status: ScriptStatus;
}

export interface ScriptStep {
  readonly state: ScriptState;
  /** Non-null exactly when keepalived calls update_script_priorities() (logs succeeded/failed). */
  readonly report: 'up' | 'down' | null;
}

export function newScriptState(cfg: ScriptCounterConfig): ScriptState {
  return cfg.initFail
    ? { result: 0, initState: 'failed', status: 'down' }
    : { result: cfg.rise - 1, initState: 'init', status: 'init' };
}

export function scriptResult(
  state: ScriptState,
  cfg: ScriptCounterConfig,
  outcome: ScriptOutcomeKind,
): ScriptStep {
  const { rise, fall } = cfg;
  const top = rise + fall - 1;
  let { result } = state;
  let report: 'up' | 'down' | null = null;
  if (outcome === 'ok') {
    if (result < rise - 1) result++;
    else if (result !== top) {
      if (result < rise) report = 'up';
      result = top;
    }
  } else if (result > rise) {
    result--;
  } else {
    if (result === rise || state.initState === 'init') report = 'down';
    result = 0;
  }
  const status: ScriptStatus = result >= rise ? 'up' : 'down';
  return { state: { result, initState: 'done', status }, report };
}

export function scriptStatus(state: ScriptState): ScriptStatus {
  return state.status;
}
