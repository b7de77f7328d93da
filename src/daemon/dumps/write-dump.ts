/**
 * Where the signal dump files go and how they are written (the I/O side of src/daemon/dumps/).
 *
 * keepalived writes `$TMPDIR/<name>` (TMPDIR only when it is an absolute path, else /tmp;
 * lib/utils.c set_tmp_dir()), mode 0600, replacing the old file. Like its fopen_safe(), the text
 * goes to a new file with a random suffix next to it, which is then renamed over the old one: a
 * reader never sees half a file, a symlink planted at the path is replaced rather than followed,
 * and nobody can hold the old file open and read the new text.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';

export interface DumpPaths {
  /** SIGUSR1, VRRP side. */
  readonly data: string;
  /** SIGUSR1, checker side (keepalived writes one file per child process). */
  readonly checkData: string;
  /** SIGUSR2 and STATS_CLEAR. */
  readonly stats: string;
  /** SIGRTMIN+2. */
  readonly json: string;
}

/** keepalived's tmp_dir: TMPDIR if it is an absolute path, else /tmp. */
function dumpDir(env: Readonly<Record<string, string | undefined>>): string {
  const dir = env['TMPDIR'];
  return dir !== undefined && dir.startsWith('/') ? dir : '/tmp';
}

export function dumpPaths(env: Readonly<Record<string, string | undefined>>): DumpPaths {
  const dir = dumpDir(env);
  return {
    data: join(dir, 'keepalived.data'),
    checkData: join(dir, 'keepalived_check.data'),
    stats: join(dir, 'keepalived.stats'),
    json: join(dir, 'keepalived.json'),
  };
}

/** Write `text` to `path`, mode 0600, atomically replacing whatever was there. */
export async function writeDump(path: string, text: string): Promise<void> {
  const tmp = `${path}${randomBytes(6).toString('base64url')}`;
  const file = await open(tmp, 'wx', 0o600);
  try {
    try {
      await file.writeFile(text, 'utf8');
      // The umask may only take bits away; make sure nothing else was added either.
      await file.chmod(0o600);
    } finally {
      await file.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

/** The local time zone's offset east of UTC at an instant, for the `.data` file's local times. */
export const localUtcOffsetMinutes = (epochMs: number): number => -new Date(epochMs).getTimezoneOffset();
