/**
 * Running a configured script the way keepalived 2.2.7 does (lib/notify.c system_call_script(),
 * set_script_env(); vrrp_scheduler.c vrrp_script_child_thread() for the timeout):
 *
 * - argv is executed directly, with no shell; a file that is not directly executable (no #!:
 *   ENOEXEC) and a `</path` redirect test go through `/bin/sh -c` with keepalived's quoting.
 * - The child gets its own process group (keepalived setpgid(); here setsid() via `detached`),
 *   so a timeout or shutdown signals the whole group.
 * - uid/gid are switched only when they differ from ours; stdio goes to /dev/null.
 * - Timeout: SIGTERM to the group, SIGKILL 2 s later. Death by the signal we sent is a
 *   'timeout'; a script that catches SIGTERM and exits normally reports its exit code.
 * - Checks and track scripts (runScript) own their group: when the script exits, whatever it left
 *   running in it gets SIGKILL. keepalived leaves such children alone, but a MISC_CHECK or
 *   vrrp_script run every few seconds that backgrounds `sleep 1000` would pile up processes
 *   until the host has no pids left. A daemon a script starts must detach (setsid), as daemons
 *   do. Notify scripts keep keepalived's behaviour: what they start in the background survives.
 * - A group we asked to stop (timeout, abort, daemon stop) whose SIGKILL was still pending
 *   gets it when this process exits, so a script that ignores SIGTERM does not outlive the
 *   daemon (keepalived script_killall() at shutdown, with the SIGKILL a second later).
 *
 * The user a script runs as (lib/notify.c set_uid_gid(), get_default_script_user()):
 * its own `user [group]`, else global `script_user`, else `keepalived_script` if that user
 * exists, else keepalived's own uid/gid. With `enable_script_security` and no such user: none.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import type { GlobalDefs, ScriptSpec } from '../config/model.js';

export type ScriptOutcome =
  | { readonly kind: 'exit'; readonly code: number }
  | { readonly kind: 'signal'; readonly signal: NodeJS.Signals }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'error'; readonly message: string };

export interface ScriptUser {
  readonly uid: number;
  readonly gid: number;
}

export interface RunScriptOptions extends ScriptUser {
  readonly timeoutMs: number;
  readonly env?: NodeJS.ProcessEnv;
  /** SIGTERM → SIGKILL delay (keepalived: 2 s). */
  readonly killGraceMs?: number;
  /** Called when the timeout fires and SIGTERM is sent. */
  readonly onTimeout?: () => void;
  /** Abort: terminate the group like a timeout (keepalived script_killall() at shutdown). */
  readonly signal?: AbortSignal;
}

const KILL_GRACE_MS = 2000;
const SHELL = '/bin/sh';

/** strerror() texts for the errors spawn reports, as keepalived's %m would print them. */
const STRERROR: Readonly<Record<string, string>> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  ENOEXEC: 'Exec format error',
  ENOTDIR: 'Not a directory',
  E2BIG: 'Argument list too long',
  ENOMEM: 'Cannot allocate memory',
  EAGAIN: 'Resource temporarily unavailable',
};

/** keepalived cmd_str_r(): every word in single quotes, except a leading `<`/`>` redirect. */
export function shellCommand(argv: readonly string[]): string {
  return argv
    .map((word, i) => (i === 0 && (word.startsWith('<') || word.startsWith('>')) ? word : `'${word}'`))
    .join(' ');
}

/** keepalived check_script_secure(): `<` then optional blanks then `/` is a file test for the shell. */
const isRedirectTest = (argv0: string): boolean => /^<[ \t]*\//.test(argv0);

function errnoOf(err: NodeJS.ErrnoException): { code: string; text: string } {
  const code = err.code ?? 'UNKNOWN';
  const num = (osConstants.errno as Record<string, number | undefined>)[code];
  return { code, text: `error ${num ?? err.errno ?? -1}: ${STRERROR[code] ?? err.message}` };
}

interface Launch {
  readonly file: string;
  readonly args: readonly string[];
}

function launchFor(argv: readonly string[], viaShell: boolean): Launch | null {
  const argv0 = argv[0];
  if (argv0 === undefined || argv0 === '') return null;
  if (viaShell || isRedirectTest(argv0)) return { file: SHELL, args: ['-c', shellCommand(argv)] };
  return { file: argv0, args: argv.slice(1) };
}

