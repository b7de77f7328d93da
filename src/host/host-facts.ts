/**
 * HostFacts on the local machine: interface names from /sys/class/net, users and groups from
 * /etc/passwd and /etc/group, and keepalived's script checks (lib/notify.c check_script_secure():
 * PATH search, realpath, executable for the user, and for root scripts every path component
 * owned by root and not writable by others, sticky directories excepted).
 */
import { accessSync, constants, existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { cpus, hostname } from 'node:os';
import { posix as path } from 'node:path';
import type { HostFacts, ScriptInspection } from '../config/validate/index.js';

interface Account {
  readonly uid: number;
  readonly gid: number;
}

function readTable(file: string): Map<string, string[]> {
  const table = new Map<string, string[]>();
  try {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const fields = line.split(':');
      if (fields.length >= 3 && fields[0]) table.set(fields[0], fields);
    }
  } catch {
    // No such file: no accounts known beyond root.
  }
  return table;
}

/** keepalived's PATH when it has none of its own. */
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export function localHostFacts(opts: { checkInterfaces: boolean } = { checkInterfaces: true }): HostFacts {
  const passwd = readTable('/etc/passwd');
  const group = readTable('/etc/group');
  const account = (user: string): Account | undefined => {
    if (user === 'root') return { uid: 0, gid: 0 };
    const p = passwd.get(user);
    return p ? { uid: Number(p[2]), gid: Number(p[3]) } : undefined;
  };

  const executableBy = (file: string, who: Account): boolean => {
    try {
      const st = statSync(file);
      if (!st.isFile()) return false;
      if (who.uid === 0) return (st.mode & 0o111) !== 0;
      if (st.uid === who.uid) return (st.mode & 0o100) !== 0;
      if (st.gid === who.gid) return (st.mode & 0o010) !== 0;
      return (st.mode & 0o001) !== 0;
    } catch {
      return false;
    }
  };

  /** keepalived check_security(): is any component of the path writable by non-root? */
  const insecurePath = (file: string): boolean => {
    const parts = file.split('/').filter((p) => p !== '');
    let current = '/';
    const components = ['/', ...parts.map((p) => (current = path.join(current, p)))];
    for (const c of components) {
      let st;
      try {
        st = statSync(c, { throwIfNoEntry: false });
      } catch {
        return true;
      }
      if (!st) return false;
      if (st.uid !== 0) return true;
      const stickyDir = st.isDirectory() && (st.mode & 0o1000) !== 0;
      if (!stickyDir && ((st.gid !== 0 && st.mode & 0o020) || st.mode & 0o002)) return true;
    }
    return false;
  };

  const findInPath = (name: string): string | undefined => {
    for (const dir of (process.env.PATH ?? DEFAULT_PATH).split(':')) {
      if (dir === '') continue;
      const candidate = path.join(dir, name);
      try {
        accessSync(candidate, constants.F_OK);
        if (statSync(candidate).isFile()) return candidate;
      } catch {
        // not here
      }
    }
    return undefined;
  };

  return {
    hostname: hostname(),
    interfaceExists: (name) =>
      opts.checkInterfaces ? existsSync(`/sys/class/net/${name.replace(/\//g, '!')}`) : undefined,
    // ARPHRD_LOOPBACK (772) in the interface's sysfs `type`, as keepalived reads hw_type.
    interfaceIsLoopback: (name) => {
      if (!opts.checkInterfaces) return undefined;
      try {
        return readFileSync(`/sys/class/net/${name.replace(/\//g, '!')}/type`, 'utf8').trim() === '772';
      } catch {
        return undefined;
      }
    },
    onlineCpus: () => cpus().length || undefined,
    statPath: (p) => {
      try {
        return statSync(p).isDirectory() ? 'dir' : 'other';
      } catch (err) {
        return (err as NodeJS.ErrnoException).code;
      }
    },
    userExists: (name) => account(name) !== undefined,
    groupExists: (name) => name === 'root' || group.has(name),
    inspectScript(argv0, user): ScriptInspection {
      if (/^<[ \t]*\//.test(argv0)) return { kind: 'redirect' };
      const located = argv0.includes('/') ? argv0 : findInPath(argv0);
      if (located === undefined) return { kind: 'not-found', path: argv0 };
      let real: string;
      try {
        real = realpathSync(located);
      } catch {
        return { kind: 'not-found', path: located };
      }
      const who = account(user) ?? { uid: 0, gid: 0 };
      const executable = executableBy(real, who);
      const asRoot = who.uid === 0 || who.gid === 0;
      const insecure = asRoot && (insecurePath(located) || insecurePath(real));
      return { kind: 'found', path: real, executable, insecure };
    },
  };
}
