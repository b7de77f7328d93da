/**
 * vrrp-scripts.ts with real scripts on short intervals: rise/fall on exit codes, keepalived's
 * log lines, timeouts, never two runs of one script at once, init_fail, and stop().
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { VrrpScript } from '../../src/config/model.js';
import { startVrrpScripts, type VrrpScripts } from '../../src/daemon/vrrp-scripts.js';
import { alive, waitFor as waitUntil } from '../helpers/process.js';

let dir: string;
let running: VrrpScripts | undefined;
let logs: { msg: string; level: number }[];
let changes: string[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ka-vrrp-scripts-'));
  logs = [];
  changes = [];
});
afterEach(async () => {
  await running?.stop();
  running = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const logger = () =>
  pino(
    { level: 'debug' },
    { write: (line: string) => void logs.push(JSON.parse(line) as { msg: string; level: number }) },
  );

function script(name: string, body: string): string {
  const file = join(dir, name);
  writeFileSync(file, `#!/bin/sh\n${body}`);
  chmodSync(file, 0o755);
  return file;
}

function vrrpScript(file: string, over: Partial<VrrpScript> = {}): VrrpScript {
  return {
    name: 'chk',
    script: { command: file, argv: [file], user: null, group: null },
    intervalMs: 60,
    timeoutMs: 2000,
    weight: 0,
    weightReverse: false,
    rise: 1,
    fall: 1,
    initFail: false,
    ...over,
  };
}

function start(scripts: VrrpScript[], killGraceMs = 200): VrrpScripts {
  running = startVrrpScripts({
    scripts,
    global: { scriptUser: null, enableScriptSecurity: false },
    log: logger(),
    onStatus: (name, status) => changes.push(`${name}:${status}`),
    killGraceMs,
  });
  return running;
}

const waitFor = (cond: () => boolean, ms = 4000): Promise<void> =>
  waitUntil(cond, ms, () => `changes=${changes.join(',')}`);

const messages = () => logs.map((l) => l.msg);
const count = (msg: string) => messages().filter((m) => m === msg).length;

describe('vrrp_script runner', () => {
  it('follows the exit code with rise 2 / fall 2 and logs keepalived’s lines', async () => {
    const codeFile = join(dir, 'code');
    const runs = join(dir, 'runs');
    writeFileSync(codeFile, '0');
    const s = script('chk.sh', `echo x >> '${runs}'\nexit $(cat '${codeFile}')\n`);
    const scripts = start([vrrpScript(s, { rise: 2, fall: 2 })]);

    await waitFor(() => changes.length === 1);
    expect(changes).toEqual(['chk:up']); // the first success is enough at start-up
    expect(scripts.status('chk')).toBe('up');

    writeFileSync(codeFile, '1');
    await waitFor(() => changes.length === 2);
    expect(changes).toEqual(['chk:up', 'chk:down']);
    expect(count('Script `chk` now returning 1')).toBe(1);
    expect(count('VRRP_Script(chk) failed (exited with status 1)')).toBe(1);

    writeFileSync(codeFile, '0');
    await waitFor(() => changes.length === 3);
    expect(changes).toEqual(['chk:up', 'chk:down', 'chk:up']);
    expect(count('Script `chk` now returning 0')).toBe(1);
    expect(count('VRRP_Script(chk) succeeded')).toBe(2);
    // The exit status changes are logged before the status change they lead to.
    const m = messages();
    expect(m.indexOf('Script `chk` now returning 1')).toBeLessThan(
      m.indexOf('VRRP_Script(chk) failed (exited with status 1)'),
    );
  });

  it('runs the script at once on start-up', async () => {
    const s = script('ok.sh', 'exit 0\n');
    const started = Date.now();
    start([vrrpScript(s, { intervalMs: 5000 })]);
    await waitFor(() => changes.length === 1);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('a timeout kills the script and counts as a failure ("timed_out")', async () => {
    const pidFile = join(dir, 'pid');
    const s = script('hang.sh', `echo $$ > '${pidFile}'\nsleep 30\n`);
    start([vrrpScript(s, { intervalMs: 5000, timeoutMs: 150 })]);
    await waitFor(() => changes.length === 1);
    expect(changes).toEqual(['chk:down']);
    expect(messages()).toContain('VRRP_Script(chk) timed_out');
    expect(alive(Number(readFileSync(pidFile, 'utf8')))).toBe(false);
  });

  it('never runs two instances of a script: a busy tick is skipped and logged', async () => {
    const lock = join(dir, 'lock');
    const overlap = join(dir, 'overlap');
    const runs = join(dir, 'runs');
    const s = script(
      'busy.sh',
      `mkdir '${lock}' 2>/dev/null || echo overlap >> '${overlap}'\necho x >> '${runs}'\nsleep 0.25\nrmdir '${lock}'\n`,
    );
    start([vrrpScript(s, { intervalMs: 50, timeoutMs: 2000 })]);
    await waitFor(() => existsSync(runs) && readFileSync(runs, 'utf8').length >= 4); // two runs
    expect(existsSync(overlap)).toBe(false);
    expect(messages()).toContain('Track script chk is already running, expect idle - skipping run');
  });

  it('init_fail: starts down, a failure says nothing, a success raises it', async () => {
    const codeFile = join(dir, 'code');
    writeFileSync(codeFile, '1');
    const s = script('chk.sh', `exit $(cat '${codeFile}')\n`);
    const scripts = start([vrrpScript(s, { initFail: true })]);
    expect(scripts.status('chk')).toBe('down');
    await waitFor(() => count('Script `chk` now returning 1') === 1);
    await new Promise((r) => setTimeout(r, 150));
    expect(changes).toEqual([]);
    expect(messages().some((m) => m.startsWith('VRRP_Script(chk) failed'))).toBe(false);
    writeFileSync(codeFile, '0');
    await waitFor(() => changes.length === 1);
    expect(changes).toEqual(['chk:up']);
  });

  it('a command that cannot be executed counts as success, as keepalived’s forked child exits 0', async () => {
    start([vrrpScript(join(dir, 'missing.sh'))]);
    await waitFor(() => changes.length === 1);
    expect(changes).toEqual(['chk:up']);
    expect(messages()).toContain(
      `Error exec-ing command '${join(dir, 'missing.sh')}', error 2: No such file or directory`,
    );
  });

  it('stop() kills running scripts and reports nothing more', async () => {
    const pidFile = join(dir, 'pid');
    const s = script('hang.sh', `echo $$ > '${pidFile}'\nsleep 30\n`);
    const scripts = start([vrrpScript(s, { intervalMs: 5000, timeoutMs: 10_000 })]);
    await waitFor(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '');
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await scripts.stop();
    running = undefined;
    expect(alive(pid)).toBe(false);
    expect(changes).toEqual([]);
  });
});
