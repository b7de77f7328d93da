/**
 * The control socket: a unix stream socket that answers one command per connection: `status`
 * (or an empty line) with one JSON document, `ipvsadm` and `ipvsadm-save` with the service table
 * as those tools print it. Try it: `echo status | socat - UNIX-CONNECT:/run/keepalived-ts/keepalived-ts.sock`.
 *
 * - Who may connect: mode 0600 (the daemon's user, root), or 0660 with `--control-socket-group`
 *   for that group. The socket is created under umask 0177, so it is never more open than that,
 *   not even between bind and chmod.
 * - What a client may send, and what it gets otherwise, as `{"error": "..."}` and the connection
 *   closed: a line of printable ASCII of at most MAX_REQUEST bytes ("request line over ..."),
 *   naming a known command ("unknown command ..."; binary data: "malformed request ..."),
 *   complete within REQUEST_TIMEOUT_MS ("no request line within ..."). Bytes after the line are
 *   ignored; nothing a client sends is kept beyond MAX_REQUEST bytes.
 * - At most MAX_CONNECTIONS at once (more are closed at once by node:net); once the request is
 *   in, a connection idle for IDLE_TIMEOUT_MS is dropped, and one is closed as soon as its
 *   answer has been written.
 */
import { chmodSync, chownSync, mkdirSync, readFileSync, unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { KaError } from '../lib/errors.js';

/**
 * The commands the socket answers; an empty line is `status`. `reload-plan PATH` (an absolute
 * path) is the only one with an argument: what a reload from that file would change.
 */
const CONTROL_COMMANDS = ['status', 'ipvsadm', 'ipvsadm-save', 'reload-plan'] as const;
export type ControlCommand = (typeof CONTROL_COMMANDS)[number];

/** Returns the answer, or a promise of it: a string goes out as it is, anything else as JSON. */
export type ControlHandler = (command: ControlCommand, arg?: string) => unknown;

export interface ControlSocketOptions {
  /**
   * A group allowed to use the socket, by name or number (`--control-socket-group`): the socket
   * gets that group and mode 0660. null or absent: mode 0600, the daemon's user only.
   */
  readonly group?: string | null;
  /** Where group names are looked up (default /etc/group). */
  readonly groupFile?: string;
}

/** Longest request line, in bytes. */
export const MAX_REQUEST = 4096;
/** The request line must be complete this long after connecting. */
const REQUEST_TIMEOUT_MS = 5000;
/** After the request, a connection with no traffic for this long is dropped (a client not reading its answer). */
const IDLE_TIMEOUT_MS = 5000;
/** Connections served at once; node:net closes the ones over it as they arrive. */
const MAX_CONNECTIONS = 64;

export type ControlRequest =
  | { readonly ok: true; readonly command: ControlCommand; readonly arg?: string }
  | { readonly ok: false; readonly error: string };

const OVER_LONG: ControlRequest = { ok: false, error: `request line over ${MAX_REQUEST} bytes` };
const MALFORMED: ControlRequest = { ok: false, error: 'malformed request: not a line of text' };

/** Printable ASCII, tab and CR only. */
const isText = (bytes: Buffer): boolean =>
  bytes.every((b) => (b >= 0x20 && b <= 0x7e) || b === 0x09 || b === 0x0d);

/**
 * One request line (without its newline; a trailing CR and blanks around it are dropped) as a
 * command, or the error the client is told. Pure.
 */
export function parseRequest(line: Buffer): ControlRequest {
  if (!isText(line)) return MALFORMED;
  if (line.length > MAX_REQUEST) return OVER_LONG;
  const text = line.toString('latin1').trim();
  if (text === '') return { ok: true, command: 'status' };
  if (text === 'reload-plan' || text.startsWith('reload-plan ')) {
    const path = text.slice('reload-plan'.length).trim();
    if (!path.startsWith('/'))
      return { ok: false, error: 'reload-plan needs the absolute path of a configuration file' };
    return { ok: true, command: 'reload-plan', arg: path };
  }
  const known = CONTROL_COMMANDS.find((c) => c === text);
  if (known !== undefined) return { ok: true, command: known };
  const shown = text.length > 64 ? `${text.slice(0, 64)}...` : text;
  return { ok: false, error: `unknown command '${shown}' (commands: ${CONTROL_COMMANDS.join(', ')})` };
}

/** The gid for `group`: a number as it is, else its /etc/group entry; null when there is none. */
export function resolveGroup(group: string, groupFile = '/etc/group'): number | null {
  if (/^\d+$/.test(group)) return Number(group);
  let text: string;
  try {
    text = readFileSync(groupFile, 'utf8');
  } catch {
    return null;
  }
  for (const line of text.split('\n')) {
    const [name, , gid] = line.split(':');
    if (name === group && gid !== undefined && /^\d+$/.test(gid)) return Number(gid);
  }
  return null;
}

export class ControlSocket {
  private constructor(
    private readonly server: Server,
    private readonly path: string,
  ) {}

  /** Rejects with KaError `KA_ERR_CONTROL` (no socket is left behind then). */
  static async listen(
    path: string,
    options: ControlSocketOptions,
    handle: ControlHandler,
  ): Promise<ControlSocket> {
    const group = options.group ?? null;
    const gid = group === null ? null : resolveGroup(group, options.groupFile);
    if (group !== null && gid === null)
      throw new KaError('KA_ERR_CONTROL', `control socket group '${group}': no such group`);
    try {
      mkdirSync(dirname(path), { recursive: true });
      unlinkSync(path);
    } catch {
      // No stale socket to remove.
    }
    // allowHalfOpen: `echo status | socat - UNIX-CONNECT:...` shuts its side before the answer.
    const server = createServer({ allowHalfOpen: true }, (sock) => serve(sock, handle));
    server.maxConnections = MAX_CONNECTIONS;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) =>
        reject(new KaError('KA_ERR_CONTROL', `cannot listen on ${path}: ${err.message}`, err)),
      );
      // bind() happens inside listen(), synchronously: the socket file is born 0600.
      const umask = process.umask(0o177);
      try {
        server.listen(path, () => resolve());
      } finally {
        process.umask(umask);
      }
    });
    server.on('error', () => undefined);
    const control = new ControlSocket(server, path);
    try {
      if (gid !== null) chownSync(path, -1, gid);
      chmodSync(path, gid === null ? 0o600 : 0o660);
    } catch (err) {
      control.close();
      throw new KaError(
        'KA_ERR_CONTROL',
        `cannot give ${path} to group '${group ?? ''}': ${(err as Error).message}`,
        err,
      );
    }
    return control;
  }

  close(): void {
    this.server.close();
    try {
      unlinkSync(this.path);
    } catch {
      // Already gone.
    }
  }
}

