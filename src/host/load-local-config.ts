/**
 * Read a configuration from this host's files, as keepalived does: the file (`-f`, a glob
 * allowed), the config id `@` lines select (`-i`, default the host name up to the first dot) and
 * `-e` (all of it). For `-t`, `--dump-config`, `reload --dry-run` and the daemon alike.
 */
import { randomInt } from 'node:crypto';
import { hostname } from 'node:os';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { nodeConfigFs } from './config-fs.js';
import { localHostFacts } from './host-facts.js';

/** Which configuration to read (keepalived's -f, -i and -e). */
export interface ConfigSource {
  /** The file or glob pattern. */
  readonly file: string;
  /** null: the host name up to the first dot. */
  readonly configId: string | null;
  readonly allConfig: boolean;
}

export function loadLocalConfig(source: ConfigSource): LoadedConfig {
  return loadConfig(source.file, {
    fs: nodeConfigFs,
    cwd: process.cwd(),
    configId: source.configId ?? hostname().split('.')[0] ?? '',
    randomInt: (min, max) => randomInt(min, max + 1),
    allConfig: source.allConfig,
    host: localHostFacts(),
  });
}
