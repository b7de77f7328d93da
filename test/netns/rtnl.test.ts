/**
 * LinuxRtnl against the real kernel. The adapter must run inside the test namespace and vitest
 * runs outside it, so scripts/rtnl-scenario.mjs drives the built adapter (dist/net/rtnl.js) under
 * `ip netns exec`, prints JSON, and we compare with what iproute2 (`ip -j`) sees.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddressSpec, InterfaceAddress } from '../../src/net/ports.js';
import { Netns, requireNetnsLab } from './netns.js';

const SCRIPT = fileURLToPath(new URL('./scripts/rtnl-scenario.mjs', import.meta.url));
const BUILT = fileURLToPath(new URL('../../dist/net/rtnl.js', import.meta.url));
const ADDON = fileURLToPath(new URL('../../build/Release/rawsock.node', import.meta.url));
const MAC = '02:6b:74:73:00:01';

interface LinkJson {
  index: number;
  name: string;
  mac: string;
  up: boolean;
}
interface StepResult {
  ok: boolean;
  code?: string;
  message?: string;
  errno?: string | null;
  links?: LinkJson[];
  addresses?: InterfaceAddress[];
}
interface RunOutput {
  results: StepResult[];
  errors: string[];
  fdsBefore: string[];
  fdsAfter: string[];
}
type Step = { op: 'links' | 'addresses' } | { op: 'add' | 'del'; spec: AddressSpec };

interface IpAddrInfo {
  family: string;
  local: string;
  address?: string;
  prefixlen: number;
  broadcast?: string;
  scope: string;
  label?: string;
  secondary?: boolean;
  nodad?: boolean;
  deprecated?: boolean;
  preferred_life_time?: number;
}

let ns: Netns;
let eth0: number;

/** Run steps in the namespace; the script must exit by itself (nothing left on the loop). */
function run(steps: Step[]): RunOutput {
  const r = ns.exec(['node', SCRIPT, 'run', JSON.stringify(steps)]);
  expect(
    r.error,
    'the scenario script did not exit by itself: a poll handle or timer leaked?',
  ).toBeUndefined();
  expect(r.status, r.stderr).toBe(0);
  const out = JSON.parse(r.stdout) as RunOutput;
  expect(out.fdsAfter, 'file descriptors leaked').toEqual(out.fdsBefore);
  expect(out.errors).toEqual([]);
  return out;
}

function addrsOf(dev: string): IpAddrInfo[] {
  const j = JSON.parse(ns.ip(['-j', 'addr', 'show', 'dev', dev])) as { addr_info: IpAddrInfo[] }[];
  return j[0]?.addr_info ?? [];
}

const vip = (over: Partial<AddressSpec>): AddressSpec => ({
  index: eth0,
  family: 'inet',
  address: '192.0.2.10',
  prefixLength: 24,
  broadcast: null,
  scope: 'global',
  label: null,
  peer: null,
  flags: [],
  preferredLft: null,
  ...over,
});

beforeAll(() => {
  requireNetnsLab();
  if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: run \`npm run build\` first (npm test does)`);
  if (!existsSync(ADDON)) throw new Error(`${ADDON} is missing: run \`npm install\` (node-gyp rebuild)`);
  ns = Netns.create('kts-rtnl', ['eth0']);
  ns.ip(['link', 'set', 'eth0', 'address', MAC]);
  const links = JSON.parse(ns.ip(['-j', 'link', 'show', 'dev', 'eth0'])) as { ifindex: number }[];
  eth0 = links[0]?.ifindex ?? 0;
});

afterAll(() => ns?.destroy());

