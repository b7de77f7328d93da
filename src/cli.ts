#!/usr/bin/env node
/**
 * keepalived-ts command line: `status` (cli/status-command.ts), `convert` (cli/convert-command.ts),
 * `send-expect` (cli/send-expect-command.ts),
 * `-T/--genhash`, `--signum`,
 * `-t/--config-test`, `--dump-config`, or the daemon (daemon/main.ts).
 * This file is the only place that sets the process's exit code.
 */
import { writeFileSync } from 'node:fs';
import { USAGE, parseArgs } from './cli/args.js';
import { configSource, daemonOptions } from './cli/daemon-options.js';
import { loadLocalConfig } from './host/load-local-config.js';
import { signum } from './cli/signum.js';
import { configTestExitCode, formatDiagnostic } from './config/diagnostics.js';
import { versionText } from './cli/version-text.js';
import { packageVersion } from './host/package-version.js';
import { systemIdentity } from './host/system-identity.js';

type Io = { readonly stdout: NodeJS.WritableStream; readonly stderr: NodeJS.WritableStream };
type Command = (argv: readonly string[], io: Io) => number | Promise<number>;

/** The subcommands (`keepalived-ts status ...`), each module loaded only when it runs. */
const SUBCOMMANDS: ReadonlyMap<string, () => Promise<Command>> = new Map<string, () => Promise<Command>>([
  ['migrate-defaults', async () => (await import('./cli/migrate-command.js')).runMigrateCommand],
  ['convert', async () => (await import('./cli/convert-command.js')).runConvertCommand],
  ['send-expect', async () => (await import('./cli/send-expect-command.js')).runSendExpectCommand],
  ['reload', async () => (await import('./cli/reload-command.js')).runReloadCommand],
  ['status', async () => (await import('./cli/status-command.js')).runStatusCommand],
]);

async function main(argv: readonly string[]): Promise<number> {
  // keepalived -T/--genhash: the rest of the command line is genhash's own.
  // Each mode loads only its own modules: `-t` on a large config should not pay for the daemon's.
  if (argv[0] === '-T' || argv[0] === '--genhash')
    return (await import('./check/genhash.js')).runGenhash(argv.slice(1));
  const command = SUBCOMMANDS.get(argv[0] ?? '');
  if (command !== undefined)
    return (await command())(argv.slice(1), { stdout: process.stdout, stderr: process.stderr });
  const parsed = parseArgs(argv);
  if (!parsed.ok) {
    process.stderr.write(`keepalived-ts: ${parsed.error}\n${USAGE}\n`);
    return 1;
  }
  const args = parsed.args;
  if (args.genhash) {
    process.stderr.write('keepalived-ts: -T/--genhash must be the first option\n');
    return 1;
  }
  if (typeof args.signum === 'string') {
    // keepalived --signum: print the number and exit; an unknown name is its error line and 1.
    const n = signum(args.signum);
    if (n === null) {
      process.stderr.write(`Unknown sigfunc ${args.signum}\n`);
      return 1;
    }
    process.stdout.write(`${n}\n`);
    return 0;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (args.version) {
    // keepalived -v writes to stderr.
    process.stderr.write(
      versionText({ version: packageVersion(), node: process.version, ...systemIdentity() }),
    );
    return 0;
  }
  const configTest = args.configTest !== undefined;
  if (!configTest && !args.dumpConfig)
    return (await import('./daemon/main.js')).runDaemon(daemonOptions(args));

  const loaded = loadLocalConfig(configSource(args));
  const report = loaded.diagnostics.map((d) => `${formatDiagnostic(d)}\n`).join('');
  if (typeof args.configTest === 'string') {
    // keepalived -t=LOG_FILE: the messages go to that file instead of stderr.
    try {
      writeFileSync(args.configTest, report, { mode: 0o640 });
    } catch (err) {
      process.stderr.write(
        `keepalived-ts: cannot write ${args.configTest}: ${(err as Error).message}\n${report}`,
      );
    }
  } else {
    process.stderr.write(report);
  }

  if (args.dumpConfig) {
    process.stdout.write(`${JSON.stringify({ files: loaded.files, config: loaded.config }, null, 2)}\n`);
    if (!configTest)
      return loaded.diagnostics.some((d) => d.severity === 'fatal' || d.severity === 'error') ? 1 : 0;
  }
  return configTestExitCode(loaded.diagnostics);
}

process.exitCode = await main(process.argv.slice(2));
// The daemon's sockets and timers are closed by then; a stray handle must not keep it alive.
// eslint-disable-next-line n/no-process-exit -- the one place that ends the process
setTimeout(() => process.exit(), 200).unref();
