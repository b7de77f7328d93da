/**
 * keepalived's line pipeline (lib/parser.c `read_line()`, 2.2.7), run before the PEG grammar:
 * files and includes are read, lines are decommented, `@id` conditionals, `$NAME=` definitions,
 * `~SEQ`/`~LST` sequences and `$NAME` substitution are applied, and every `{` or `}` outside
 * quotes is split onto a logical line of its own. The result is a list of logical lines, each
 * still knowing the file, line and column of every character (keepalived 2.2.7 lib/parser.c: comments, includes, $definitions, @conditionals, ~SEQ and braces, in read_line()'s order).
 *
 * Guards keepalived lacks (reported as LIMIT errors): include loops and depth, self-referencing
 * definitions, runaway sequences and a cap on the logical lines expansions may add.
 */
import { posix as path } from 'node:path';
import type { ConfigFs } from './config-fs.js';
import { decomment } from './decomment.js';
import { Definitions, MAX_LINE } from './definitions.js';
import { diagnostic, type Diagnostic, type DiagnosticCode, type Loc } from './diagnostics.js';
import { glob, type GlobMatch } from './glob.js';
import { parseLst, parseSeq, type Sequence } from './sequences.js';
import { SourceText, type Origin } from './source-text.js';

export interface PreprocessOptions {
  readonly fs: ConfigFs;
  /** Directory a relative `-f` is resolved against. */
  readonly cwd: string;
  /** `-i/--config-id`; keepalived's default is the host name up to the first dot. */
  readonly configId: string;
  readonly randomInt: (min: number, max: number) => number;
  /** `-e/--all-config`: a missing include file is an error. */
  readonly allConfig?: boolean;
}

export interface Preprocessed {
  /** How many logical lines went to the sink. */
  readonly lines: number;
  readonly diagnostics: readonly Diagnostic[];
  /** Resolved paths of every file read, in order. */
  readonly files: readonly string[];
}

const MAX_INCLUDE_DEPTH = 32;
/**
 * Logical lines that definitions and sequences may add (a `~SEQ` or a definition that refers to
 * itself can otherwise run away). Lines read from files are not capped: their number is the
 * files' own, like keepalived's (a 2,000,000-line config reads in full).
 */
const MAX_EXPANDED_LINES = 1_000_000;
/** Expansions within expansions: `$M=a \` + `$M` would otherwise expand forever. */
const MAX_EXPANSION_DEPTH = 32;
const MAX_RECHECKS = 64;

/** include check flags (keepalived include_t): what makes a failed include an error. */
const INC_READ = 1;
const INC_MISSING = 2;
const INC_WILDCARD = 4;
const INC_BRACE = 8;
/** The `-f` file itself: any problem with it means there is no config (our exit 4). */
const MAIN_FILE = 16;
const INCLUDE_FLAGS: Record<string, number> = {
  include: 0,
  includer: INC_READ,
  includem: INC_READ | INC_MISSING,
  includew: INC_READ | INC_MISSING | INC_WILDCARD,
  includeb: INC_READ | INC_BRACE,
  includea: INC_READ | INC_MISSING | INC_BRACE | INC_WILDCARD,
};

type Raw = SourceText | 'blank' | undefined;

