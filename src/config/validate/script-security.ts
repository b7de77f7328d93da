/**
 * keepalived's script security (reference §2.6; 2.2.7 lib/notify.c check_script_secure(),
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
import { NO_LOC } from '../diagnostics.js';
import type { ScriptSpec } from '../model.js';
import type { Ctx } from './context.js';

export type ScriptProcess = 'vrrp' | 'checker' | 'startup';

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
  if (global.scriptUser) defaultUser = global.scriptUser.user;
  else if (ctx.host.userExists('keepalived_script') === true) defaultUser = 'keepalived_script';
  else if (!secure) defaultUser = 'root';

  const disabled = new Set<ScriptSpec>();
  const executed = new Set<ScriptProcess>();
  const insecure = new Set<ScriptProcess>();
  let reportedDefaultUser = false;
  for (const { script, process } of uses) {
    const user = script.user ?? defaultUser;
    if (user === undefined) {
      if (!reportedDefaultUser) {
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
    const badGroup = script.group !== null && ctx.host.groupExists(script.group) === false;
    if (ctx.host.userExists(user) === false || badGroup) {
      ctx.report('WARNING', at, `Invalid user/group for script ${argv0} - ignoring`);
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
