/**
 * notify.ts with real scripts and real FIFOs (made with mkfifo): script arguments, FIFO lines
 * in both FIFOs, a FIFO created and removed by the notifier, the FIFO script, a FIFO nobody
 * reads never blocking, and STOP scripts killed after their second.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  constants,
  existsSync,
  lstatSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FifoSpec, GlobalDefs, ScriptSpec, VrrpNotify } from '../../src/config/model.js';
import { Notifier, type NotifyInstance, type NotifyGroup } from '../../src/daemon/notify.js';
import { alive, waitFor } from '../helpers/process.js';

let dir: string;
let notifier: Notifier | undefined;
let readers: number[];
let logs: string[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ka-notify-'));
  readers = [];
  logs = [];
});
afterEach(async () => {
  await notifier?.close();
  notifier = undefined;
  for (const fd of readers) closeSync(fd);
  rmSync(dir, { recursive: true, force: true });
});

const logger = () =>
  pino({ level: 'debug' }, { write: (l: string) => void logs.push((JSON.parse(l) as { msg: string }).msg) });

const spec = (argv: string[]): ScriptSpec => ({ command: argv.join(' '), argv, user: null, group: null });

/** A script that appends its arguments (one line per run) to `<dir>/<name>.out`. */
function recorder(name: string, body = ''): ScriptSpec {
  const file = join(dir, `${name}.sh`);
  writeFileSync(file, `#!/bin/sh\n${body}echo "$#:$*" >> '${join(dir, `${name}.out`)}'\n`);
  chmodSync(file, 0o755);
  return spec([file]);
}
const recorded = (name: string): string[] => {
  const f = join(dir, `${name}.out`);
  return existsSync(f) ? readFileSync(f, 'utf8').trim().split('\n') : [];
};

const noNotify: VrrpNotify = { master: null, backup: null, fault: null, stop: null, any: null };
const inst = (over: Partial<NotifyInstance> = {}): NotifyInstance => ({
  name: 'VI_1',
  notify: noNotify,
  notifyDeleted: null,
  notifyMasterRxLowerPri: null,
  notifyPriorityChanges: false,
  ...over,
});

type FifoGlobals = Pick<
  GlobalDefs,
  'notifyFifo' | 'vrrpNotifyFifo' | 'lvsNotifyFifo' | 'scriptUser' | 'enableScriptSecurity'
>;
const globals = (
  notifyFifo: FifoSpec | null = null,
  vrrpNotifyFifo: FifoSpec | null = null,
  lvsNotifyFifo: FifoSpec | null = null,
): FifoGlobals => ({
  notifyFifo,
  vrrpNotifyFifo,
  lvsNotifyFifo,
  scriptUser: null,
  enableScriptSecurity: false,
});

function open(global = globals(), stopKillMs = 1000): Notifier {
  notifier = Notifier.open({ global, log: logger(), stopKillMs });
  return notifier;
}

function mkfifo(name: string): string {
  const path = join(dir, name);
  expect(spawnSync('mkfifo', [path]).status).toBe(0);
  return path;
}
/** Open a FIFO for reading without blocking (as a reader that is already attached). */
function attachReader(path: string): number {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  readers.push(fd);
  return fd;
}
function drain(fd: number): string {
  const buf = Buffer.alloc(1 << 16);
  let out = '';
  for (;;) {
    try {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n <= 0) return out;
      out += buf.subarray(0, n).toString();
    } catch {
      return out; // EAGAIN: nothing more for now
    }
  }
}

