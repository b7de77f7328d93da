/**
 * The Prometheus endpoint (`global_defs { metrics_listen ADDRESS PORT }`, a keepalived-ts
 * extension): a node:http server that answers `GET /metrics` with what `render()` returns, in the
 * text format 0.0.4. Try it: `curl http://127.0.0.1:9650/metrics`.
 *
 * - `GET`/`HEAD /metrics` (any query string): 200 with the text; a failed render: 500, logged.
 * - Another method on /metrics: 405; any other path: 404.
 * - Scrapes that arrive while a render is under way share it (no pile-up of status requests to
 *   the dispatcher workers when several Prometheus servers scrape at once).
 * - Nothing a client sends or does ends the daemon: request and socket errors are absorbed.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KaError } from '../lib/errors.js';
import type { Logger } from './log.js';
import { METRICS_CONTENT_TYPE } from './metrics.js';

export interface MetricsServerOptions {
  /** IPv4 or IPv6 address to listen on (`globalDefs.metricsListen.address`). */
  readonly address: string;
  /** 0 picks a free port (tests); `port` on the result tells which. */
  readonly port: number;
  /** Produces the exposition text, e.g. `async () => renderMetrics(await daemonStatus(...))`. */
  readonly render: () => Promise<string>;
  /** Where failed renders are logged (component `metrics`); silent without one. */
  readonly log?: Logger;
}

export interface MetricsServer {
  readonly address: string;
  readonly port: number;
  /** Scrapes waiting for the render under way. */
  readonly waiting: number;
  /** Stop listening and drop open connections (a scrape under way too); safe to call twice. */
  close(): Promise<void>;
}

/** Starts listening; rejects with KaError `KA_ERR_SOCKET` when the address cannot be bound. */
export async function startMetricsServer(opts: MetricsServerOptions): Promise<MetricsServer> {
  const log = opts.log?.child({ component: 'metrics' });
  let inflight: Promise<string> | undefined;
  let waiting = 0;
  const render = (): Promise<string> =>
    (inflight ??= Promise.resolve()
      .then(opts.render)
      .finally(() => (inflight = undefined)));

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    res.on('error', () => undefined);
    const path = (req.url ?? '/').split('?', 1)[0];
    if (path !== '/metrics') {
      reply(res, 404, 'not found: metrics are at /metrics\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      reply(res, 405, 'method not allowed\n');
      return;
    }
    waiting++;
    render()
      .finally(() => waiting--)
      .then(
        (body) => {
          const ok = typeof body === 'string';
          if (!ok) log?.warn({ event: 'metrics.render-failed' }, 'metrics renderer returned no text');
          reply(res, ok ? 200 : 500, ok ? body : 'metrics unavailable\n', ok, req.method === 'HEAD');
        },
        (err: unknown) => {
          log?.warn({ event: 'metrics.render-failed', err }, `metrics render failed: ${String(err)}`);
          reply(res, 500, 'metrics unavailable\n');
        },
      );
  };

  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (err) {
      log?.warn({ event: 'metrics.request-failed', err }, `metrics request failed: ${String(err)}`);
      reply(res, 500, 'internal error\n');
    }
  });
  // Malformed requests and client socket errors: node:http's own clientError handling (400, then
  // the socket is destroyed) applies; none of it reaches the process.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;

  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void =>
      reject(
        new KaError(
          'KA_ERR_SOCKET',
          `metrics_listen: cannot listen on ${hostPort(opts.address, opts.port)}: ${err.message}`,
          err,
        ),
      );
    server.once('error', onError);
    server.listen({ host: opts.address, port: opts.port }, () => {
      server.off('error', onError);
      resolve();
    });
  });
  server.on('error', (err) =>
    log?.warn({ event: 'metrics.server-error', err }, `metrics server error: ${err.message}`),
  );

  const bound = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    address: bound.address,
    port: bound.port,
    get waiting() {
      return waiting;
    },
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}

function reply(res: ServerResponse, status: number, body: string, metrics = false, head = false): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.statusCode = status;
  res.setHeader('Content-Type', metrics ? METRICS_CONTENT_TYPE : 'text/plain; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(head ? undefined : body);
}

const hostPort = (address: string, port: number): string =>
  address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
