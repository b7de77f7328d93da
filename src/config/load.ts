/**
 * Config file(s) to validated Config: keepalived's preprocessing, the PEG grammar, validation.
 * Pure apart from its ports (ConfigFs for files, HostFacts for the host); never throws.
 */
import type { Diagnostic } from './diagnostics.js';
import type { Config } from './model.js';
import { LineParser } from './parse.js';
import { preprocess, type PreprocessOptions } from './preprocess.js';
import { ConfigValidator, type HostFacts } from './validate/index.js';

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
  // Read, parse and check in one stream: each top-level block is checked as soon as it is read.
  const validator = new ConfigValidator(opts.host);
  const parser = new LineParser((node) => validator.top(node));
  const pre = preprocess(pattern, opts, (line) => parser.push(line));
  parser.end();
  const result = validator.finish();
  const fileRank = new Map<string, number>();
  const rank = (d: Diagnostic): number => {
    if (!fileRank.has(d.file)) fileRank.set(d.file, fileRank.size);
    return fileRank.get(d.file) as number;
  };
  const located = [...pre.diagnostics, ...parser.diagnostics, ...result.diagnostics.slice(0, result.walked)]
    .map((d, i) => ({ d, i, r: rank(d) }))
    .sort((a, b) => a.r - b.r || a.d.line - b.d.line || a.i - b.i)
    .map((x) => x.d);
  return {
    config: result.config,
    diagnostics: [...located, ...result.diagnostics.slice(result.walked)],
    files: pre.files,
  };
}
