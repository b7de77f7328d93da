/**
 * Whether stdout is connected to systemd-journald: systemd sets JOURNAL_STREAM to the
 * `device:inode` of the stream it gives a service, and a process checks it against its own
 * stdout (systemd.exec(5), "$JOURNAL_STREAM") before logging natively instead.
 */
import { fstatSync } from 'node:fs';

export function stdoutIsJournal(env: NodeJS.ProcessEnv = process.env): boolean {
  const m = /^(\d+):(\d+)$/.exec(env['JOURNAL_STREAM'] ?? '');
  if (!m) return false;
  try {
    const st = fstatSync(1, { bigint: true });
    return st.dev === BigInt(m[1] as string) && st.ino === BigInt(m[2] as string);
  } catch {
    return false;
  }
}
