/**
 * The bytes of an HTTP_GET/SSL_GET exchange as keepalived writes and reads them: the request
 * (check_http.c request_template, http_request_thread) and its loose response-header parsing
 * (lib/html.c extract_html, extract_status_code, extract_content_length). Pure.
 */
import type { HttpChecker, HttpUrl } from '../../config/model.js';
import type { ProbeTarget } from '../probe.js';

export type HttpProtocol = HttpChecker['httpProtocol'];

/** The Host header value: the virtual host as written (no port added), else `ip:port`, `[v6]:port`. */
export function hostHeader(vhost: string | null, connectIp: string, connectPort: number): string {
  if (vhost !== null) return vhost;
  return connectIp.includes(':') ? `[${connectIp}]:${connectPort}` : `${connectIp}:${connectPort}`;
}

/**
 * keepalived's request, byte for byte: `HTTP/1.1` only for http_protocol 1.1, and
 * `Connection: close` for 1.0C and 1.1 (check_http.c http_request_thread).
 */
export function buildRequest(path: string, protocol: HttpProtocol, host: string): Buffer {
  const minor = protocol === '1.1' ? 1 : 0;
  const close = protocol === '1.0' ? '' : 'Connection: close\r\n';
  return Buffer.from(
    `GET ${path} HTTP/1.${minor}\r\nUser-Agent: KeepAliveClient\r\n${close}Host: ${host}\r\n\r\n`,
    'utf8',
  );
}

/** Host vhost precedence url > checker > real server > virtual server (the model merged the last three). */
export const requestVhost = (url: HttpUrl, checker: HttpChecker): string | null =>
  url.virtualhost ?? checker.virtualhost;

/**
 * The SNI name with enable_sni (check_ssl.c ssl_connect): url > checker > virtual server. Unlike the
 * Host header, keepalived 2.2.7 skips the real server's virtualhost here. The model merged the
 * checker's own value with the real server's, so a checker value equal to the real server's is
 * taken as inherited (a checker repeating its real server's virtualhost gets the VS one instead).
 */
export function sniName(url: HttpUrl, checker: HttpChecker, target: ProbeTarget): string | null {
  if (url.virtualhost !== null) return url.virtualhost;
  const rsHost = target.rs.virtualhost;
  if (checker.virtualhost !== null && (rsHost === null || checker.virtualhost !== rsHost)) {
    return checker.virtualhost;
  }
  return target.vs.virtualhost;
}

const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');

/** Offset just past the blank line ending the header, or -1 (lib/html.c extract_html). */
export function headerEnd(buf: Buffer, from = 0): number {
  const at = buf.indexOf(CRLFCRLF, Math.max(0, from));
  return at < 0 ? -1 : at + 4;
}

/**
 * The status code as lib/html.c extract_status_code reads it: the first space-delimited word is
 * skipped (it need not be `HTTP/1.x`), then exactly three digits. keepalived wants a space after
 * them; a bare `HTTP/1.1 200` line (no reason phrase, allowed by RFC 9112) is accepted here too.
 * 0 when there is no code.
 */
export function extractStatusCode(header: Buffer): number {
  let i = 0;
  while (i < header.length && header[i] !== 0x20 && header[i] !== 0x0d) i++;
  if (header[i] !== 0x20) return 0;
  i++;
  const digits = header.subarray(i, i + 3).toString('latin1');
  const after = header[i + 3];
  if (!/^\d{3}$/.test(digits) || (after !== 0x20 && after !== 0x0d)) return 0;
  return Number(digits);
}

/**
 * `Content-Length:` as lib/html.c extract_content_length reads it: leading blanks, decimal digits,
 * then end of line; null when absent or malformed (keepalived's SIZE_MAX). keepalived matches the
 * field name case-sensitively anywhere in its buffer; here it is a case-insensitive header field.
 */
export function extractContentLength(header: Buffer): number | null {
  const m = /\r\ncontent-length:[ \t]*(\d+)\r?\n/i.exec(header.toString('latin1'));
  if (!m) return null;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) ? n : null;
}

export const statusAccepted = (code: number, ranges: HttpUrl['statusCodes']): boolean =>
  ranges.some(([lo, hi]) => code >= lo && code <= hi);

/**
 * A JS RegExp for keepalived's PCRE2 pattern (compiled without options by default), matched
 * against the response read as latin1 so that, like PCRE2 without `utf`, one character is one byte:
 * the pattern's own UTF-8 bytes are mapped the same way. A leading `(?i)`, `(?m)`, `(?s)` (or a
 * combination) becomes the JS flag. undefined when JS cannot compile it (keepalived drops a
 * regex it cannot compile and checks the url without it: check_http.c prepare_regex).
 */
export function compileRegex(pattern: string): RegExp | undefined {
  let source = Buffer.from(pattern, 'utf8').toString('latin1');
  let flags = '';
  const inline = /^\(\?([ims]+)\)/.exec(source);
  if (inline) {
    flags = [...new Set(inline[1])].join('');
    source = source.slice(inline[0].length);
  }
  try {
    return new RegExp(source, flags);
  } catch {
    return undefined;
  }
}
