/**
 * `keepalived-ts convert FILE [--from FORMAT] [--role primary|backup] [--check TYPE]`: an old LVS
 * director's configuration (Piranha's lvs.cf, ipvsadm rules) as keepalived.conf on stdout, the
 * warnings on stderr (docs/migration.md). FILE `-` is standard input.
 */
import { readFileSync } from 'node:fs';
import {
  CONVERT_CHECKS as CHECKS,
  ConvertError,
  type ConvertOptions,
  type SourceFormat,
} from '../convert/format.js';
import { FORMATS } from '../convert/formats.js';

const CONVERT_USAGE = `Usage: keepalived-ts convert FILE [--from ${FORMATS.map((f) => f.name).join('|') || 'FORMAT'}] [--role primary|backup] [--check ${CHECKS.join('|')}]
  Print FILE (- for standard input), Piranha's lvs.cf or ipvsadm rules (ipvsadm-save, ipvsadm -Sn
  or ipvsadm commands), as keepalived.conf on standard output; warnings go to standard error.
  --from    the format, when guessing from the text is not wanted
  --role    lvs.cf: the director this config is for (default primary: MASTER; backup: BACKUP)
  --check   ipvsadm: the checker each real server gets (default TCP_CHECK)`;

export interface ConvertIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  /** Reads FILE, or standard input for `-`. */
  readonly read?: (file: string) => string;
}

type Parsed =
  | {
      readonly ok: true;
      readonly file: string;
      readonly from: string | null;
      readonly role: string;
      readonly check: string;
    }
  | { readonly ok: false; readonly error: string };

function parse(argv: readonly string[]): Parsed {
  let file: string | null = null;
  const opts: Record<'from' | 'role' | 'check', string | null> = { from: null, role: null, check: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const m = /^--(from|role|check)(?:=(.*))?$/.exec(a);
    if (m) {
      const value = m[2] ?? argv[++i];
      if (value === undefined) return { ok: false, error: `option '--${m[1]}' requires an argument` };
      opts[m[1] as 'from' | 'role' | 'check'] = value;
    } else if (a.startsWith('-') && a !== '-') {
      return { ok: false, error: `unknown option '${a}'` };
    } else if (file === null) {
      file = a;
    } else {
      return { ok: false, error: `unexpected argument '${a}'` };
    }
  }
  if (file === null) return { ok: false, error: 'no FILE given' };
  return { ok: true, file, from: opts.from, role: opts.role ?? 'primary', check: opts.check ?? 'TCP_CHECK' };
}

export function runConvertCommand(argv: readonly string[], io: ConvertIo): number {
  if (argv[0] === '--help' || argv[0] === '-h') {
    io.stdout.write(`${CONVERT_USAGE}\n`);
    return 0;
  }
  const fail = (message: string): number => {
    io.stderr.write(`keepalived-ts convert: ${message}\n`);
    return 1;
  };
  const args = parse(argv);
  if (!args.ok) return fail(`${args.error}\n${CONVERT_USAGE}`);
  if (args.role !== 'primary' && args.role !== 'backup')
    return fail(`--role must be primary or backup, not '${args.role}'`);
  if (!(CHECKS as readonly string[]).includes(args.check))
    return fail(`--check must be one of ${CHECKS.join(', ')}, not '${args.check}'`);
  let text: string;
  try {
    text = (io.read ?? ((f) => readFileSync(f === '-' ? 0 : f, 'utf8')))(args.file);
  } catch (err) {
    return fail(`cannot read ${args.file}: ${(err as Error).message}`);
  }
  const name = args.file === '-' ? '<stdin>' : args.file;
  let format: SourceFormat | undefined;
  if (args.from !== null) {
    format = FORMATS.find((f) => f.name === args.from);
    if (format === undefined)
      return fail(`unknown format '${args.from}' (known: ${FORMATS.map((f) => f.name).join(', ')})`);
  } else {
    format = FORMATS.find((f) => f.detect(text));
    if (format === undefined)
      return fail(`cannot tell what ${name} is: give --from ${FORMATS.map((f) => f.name).join('|')}`);
  }
  const options: ConvertOptions = {
    file: name,
    role: args.role,
    check: args.check,
  };
  try {
    const result = format.convert(text, options);
    io.stdout.write(result.text);
    for (const w of result.warnings) io.stderr.write(`keepalived-ts convert: warning: ${w}\n`);
    return 0;
  } catch (err) {
    if (err instanceof ConvertError) return fail(err.message);
    throw err;
  }
}
