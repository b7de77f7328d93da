/**
 * README's test line is what CI runs: `.ci/run` holds exactly that line (README says so, and a
 * newcomer runs README's line on a fresh machine).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

describe('the test command', () => {
  it('.ci/run runs README’s test line and nothing else', () => {
    const readme = read('README.md');
    const block = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const line = block.split('\n').find((l) => l.includes('npm test'));
    expect(line).toBe('npm run setup:test-host && npm ci && npm test');
    const commands = read('.ci/run')
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.startsWith('#'));
    expect(commands).toEqual(['set -euo pipefail', 'cd "$(dirname "$0")/.."', line]);
  });
});
