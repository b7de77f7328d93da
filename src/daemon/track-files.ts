/**
 * track_file: a number in a file, watched for changes (keepalived 2.2.7
 * trackers/track_file.c track_file_end_handler(), init_track_files(), process_track_file(),
 * process_inotify()).
 *
 * - init_file: with `overwrite`, or when the file is missing, write "<value>\n" through a
 *   temporary file renamed into place, mode 0666 & ~umask (lib/utils.c fopen_safe()); an
 *   existing non-regular file is left alone; on reload an existing file is never overwritten.
 * - The path is resolved with realpath; a missing file is fine if its directory exists.
 * - Reading: the first 127 bytes, strtol(…, 0): leading blanks, sign, 0x hex, 0 octal,
 *   garbage → 0. A missing, unreadable or empty file is 0. Out of range (beyond int64, or
 *   outside INT32_MIN..INT32_MAX+1): "Invalid number N read from PATH - ignoring", keep the old value.
 * - keepalived re-reads on inotify CLOSE_WRITE/MOVED_TO and treats DELETE/MOVED_FROM as 0.
 *   Node has no CLOSE_WRITE, so a change event schedules a read after a short quiet period
 *   (so `echo 5 > f`'s truncate is not seen as 0), and a stat poll catches missed events.
 * - `onValue` is called once per file at start and then whenever the value changes.
 */
import { strtol } from '../lib/strtol.js';
import type { Logger } from 'pino';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  constants,
  openSync,
  readSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  watch,
  writeFileSync,
  type FSWatcher,
} from 'node:fs';
import { posix as path } from 'node:path';
import type { TrackFile } from '../config/model.js';

export interface TrackFilesOptions {
  readonly files: readonly TrackFile[];
  readonly log: Logger;
  readonly onValue: (name: string, value: number) => void;
  /** On reload keepalived does not overwrite an existing file (init_file … overwrite). */
  readonly reload?: boolean;
  /** Stat poll period (default 1000 ms). */
  readonly pollMs?: number;
  /** Quiet period after a change event before reading (default 50 ms). */
  readonly settleMs?: number;
}

export interface TrackFiles {
  value(name: string): number | undefined;
  stop(): void;
}

const INT32_MIN = -(2n ** 31n);
const INT32_MAX_PLUS_1 = 2n ** 31n;
/** process_track_file(): the file's number, 0 when absent, or null to keep the old value. */
export function parseTrackFileContent(content: string | null): { value: number } | { invalid: bigint } {
  if (content === null || content === '') return { value: 0 };
  const { value, overflow } = strtol(content);
  if (overflow || value < INT32_MIN || value > INT32_MAX_PLUS_1) return { invalid: value };
  return { value: Number(value) };
}

