/** The config reader's file-system port on node:fs (synchronous: config is read once, at start or reload). */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import type { ConfigFs } from '../config/config-fs.js';

export const nodeConfigFs: ConfigFs = {
  stat(path) {
    try {
      const st = statSync(path);
      return {
        kind: st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'other',
        executable: (st.mode & 0o111) !== 0,
      };
    } catch {
      return undefined;
    }
  },
  readdir(path) {
    try {
      return readdirSync(path);
    } catch {
      return undefined;
    }
  },
  readFile(path) {
    try {
      return readFileSync(path);
    } catch {
      return undefined;
    }
  },
};
