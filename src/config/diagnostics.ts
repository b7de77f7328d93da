/**
 * Config diagnostics and keepalived's `--config-test` exit codes.
 *
 * The codes are keepalived 2.2.7's `config_err_t` classes (lib/parser.h), in the same order, so
 * the worst class seen decides the exit code as in keepalived's `config_test_exit()`. Three codes
 * are ours: `UNSUPPORTED` (keepalived would act on the keyword, keepalived-ts parses it and does
 * not), `NOTICE` (keepalived logs it without recording a config error, e.g. a missing plain
 * `include` file) and `LIMIT` (a guard keepalived does not have, e.g. include loops).
 */
import type { Origin } from './source-text.js';

/** keepalived's classes, least severe last except SECURITY_ERROR (the ordinal order matters). */
const KEEPALIVED_CLASSES = [
  'FILE_NOT_FOUND',
  'BAD_IF',
  'FATAL',
  'MULTIPLE_FILES',
  'UNKNOWN_KEYWORD',
  'UNEXPECTED_BOB',
  'MISSING_BOB',
  'UNEXPECTED_EOB',
  'MISSING_EOB',
  'UNMATCHED_QUOTE',
  'MISSING_PARAMETER',
  'INVALID_NUMBER',
  'GENERAL_ERROR',
  'WARNING',
  'DEPRECATED',
  'SECURITY_ERROR',
] as const;

export type KeepalivedClass = (typeof KEEPALIVED_CLASSES)[number];
export type DiagnosticCode =
  | KeepalivedClass
  /** A strict include (`includea`, `-e`, ...) failed: keepalived stops with "no config" (6). */
  | 'INCLUDE_FAILED'
  | 'UNSUPPORTED'
  | 'NOTICE'
  | 'LIMIT';

/**
 * - `fatal`: keepalived cannot run this config (missing file, missing parameter, ...).
 * - `error`: a config error keepalived reports and then works around.
 * - `warning`: keepalived still runs it as meant (unknown keyword, deprecation, substituted default).
 * - `security`: script security violation.
 * - `unsupported` / `info`: printed, but not a keepalived config error.
 */
export type Severity = 'fatal' | 'error' | 'warning' | 'security' | 'unsupported' | 'info';

export interface Diagnostic {
  readonly severity: Severity;
  readonly code: DiagnosticCode;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

export interface Loc extends Origin {
  readonly column: number;
}

/** Where a diagnostic that belongs to no line (keepalived prints no location) points: nowhere. */
export const NO_LOC: Loc = { file: '', line: 0, column: 0 };

const SEVERITY: Record<DiagnosticCode, Severity> = {
  FILE_NOT_FOUND: 'fatal',
  INCLUDE_FAILED: 'fatal',
  BAD_IF: 'warning',
  FATAL: 'fatal',
  MULTIPLE_FILES: 'warning',
  UNKNOWN_KEYWORD: 'warning',
  UNEXPECTED_BOB: 'error',
  MISSING_BOB: 'error',
  UNEXPECTED_EOB: 'error',
  MISSING_EOB: 'error',
  UNMATCHED_QUOTE: 'error',
  MISSING_PARAMETER: 'fatal',
  INVALID_NUMBER: 'error',
  GENERAL_ERROR: 'error',
  WARNING: 'warning',
  DEPRECATED: 'warning',
  SECURITY_ERROR: 'security',
  UNSUPPORTED: 'unsupported',
  NOTICE: 'info',
  LIMIT: 'error',
};

export function diagnostic(code: DiagnosticCode, loc: Loc, message: string): Diagnostic {
  return { severity: SEVERITY[code], code, file: loc.file, line: loc.line, column: loc.column, message };
}

/**
 * keepalived's rendering: `(FILE: Line N) message`, or the bare message when it has no line.
 * Our own notes (what keepalived-ts does not act on) say so, to tell them from keepalived's texts.
 */
export function formatDiagnostic(d: Diagnostic): string {
  const message = d.severity === 'unsupported' ? `keepalived-ts: ${d.message}` : d.message;
  return d.line > 0 ? `(${d.file}: Line ${d.line}) ${message}` : message;
}

/** `keepalived -t` exit codes (2.2.7 core/main.c `config_test_exit()`, lib/utils.h). */
const CONFIG_TEST_EXIT = {
  ok: 0,
  missingParameter: 2,
  cannotRun: 4,
  configError: 5,
  security: 6,
  noConfig: 6,
} as const;

/**
 * The exit code keepalived 2.2.7 `-t` would give for these diagnostics. A missing parameter makes
 * keepalived's parser exit(2) on the spot; a failed strict include exits 6; otherwise the highest
 * class seen decides (which is why a single warning next to a cannot-run error still gives 5).
 */
export function configTestExitCode(diagnostics: readonly Diagnostic[]): number {
  if (diagnostics.some((d) => d.code === 'MISSING_PARAMETER')) return CONFIG_TEST_EXIT.missingParameter;
  // keepalived main(): a failed strict include exits KEEPALIVED_EXIT_NO_CONFIG before the ladder.
  if (diagnostics.some((d) => d.code === 'INCLUDE_FAILED')) return CONFIG_TEST_EXIT.noConfig;
  let worst = -1;
  for (const d of diagnostics) {
    // Our own guards (LIMIT) count as the general error keepalived would have hit instead.
    const cls = d.code === 'LIMIT' ? 'GENERAL_ERROR' : d.code;
    const rank = (KEEPALIVED_CLASSES as readonly string[]).indexOf(cls);
    if (rank > worst) worst = rank;
  }
  if (worst < 0) return CONFIG_TEST_EXIT.ok;
  const cls = KEEPALIVED_CLASSES[worst] as KeepalivedClass;
  if (cls === 'SECURITY_ERROR') return CONFIG_TEST_EXIT.security;
  if (cls === 'FILE_NOT_FOUND' || cls === 'BAD_IF' || cls === 'FATAL') return CONFIG_TEST_EXIT.cannotRun;
  return CONFIG_TEST_EXIT.configError;
}