describe('LinuxRtnl in a namespace', () => {
  it('lists the links as ip does, eth0 with its MAC and up', () => {
    const [r] = run([{ op: 'links' }]).results;
    expect(r?.ok, r?.message).toBe(true);
    const ip = JSON.parse(ns.ip(['-j', 'link', 'show'])) as {
      ifindex: number;
      ifname: string;
      address: string;
    }[];
    expect(r?.links?.map((l) => [l.index, l.name, l.mac])).toEqual(
      ip.map((l) => [l.ifindex, l.ifname, l.address]),
    );
    expect(r?.links?.find((l) => l.name === 'eth0')).toEqual({
      index: eth0,
      name: 'eth0',
      mac: MAC,
      up: true,
    });
    expect(r?.links?.find((l) => l.name === 'lo')?.up).toBe(false); // a new namespace's lo is down
  });

  it('adds an IPv4 address with brd +, a label and scope link; twice is fine; deletes it twice', () => {
    const spec = vip({ broadcast: '+', label: 'eth0:vip', scope: 'link' });
    const added = run([{ op: 'add', spec }, { op: 'add', spec }, { op: 'addresses' }]).results;
    expect(added.map((r) => r.ok)).toEqual([true, true, true]);
    expect(addrsOf('eth0').filter((a) => a.family === 'inet')).toEqual([
      expect.objectContaining({
        local: '192.0.2.10',
        prefixlen: 24,
        broadcast: '192.0.2.255',
        scope: 'link',
        label: 'eth0:vip',
      }),
    ]);
    expect(added[2]?.addresses).toContainEqual({
      index: eth0,
      family: 'inet',
      address: '192.0.2.10',
      prefixLength: 24,
      secondary: false,
      linkLocal: false,
      label: 'eth0:vip',
    });
    const deleted = run([
      { op: 'del', spec },
      { op: 'del', spec },
    ]).results;
    expect(deleted).toEqual([{ ok: true }, { ok: true }]);
    expect(addrsOf('eth0').filter((a) => a.family === 'inet')).toEqual([]);
  });

  it('reports a second address of a subnet as secondary', () => {
    const a = vip({});
    const b = vip({ address: '192.0.2.11' });
    const out = run([
      { op: 'add', spec: a },
      { op: 'add', spec: b },
      { op: 'addresses' },
      { op: 'del', spec: b },
      { op: 'del', spec: a },
    ]);
    const mine = out.results[2]?.addresses?.filter((x) => x.index === eth0 && x.family === 'inet');
    expect(mine?.map((x) => [x.address, x.secondary])).toEqual([
      ['192.0.2.10', false],
      ['192.0.2.11', true],
    ]);
    expect(out.results.every((r) => r.ok)).toBe(true);
    expect(addrsOf('eth0').filter((x) => x.family === 'inet')).toEqual([]);
  });

  it('adds an IPv4 address with a peer and deletes it again', () => {
    const spec = vip({ address: '198.51.100.1', prefixLength: 30, peer: '198.51.100.2' });
    expect(run([{ op: 'add', spec }]).results).toEqual([{ ok: true }]);
    expect(addrsOf('eth0').filter((a) => a.family === 'inet')).toEqual([
      expect.objectContaining({ local: '198.51.100.1', address: '198.51.100.2', prefixlen: 30 }),
    ]);
    expect(run([{ op: 'del', spec }]).results).toEqual([{ ok: true }]);
    expect(addrsOf('eth0').filter((a) => a.family === 'inet')).toEqual([]);
  });

  it('adds an IPv6 /128 with nodad, deprecated as keepalived does; twice is fine; deletes it twice', () => {
    const spec = vip({ family: 'inet6', address: '2001:db8::10', prefixLength: 128, flags: ['nodad'] });
    expect(
      run([
        { op: 'add', spec },
        { op: 'add', spec },
      ]).results,
    ).toEqual([{ ok: true }, { ok: true }]);
    expect(addrsOf('eth0').filter((a) => a.local === '2001:db8::10')).toEqual([
      expect.objectContaining({
        family: 'inet6',
        prefixlen: 128,
        scope: 'global',
        nodad: true,
        deprecated: true,
        preferred_life_time: 0,
      }),
    ]);
    expect(
      run([
        { op: 'del', spec },
        { op: 'del', spec },
      ]).results,
    ).toEqual([{ ok: true }, { ok: true }]);
    expect(addrsOf('eth0').filter((a) => a.local === '2001:db8::10')).toEqual([]);
  });

  it('reports kernel refusals as KA_ERR_NETLINK with the errno; a vanished interface is no error on delete', () => {
    const gone = vip({ index: 999_999, address: '203.0.113.9' });
    const [add, del] = run([
      { op: 'add', spec: gone },
      { op: 'del', spec: gone },
    ]).results;
    expect(add).toMatchObject({ ok: false, code: 'KA_ERR_NETLINK', errno: 'ENODEV' });
    expect(add?.message).toMatch(/^RTM_NEWADDR 203\.0\.113\.9\/24 ifindex 999999: ENODEV/);
    expect(del).toEqual({ ok: true });
  });
});

describe('LinuxRtnl.watchLinks in a namespace', () => {
  let child: ChildProcessWithoutNullStreams | undefined;
  afterAll(() => child?.kill('SIGKILL'));

  it('reports `ip link set eth0 down` and up, and lets the process end after close()', async () => {
    child = spawn('ip', ['netns', 'exec', ns.name, 'node', SCRIPT, 'watch']);
    const lines: Record<string, unknown>[] = [];
    let stderr = '';
    let buffered = '';
    const waiters: (() => void)[] = [];
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        lines.push(JSON.parse(buffered.slice(0, nl)) as Record<string, unknown>);
        buffered = buffered.slice(nl + 1);
      }
      for (const w of waiters.splice(0)) w();
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child?.on('exit', (code) => resolve(code)));

    /** Resolve with the first line (from `from` on) that matches, or fail after 10 s. */
    const waitFor = (what: string, from: number, match: (l: Record<string, unknown>) => boolean) =>
      new Promise<number>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no ${what} within 10 s; got ${JSON.stringify(lines)} ${stderr}`)),
          10_000,
        );
        const check = (): void => {
          const i = lines.findIndex((l, k) => k >= from && match(l));
          if (i >= 0) {
            clearTimeout(timer);
            resolve(i);
          } else waiters.push(check);
        };
        check();
      });
    const eth0Event = (up: boolean) => (l: Record<string, unknown>) => {
      const e = l.event as { name?: string; up?: boolean; deleted?: boolean } | undefined;
      return e?.name === 'eth0' && e.up === up && e.deleted === false;
    };

    const ready = await waitFor('ready line', 0, (l) => l.ready === true);
    ns.ip(['link', 'set', 'eth0', 'down']);
    const down = await waitFor('eth0 down event', ready, eth0Event(false));
    ns.ip(['link', 'set', 'eth0', 'up']);
    await waitFor('eth0 up event', down, eth0Event(true));
    expect(lines.find((l) => 'event' in l && (l.event as LinkJson).name === 'eth0')?.event).toMatchObject({
      index: eth0,
      mac: MAC,
    });
    expect(lines.filter((l) => 'error' in l)).toEqual([]);

    child.stdin.end(); // the script unsubscribes, closes, and must then exit by itself
    const closed = await waitFor('closed line', 0, (l) => l.closed === true);
    expect(lines[closed]?.fdsAfter, 'file descriptors leaked').toEqual(lines[closed]?.fdsBefore);
    const timeout = new Promise<string>((resolve) =>
      setTimeout(() => resolve('still running after 10 s'), 10_000),
    );
    expect(await Promise.race([exited, timeout]), `the watch script did not end by itself: ${stderr}`).toBe(
      0,
    );
  });
});
