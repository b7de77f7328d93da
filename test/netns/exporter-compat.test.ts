/**
 * Dashboards and alerts written for the keepalived exporters work on keepalived-ts's own /metrics
 * (issue 17). Two directors (h1 MASTER at 150, h2 BACKUP at 100, h2 also tracking a failing
 * vrrp_script with a negative weight) serve metrics_listen; both are scraped, h1 is stopped
 * (SIGTERM: h2 takes over) and h2 is scraped again. The scraped keepalived_* series become
 * promtool's input (before the failover for minutes 0-4, after it from minute 5; h1 absent
 * after), and `promtool test rules` runs the rules in test/fixtures/prometheus/keepalived-alerts.yml
 * (published ones and ones derived from the exporters' encodings) on them: which alerts fire
 * when, and the values the exporters' dashboards query.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Daemon, Lab } from './lab.js';
import { requireCommand } from './netns.js';
import { useLab } from './use-lab.js';
import { config, instanceBlock } from './vrrp-conf.js';

const RULES = fileURLToPath(new URL('../fixtures/prometheus/keepalived-alerts.yml', import.meta.url));
const PORT = 9165; // mehdy/keepalived-exporter's port
const suite = useLab('expo', 2, {
  setup: () =>
    requireCommand('promtool', "install Debian's prometheus package (`npm run setup:test-host` does)"),
});

function conf(priority: number, failingScript: boolean): string {
  const scripts = [
    'vrrp_script chk_ok {\n  script "/bin/true"\n  interval 1\n}',
    ...(failingScript
      ? ['vrrp_script chk_extra {\n  script "/bin/false"\n  interval 1\n  weight -10\n}']
      : []),
  ];
  const track = ['track_script {', '  chk_ok', ...(failingScript ? ['  chk_extra'] : []), '}'];
  return config(...scripts, instanceBlock({ priority, version: 3, advertInt: 0.5, extra: track })).replace(
    '  router_id lab',
    `  router_id lab\n  metrics_listen 127.0.0.1 ${PORT}`,
  );
}

/** The keepalived_* samples (not keepalived_ts_*) of a host's /metrics, as `name{labels} value`. */
function scrape(lab: Lab, host: number): Map<string, string> {
  const text = lab.exec(lab.host(host), [
    process.execPath,
    '-e',
    `fetch('http://127.0.0.1:${PORT}/metrics').then(async (r) => process.stdout.write(await r.text()))`,
  ]);
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^(keepalived_(?!ts_)\w+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (m) out.set(`${m[1]}${m[2] ?? '{}'}`, m[3] as string);
  }
  return out;
}

/** A series key with the scraping target's `instance` label added, as Prometheus adds it. */
const withInstance = (key: string, instance: string): string =>
  key.replace('{', `{instance="${instance}"${key.endsWith('{}') ? '' : ','}`);

async function waitScript(d: Daemon, name: string, status: 'up' | 'down'): Promise<void> {
  await d.waitForRecord(
    (r) => r.event === 'vrrp.script' && r.script === name && r.status === status,
    `${name} ${status}`,
  );
}

describe('the keepalived exporters’ alert rules on keepalived-ts’s /metrics (promtool)', () => {
  it('no alert while h1 is MASTER; the failover after its SIGTERM and the failing script alert; dashboard values', async () => {
    const lab = suite.lab();
    const h1 = suite.track(await lab.startKts(lab.host(1), conf(150, false)));
    await h1.waitForLine(/Entering MASTER STATE/);
    const h2 = suite.track(await lab.startKts(lab.host(2), conf(100, true)));
    await h2.waitForLine(/Entering BACKUP STATE/);
    await waitScript(h2, 'chk_extra', 'down');
    const before = [scrape(lab, 1), scrape(lab, 2)];
    expect(before[0]?.get('keepalived_up{}')).toBe('1');

    await h1.stop();
    suite.untrack(h1);
    await h2.waitForLine(/Entering MASTER STATE/);
    const after = scrape(lab, 2);

    // promtool input, one-minute steps as Prometheus would scrape: the first scrapes at minutes
    // 0-4, h2's second from minute 5. A series the later scrape lacks (h1's, and h2's that carry
    // its old state as a label) is marked stale at minute 5, as Prometheus marks a series a
    // scrape no longer has. (`vxN` is N+1 samples, `_xN` N gaps.)
    const series: string[] = [];
    const add = (key: string, host: string, values: string): void => {
      series.push(`      - series: '${withInstance(key, host)}'\n        values: '${values}'`);
    };
    for (const [key, v] of before[0] ?? []) add(key, 'h1', `${v}x4 stale`);
    for (const [key, v] of before[1] ?? []) {
      const later = after.get(key);
      add(key, 'h2', later === undefined ? `${v}x4 stale` : `${v}x4 ${later}x5`);
    }
    for (const [key, v] of after) if (!before[1]?.has(key)) add(key, 'h2', `_x5 ${v}x5`);

    const vi = 'iname="VI_1",intf="eth0",vrid="51"';
    const test = `rule_files:
  - rules.yml
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
${series.join('\n')}
    alert_rule_test:
      - { eval_time: 4m, alertname: KeepalivedDown, exp_alerts: [] }
      - { eval_time: 4m, alertname: KeepAliveDown, exp_alerts: [] }
      - { eval_time: 4m, alertname: KeepalivedSplitBrain, exp_alerts: [] }
      - { eval_time: 4m, alertname: KeepalivedFault, exp_alerts: [] }
      - { eval_time: 4m, alertname: KeepalivedFailover, exp_alerts: [] }
      - { eval_time: 4m, alertname: KeepalivedMultipleMastersGen2brain, exp_alerts: [] }
      - eval_time: 6m
        alertname: KeepalivedCheckScriptStatus
        exp_alerts:
          - exp_labels: { instance: h2, name: chk_extra }
      - eval_time: 7m
        alertname: KeepalivedFailover
        exp_alerts:
          - exp_labels: { instance: h2, ${vi.replace(/="/g, ': "')} }
      - { eval_time: 7m, alertname: KeepalivedSplitBrain, exp_alerts: [] }
    promql_expr_test:
      # mehdy's dashboard: the state per instance (MASTER 2, BACKUP 1), before and after.
      - expr: max by (instance, iname) (keepalived_vrrp_state)
        eval_time: 4m
        exp_samples:
          - { labels: '{instance="h1",iname="VI_1"}', value: 2 }
          - { labels: '{instance="h2",iname="VI_1"}', value: 1 }
      - expr: max by (instance, iname) (keepalived_vrrp_state)
        eval_time: 7m
        exp_samples:
          - { labels: '{instance="h2",iname="VI_1"}', value: 2 }
      # gen2brain's shape: the MASTER is the one whose counters carry state="MASTER".
      - expr: count by (instance) (keepalived_vrrp_advert_sent{state="MASTER"})
        eval_time: 4m
        exp_samples:
          - { labels: '{instance="h1"}', value: 1 }
      - expr: count by (instance) (keepalived_vrrp_advert_sent{state="MASTER"})
        eval_time: 7m
        exp_samples:
          - { labels: '{instance="h2"}', value: 1 }
`;
    const dir = lab.dir;
    copyFileSync(RULES, join(dir, 'rules.yml'));
    writeFileSync(join(dir, 'rules.test.yml'), test);
    const r = spawnSync('promtool', ['test', 'rules', join(dir, 'rules.test.yml')], { encoding: 'utf8' });
    expect(r.status, `${r.stdout}\n${r.stderr}\n--- the test file ---\n${test}`).toBe(0);
    expect(r.stdout).toContain('SUCCESS');
  });
});
