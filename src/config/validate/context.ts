/**
 * What validation needs from outside (host facts behind an injected port) and where it writes
 * (diagnostics). Validation itself is pure: every host question goes through `HostFacts`.
 */
import type { Statement, Word } from '../ast.js';
import { diagnostic, NO_LOC, type Diagnostic, type DiagnosticCode, type Loc } from '../diagnostics.js';

/** keepalived check_script_secure(): what the host says about a script's argv[0]. */
export type ScriptInspection =
  /** Not looked at (validating without a host): assumed to run. */
  | { readonly kind: 'unchecked' }
  /** `</path` style: opened by the shell, never executed (keepalived SC_SYSTEM). */
  | { readonly kind: 'redirect' }
  | { readonly kind: 'not-found'; readonly path: string }
  | {
      readonly kind: 'found';
      readonly path: string;
      readonly executable: boolean;
      /** Some part of the path is writable by non-root (only checked for scripts run as root). */
      readonly insecure: boolean;
    };

export interface HostFacts {
  /** keepalived's default router_id and SMTP names. */
  readonly hostname: string;
  /** undefined: do not check (e.g. `--dump-config` of a config for another host). */
  interfaceExists(name: string): boolean | undefined;
  /** Is it a loopback interface (keepalived refuses those for VRRP)? undefined: not checked. */
  interfaceIsLoopback?(name: string): boolean | undefined;
  /** CPUs online (keepalived's sysconf(_SC_NPROCESSORS_ONLN)); undefined: not checked. */
  onlineCpus?(): number | undefined;
  /** stat(): 'dir', 'other' (exists, not a directory) or the errno code (ENOENT...); undefined: not checked. */
  statPath?(path: string): string | undefined;
  /** undefined: unknown (not checked). */
  userExists(name: string): boolean | undefined;
  groupExists(name: string): boolean | undefined;
  /** Resolve and inspect argv[0] as `user` would run it (PATH search for bare names). */
  inspectScript(argv0: string, user: string): ScriptInspection;
}

/** Validating without looking at any host: nothing is checked, scripts are assumed to run. */
export const NO_HOST: HostFacts = {
  hostname: 'localhost',
  interfaceExists: () => undefined,
  userExists: (name) => (name === 'root' ? true : undefined),
  groupExists: (name) => (name === 'root' ? true : undefined),
  inspectScript: () => ({ kind: 'unchecked' }),
};

export class Ctx {
  readonly diagnostics: Diagnostic[] = [];
  /** Where each script-type value was configured, for messages about it after parsing. */
  private readonly scriptLocs = new WeakMap<object, Loc>();

  constructor(readonly host: HostFacts) {}

  /** Messages of checks keepalived makes at the end, from blocks completed early. */
  readonly deferred: Diagnostic[] = [];
  private deferring = false;

  report(code: DiagnosticCode, at: Loc | Statement | Word, message: string): void {
    (this.deferring ? this.deferred : this.diagnostics).push(
      diagnostic(code, 'loc' in at ? at.loc : at, message),
    );
  }

  /** Run `check` now, but keep its messages for the end-of-config checks. */
  later<T>(check: () => T): T {
    this.deferring = true;
    try {
      return check();
    } finally {
      this.deferring = false;
    }
  }

  locateScript<T extends object>(script: T, at: Loc): T {
    this.scriptLocs.set(script, at);
    return script;
  }

  scriptLoc(script: object): Loc {
    return this.scriptLocs.get(script) ?? NO_LOC;
  }

  /** keepalived null_strvec(): a keyword needs word `index` (0 = keyword itself). */
  arg(stmt: Statement, index: number): Word | undefined {
    const w = stmt.words[index];
    if (w) return w;
    const prev = stmt.words[index - 1];
    const first = stmt.words[0]?.text ?? '***MISSING ***';
    this.report(
      'MISSING_PARAMETER',
      prev ?? stmt,
      prev
        ? `*** Configuration line starting \`${first}\` is missing a parameter after keyword \`${prev.text}\` at word position ${index + 1}`
        : `*** Configuration line starting \`${first}\` is missing a parameter at word position ${index + 1}`,
    );
    return undefined;
  }
}
