/**
 * run-script.ts against real processes: exit codes, argv without a shell, the timeout
 * (SIGTERM to the process group, then SIGKILL), spawn errors, the /bin/sh fallback, running as
 * another user, notify scripts, and keepalived's choice of script user.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ScriptSpec } from '../../src/config/model.js';
import { resolveScriptUser, runScript, shellCommand, spawnNotify } from '../../src/host/run-script.js';
import { TS_LOADER } from '../helpers/dispatch.js';
import { alive, waitFor } from '../helpers/process.js';

let dir: string;
const me = { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
const isRoot = me.uid === 0;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ka-run-script-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function script(name: string, body: string, mode = 0o755): string {
  const file = join(dir, name);
  writeFileSync(file, body);
  chmodSync(file, mode);
  return file;
}

const spec = (argv: string[]): ScriptSpec => ({ command: argv.join(' '), argv, user: null, group: null });

const pids = (file: string): number[] => readFileSync(file, 'utf8').trim().split(/\s+/).map(Number);

describe('runScript', () => {
  it.each([0, 1, 3, 255])('reports exit status %i', async (code) => {
    const s = script('exit.sh', `#!/bin/sh\nexit ${code}\n`);
    expect(await runScript(spec([s]), { ...me, timeoutMs: 5000 })).toEqual({ kind: 'exit', code });
  });

  it('passes argv as is, with no shell in between', async () => {
    const out = join(dir, 'argv.out');
    const s = script('argv.sh', `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a"; done > '${out}'\n`);
    const args = ['a b', '$HOME', "it's", '*', ''];
    await runScript(spec([s, ...args]), { ...me, timeoutMs: 5000 });
    expect(readFileSync(out, 'utf8')).toBe(args.map((a) => `${a}\n`).join(''));
  });

  it('on timeout SIGTERMs the whole process group: the script and its children are gone', async () => {
    const pidFile = join(dir, 'pids');
    const s = script('slow.sh', `#!/bin/sh\nsleep 30 &\necho $$ $! > '${pidFile}'\nwait\n`);
    let timedOut = false;
    const started = Date.now();
    const outcome = await runScript(spec([s]), { ...me, timeoutMs: 300, onTimeout: () => (timedOut = true) });
    expect(outcome).toEqual({ kind: 'timeout' });
    expect(timedOut).toBe(true);
    expect(Date.now() - started).toBeLessThan(2000);
    const [shell, sleeper] = pids(pidFile);
    await waitFor(() => !alive(shell!) && !alive(sleeper!));
  });

  it('SIGKILLs a script that ignores SIGTERM after the grace period', async () => {
    const pidFile = join(dir, 'pid');
    const s = script(
      'stubborn.sh',
      `#!/bin/sh\ntrap '' TERM\necho $$ > '${pidFile}'\nwhile :; do sleep 0.05; done\n`,
    );
    const started = Date.now();
    const outcome = await runScript(spec([s]), { ...me, timeoutMs: 200, killGraceMs: 200 });
    expect(outcome).toEqual({ kind: 'timeout' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
    await waitFor(() => !alive(pids(pidFile)[0]!));
  });

  it('a script that catches SIGTERM and exits reports its exit status (as keepalived)', async () => {
    const s = script('trap.sh', `#!/bin/sh\ntrap 'exit 0' TERM\nwhile :; do sleep 0.05; done\n`);
    expect(await runScript(spec([s]), { ...me, timeoutMs: 200 })).toEqual({ kind: 'exit', code: 0 });
  });

  it('death by a signal nobody here sent is a signal outcome', async () => {
    const s = script('usr1.sh', '#!/bin/sh\nkill -USR1 $$\nsleep 5\n');
    expect(await runScript(spec([s]), { ...me, timeoutMs: 5000 })).toEqual({
      kind: 'signal',
      signal: 'SIGUSR1',
    });
  });

  it('abort terminates the script like a timeout', async () => {
    const s = script('slow.sh', '#!/bin/sh\nsleep 30\n');
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    expect(await runScript(spec([s]), { ...me, timeoutMs: 10_000, signal: ac.signal })).toEqual({
      kind: 'timeout',
    });
  });

  it('a missing file is an error with the errno text, not a rejection', async () => {
    const outcome = await runScript(spec([join(dir, 'nope')]), { ...me, timeoutMs: 1000 });
    expect(outcome).toEqual({
      kind: 'error',
      message: `Error exec-ing command '${join(dir, 'nope')}', error 2: No such file or directory`,
    });
  });

  it('a file without execute permission is an error', async () => {
    const s = script('noexec.sh', '#!/bin/sh\nexit 0\n', 0o644);
    const outcome = await runScript(spec([s]), { ...me, timeoutMs: 1000 });
    expect(outcome.kind).toBe('error');
    // root may execute nothing without an x bit either
    expect(outcome.kind === 'error' && outcome.message).toContain('Permission denied');
  });

  it('a script without #! still runs (through /bin/sh)', async () => {
    const s = script('noshebang', 'exit 7\n');
    expect(await runScript(spec([s]), { ...me, timeoutMs: 5000 })).toEqual({ kind: 'exit', code: 7 });
  });

  it('a `</path` file test goes to /bin/sh', async () => {
    const present = join(dir, 'present');
    writeFileSync(present, '');
    expect(await runScript(spec([`<${present}`]), { ...me, timeoutMs: 5000 })).toEqual({
      kind: 'exit',
      code: 0,
    });
    const absent = await runScript(spec([`< ${join(dir, 'absent')}`]), { ...me, timeoutMs: 5000 });
    // sh cannot open the file: a redirection error, exit status 2 (POSIX sh, dash).
    expect(absent).toEqual({ kind: 'exit', code: 2 });
  });

  it.runIf(isRoot)('runs as the given uid/gid', async () => {
    chmodSync(dir, 0o777);
    const out = join(dir, 'id.out');
    const s = script('id.sh', `#!/bin/sh\necho "$(id -u) $(id -g)" > '${out}'\n`);
    expect(await runScript(spec([s]), { uid: 65534, gid: 65534, timeoutMs: 5000 })).toEqual({
      kind: 'exit',
      code: 0,
    });
    expect(readFileSync(out, 'utf8').trim()).toBe('65534 65534');
  });
});

describe('runScript: nothing is left behind in the process group', () => {
  /** A script that starts `n` background sleeps, writes their pids, then runs `tail`. */
  const forker = (name: string, n: number, tail: string, pre = ''): { file: string; pidFile: string } => {
    const pidFile = join(dir, `${name}.pids`);
    const body =
      `#!/bin/sh\n${pre}i=0\nwhile [ $i -lt ${n} ]; do sleep 30 & echo $! >> '${pidFile}'; i=$((i+1)); done\n` +
      `${tail}\n`;
    return { file: script(`${name}.sh`, body), pidFile };
  };

  it('a check script that exits: the children it left running get SIGKILL', async () => {
    const { file, pidFile } = forker('leaves', 20, 'exit 1');
    expect(await runScript(spec([file]), { ...me, timeoutMs: 5000 })).toEqual({ kind: 'exit', code: 1 });
    const children = pids(pidFile);
    expect(children).toHaveLength(20);
    await waitFor(() => children.every((p) => !alive(p)), 2000);
  });

  it('a script that catches SIGTERM and exits: children that ignore SIGTERM still go', async () => {
    // `trap '' TERM` before the loop: the sleeps inherit the ignored SIGTERM; the shell then
    // catches it itself and exits 0 (that is its outcome, as keepalived reports it).
    const { file, pidFile } = forker('stubborn-kids', 5, "trap 'exit 0' TERM\nwait", "trap '' TERM\n");
    const outcome = await runScript(spec([file]), { ...me, timeoutMs: 300, killGraceMs: 10_000 });
    expect(outcome).toEqual({ kind: 'exit', code: 0 });
    const children = pids(pidFile);
    await waitFor(() => children.every((p) => !alive(p)), 2000);
  });

  it("a notify script's background children are left alone (keepalived)", async () => {
    const { file, pidFile } = forker('notify-bg', 2, 'exit 0');
    await spawnNotify(spec([file]), [], me).exited;
    const children = pids(pidFile);
    try {
      await new Promise((r) => setTimeout(r, 100));
      expect(children.every((p) => alive(p))).toBe(true);
    } finally {
      for (const p of children) process.kill(p, 'SIGKILL');
    }
  });

  it('a script asked to stop that ignores SIGTERM does not outlive this process', async () => {
    const pidFile = join(dir, 'pid');
    const s = script('deaf.sh', `#!/bin/sh\ntrap '' TERM\necho $$ > '${pidFile}'\nexec sleep 30\n`);
    // A node process that starts the script, aborts it (SIGTERM, SIGKILL due 2 s later) and
    // exits at once, before its SIGKILL timer could fire.
    const program = `
      import { runScript } from ${JSON.stringify(new URL('../../src/host/run-script.ts', import.meta.url).href)};
      import { existsSync, readFileSync } from 'node:fs';
      const ac = new AbortController();
      void runScript({ argv: [${JSON.stringify(s)}] }, { uid: ${me.uid}, gid: ${me.gid}, timeoutMs: 60_000, signal: ac.signal });
      const wait = () => existsSync(${JSON.stringify(pidFile)}) && readFileSync(${JSON.stringify(pidFile)}, 'utf8').includes('\\n');
      const t = setInterval(() => { if (wait()) { clearInterval(t); ac.abort(); setTimeout(() => process.exit(0), 50); } }, 10);
    `;
    const { code } = await runNode(program);
    expect(code).toBe(0);
    const [pid] = pids(pidFile);
    await waitFor(() => !alive(pid!), 1000);
  });
});

