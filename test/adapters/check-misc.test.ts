/**
 * MISC_CHECK with real scripts: exit codes, misc_dynamic weights, misc_timeout killing the
 * script and its children, death by a signal, a script that does not exist, argv as configured,
 * running as another user (root only), abort, and keepalived's texts.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MiscChecker } from '../../src/config/model.js';
import { formatService } from '../../src/check/format.js';
import type { ProbeDeps, ProbeTarget } from '../../src/check/probe.js';
import { firstChecker } from '../helpers/checks.js';
import { miscCheck } from '../../src/check/probes/misc.js';
import { brief, loadText } from '../helpers/config.js';
import { alive, waitFor } from '../helpers/process.js';

let dir: string;
let logs: string[];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ka-check-misc-'));
  chmodSync(dir, 0o777); // the uid 65534 test writes here
  logs = [];
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const isRoot = process.getuid?.() === 0;

function script(name: string, body: string): string {
  const file = join(dir, name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

/** A MISC_CHECK probe; `timeoutMs` overrides misc_timeout, which keepalived takes in whole seconds. */
function miscProbe(block: string, opts: { timeoutMs?: number; weight?: number } = {}) {
  const text = `virtual_server 192.0.2.100 80 {\n protocol TCP\n real_server 127.0.0.1 8080 {\n  weight ${opts.weight ?? 1}\n  MISC_CHECK {\n   ${block}\n  }\n }\n}\n`;
  const { config, diagnostics } = loadText(text);
  const vs = config.virtualServers[0];
  const rs = vs?.realServers[0];
  const parsed = rs?.checkers[0];
  if (!vs || !rs || parsed?.type !== 'MISC_CHECK') throw new Error(brief(diagnostics).join('\n'));
  const checker: MiscChecker =
    opts.timeoutMs === undefined ? parsed : { ...parsed, timeoutMs: opts.timeoutMs };
  const target: ProbeTarget = {
    vs,
    rs,
    display: formatService(checker.connectIp, vs.protocol, checker.connectPort),
  };
  const log = pino(
    { level: 'debug' },
    { write: (l: string) => void logs.push((JSON.parse(l) as { msg: string }).msg) },
  );
  const deps: ProbeDeps = {
    global: config.globalDefs,
    ssl: config.ssl,
    trackFileValue: () => undefined,
    log,
  };
  return { probe: miscCheck.create(checker, target, deps), target };
}

const signal = (): AbortSignal => new AbortController().signal;
const line = (path: string): string =>
  `Misc check for [[127.0.0.1]:tcp:8080 VS [192.0.2.100]:tcp:80] by [${path}]`;

