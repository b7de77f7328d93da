/**
 * `keepalived-ts --genhash`: keepalived's genhash (check_genhash.c). Fetches one url with the
 * HTTP_GET/SSL_GET request code and prints the MD5 of its body exactly as the checker computes it,
 * for the `digest` keyword. Output as keepalived 2.2.7: the digest alone on stdout (whatever the
 * status code); a failed connection prints keepalived's reason ("Connection failed",
 * "Timeout WEB read", ...); `-v` adds the header and body hex dumps (lib/utils.c dump_buffer)
 * and the response time. Exit status 1 for a command-line problem, else 0 (as keepalived).
 */
import { performance } from 'node:perf_hooks';
import { parseGenhashArgs, type GenhashOptions } from './genhash-args.js';
import { exchange } from './probes/http-exchange.js';
import { buildRequest, hostHeader } from './probes/http-message.js';
import { CHECKED_BODY_LIMIT, describeFailure } from './probes/http.js';
import { tlsContext } from './probes/http-tls.js';

export interface GenhashIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  /** The name shown in the usage text. */
  readonly prog?: string;
}

const DELIM = (title: string): string => `-----------------------[${title}]-----------------------\n`;
const HTTP_HEADER_HEXA = DELIM('    HTTP Header Buffer    ');
const HTTP_HEADER_ASCII = DELIM(' HTTP Header Ascii Buffer ');
const HTML_HEADER_HEXA = DELIM('        HTML Buffer        ');
const HTML_HASH = DELIM('    HTML hash resulting    ');
const HTML_HASH_FINAL = DELIM(' HTML hash final resulting ');

/** lib/utils.c dump_buffer's layout: decimal offset, 16 hex bytes split by " -", then printable ASCII. */
export function hexDump(bytes: Uint8Array): string {
  let out = '';
  for (let line = 0; line < bytes.length; line += 16) {
    out += `${String(line & 0xffff).padStart(4, '0')} `;
    let ascii = '';
    for (let i = line; i < line + 16; i++) {
      const b = bytes[i];
      out += b === undefined ? '   ' : ` ${b.toString(16).padStart(2, '0')}`;
      ascii += b === undefined ? ' ' : b >= 0x20 && b <= 0x7e ? String.fromCharCode(b) : '.';
      if (i - line === 7) out += ' -';
    }
    out += `   ${ascii}\n`;
  }
  return out;
}

function genhashUsage(prog: string): string {
  return (
    `Usage: ${prog} --genhash COMMAND [OPTIONS]\n` +
    'Commands:\n' +
    '   -s server-address -p port -u url\n' +
    '   -S -s server-address -p port -u url\n' +
    '   -h\n\n' +
    'Options:\n' +
    'Either long or short options are allowed.\n' +
    '   --use-ssl         -S       Use SSL connection to remote server.\n' +
    '   --use-sni         -I       Use SNI during SSL handshake (uses virtualhost setting; see -V).\n' +
    '   --server          -s       Use the specified remote server address.\n' +
    '   --port            -p       Use the specified remote server port.\n' +
    '   --url             -u       Use the specified remote server url.\n' +
    '   --use-virtualhost -V       Use the specified virtualhost in GET query.\n' +
    '   --verbose         -v       Use verbose mode output.\n' +
    '   --help            -h       Display this short inlined help screen.\n' +
    '   --fwmark          -m       Use the specified FW mark.\n' +
    "   --protocol        -P       Use the specified HTTP protocol - '1.0', 1.0c', '1.1'.\n" +
    "                                1.0c means 1.0 with 'Connection: close'\n" +
    '   --timeout         -t       Timeout in seconds\n'
  );
}

/**
 * Run genhash with the arguments that follow `-T`/`--genhash`; resolves to the exit status.
 * Never rejects.
 */
export async function runGenhash(
  argv: readonly string[],
  io: GenhashIo = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const parsed = parseGenhashArgs(argv);
  if (!parsed.ok) {
    for (const m of parsed.messages) io.stderr.write(`${m}\n`);
    io.stderr.write(genhashUsage(io.prog ?? 'keepalived-ts'));
    return 1;
  }
  const started = performance.now();
  try {
    await fetchAndPrint(parsed.options, io);
  } catch (e) {
    io.stderr.write(`genhash: ${e instanceof Error ? e.message : String(e)}\n`);
  }
  if (parsed.options.verbose) {
    const usecs = Math.round((performance.now() - started) * 1000);
    io.stdout.write(`\nGlobal response time for [${parsed.options.url}] = ${usecs} usecs\n`);
  }
  return 0;
}

async function fetchAndPrint(o: GenhashOptions, io: GenhashIo): Promise<void> {
  const out = (s: string) => io.stdout.write(s);
  let tls = null;
  if (o.ssl) {
    const t = await tlsContext(null);
    if (!t.ok) {
      io.stderr.write('Cannot initialize SSL context.\n');
      return;
    }
    // The SNI name is the virtual host (check_ssl.c ssl_connect); genhash has no other.
    tls = { context: t.context, servername: o.sni ? o.vhost : null };
  }
  const r = await exchange({
    host: o.server,
    port: o.port,
    localAddress: null,
    localPort: null,
    tls,
    request: buildRequest(o.url, o.protocol, hostHeader(o.vhost, o.server, o.port)),
    timeoutMs: o.timeoutMs,
    digest: true,
    keepText: false,
    bodyLimit: Number.POSITIVE_INFINITY,
    hooks: o.verbose
      ? {
          headerChunk: () => out(HTTP_HEADER_HEXA),
          header: (h) => out(`${hexDump(h)}${HTTP_HEADER_ASCII}${h.toString('latin1')}\n`),
          body: (b, first) => out(`${first ? HTML_HEADER_HEXA : ''}${hexDump(b)}`),
        }
      : undefined,
  });
  if (!r.ok) {
    if (r.failure === 'no-header' && !o.ssl) io.stderr.write('no data received from remote webserver\n');
    else io.stdout.write(`${describeFailure(r, o.ssl).what}\n`);
    return;
  }
  const digest = r.response.digest ?? '';
  if (o.verbose && r.response.end !== 'error') {
    out(`\n${HTML_HASH}${hexDump(Buffer.from(digest, 'hex'))}${HTML_HASH_FINAL}`);
  }
  out(`${digest}\n`);
  const body = Math.min(r.response.bodyBytes, r.response.contentLength ?? Infinity);
  if (body > CHECKED_BODY_LIMIT) {
    io.stderr.write(
      `Warning: the body is ${body} bytes; HTTP_GET/SSL_GET fail a url with a digest ` +
        `when the body is over ${CHECKED_BODY_LIMIT} bytes\n`,
    );
  }
}