function spawnAs(launch: Launch, user: ScriptUser, env: NodeJS.ProcessEnv | undefined): ChildProcess {
  const ids: { uid?: number; gid?: number } = {};
  if (user.uid !== process.getuid?.()) ids.uid = user.uid;
  if (user.gid !== process.getgid?.()) ids.gid = user.gid;
  return spawn(launch.file, launch.args, {
    detached: true,
    stdio: 'ignore',
    env: env ?? process.env,
    ...ids,
  });
}

/**
 * Process groups asked to stop whose SIGKILL is still to come: SIGKILLed if this process exits
 * first (its timers die with it). One `exit` listener for all of them.
 */
const terminating = new Set<number>();
let exitHookInstalled = false;
function killOnExit(pid: number): void {
  terminating.add(pid);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const group of terminating) killGroup(group, 'SIGKILL');
    terminating.clear();
  });
}

/** Send `sig` to the child's process group; false when there is nothing left to signal. */
function killGroup(pid: number | undefined, sig: NodeJS.Signals): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(-pid, sig);
    return true;
  } catch {
    return false;
  }
}

/** Run `argv` and report how it ended. Never throws, never rejects. */
export function runScript(spec: Pick<ScriptSpec, 'argv'>, opts: RunScriptOptions): Promise<ScriptOutcome> {
  return runArgv(spec.argv, { ...opts, reapGroup: true }, false);
}

interface RunOptions extends Omit<RunScriptOptions, 'timeoutMs'> {
  /** Infinity: no timeout. */
  readonly timeoutMs: number;
  /** keepalived's STOP notifies get SIGKILL straight away when their time is up. */
  readonly timeoutSignal?: 'SIGTERM' | 'SIGKILL';
  /** SIGKILL what is left in the group once the script has exited (checks, not notifies). */
  readonly reapGroup?: boolean;
}

function runArgv(argv: readonly string[], opts: RunOptions, viaShell: boolean): Promise<ScriptOutcome> {
  return new Promise<ScriptOutcome>((resolve) => {
    const launch = launchFor(argv, viaShell);
    if (launch === null) {
      resolve({ kind: 'error', message: 'Empty command' });
      return;
    }
    let child: ChildProcess;
    try {
      child = spawnAs(launch, opts, opts.env);
    } catch (err) {
      resolve({ kind: 'error', message: `Error exec-ing command '${argv[0]}': ${String(err)}` });
      return;
    }
    // keepalived's script states: RUNNING → REQUESTING_TERMINATION → FORCING_TERMINATION.
    let phase: 'running' | 'term' | 'kill' = 'running';
    let timer: NodeJS.Timeout | undefined;
    const forceKill = (): void => {
      phase = 'kill';
      killGroup(child.pid, 'SIGKILL');
    };
    const terminate = (): void => {
      if (phase !== 'running') return;
      phase = 'term';
      killGroup(child.pid, 'SIGTERM');
      if (child.pid !== undefined) killOnExit(child.pid);
      timer = setTimeout(forceKill, opts.killGraceMs ?? KILL_GRACE_MS);
    };
    const onAbort = (): void => terminate();
    const finish = (): void => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (child.pid !== undefined) terminating.delete(child.pid);
    };
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (child.pid !== undefined) return; // not a spawn failure
      finish();
      if (err.code === 'ENOEXEC' && !viaShell) {
        resolve(runArgv(argv, opts, true));
        return;
      }
      const e = errnoOf(err);
      resolve({ kind: 'error', message: `Error exec-ing command '${argv[0]}', ${e.text}` });
    });
    child.once('exit', (code, signal) => {
      finish();
      // The leader is gone (and reaped, but its pid stays reserved while the group has members):
      // make sure whatever it started goes too. After our SIGTERM always; after a normal end
      // only for checks (reapGroup).
      if (opts.reapGroup === true || phase !== 'running') killGroup(child.pid, 'SIGKILL');
      if (signal !== null) {
        const termed = phase === 'term' && signal === 'SIGTERM';
        const killed = phase === 'kill' && (signal === 'SIGKILL' || signal === 'SIGTERM');
        resolve(termed || killed ? { kind: 'timeout' } : { kind: 'signal', signal });
      } else if (viaShell && (code === 127 || code === 126)) {
        // keepalived logs this from its child, which then exits 0.
        const what = code === 127 ? "Couldn't find command" : "Couldn't execute command";
        resolve({ kind: 'error', message: `${what}: ${shellCommand(argv)}` });
      } else {
        resolve({ kind: 'exit', code: code ?? 0 });
      }
    });
    if (Number.isFinite(opts.timeoutMs)) {
      timer = setTimeout(() => {
        opts.onTimeout?.();
        if (opts.timeoutSignal === 'SIGKILL') forceKill();
        else terminate();
      }, opts.timeoutMs);
    }
    if (opts.signal?.aborted) terminate();
    else opts.signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface NotifyHandle {
  /** Settles when the script has exited (or could not be started). Never rejects. */
  readonly exited: Promise<void>;
  /** SIGTERM to the group, SIGKILL 1 s later (keepalived script_killall() + child_killed_thread()). */
  kill(): void;
}

