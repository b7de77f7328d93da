/**
 * `keepalived-ts status [--json] [--ipvsadm-save] [--control-socket PATH]`: ask the running daemon
 * over its control socket (daemon/control-socket.ts: one command line per connection, one answer,
 * then the daemon closes) and print the answer. The text view is status-text.ts; this file is the
 * socket client and the command's own small command line.
 *
 * Every failure is one line on stderr and exit code 1: no socket, no permission, nobody listening,
 * no answer within 5 s, or an answer that is not a status document.
 */
import { connect } from 'node:net';
import { DEFAULT_CONTROL_SOCKET } from '../lib/paths.js';
import type { DaemonStatus } from '../daemon/status.js';
import { KaError } from '../lib/errors.js';
import { renderStatusText, type StatusTextClock } from './status-text.js';

/** For the whole exchange: connecting, asking and reading the answer. */
const STATUS_TIMEOUT_MS = 5000;

/** Answers are a few hundred kB at most (one entry per instance and real server). */
const MAX_ANSWER = 64 * 1024 * 1024;

export type StatusFormat = 'text' | 'json' | 'ipvsadm-save';

export interface StatusOptions {
  readonly format: StatusFormat;
  readonly controlSocket: string;
}

export type StatusArgsResult =
  | { readonly ok: true; readonly help: true }
  | { readonly ok: true; readonly help?: false; readonly options: StatusOptions }
  | { readonly ok: false; readonly error: string };

const STATUS_USAGE = `Usage: keepalived-ts status [--json | --ipvsadm-save] [--control-socket=PATH]
  Ask the running daemon for its state (default: VRRP instances, real servers, dispatcher table)
      --json                   The whole status document, as JSON
      --ipvsadm-save           The service table as \`ipvsadm-save -n\` prints it
      --control-socket=PATH    The daemon's control socket (default ${DEFAULT_CONTROL_SOCKET})
  -h, --help                   Display this help message`;

/** Pure: the arguments after `status`. */
export function parseStatusArgs(argv: readonly string[]): StatusArgsResult {
  let format: StatusFormat = 'text';
  let controlSocket = DEFAULT_CONTROL_SOCKET;
  const setFormat = (f: StatusFormat): string | null => {
    if (format !== 'text' && format !== f) return "--json and --ipvsadm-save can't be used together";
    format = f;
    return null;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    let error: string | null = null;
    if (a === '-h' || a === '--help') return { ok: true, help: true };
    else if (a === '--json') error = setFormat('json');
    else if (a === '--ipvsadm-save') error = setFormat('ipvsadm-save');
    else if (a === '--control-socket' || a.startsWith('--control-socket=')) {
      const v = a === '--control-socket' ? argv[++i] : a.slice('--control-socket='.length);
      if (v === undefined || v === '')
        return { ok: false, error: "option '--control-socket' requires an argument" };
      controlSocket = v;
    } else if (a.startsWith('-')) error = `unrecognized option '${a}'`;
    else error = `unexpected argument '${a}'`;
    if (error !== null) return { ok: false, error };
  }
  return { ok: true, options: { format, controlSocket } };
}

/** What a connection failure most likely means, for the one error line. */
function hint(code: string | undefined): string {
  switch (code) {
    case 'ENOENT':
    case 'ECONNREFUSED':
      return ' (is the daemon running? --control-socket PATH)';
    case 'EACCES':
    case 'EPERM':
      return " (run as the daemon's user, usually root, or as a member of its --control-socket-group)";
    case 'ENOTDIR':
    case 'ENAMETOOLONG':
      return ' (--control-socket PATH)';
    case undefined:
    default:
      return '';
  }
}

/**
 * Send one command, return the whole answer. Rejects with KA_ERR_CONTROL and a message fit for
 * the error line (`cannot connect to PATH: ENOENT (...)`, `no answer from PATH within 5 s`).
 */
