/**
 * Read the config the command line names (`-f`, `-i`, `-e`) from the local host, for `-t`,
 * `--dump-config` and the daemon alike.
 */
import { randomInt } from 'node:crypto';
import { hostname } from 'node:os';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { nodeConfigFs } from '../host/config-fs.js';
import { localHostFacts } from '../host/host-facts.js';
import type { ParsedArgs } from './args.js';

export const DEFAULT_CONFIG = '/etc/keepalived/keepalived.conf';

export function configPattern(args: ParsedArgs): string {
  return typeof args.useFile === 'string' ? args.useFile : DEFAULT_CONFIG;
}

export function loadFromArgs(args: ParsedArgs): LoadedConfig {
  // keepalived's default config id is the host name up to the first dot.
  const configId = typeof args.configId === 'string' ? args.configId : (hostname().split('.')[0] ?? '');
  return loadConfig(configPattern(args), {
    fs: nodeConfigFs,
    cwd: process.cwd(),
    configId,
    randomInt: (min, max) => randomInt(min, max + 1),
    allConfig: args.allConfig === true,
    host: localHostFacts(),
  });
}
