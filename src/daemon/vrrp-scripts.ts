/**
 * Runs every vrrp_script on its interval and reports up/down changes (keepalived 2.2.7
 * vrrp_scheduler.c vrrp_init_script(), vrrp_script_thread(), vrrp_script_child_thread()).
 *
 * - Each script runs once at start-up, then every `interval` counted from the previous start.
 * - A script still running (or being killed) when its next turn comes is not started again:
 *   "Track script X is already running, expect idle - skipping run". (2.2.7 logs this and
 *   starts it anyway, a bug fixed in 2.3.3 by 94d40e3b; we skip.)
 * - The timeout (0 = interval, resolved by the config layer) sends SIGTERM, then SIGKILL 2 s
 *   later, and counts as a failure ("timed_out").
 * - "Script `X` now returning N" whenever the exit status differs from the previous one (which
 *   starts at 0, so a first success is not logged).
 * - A command that cannot be executed is logged, and the child keepalived forked exits 0: it
 *   counts as a success (lib/notify.c system_call_script()).
 * - rise/fall/init_fail: src/vrrp/script-state.ts. "VRRP_Script(X) succeeded|failed|timed_out"
 *   is logged exactly when the status changes, which is when `onStatus` is called.
 */
import type { Logger } from 'pino';
import { constants as osConstants } from 'node:os';
import type { GlobalDefs, VrrpScript } from '../config/model.js';
import { newScriptState, scriptResult, type ScriptState, type ScriptStatus } from '../vrrp/script-state.js';
import { resolveScriptUser, runScript, type AccountFiles, type ScriptOutcome } from '../host/run-script.js';

export interface VrrpScriptsOptions {
  readonly scripts: readonly VrrpScript[];
  readonly global: Pick<GlobalDefs, 'scriptUser' | 'enableScriptSecurity'>;
  readonly log: Logger;
  readonly onStatus: (name: string, status: 'up' | 'down') => void;
  /** SIGTERM → SIGKILL delay after a timeout (keepalived: 2 s). */
  readonly killGraceMs?: number;
  readonly accounts?: AccountFiles;
  readonly env?: NodeJS.ProcessEnv;
}

export interface VrrpScripts {
  status(name: string): ScriptStatus | undefined;
  /** Cancel the timers, SIGTERM running scripts (SIGKILL after the grace) and wait for them. */
  stop(): Promise<void>;
}

interface Runner {
  readonly script: VrrpScript;
  state: ScriptState;
  lastStatus: number;
  timer: NodeJS.Timeout | undefined;
  running: { readonly done: Promise<void>; readonly abort: AbortController; timingOut: boolean } | null;
}

function signalNumber(signal: NodeJS.Signals): number {
  return (osConstants.signals as Record<string, number | undefined>)[signal] ?? 0;
}

export function startVrrpScripts(opts: VrrpScriptsOptions): VrrpScripts {
  const log = opts.log;
  const runners = new Map<string, Runner>();
  let stopped = false;

  /** keepalived's exit type and reason for one run; logs a change of exit status. */
  const classify = (r: Runner, outcome: ScriptOutcome): { exitType: string; reason: string | null } => {
    const name = r.script.name;
    let code: number;
    switch (outcome.kind) {
      case 'signal':
        return { exitType: 'failed', reason: `due to signal ${signalNumber(outcome.signal)}` };
      case 'timeout':
        return { exitType: 'timed_out', reason: null };
      case 'error':
        log.error({ event: 'vrrp.script.exec', script: name, reason: outcome.message }, outcome.message);
        code = 0;
        break;
      case 'exit':
        code = outcome.code;
        break;
    }
    if (code !== r.lastStatus) {
      log.info(
        { event: 'vrrp.script.exit_status', script: name, code },
        `Script \`${name}\` now returning ${code}`,
      );
    }
    r.lastStatus = code;
    return code === 0
      ? { exitType: 'succeeded', reason: null }
      : { exitType: 'failed', reason: `exited with status ${code}` };
  };

  const report = (r: Runner, outcome: ScriptOutcome): void => {
    const name = r.script.name;
    const { exitType, reason } = classify(r, outcome);
    const step = scriptResult(r.state, r.script, exitType === 'succeeded' ? 'ok' : 'fail');
    r.state = step.state;
    if (step.report === null) return;
    const text = `VRRP_Script(${name}) ${exitType}${reason === null ? '' : ` (${reason})`}`;
    log.info(
      { event: 'vrrp.script', script: name, status: step.report, ...(reason ? { reason } : {}) },
      text,
    );
    try {
      opts.onStatus(name, step.report);
    } catch (err) {
      log.error({ event: 'vrrp.script', script: name, err }, 'onStatus handler failed');
    }
  };

  const runOnce = (r: Runner, uid: number, gid: number): void => {
    const abort = new AbortController();
    const running = { abort, timingOut: false, done: Promise.resolve() };
    const done = runScript(r.script.script, {
      uid,
      gid,
      timeoutMs: r.script.timeoutMs,
      signal: abort.signal,
      onTimeout: () => (running.timingOut = true),
      ...(opts.killGraceMs === undefined ? {} : { killGraceMs: opts.killGraceMs }),
      ...(opts.env === undefined ? {} : { env: opts.env }),
    }).then((outcome) => {
      r.running = null;
      if (!stopped) report(r, outcome);
    });
    running.done = done;
    r.running = running;
  };

  const tick = (r: Runner, uid: number, gid: number): void => {
    r.timer = setTimeout(() => tick(r, uid, gid), r.script.intervalMs);
    if (r.running) {
      const what = r.running.timingOut ? 'being timed out' : 'already running';
      log.info(
        { event: 'vrrp.script.skip', script: r.script.name },
        `Track script ${r.script.name} is ${what}, expect idle - skipping run`,
      );
      return;
    }
    runOnce(r, uid, gid);
  };

  for (const script of opts.scripts) {
    const r: Runner = {
      script,
      state: newScriptState(script),
      lastStatus: 0,
      timer: undefined,
      running: null,
    };
    runners.set(script.name, r);
    const user = resolveScriptUser(script.script, opts.global, opts.accounts);
    if (user === null) {
      log.warn(
        { event: 'vrrp.script', script: script.name, reason: 'no-user' },
        `Unable to set user for VRRP_Script(${script.name}) - not running it`,
      );
      continue;
    }
    tick(r, user.uid, user.gid);
  }

  return {
    status: (name) => runners.get(name)?.state.status,
    async stop() {
      stopped = true;
      const pending: Promise<void>[] = [];
      for (const r of runners.values()) {
        clearTimeout(r.timer);
        if (r.running) {
          r.running.abort.abort();
          pending.push(r.running.done);
        }
      }
      await Promise.all(pending);
    },
  };
}