export function queryControl(path: string, command: string, timeoutMs = STATUS_TIMEOUT_MS): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect(path);
    const chunks: Buffer[] = [];
    let size = 0;
    let connected = false;
    let settled = false;
    const finish = (err: KaError | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const timer = setTimeout(
      () =>
        finish(
          new KaError(
            'KA_ERR_CONTROL',
            connected
              ? `no answer from ${path} within ${timeoutMs / 1000} s`
              : `cannot connect to ${path} within ${timeoutMs / 1000} s`,
          ),
        ),
      timeoutMs,
    );
    sock.on('connect', () => {
      connected = true;
      // No half-close: the daemon's socket does not allow half-open connections, so it would end
      // before it answers.
      sock.write(`${command}\n`);
    });
    sock.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_ANSWER)
        finish(new KaError('KA_ERR_CONTROL', `the answer from ${path} is over ${MAX_ANSWER} bytes`));
      else chunks.push(chunk);
    });
    sock.on('end', () => finish(null));
    sock.on('error', (err: NodeJS.ErrnoException) => {
      const what = connected ? `lost the connection to ${path}` : `cannot connect to ${path}`;
      finish(new KaError('KA_ERR_CONTROL', `${what}: ${err.code ?? err.message}${hint(err.code)}`, err));
    });
  });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A command that failed inside the daemon is answered with `{"error": "..."}`. */
function daemonError(answer: string): string | null {
  if (!answer.startsWith('{')) return null;
  try {
    const doc: unknown = JSON.parse(answer);
    return isRecord(doc) && typeof doc.error === 'string' ? doc.error : null;
  } catch {
    return null;
  }
}

/** The `status` answer as a document, or why it is not one. */
export function parseStatusAnswer(
  path: string,
  answer: string,
): { ok: true; status: DaemonStatus } | { ok: false; error: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(answer);
  } catch {
    const first = answer.trim().split('\n')[0] ?? '';
    return {
      ok: false,
      error: `unexpected answer from ${path}: ${first === '' ? '(empty)' : first.slice(0, 80)}`,
    };
  }
  const error = daemonError(answer);
  if (error !== null) return { ok: false, error: `the daemon could not answer: ${error}` };
  const vrrp = isRecord(doc) ? doc.vrrp : undefined;
  if (
    !isRecord(doc) ||
    !isRecord(vrrp) ||
    !Array.isArray(vrrp.instances) ||
    !Array.isArray(doc.virtualServers)
  )
    return { ok: false, error: `unexpected answer from ${path}: not a keepalived-ts status document` };
  return { ok: true, status: doc as unknown as DaemonStatus };
}

export interface StatusIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  /** Wall time and local zone (defaults: the system's). */
  readonly clock?: StatusTextClock;
  readonly timeoutMs?: number;
}

const systemClock = (): StatusTextClock => ({
  epochMs: Date.now(),
  utcOffsetMinutes: (epochMs) => -new Date(epochMs).getTimezoneOffset(),
});

/** The subcommand; resolves with the exit code. */
export async function runStatusCommand(argv: readonly string[], io: StatusIo): Promise<number> {
  const fail = (message: string): number => {
    io.stderr.write(`keepalived-ts status: ${message}\n`);
    return 1;
  };
  const parsed = parseStatusArgs(argv);
  if (!parsed.ok) {
    io.stderr.write(`keepalived-ts status: ${parsed.error}\n${STATUS_USAGE}\n`);
    return 1;
  }
  if (parsed.help === true) {
    io.stdout.write(`${STATUS_USAGE}\n`);
    return 0;
  }
  const { format, controlSocket: path } = parsed.options;
  const ask = (command: string): Promise<string> => queryControl(path, command, io.timeoutMs);
  try {
    if (format === 'ipvsadm-save') {
      const save = await ask('ipvsadm-save');
      const error = daemonError(save);
      if (error !== null) return fail(`the daemon could not answer: ${error}`);
      io.stdout.write(save);
      return 0;
    }
    const [answer, ipvsadm] = await Promise.all([ask('status'), format === 'text' ? ask('ipvsadm') : '']);
    const doc = parseStatusAnswer(path, answer);
    if (!doc.ok) return fail(doc.error);
    const tableError = daemonError(ipvsadm);
    if (tableError !== null) return fail(`the daemon could not answer: ${tableError}`);
    io.stdout.write(
      format === 'json'
        ? `${JSON.stringify(doc.status, null, 2)}\n`
        : renderStatusText(doc.status, ipvsadm, io.clock ?? systemClock()),
    );
    return 0;
  } catch (err) {
    return fail(err instanceof KaError ? err.message : String(err));
  }
}
