/**
 * One HTTP_GET/SSL_GET request on its own fresh connection (node:net, node:tls on top for SSL),
 * as keepalived does it (check_http.c http_connect_thread ... http_read_thread): connect, write the
 * request bytes, read the raw response. The body is not decoded (no chunked decoding, like
 * keepalived), its MD5 covers at most Content-Length bytes (http_process_response), and one
 * deadline covers connect, handshake and the whole response (keepalived restarts its timer on
 * every read, so a server sending one byte per second never times out there). Never rejects.
 *
 * Bounds against hostile servers: a header over HEADER_LIMIT fails ('too-large'); after `bodyLimit`
 * body bytes the exchange stops reading and returns what it has, marked `end: 'limit'`.
 */
import { createHash } from 'node:crypto';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type SecureContext } from 'node:tls';
import { extractContentLength, extractStatusCode, headerEnd } from './http-message.js';

/** Longest response header accepted (keepalived's whole read buffer is 4 KiB). */
const HEADER_LIMIT = 16 * 1024;
/** After a response complete by Content-Length, how long to wait for the server's close... */
const LINGER_MS = 250;
/** ...and how much more it may send meanwhile. */
const LINGER_BYTES = 64 * 1024;

export type ExchangeStage = 'connect' | 'handshake' | 'wait' | 'read';

export interface ExchangeHooks {
  /** Each read while the header is still incomplete. */
  readonly headerChunk?: () => void;
  readonly header?: (header: Buffer) => void;
  /** Body bytes as digested (within Content-Length); `first` for those read with the header's end. */
  readonly body?: (bytes: Buffer, first: boolean) => void;
}

export interface ExchangeOptions {
  /** IP literal to connect to (an IPv6 link-local one may carry `%interface`). */
  readonly host: string;
  readonly port: number;
  readonly localAddress: string | null;
  readonly localPort: number | null;
  /** SSL_GET: the client context and the SNI name (null: none). */
  readonly tls: { readonly context: SecureContext; readonly servername: string | null } | null;
  readonly request: Buffer;
  readonly timeoutMs: number;
  /** Compute the MD5 of the body. */
  readonly digest: boolean;
  /** Keep the raw response (header and body) as latin1 text, for a regex. */
  readonly keepText: boolean;
  /** Body bytes read at most before the exchange stops reading. */
  readonly bodyLimit: number;
  readonly signal?: AbortSignal | undefined;
  readonly hooks?: ExchangeHooks | undefined;
}

export interface HttpResponse {
  readonly header: Buffer;
  readonly statusCode: number;
  /** null: absent or unreadable. */
  readonly contentLength: number | null;
  /** Body bytes received (including any beyond Content-Length). */
  readonly bodyBytes: number;
  /** Lower-case hex MD5 of the body, when asked for. */
  readonly digest: string | null;
  /** Header and body as latin1 (one char per byte), when asked for. */
  readonly text: string | null;
  /** The server closed ('eof'), Content-Length was reached ('length'), `bodyLimit` was passed
   *  ('limit'), or a TLS read failed after the header (keepalived judges what it has: 'error'). */
  readonly end: 'eof' | 'length' | 'limit' | 'error';
}

export type ExchangeFailure = 'timeout' | 'error' | 'no-header' | 'too-large' | 'aborted';

export type ExchangeResult =
  | { readonly ok: true; readonly response: HttpResponse }
  | {
      readonly ok: false;
      readonly failure: ExchangeFailure;
      readonly stage: ExchangeStage;
      /** The socket error's code (ECONNREFUSED, ...), if any. */
      readonly code: string | null;
    };

const errorCode = (e: unknown): string | null =>
  typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string'
    ? (e as { code: string }).code
    : null;

