/**
 * HTTP_GET and SSL_GET (keepalived check/check_http.c, check_ssl.c). One attempt fetches every
 * `url` in order, each on a fresh connection, and passes only if all of them pass: status code in
 * the url's ranges, then MD5 digest of the body, then regex (http_handle_response's order).
 * Failure details are keepalived's log_all_failures lines (timeout_epilog: "<what> server <rs>.").
 */
import { isDeepStrictEqual } from 'node:util';
import type { HttpChecker, HttpUrl } from '../../config/model.js';
import { formatRs } from '../format.js';
import { connectLimitMs, sameConnection, type CheckerTexts, type CheckerType } from '../checker-type.js';
import type { FailureReason, Probe, ProbeDeps, ProbeOutcome, ProbeTarget } from '../probe.js';
import { exchange, type ExchangeResult, type HttpResponse } from './http-exchange.js';
import {
  buildRequest,
  compileRegex,
  hostHeader,
  requestVhost,
  sniName,
  statusAccepted,
} from './http-message.js';
import { tlsContext } from './http-tls.js';

/** Body bytes read at most for a url with a digest or a regex; more fails with 'too-large'. */
export const CHECKED_BODY_LIMIT = 1024 * 1024;
/** Body bytes read at most for a status-only url, which then passes on its status alone. */
const STATUS_ONLY_BODY_LIMIT = 64 * 1024;

/** check_http.c epilog and http_handle_response; SSL_GET shares the texts (2.2.7 says HTTP_CHECK). */
const httpTexts: CheckerTexts = {
  up: (display) => `Remote Web server ${display} succeed on service.`,
  down: (display, retries) =>
    retries > 0
      ? `HTTP_CHECK on service ${display} failed after ${retries} retries.`
      : `HTTP_CHECK on service ${display} failed.`,
  alert: (up) =>
    up ? '=> CHECK succeed on service <=' : '=> CHECK failed on service : HTTP request failed <=',
};

interface PreparedUrl {
  readonly url: HttpUrl;
  readonly request: Buffer;
  readonly sni: string | null;
  readonly regex: RegExp | null;
  readonly bodyLimit: number;
}

const warned = new Set<string>();
function warnOnce(deps: ProbeDeps, key: string, msg: string): void {
  if (warned.has(key)) return;
  warned.add(key);
  deps.log.warn({ event: 'check.unsupported' }, msg);
}

function prepareUrl(url: HttpUrl, c: HttpChecker, target: ProbeTarget, deps: ProbeDeps): PreparedUrl {
  let regex: RegExp | null = null;
  if (url.regex !== null) {
    regex = compileRegex(url.regex) ?? null;
    if (!regex) deps.log.warn({ event: 'check.regex' }, `Invalid regex: '${url.regex}' - not checked`);
  }
  const host = hostHeader(requestVhost(url, c), c.connectIp, c.connectPort);
  return {
    url,
    request: buildRequest(url.path, c.httpProtocol, host),
    sni: c.type === 'SSL_GET' && c.enableSni ? sniName(url, c, target) : null,
    regex,
    bodyLimit: url.digest !== null || regex ? CHECKED_BODY_LIMIT : STATUS_ONLY_BODY_LIMIT,
  };
}

/** Where to connect: with bind_if, an IPv6 link-local address gets it as its scope. */
function connectHost(c: HttpChecker, deps: ProbeDeps): string {
  if (c.fwmark !== null) warnOnce(deps, 'fwmark', 'checker fwmark (SO_MARK) is not supported here - ignored');
  if (c.bindIf === null) return c.connectIp;
  if (/^fe[89ab]/i.test(c.connectIp)) return `${c.connectIp}%${c.bindIf}`;
  warnOnce(
    deps,
    'bind_if',
    'checker bind_if (SO_BINDTODEVICE) is only used for IPv6 link-local addresses here',
  );
  return c.connectIp;
}

const fail = (reason: FailureReason, detail: string): ProbeOutcome => ({
  ok: false,
  reason,
  detail,
});

const BIND_ERRORS = new Set(['EADDRINUSE', 'EADDRNOTAVAIL', 'EACCES', 'EINVAL', 'ERR_INVALID_IP_ADDRESS']);
const UNREACHABLE = new Set(['ENETUNREACH', 'EHOSTUNREACH', 'EHOSTDOWN', 'ENETDOWN']);

