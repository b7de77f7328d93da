/**
 * The shipped unit and the command line agree on where the control socket is (issue 17: under
 * the unit, `keepalived-ts status` looked for /run/keepalived-ts.sock and found nothing): the
 * daemon's default path lies in the unit's RuntimeDirectory, and the unit does not move it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONTROL_SOCKET } from '../../src/lib/paths.js';

const unit = readFileSync(new URL('../../systemd/keepalived-ts.service', import.meta.url), 'utf8');
const setting = (name: string): string | undefined =>
  new RegExp(`^${name}=(.*)$`, 'm').exec(unit)?.[1]?.trim();

describe('systemd/keepalived-ts.service', () => {
  it("keeps the control socket at the daemon's and `status`'s default path, in its RuntimeDirectory", () => {
    expect(DEFAULT_CONTROL_SOCKET).toBe(`/run/${setting('RuntimeDirectory')}/keepalived-ts.sock`);
    const execStart = /^ExecStart=((?:.*\\\n)*.*)$/m.exec(unit)?.[1] ?? '';
    expect(execStart).toContain('keepalived-ts -n');
    expect(execStart).not.toContain('--control-socket');
  });
});