export function exchange(o: ExchangeOptions): Promise<ExchangeResult> {
  return new Promise((resolve) => {
    let stage: ExchangeStage = 'connect';
    let settled = false;
    let header: Buffer | null = null;
    let pending: Buffer = Buffer.alloc(0);
    let statusCode = 0;
    let contentLength: number | null = null;
    let bodyBytes = 0;
    let counted = 0;
    const md5 = o.digest ? createHash('md5') : null;
    const kept: Buffer[] = [];
    /** A response complete by Content-Length, waiting for the server's close; bytes sent since. */
    let lingering: HttpResponse | null = null;
    let extra = 0;
    let grace: NodeJS.Timeout | undefined;
    let tcp: Socket | undefined;
    let sock: Socket | undefined;

    const settle = (r: ExchangeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(grace);
      o.signal?.removeEventListener('abort', onAbort);
      sock?.destroy();
      tcp?.destroy();
      resolve(r);
    };
    const fail = (failure: ExchangeFailure, code: string | null = null): void =>
      settle({ ok: false, failure, stage, code });
    const complete = (end: HttpResponse['end']): void => {
      if (settled || lingering) return;
      const response: HttpResponse = {
        header: header ?? Buffer.alloc(0),
        statusCode,
        contentLength,
        bodyBytes,
        digest: md5 ? md5.digest('hex') : null,
        text: o.keepText ? Buffer.concat(kept).toString('latin1') : null,
        end,
      };
      if (end !== 'length') return settle({ ok: true, response });
      // Complete by Content-Length: let the server close first, as it does for HTTP/1.0 and
      // `Connection: close` (keepalived always reads to the close). TIME_WAIT then stays on the
      // server's side, and a fixed bind_port is free for the next request. A server keeping the
      // connection open is cut off after LINGER_MS (within the deadline).
      lingering = response;
      clearTimeout(timer);
      grace = setTimeout(
        () => settle({ ok: true, response }),
        Math.min(LINGER_MS, Math.max(0, deadline - Date.now())),
      );
    };

    const onAbort = (): void => fail('aborted');
    const deadline = Date.now() + o.timeoutMs;
    // Node's timers take at most 2^31-1 ms (about 24.8 days).
    const timer = setTimeout(() => fail('timeout'), Math.min(o.timeoutMs, 0x7fffffff));
    /** While lingering, the server's close (or an error, or too much more data) ends the exchange
     *  with the response already read; false when not lingering. */
    const closed = (): boolean => {
      if (!lingering) return false;
      settle({ ok: true, response: lingering });
      return true;
    };
    if (o.signal?.aborted) return fail('aborted');
    o.signal?.addEventListener('abort', onAbort, { once: true });

    const body = (bytes: Buffer, first: boolean): void => {
      bodyBytes += bytes.length;
      const room = contentLength === null ? bytes.length : Math.max(0, contentLength - counted);
      const useful = room >= bytes.length ? bytes : bytes.subarray(0, room);
      counted += useful.length;
      if (useful.length > 0) {
        md5?.update(useful);
        if (o.keepText) kept.push(Buffer.from(useful));
        o.hooks?.body?.(useful, first);
      }
      if (contentLength !== null && counted >= contentLength) complete('length');
      else if (bodyBytes > o.bodyLimit) complete('limit');
    };

    const onData = (chunk: Buffer): void => {
      if (settled) return;
      if (lingering) {
        extra += chunk.length;
        if (extra > LINGER_BYTES) closed();
        return;
      }
      stage = 'read';
      if (header !== null) return body(chunk, false);
      o.hooks?.headerChunk?.();
      const from = pending.length - 3;
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      const end = headerEnd(pending, from);
      if (end < 0) {
        if (pending.length > HEADER_LIMIT) fail('too-large');
        return;
      }
      header = Buffer.from(pending.subarray(0, end));
      const rest = pending.subarray(end);
      pending = Buffer.alloc(0);
      statusCode = extractStatusCode(header);
      contentLength = extractContentLength(header);
      o.hooks?.header?.(header);
      if (o.keepText) kept.push(header);
      body(rest, true);
    };

    const onError = (e: unknown): void => {
      if (closed()) return;
      // keepalived's SSL reader judges a response whose header it has when the TLS read fails
      // (check_ssl.c ssl_read_thread); its plain reader fails on any read error.
      if (o.tls && header !== null && stage === 'read') complete('error');
      else fail('error', errorCode(e));
    };
    const onEnd = (): void => {
      if (!closed()) return header === null ? fail('no-header') : complete('eof');
    };

    const send = (s: Socket): void => {
      stage = 'wait';
      s.on('data', onData);
      s.on('end', onEnd);
      s.write(o.request);
    };

    try {
      tcp = netConnect({
        host: o.host,
        port: o.port,
        noDelay: true,
        ...(o.localAddress !== null && { localAddress: o.localAddress }),
        ...(o.localAddress !== null && o.localPort !== null && { localPort: o.localPort }),
      });
    } catch (e) {
      return fail('error', errorCode(e));
    }
    sock = tcp;
    tcp.on('error', onError);
    tcp.once('connect', () => {
      if (settled || !tcp) return;
      if (!o.tls) return send(tcp);
      stage = 'handshake';
      const name = o.tls.servername;
      const tlsSock = tlsConnect({
        socket: tcp,
        secureContext: o.tls.context,
        rejectUnauthorized: false,
        // Node refuses IP addresses as SNI (RFC 6066); OpenSSL would send them.
        ...(name !== null && name !== '' && isIP(name) === 0 && { servername: name }),
      });
      sock = tlsSock;
      tlsSock.on('error', onError);
      tlsSock.once('secureConnect', () => send(tlsSock));
    });
  });
}