/** Run an ES module (TypeScript imports allowed) in a fresh node; resolve with its exit code. */
function runNode(program: string): Promise<{ code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', TS_LOADER, '--input-type=module', '-e', program], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code }));
  });
}

describe('shellCommand (keepalived cmd_str)', () => {
  it.each([
    [['/bin/x', 'a b', 'c'], "'/bin/x' 'a b' 'c'"],
    [['</dev/null'], '</dev/null'],
    [['>/tmp/x', 'y'], ">/tmp/x 'y'"],
  ])('%j → %s', (argv, expected) => {
    expect(shellCommand(argv)).toBe(expected);
  });
});

describe('spawnNotify', () => {
  it('starts the script with the extra arguments and does not wait for it', async () => {
    const out = join(dir, 'notify.out');
    const s = script('notify.sh', `#!/bin/sh\nsleep 0.2\necho "$@" > '${out}'\n`);
    const h = spawnNotify(spec([s, 'first']), ['INSTANCE', 'VI_1', 'MASTER', '150'], me);
    expect(existsSync(out)).toBe(false);
    await h.exited;
    expect(readFileSync(out, 'utf8')).toBe('first INSTANCE VI_1 MASTER 150\n');
  });

  it('reports spawn errors through onError', async () => {
    const errors: string[] = [];
    await spawnNotify(spec([join(dir, 'missing')]), [], { ...me, onError: (m) => errors.push(m) }).exited;
    expect(errors).toEqual([
      `Error exec-ing command '${join(dir, 'missing')}', error 2: No such file or directory`,
    ]);
  });

  it('killAfterMs kills the group with SIGKILL', async () => {
    const pidFile = join(dir, 'pid');
    const s = script('stop.sh', `#!/bin/sh\ntrap '' TERM\necho $$ > '${pidFile}'\nsleep 30\n`);
    const outcomes: string[] = [];
    const started = Date.now();
    await spawnNotify(spec([s]), [], { ...me, killAfterMs: 200, onExit: (o) => outcomes.push(o.kind) })
      .exited;
    expect(Date.now() - started).toBeLessThan(2000);
    expect(outcomes).toEqual(['timeout']);
    expect(alive(pids(pidFile)[0]!)).toBe(false);
  });

  it('kill() stops a long-running script', async () => {
    const s = script('fifo.sh', '#!/bin/sh\nsleep 30\n');
    const h = spawnNotify(spec([s]), [], me);
    setTimeout(() => h.kill(), 50);
    await h.exited;
  });
});