/** Characters that make a line need keepalived's full decomment() (or a CR to strip, or a NUL). */
const NEEDS_DECOMMENT = /["#!\\\r\0]/;
const isBlank = (c: number): boolean => c === 32 || c === 9;
const OPEN = 123; // {
const CLOSE = 125; // }
const DQUOTE = 34; // "

interface Source {
  /** Directory of the file being read (for `${_PWD}` and relative includes). */
  readonly dir: string;
  /** The resolved file path, for include loop detection (undefined for expansions). */
  readonly file: string | undefined;
  /** 0 for files; one more than the line that started it for expansions and sequences. */
  readonly depth: number;
  next(): Raw;
}

/** Reads one file's physical lines as keepalived's fgets() loop does. */
class FileSource implements Source {
  readonly depth = 0;
  /** The whole file; physical lines are cut from it one at a time (no array of lines). */
  private readonly text: string;
  private pos = 0;
  private index = 0;
  private pending: (SourceText | 'blank')[] = [];

  constructor(
    readonly name: string,
    readonly file: string,
    bytes: Uint8Array,
    private readonly report: (code: DiagnosticCode, loc: Loc, message: string) => void,
  ) {
    // latin1 keeps one character per byte, so line lengths and columns are keepalived's.
    const text = Buffer.from(bytes).toString('latin1');
    this.text = text;
  }

  get dir(): string {
    return path.dirname(this.file);
  }

  next(): Raw {
    for (;;) {
      const queued = this.pending.shift();
      if (queued !== undefined) return queued;
      if (this.pos >= this.text.length) return undefined;
      let nl = this.text.indexOf('\n', this.pos);
      if (nl < 0) nl = this.text.length;
      const physical = this.text.slice(this.pos, nl);
      this.pos = nl + 1;
      this.index++;
      // Fast path (most lines): nothing to decomment, split or report, only blanks to trim.
      if (physical.length < MAX_LINE - 1 && !NEEDS_DECOMMENT.test(physical)) {
        if (physical.length === 0) return 'blank';
        let start = 0;
        let end = physical.length;
        while (start < end && isBlank(physical.charCodeAt(start))) start++;
        while (end > start && isBlank(physical.charCodeAt(end - 1))) end--;
        if (start === end) continue;
        const text = start === 0 && end === physical.length ? physical : physical.slice(start, end);
        return SourceText.at(text, { file: this.name, line: this.index }, start + 1);
      }
      this.read(physical, this.index);
    }
  }

  /** Queue what keepalived's fgets() loop makes of one physical line. */
  private read(physical: string, lineNo: number): void {
    const origin: Origin = { file: this.name, line: lineNo };
    let text = physical;
    const nul = text.indexOf('\0');
    if (nul >= 0) {
      this.report(
        'GENERAL_ERROR',
        { ...origin, column: nul + 1 },
        'configuration appears to have embedded NULs',
      );
      text = text.slice(0, nul);
    }
    // fgets() into a 1024-byte buffer: keepalived 2.2.7 reads a longer line as several lines.
    let chunks = [SourceText.line(text, origin)];
    if (text.length >= MAX_LINE - 1) {
      if (text.length >= MAX_LINE) {
        this.report(
          'GENERAL_ERROR',
          { ...origin, column: MAX_LINE },
          `line too long (${text.length} characters, at most ${MAX_LINE - 1}) - keepalived 2.2.7 reads it as several lines`,
        );
      }
      const whole = SourceText.line(`${text}\n`, origin);
      chunks = [];
      for (let at = 0; at < whole.length; at += MAX_LINE - 1) chunks.push(whole.slice(at, at + MAX_LINE - 1));
    }
    for (const chunk of chunks) {
      const stripped = chunk.trimEnd('\r\n');
      if (stripped.length === 0) {
        this.pending.push('blank');
        continue;
      }
      const { line, unterminatedQuote } = decomment(stripped);
      if (unterminatedQuote !== undefined) {
        this.report('GENERAL_ERROR', { ...origin, column: 1 }, `Unterminated quote '${unterminatedQuote}'`);
      }
      if (line.length > 0) this.pending.push(line);
    }
  }
}

/** The files a glob matched, read one after the other. */
class GlobSource implements Source {
  readonly depth = 0;
  private current: FileSource | undefined;
  private index = 0;

  constructor(
    private readonly matches: readonly GlobMatch[],
    private readonly open: (match: GlobMatch) => FileSource | undefined,
    readonly fallbackDir: string,
  ) {}

  get dir(): string {
    return this.current?.dir ?? this.fallbackDir;
  }

  get file(): string | undefined {
    return this.current?.file;
  }

  next(): Raw {
    for (;;) {
      if (this.current) {
        const raw = this.current.next();
        if (raw !== undefined) return raw;
        this.current = undefined;
      }
      const match = this.matches[this.index++];
      if (!match) return undefined;
      this.current = this.open(match);
    }
  }
}

/** Lines of an expansion (rest of a multi-line definition), all located at the reference. */
class ExpansionSource implements Source {
  private index = 0;
  constructor(
    private readonly lines: readonly string[],
    private readonly loc: Loc,
    readonly dir: string,
    readonly depth: number,
  ) {}
  readonly file = undefined;
  next(): Raw {
    const text = this.lines[this.index++];
    return text === undefined ? undefined : SourceText.synthetic(text, this.loc, this.loc.column);
  }
}

/** A `~SEQ`/`~LST`: each iteration sets its definitions, then its text is read again. */
class SequenceSource implements Source {
  private index = 0;
  constructor(
    private readonly seq: Sequence,
    private readonly text: SourceText,
    private readonly defs: Definitions,
    readonly dir: string,
    readonly depth: number,
  ) {}
  readonly file = undefined;
  next(): Raw {
    const iteration = this.seq.iterations[this.index++];
    if (!iteration) return undefined;
    for (const [name, value] of iteration) this.defs.define(name, value, false);
    return this.text;
  }
}

class Preprocessor {
  readonly diagnostics: Diagnostic[] = [];
  readonly files: string[] = [];
  private lines = 0;
  /** Logical lines that came from expansions (definitions, sequences). */
  private expanded = 0;
  private readonly stack: Source[] = [];
  private readonly defs: Definitions;
  private residue: SourceText | undefined;
  /** Name of the multi-line definition being collected. */
  private collecting: string | undefined;
  /** Expansion depth of the line being processed. */
  private lineDepth = 0;
  private stopped = false;

  constructor(
    private readonly opts: PreprocessOptions,
    private readonly sink: (line: SourceText) => void,
  ) {
    this.defs = new Definitions({ configId: opts.configId, randomInt: opts.randomInt });
  }

  report = (code: DiagnosticCode, loc: Loc, message: string): void => {
    this.diagnostics.push(diagnostic(code, loc, message));
  };

  /** keepalived `check_conf_file()` + reading: the `-f` pattern. */
  run(pattern: string): number {
    const result = glob(pattern, this.opts.cwd, this.opts.fs);
    const usable = result.matches.filter((m) =>
      this.checkFile(m, { file: pattern, line: 0, column: 0 }, MAIN_FILE),
    );
    if (result.matches.length === 0) {
      this.report(
        'FILE_NOT_FOUND',
        { file: pattern, line: 0, column: 0 },
        `Config files missing '${pattern}'.`,
      );
      return this.lines;
    }
    if (usable.length > 1) {
      this.report(
        'MULTIPLE_FILES',
        { file: pattern, line: 0, column: 0 },
        `WARNING, multiple configuration file matches of ${pattern}, starting with ${(usable[0] as GlobMatch).name}`,
      );
    } else if (usable.length === 0) {
      this.report(
        'FILE_NOT_FOUND',
        { file: pattern, line: 0, column: 0 },
        `Unable to find configuration file ${pattern}`,
      );
      return this.lines;
    }
    this.stack.push(
      new GlobSource(
        usable,
        (m) => this.openFile(m, { file: pattern, line: 0, column: 0 }, MAIN_FILE),
        this.opts.cwd,
      ),
    );
    this.loop();
    return this.lines;
  }

  /** keepalived `check_glob_file()`: a regular, non-executable file. */
  private checkFile(match: GlobMatch, at: Loc, flags: number): boolean {
    if (match.name.endsWith('/')) {
      this.fileError(flags, INC_READ, at, `Configuration file '${match.name}' is a directory - skipping`);
      return false;
    }
    const info = this.opts.fs.stat(match.resolved);
    if (!info || info.kind !== 'file' || info.executable) {
      this.fileError(
        flags,
        INC_READ,
        at,
        `Configuration file '${match.name}' is not a regular non-executable file - skipping`,
      );
      return false;
    }
    return true;
  }

  private openFile(match: GlobMatch, at: Loc, flags: number): FileSource | undefined {
    if (!this.checkFile(match, at, flags)) return undefined;
    const bytes = this.opts.fs.readFile(match.resolved);
    if (!bytes) {
      this.fileError(flags, INC_READ, at, `Configuration file '${match.name}' open problem - skipping`);
      return undefined;
    }
    this.files.push(match.resolved);
    return new FileSource(match.name, match.resolved, bytes, this.report);
  }

  /**
   * keepalived `file_config_error()`: an include problem is an error only when the include type
   * (`flags`) asks for that kind (`kind`); otherwise keepalived just logs it.
   */
  private fileError(flags: number, kind: number, at: Loc, message: string): void {
    const code = flags & MAIN_FILE ? 'FILE_NOT_FOUND' : flags & kind ? 'INCLUDE_FAILED' : 'NOTICE';
    this.report(code, at, message);
  }

  /** Directory of the file being read: `${_PWD}`, and what relative includes resolve against. */
  private get dir(): string {
    return this.stack[this.stack.length - 1]?.dir ?? this.opts.cwd;
  }

  private nextRaw(): Raw {
    if (this.residue) {
      const r = this.residue;
      this.residue = undefined;
      return r;
    }
    while (this.stack.length > 0) {
      const top = this.stack[this.stack.length - 1] as Source;
      const raw = top.next();
      if (raw !== undefined) {
        this.lineDepth = top.depth;
        return raw;
      }
      this.stack.pop();
    }
    return undefined;
  }

  /** Start an expansion or sequence from the current line, unless that nests too deep. */
  private pushExpansion(at: Loc, make: (depth: number) => Source): void {
    const depth = this.lineDepth + 1;
    if (depth > MAX_EXPANSION_DEPTH) {
      this.report(
        'LIMIT',
        at,
        `definitions and sequences nested more than ${MAX_EXPANSION_DEPTH} deep (one that refers to itself?) - not expanded`,
      );
      return;
    }
    this.stack.push(make(depth));
  }

  private loop(): void {
    for (;;) {
      const raw = this.nextRaw();
      if (raw === undefined) break;
      if (raw === 'blank') {
        this.endDefinition();
        continue;
      }
      if (this.collecting !== undefined) {
        this.collect(raw.text);
        continue;
      }
      const line = this.process(raw);
      if (line === undefined || line.length === 0) continue;
      if (this.include(line)) continue;
      this.emit(this.splitBrace(line));
      if (this.stopped) break;
    }
    if (this.collecting !== undefined) this.endDefinition();
  }

  /** One more line of a multi-line `$NAME=` definition (keepalived read_line()). */
  private collect(text: string): void {
    const name = this.collecting as string;
    if (text.endsWith('\\')) {
      const body = text.slice(0, -1).replace(/[ \t]+$/, '');
      if (body.length > 0) this.defs.append(name, body);
    } else {
      this.defs.append(name, text);
      this.endDefinition();
    }
  }

  private endDefinition(): void {
    if (this.collecting !== undefined) this.defs.finish(this.collecting);
    this.collecting = undefined;
  }

  /** Steps 4-7: conditionals, definitions, sequences, substitution (repeated while it changes). */
  private process(input: SourceText): SourceText | undefined {
    let line = input;
    for (let round = 0; ; round++) {
      if (round >= MAX_RECHECKS) {
        this.report(
          'LIMIT',
          this.locOf(line, 0),
          `parameter substitution does not terminate on '${line.text}'`,
        );
        return undefined;
      }
      if (line.text.startsWith('@')) {
        const conditional = this.conditional(line);
        if (conditional === undefined) return undefined;
        line = conditional;
      }
      const def = line.text.startsWith('$') ? Definitions.parse(line.text) : undefined;
      if (def) {
        this.defs.define(def.name, def.value, def.continues);
        if (def.continues) this.collecting = def.name;
        return undefined;
      }
      if (line.text.startsWith('~SEQ') || line.text.startsWith('~LST')) {
        this.sequence(line);
        return undefined;
      }
      if (line.text.startsWith('~') || !line.text.includes('$')) return line;
      const sub = this.defs.substitute(line, this.dir);
      if (sub.problem === 'too-long') {
        this.report(
          'GENERAL_ERROR',
          this.locOf(line, 0),
          `Parameter substitution on line '${sub.line.text}' would exceed maximum line length`,
        );
        return sub.line;
      }
      if (sub.problem === 'loop') {
        this.report(
          'LIMIT',
          this.locOf(line, 0),
          `parameter substitution does not terminate on '${line.text}'`,
        );
        return undefined;
      }
      if (!sub.replaced) return line;
      if (sub.continuation.length > 0) {
        const at = this.locOf(line, line.text.indexOf('$'));
        this.pushExpansion(at, (depth) => new ExpansionSource(sub.continuation, at, this.dir, depth));
      }
      line = decomment(sub.line).line;
      if (!line.text.startsWith('@') && !line.text.includes('$')) return line;
    }
  }

  /** Step 4: `@id rest` / `@^id rest` against the config-id. */
  private conditional(line: SourceText): SourceText | undefined {
    const negate = line.text[1] === '^';
    const from = negate ? 2 : 1;
    const blank = line.text.slice(from).search(/[ \t]/);
    if (blank < 0) return undefined;
    const id = line.text.slice(from, from + blank);
    if ((id === this.opts.configId) === negate) return undefined;
    return line.slice(from + blank).trimStart();
  }

  private sequence(line: SourceText): void {
    const isSeq = line.text.startsWith('~SEQ');
    const result = isSeq
      ? parseSeq(
          line.text,
          (params) => this.defs.substitute(SourceText.line(params, line.origin), this.dir).line.text,
        )
      : parseLst(line.text);
    if (!result.ok) {
      this.report('GENERAL_ERROR', this.locOf(line, 0), result.message);
      return;
    }
    const text = line.slice(line.length - result.sequence.text.length);
    this.pushExpansion(
      this.locOf(line, 0),
      (depth) => new SequenceSource(result.sequence, text, this.defs, this.dir, depth),
    );
  }

  /** Step 8: `include[r|m|w|b|a] PATTERN` (the pattern is the rest of the line, verbatim). */
  private include(line: SourceText): boolean {
    if (line.text.charCodeAt(0) !== 105 /* i */ || !line.text.startsWith('include')) return false;
    const m = /^include([rmwba]?)[ \t\n\v\f\r]/.exec(line.text);
    if (!m) return false;
    const kind = `include${m[1] ?? ''}`;
    const flags =
      (INCLUDE_FLAGS[kind] ?? 0) |
      (this.opts.allConfig ? INC_READ | INC_MISSING | INC_BRACE | INC_WILDCARD : 0);
    const pattern = line.text.slice(m[0].length).replace(/^[ \t]+/, '');
    const at = this.locOf(line, m[0].length);
    const depth = this.stack.filter((s) => s instanceof GlobSource).length;
    if (depth >= MAX_INCLUDE_DEPTH) {
      this.report('LIMIT', at, `includes nested more than ${MAX_INCLUDE_DEPTH} deep - ignoring '${pattern}'`);
      return true;
    }
    const result = glob(pattern, this.dir, this.opts.fs);
    if (result.matches.length === 0) {
      if (result.missing) {
        this.fileError(
          flags,
          result.braces ? INC_BRACE : INC_MISSING,
          at,
          `Config files missing '${pattern}'.`,
        );
      } else if (result.wildcards && flags & INC_WILDCARD) {
        this.fileError(flags, INC_WILDCARD, at, `No config files matched '${pattern}'.`);
      }
      return true;
    }
    if (result.missing) {
      this.fileError(flags, INC_BRACE, at, `Some config files missing: "${pattern}".`);
      if (flags & INC_BRACE) return true;
    }
    const chain = new Set(this.stack.map((s) => s.file).filter((f) => f !== undefined));
    const fallback = this.dir;
    this.stack.push(
      new GlobSource(
        result.matches,
        (match) => {
          if (chain.has(match.resolved)) {
            this.report('LIMIT', at, `include loop: '${match.name}' is already being read - skipping`);
            return undefined;
          }
          return this.openFile(match, at, flags);
        },
        fallback,
      ),
    );
    return true;
  }

  /**
   * Step 9: the first `{` or `}` outside quotes ends the logical line; a line starting with a
   * brace yields the brace alone. What follows is read again as the next line.
   */
  private splitBrace(line: SourceText): SourceText {
    const t = line.text;
    const n = t.length;
    let p = 0;
    const first = t.charCodeAt(0);
    if (first !== OPEN && first !== CLOSE) {
      for (;;) {
        while (p < n) {
          const c = t.charCodeAt(p);
          if (c === OPEN || c === CLOSE || c === DQUOTE) break;
          p++;
        }
        if (p >= n) return line;
        if (t.charCodeAt(p) !== DQUOTE) break;
        const close = t.indexOf('"', p + 1);
        if (close < 0) return line;
        p = close + 1;
      }
    }
    let skip = 0;
    if (p === 0) {
      skip = 1;
      while (skip < n && isBlank(t.charCodeAt(skip))) skip++;
    }
    const rest = line.slice(p + skip).trimEnd();
    if (rest.length > 0) this.residue = rest;
    return line.slice(0, p + skip).trimEnd();
  }

  private emit(line: SourceText): void {
    if (line.length === 0) return;
    if (this.lineDepth > 0 && ++this.expanded > MAX_EXPANDED_LINES) {
      this.report(
        'LIMIT',
        this.locOf(line, 0),
        `definitions and sequences expand to more than ${MAX_EXPANDED_LINES} lines - stopping`,
      );
      this.stopped = true;
      return;
    }
    this.lines++;
    this.sink(line);
  }

  private locOf(line: SourceText, index: number): Loc {
    return { ...line.origin, column: line.columnAt(Math.max(0, index)) };
  }
}

/** Read the config `pattern` names; each logical line goes to `sink` as soon as it is made. */
export function preprocess(
  pattern: string,
  opts: PreprocessOptions,
  sink: (line: SourceText) => void,
): Preprocessed {
  const pre = new Preprocessor(opts, sink);
  const lines = pre.run(pattern);
  return { lines, diagnostics: pre.diagnostics, files: pre.files };
}
