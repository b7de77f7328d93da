/**
 * The built LinuxAnnouncer on a real AF_PACKET socket: two namespaces joined by a veth, the
 * sender (scripts/announce.mjs, run with `ip netns exec`) sends 3 gratuitous ARPs and 2
 * unsolicited NAs while tcpdump captures on the receiving end. The frames must arrive exactly as
 * garp.ts builds them, and the receiver's kernel must take them: it updates an existing ARP and
 * neighbour entry to the sender's MAC (Linux never creates an entry from a gratuitous ARP, it only
 * updates one). Then, with the link down, sending reports ENETDOWN instead of throwing.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIpv4, parseIpv6 } from '../../src/lib/ip.js';
import { garpFrame, unsolicitedNaFrame } from '../../src/net/garp.js';
import { readPcap, type Frame } from '../helpers/pcap.js';
import { Netns, requireCommand, requireNetnsLab, stopProcess } from './netns.js';

const SCRIPT = fileURLToPath(new URL('./scripts/announce.mjs', import.meta.url));
const BUILT = fileURLToPath(new URL('../../dist/net/announcer.js', import.meta.url));

const VIP4 = '192.0.2.100';
const OTHER4 = '192.0.2.101';
const VIP6 = '2001:db8::100';
/** The stale MAC the receiver starts with for the VIPs. */
const STALE_MAC = '02:00:00:00:00:99';

interface ScriptResult {
  stats: { garpSent: number; naSent: number; errors: number };
  errors: { kind: string; address: string; errno: string | null; message: string }[];
}

interface LinkJson {
  ifindex: number;
  address: string;
}
interface NeighJson {
  dst: string;
  lladdr?: string;
  state?: string[];
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const macBytes = (text: string): Uint8Array => Uint8Array.from(text.split(':').map((h) => parseInt(h, 16)));

let tx: Netns | undefined;
let rx: Netns | undefined;
let tcpdump: ChildProcess | undefined;
let dir: string | undefined;
let txLink: LinkJson;
let sent: ScriptResult;
let captured: Frame[];

function announce(ns: Netns, plan: object): ScriptResult {
  const r = ns.exec(['node', SCRIPT, JSON.stringify(plan)]);
  if (r.status !== 0)
    throw new Error(`announce.mjs failed (${r.status ?? r.signal}): ${r.stderr}${r.error?.message ?? ''}`);
  return JSON.parse(r.stdout) as ScriptResult;
}

const neigh = (address: string): NeighJson[] =>
  JSON.parse(rx?.ip(['-j', 'neigh', 'show', 'to', address, 'dev', 'eth0']) ?? '[]') as NeighJson[];

/** Frames in a pcap that tcpdump may still be writing (a torn last record counts as absent). */
function completeFrames(file: string): number {
  if (!existsSync(file) || readFileSync(file).length < 24) return 0;
  return readPcap(file).filter((f) => f.bytes.length >= 42).length;
}

/** Poll `check` every 20 ms until it returns true, failing after `timeoutMs` with `what`. */
async function until(what: string, check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  requireNetnsLab();
  requireCommand('tcpdump', "install Debian's tcpdump (.ci/run does): it captures the frames");
  if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: run \`npm run build\` first (npm test does)`);

  tx = Netns.createNamed(`kts-garp-${process.pid}-tx`);
  rx = Netns.createNamed(`kts-garp-${process.pid}-rx`);
  tx.veth('eth0', rx, 'eth0');
  for (const [ns, v4, v6] of [
    [tx, ['192.0.2.1/24', `${VIP4}/24`, `${OTHER4}/24`], ['2001:db8::1/64', `${VIP6}/64`]],
    [rx, ['192.0.2.2/24'], ['2001:db8::2/64']],
  ] as const) {
    for (const a of v4) ns.ip(['addr', 'add', a, 'dev', 'eth0']);
    for (const a of v6) ns.ip(['-6', 'addr', 'add', a, 'dev', 'eth0', 'nodad']);
  }
  const links = JSON.parse(tx.ip(['-j', 'link', 'show', 'dev', 'eth0'])) as LinkJson[];
  txLink = links[0] as LinkJson;