function serve(sock: Socket, handle: ControlHandler): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let answered = false;
  const reply = (body: unknown): void => {
    if (sock.destroyed) return;
    // Text answers (ipvsadm views) go out as they are; everything else as one JSON document.
    sock.end(typeof body === 'string' ? body : `${JSON.stringify(body)}\n`);
  };
  const answer = (request: ControlRequest): void => {
    if (answered) return;
    answered = true;
    clearTimeout(deadline);
    chunks.length = 0;
    // From now on the request deadline is over: a client that stops reading is dropped.
    sock.setTimeout(IDLE_TIMEOUT_MS, () => sock.destroy());
    if (!request.ok) return reply({ error: request.error });
    Promise.resolve()
      .then(() => handle(request.command, request.arg))
      .catch((err: unknown) => ({ error: err instanceof Error ? err.message : String(err) }))
      .then(reply)
      .catch(() => sock.destroy());
  };
  const deadline = setTimeout(
    () => answer({ ok: false, error: `no request line within ${REQUEST_TIMEOUT_MS / 1000} s` }),
    REQUEST_TIMEOUT_MS,
  );
  sock.on('error', () => sock.destroy());
  sock.on('close', () => clearTimeout(deadline));
  // Once the answer is written the connection is done, whatever the client still sends.
  sock.on('finish', () => sock.destroy());
  sock.on('data', (chunk: Buffer) => {
    if (answered) return;
    const nl = chunk.indexOf(0x0a);
    const part = nl < 0 ? chunk : chunk.subarray(0, nl);
    // Binary data is answered as soon as it shows, however long the line would be.
    if (!isText(part)) return answer(MALFORMED);
    if (size + part.length > MAX_REQUEST) return answer(OVER_LONG);
    chunks.push(part);
    size += part.length;
    if (nl >= 0) answer(parseRequest(Buffer.concat(chunks)));
  });
  // A client that half-closes without a newline still gets its answer.
  sock.on('end', () => answer(parseRequest(Buffer.concat(chunks))));
}
