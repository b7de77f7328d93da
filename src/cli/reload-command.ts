/**
 * `keepalived-ts reload --dry-run [-f FILE] [--control-socket PATH]`: what `systemctl reload`
 * (SIGHUP) would change in the running daemon, without changing it. The file is checked here
 * first, as the invoking user, and its problems printed as `-t` prints them; with errors the
 * command exits 1 (a reload would be refused). Otherwise the daemon is asked (`reload-plan` on
 * its control socket), reads the same file and answers the plan: instances kept, restarted,
 * added and removed, VIPs, virtual and real servers (daemon/reload-plan.ts).
 */
import { resolve } from 'node:path';
import { formatDiagnostic } from '../config/diagnostics.js';
import { DEFAULT_CONTROL_SOCKET } from '../lib/paths.js';
import { formatPlan, type ReloadPlan } from '../daemon/reload-plan.js';
import { KaError } from '../lib/errors.js';
import { loadLocalConfig } from '../host/load-local-config.js';
import { queryControl } from './status-command.js';

const RELOAD_USAGE = `Usage: keepalived-ts reload --dry-run [-f FILE] [--control-socket=PATH]
  Print what a reload (systemctl reload, SIGHUP) from FILE would change in the running daemon,
  without changing it; exit 1 if FILE has errors (a reload would be refused).
      --dry-run                Required: keepalived-ts reload only plans (reload with SIGHUP)
  -f, --use-file=FILE          The new configuration (default /etc/keepalived/keepalived.conf)
      --control-socket=PATH    The daemon's control socket (default ${DEFAULT_CONTROL_SOCKET})`;

interface ReloadArgs {
  readonly file: string;
  readonly controlSocket: string;
}

function parseReloadArgs(
  argv: readonly string[],
): { ok: true; args: ReloadArgs } | { ok: false; error: string } {
  let dryRun = false;
  let file = '/etc/keepalived/keepalived.conf';
  let controlSocket = DEFAULT_CONTROL_SOCKET;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const value = (): string | undefined => (a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i]);
    if (a === '--dry-run') dryRun = true;
    else if (a === '-f' || a === '--use-file' || a.startsWith('--use-file=')) {
      const v = value();
      if (!v) return { ok: false, error: "option '-f' requires an argument" };
      file = v;
    } else if (a === '--control-socket' || a.startsWith('--control-socket=')) {
      const v = value();
      if (!v) return { ok: false, error: "option '--control-socket' requires an argument" };
      controlSocket = v;
    } else return { ok: false, error: `unrecognized option '${a}'` };
  }
  if (!dryRun)
    return { ok: false, error: 'only --dry-run is supported: reload with systemctl reload or SIGHUP' };
  return { ok: true, args: { file: resolve(file), controlSocket } };
}

export interface ReloadIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly timeoutMs?: number;
}

/** The subcommand; resolves with the exit code. */
export async function runReloadCommand(argv: readonly string[], io: ReloadIo): Promise<number> {
  const parsed = parseReloadArgs(argv);
  if (!parsed.ok) {
    io.stderr.write(`keepalived-ts reload: ${parsed.error}\n${RELOAD_USAGE}\n`);
    return 1;
  }
  const { file, controlSocket } = parsed.args;
  const loaded = loadLocalConfig({ file, configId: null, allConfig: false });
  for (const d of loaded.diagnostics) io.stderr.write(`${formatDiagnostic(d)}\n`);
  const errors = loaded.diagnostics.filter((d) => d.severity === 'fatal' || d.severity === 'error').length;
  if (loaded.files.length === 0 || errors > 0) {
    io.stderr.write(
      `keepalived-ts reload: ${file} has errors: a reload would be refused and change nothing\n`,
    );
    return 1;
  }
  try {
    const answer = JSON.parse(await queryControl(controlSocket, `reload-plan ${file}`, io.timeoutMs)) as
      { ok: true; plan: ReloadPlan } | { ok: false; error: string } | { error: string };
    if (!('ok' in answer) || !answer.ok) {
      io.stderr.write(`keepalived-ts reload: ${answer.error}\n`);
      return 1;
    }
    io.stdout.write(formatPlan(answer.plan));
    return 0;
  } catch (err) {
    io.stderr.write(`keepalived-ts reload: ${err instanceof KaError ? err.message : String(err)}\n`);
    return 1;
  }
}
