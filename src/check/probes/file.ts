/**
 * FILE_CHECK (keepalived check_file.c, trackers/track_file.c update_track_file_status(),
 * process_update_checker_track_file_status()): the real server follows the value of a root
 * `track_file`. keepalived does not poll: it re-reads the file when inotify reports a change and
 * updates the checker at once. Here an attempt reads the current value through
 * deps.trackFileValue(name), without I/O of its own; the runner decides when to ask (on each
 * change of the value, or on delay_loop). A value not read yet counts as 0, keepalived's value
 * for a missing or empty file.
 *
 * With the checker's `weight W [reverse]` (else the track_file's own weight and direction;
 * keepalived copies them in file_end_handler(), see `effectiveWeight` below):
 * - W = 0: a non-zero value is a fault (reverse: a zero value is).
 * - W ≠ 0: the value × W (× -1 with reverse), clamped to the int32 range, is a fault when it
 *   reaches IPVS_WEIGHT_FAULT (INT32_MIN, not VRRP's -254); otherwise the checker is up and that
 *   product is added to the real server's configured weight (`weight` of the outcome).
 * There is no `dynamic` keyword for FILE_CHECK in 2.2.7: the weight is always applied when W ≠ 0.
 *
 * Texts: keepalived only logs the detail-level `(X): tracked file NAME now FAULT state` /
 * `... leaving FAULT state` (process_update_checker_track_file_status()); those are used.
 */
import type { Checker, FileChecker } from '../../config/model.js';
import { alertText, connectLimitMs, type CheckerType } from '../checker-type.js';
import type { ProbeOutcome } from '../probe.js';
import { ABORTED } from './attempt.js';

/** ip_vs.h IPVS_WEIGHT_FAULT. */
export const IPVS_WEIGHT_FAULT = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** The weight and direction that apply (the checker's own, else the track_file block's). */
export interface FileWeight {
  readonly weight: number;
  readonly reverse: boolean;
}

/**
 * The checker's `weight`; null means the track_file's own, which the config model does not
 * carry into the checker yet: keepalived's default track_file weight (1, not reversed) is used.
 */
const effectiveWeight = (c: Pick<FileChecker, 'weight' | 'reverse'>): FileWeight =>
  c.weight !== null ? { weight: c.weight, reverse: c.reverse } : { weight: 1, reverse: false };

/**
 * update_track_file_status(): the checker's status for a file value, as keepalived computes it:
 * IPVS_WEIGHT_FAULT (down) or the weight offset to add to the real server (up).
 */
export function fileStatus(value: number, w: FileWeight): number {
  if (w.weight === 0) return (value !== 0) !== w.reverse ? IPVS_WEIGHT_FAULT : 0;
  const product = value * w.weight * (w.reverse ? -1 : 1);
  return Math.max(IPVS_WEIGHT_FAULT, Math.min(INT32_MAX, product));
}

/** How often a FILE_CHECK looks at its (already watched) file; keepalived reacts to each change. */
const FILE_CHECK_POLL_MS = 1000;

const subject = (display: string, name: string): string => `(${display}): tracked file ${name}`;

/** The track_file name of the checker the text is about. */
const trackName = (checker: Checker): string => (checker.type === 'FILE_CHECK' ? checker.trackFile : '');

export const fileCheck: CheckerType<FileChecker> = {
  type: 'FILE_CHECK',
  texts: {
    up: (display, _target, checker) => `${subject(display, trackName(checker))} leaving FAULT state`,
    down: (display, _retries, _target, last, checker) =>
      !last.ok && last.reason === 'file'
        ? last.detail
        : `${subject(display, trackName(checker))} now FAULT state`,
    alert: alertText('CHECK'),
  },
  // track_file.c: no retries; the state follows the file's value, looked at every second at most.
  timing: (c) => {
    const every = Math.min(c.delayLoopMs, FILE_CHECK_POLL_MS);
    return { retry: 0, delayBeforeRetryMs: every, delayLoopMs: every, downDelayMs: every };
  },
  attemptLimitMs: connectLimitMs,
  // keepalived has no compare for FILE_CHECK: it sets a new one from the file's current value
  // (set_track_file_checkers_down()). The old verdict is that value, so the same file, weight
  // and direction count as the same checker.
  sameTarget: (a, b) =>
    a.trackFile === b.trackFile &&
    a.weight === b.weight &&
    a.reverse === b.reverse &&
    a.dynamic === b.dynamic,
  // A FILE_CHECK without its own weight takes its track_file's (file_end_handler()).
  effective: (c, config) => {
    if (c.weight !== null) return c;
    const tf = config.trackFiles.find((f) => f.name === c.trackFile);
    return tf ? { ...c, weight: tf.weight, reverse: tf.weightReverse } : c;
  },
  // The value × weight is added to the real server's configured weight.
  relativeWeight: true,
  create(checker, target, deps) {
    const w = effectiveWeight(checker);
    const fault = `${subject(target.display, checker.trackFile)} now FAULT state`;
    return {
      attempt(signal): Promise<ProbeOutcome> {
        if (signal.aborted) return Promise.resolve({ ok: false, reason: 'aborted', detail: ABORTED });
        let value: number;
        try {
          value = deps.trackFileValue(checker.trackFile) ?? 0;
        } catch (err) {
          return Promise.resolve({ ok: false, reason: 'error', detail: `internal error: ${String(err)}` });
        }
        const status = fileStatus(value, w);
        if (status === IPVS_WEIGHT_FAULT)
          return Promise.resolve({ ok: false, reason: 'file', detail: fault });
        if (w.weight === 0) return Promise.resolve({ ok: true });
        return Promise.resolve({ ok: true, weight: target.rs.weight + status });
      },
      close: () => undefined,
    };
  },
};