describe('resolveScriptUser (keepalived set_uid_gid / get_default_script_user)', () => {
  const accounts = (withDefault: boolean) => {
    const passwd = join(dir, 'passwd');
    const group = join(dir, 'group');
    writeFileSync(
      passwd,
      [
        'root:x:0:0:root:/root:/bin/bash',
        'alice:x:1000:1000::/home/alice:/bin/sh',
        ...(withDefault ? ['keepalived_script:x:990:985::/:/usr/sbin/nologin'] : []),
      ].join('\n') + '\n',
    );
    writeFileSync(group, 'root:x:0:\nstaff:x:50:alice\nalice:x:1000:\n');
    return { passwd, group };
  };
  const noGlobal = { scriptUser: null, enableScriptSecurity: false };
  const user = (u: string | null, g: string | null = null) => ({ user: u, group: g });

  it.each([
    ['own user → its primary group', user('alice'), noGlobal, true, { uid: 1000, gid: 1000 }],
    ['own user and group', user('alice', 'staff'), noGlobal, true, { uid: 1000, gid: 50 }],
    ['unknown user', user('bob'), noGlobal, true, null],
    ['unknown group', user('alice', 'wheel'), noGlobal, true, null],
    [
      'global script_user',
      user(null),
      { scriptUser: { user: 'alice', group: 'staff' }, enableScriptSecurity: false },
      true,
      { uid: 1000, gid: 50 },
    ],
    ['keepalived_script when it exists', user(null), noGlobal, true, { uid: 990, gid: 985 }],
    ['else our own uid/gid', user(null), noGlobal, false, me],
    ['none with script security', user(null), { scriptUser: null, enableScriptSecurity: true }, false, null],
  ] as const)('%s', (_name, s, global, withDefault, expected) => {
    expect(resolveScriptUser(s, global, accounts(withDefault))).toEqual(expected);
  });
});