/**
 * A failed exchange as keepalived names it: `what` is the message its callers give timeout_epilog
 * in check_http.c and check_ssl.c (logged as "<what> server <rs>.", printed alone by genhash);
 * `alone` marks texts keepalived logs without a server.
 */
export function describeFailure(
  r: Extract<ExchangeResult, { ok: false }>,
  ssl: boolean,
): { readonly reason: FailureReason; readonly what: string; readonly alone?: true } {
  const readError = ssl ? 'SSL read error from' : 'Read error with';
  const resetOr = (other: FailureReason): FailureReason =>
    r.code === 'ECONNRESET' || r.code === 'EPIPE' ? 'reset' : other;
  switch (r.failure) {
    case 'aborted':
      return { reason: 'aborted', what: 'Check aborted for' };
    case 'too-large':
      return { reason: 'too-large', what: 'Read, response header too large from' };
    case 'no-header':
      return { reason: 'protocol', what: ssl ? readError : 'Read, no data received from' };
    case 'timeout':
      switch (r.stage) {
        case 'connect':
        case 'handshake':
          return { reason: 'connect-timeout', what: 'Timeout connecting' };
        case 'wait':
          return { reason: 'timeout', what: 'Timeout WEB read' };
        case 'read':
          return { reason: 'timeout', what: ssl ? 'Timeout SSL read' : 'Timeout HTTP read' };
      }
      break;
    case 'error':
      switch (r.stage) {
        case 'connect':
          return connectFailure(r.code);
        case 'handshake':
          return { reason: resetOr('tls'), what: 'SSL handshake/communication error connecting to' };
        case 'wait':
        case 'read':
          return { reason: resetOr(ssl ? 'tls' : 'error'), what: readError };
      }
  }
  return { reason: 'error', what: 'Error connecting' };
}

/** layer4.c socket_bind_connect / socket_state outcomes as http_connect_thread and http_check_thread report them. */
function connectFailure(code: string | null): ReturnType<typeof describeFailure> {
  if (code === 'ECONNREFUSED') return { reason: 'refused', what: 'Connection failed' };
  if (code === 'ECONNRESET' || code === 'ECONNABORTED') return { reason: 'reset', what: 'Connection failed' };
  if (code === 'ETIMEDOUT') return { reason: 'connect-timeout', what: 'Timeout connecting' };
  if (code !== null && UNREACHABLE.has(code))
    return { reason: 'unreachable', what: 'HTTP_CHECK - network unreachable' };
  // keepalived does not count a bind failure as a failed check: it logs it and tries again later.
  if (code !== null && BIND_ERRORS.has(code))
    return { reason: 'error', what: 'WEB socket bind failed. Rescheduling', alone: true };
  return { reason: 'error', what: 'Error connecting' };
}

function exchangeFailure(
  r: Extract<ExchangeResult, { ok: false }>,
  ssl: boolean,
  display: string,
): ProbeOutcome {
  const d = describeFailure(r, ssl);
  return fail(d.reason, d.alone ? d.what : `${d.what} server ${display}.`);
}

/** http_handle_response: status, then digest, then regex; the success line names the last test passed. */
function judgeResponse(u: PreparedUrl, res: HttpResponse, display: string): ProbeOutcome {
  const server = `server ${display}.`;
  if (!statusAccepted(res.statusCode, u.url.statusCodes)) {
    return fail('http-status', `HTTP status code error to ${server}`);
  }
  let what = 'HTTP status code';
  if (res.end === 'limit' && u.bodyLimit === CHECKED_BODY_LIMIT) {
    return fail('too-large', `Read, response body over ${CHECKED_BODY_LIMIT} bytes from ${server}`);
  }
  if (u.url.digest !== null) {
    if (res.digest !== u.url.digest) return fail('digest', `MD5 digest error to ${server}`);
    what = 'MD5 digest';
  }
  if (u.regex) {
    if (u.regex.test(res.text ?? '') === u.url.regexNoMatch)
      return fail('regex', `Regex match failed ${server}`);
    what = 'Regex match';
  }
  return { ok: true, detail: `${what} success to ${display} url(${u.url.path})` };
}

