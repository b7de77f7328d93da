/**
 * One lab per test file: built before the first test; after each test its daemons are stopped and
 * every cable and interface is back up; destroyed after the last test, also after a failure.
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import { Lab, type Daemon } from './lab.js';
import { requireCommand } from './netns.js';

export interface LabSuite {
  /** The lab (valid inside tests and hooks). */
  readonly lab: () => Lab;
  /** Stop `d` after the test (returns it). */
  readonly track: (d: Daemon) => Daemon;
  /** `d` was stopped by the test itself. */
  readonly untrack: (d: Daemon) => void;
}

export function useLab(
  tag: string,
  hosts: number,
  opts: { keepalived?: boolean; setup?: (lab: Lab) => void; reset?: (lab: Lab) => void } = {},
): LabSuite {
  let lab: Lab | undefined;
  let running: Daemon[] = [];
  beforeAll(() => {
    if (opts.keepalived)
      requireCommand(
        'keepalived',
        "install Debian's keepalived (`apt-get install keepalived`; .ci/run does)",
      );
    lab = Lab.create(tag, hosts);
    opts.setup?.(lab);
  });
  afterEach(async () => {
    await Promise.all(running.map((d) => d.stop()));
    running = [];
    if (!lab) return;
    for (const h of lab.hosts) lab.setCable(h, true);
    opts.reset?.(lab);
  });
  afterAll(() => lab?.destroy());
  return {
    lab: () => {
      if (!lab) throw new Error('the lab is not built yet (use it inside a test)');
      return lab;
    },
    track: (d) => {
      running.push(d);
      return d;
    },
    untrack: (d) => {
      running = running.filter((x) => x !== d);
    },
  };
}