describe('notify scripts', () => {
  it('instance: notify_<state> without arguments, notify with INSTANCE name STATE priority', async () => {
    const n = open();
    const vi = inst({
      notify: { ...noNotify, master: recorder('master'), backup: recorder('backup'), any: recorder('any') },
    });
    n.instance(vi, 'MASTER', 150);
    await n.idle();
    n.instance(vi, 'BACKUP', 100);
    await n.idle();
    expect(recorded('master')).toEqual(['0:']);
    expect(recorded('backup')).toEqual(['0:']);
    expect(recorded('any')).toEqual(['4:INSTANCE VI_1 MASTER 150', '4:INSTANCE VI_1 BACKUP 100']);
  });

  it('keeps the configured arguments of a script in front of the appended ones', async () => {
    const n = open();
    const r = recorder('any');
    n.instance(inst({ notify: { ...noNotify, any: spec([...r.argv, 'my arg']) } }), 'FAULT', 90);
    await n.idle();
    expect(recorded('any')).toEqual(['5:my arg INSTANCE VI_1 FAULT 90']);
  });

  it('sync group: GROUP name STATE 0', async () => {
    const n = open();
    const g: NotifyGroup = {
      name: 'G1',
      notify: { ...noNotify, backup: recorder('gbackup'), any: recorder('gany') },
    };
    n.group(g, 'BACKUP');
    await n.idle();
    expect(recorded('gbackup')).toEqual(['0:']);
    expect(recorded('gany')).toEqual(['4:GROUP G1 BACKUP 0']);
  });

  it('DELETED is reported as FAULT without notify_deleted, as DELETED with it', async () => {
    const n = open();
    const notify = { ...noNotify, fault: recorder('fault'), any: recorder('any') };
    n.instance(inst({ notify }), 'DELETED', 100);
    await n.idle();
    expect(recorded('fault')).toEqual(['0:']);
    expect(recorded('any')).toEqual(['4:INSTANCE VI_1 FAULT 100']);
    n.instance(inst({ notify, notifyDeleted: recorder('deleted') }), 'DELETED', 100);
    await n.idle();
    expect(recorded('deleted')).toEqual(['0:']);
    expect(recorded('any')).toEqual(['4:INSTANCE VI_1 FAULT 100', '4:INSTANCE VI_1 DELETED 100']);
  });

  it('STOP scripts are killed after stopKillMs', async () => {
    const n = open(globals(), 200);
    const pidFile = join(dir, 'stop.pid');
    const stop = recorder('stop', `echo $$ > '${pidFile}'\ntrap '' TERM\nsleep 30\n`);
    const started = Date.now();
    n.instance(inst({ notify: { ...noNotify, stop } }), 'STOP', 100);
    await n.idle();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(alive(Number(readFileSync(pidFile, 'utf8')))).toBe(false);
  });

  it('a script that cannot run is logged, nothing throws', async () => {
    const n = open();
    n.instance(inst({ notify: { ...noNotify, master: spec([join(dir, 'missing')]) } }), 'MASTER', 100);
    await n.idle();
    expect(logs).toContain(
      `Error exec-ing command '${join(dir, 'missing')}', error 2: No such file or directory`,
    );
  });
});

