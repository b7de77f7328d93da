/** Load config text held in memory, for unit tests. */
import type { Diagnostic } from '../../src/config/diagnostics.js';
import { formatDiagnostic } from '../../src/config/diagnostics.js';
import { loadConfig, type LoadedConfig } from '../../src/config/load.js';
import { NO_HOST, type HostFacts } from '../../src/config/validate/index.js';
import { memoryFs } from '../fakes/memory-fs.js';

export const MAIN = '/etc/keepalived/keepalived.conf';

export interface LoadTextOptions {
  readonly files?: Readonly<Record<string, string>>;
  readonly host?: Partial<HostFacts>;
  readonly configId?: string;
  readonly allConfig?: boolean;
}

export function loadText(text: string, opts: LoadTextOptions = {}): LoadedConfig {
  return loadConfig(MAIN, {
    fs: memoryFs({ [MAIN]: text, ...opts.files }),
    cwd: '/etc/keepalived',
    configId: opts.configId ?? 'vm',
    randomInt: (min) => min,
    allConfig: opts.allConfig ?? false,
    host: { ...NO_HOST, ...opts.host },
  });
}

/** Diagnostics as `line:col code message` strings (file left out when it is the main file). */
export function brief(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.map((d) => {
    const where = d.line === 0 ? '-' : `${d.file === MAIN ? '' : `${d.file}:`}${d.line}:${d.column}`;
    return `${where} ${d.code} ${d.message}`;
  });
}

export const rendered = (diagnostics: readonly Diagnostic[]): string[] => diagnostics.map(formatDiagnostic);
