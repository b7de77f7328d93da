/**
 * The operator's side of a running director (issue 7): keepalived's dump signals write their
 * files in $TMPDIR without disturbing the MASTER (SIGRTMIN+2 included, whose default action would
 * end the process), systemd's notify socket hears READY, WATCHDOG and STOPPING, Prometheus
 * metrics answer on metrics_listen, and -V leaves the VIP in place on stop.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventually, type Daemon, type Lab } from './lab.js';
import { CLI } from './netns.js';
import { useLab } from './use-lab.js';
import { config, instanceBlock } from './vrrp-conf.js';

const VIP = '192.0.2.100';
let lab: Lab;
const suite = useLab('ops', 1, { setup: (l) => (lab = l) });

/** Binds a SOCK_DGRAM socket at argv[1] and prints each datagram on its own line. */
const RECEIVER = `
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print('bound', flush=True)
while True:
    print(s.recv(4096).decode().replace('\\n', '|'), flush=True)
`;

function startDirector(conf: string, env: Record<string, string>, extra: readonly string[] = []): Daemon {
  const host = lab.host(1);
  const path = lab.file(`ops-${Object.keys(env).join('-')}.conf`, conf);
  return suite.track(
    lab.start(
      host,
      [
        'env',
        ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
        process.execPath,
        CLI,
        '-f',
        path,
        '-p',
        join(lab.dir, 'ops.pid'),
        '--control-socket',
        join(lab.dir, 'ops.sock'),
        ...extra,
      ],
      'kts-ops',
    ),
  );
}

