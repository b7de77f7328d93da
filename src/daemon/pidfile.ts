/**
 * The pid file (keepalived `-p`, default /run/keepalived-ts.pid): refuse to start when it names a
 * live process (keepalived pidfile.c keepalived_running()), remove it on exit.
 */
import {
  closeSync,
  constants,
  fchmodSync,
  mkdirSync,
  openSync,
  readFileSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { KaError } from '../lib/errors.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class PidFile {
  private constructor(private readonly path: string) {}

  static claim(path: string): PidFile {
    let existing: number | undefined;
    try {
      existing = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
    } catch {
      existing = undefined;
    }
    if (
      existing !== undefined &&
      Number.isInteger(existing) &&
      existing > 0 &&
      existing !== process.pid &&
      alive(existing)
    ) {
      throw new KaError('KA_ERR_PIDFILE', `daemon is already running (pid ${existing} in ${path})`);
    }
    try {
      mkdirSync(dirname(path), { recursive: true });
      // keepalived pidfile.c: O_NOFOLLOW (a planted symlink is not followed), 0644 whatever the umask.
      const fd = openSync(
        path,
        constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW,
        0o644,
      );
      try {
        fchmodSync(fd, 0o644);
        writeSync(fd, `${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
    } catch (err) {
      throw new KaError('KA_ERR_PIDFILE', `cannot write pid file ${path}: ${(err as Error).message}`, err);
    }
    return new PidFile(path);
  }

  release(): void {
    try {
      if (readFileSync(this.path, 'utf8').trim() === String(process.pid)) unlinkSync(this.path);
    } catch {
      // Already gone.
    }
  }
}
