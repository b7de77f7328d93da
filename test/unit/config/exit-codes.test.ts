import { describe, expect, it } from 'vitest';
import {
  configTestExitCode,
  diagnostic,
  formatDiagnostic,
  type DiagnosticCode,
} from '../../../src/config/diagnostics.js';

const at = { file: 'k.conf', line: 3, column: 2 };
const exit = (...codes: DiagnosticCode[]) => configTestExitCode(codes.map((c) => diagnostic(c, at, 'x')));

describe('-t exit codes (keepalived 2.2.7 config_test_exit())', () => {
  it.each<[DiagnosticCode[], number]>([
    [[], 0],
    [['NOTICE', 'UNSUPPORTED'], 0],
    [['WARNING'], 5],
    [['UNKNOWN_KEYWORD'], 5],
    [['DEPRECATED'], 5],
    [['FILE_NOT_FOUND'], 4],
    [['BAD_IF'], 4],
    // keepalived keeps the highest class, so any warning turns "cannot run" into 5.
    [['FILE_NOT_FOUND', 'WARNING'], 5],
    [['SECURITY_ERROR', 'WARNING'], 6],
    [['SECURITY_ERROR', 'MISSING_PARAMETER'], 2],
    [['LIMIT'], 5],
    // A failed strict include (includea, -e): keepalived exits "no config" before the ladder.
    [['INCLUDE_FAILED', 'WARNING'], 6],
  ])('%j -> %i', (codes, expected) => {
    expect(exit(...codes)).toBe(expected);
  });

  it('renders like keepalived and marks our own notes', () => {
    expect(formatDiagnostic(diagnostic('WARNING', at, 'hello'))).toBe('(k.conf: Line 3) hello');
    expect(formatDiagnostic(diagnostic('SECURITY_ERROR', { file: '', line: 0, column: 0 }, 'S'))).toBe('S');
    expect(formatDiagnostic(diagnostic('UNSUPPORTED', at, 'use_vmac: not supported'))).toBe(
      '(k.conf: Line 3) keepalived-ts: use_vmac: not supported',
    );
  });
});
