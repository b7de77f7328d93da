// `npm run lint` (with eslint and prettier): every path the project names in its code, tests, docs
// and scripts (`docs/…`, `src/…`, `test/…`, …, and relative Markdown links) must exist in the
// repository, and no relative path may climb above the repository root. The
// project stands alone: knowledge it relies on lives in its own docs and fixtures.
import console from 'node:console';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TOP = [
  'docs',
  'src',
  'test',
  'scripts',
  'bench',
  'native',
  'man',
  'systemd',
  'etc',
  'grammar',
  'demo',
  '.ci',
];
/** Made by the build, not kept in git. */
const GENERATED = [/^src\/config\/generated(\/|$)/, /^dist\//, /^build\//, /^pkg\//, /^prebuilds\//];
/** Folders the build makes (absent from a fresh checkout until `npm run build`). */
const BUILT = new Set(['dist', 'build', 'pkg', 'prebuilds', 'node_modules']);
/** Paths on the target system, not in the repository (the .deb's layout). */
const TARGET = new Map([['scripts/package-deb.mjs', [/^etc\/default(\/|$)/]]]);
/** Files whose relative paths are test data, not references: an in-memory file system, lint inputs. */
const PATHS_AS_DATA = new Set([
  'test/unit/config/preprocess.test.ts',
  'test/unit/lint/eslint-layers.test.ts',
]);
const SCANNED_DIRS = ['src', 'test', 'docs', 'scripts', 'bench', 'demo', 'man', 'systemd', 'native', '.ci'];
const SKIP_DIRS = new Set(['node_modules', 'fixtures', 'generated']);
const EXT = /\.(ts|mjs|js|md|c|sh|service|[58]|yml|json)$|^run$/;

function* files(dir) {
  for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name)) yield* files(p);
    } else if (EXT.test(e.name)) yield p;
  }
}

const pathToken = new RegExp(
  `(?<![\\w./-])((?:${TOP.map((t) => t.replace('.', '\\.')).join('|')})/[\\w./-]*[\\w-])`,
  'g',
);
const mdLink = /\]\((?!https?:|mailto:|#)([^)\s#]+)(?:#[^)]*)?\)/g;
// Also section citations of documents the project does not have (`reference §2.1`, `design §3`).
const outside = /\b(?:reference|design)(?:\.md)? §|house[- ]style(?:\.md)? §/g;
/** `../…` written in a file: it must stay inside the repository from that file's folder. */
const climbing = /(?<![\w./])((?:\.\.\/)+)[\w.-]+(?:\/[\w.-]+)*/g;

/**
 * `p` from the repository root or from the naming file's folder (test/netns names its
 * `scripts/…`); a name without its extension (`bench/parse`, `test/netns/corpus-verdicts`) counts
 * when a file of that name with one exists.
 */
function named(p, from) {
  for (const base of [root, join(root, dirname(from))]) {
    const full = join(base, p);
    if (existsSync(full)) return true;
    const dir = dirname(full);
    if (existsSync(dir) && readdirSync(dir).some((f) => f.startsWith(`${p.split('/').at(-1)}.`))) return true;
  }
  return false;
}

const problems = [];
const self = 'scripts/check-references.mjs';
const all = [
  'README.md',
  ...SCANNED_DIRS.filter((d) => existsSync(join(root, d))).flatMap((d) => [...files(d)]),
];
for (const file of all) {
  if (file === self) continue;
  const text = readFileSync(join(root, file), 'utf8');
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    const where = `${file}:${i + 1}`;
    for (const m of line.matchAll(outside))
      problems.push(`${where}: cites a document not in the repository: ${m[0]}`);
    // package-deb.mjs writes the installed system's links (`../lib/keepalived-ts/...`).
    for (const m of TARGET.has(file) || PATHS_AS_DATA.has(file) ? [] : line.matchAll(climbing)) {
      const target = normalize(join(dirname(file), m[0])).replace(/\.+$/, '');
      const top = target.split('/')[0] ?? '';
      if (target.startsWith('..')) problems.push(`${where}: points outside the repository: ${m[0]}`);
      else if (BUILT.has(top) || GENERATED.some((g) => g.test(target))) continue;
      else if (!existsSync(join(root, top)))
        problems.push(`${where}: no such folder in the repository: ${m[0]}`);
      // The whole path must exist; TypeScript imports name a `.ts` file by its `.js` output.
      else if (!existsSync(join(root, target)) && !existsSync(join(root, target.replace(/\.js$/, '.ts'))))
        problems.push(`${where}: no such file in the repository: ${m[0]}`);
    }
    for (const m of line.matchAll(pathToken)) {
      const p = m[1].replace(/[.]+$/, '');
      if (GENERATED.some((g) => g.test(p)) || (TARGET.get(file) ?? []).some((g) => g.test(p))) continue;
      // A glob or a placeholder (`test/adapters/check-*.test.ts`, `docs/<name>.md`) names no one file.
      const next = line[(m.index ?? 0) + m[0].length] ?? '';
      if ('*{<'.includes(next) && next !== '') continue;
      if (!named(p, file)) problems.push(`${where}: no such file in the repository: ${p}`);
    }
    if (file.endsWith('.md')) {
      for (const m of line.matchAll(mdLink)) {
        const target = normalize(join(dirname(file), m[1]));
        if (target.startsWith('..')) problems.push(`${where}: link leaves the repository: ${m[1]}`);
        else if (!existsSync(join(root, target))) problems.push(`${where}: broken link: ${m[1]}`);
      }
    }
  });
}
if (problems.length > 0) {
  console.error(problems.join('\n'));
  console.error(`check-references: ${problems.length} reference(s) to files that are not in the repository`);
  process.exitCode = 1;
} else {
  console.log(`check-references: ${all.length} files, every path they name exists`);
}
