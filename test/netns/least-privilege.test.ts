/**
 * keepalived-ts as systemd/keepalived-ts.service runs it: not root, but uid/gid 65534 with exactly
 * CAP_NET_RAW, CAP_NET_ADMIN and CAP_NET_BIND_SERVICE (effective, permitted, inheritable, ambient and
 * bounding), set by util-linux `setpriv`. As that user it must still win the election, add the VIP
 * and send GARPs, serve the virtual server on port 80 (below 1024) with HTTP_GET checkers, run its
 * vrrp_script and notify script (as `script_user nobody`, inheriting the capabilities), and on
 * SIGTERM send priority 0 and remove the VIP. The pid file and control socket live in a directory
 * owned by 65534, as /run/keepalived-ts is under systemd's RuntimeDirectory=.
 */
import { chmodSync, chownSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { eventually, type Daemon, type Lab, type LogRecord } from './lab.js';
import { requireCommand } from './netns.js';
import { cliFor } from './unprivileged-install.js';
import { useLab } from './use-lab.js';
import { httpRealServer, instanceBlock } from './vrrp-conf.js';

const BACKEND = fileURLToPath(new URL('./scripts/backend.mjs', import.meta.url));
const CLIENT = fileURLToPath(new URL('./scripts/client.mjs', import.meta.url));
const VIP = '192.0.2.100';
const VS = `[${VIP}]:tcp:80`;
const NOBODY = 65534;
const CAPS = '-all,+net_raw,+net_admin,+net_bind_service';
/** CAP_NET_BIND_SERVICE (10) | CAP_NET_ADMIN (12) | CAP_NET_RAW (13), as /proc/PID/status prints it. */
const CAP_MASK = '0000000000003400';
const SETPRIV = [
  'setpriv',
  `--reuid=${NOBODY}`,
  `--regid=${NOBODY}`,
  '--clear-groups',
  `--inh-caps=${CAPS}`,
  `--ambient-caps=${CAPS}`,
  `--bounding-set=${CAPS}`,
  '--',
];

let lab: Lab;
/** Owned by 65534: pid file, control socket, and what the scripts write. */
let runDir: string;
/** dist/cli.js, or a copy 65534 can read when the checkout is under a directory it cannot enter. */
let cli: string;
const suite = useLab('lpriv', 3, {
  setup: (l) => {
    requireCommand('setpriv', 'install util-linux (`apt-get install util-linux`)');
    lab = l;
    // The lab directory (mkdtemp: 0700 root) holds the config and scripts: 65534 must reach them.
    chmodSync(lab.dir, 0o755);
    runDir = join(lab.dir, 'run');
    mkdirSync(runDir, { mode: 0o750 });
    chownSync(runDir, NOBODY, NOBODY);
    cli = cliFor(NOBODY, lab.dir);
  },
});

interface Reply {
  readonly t: number;
  readonly ok: boolean;
  readonly body?: string;
  readonly error?: string;
}
const replies = (d: Daemon): Reply[] =>
  d.lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Reply);

/** `Key:\tvalue` lines of /proc/PID/status. */
function procStatus(pid: number): Record<string, string> {
  const text = lab.readText(`/proc/${pid}/status`);
  return Object.fromEntries(
    text
      .split('\n')
      .map((l) => /^([^:]+):\s*(.*)$/.exec(l))
      .flatMap((m) => (m ? [[m[1] as string, m[2] as string]] : [])),
  );
}

