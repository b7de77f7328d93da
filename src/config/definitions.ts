/**
 * `$NAME=value` definitions and `$NAME` / `${NAME}` substitution, as keepalived 2.2.7 does them
 * (lib/parser.c `check_definition()`, `find_definition()`, `replace_param()`).
 *
 * - A definition line is `$NAME=value`; NAME is `[A-Za-z_][A-Za-z0-9_]*` and no blank may come
 *   before `=`. A value ending in `\` continues on the following lines (multi-line definition).
 * - `$NAME` is replaced only when followed by a blank, `,`, `)` or the end of the line;
 *   `${NAME}` anywhere. An undefined name is left as it is.
 * - A multi-line value is expanded only by a reference that ends the line; its first line replaces
 *   the reference and each further line becomes a logical line of its own.
 * - Built-ins: `${_PWD}` (directory of the current file), `${_INSTANCE}` (config-id),
 *   `${_RANDOM [min [max]]}` (0..32767), `${_HASH}` (`#`), `${_BANG}` (`!`).
 */
import { SourceText } from './source-text.js';

/** keepalived's MAXBUF: a logical line is at most 1023 characters. */
export const MAX_LINE = 1024;
/** Our guard against self-referencing definitions (`$A=$A` loops forever in keepalived). */
const MAX_REPLACEMENTS_PER_LINE = 256;

type Builtin = 'pwd' | 'instance' | 'random';

interface Definition {
  value: string;
  multiline: boolean;
  builtin: Builtin | undefined;
}

export interface DefinitionEnv {
  readonly configId: string;
  /** Uniform integer in [min, max]. Injected so tests and `random_seed` are reproducible. */
  readonly randomInt: (min: number, max: number) => number;
}

export interface ParsedDefinition {
  readonly name: string;
  readonly value: string;
  /** The value ends in `\`: following lines are part of it. */
  readonly continues: boolean;
}

export interface Substitution {
  readonly line: SourceText;
  /** Whether any reference was replaced (keepalived re-examines the line only then). */
  readonly replaced: boolean;
  /** Further lines of multi-line values, in the order they are to be read. */
  readonly continuation: readonly string[];
  /** Set when keepalived would stop: the result would exceed the line length, or a loop. */
  readonly problem: 'too-long' | 'loop' | undefined;
}

const isAlpha = (c: string | undefined): boolean => c !== undefined && /[A-Za-z]/.test(c);
const isNameChar = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_]/.test(c);
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

export class Definitions {
  private readonly defs = new Map<string, Definition>();

  constructor(private readonly env: DefinitionEnv) {
    this.defs.set('_PWD', { value: '', multiline: false, builtin: 'pwd' });
    this.defs.set('_INSTANCE', { value: '', multiline: false, builtin: 'instance' });
    this.defs.set('_RANDOM', { value: '', multiline: false, builtin: 'random' });
    this.defs.set('_HASH', { value: '#', multiline: false, builtin: undefined });
    this.defs.set('_BANG', { value: '!', multiline: false, builtin: undefined });
  }

  /** Recognise `$NAME=value` (keepalived `check_definition()`); undefined if the line is not one. */
  static parse(text: string): ParsedDefinition | undefined {
    if (text[0] !== '$' || !(isAlpha(text[1]) || text[1] === '_')) return undefined;
    let p = 2;
    while (p < text.length && text[p] !== '=') {
      if (!isNameChar(text[p])) return undefined;
      p++;
    }
    if (text[p] !== '=') return undefined;
    const name = text.slice(1, p);
    let value = text.slice(p + 1).replace(/^[ \t]+/, '');
    const continues = value.endsWith('\\');
    if (continues) value = value.slice(0, -1).replace(/[ \t]+$/, '');
    return { name, value, continues };
  }

  define(name: string, value: string, multiline: boolean): void {
    this.defs.set(name, { value, multiline, builtin: undefined });
  }

