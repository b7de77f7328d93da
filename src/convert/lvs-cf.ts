/**
 * Piranha's lvs.cf (read by pulse, lvsd and nanny; lvs.cf(5)): `key = value` lines, global, then
 * `virtual NAME { ... }` blocks holding `server NAME { ... }` blocks (and `failover NAME { ... }`
 * blocks for `service = fos`). Values are the rest of the line, or a double-quoted string with C
 * escapes; `#` starts a comment outside quotes. This reads the text into settings with their line
 * numbers; from-lvs-cf.ts gives them meaning. Pure.
 */
import { ConvertError } from './format.js';
import { decodeCEscapes } from './c-escapes.js';

export interface Setting {
  readonly key: string;
  /** The value, quotes removed and C escapes decoded (one char per byte). */
  readonly value: string;
  readonly line: number;
}

/** The settings of one level (global, a virtual, a server), last one winning like Piranha's reader. */
export interface Settings {
  readonly byKey: ReadonlyMap<string, Setting>;
  /** Every setting in file order, repeats included. */
  readonly all: readonly Setting[];
}

export interface LvsServer {
  readonly name: string;
  readonly line: number;
  readonly settings: Settings;
}

export interface LvsVirtual {
  readonly name: string;
  readonly line: number;
  readonly settings: Settings;
  readonly servers: readonly LvsServer[];
}

/** A `failover NAME { }` block (service = fos): read so the converter can say it skips it. */
export interface LvsFailover {
  readonly name: string;
  readonly line: number;
}

export interface LvsCf {
  readonly globals: Settings;
  readonly virtuals: readonly LvsVirtual[];
  readonly failovers: readonly LvsFailover[];
}

interface OpenBlock {
  readonly kind: 'virtual' | 'server' | 'failover';
  readonly name: string;
  readonly line: number;
  readonly all: Setting[];
  readonly servers: LvsServer[];
}

function settingsOf(all: Setting[]): Settings {
  return { all, byKey: new Map(all.map((s) => [s.key, s])) };
}

/** The line without its comment; `#` inside double quotes is text. */
function stripComment(line: string): string {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\' && quoted) i++;
    else if (c === '"') quoted = !quoted;
    else if (c === '#' && !quoted) return line.slice(0, i);
  }
  return line;
}

/** A value: a quoted string (escapes decoded, nothing may follow it) or the trimmed rest of the line. */
function readValue(raw: string, where: string): string {
  if (!raw.startsWith('"')) return raw;
  for (let i = 1; i < raw.length; i++) {
    if (raw[i] === '\\') i++;
    else if (raw[i] === '"') {
      if (raw.slice(i + 1).trim() !== '')
        throw new ConvertError(`${where}: text after the closing quote: '${raw.slice(i + 1).trim()}'`);
      return decodeCEscapes(raw.slice(1, i));
    }
  }
  throw new ConvertError(`${where}: unterminated quoted string`);
}

/** Reads lvs.cf text; throws ConvertError `FILE:LINE: message` for what cannot be read. */
export function parseLvsCf(text: string, file: string): LvsCf {
  const globals: Setting[] = [];
  const virtuals: LvsVirtual[] = [];
  const failovers: LvsFailover[] = [];
  const stack: OpenBlock[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((rawLine, index) => {
    const line = index + 1;
    const where = `${file}:${line}`;
    const body = stripComment(rawLine).trim();
    if (body === '') return;
    const top = stack[stack.length - 1];
    if (body === '}') {
      const done = stack.pop();
      if (done === undefined) throw new ConvertError(`${where}: '}' closes no block`);
      const settings = settingsOf(done.all);
      const parent = stack[stack.length - 1];
      if (done.kind === 'server') parent?.servers.push({ name: done.name, line: done.line, settings });
      else if (done.kind === 'virtual')
        virtuals.push({ name: done.name, line: done.line, settings, servers: done.servers });
      else failovers.push({ name: done.name, line: done.line });
      return;
    }
    const block = /^(\S+)\s+(\S+)\s*\{$/.exec(body) ?? /^(\S+)\s*\{$/.exec(body);
    if (block) {
      const kind = block[1] as string;
      const name = block[2] ?? '';
      if (name === '') throw new ConvertError(`${where}: '${kind}' block without a name`);
      if (kind === 'server') {
        if (top?.kind !== 'virtual')
          throw new ConvertError(`${where}: 'server ${name}' outside a virtual block`);
      } else if (kind === 'virtual' || kind === 'failover') {
        if (top !== undefined)
          throw new ConvertError(
            `${where}: '${kind} ${name}' inside the ${top.kind} block of line ${top.line}`,
          );
      } else {
        throw new ConvertError(`${where}: unknown block '${kind}' (lvs.cf has virtual, server and failover)`);
      }
      stack.push({ kind, name, line, all: [], servers: [] });
      return;
    }
    const setting = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(body);
    if (!setting) {
      if (/^(virtual|server|failover)\s+\S+$/.test(body))
        throw new ConvertError(`${where}: '{' must end the line that opens the block`);
      throw new ConvertError(`${where}: expected 'key = value', 'NAME {' or '}', not '${body}'`);
    }
    const key = setting[1] as string;
    const value = readValue((setting[2] as string).trim(), where);
    (top?.all ?? globals).push({ key, value, line });
  });
  const open = stack[stack.length - 1];
  if (open !== undefined)
    throw new ConvertError(`${file}:${open.line}: '${open.kind} ${open.name}' is never closed`);
  return { globals: settingsOf(globals), virtuals, failovers };
}

/** Whether `text` looks like lvs.cf: `service = lvs|fos`, `primary = ...` or `virtual NAME {`. */
export function looksLikeLvsCf(text: string): boolean {
  return /^\s*(service\s*=\s*(lvs|fos)\b|primary\s*=|virtual\s+\S+\s*\{)/m.test(text);
}
