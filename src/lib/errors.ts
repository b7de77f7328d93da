/**
 * Errors from adapters and start-up, with stable codes (undici's pattern without its
 * Symbol.hasInstance boilerplate). Input from the network never throws; config problems are
 * diagnostics; these are for what cannot go on (no permission, no addon, a kernel refusal).
 */
export type KaErrorCode =
  | 'KA_ERR_NATIVE'
  | 'KA_ERR_SOCKET'
  | 'KA_ERR_SOCKET_PERM'
  | 'KA_ERR_NETLINK'
  /** An interface an instance needs (its own, its VMAC's, a VIP's) does not exist. */
  | 'KA_ERR_INTERFACE'
  | 'KA_ERR_PIDFILE'
  | 'KA_ERR_CONTROL';

export class KaError extends Error {
  constructor(
    readonly code: KaErrorCode,
    message: string,
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'KaError';
  }
}
