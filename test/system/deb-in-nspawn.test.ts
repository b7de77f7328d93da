/**
 * The Debian package as an operator meets it: a Debian 12 machine booted with systemd as PID 1
 * (systemd-nspawn), `dpkg -i` of the .deb that `npm run package:deb` makes (no compiler in the
 * machine), then the unit's life under systemd: READY at start, `systemctl reload`, the watchdog
 * aborting a frozen daemon and systemd restarting it, `systemctl stop` (priority 0 on the wire,
 * VIPs removed), what journalctl shows with the docs' own recipes, /etc/default/keepalived-ts,
 * and dpkg -r / -P. The machine's eth0 is a veth whose peer sits in a namespace where tcpdump
 * watches the adverts (192.0.2.0/24, documentation addresses).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/process.js';
import { docRecipe, docRecipes } from './doc-recipes.js';
import { ensureRootfs, Machine, requireSystemLab } from './machine.js';
import { buildKeepalivedTsDeb, buildNodejsDeb } from './packages.js';

const NS_MACHINE = `ktsys-m-${process.pid}`;
const NS_PEER = `ktsys-p-${process.pid}`;
const MACHINE_ADDR = '192.0.2.11';
const UNIT = 'keepalived-ts.service';

const CONFIG = (vips: readonly string[]): string => `global_defs {
  router_id director1
}
vrrp_instance VI_1 {
  state MASTER
  interface eth0
  virtual_router_id 51
  priority 150
  advert_int 1
  virtual_ipaddress {
${vips.map((v) => `    ${v}/24`).join('\n')}
  }
}
`;

function host(cmd: string, args: readonly string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr || r.error?.message}`);
}

let work = '';
let machine: Machine | undefined;
let capture: ChildProcess | undefined;
let adverts = '';

function m(): Machine {
  if (machine === undefined) throw new Error('the machine did not boot (see beforeAll)');
  return machine;
}

function vips(): string[] {
  return [
    ...m()
      .ok('ip -4 -o addr show dev eth0')
      .matchAll(/inet (\S+)\//g),
  ].map((x) => x[1] ?? '');
}

beforeAll(async () => {
  requireSystemLab();
  work = mkdtempSync(join(tmpdir(), 'kts-system-'));
  const debs = join(work, 'debs');
  mkdirSync(debs);
  const rootfs = await ensureRootfs((line) => console.log(line));
  await buildKeepalivedTsDeb(debs);
  buildNodejsDeb(work, debs);

  spawnSync('ip', ['netns', 'del', NS_MACHINE]);
  spawnSync('ip', ['netns', 'del', NS_PEER]);
  host('ip', ['netns', 'add', NS_MACHINE]);
  host('ip', ['netns', 'add', NS_PEER]);
  host('ip', [
    'link',
    'add',
    'ktsys-m',
    'netns',
    NS_MACHINE,
    'type',
    'veth',
    'peer',
    'name',
    'ktsys-p',
    'netns',
    NS_PEER,
  ]);
  host('ip', ['-n', NS_MACHINE, 'link', 'set', 'ktsys-m', 'name', 'eth0']);
  host('ip', ['-n', NS_MACHINE, 'addr', 'add', `${MACHINE_ADDR}/24`, 'dev', 'eth0']);
  host('ip', ['-n', NS_MACHINE, 'link', 'set', 'eth0', 'up']);
  host('ip', ['-n', NS_MACHINE, 'link', 'set', 'lo', 'up']);
  host('ip', ['-n', NS_PEER, 'addr', 'add', '192.0.2.12/24', 'dev', 'ktsys-p']);
  host('ip', ['-n', NS_PEER, 'link', 'set', 'ktsys-p', 'up']);
  capture = spawn('ip', ['netns', 'exec', NS_PEER, 'tcpdump', '-l', '-n', '-i', 'ktsys-p', 'vrrp'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  capture.stdout?.on('data', (d: Buffer) => (adverts += d.toString()));

  machine = await Machine.boot({
    rootfs,
    name: `ktsys${process.pid}`,
    netns: NS_MACHINE,
    bindReadOnly: [[debs, '/debs']],
    consoleLog: join(work, 'console.log'),
  });
}, 900_000);

afterAll(async () => {
  await machine?.shutdown();
  capture?.kill('SIGKILL');
  spawnSync('ip', ['netns', 'del', NS_MACHINE]);
  spawnSync('ip', ['netns', 'del', NS_PEER]);
  if (work !== '') rmSync(work, { recursive: true, force: true });
}, 60_000);

describe('the .deb on Debian 12 under systemd', () => {
  it('installs with dpkg on a machine without a compiler: user, unit, conffile, man pages, nothing started', () => {
    expect(m().sh('command -v cc gcc g++ make python3').stdout).toBe('');
    // nodejs first: Debian 12's own is 18, the .deb wants >= 20 (NodeSource's in production).
    const install = m().sh('dpkg -i /debs/nodejs_*.deb /debs/keepalived-ts_*.deb');
    expect(install.status, install.stdout + install.stderr).toBe(0);
    expect(m().ok("dpkg-query -W -f='${Status} ${Version}' keepalived-ts")).toMatch(
      /^install ok installed 0\.1\.0-1$/,
    );
    expect(m().ok("dpkg-query -W -f='${Conffiles}' keepalived-ts")).toContain('/etc/default/keepalived-ts');
    expect(m().ok('getent passwd keepalived-ts').trim()).toMatch(
      /^keepalived-ts:x:\d+:\d+:.*:\/nonexistent:\/usr\/sbin\/nologin$/,
    );
    // keepalived's -v layout, on stderr, from /usr/bin.
    expect(m().sh('keepalived-ts -v').stderr).toMatch(/^Keepalived-ts v0\.1\.0 /);
    expect(m().ok(`systemctl show -P FragmentPath ${UNIT}`).trim()).toBe(
      '/lib/systemd/system/keepalived-ts.service',
    );
    expect(m().ok(`systemctl cat ${UNIT}`)).toContain(
      'ExecStart=/usr/bin/keepalived-ts -n -f /etc/keepalived/keepalived.conf',
    );
    expect(m().sh(`systemctl is-enabled ${UNIT}`).stdout.trim()).toBe('disabled');
    expect(m().sh(`systemctl is-active ${UNIT}`).stdout.trim()).toBe('inactive');
    m().ok(
      'test -s /usr/share/man/man8/keepalived-ts.8.gz && test -s /usr/share/man/man5/keepalived-ts.conf.5.gz',
    );
    // The prebuilt addon, not a compiled one.
    expect(m().ok('ls /usr/lib/keepalived-ts/prebuilds/linux-x64/')).toContain(
      'keepalived-ts.napi.glibc.node',
    );
    expect(m().sh('test -e /usr/lib/keepalived-ts/build').status).not.toBe(0);
  });

  it('starts: systemctl start returns once the daemon is READY, and it becomes MASTER', async () => {
    m().ok('mkdir -p /etc/keepalived && cat > /etc/keepalived/keepalived.conf', CONFIG(['192.0.2.100']));
    m().ok(
      'chgrp keepalived-ts /etc/keepalived/keepalived.conf && chmod 0640 /etc/keepalived/keepalived.conf',
    );
    m().ok(`systemctl start ${UNIT}`); // Type=notify: blocks until READY=1
    expect(m().property(UNIT, 'ActiveState')).toBe('active');
    expect(m().property(UNIT, 'StatusText')).toBe('Startup complete');
    await waitFor(
      () => vips().includes('192.0.2.100'),
      20_000,
      () => `VIPs on eth0: ${vips().join(' ')}`,
    );
    // README's and install.md's status commands, on the default socket the unit uses.
    expect(m().ok('keepalived-ts status')).toMatch(/VI_1: MASTER/);
    const socat = docRecipe('docs/install.md', 'echo status', 'socat');
    const status = JSON.parse(m().ok(socat)) as { vrrp?: { instances?: { name: string; state: string }[] } };
    expect(JSON.stringify(status)).toContain('"MASTER"');
  });

  it('systemctl reload applies a changed file in the same process, and a broken file is refused with the VIPs kept', async () => {
    const pid = m().property(UNIT, 'MainPID');
    m().ok('cat > /etc/keepalived/keepalived.conf', CONFIG(['192.0.2.100', '192.0.2.101']));
    m().ok(`systemctl reload ${UNIT}`);
    await waitFor(
      () => vips().includes('192.0.2.101'),
      20_000,
      () => `VIPs on eth0: ${vips().join(' ')}`,
    );
    expect(m().property(UNIT, 'MainPID')).toBe(pid);

    await waitFor(
      () => m().property(UNIT, 'StatusText') === 'Reload complete',
      20_000,
      () => m().sh(`systemctl status ${UNIT} --no-pager`).stdout,
    );

    m().ok('echo "vrrp_instance VI_1 {" >> /etc/keepalived/keepalived.conf');
    m().ok(`systemctl reload ${UNIT}`);
    // `systemctl status` shows why (the daemon's STATUS=).
    await waitFor(
      () => m().property(UNIT, 'StatusText') === 'Reload refused: configuration errors',
      20_000,
      () => m().sh(`systemctl status ${UNIT} --no-pager`).stdout,
    );
    expect(m().property(UNIT, 'ActiveState')).toBe('active');
    expect(m().property(UNIT, 'MainPID')).toBe(pid);
    expect(vips()).toEqual(expect.arrayContaining(['192.0.2.100', '192.0.2.101']));
    m().ok('cat > /etc/keepalived/keepalived.conf', CONFIG(['192.0.2.100', '192.0.2.101']));
  });

  it('the watchdog aborts a frozen daemon and systemd restarts it', async () => {
    const pid = m().property(UNIT, 'MainPID');
    m().ok(`kill -STOP ${pid}`);
    // WatchdogSec=10s, then SIGABRT, RestartSec=2s.
    await waitFor(
      () => m().property(UNIT, 'NRestarts') === '1' && m().property(UNIT, 'ActiveState') === 'active',
      60_000,
      () => m().sh(`systemctl status ${UNIT} --no-pager`).stdout,
    );
    expect(m().property(UNIT, 'MainPID')).not.toBe(pid);
    expect(m().ok(`journalctl -u ${UNIT} -o cat --no-pager`)).toContain(
      "keepalived-ts.service: Failed with result 'watchdog'.",
    );
    await waitFor(
      () => vips().includes('192.0.2.101'),
      20_000,
      () => `VIPs on eth0: ${vips().join(' ')}`,
    );
  });

  it('systemctl stop sends priority 0 and removes the VIPs', async () => {
    await waitFor(
      () => /192\.0\.2\.11 > 224\.0\.0\.18: VRRPv2, Advertisement, vrid 51, prio 150/.test(adverts),
      20_000,
      () => `adverts seen by the peer: ${adverts.slice(-500)}`,
    );
    const before = adverts.length;
    m().ok(`systemctl stop ${UNIT}`);
    expect(m().property(UNIT, 'ActiveState')).toBe('inactive');
    expect(m().property(UNIT, 'Result')).toBe('success');
    expect(vips()).toEqual([MACHINE_ADDR]);
    await waitFor(
      () =>
        /192\.0\.2\.11 > 224\.0\.0\.18: VRRPv2, Advertisement, vrid 51, prio 0,/.test(adverts.slice(before)),
      10_000,
      () => `no priority-0 advert among: ${adverts.slice(before).slice(-800)}`,
    );
  });

  it("journalctl shows keepalived's lines under keepalived's identifiers, and the docs' recipes work", () => {
    const vrrp = m().ok('journalctl -t Keepalived_vrrp -o cat --no-pager');
    expect(vrrp).toContain('(VI_1) Entering MASTER STATE');
    expect(vrrp).toContain('(VI_1) sent 0 priority');
    expect(m().ok('journalctl -t Keepalived -o cat --no-pager')).toContain('Starting keepalived-ts v0.1.0');

    const [follow] = docRecipes('docs/install.md', 'journalctl -t Keepalived_vrrp');
    expect(m().ok(follow ?? '')).toMatch(/Keepalived_vrrp\[\d+\]: \(VI_1\) Entering MASTER STATE/);
    // -p warning: the watchdog's abort is there, the info lines are not.
    const warnings = m().ok(docRecipe('docs/install.md', 'journalctl', '-p warning'));
    expect(warnings).toContain('Watchdog timeout');
    expect(warnings).not.toContain('Entering MASTER STATE');
    const fields = m().ok(docRecipe('docs/install.md', 'journalctl', 'EVENT=vrrp.transition'));
    expect(fields).toContain('"INSTANCE":"VI_1","FROM":"BACKUP","TO":"MASTER"');
    const both = m().ok(docRecipe('docs/logging.md', 'journalctl', '-t Keepalived_healthcheckers'));
    expect(both).toContain('Keepalived_vrrp');
    const one = m().ok(docRecipe('docs/logging.md', 'journalctl', 'INSTANCE=VI_1'));
    expect(one).toContain('(VI_1) Entering MASTER STATE');
    const failovers = m().ok(docRecipe('docs/logging.md', 'journalctl', '__REALTIME_TIMESTAMP'));
    expect(failovers).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ {2}VI_1 {2}BACKUP → MASTER {2}\(master-down\)$/m,
    );
    expect(failovers).toMatch(/VI_1 {2}MASTER → STOP/);
  });

  it('/etc/default/keepalived-ts passes options: --log-format=json, and the JSON recipes read it', async () => {
    m().ok(
      `sed -i 's/^KEEPALIVED_TS_OPTIONS=.*/KEEPALIVED_TS_OPTIONS="--log-format=json"/' /etc/default/keepalived-ts`,
    );
    const since = m().ok('date +%s').trim();
    m().ok(`systemctl start ${UNIT}`);
    await waitFor(
      () => vips().includes('192.0.2.101'),
      20_000,
      () => `VIPs on eth0: ${vips().join(' ')}`,
    );
    const recipe = docRecipe('docs/logging.md', 'journalctl -u keepalived-ts -o cat', '.from == "MASTER"');
    const failovers = m().ok(recipe.replace('journalctl ', `journalctl --since=@${since} `));
    expect(failovers).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ {2}VI_1 {2}BACKUP → MASTER {2}\(master-down\)$/m,
    );
    for (const other of docRecipes('docs/logging.md', 'journalctl -u keepalived-ts -o cat')) {
      expect(m().sh(other).status, other).toBe(0);
    }
  });

  it('dpkg -r stops the daemon (priority 0, VIPs removed) and keeps the conffile; dpkg -P removes it', async () => {
    adverts = '';
    m().ok('dpkg -r keepalived-ts');
    expect(vips()).toEqual([MACHINE_ADDR]);
    expect(m().sh('command -v keepalived-ts').status).not.toBe(0);
    await waitFor(
      () => /192\.0\.2\.11 > 224\.0\.0\.18: VRRPv2, Advertisement, vrid 51, prio 0,/.test(adverts),
      10_000,
      () => `no priority-0 advert among: ${adverts.slice(-800)}`,
    );
    m().ok('grep -q -- --log-format=json /etc/default/keepalived-ts');
    m().ok('dpkg -P keepalived-ts');
    expect(m().sh('test -e /etc/default/keepalived-ts').status).not.toBe(0);
  });
});
