/**
 * Read and validate the configuration the command line names, logging every diagnostic as
 * `config.diagnostic`. Start-up refuses only what keepalived cannot run (fatal); a reload is
 * stricter (design: keep the running config rather than apply one with errors).
 */
import { formatDiagnostic, type Severity } from '../config/diagnostics.js';
import type { Config } from '../config/model.js';
import { loadLocalConfig, type ConfigSource } from '../host/load-local-config.js';
import type { Logger } from './log.js';

export function readConfig(
  source: ConfigSource,
  log: Logger,
  refuse: readonly Severity[] = ['fatal'],
): Config | null {
  const pattern = source.file;
  const loaded = loadLocalConfig(source);
  for (const d of loaded.diagnostics) {
    const level = d.severity === 'fatal' ? 'error' : d.severity === 'info' ? 'info' : 'warn';
    log[level](
      { event: 'config.diagnostic', severity: d.severity, file: d.file, line: d.line, column: d.column },
      formatDiagnostic(d),
    );
  }
  const refused = loaded.diagnostics.filter((d) => refuse.includes(d.severity));
  if (loaded.files.length === 0 || refused.length > 0) {
    log.error(
      { event: 'config.unusable', pattern, problems: refused.length },
      `Configuration ${pattern} cannot be run${refused.length > 0 ? `: ${refused.length} ${refuse.join('/')} problem(s)` : ''}`,
    );
    return null;
  }
  return loaded.config;
}
