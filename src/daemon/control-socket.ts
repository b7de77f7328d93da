/**
 * The control socket: a unix stream socket (mode 0600, root only) that answers one command per
 * connection: `status` (or an empty line) with one JSON document, `ipvsadm` and `ipvsadm-save` with
 * the service table as those tools print it. Try it: `echo status | socat - UNIX-CONNECT:/run/keepalived-ts.sock`.
 */
import { chmodSync, mkdirSync, unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { KaError } from '../lib/errors.js';

/** Returns the answer, or a promise of it. */
export type ControlHandler = (command: string) => unknown;

const MAX_REQUEST = 4096;

export class ControlSocket {
  private constructor(
    private readonly server: Server,
    private readonly path: string,
  ) {}

  static async listen(path: string, handle: ControlHandler): Promise<ControlSocket> {
    try {
      mkdirSync(dirname(path), { recursive: true });
      unlinkSync(path);
    } catch {
      // No stale socket to remove.
    }
    // allowHalfOpen: `echo status | socat - UNIX-CONNECT:...` shuts its side before the answer.
    const server = createServer({ allowHalfOpen: true }, (sock) => serve(sock, handle));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) =>
        reject(new KaError('KA_ERR_CONTROL', `cannot listen on ${path}: ${err.message}`, err)),
      );
      server.listen(path, () => resolve());
    });
    chmodSync(path, 0o600);
    server.on('error', () => undefined);
    return new ControlSocket(server, path);
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
  let buf = '';
  let answered = false;
  const answer = (command: string): void => {
    if (answered) return;
    answered = true;
    Promise.resolve()
      .then(() => handle(command.trim() || 'status'))
      .catch((err: unknown) => ({ error: (err as Error).message }))
      .then((body) => {
        // Text answers (ipvsadm views) go out as they are; everything else as one JSON document.
        if (!sock.destroyed) sock.end(typeof body === 'string' ? body : `${JSON.stringify(body)}\n`);
      })
      .catch(() => sock.destroy());
  };
  sock.setEncoding('utf8');
  sock.setTimeout(5000, () => sock.destroy());
  sock.on('error', () => sock.destroy());
  sock.on('data', (chunk: string) => {
    buf += chunk;
    const nl = buf.indexOf('\n');
    if (nl >= 0) answer(buf.slice(0, nl));
    else if (buf.length > MAX_REQUEST) answer('');
  });
  // A client that half-closes without a newline still gets its answer.
  sock.on('end', () => answer(buf));
}
