/** The pid file on a real file system: keepalived's rules (pidfile.c) for mode, symlinks and liveness. */
import { mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PidFile } from '../../src/daemon/pidfile.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kts-pidfile-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('PidFile', () => {
  it('writes our pid with mode 0644 whatever the umask, and release() removes it', () => {
    const old = process.umask(0o077);
    try {
      const path = join(dir, 'kts.pid');
      const pid = PidFile.claim(path);
      expect(readFileSync(path, 'utf8')).toBe(`${process.pid}\n`);
      expect(statSync(path).mode & 0o777).toBe(0o644);
      pid.release();
      expect(() => statSync(path)).toThrow();
    } finally {
      process.umask(old);
    }
  });

  it('does not follow a symlink planted at its path', () => {
    const target = join(dir, 'victim');
    writeFileSync(target, 'precious\n');
    const path = join(dir, 'kts.pid');
    symlinkSync(target, path);
    expect(() => PidFile.claim(path)).toThrow(/cannot write pid file/);
    expect(readFileSync(target, 'utf8')).toBe('precious\n');
  });

  it('refuses a live pid, takes over a stale one', () => {
    const path = join(dir, 'kts.pid');
    writeFileSync(path, '1\n');
    expect(() => PidFile.claim(path)).toThrow(/daemon is already running \(pid 1 in /);
    writeFileSync(path, '999999999\n');
    PidFile.claim(path).release();
  });
});
