/**
 * The file-system port the config reader uses for `-f` and `include` (the reader itself does no
 * I/O). `src/host/config-fs.ts` implements it on node:fs; tests pass an in-memory one.
 * Every method returns undefined on failure instead of throwing.
 */

export interface FileInfo {
  readonly kind: 'file' | 'dir' | 'other';
  /** Any execute bit set (keepalived refuses executable config files). */
  readonly executable: boolean;
}

export interface ConfigFs {
  /** stat(2), following symbolic links. */
  stat(path: string): FileInfo | undefined;
  /** Directory entries (names only), or undefined when it cannot be opened. */
  readdir(path: string): readonly string[] | undefined;
  readFile(path: string): Uint8Array | undefined;
}
