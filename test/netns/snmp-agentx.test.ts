/**
 * The SNMP subagent against Debian's net-snmp (issue 17): snmpd as the AgentX master (on a Unix
 * socket in the lab's directory, SNMP on 127.0.0.1), snmptrapd receiving what snmpd forwards, and
 * snmpwalk reading. h1 (keepalived-ts, priority 150) is MASTER; h2 (keepalived-ts, 100) runs the
 * subagent for KEEPALIVED-MIB's VRRP and checker parts and VRRPv3-MIB, with enable_traps, and a
 * virtual server whose real server is a TCP listener on h2 (TCP_CHECK). The walks must show
 * keepalived's objects with the live values; stopping the real server must send
 * realServerStateChange and virtualServerQuorumStateChange; stopping h1 must send
 * vrrpInstanceStateChange and vrrpv3NewMaster from h2; a restarted snmpd must get the subagent
 * back.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/process.js';
import type { Daemon, Lab, LabHost } from './lab.js';
import { requireCommand } from './netns.js';
import { useLab } from './use-lab.js';
import { config, instanceBlock, tcpRealServer } from './vrrp-conf.js';

const SNMP_PORT = 17161;
const TRAP_PORT = 17162;
const K = '.1.3.6.1.4.1.9586.100.5';
const V3 = '.1.3.6.1.2.1.207';
const VIP = '192.0.2.100';

const suite = useLab('snmp', 2, {
  setup: () => {
    const hint = "install Debian's snmpd, snmp and snmptrapd (`npm run setup:test-host` does)";
    requireCommand('snmpd', hint);
    requireCommand('snmpwalk', hint);
    requireCommand('snmptrapd', hint);
  },
});

const procs: ChildProcess[] = [];
afterAll(() => {
  for (const p of procs) p.kill('SIGKILL');
});

/** A net-snmp daemon in the foreground, logging to its stdout, which `out` collects. */
function netSnmp(cmd: string, args: readonly string[]): { proc: ChildProcess; out: () => string } {
  let text = '';
  // No MIB files: -On output only, and no warnings about the ones Debian leaves out.
  const proc = spawn(cmd, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, MIBS: '', MIBDIRS: '/nonexistent' },
  });
  proc.stdout?.on('data', (d: Buffer) => (text += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (text += d.toString()));
  procs.push(proc);
  return { proc, out: () => text };
}

function startSnmpd(lab: Lab, socket: string): { proc: ChildProcess; out: () => string } {
  const conf = lab.file(
    'snmpd.conf',
    [
      'master agentx',
      `agentXSocket unix:${socket}`,
      `agentaddress udp:127.0.0.1:${SNMP_PORT}`,
      'rocommunity public 127.0.0.1',
      `trap2sink 127.0.0.1:${TRAP_PORT} public`,
    ].join('\n'),
  );
  return netSnmp('snmpd', ['-f', '-Lo', '-C', '-c', conf]);
}

/** `snmpwalk -On` of `oid` as OID → value text. */
function walk(oid: string): Map<string, string> {
  const r = spawnSync('snmpwalk', ['-v2c', '-c', 'public', '-On', '-t', '3', `127.0.0.1:${SNMP_PORT}`, oid], {
    encoding: 'utf8',
    env: { ...process.env, MIBS: '', MIBDIRS: '/nonexistent' },
  });
  const out = new Map<string, string>();
  for (const line of r.stdout.split('\n')) {
    const m = /^(\.[\d.]+) = (.*)$/.exec(line.trim());
    if (m) out.set(m[1] ?? '', m[2] ?? '');
  }
  return out;
}

interface Trap {
  readonly oid: string;
  readonly vars: Map<string, string>;
}

/** The notifications snmptrapd printed (-On: one line of tab-separated varbinds each). */
function traps(text: string): Trap[] {
  const out: Trap[] = [];
  for (const line of text.split('\n')) {
    if (!line.includes('.1.3.6.1.6.3.1.1.4.1.0 = OID: ')) continue;
    const vars = new Map<string, string>();
    for (const vb of line.split('\t')) {
      const m = /^(\.[\d.]+) = (.*)$/.exec(vb.trim());
      if (m) vars.set(m[1] ?? '', m[2] ?? '');
    }
    out.push({ oid: vars.get('.1.3.6.1.6.3.1.1.4.1.0')?.replace('OID: ', '') ?? '', vars });
  }
  return out;
}

/** An address as net-snmp prints an octet string (trimmed): `Hex-STRING: C0 00 02 64`. */
const hex = (ip: string): string =>
  `Hex-STRING: ${ip
    .split('.')
    .map((o) => Number(o).toString(16).toUpperCase().padStart(2, '0'))
    .join(' ')}`;

