/**
 * `keepalived-ts migrate-defaults [--from FILE] [--to FILE] [--dry-run]`: carry keepalived's
 * command-line options over. Reads DAEMON_ARGS from keepalived's environment file (default
 * /etc/default/keepalived), checks them as keepalived-ts's own command line (an option neither
 * knows is an error; options that do nothing here are listed with why), and writes them as
 * KEEPALIVED_TS_OPTIONS into keepalived-ts's (default /etc/default/keepalived-ts), which the
 * systemd unit reads; other lines of that file are kept. `--dry-run` prints the line instead.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { parseArgs } from './args.js';
import { joinWords, readEnvironmentFile, splitWords } from './default-args.js';
import { flagNotes } from './flag-notes.js';

const MIGRATE_USAGE = `Usage: keepalived-ts migrate-defaults [--from FILE] [--to FILE] [--dry-run]
  Copy DAEMON_ARGS from keepalived's /etc/default/keepalived into KEEPALIVED_TS_OPTIONS in
  /etc/default/keepalived-ts (read by the keepalived-ts systemd unit).`;

export interface MigrateIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

/**
 * The unit's pid file is under its RuntimeDirectory, the one place it may write: keepalived's
 * `-p` path (/run/keepalived.pid) would not be writable. Everything else is kept as written
 * (an `-f` too: the daemon then reads the file keepalived read).
 */
const LEFT_OUT = 'pid';

export function runMigrateCommand(argv: readonly string[], io: MigrateIo): number {
  let from = '/etc/default/keepalived';
  let to = '/etc/default/keepalived-ts';
  let dryRun = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--dry-run') dryRun = true;
    else if (a === '--from' || a === '--to') {
      const v = argv[++i];
      if (!v) return usage(io, `option '${a}' requires an argument`);
      if (a === '--from') from = v;
      else to = v;
    } else return usage(io, `unrecognized option '${a}'`);
  }
  let text: string;
  try {
    text = readFileSync(from, 'utf8');
  } catch (err) {
    io.stderr.write(`keepalived-ts migrate-defaults: cannot read ${from}: ${(err as Error).message}\n`);
    return 1;
  }
  const value = readEnvironmentFile(text).get('DAEMON_ARGS') ?? '';
  const split = splitWords(value);
  if (!split.ok) {
    io.stderr.write(`keepalived-ts migrate-defaults: ${from}: ${split.error}\n`);
    return 1;
  }
  const parsed = parseArgs(split.words);
  if (!parsed.ok) {
    io.stderr.write(`keepalived-ts migrate-defaults: DAEMON_ARGS in ${from}: ${parsed.error}\n`);
    return 1;
  }
  for (const note of flagNotes(parsed.args)) io.stderr.write(`${note}\n`);
  const kept: string[] = [];
  for (let i = 0; i < split.words.length; i++) {
    const w = split.words[i] as string;
    const alone = parseArgs([w]);
    // `-p FILE` / `--pid FILE`: the option word alone lacks its value; `-pFILE`, `--pid=FILE` do not.
    const withNext = alone.ok ? alone : parseArgs([w, split.words[i + 1] ?? '']);
    const keys = withNext.ok ? Object.keys(withNext.args) : [];
    if (keys.length === 1 && keys[0] === LEFT_OUT) {
      const taken = alone.ok ? w : `${w} ${split.words[i + 1] ?? ''}`;
      if (!alone.ok) i++;
      io.stderr.write(
        `keepalived-ts migrate-defaults: '${taken}' left out: the unit's pid file is /run/keepalived-ts/keepalived-ts.pid\n`,
      );
      continue;
    }
    kept.push(w);
  }
  const joined = joinWords(kept);
  if (joined === null) {
    io.stderr.write(
      `keepalived-ts migrate-defaults: DAEMON_ARGS in ${from} has a word with a quote in it: copy it by hand\n`,
    );
    return 1;
  }
  const line = `KEEPALIVED_TS_OPTIONS="${joined}"`;
  if (dryRun) {
    io.stdout.write(`${line}\n`);
    return 0;
  }
  const before = existsSync(to) ? readFileSync(to, 'utf8') : '';
  const lines = before.split('\n').filter((l, i, all) => !(i === all.length - 1 && l === ''));
  const at = lines.findIndex((l) => /^\s*KEEPALIVED_TS_OPTIONS=/.test(l));
  if (at >= 0) lines[at] = line;
  else lines.push(`# From DAEMON_ARGS in ${from} (keepalived-ts migrate-defaults)`, line);
  const tmp = `${to}.tmp-${process.pid}`;
  writeFileSync(tmp, `${lines.join('\n')}\n`, { mode: 0o644 });
  renameSync(tmp, to);
  io.stdout.write(`${to}: ${line}\n`);
  return 0;
}

function usage(io: MigrateIo, error: string): number {
  io.stderr.write(`keepalived-ts migrate-defaults: ${error}\n${MIGRATE_USAGE}\n`);
  return 1;
}