describe('operating a running director', () => {
  it('USR1, USR2 and SIGRTMIN+2 write keepalived.data/.stats/.json; the MASTER keeps its VIP', async () => {
    const d = startDirector(config(instanceBlock({ priority: 150, version: 3, advertInt: 0.1 })), {
      TMPDIR: lab.dir,
    });
    await d.waitForLine(/Entering MASTER STATE/);
    const pid = Number(readFileSync(join(lab.dir, 'ops.pid'), 'utf8'));
    // Its process title: found by name (pidof, pkill).
    expect(readFileSync(`/proc/${pid}/comm`, 'utf8').trim()).toBe('keepalived-ts');
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0+$/, '')).toBe('keepalived-ts');
    const file = (name: string): string => join(lab.dir, name);
    for (const [signal, name] of [
      ['SIGUSR1', 'keepalived.data'],
      ['SIGUSR2', 'keepalived.stats'],
      [36, 'keepalived.json'],
    ] as const) {
      process.kill(pid, signal);
      await eventually(`${name} written`, () => (existsSync(file(name)) ? true : undefined));
      expect(statSync(file(name)).mode & 0o777).toBe(0o600);
    }
    await eventually('the JSON complete', () =>
      readFileSync(file('keepalived.json'), 'utf8').endsWith('\n') ? true : undefined,
    );
    const json = JSON.parse(readFileSync(file('keepalived.json'), 'utf8')) as {
      data: { iname: string; state: number; vrid: number };
      stats: { advert_sent: number };
    }[];
    expect(json[0]?.data).toMatchObject({ iname: 'VI_1', state: 2, vrid: 51 });
    expect(json[0]?.stats.advert_sent).toBeGreaterThan(0);
    expect(readFileSync(file('keepalived.stats'), 'utf8')).toMatch(
      /^VRRP Instance: VI_1\n {2}Advertisements:\n {4}Received: 0\n {4}Sent: \d+\n/,
    );
    const data = readFileSync(file('keepalived.data'), 'utf8');
    expect(data).toContain('------< VRRP Topology >------');
    expect(data).toMatch(/ VRRP Instance = VI_1\n/);
    expect(data).toMatch(/ {3}State = MASTER\n/);
    // SIGRTMIN+29 (keepalived's STATS_CLEAR) does not end it either.
    process.kill(pid, 63);
    await d.waitForLine(/SIGRTMIN\+29 writes the stats/);
    expect(d.running).toBe(true);
    // MASTER once, and nothing after it.
    const states = d.lines.filter((l) => /Entering [A-Z]+ STATE/.test(l));
    expect(states.filter((l) => l.includes('MASTER'))).toHaveLength(1);
    expect(states.at(-1)).toMatch(/Entering MASTER STATE/);
    expect(lab.holders(VIP)).toEqual([1]);
  });

  it('tells systemd READY, WATCHDOG and STOPPING on NOTIFY_SOCKET', async () => {
    const sockPath = join(lab.dir, 'notify.sock');
    const rx = spawn('python3', ['-c', RECEIVER, sockPath], { stdio: ['ignore', 'pipe', 'inherit'] });
    const got: string[] = [];
    rx.stdout.on('data', (c: Buffer) => got.push(...c.toString().split('\n').filter(Boolean)));
    try {
      await eventually('receiver bound', () => (got.includes('bound') ? true : undefined));
      const d = startDirector(config(instanceBlock({ priority: 150, version: 3, advertInt: 0.1 })), {
        NOTIFY_SOCKET: sockPath,
        WATCHDOG_USEC: '400000',
      });
      await eventually(
        'READY=1',
        () => (got.some((l) => l.startsWith('READY=1')) ? true : undefined),
        15_000,
      );
      await eventually('two watchdog pings', () =>
        got.filter((l) => l === 'WATCHDOG=1').length >= 2 ? true : undefined,
      );
      await d.stop();
      suite.untrack(d);
      expect(got.some((l) => l.startsWith('STOPPING=1'))).toBe(true);
      expect(got.indexOf(got.find((l) => l.startsWith('READY=1')) ?? '')).toBeLessThan(
        got.indexOf(got.find((l) => l.startsWith('STOPPING=1')) ?? ''),
      );
    } finally {
      rx.kill('SIGKILL');
    }
  });

  it('serves Prometheus metrics on metrics_listen', async () => {
    const conf = config(instanceBlock({ priority: 150, version: 3, advertInt: 0.1 })).replace(
      '  router_id lab',
      '  router_id lab\n  metrics_listen 127.0.0.1 9650',
    );
    const d = startDirector(conf, { TMPDIR: lab.dir });
    await d.waitForLine(/Entering MASTER STATE/);
    await d.waitForLine(/Prometheus metrics on http:\/\/127\.0\.0\.1:9650\/metrics/);
    const text = lab.exec(lab.host(1), [
      process.execPath,
      '-e',
      "fetch('http://127.0.0.1:9650/metrics').then(async (r) => console.log(r.status, r.headers.get('content-type'), await r.text()))",
    ]);
    expect(text).toMatch(/^200 text\/plain; version=0\.0\.4/);
    expect(text).toMatch(/keepalived_ts_vrrp_state\{[^}]*vrrp_instance="VI_1"[^}]*state="MASTER"[^}]*\} 1/);
  });

  it('-V (--dont-release-vrrp) leaves the VIP on the interface when it stops', async () => {
    const d = startDirector(config(instanceBlock({ priority: 150, version: 3, advertInt: 0.1 })), {}, ['-V']);
    await d.waitForLine(/Entering MASTER STATE/);
    await d.stop();
    suite.untrack(d);
    expect(d.lines.some((l) => l.includes('leaving VIPs in place'))).toBe(true);
    expect(lab.holders(VIP)).toEqual([1]);
    lab.exec(lab.host(1), ['ip', 'addr', 'del', `${VIP}/24`, 'dev', 'eth0']);
  });

  it('-d logs the configuration and state, as keepalived.data has them, at start', async () => {
    const d = startDirector(config(instanceBlock({ priority: 150, version: 3, advertInt: 0.1 })), {}, ['-d']);
    // The dump arrives line by line: wait for a line of the instance's own section, which comes
    // after the headers checked below (waiting for the section's first line raced its next one).
    await d.waitForRecord(
      (r) => r.event === 'daemon.dump-conf' && r.msg === '   Virtual Router ID = 51',
      "the dump of VI_1's virtual router id",
    );
    const dump = d.records.filter((r) => r.event === 'daemon.dump-conf').map((r) => r.msg);
    expect(dump).toContain('------< Global definitions >------');
    expect(dump).toContain('------< VRRP Topology >------');
    expect(dump).toContain(' VRRP Instance = VI_1');
  });
});
