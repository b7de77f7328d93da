/**
 * `npm run demo` is the README's first command: it must keep working. This runs the same demo
 * (demo/demo.ts) and checks that every step behaved and that it told each part of the story.
 */
import { describe, expect, it } from 'vitest';
import { runDemo } from '../../demo/demo.js';
import { requireNetnsLab } from './netns.js';

describe('npm run demo', () => {
  it('elects, spreads traffic, removes a dead real server, fails over and back, and cleans up', async () => {
    requireNetnsLab();
    const lines: string[] = [];
    const ok = await runDemo((l) => lines.push(l));
    const text = lines.join('\n');
    expect(text).not.toMatch(/ FAIL /);
    expect(ok).toBe(true);
    for (const part of [
      /director1: \(VI_1\) Entering MASTER STATE/,
      /director2: \(VI_1\) Entering BACKUP STATE/,
      /ok {3}traffic spread round robin/,
      /director1: Removing service \[192\.0\.2\.\d+\]:tcp:8080 from VS \[192\.0\.2\.100\]:tcp:80/,
      /ok {3}failover: director2 is MASTER/,
      /client across the MASTER crash: longest gap between answers \d+ ms/,
      /ok {3}preemption: director1 is MASTER again/,
      /cleaned up: daemons stopped, namespaces removed/,
      /every step behaved/,
    ])
      expect(text).toMatch(part);
  }, 180_000);
});
