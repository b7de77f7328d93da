/**
 * keepalived's script security (2.2.7 lib/notify.c check_script_secure(),
 * vrrp.c check_vrrp_script_security(), check_data.c, main.c):
 *
 * - A script without a user runs as `script_user`, else as `keepalived_script` if that user
 *   exists, else as root. With `enable_script_security` and neither, the script cannot run
 *   ("Unable to set default user keepalived_script for script").
 * - A script that is found on the host counts as "executed". Without `enable_script_security`,
 *   any executed script is a SECURITY VIOLATION (`-t` exits 6), reported once per process (VRRP,
 *   checkers, start/shutdown); with it, a root script on a path writable by non-root is disabled.
 * - Scripts that do not exist are disabled (keepalived only logs that).
 */
import { NO_LOC, type Loc } from '../diagnostics.js';
import type { ScriptSpec } from '../model.js';
import type { Ctx } from './context.js';

export type ScriptProcess = 'vrrp' | 'checker' | 'startup';

/** keepalived's default script user as the parser has settled it so far (lib/notify.c). */
export interface DefaultUserState {
  /** script_user was read, or the default was looked up once already. */
  set: boolean;
  /** Scripts without a user of their own cannot be run. */
  fail: boolean;
}

export const newDefaultUserState = (): DefaultUserState => ({ set: false, fail: false });

/**
 * keepalived get_default_script_user(), called while parsing for a script without a user: false
 * when it has no user to run as. Looked up once: without script_user, keepalived_script must exist
 * when script security is on (else reported, and every later script without a user fails).
 */
export function defaultScriptUserUsable(
  ctx: Ctx,
  st: DefaultUserState,
  scriptSecurity: boolean,
  at: Loc,
): boolean {
  if (st.fail) return false;
  if (!st.set) {
    st.set = true;
    if (scriptSecurity && ctx.host.userExists('keepalived_script') === false) {
      ctx.report('GENERAL_ERROR', at, 'Unable to set default user keepalived_script for script');
      st.fail = true;
    }
  }
  return !st.fail;
}

/** keepalived set_uid_gid(): the user, and the group when one is given, exist. */
export function userGroupUsable(ctx: Ctx, user: string, group: string | null): boolean {
  return ctx.host.userExists(user) !== false && (group === null || ctx.host.groupExists(group) !== false);
}

const VIOLATION: Record<ScriptProcess, string> = {
  vrrp: 'SECURITY VIOLATION - scripts are being executed but script_security not enabled.',
  checker: 'SECURITY VIOLATION - check scripts are being executed but script_security not enabled.',
  startup: 'SECURITY VIOLATION - start/shutdown scripts are being executed but script_security not enabled.',
};

export interface ScriptUse {
  readonly script: ScriptSpec;
  /** keepalived checks and reports per process. */
  readonly process: ScriptProcess;
}

/** Check every script keepalived would run; returns those it would not run. */
export function checkScriptSecurity(
  ctx: Ctx,
  uses: readonly ScriptUse[],
  global: { enableScriptSecurity: boolean; scriptUser: { user: string; group: string | null } | null },
): Set<ScriptSpec> {
  const secure = global.enableScriptSecurity;
  let defaultUser: string | undefined;
  // A script_user that does not exist leaves scripts without a user nothing to run as (keepalived
  // reported it where script_user is).
  if (global.scriptUser)
    defaultUser = userGroupUsable(ctx, global.scriptUser.user, global.scriptUser.group)
      ? global.scriptUser.user
      : undefined;
  else if (ctx.host.userExists('keepalived_script') === true) defaultUser = 'keepalived_script';
  else if (!secure) defaultUser = 'root';

  const disabled = new Set<ScriptSpec>();
  const executed = new Set<ScriptProcess>();
  const insecure = new Set<ScriptProcess>();
  let reportedDefaultUser = false;
  for (const { script, process } of uses) {
    const user = script.user ?? defaultUser;
    if (user === undefined) {
      if (!reportedDefaultUser && !global.scriptUser) {
        ctx.report(
          'GENERAL_ERROR',
          ctx.scriptLoc(script),
          'Unable to set default user keepalived_script for script',
        );
        reportedDefaultUser = true;
      }
      disabled.add(script);
      continue;
    }
    const at = ctx.scriptLoc(script);
    const argv0 = script.argv[0] ?? '';
    if (script.user !== null && !userGroupUsable(ctx, script.user, script.group)) {
      // keepalived only logs this (notify_script_init()): not a config error.
      ctx.report('NOTICE', at, `Invalid user/group for script ${argv0} - ignoring`);
      disabled.add(script);
      continue;
    }
    const inspection = ctx.host.inspectScript(argv0, user);
    if (inspection.kind === 'redirect' || inspection.kind === 'unchecked') continue;
    if (inspection.kind === 'not-found') {
      ctx.report('NOTICE', at, `Script ${argv0} not found - disabling`);
      disabled.add(script);
      continue;
    }
    executed.add(process);
    if (!inspection.executable) {
      ctx.report('NOTICE', at, `WARNING - script '${argv0}' is not executable for ${user} - disabling.`);
      disabled.add(script);
      continue;
    }
    if (inspection.insecure) {
      insecure.add(process);
      if (secure) {
        ctx.report('NOTICE', at, `Unsafe permissions found for script '${argv0}' - disabling.`);
        disabled.add(script);
      }
    }
  }
  if (!secure) {
    for (const process of ['vrrp', 'checker', 'startup'] as const) {
      if (!executed.has(process)) continue;
      const tail = insecure.has(process) ? ' There are insecure scripts.' : '';
      ctx.report('SECURITY_ERROR', NO_LOC, VIOLATION[process] + tail);
    }
  }
  return disabled;
}