  // Entries the announcements must update: stale, pointing at some other MAC.
  rx.ip(['neigh', 'replace', VIP4, 'lladdr', STALE_MAC, 'dev', 'eth0', 'nud', 'stale']);
  rx.ip(['-6', 'neigh', 'replace', VIP6, 'lladdr', STALE_MAC, 'dev', 'eth0', 'nud', 'stale']);
  expect(neigh(VIP4)[0]?.lladdr).toBe(STALE_MAC);
  expect(neigh(VIP6)[0]?.lladdr).toBe(STALE_MAC);

  dir = mkdtempSync(join(tmpdir(), 'kts-garp-'));
  const pcap = join(dir, 'rx.pcap');
  // Only what the sender sends that is ARP or a neighbour advertisement (ICMPv6 type 136): the
  // kernel's own MLD reports and router solicitations stay out. -Z root: write the file as root.
  const filter = `ether src ${txLink.address} and (arp or (icmp6 and ip6[40] == 136))`;
  tcpdump = await rx.start(
    ['tcpdump', '-i', 'eth0', '-n', '-U', '--immediate-mode', '-Z', 'root', '-w', pcap, filter],
    /listening on/,
  );
  sent = announce(tx, {
    ifindex: txLink.ifindex,
    mac: txLink.address,
    garp: [VIP4, VIP4, OTHER4],
    na: [
      [VIP6, true],
      [VIP6, false],
    ],
  });
  await until('5 frames in the capture', () => completeFrames(pcap) >= 5);
  const code = await stopProcess(tcpdump, 'SIGINT');
  tcpdump = undefined;
  expect(code, 'tcpdump exit code').toBe(0);
  captured = readPcap(pcap);
});

afterAll(async () => {
  if (tcpdump) await stopProcess(tcpdump, 'SIGKILL');
  tx?.destroy();
  rx?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('LinuxAnnouncer on a veth', () => {
  it('sends everything without an error', () => {
    expect(sent).toEqual({ stats: { garpSent: 3, naSent: 2, errors: 0 }, errors: [] });
  });

  it('puts exactly the built frames on the wire', () => {
    const mac = macBytes(txLink.address);
    const v4 = (a: string): Uint8Array => parseIpv4(a) as Uint8Array;
    const v6 = parseIpv6(VIP6) as Uint8Array;
    expect(captured.map((f) => hex(f.bytes))).toEqual([
      hex(garpFrame(mac, v4(VIP4))),
      hex(garpFrame(mac, v4(VIP4))),
      hex(garpFrame(mac, v4(OTHER4))),
      hex(unsolicitedNaFrame(mac, v6, v6, true)),
      hex(unsolicitedNaFrame(mac, v6, v6, false)),
    ]);
  });

  it('makes the receiver update its existing ARP entry, and create none', async () => {
    await until(
      `${VIP4} -> ${txLink.address} in the receiver's ARP table`,
      () => neigh(VIP4)[0]?.lladdr === txLink.address,
    );
    expect(neigh(VIP4)).toEqual([expect.objectContaining({ dst: VIP4, lladdr: txLink.address })]);
    expect(neigh(OTHER4), 'a gratuitous ARP for an unknown address creates no entry').toEqual([]);
  });

  it('makes the receiver update its existing IPv6 neighbour entry (checksum and hop limit accepted)', async () => {
    await until(
      `${VIP6} -> ${txLink.address} in the receiver's neighbour table`,
      () => neigh(VIP6)[0]?.lladdr === txLink.address,
    );
    expect(neigh(VIP6)).toEqual([expect.objectContaining({ dst: VIP6, lladdr: txLink.address })]);
  });

  it('reports ENETDOWN through onError, without throwing, when the link is down', () => {
    const sender = tx as Netns;
    sender.ip(['link', 'set', 'eth0', 'down']);
    const r = announce(sender, {
      ifindex: txLink.ifindex,
      mac: txLink.address,
      garp: [VIP4],
      na: [[VIP6, false]],
    });
    expect(r.stats).toEqual({ garpSent: 0, naSent: 0, errors: 2 });
    expect(r.errors.map((e) => [e.kind, e.address, e.errno])).toEqual([
      ['garp', VIP4, 'ENETDOWN'],
      ['na', VIP6, 'ENETDOWN'],
    ]);
  });
});