describe('keepalived-ts as uid 65534 with CAP_NET_RAW, CAP_NET_ADMIN, CAP_NET_BIND_SERVICE only', () => {
  it('becomes MASTER, holds the VIP, serves port 80, checks real servers, runs scripts, and leaves cleanly', async () => {
    const backends = new Map<string, Daemon>();
    for (const i of [2, 3]) {
      const h = lab.host(i);
      const b = suite.track(
        lab.start(h, [process.execPath, BACKEND, `rs${i}`, h.ip4, '8080', lab.dir], `rs${i}`),
      );
      await b.waitForLine(/listening/);
      backends.set(`rs${i}`, b);
    }
    // Root-owned scripts in a root-owned directory: secure under enable_script_security; they run
    // as script_user nobody, which is the daemon's own user (no setuid needed).
    const chkLog = join(runDir, 'chk.log');
    const notifyLog = join(runDir, 'notify.log');
    const chk = lab.file('chk.sh', `#!/bin/sh\nid -u >> '${chkLog}'\nexit 0\n`, 0o755);
    const notify = lab.file(
      'notify.sh',
      `#!/bin/sh\necho "$* uid=$(id -u) $(grep CapEff /proc/self/status | tr -d '\\t')" >> '${notifyLog}'\n`,
      0o755,
    );
    const conf = [
      'global_defs {',
      '  router_id lpriv',
      '  enable_script_security',
      '  script_user nobody',
      '}',
      'vrrp_script chk {',
      `  script "${chk}"`,
      '  interval 1',
      '}',
      instanceBlock({
        priority: 150,
        extra: ['track_script {', '  chk', '}', `notify "${notify}"`],
      }),
      `virtual_server ${VIP} 80 {`,
      '  delay_loop 1',
      '  lb_algo rr',
      '  lb_kind NAT',
      '  protocol TCP',
      httpRealServer(lab.host(2).ip4, { warmup0: true }),
      httpRealServer(lab.host(3).ip4, { warmup0: true }),
      '}',
    ].join('\n');

    const cap = await lab.capture('lpriv');
    const kts = suite.track(await lab.startKts(lab.host(1), conf, [], { wrap: SETPRIV, runDir, cli }));
    await kts.waitForLine(/Entering MASTER STATE/);
    await kts.waitForLine(/Dispatcher listening on TCP 192\.0\.2\.100:80/);

    // Who it runs as: the pid file (in the 65534-owned directory) names a process with uid/gid
    // 65534 everywhere and exactly the three capabilities in every set.
    const pidFile = join(runDir, 'kts-h1.pid');
    const pid = Number(lab.readText(pidFile).trim());
    expect(pid).toBe(kts.proc.pid);
    expect(statSync(pidFile).uid).toBe(NOBODY);
    expect(statSync(join(runDir, 'kts-h1.sock')).uid).toBe(NOBODY);
    const status = procStatus(pid);
    expect(status['Uid']?.split(/\s+/)).toEqual(Array(4).fill(String(NOBODY)));
    expect(status['Gid']?.split(/\s+/)).toEqual(Array(4).fill(String(NOBODY)));
    expect(status['Groups']).toBe('');
    expect({
      CapEff: status['CapEff'],
      CapPrm: status['CapPrm'],
      CapInh: status['CapInh'],
      CapAmb: status['CapAmb'],
      CapBnd: status['CapBnd'],
    }).toEqual({ CapEff: CAP_MASK, CapPrm: CAP_MASK, CapInh: CAP_MASK, CapAmb: CAP_MASK, CapBnd: CAP_MASK });

    // VRRP: the VIP on its eth0 only, a GARP burst (garp_master_repeat 5) from its MAC.
    await eventually('the VIP on host 1', () => (lab.holders(VIP).join() === '1' ? true : undefined));
    const garps = (): number =>
      cap.frames().filter((f) => f.kind === 'arp' && f.srcMac === lab.host(1).mac && f.from === VIP).length;
    await eventually('5 GARPs', () => (garps() >= 5 ? true : undefined));
    const adverts = cap
      .frames()
      .filter((f) => f.kind === 'vrrp' && f.from === lab.host(1).ip4 && f.vrid === 51);
    expect(adverts.length).toBeGreaterThanOrEqual(1);
    expect(adverts.every((f) => f.priority === 150 && f.ttl === 255)).toBe(true);

    // The control socket answers (root connects to the 65534-owned socket).
    expect(JSON.stringify(await kts.query())).toContain('MASTER');

    // Scripts: the tracker and the notify script ran as 65534; the latter inherited the caps.
    await eventually('the vrrp_script ran', () =>
      lab.readText(chkLog).includes(`${NOBODY}\n`) ? true : undefined,
    );
    expect(new Set(lab.readText(chkLog).trim().split('\n'))).toEqual(new Set([String(NOBODY)]));
    await eventually('notify MASTER', () =>
      lab.readText(notifyLog).includes('INSTANCE VI_1 MASTER') ? true : undefined,
    );
    const masterLine =
      lab
        .readText(notifyLog)
        .split('\n')
        .find((l) => l.includes('MASTER')) ?? '';
    expect(masterLine).toBe(`INSTANCE VI_1 MASTER 150 uid=${NOBODY} CapEff:${CAP_MASK}`);

    // The dispatcher on port 80: both real servers answer through the VIP.
    const client = suite.track(
      lab.start(lab.client, [process.execPath, CLIENT, `http://${VIP}/`, 'fresh'], 'client'),
    );
    await eventually('20 replies', () => (replies(client).length >= 20 ? true : undefined));
    const first = replies(client).slice(0, 20);
    expect(first.filter((r) => !r.ok)).toEqual([]);
    expect(new Set(first.map((r) => r.body))).toEqual(new Set(['rs2', 'rs3']));

    // The HTTP_GET checker removes a killed real server; requests after that go to rs2 only.
    backends.get('rs3')?.signal('SIGKILL');
    const removed = await kts.waitForRecord(
      (r: LogRecord) => r.msg === `Removing service [${lab.host(3).ip4}]:tcp:8080 from VS ${VS}`,
      'rs3 removed',
    );
    const seen = replies(client).length;
    await eventually('20 more replies', () => (replies(client).length >= seen + 20 ? true : undefined));
    const after = replies(client).filter((r) => r.t > (removed.time ?? 0));
    expect(after.filter((r) => !r.ok)).toEqual([]);
    expect(new Set(after.map((r) => r.body))).toEqual(new Set(['rs2']));
    client.signal('SIGKILL');
    await client.exited;
    suite.untrack(client);

    // SIGTERM: priority 0 on the wire, the VIP gone, a clean exit.
    const stoppedAt = Date.now();
    suite.untrack(kts);
    expect(await kts.stop()).toBe(0);
    const zero = await eventually('a priority 0 advert', () =>
      cap
        .frames()
        .find(
          (f) =>
            f.kind === 'vrrp' && f.from === lab.host(1).ip4 && f.priority === 0 && f.atMs >= stoppedAt - 50,
        ),
    );
    expect(zero.vrid).toBe(51);
    expect(lab.holders(VIP)).toEqual([]);
    // It removed its own pid file and socket from the 65534-owned directory.
    expect(lab.readText(pidFile)).toBe('');
    expect(() => statSync(join(runDir, 'kts-h1.sock'))).toThrow();
    expect(
      kts.lines.filter((l) => /EPERM|EACCES|permission denied|Operation not permitted/i.test(l)),
    ).toEqual([]);
    await cap.stop();
  });
});
