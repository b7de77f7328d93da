/**
 * The client TLS context of SSL_GET, built once from the global `SSL { }` block like
 * check_ssl.c build_ssl_ctx: certificate chain, private key (with `password`), CA file. keepalived
 * never sets a verify mode, so OpenSSL's default SSL_VERIFY_NONE applies and the CA changes
 * nothing: the server's certificate is not checked, with or without `ca` (rejectUnauthorized false
 * at connect time). A file that cannot be read or parsed fails every SSL_GET attempt (keepalived
 * stops its checker process instead: "Error Initialize SSL, ctx Instance").
 */
import { readFile } from 'node:fs/promises';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { Config } from '../../config/model.js';

export type TlsContextResult =
  { readonly ok: true; readonly context: SecureContext } | { readonly ok: false; readonly error: string };

const cache = new WeakMap<NonNullable<Config['ssl']>, Promise<TlsContextResult>>();
let defaultContext: Promise<TlsContextResult> | undefined;

/** The context for `ssl` (null: no `SSL { }` block, OpenSSL's defaults), shared by every SSL_GET. */
export function tlsContext(ssl: Config['ssl']): Promise<TlsContextResult> {
  if (ssl === null) {
    defaultContext ??= Promise.resolve(build({}));
    return defaultContext;
  }
  let p = cache.get(ssl);
  if (!p) {
    p = load(ssl);
    cache.set(ssl, p);
  }
  return p;
}

async function load(ssl: NonNullable<Config['ssl']>): Promise<TlsContextResult> {
  try {
    const [cert, key, ca] = await Promise.all(
      [ssl.certificate, ssl.key, ssl.ca].map((f) => (f === null ? Promise.resolve(undefined) : readFile(f))),
    );
    return build({
      ...(cert && { cert }),
      ...(key && { key }),
      ...(ca && { ca }),
      ...(ssl.password !== null && { passphrase: ssl.password }),
    });
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

function build(options: Parameters<typeof createSecureContext>[0]): TlsContextResult {
  try {
    return { ok: true, context: createSecureContext(options) };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}
