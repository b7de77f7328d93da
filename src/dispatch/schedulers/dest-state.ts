/**
 * The destination tests every IPVS scheduler shares: a destination takes new connections only when
 * its weight is above 0 and IP_VS_DEST_F_OVERLOAD is clear, and its load is IPVS's
 * ip_vs_dest_conn_overhead(): active connections weigh 256 times an inactive one.
 */
import type { Destination } from '../model.js';

/** Weight > 0 and not overloaded: may take a new connection. */
export function isAvailable(dest: Destination): boolean {
  return dest.weight > 0 && !dest.overloaded;
}

/** ip_vs_dest_conn_overhead(): (activeconns << 8) + inactconns. */
export function connOverhead(dest: Destination): number {
  return dest.activeConns * 256 + dest.inactConns;
}

/** ip_vs_dest_totalconns(). */
function totalConns(dest: Destination): number {
  return dest.activeConns + dest.inactConns;
}

/**
 * ip_vs_bind_dest(): after counting a new connection on `dest`, set IP_VS_DEST_F_OVERLOAD when
 * the upper threshold is set and active + inactive connections reach it.
 */
export function overloadAfterBind(dest: Destination): void {
  if (dest.upperThreshold !== 0 && totalConns(dest) >= dest.upperThreshold) dest.overloaded = true;
}

/**
 * ip_vs_unbind_dest(): after a connection left `dest`, clear the flag below the lower threshold,
 * or without one below 3/4 of the upper threshold, or at once when neither is set.
 */
export function overloadAfterUnbind(dest: Destination): void {
  if (dest.lowerThreshold !== 0) {
    if (totalConns(dest) < dest.lowerThreshold) dest.overloaded = false;
  } else if (dest.upperThreshold !== 0) {
    if (totalConns(dest) * 4 < dest.upperThreshold * 3) dest.overloaded = false;
  } else {
    dest.overloaded = false;
  }
}
