/**
 * FILE_CHECK: the verdict and weight for a tracked file's value (keepalived track_file.c
 * update_track_file_status()): weight 0 (fault on non-zero, or on zero with reverse), a
 * multiplying weight (added to the real server's weight, fault at IPVS_WEIGHT_FAULT), the
 * default weight, a value not read yet, changes between attempts, abort, and the texts.
 * The probe does no I/O: the value comes from deps.trackFileValue().
 */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { formatService } from '../../src/check/format.js';
import type { ProbeDeps, ProbeTarget } from '../../src/check/probe.js';
import { firstChecker } from '../helpers/checks.js';
import { fileCheck, fileStatus, IPVS_WEIGHT_FAULT } from '../../src/check/probes/file.js';
import { brief, loadText } from '../helpers/config.js';

function fileProbe(block: string, values: Map<string, number>) {
  const text = `track_file tf {\n file /run/tf\n}\nvirtual_server 192.0.2.100 80 {\n protocol TCP\n real_server 127.0.0.1 8080 {\n  weight 5\n  FILE_CHECK {\n   track_file tf\n   ${block}\n  }\n }\n}\n`;
  const { config, diagnostics } = loadText(text);
  const vs = config.virtualServers[0];
  const rs = vs?.realServers[0];
  const checker = rs?.checkers[0];
  if (!vs || !rs || checker?.type !== 'FILE_CHECK') throw new Error(brief(diagnostics).join('\n'));
  const target: ProbeTarget = { vs, rs, display: formatService(rs.address, vs.protocol, rs.port) };
  const deps: ProbeDeps = {
    global: config.globalDefs,
    ssl: config.ssl,
    trackFileValue: (name) => values.get(name),
    log: pino({ level: 'silent' }),
  };
  return { probe: fileCheck.create(checker, target, deps), target };
}

const signal = (): AbortSignal => new AbortController().signal;
const FAULT = {
  ok: false,
  reason: 'file',
  detail: '([127.0.0.1]:tcp:8080): tracked file tf now FAULT state',
} as const;

async function outcomeFor(block: string, value: number | undefined) {
  const values = new Map<string, number>();
  if (value !== undefined) values.set('tf', value);
  return fileProbe(block, values).probe.attempt(signal());
}

describe('FILE_CHECK', () => {
  it.each([
    ['weight 0', 0, { ok: true }],
    ['weight 0', 1, FAULT],
    ['weight 0', -3, FAULT],
    ['weight 0 reverse', 0, FAULT],
    ['weight 0 reverse', 2, { ok: true }],
    // a multiplying weight: the product is added to the real server's weight (5)
    ['weight 10', 3, { ok: true, weight: 35 }],
    ['weight 10', 0, { ok: true, weight: 5 }],
    ['weight 10', -1, { ok: true, weight: -5 }],
    ['weight 10 reverse', 3, { ok: true, weight: -25 }],
    ['weight 1', -2147483648, FAULT],
    ['weight 2147483647', -2, FAULT],
    ['weight -2147483647', 2, FAULT],
    ['weight 2147483647', 2, { ok: true, weight: 5 + 2147483647 }],
    // no weight: the track_file's (keepalived's default 1)
    ['', 4, { ok: true, weight: 9 }],
  ])('%s with value %d gives %o', async (block, value, expected) => {
    expect(await outcomeFor(block, value)).toEqual(expected);
  });

  it('takes a value not read yet as 0', async () => {
    expect(await outcomeFor('weight 0 reverse', undefined)).toEqual(FAULT);
    expect(await outcomeFor('weight 0', undefined)).toEqual({ ok: true });
  });

  it('reads the current value at each attempt', async () => {
    const values = new Map([['tf', 0]]);
    const { probe } = fileProbe('weight 0', values);
    expect(await probe.attempt(signal())).toEqual({ ok: true });
    values.set('tf', 1);
    expect(await probe.attempt(signal())).toEqual(FAULT);
    values.set('tf', 0);
    expect(await probe.attempt(signal())).toEqual({ ok: true });
  });

  it('never throws: an aborted attempt, a failing value source', async () => {
    const { probe } = fileProbe('weight 0', new Map());
    expect(await probe.attempt(AbortSignal.abort())).toMatchObject({ ok: false, reason: 'aborted' });
    const text = `track_file tf {\n file /run/tf\n}\nvirtual_server 192.0.2.100 80 {\n protocol TCP\n real_server 127.0.0.1 8080 {\n  FILE_CHECK {\n   track_file tf\n  }\n }\n}\n`;
    const { config } = loadText(text);
    const vs = config.virtualServers[0]!;
    const rs = vs.realServers[0]!;
    const checker = rs.checkers[0]!;
    if (checker.type !== 'FILE_CHECK') throw new Error('no FILE_CHECK');
    const broken = fileCheck.create(
      checker,
      { vs, rs, display: 'x' },
      {
        global: config.globalDefs,
        ssl: config.ssl,
        trackFileValue: () => {
          throw new Error('boom');
        },
        log: pino({ level: 'silent' }),
      },
    );
    expect(await broken.attempt(signal())).toMatchObject({ ok: false, reason: 'error' });
  });

  it('computes the status like update_track_file_status()', () => {
    expect(fileStatus(3, { weight: 0, reverse: false })).toBe(IPVS_WEIGHT_FAULT);
    expect(fileStatus(0, { weight: 0, reverse: false })).toBe(0);
    expect(fileStatus(-4, { weight: 3, reverse: true })).toBe(12);
    expect(fileStatus(2 ** 31, { weight: 2, reverse: false })).toBe(2 ** 31 - 1);
  });

  it("has keepalived's texts", () => {
    const { target } = fileProbe('weight 0', new Map());
    expect(fileCheck.texts.up(target.display, target, firstChecker(target))).toBe(
      '([127.0.0.1]:tcp:8080): tracked file tf leaving FAULT state',
    );
    expect(fileCheck.texts.down(target.display, 0, target, FAULT, firstChecker(target))).toBe(FAULT.detail);
  });
});