  /** Append one line to a multi-line definition being read. */
  append(name: string, line: string): void {
    const def = this.defs.get(name);
    if (def) def.value = def.value === '' ? line : `${def.value}\n${line}`;
  }

  /** A multi-line definition that collected no text is an ordinary empty one. */
  finish(name: string): void {
    const def = this.defs.get(name);
    if (def && def.value === '') def.multiline = false;
  }

  has(name: string): boolean {
    return this.defs.has(name);
  }

  /** Replace every reference in the line (keepalived `replace_param()`); `pwd` is the current directory. */
  substitute(input: SourceText, pwd: string): Substitution {
    let line = input;
    let replaced = false;
    let continuation: string[] = [];
    let count = 0;
    let pos = line.text.indexOf('$');
    while (pos >= 0 && pos + 1 < line.length) {
      const ref = this.lookup(line.text, pos + 1);
      if (!ref) {
        pos = line.text.indexOf('$', pos + 1);
        continue;
      }
      if (++count > MAX_REPLACEMENTS_PER_LINE) {
        return { line, replaced: false, continuation, problem: 'loop' };
      }
      const value = this.valueOf(ref.def, ref.params, pwd);
      let first = value;
      if (ref.def.multiline) {
        const lines = value.split('\n');
        first = lines[0] ?? '';
        const rest = lines.slice(1);
        if (rest.length > 0 && rest[rest.length - 1] === '') rest.pop();
        continuation = rest.concat(continuation);
      }
      if (line.length - ref.length + first.length >= MAX_LINE) {
        return { line, replaced: false, continuation: [], problem: 'too-long' };
      }
      line = line.splice(pos, ref.length, first, line.columnAt(pos));
      replaced = true;
      // keepalived stops substituting once a value starts with '~' (it is a sequence to expand later).
      if (value.replace(/^[ \t]+/, '').startsWith('~')) break;
      pos = line.text.indexOf('$', pos);
    }
    return { line, replaced, continuation, problem: undefined };
  }

  private valueOf(def: Definition, params: readonly number[], pwd: string): string {
    switch (def.builtin) {
      case 'pwd':
        return pwd;
      case 'instance':
        return this.env.configId;
      case 'random': {
        const min = params.length >= 2 ? (params[0] as number) : 0;
        const max =
          params.length >= 2 ? (params[1] as number) : params.length === 1 ? (params[0] as number) : 32767;
        if (params.length === 1) return String(this.env.randomInt(0, max));
        return String(this.env.randomInt(Math.min(min, max), Math.max(min, max)));
      }
      case undefined:
        return def.value;
    }
  }

  /**
   * keepalived `find_definition()`: the reference starting at `at` (just after `$`), with the
   * number of characters it spans counting the `$`.
   */
  private lookup(
    text: string,
    at: number,
  ): { def: Definition; length: number; params: readonly number[] } | undefined {
    const braces = text[at] === '{';
    const start = braces ? at + 1 : at;
    if (!(isAlpha(text[start]) || text[start] === '_')) return undefined;
    let end = start + 1;
    while (isNameChar(text[end])) end++;
    const name = text.slice(start, end);
    let p = end;
    let paramText = '';
    if (braces) {
      while (text[p] === ' ' || isDigit(text[p])) p++;
      paramText = text.slice(end, p);
      if (paramText.trim() !== '' && paramText.endsWith(' ')) return undefined;
      if (text[p] !== '}') return undefined;
    } else if (!(p === text.length || ' \t,)'.includes(text[p] as string))) {
      return undefined;
    }
    const atEnd = braces ? p + 1 === text.length : p === text.length;
    const def = this.defs.get(name);
    if (!def || (def.multiline && !atEnd)) return undefined;
    const params = paramText.trim() === '' ? [] : paramText.trim().split(/ +/).map(Number);
    if (params.length > 0 && def.builtin !== 'random') return undefined;
    const length = (braces ? p + 1 : p) - (at - 1);
    return { def, length, params: params.slice(0, 2) };
  }
}
