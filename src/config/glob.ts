/**
 * glob(3) as keepalived calls it for `-f` and `include`: `GLOB_BRACE | GLOB_MARK`, backslash
 * escapes, `*` `?` `[...]` per path component, no match for a leading `.` unless the pattern has
 * one, sorted matches per brace alternative. Relative patterns are resolved against `baseDir`
 * (keepalived `chdir()`s into the directory of each file it opens), but matches are reported the
 * way glob returns them, relative to that directory, because that is the file name keepalived
 * prints in its messages.
 */
import { posix as path } from 'node:path';
import type { ConfigFs } from './config-fs.js';

export interface GlobMatch {
  /** As glob(3) returns it (directories end in `/` because of GLOB_MARK). */
  readonly name: string;
  readonly resolved: string;
}

export interface GlobResult {
  readonly matches: readonly GlobMatch[];
  /** A path without wildcards did not exist, or a directory could not be opened. */
  readonly missing: boolean;
  readonly wildcards: boolean;
  /** The pattern has `{...}` alternatives. */
  readonly braces: boolean;
}

const MAX_BRACE_ALTERNATIVES = 1024;

/** Expand `{a,b}` alternatives (nested allowed; `\` escapes; an unbalanced `{` is literal). */
function expandBraces(pattern: string): string[] {
  let depth = 0;
  let open = -1;
  const commas: number[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      i++;
    } else if (c === '{') {
      if (depth === 0) open = i;
      depth++;
    } else if (c === ',' && depth === 1) {
      commas.push(i);
    } else if (c === '}' && depth > 0) {
      depth--;
      if (depth === 0) {
        const head = pattern.slice(0, open);
        const tail = pattern.slice(i + 1);
        const cuts = [open, ...commas, i];
        const out: string[] = [];
        for (let k = 0; k + 1 < cuts.length; k++) {
          const alt = pattern.slice((cuts[k] as number) + 1, cuts[k + 1]);
          for (const expanded of expandBraces(head + alt + tail)) {
            out.push(expanded);
            if (out.length >= MAX_BRACE_ALTERNATIVES) return out;
          }
        }
        return out;
      }
    }
  }
  return [pattern];
}

const hasMagic = (segment: string): boolean => /(^|[^\\])[*?[]/.test(segment);
const unescape = (s: string): string => s.replace(/\\(.)/g, '$1');

/** fnmatch(3) for one path component, as a RegExp. */
function segmentRegExp(segment: string): RegExp {
  let re = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i] as string;
    if (c === '\\' && i + 1 < segment.length) {
      re += escapeRe(segment[++i] as string);
    } else if (c === '*') {
      re += '[^/]*';
    } else if (c === '?') {
      re += '[^/]';
    } else if (c === '[') {
      const close = segment.indexOf(']', i + 2);
      if (close < 0) {
        re += '\\[';
        continue;
      }
      let body = segment.slice(i + 1, close);
      let negate = false;
      if (body.startsWith('!') || body.startsWith('^')) {
        negate = true;
        body = body.slice(1);
      }
      re += `[${negate ? '^' : ''}${body.replace(/[\\\]^]/g, (m) => `\\${m}`)}]`;
      i = close;
    } else {
      re += escapeRe(c);
    }
  }
  return new RegExp(`^${re}$`, 's');
}

const escapeRe = (c: string): string => c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

export function glob(pattern: string, baseDir: string, fs: ConfigFs): GlobResult {
  const alternatives = expandBraces(pattern);
  const matches: GlobMatch[] = [];
  let missing = false;
  let wildcards = false;
  for (const alt of alternatives) {
    const result = globOne(alt, baseDir, fs);
    matches.push(...result.matches);
    missing ||= result.missing;
    wildcards ||= result.wildcards;
  }
  return { matches, missing, wildcards, braces: alternatives.length > 1 || pattern.includes('{') };
}

function globOne(pattern: string, baseDir: string, fs: ConfigFs): GlobResult {
  const absolute = pattern.startsWith('/');
  const segments = pattern.split('/').filter((s) => s !== '');
  // Each candidate: [name as glob prints it, resolved absolute path].
  let candidates: [string, string][] = [[absolute ? '/' : '', absolute ? '/' : baseDir]];
  let missing = false;
  let wildcards = false;
  for (const segment of segments) {
    const next: [string, string][] = [];
    if (!hasMagic(segment)) {
      const literal = unescape(segment);
      for (const [name, resolved] of candidates)
        next.push([joinName(name, literal), path.join(resolved, literal)]);
    } else {
      wildcards = true;
      const re = segmentRegExp(segment);
      const dotOk = segment.startsWith('.');
      for (const [name, resolved] of candidates) {
        const entries = fs.readdir(resolved);
        if (!entries) {
          missing = true;
          continue;
        }
        const found = entries.filter((e) => (dotOk || !e.startsWith('.')) && re.test(e)).sort(byteOrder);
        for (const e of found) next.push([joinName(name, e), path.join(resolved, e)]);
      }
    }
    candidates = next;
  }
  const matches: GlobMatch[] = [];
  for (const [name, resolved] of candidates) {
    const info = fs.stat(resolved);
    if (!info) {
      if (!wildcards) missing = true;
      continue;
    }
    matches.push({ name: info.kind === 'dir' && !name.endsWith('/') ? `${name}/` : name, resolved });
  }
  return { matches, missing, wildcards, braces: false };
}

function joinName(dir: string, entry: string): string {
  if (dir === '') return entry;
  return dir.endsWith('/') ? dir + entry : `${dir}/${entry}`;
}

const byteOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