function conf(priority: number, snmp: boolean, rs: LabHost): string {
  const globals = snmp
    ? ['  enable_traps', '  enable_snmp_vrrp', '  enable_snmp_checker', '  enable_snmp_rfcv3'].join('\n')
    : '';
  const vs = [
    `virtual_server ${VIP} 8080 {`,
    '  delay_loop 1',
    '  lb_algo wrr',
    '  lb_kind DR',
    '  protocol TCP',
    tcpRealServer(rs.ip4, 8080, { weight: 3 }),
    '}',
  ].join('\n');
  return config(instanceBlock({ priority, vips: [`${VIP}/24`] }), ...(snmp ? [vs] : [])).replace(
    '  router_id lab',
    `  router_id lab-h${priority === 150 ? 1 : 2}\n${globals}`,
  );
}

async function trapArrives(out: () => string, pred: (t: Trap) => boolean, what: string): Promise<Trap> {
  let found: Trap | undefined;
  await waitFor(
    () => (found = traps(out()).find(pred)) !== undefined,
    20_000,
    () => `${what}; snmptrapd printed:\n${out().slice(-3000)}`,
  );
  if (!found) throw new Error(what);
  return found;
}

describe('the AgentX subagent with net-snmp’s snmpd, snmpwalk and snmptrapd', () => {
  it('serves KEEPALIVED-MIB and VRRPv3-MIB with live values, sends keepalived’s traps, and rejoins a restarted snmpd', async () => {
    const lab = suite.lab();
    const socket = join(lab.dir, 'agentx');
    let snmpd = startSnmpd(lab, socket);
    const trapd = netSnmp('snmptrapd', [
      '-f',
      '-Lo',
      '-C',
      '-On',
      '-c',
      lab.file('snmptrapd.conf', 'disableAuthorization yes\n'),
      `udp:127.0.0.1:${TRAP_PORT}`,
    ]);
    await waitFor(() => snmpd.out().includes('Turning on AgentX master support'), 10_000, snmpd.out);

    const h1 = lab.host(1);
    const h2 = lab.host(2);
    // The real server: a TCP listener on h2's own address.
    const server = (): Daemon =>
      lab.start(h2, [
        process.execPath,
        '-e',
        `require('node:net').createServer((s) => s.end()).listen(8080, '${h2.ip4}')`,
      ]);
    const rs = server();
    const d1 = suite.track(await lab.startKts(h1, conf(150, false, h2)));
    await d1.waitForLine(/Entering MASTER STATE/);
    const d2 = suite.track(await lab.startKts(h2, conf(100, true, h2), ['-A', `unix:${socket}`]));
    await d2.waitForRecord((r) => r.event === 'snmp.connected', 'the subagent registered');
    await d2.waitForLine(/Entering BACKUP STATE/);

    // KEEPALIVED-MIB: the scalars, vrrpInstanceTable (row 1), virtualServerTable, realServerTable.
    await waitFor(
      () => walk(`${K}.2.3`).get(`${K}.2.3.1.4.1`) === 'INTEGER: 1',
      10_000,
      () => 'VI_1 backup(1)',
    );
    // The real server's listener and its first TCP_CHECK (retry 0) race at start: wait for it up.
    await waitFor(
      () => walk(`${K}.3.4`).get(`${K}.3.4.1.6.1.1`) === 'INTEGER: 1',
      10_000,
      () => 'the real server alive(1)',
    );
    const k = walk(K);
    expect(k.get(`${K}.1.1.0`)).toMatch(/^STRING: "Keepalived-ts v/);
    expect(k.get(`${K}.1.2.0`)).toBe('STRING: "lab-h2"');
    expect(k.get(`${K}.1.4.0`)).toBe('INTEGER: 1'); // trapEnable enabled(1)
    expect(k.get(`${K}.2.3.1.2.1`)).toBe('STRING: "VI_1"');
    expect(k.get(`${K}.2.3.1.3.1`)).toBe('Gauge32: 51');
    expect(k.get(`${K}.2.3.1.5.1`)).toBe('INTEGER: 1'); // initial state backup
    expect(k.get(`${K}.2.3.1.7.1`)).toBe('INTEGER: 100');
    expect(k.get(`${K}.2.3.1.9.1`)).toBe('INTEGER: 2'); // VIPs notAllSet
    expect(k.get(`${K}.2.3.1.10.1`)).toBe('STRING: "eth0"');
    expect(k.get(`${K}.2.3.1.30.1`)).toBe('INTEGER: 2'); // vrrpv2
    expect(k.get(`${K}.3.3.1.6.1`)).toBe(hex(VIP));
    expect(k.get(`${K}.3.3.1.7.1`)).toBe('Gauge32: 8080');
    expect(k.get(`${K}.3.3.1.9.1`)).toBe('INTEGER: 2'); // wrr
    expect(k.get(`${K}.3.3.1.10.1`)).toBe('INTEGER: 2'); // dr
    expect(k.get(`${K}.3.4.1.4.1.1`)).toBe(hex(h2.ip4));
    expect(k.get(`${K}.3.4.1.6.1.1`)).toBe('INTEGER: 1'); // alive
    expect(k.get(`${K}.3.4.1.7.1.1`)).toBe('INTEGER: 3');
    // VRRPv3-MIB, indexed by ifIndex.vrid.ipv4(1): h1 is the master.
    const masterIp = (w: Map<string, string>): [string | undefined, string | undefined] => {
      const o = [...w.keys()].find((x) => x.startsWith(`${V3}.1.1.1.1.3.`));
      return [o?.slice(`${V3}.1.1.1.1.3.`.length), o === undefined ? undefined : w.get(o)];
    };
    // h2 learns the master's address from its first advert.
    await waitFor(
      () => masterIp(walk(V3))[1] === hex(h1.ip4),
      10_000,
      () => `master ${masterIp(walk(V3))[1]}`,
    );
    const v3 = walk(V3);
    const row = masterIp(v3)[0];
    expect(row).toMatch(/^\d+\.51\.1$/);
    expect(v3.get(`${V3}.1.1.1.1.5.${row}`)).toBe('Hex-STRING: 00 00 5E 00 01 33');
    expect(v3.get(`${V3}.1.1.1.1.6.${row}`)).toBe('INTEGER: 2'); // backup
    expect(v3.get(`${V3}.1.1.1.1.9.${row}`)).toBe('INTEGER: 100'); // centiseconds

    // The real server stops: realServerStateChange (dead) and the quorum trap.
    await rs.stop();
    const rsTrap = await trapArrives(
      trapd.out,
      (t) => t.oid === `${K}.3.5.0.1` && t.vars.get(`${K}.3.4.1.6`) === 'INTEGER: 2',
      'realServerStateChange with realServerStatus dead(2)',
    );
    expect(rsTrap.vars.get(`${K}.3.4.1.4`)).toBe(hex(h2.ip4));
    expect(rsTrap.vars.get(`${K}.3.3.1.6`)).toBe(hex(VIP));
    expect(rsTrap.vars.get(`${K}.1.2.0`)).toBe('STRING: "lab-h2"');
    await trapArrives(
      trapd.out,
      (t) => t.oid === `${K}.3.5.0.2` && t.vars.get(`${K}.3.3.1.23`) === 'INTEGER: 2',
      'virtualServerQuorumStateChange with notMet(2)',
    );
    // Rows are at most a second old (docs/snmp.md).
    await waitFor(
      () => walk(`${K}.3.4`).get(`${K}.3.4.1.6.1.1`) === 'INTEGER: 2',
      5000,
      () => 'realServerStatus dead(2)',
    );

    // h1 stops: h2 takes over and says so.
    await d1.stop();
    suite.untrack(d1);
    await d2.waitForLine(/Entering MASTER STATE/);
    const stateTrap = await trapArrives(
      trapd.out,
      (t) => t.oid === `${K}.2.10.0.2` && t.vars.get(`${K}.2.3.1.4`) === 'INTEGER: 2',
      'vrrpInstanceStateChange with vrrpInstanceState master(2)',
    );
    expect(stateTrap.vars.get(`${K}.2.3.1.2`)).toBe('STRING: "VI_1"');
    expect(stateTrap.vars.get(`${K}.2.3.1.5`)).toBe('INTEGER: 1');
    const newMaster = await trapArrives(trapd.out, (t) => t.oid === `${V3}.0.1`, 'vrrpv3NewMaster');
    expect(newMaster.vars.get(`${V3}.1.1.1.1.3.${row}`)).toBe(hex(h2.ip4));
    // h1 resigned with priority 0: priority(1), as keepalived 2.2.7 reports it (not masterNoResponse).
    expect(newMaster.vars.get(`${V3}.1.2.5.1.2.${row}`)).toBe('INTEGER: 1');
    await waitFor(
      () => walk(`${K}.2.3`).get(`${K}.2.3.1.9.1`) === 'INTEGER: 1',
      10_000,
      () => 'VIPs allSet(1)',
    );
    const after = walk(V3);
    expect(after.get(`${V3}.1.1.1.1.6.${row}`)).toBe('INTEGER: 3'); // master
    expect(after.get(`${V3}.1.2.5.1.1.${row}`)).toBe('Counter32: 1'); // masterTransitions

    // snmpd restarts: the subagent dials again and registers; walks answer again.
    snmpd.proc.kill('SIGTERM');
    await new Promise((r) => snmpd.proc.once('exit', r));
    await d2.waitForRecord((r) => r.event === 'snmp.disconnected', 'the subagent saw the master go');
    const connects = d2.records.filter((r) => r.event === 'snmp.connected').length;
    snmpd = startSnmpd(lab, socket);
    await waitFor(
      () => d2.records.filter((r) => r.event === 'snmp.connected').length > connects,
      20_000,
      () => 'the subagent registered again',
    );
    expect(walk(`${K}.2.3`).get(`${K}.2.3.1.4.1`)).toBe('INTEGER: 2');
  });
});
