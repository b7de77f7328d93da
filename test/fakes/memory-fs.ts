import type { ConfigFs } from '../../src/config/config-fs.js';

/** An in-memory ConfigFs: keys are absolute paths, directories are implied by the files. */
export function memoryFs(
  files: Readonly<Record<string, string>>,
  executables: readonly string[] = [],
): ConfigFs {
  const dirs = new Map<string, Set<string>>();
  for (const path of Object.keys(files)) {
    const parts = path.split('/').filter((p) => p !== '');
    let dir = '/';
    for (const part of parts) {
      const entries = dirs.get(dir) ?? new Set<string>();
      entries.add(part);
      dirs.set(dir, entries);
      dir = dir === '/' ? `/${part}` : `${dir}/${part}`;
    }
  }
  return {
    stat(path) {
      const p = path.length > 1 ? path.replace(/\/+$/, '') : path;
      if (Object.hasOwn(files, p)) return { kind: 'file', executable: executables.includes(p) };
      if (dirs.has(p)) return { kind: 'dir', executable: true };
      return undefined;
    },
    readdir(path) {
      const entries = dirs.get(path.length > 1 ? path.replace(/\/+$/, '') : path);
      return entries ? [...entries] : undefined;
    },
    readFile(path) {
      const text = files[path];
      return text === undefined ? undefined : Buffer.from(text, 'latin1');
    },
  };
}