export interface SpawnNotifyOptions extends ScriptUser {
  readonly env?: NodeJS.ProcessEnv;
  /** SIGKILL the group if still running after this long (keepalived: 1 s for STOP notifies). */
  readonly killAfterMs?: number;
  readonly onError?: (message: string) => void;
  readonly onExit?: (outcome: ScriptOutcome) => void;
}

const NOTIFY_KILL_GRACE_MS = 1000;

/** Start a notify script and do not wait for it (keepalived notify_exec()). Node reaps it. */
export function spawnNotify(
  spec: Pick<ScriptSpec, 'argv'>,
  extraArgs: readonly string[],
  opts: SpawnNotifyOptions,
): NotifyHandle {
  const controller = new AbortController();
  const run: RunOptions = {
    uid: opts.uid,
    gid: opts.gid,
    timeoutMs: opts.killAfterMs ?? Infinity,
    timeoutSignal: 'SIGKILL',
    killGraceMs: NOTIFY_KILL_GRACE_MS,
    signal: controller.signal,
    ...(opts.env === undefined ? {} : { env: opts.env }),
  };
  const exited = runArgv([...spec.argv, ...extraArgs], run, false).then((outcome) => {
    try {
      if (outcome.kind === 'error') opts.onError?.(outcome.message);
      opts.onExit?.(outcome);
    } catch {
      // A failing callback must not turn into an unhandled rejection.
    }
  });
  return { exited, kill: () => controller.abort() };
}

// ---- who runs a script -------------------------------------------------------------------

export interface AccountFiles {
  readonly passwd: string;
  readonly group: string;
}

const SYSTEM_ACCOUNTS: AccountFiles = { passwd: '/etc/passwd', group: '/etc/group' };

function readColonTable(file: string): Map<string, readonly string[]> {
  const table = new Map<string, readonly string[]>();
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return table;
  }
  for (const line of text.split('\n')) {
    const fields = line.split(':');
    const name = fields[0];
    if (fields.length >= 3 && name && !table.has(name)) table.set(name, fields);
  }
  return table;
}

function lookupUser(
  user: string,
  group: string | null,
  passwd: Map<string, readonly string[]>,
  groups: Map<string, readonly string[]>,
): ScriptUser | null {
  const pw = passwd.get(user);
  let uid: number;
  let gid: number;
  if (pw) {
    uid = Number(pw[2]);
    gid = Number(pw[3]);
  } else if (user === 'root') {
    uid = 0;
    gid = 0;
  } else return null;
  if (group !== null) {
    const gr = groups.get(group);
    if (gr) gid = Number(gr[2]);
    else if (group === 'root') gid = 0;
    else return null;
  }
  return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : null;
}

/** The uid/gid keepalived runs `spec` as, or null when it would not run it. */
export function resolveScriptUser(
  spec: Pick<ScriptSpec, 'user' | 'group'>,
  global: Pick<GlobalDefs, 'scriptUser' | 'enableScriptSecurity'>,
  files: AccountFiles = SYSTEM_ACCOUNTS,
): ScriptUser | null {
  const passwd = readColonTable(files.passwd);
  const groups = readColonTable(files.group);
  if (spec.user !== null) return lookupUser(spec.user, spec.group, passwd, groups);
  if (global.scriptUser !== null)
    return lookupUser(global.scriptUser.user, global.scriptUser.group, passwd, groups);
  const dflt = lookupUser('keepalived_script', null, passwd, groups);
  if (dflt) return dflt;
  if (global.enableScriptSecurity) return null;
  return { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
}
