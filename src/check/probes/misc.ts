/**
 * MISC_CHECK (keepalived check_misc.c misc_check_thread(), misc_check_child_thread()): one attempt
 * runs misc_path (argv, no shell; see host/run-script.ts) as its user and waits for it.
 *
 * - Exit 0 passes. With misc_dynamic, exit 2..255 also passes and sets the real server's weight
 *   to status - 2 (0..253); exit 0 puts back the configured weight (keepalived sets the checker's
 *   weight offset to 0), exit 1 fails. Without misc_dynamic, every non-zero status fails.
 * - misc_timeout (the model's timeoutMs): SIGTERM to the script's process group, SIGKILL 2 s
 *   later; a script killed that way "timed out", which is a failure. Death by any other signal
 *   is a failure `due to signal N`.
 * - A script that cannot be executed: keepalived's forked child logs the exec error and exits 0
 *   ("Script errors aren't server errors", lib/notify.c system_call_script()), so the check
 *   passes; the error is logged here too. keepalived drops a MISC_CHECK whose script is missing
 *   or insecure when it reads the config (check_misc_script_security()).
 * - The user is resolved once, when the probe is created (keepalived does it at config time); a
 *   script with no usable user ("Unable to set default user for misc script") fails every attempt.
 *
 * Texts: `Misc check for [X VS Y] by [path] succeeded.` when it goes up; when it goes down
 * `... failed after N retr(y|ies) (exited with status S).`, `... with retry disabled (...)`,
 * `... timed out after N retries.` or `... failed ... (due to signal N).`. The per-attempt detail
 * is the same line without the retry part (keepalived's `, will do N retries` / ` on retry i/N`
 * depends on the retry count, which is the verdict's business).
 */
import { constants as osConstants } from 'node:os';
import { isDeepStrictEqual } from 'node:util';
import type { Checker, MiscChecker, VirtualServer } from '../../config/model.js';
import { resolveScriptUser, runScript, type ScriptOutcome } from '../../host/run-script.js';
import { loopTiming, type CheckerType } from '../checker-type.js';
import type { ProbeOutcome, ProbeTarget } from '../probe.js';
import { ABORTED } from './attempt.js';

const signalNumber = (signal: NodeJS.Signals): number =>
  (osConstants.signals as Record<string, number | undefined>)[signal] ?? 0;

/** `Misc check for [X VS Y] by [path]`: what every MISC_CHECK line starts with. */
const subject = (display: string, target: ProbeTarget, path: string): string =>
  `Misc check for [${display} VS ${target.vs.display}] by [${path}]`;

/** The script path of the checker the text is about. */
const miscPath = (checker: Checker): string =>
  checker.type === 'MISC_CHECK' ? (checker.script.argv[0] ?? '') : '';

/** misc_timeout; 0 (or unset) means the virtual server's delay_loop (misc_check_thread()). */
const scriptTimeoutMs = (c: MiscChecker, vs: VirtualServer): number =>
  c.timeoutMs > 0 ? c.timeoutMs : vs.delayLoopMs;

/** keepalived's retry part of a failure line (misc_check_child_thread()). */
const retryText = (retries: number): string =>
  retries > 0 ? ` after ${retries} ${retries === 1 ? 'retry' : 'retries'}` : ' with retry disabled';

/** An attempt's outcome from how the script ended (misc_check_child_thread()). */
function miscOutcome(
  outcome: ScriptOutcome,
  checker: MiscChecker,
  baseWeight: number,
  line: string,
): ProbeOutcome {
  switch (outcome.kind) {
    case 'error':
      // The child could not exec and exited 0: that counts as success.
      return checker.dynamic ? { ok: true, weight: baseWeight } : { ok: true };
    case 'timeout':
      return { ok: false, reason: 'timeout', detail: `${line} timed out.` };
    case 'signal':
      return {
        ok: false,
        reason: 'signal',
        detail: `${line} failed (due to signal ${signalNumber(outcome.signal)}).`,
      };
    case 'exit': {
      const status = outcome.code;
      if (status === 0) return checker.dynamic ? { ok: true, weight: baseWeight } : { ok: true };
      if (checker.dynamic && status >= 2 && status <= 255) return { ok: true, weight: status - 2 };
      return { ok: false, reason: 'exit-status', detail: `${line} failed (exited with status ${status}).` };
    }
  }
}

export const miscCheck: CheckerType<MiscChecker> = {
  type: 'MISC_CHECK',
  texts: {
    up: (display, target, checker) => `${subject(display, target, miscPath(checker))} succeeded.`,
    down: (display, retries, target, last, checker) => {
      const line = subject(display, target, miscPath(checker));
      if (last.ok) return `${line} failed${retryText(retries)}.`;
      if (last.reason === 'timeout') return `${line} timed out${retryText(retries)}.`;
      const why = /\((exited with status \d+|due to signal \d+)\)\.$/.exec(last.detail)?.[1];
      return `${line} failed${retryText(retries)}${why === undefined ? '' : ` (${why})`}.`;
    },
    alert: (up, failure) =>
      `=> MISC CHECK ${up ? 'succeeded' : failure === 'timeout' ? 'timed out' : 'failed'} on service <=`,
  },
  timing: loopTiming,
  attemptLimitMs: scriptTimeoutMs,
  // compare_misc_check(): the script (its command and user) and misc_dynamic.
  sameTarget: (a, b) => a.dynamic === b.dynamic && isDeepStrictEqual(a.script, b.script),
  create(checker, target, deps) {
    const path = checker.script.argv[0] ?? '';
    const line = subject(target.display, target, path);
    const timeoutMs = scriptTimeoutMs(checker, target.vs);
    const user = resolveScriptUser(checker.script, deps.global);
    if (user === null) {
      deps.log.warn(
        { event: 'check.misc.user', target: target.display, script: path },
        `Unable to set default user for misc script ${checker.script.command} - removing`,
      );
    }
    return {
      async attempt(signal) {
        if (signal.aborted) return { ok: false, reason: 'aborted', detail: ABORTED };
        if (user === null) {
          return { ok: false, reason: 'script-error', detail: `${line} failed (no user to run it as).` };
        }
        let outcome: ScriptOutcome;
        try {
          // runScript never rejects; the abort signal terminates the group like a timeout, and
          // the promise settles only once the script has exited.
          outcome = await runScript(checker.script, { ...user, timeoutMs, signal });
        } catch (err) {
          return { ok: false, reason: 'error', detail: `internal error: ${String(err)}` };
        }
        if (signal.aborted) return { ok: false, reason: 'aborted', detail: ABORTED };
        if (outcome.kind === 'error') {
          deps.log.error({ event: 'check.misc.exec', target: target.display, script: path }, outcome.message);
        }
        return miscOutcome(outcome, checker, target.rs.weight, line);
      },
      close: () => undefined,
    };
  },
};