describe('notify FIFOs', () => {
  it('writes each line to both notify_fifo and vrrp_notify_fifo', async () => {
    const a = mkfifo('global.fifo');
    const b = mkfifo('vrrp.fifo');
    const ra = attachReader(a);
    const rb = attachReader(b);
    const n = open(globals({ path: a, script: null }, { path: b, script: null }));
    n.instance(inst(), 'MASTER', 150);
    n.group({ name: 'G1', notify: noNotify }, 'BACKUP');
    n.masterRxLowerPri(inst(), 150);
    n.priorityChanged(inst(), 'MASTER', 140); // notify_priority_changes off: nothing
    n.priorityChanged(inst({ notifyPriorityChanges: true }), 'MASTER', 140);
    n.priorityChanged(inst({ notifyPriorityChanges: true }), 'BACKUP', 90);
    n.instance(inst(), 'STOP', 140);
    await n.idle();
    const expected =
      'INSTANCE "VI_1" MASTER 150\n' +
      'GROUP "G1" BACKUP 0\n' +
      'INSTANCE "VI_1" MASTER_RX_LOWER_PRI 150\n' +
      'INSTANCE "VI_1" MASTER_PRIORITY 140\n' +
      'INSTANCE "VI_1" BACKUP_PRIORITY 90\n' +
      'INSTANCE "VI_1" STOP 140\n';
    expect(drain(ra)).toBe(expected);
    expect(drain(rb)).toBe(expected);
  });

  it('checker lines go to notify_fifo and lvs_notify_fifo, VRRP lines to notify_fifo and vrrp_notify_fifo', async () => {
    const [g, v, l] = [mkfifo('g.fifo'), mkfifo('v.fifo'), mkfifo('l.fifo')];
    const [rg, rv, rl] = [attachReader(g), attachReader(v), attachReader(l)];
    const n = open(globals({ path: g, script: null }, { path: v, script: null }, { path: l, script: null }));
    n.instance(inst(), 'MASTER', 150);
    n.checkerLine('RS [192.0.2.21]:tcp:80 [192.0.2.100]:tcp:80 DOWN');
    n.checkerLine('VS [192.0.2.100]:tcp:80 DOWN');
    await n.idle();
    const vrrp = 'INSTANCE "VI_1" MASTER 150\n';
    const lvs = 'RS [192.0.2.21]:tcp:80 [192.0.2.100]:tcp:80 DOWN\nVS [192.0.2.100]:tcp:80 DOWN\n';
    expect([drain(rg), drain(rv), drain(rl)]).toEqual([vrrp + lvs, vrrp, lvs]);
  });

  it('the same path for both FIFOs gets each line once', () => {
    const a = mkfifo('one.fifo');
    const r = attachReader(a);
    const n = open(globals({ path: a, script: null }, { path: a, script: null }));
    n.instance(inst(), 'BACKUP', 100);
    expect(drain(r)).toBe('INSTANCE "VI_1" BACKUP 100\n');
    expect(logs).toContain(
      `notify FIFO ${a} has been specified for global and vrrp FIFO - ignoring vrrp FIFO`,
    );
  });

  it('creates a missing FIFO and removes it on close; leaves an existing one', async () => {
    const created = join(dir, 'created.fifo');
    const existing = mkfifo('existing.fifo');
    const n = open(globals({ path: created, script: null }, { path: existing, script: null }));
    expect(lstatSync(created).isFIFO()).toBe(true);
    expect(lstatSync(created).mode & 0o777).toBe(0o644 & ~process.umask());
    await n.close();
    notifier = undefined;
    expect(existsSync(created)).toBe(false);
    expect(lstatSync(existing).isFIFO()).toBe(true);
  });

  it('a FIFO nobody reads never blocks: lines beyond the pipe buffer are dropped and counted', () => {
    const path = mkfifo('unread.fifo');
    const n = open(globals({ path, script: null }));
    const vi = inst({ name: 'an_instance_with_a_rather_long_name_to_fill_the_pipe_sooner' });
    const started = Date.now();
    for (let i = 0; i < 3000; i++) n.instance(vi, 'BACKUP', 100);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(n.droppedLines).toBeGreaterThan(0);
    expect(n.droppedLines).toBeLessThan(3000);
  });

  it('starts the fifo script with the path as last argument and stops it on close', async () => {
    const path = mkfifo('scripted.fifo');
    const lines = join(dir, 'lines');
    const pidFile = join(dir, 'reader.pid');
    const file = join(dir, 'reader.sh');
    writeFileSync(
      file,
      `#!/bin/sh\necho $$ > '${pidFile}'\necho "$*" > '${join(dir, 'reader.args')}'\n` +
        `while read -r line; do echo "$line" >> '${lines}'; done < "$2"\n`,
    );
    chmodSync(file, 0o755);
    const n = open(globals(null, { path, script: spec([file, 'first']) }));
    n.instance(inst(), 'MASTER', 150);
    await waitFor(() => existsSync(lines) && readFileSync(lines, 'utf8') === 'INSTANCE "VI_1" MASTER 150\n');
    expect(readFileSync(join(dir, 'reader.args'), 'utf8')).toBe(`first ${path}\n`);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(alive(pid)).toBe(true);
    await n.close();
    notifier = undefined;
    expect(alive(pid)).toBe(false);
    // Killed at shutdown: keepalived does not log its exit.
    expect(logs).not.toContain('vrrp notify fifo script terminated');
  });

  it('logs when the fifo script ends on its own', async () => {
    const path = mkfifo('short.fifo');
    const file = join(dir, 'short.sh');
    writeFileSync(file, '#!/bin/sh\nexit 0\n');
    chmodSync(file, 0o755);
    open(globals({ path, script: spec([file]) }));
    await waitFor(() => logs.includes('vrrp notify fifo script terminated'));
  });

  it('close() does not wait for notify scripts other than STOP ones', async () => {
    const pidFile = join(dir, 'slow.pid');
    const n = open();
    n.instance(
      inst({ notify: { ...noNotify, master: recorder('slow', `echo $$ > '${pidFile}'\nsleep 2\n`) } }),
      'MASTER',
      100,
    );
    await waitFor(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8') !== '');
    const started = Date.now();
    await n.close();
    notifier = undefined;
    expect(Date.now() - started).toBeLessThan(1000);
    process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
  });
});
