/**
 * The shell recipes of the project's docs, read from their ```sh blocks, so the system test runs
 * exactly what an operator copies: `sudo ` dropped (the test is root), trailing `# comments`
 * dropped, and `-f` (follow) replaced by a plain read so the command ends.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../netns/netns.js';

/** Every line of a ```sh block in `doc` (a path under the package root) that starts with `prefix`. */
export function docRecipes(doc: string, prefix: string): string[] {
  const text = readFileSync(join(PACKAGE_ROOT, doc), 'utf8');
  const out: string[] = [];
  for (const block of text.matchAll(/^```sh\n([\s\S]*?)^```/gm)) {
    for (const raw of (block[1] ?? '').split('\n')) {
      const line = raw
        .replace(/^sudo /, '')
        .replace(/\|\s*sudo /g, '| ')
        .replace(/\s{2,}#\s.*$/, '')
        .replace(/ -f(?= |$)/, ' --no-pager')
        .trim();
      if (line.startsWith(prefix)) out.push(line);
    }
  }
  if (out.length === 0) throw new Error(`${doc} has no \`${prefix}\` recipe in a sh block`);
  return out;
}

/** The one recipe of `doc` that starts with `prefix` and contains `marker`. */
export function docRecipe(doc: string, prefix: string, marker: string): string {
  const found = docRecipes(doc, prefix).filter((l) => l.includes(marker));
  if (found.length !== 1) throw new Error(`${doc}: ${found.length} recipes with "${marker}", expected 1`);
  return found[0] ?? '';
}