function createHttpProbe(c: HttpChecker, target: ProbeTarget, deps: ProbeDeps): Probe {
  const ssl = c.type === 'SSL_GET';
  const display = target.display;
  const urls = c.urls.map((u) => prepareUrl(u, c, target, deps));
  const host = connectHost(c, deps);
  const live = new Set<AbortController>();
  // check_http.c http_handle_response logs a Content-Length mismatch once per distinct difference.
  const lastMismatch = new Map<PreparedUrl, number>();

  const noteLength = (u: PreparedUrl, res: HttpResponse): void => {
    if (res.contentLength === null || res.end === 'limit') return;
    const diff = res.contentLength - res.bodyBytes;
    if (diff === 0 || lastMismatch.get(u) === diff) {
      if (diff === 0) lastMismatch.delete(u);
      return;
    }
    lastMismatch.set(u, diff);
    deps.log.info(
      { event: 'check.http-length' },
      `http_check for RS ${formatRs(target.rs, target.vs)} VS ${target.vs.display} url ` +
        `${u.url.virtualhost ?? ''}${u.url.path}: content_length (${res.contentLength}) ` +
        `does not match received bytes (${res.bodyBytes})`,
    );
  };

  const attemptAll = async (signal: AbortSignal): Promise<ProbeOutcome> => {
    let context = null;
    if (ssl) {
      const t = await tlsContext(deps.ssl);
      if (!t.ok) {
        warnOnce(deps, `ssl:${t.error}`, `SSL error: cannot build the SSL context: ${t.error}`);
        return fail('tls', `SSL handshake/communication error connecting to server ${display}.`);
      }
      context = t.context;
    }
    let last: ProbeOutcome = { ok: true };
    for (const u of urls) {
      const r = await exchange({
        host,
        port: c.connectPort,
        localAddress: c.bindTo,
        localPort: c.bindPort,
        tls: context ? { context, servername: u.sni } : null,
        request: u.request,
        timeoutMs: c.connectTimeoutMs,
        digest: u.url.digest !== null,
        keepText: u.regex !== null,
        bodyLimit: u.bodyLimit,
        signal,
      });
      if (!r.ok) return exchangeFailure(r, ssl, display);
      last = judgeResponse(u, r.response, display);
      if (last.ok || last.reason !== 'http-status') noteLength(u, r.response);
      if (!last.ok) return last;
    }
    return last;
  };

  return {
    async attempt(signal) {
      const ctl = new AbortController();
      const forward = () => ctl.abort();
      if (signal.aborted) ctl.abort();
      else signal.addEventListener('abort', forward, { once: true });
      live.add(ctl);
      try {
        return await attemptAll(ctl.signal);
      } catch (e) {
        return fail(
          'error',
          `HTTP check of ${display} failed: ${e instanceof Error ? e.message : String(e)}`,
        );
      } finally {
        signal.removeEventListener('abort', forward);
        live.delete(ctl);
      }
    },
    close() {
      for (const ctl of live) ctl.abort();
      live.clear();
    },
  };
}

/** What HTTP_GET and SSL_GET share: everything but the keyword. */
const httpType: Omit<CheckerType<HttpChecker>, 'type'> = {
  texts: httpTexts,
  create: createHttpProbe,
  // A down checker waits the longer of delay_loop and delay_before_retry (check_http.c epilog()).
  timing: (c) => ({
    retry: c.retry,
    delayBeforeRetryMs: c.delayBeforeRetryMs,
    delayLoopMs: c.delayLoopMs,
    downDelayMs: Math.max(c.delayLoopMs, c.delayBeforeRetryMs),
  }),
  // Every url in one attempt, each within connect_timeout.
  attemptLimitMs: (c) => connectLimitMs(c) * Math.max(1, c.urls.length),
  // compare_http_check(): the connection, the virtualhost and every url.
  sameTarget: (a, b) =>
    sameConnection(a, b) && a.virtualhost === b.virtualhost && isDeepStrictEqual(a.urls, b.urls),
};

export const httpGetChecker: CheckerType<HttpChecker> = { type: 'HTTP_GET', ...httpType };

export const sslGetChecker: CheckerType<HttpChecker> = { type: 'SSL_GET', ...httpType };
