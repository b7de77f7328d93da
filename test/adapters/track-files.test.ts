/**
 * track-files.ts on real files: keepalived's strtol parsing, init_file, the first value at
 * start, changes seen through the directory watch (write, rename into place, delete), invalid
 * numbers ignored, and a truncate-then-write not seen as a transient 0.
 */
import {
  closeSync,
  mkdtempSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TrackFile } from '../../src/config/model.js';
import { parseTrackFileContent, startTrackFiles, type TrackFiles } from '../../src/daemon/track-files.js';
import { waitFor as waitUntil } from '../helpers/process.js';

let dir: string;
let tracker: TrackFiles | undefined;
let logs: string[];
let values: number[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ka-track-files-'));
  logs = [];
  values = [];
});
afterEach(() => {
  tracker?.stop();
  tracker = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const logger = () =>
  pino({ level: 'debug' }, { write: (l: string) => void logs.push((JSON.parse(l) as { msg: string }).msg) });

const trackFile = (file: string, over: Partial<TrackFile> = {}): TrackFile => ({
  name: 'tf',
  file,
  weight: 1,
  weightReverse: false,
  initFile: null,
  ...over,
});

function start(files: TrackFile[], reload = false): TrackFiles {
  tracker = startTrackFiles({
    files,
    log: logger(),
    onValue: (_name, value) => values.push(value),
    reload,
    pollMs: 100,
    settleMs: 30,
  });
  return tracker;
}

const waitFor = (cond: () => boolean, ms = 3000): Promise<void> =>
  waitUntil(cond, ms, () => `values=${values.join(',')}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('track file content (keepalived strtol(buf, NULL, 0))', () => {
  it.each([
    ['5\n', 5],
    ['  \t-3 trailing', -3],
    ['+7xyz', 7],
    ['0x10', 16],
    ['0X1f\n', 31],
    ['010', 8],
    ['08', 0],
    ['0x', 0],
    ['abc', 0],
    ['', 0],
    [null, 0],
    ['-2147483648', -2147483648],
    ['2147483648', 2147483648],
  ] as const)('%j → %i', (text, expected) => {
    expect(parseTrackFileContent(text)).toEqual({ value: expected });
  });

  it.each([
    ['2147483649', 2147483649n],
    ['-2147483649', -2147483649n],
    ['99999999999999999999', 2n ** 63n - 1n],
    ['-99999999999999999999', -(2n ** 63n)],
  ] as const)('%j is ignored (reported as %s)', (text, reported) => {
    expect(parseTrackFileContent(text)).toEqual({ invalid: reported });
  });
});

describe('track_file watcher', () => {
  it('reports the value at start, then each change', async () => {
    const f = join(dir, 'value');
    writeFileSync(f, '3\n');
    const t = start([trackFile(f)]);
    expect(values).toEqual([3]);
    expect(t.value('tf')).toBe(3);

    writeFileSync(f, '7\n');
    await waitFor(() => values.length === 2);
    expect(values).toEqual([3, 7]);

    writeFileSync(f, '7\n'); // same value: nothing
    await sleep(200);
    expect(values).toEqual([3, 7]);

    const tmp = join(dir, 'value.tmp');
    writeFileSync(tmp, '-20\n');
    renameSync(tmp, f);
    await waitFor(() => values.length === 3);
    expect(values).toEqual([3, 7, -20]);

    unlinkSync(f); // deleted: 0
    await waitFor(() => values.length === 4);
    expect(values).toEqual([3, 7, -20, 0]);
  });

  it('a missing file in an existing directory is 0 until it appears', async () => {
    const f = join(dir, 'later');
    start([trackFile(f)]);
    expect(values).toEqual([0]);
    writeFileSync(f, '12');
    await waitFor(() => values.length === 2);
    expect(values).toEqual([0, 12]);
  });

  it('an invalid number is logged and ignored', async () => {
    const f = join(dir, 'value');
    writeFileSync(f, '4');
    start([trackFile(f)]);
    writeFileSync(f, '99999999999');
    await waitFor(() => logs.includes(`Invalid number 99999999999 read from ${f} - ignoring`));
    writeFileSync(f, '5');
    await waitFor(() => values.length === 2);
    expect(values).toEqual([4, 5]);
  });

  it('truncate, pause, write is one change, not a transient 0', async () => {
    const f = join(dir, 'value');
    writeFileSync(f, '4\n');
    start([trackFile(f)]);
    const fd = openSync(f, 'w'); // truncates, like `echo 9 > f`
    await sleep(5);
    writeSync(fd, '9\n');
    closeSync(fd);
    await waitFor(() => values.length === 2);
    await sleep(150);
    expect(values).toEqual([4, 9]);
  });

  it('a directory that does not exist drops the track file', () => {
    start([trackFile(join(dir, 'no-such-dir', 'value'))]);
    expect(values).toEqual([]);
    expect(logs).toContain('Track file directory for tf does not exist - removing');
  });

  it('stop() ends the watching', async () => {
    const f = join(dir, 'value');
    writeFileSync(f, '1');
    start([trackFile(f)]).stop();
    writeFileSync(f, '2');
    await sleep(250);
    expect(values).toEqual([1]);
  });
});

describe('init_file', () => {
  const mode = () => statSync(join(dir, 'value')).mode & 0o777;

  it('creates a missing file with the value, mode 0666 & ~umask', () => {
    const f = join(dir, 'value');
    start([trackFile(f, { initFile: { value: 5, overwrite: false } })]);
    expect(readFileSync(f, 'utf8')).toBe('5\n');
    expect(mode()).toBe(0o666 & ~process.umask());
    expect(values).toEqual([5]);
  });

  it('leaves an existing file alone without overwrite', () => {
    const f = join(dir, 'value');
    writeFileSync(f, '8\n');
    start([trackFile(f, { initFile: { value: 5, overwrite: false } })]);
    expect(readFileSync(f, 'utf8')).toBe('8\n');
    expect(values).toEqual([8]);
  });

  it('overwrites with overwrite', () => {
    const f = join(dir, 'value');
    writeFileSync(f, '8\n');
    start([trackFile(f, { initFile: { value: -2, overwrite: true } })]);
    expect(readFileSync(f, 'utf8')).toBe('-2\n');
    expect(values).toEqual([-2]);
  });

  it('does not overwrite on reload', () => {
    const f = join(dir, 'value');
    writeFileSync(f, '8\n');
    start([trackFile(f, { initFile: { value: -2, overwrite: true } })], true);
    expect(readFileSync(f, 'utf8')).toBe('8\n');
  });

  it('refuses to overwrite something that is not a regular file', () => {
    start([trackFile(dir, { initFile: { value: 1, overwrite: true } })]);
    expect(logs).toContain('Cannot initialise track file tf - it is not a regular file');
  });
});
