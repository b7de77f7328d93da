/**
 * The man pages stay complete: keepalived-ts(8) documents every option the command line accepts
 * (cli/args.ts), and both pages are in the package (package.json `man`, installed by npm).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OPTION_NAMES, optionLabel } from '../../src/cli/args.js';

const root = new URL('../../', import.meta.url);
const page = readFileSync(new URL('man/keepalived-ts.8', root), 'utf8');
/** roff escapes `-` as `\-`. */
const roff = (s: string): string => s.replace(/-/g, '\\-');

describe('man/keepalived-ts.8', () => {
  it('names every option', () => {
    const missing = OPTION_NAMES.filter((name) => {
      // The long form (`-S/--log-facility` -> `--log-facility`), as a whole word: `\-\-all` must
      // not be found inside `\-\-all\-config`.
      const long = optionLabel(name).split('/').at(-1) ?? '';
      const escaped = roff(long).replace(/\\/g, '\\\\');
      return !new RegExp(`${escaped}(?![a-z_]|\\\\-)`).test(page);
    });
    expect(missing).toEqual([]);
  });

  it('both pages are in the package', () => {
    const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
      man: string[];
      files: string[];
    };
    expect(pkg.man).toEqual(['./man/keepalived-ts.8', './man/keepalived-ts.conf.5']);
    expect(pkg.files).toContain('man');
  });
});
