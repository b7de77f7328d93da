import { describe, expect, it } from 'vitest';
import { signum } from '../../../src/cli/signum.js';

describe('keepalived --signum', () => {
  it.each([
    ['STOP', 15],
    ['RELOAD', 1],
    ['DATA', 10],
    ['STATS', 12],
    ['STATS_CLEAR', 63],
    ['JSON', 36],
  ])('%s is %d', (name, n) => {
    expect(signum(name)).toBe(n);
  });

  // keepalived compares with strcmp(): no lower case, no SIG prefix, no debug-build TDUMP.
  it.each(['stop', 'SIGTERM', 'TDUMP', '', 'toString', 'constructor'])('%j is unknown', (name) => {
    expect(signum(name)).toBeNull();
  });
});
