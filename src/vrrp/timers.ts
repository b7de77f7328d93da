/**
 * VRRP timer arithmetic (pure). Durations are milliseconds; keepalived computes in microseconds,
 * so results are whole microseconds expressed in (fractional) milliseconds and match it exactly.
 */
import type { VrrpVersion } from './packet.js';

/**
 * Skew_Time, what a lower priority waits longer before taking over.
 * - VRRPv2 (RFC 3768 §6.1): (256 - Priority) / 256 seconds.
 * - VRRPv3 (RFC 5798 §6.1): ((256 - Priority) * Master_Adver_Interval) / 256.
 */
export function skewTimeMs(version: VrrpVersion, priority: number, masterAdverIntervalMs: number): number {
  const unitUs = version === 2 ? 1_000_000 : masterAdverIntervalMs * 1000;
  return Math.floor(((256 - priority) * unitUs) / 256) / 1000;
}

/**
 * Master_Down_Interval, how long a backup waits without adverts before it takes over:
 * down_timer_adverts (RFC: 3) x Master_Adver_Interval + Skew_Time (RFC 5798 §6.1,
 * keepalived `vrrp_down_timer_adverts`).
 */
export function masterDownIntervalMs(
  version: VrrpVersion,
  priority: number,
  masterAdverIntervalMs: number,
  downTimerAdverts = 3,
): number {
  return downTimerAdverts * masterAdverIntervalMs + skewTimeMs(version, priority, masterAdverIntervalMs);
}