function readHead(file: string): string | null {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    const buf = Buffer.alloc(127);
    const n = readSync(fd, buf, 0, buf.length, null);
    // C stops at a NUL byte.
    const text = buf.subarray(0, n).toString('latin1');
    const nul = text.indexOf('\0');
    return nul < 0 ? text : text.slice(0, nul);
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** track_file_end_handler(): create or overwrite the file with its init value. */
function applyInitFile(tf: TrackFile, reload: boolean, log: Logger): void {
  if (tf.initFile === null) return;
  const st = statSync(tf.file, { throwIfNoEntry: false });
  if (st) {
    if (!tf.initFile.overwrite) return;
    if (!st.isFile()) {
      log.error(
        { event: 'track_file.init', trackFile: tf.name },
        `Cannot initialise track file ${tf.name} - it is not a regular file`,
      );
      return;
    }
    if (reload) return;
  }
  const tmp = `${tf.file}${randomBytes(4).toString('base64url').slice(0, 6)}`;
  try {
    writeFileSync(tmp, `${tf.initFile.value}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(tmp, 0o666 & ~process.umask());
    renameSync(tmp, tf.file);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing to clean up
    }
    log.error(
      { event: 'track_file.init', trackFile: tf.name, err },
      `Unable to initialise track file ${tf.name}`,
    );
  }
}

/** init_track_files(): the absolute path to watch, or null when keepalived drops the file. */
function resolveTrackPath(tf: TrackFile, log: Logger): string | null {
  try {
    return realpathSync(tf.file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      log.error(
        { event: 'track_file', trackFile: tf.name },
        `track file ${tf.name} is not accessible - ignoring`,
      );
      return null;
    }
  }
  try {
    const dir = realpathSync(path.dirname(path.resolve(tf.file)));
    if (statSync(dir).isDirectory()) return path.join(dir, path.basename(tf.file));
  } catch {
    // fall through
  }
  log.error(
    { event: 'track_file', trackFile: tf.name },
    `Track file directory for ${tf.name} does not exist - removing`,
  );
  return null;
}

interface Watched {
  readonly tf: TrackFile;
  readonly file: string;
  value: number;
  signature: string;
  settle: NodeJS.Timeout | undefined;
}

const signatureOf = (file: string): string => {
  const st = statSync(file, { throwIfNoEntry: false, bigint: true });
  return st ? `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}` : 'absent';
};

export function startTrackFiles(opts: TrackFilesOptions): TrackFiles {
  const { log } = opts;
  const settleMs = opts.settleMs ?? 50;
  const watched = new Map<string, Watched>();
  const watchers: FSWatcher[] = [];
  let stopped = false;

  /** Read the file; returns the new value, or null when keepalived would ignore what it read. */
  const read = (w: { file: string }): number | null => {
    const parsed = parseTrackFileContent(readHead(w.file));
    if ('value' in parsed) return parsed.value;
    log.info(
      { event: 'track_file', file: w.file },
      `Invalid number ${parsed.invalid} read from ${w.file} - ignoring`,
    );
    return null;
  };

  const refresh = (w: Watched): void => {
    if (stopped) return;
    w.signature = signatureOf(w.file);
    const value = read(w);
    if (value === null || value === w.value) return;
    w.value = value;
    log.debug({ event: 'track_file', trackFile: w.tf.name, value }, `Track file ${w.tf.name} now ${value}`);
    opts.onValue(w.tf.name, value);
  };

  const changed = (w: Watched): void => {
    clearTimeout(w.settle);
    w.settle = setTimeout(() => {
      w.settle = undefined;
      refresh(w);
    }, settleMs);
  };

  for (const tf of opts.files) {
    applyInitFile(tf, opts.reload ?? false, log);
    const file = resolveTrackPath(tf, log);
    if (file === null) continue;
    const w: Watched = { tf, file, value: 0, signature: signatureOf(file), settle: undefined };
    w.value = read(w) ?? 0;
    watched.set(tf.name, w);
    opts.onValue(tf.name, w.value);
  }

  // One directory watch per directory (keepalived: one inotify watch per directory).
  const byDir = new Map<string, Watched[]>();
  for (const w of watched.values()) {
    const dir = path.dirname(w.file);
    byDir.set(dir, [...(byDir.get(dir) ?? []), w]);
  }
  for (const [dir, list] of byDir) {
    try {
      const watcher = watch(dir, { persistent: false }, (_event, filename) => {
        const name = typeof filename === 'string' ? filename : null;
        for (const w of list) if (name === null || name === path.basename(w.file)) changed(w);
      });
      watcher.on('error', (err) => log.warn({ event: 'track_file.watch', dir, err }, `Cannot watch ${dir}`));
      watchers.push(watcher);
    } catch (err) {
      log.warn({ event: 'track_file.watch', dir, err }, `Cannot watch ${dir}: polling only`);
    }
  }

  const poll = setInterval(() => {
    for (const w of watched.values())
      if (w.settle === undefined && signatureOf(w.file) !== w.signature) changed(w);
  }, opts.pollMs ?? 1000);
  poll.unref();

  return {
    value: (name) => watched.get(name)?.value,
    stop() {
      stopped = true;
      clearInterval(poll);
      for (const w of watched.values()) clearTimeout(w.settle);
      for (const watcher of watchers) watcher.close();
    },
  };
}
