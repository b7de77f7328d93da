/**
 * A vitest reporter that prints, after the run, the ten slowest tests with their project and
 * file, so a test that grows slow is seen in every CI log (vitest.config.ts adds it beside the
 * default reporter).
 */
import type { Reporter, TestModule } from 'vitest/node';

const COUNT = 10;

export default class SlowestReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const rows: { ms: number; name: string }[] = [];
    for (const m of modules)
      for (const t of m.children.allTests()) {
        const ms = t.diagnostic()?.duration;
        if (ms !== undefined)
          rows.push({
            ms,
            name: `[${m.project.name}] ${m.moduleId.replace(`${process.cwd()}/`, '')} > ${t.fullName}`,
          });
      }
    rows.sort((a, b) => b.ms - a.ms);
    if (rows.length === 0) return;
    const lines = rows.slice(0, COUNT).map((r) => `${(r.ms / 1000).toFixed(1).padStart(7)} s  ${r.name}`);
    process.stdout.write(`\nThe ${Math.min(COUNT, rows.length)} slowest tests:\n${lines.join('\n')}\n`);
  }
}
