/**
 * Config file(s) to validated Config: keepalived's preprocessing, the PEG grammar, validation.
 * Pure apart from its ports (ConfigFs for files, HostFacts for the host); never throws.
 */
import type { Diagnostic } from './diagnostics.js';
import type { Config } from './model.js';
import { parseConfig } from './parse.js';
import type { PreprocessOptions } from './preprocess.js';
import { validate, type HostFacts } from './validate/index.js';

export interface LoadOptions extends PreprocessOptions {
  readonly host: HostFacts;
}

export interface LoadedConfig {
  readonly config: Config;
  /** In keepalived's order: what reading the files found, line by line (in the order found within a
   * line), then whole-config checks. */
  readonly diagnostics: readonly Diagnostic[];
  /** Resolved paths of every file read. */
  readonly files: readonly string[];
}

export function loadConfig(pattern: string, opts: LoadOptions): LoadedConfig {
  const parsed = parseConfig(pattern, opts);
  const result = validate(parsed.nodes, opts.host);
  const fileRank = new Map<string, number>();
  const rank = (d: Diagnostic): number => {
    if (!fileRank.has(d.file)) fileRank.set(d.file, fileRank.size);
    return fileRank.get(d.file) as number;
  };
  const located = [...parsed.diagnostics, ...result.diagnostics.slice(0, result.walked)]
    .map((d, i) => ({ d, i, r: rank(d) }))
    .sort((a, b) => a.r - b.r || a.d.line - b.d.line || a.i - b.i)
    .map((x) => x.d);
  return {
    config: deepFreeze(result.config),
    diagnostics: [...located, ...result.diagnostics.slice(result.walked)],
    files: parsed.files,
  };
}

/** The Config is shared by every component and never changed: make that true at run time too. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
