/**
 * Connection counters on a Destination, as IPVS keeps them (ip_vs_conn.c ip_vs_bind_dest /
 * ip_vs_unbind_dest, ip_vs_proto_tcp.c set_tcp_state), and the overload flag the thresholds drive.
 *
 * IPVS starts every connection inactive (IP_VS_CONN_F_INACTIVE, set by __ip_vs_update_dest) and
 * moves a TCP connection to the active count while it is ESTABLISHED, back to inactive on any other
 * state (SYN_RECV, FIN_WAIT, CLOSE_WAIT, TIME_WAIT ...). UDP connections never change state, so
 * IPVS counts them as inactive for their whole life; so do we. The proxy's mapping for TCP:
 *   connecting to the real server            → inactive (SYN_RECV)
 *   connected both ways, no FIN yet          → active   (ESTABLISHED)
 *   one side has sent its FIN (half-closed)  → inactive (FIN_WAIT / CLOSE_WAIT)
 *   both sockets closed                      → unbound  (IPVS keeps TIME_WAIT 2 min; we do not)
 */
import type { Destination } from './model.js';
import { overloadAfterBind, overloadAfterUnbind } from './schedulers/index.js';

/** ip_vs_bind_dest(): a new connection counts as inactive; reaching uthreshold sets OVERLOAD. */
export function bindConn(dest: Destination): void {
  dest.inactConns++;
  overloadAfterBind(dest);
}

/** set_tcp_state(): inactive ↔ active. */
export function setConnActive(dest: Destination, active: boolean): void {
  if (active) {
    dest.inactConns--;
    dest.activeConns++;
  } else {
    dest.activeConns--;
    dest.inactConns++;
  }
}

/** ip_vs_unbind_dest(): the thresholds may clear OVERLOAD. */
export function unbindConn(dest: Destination, active: boolean): void {
  if (active) dest.activeConns--;
  else dest.inactConns--;
  overloadAfterUnbind(dest);
}
