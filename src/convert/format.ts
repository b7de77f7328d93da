/**
 * `keepalived-ts convert`: the source formats it reads (Piranha's lvs.cf, ipvsadm rules) and what
 * converting one gives. Pure: text in, keepalived.conf text and warnings out.
 */

/** The checkers `--check` may give ipvsadm's real servers: each needs only an address and a port. */
export const CONVERT_CHECKS = ['TCP_CHECK', 'HTTP_GET', 'SSL_GET'] as const;

export interface ConvertOptions {
  /** The file's name as the user gave it, for the header and the warnings (`FILE:LINE: ...`). */
  readonly file: string;
  /** lvs.cf: which director this config is for (state and priority of its vrrp_instance). */
  readonly role: 'primary' | 'backup';
  /** ipvsadm: the checker each real server gets (keepalived's keyword, e.g. TCP_CHECK). */
  readonly check: string;
}

export interface ConvertResult {
  /** keepalived.conf, beginning with a comment header saying where each part came from. */
  readonly text: string;
  /** What has no keepalived equivalent or was guessed, each `FILE:LINE: message`. */
  readonly warnings: readonly string[];
}

export interface SourceFormat {
  /** What `--from` calls it. */
  readonly name: string;
  /** Whether `text` looks like this format (used when `--from` is not given). */
  detect(text: string): boolean;
  /** Throws ConvertError when the text cannot be read at all. */
  convert(text: string, options: ConvertOptions): ConvertResult;
}

/** Input that cannot be converted: `FILE:LINE: message`. */
export class ConvertError extends Error {}