describe('MISC_CHECK', () => {
  it('passes on exit 0 and fails on any other status', async () => {
    const ok = script('ok.sh', 'exit 0');
    expect(await miscProbe(`misc_path ${ok}`).probe.attempt(signal())).toEqual({ ok: true });
    for (const code of [1, 2, 255]) {
      const bad = script(`exit${code}.sh`, `exit ${code}`);
      expect(await miscProbe(`misc_path ${bad}`).probe.attempt(signal())).toEqual({
        ok: false,
        reason: 'exit-status',
        detail: `${line(bad)} failed (exited with status ${code}).`,
      });
    }
  });

  it.each([
    [0, { ok: true, weight: 7 }], // back to the configured weight
    [1, { ok: false, reason: 'exit-status' }],
    [2, { ok: true, weight: 0 }],
    [12, { ok: true, weight: 10 }],
    [255, { ok: true, weight: 253 }],
  ])('with misc_dynamic, exit %i gives %o', async (code, expected) => {
    const s = script('dyn.sh', `exit ${code}`);
    const { probe } = miscProbe(`misc_path ${s}\n misc_dynamic`, { weight: 7 });
    expect(await probe.attempt(signal())).toMatchObject(expected);
  });

  it('passes argv as configured, without a shell', async () => {
    const out = join(dir, 'argv');
    const s = script('argv.sh', `for a in "$@"; do printf '%s\\n' "$a"; done > '${out}'`);
    const { probe } = miscProbe(`misc_path "${s} one 'two words' \\$HOME"`);
    expect(await probe.attempt(signal())).toEqual({ ok: true });
    expect(readFileSync(out, 'utf8')).toBe('one\ntwo words\n$HOME\n');
  });

  it('kills the script and its children at misc_timeout: a failure, "timed out"', async () => {
    const pids = join(dir, 'pids');
    const s = script('slow.sh', `sleep 30 &\necho $$ $! > '${pids}'\nwait`);
    const { probe } = miscProbe(`misc_path ${s}`, { timeoutMs: 300 });
    const started = Date.now();
    expect(await probe.attempt(signal())).toEqual({
      ok: false,
      reason: 'timeout',
      detail: `${line(s)} timed out.`,
    });
    expect(Date.now() - started).toBeLessThan(2000);
    const [shell, sleeper] = readFileSync(pids, 'utf8').trim().split(/\s+/).map(Number);
    await waitFor(() => !alive(shell!) && !alive(sleeper!));
  });

  it('fails when the script dies of a signal', async () => {
    const s = script('killed.sh', 'kill -9 $$');
    expect(await miscProbe(`misc_path ${s}`).probe.attempt(signal())).toEqual({
      ok: false,
      reason: 'signal',
      detail: `${line(s)} failed (due to signal 9).`,
    });
  });

  it('passes when the script cannot be run, like keepalived ("script errors aren\'t server errors"), and logs why', async () => {
    const missing = join(dir, 'missing.sh');
    expect(await miscProbe(`misc_path ${missing}`).probe.attempt(signal())).toEqual({ ok: true });
    expect(logs.some((l) => l.includes(`Error exec-ing command '${missing}'`))).toBe(true);
  });

  it.runIf(isRoot)('runs the script as its `user` (uid 65534)', async () => {
    const out = join(dir, 'id');
    const s = script('who.sh', `id -u > '${out}'\nid -g >> '${out}'`);
    const { probe } = miscProbe(`misc_path ${s}\n user nobody`);
    expect(await probe.attempt(signal())).toEqual({ ok: true });
    expect(readFileSync(out, 'utf8')).toBe('65534\n65534\n');
  });

  it('fails every attempt when the script has no user to run as', async () => {
    const s = script('ok.sh', 'exit 0');
    const { probe } = miscProbe(`misc_path ${s}\n user no-such-user-here`);
    expect(await probe.attempt(signal())).toMatchObject({ ok: false, reason: 'script-error' });
    expect(logs.some((l) => l.startsWith('Unable to set default user for misc script'))).toBe(true);
  });

  it('on abort terminates the script before settling', async () => {
    const pids = join(dir, 'pids');
    const s = script('slow.sh', `echo $$ > '${pids}'\nexec sleep 30`);
    const { probe } = miscProbe(`misc_path ${s}`, { timeoutMs: 10_000 });
    const ctl = new AbortController();
    const pending = probe.attempt(ctl.signal);
    await waitFor(() => {
      try {
        return readFileSync(pids, 'utf8').trim() !== '';
      } catch {
        return false;
      }
    });
    ctl.abort();
    expect(await pending).toMatchObject({ ok: false, reason: 'aborted' });
    expect(alive(Number(readFileSync(pids, 'utf8').trim()))).toBe(false);
  });

  it("has keepalived's texts", () => {
    const s = script('ok.sh', 'exit 0');
    const { target } = miscProbe(`misc_path ${s}`);
    const exited = {
      ok: false,
      reason: 'exit-status',
      detail: `${line(s)} failed (exited with status 3).`,
    } as const;
    const timedOut = { ok: false, reason: 'timeout', detail: `${line(s)} timed out.` } as const;
    const killed = { ok: false, reason: 'signal', detail: `${line(s)} failed (due to signal 15).` } as const;
    expect(miscCheck.texts.up(target.display, target, firstChecker(target))).toBe(`${line(s)} succeeded.`);
    expect(miscCheck.texts.down(target.display, 1, target, exited, firstChecker(target))).toBe(
      `${line(s)} failed after 1 retry (exited with status 3).`,
    );
    expect(miscCheck.texts.down(target.display, 3, target, exited, firstChecker(target))).toBe(
      `${line(s)} failed after 3 retries (exited with status 3).`,
    );
    expect(miscCheck.texts.down(target.display, 0, target, exited, firstChecker(target))).toBe(
      `${line(s)} failed with retry disabled (exited with status 3).`,
    );
    expect(miscCheck.texts.down(target.display, 2, target, timedOut, firstChecker(target))).toBe(
      `${line(s)} timed out after 2 retries.`,
    );
    expect(miscCheck.texts.down(target.display, 0, target, killed, firstChecker(target))).toBe(
      `${line(s)} failed with retry disabled (due to signal 15).`,
    );
  });
});
