/**
 * FRR 8.4 daemons (zebra, bfdd, bgpd) in a lab host, for the announce_table labs (docs/bgp.md).
 * Each runs in the foreground as a lab Daemon (so the lab's teardown stops it), with every path
 * it uses (config, pid file, vty sockets, zserv socket, bfdd's control socket) in its own
 * directory: `ip netns exec` shares /run, so FRR's defaults there would collide between hosts.
 * The daemons drop to the frr user before they write, so the directory is theirs; it lives under
 * a root directory of mode 0755 (the lab's own is 0700, which the frr user cannot enter).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, type Daemon, type Lab, type LabHost } from './lab.js';
import { requireCommand } from './netns.js';

const FRR = '/usr/lib/frr';

/** Each daemon's configuration (without `hostname`, which is added); a daemon without one is not started. */
export interface FrrConfigs {
  readonly zebra: string;
  readonly bfdd?: string;
  readonly bgpd: string;
}

export interface FrrHost {
  readonly dir: string;
  readonly daemons: readonly Daemon[];
  /** `vtysh -c COMMAND` against this host's daemons; the parsed JSON of a `... json` command. */
  show(command: string): unknown;
}

/** A BFD profile `fast` for bfdd.conf (RFC 5880: down after `multiplier` missed packets). */
export const bfdProfile = (intervalMs: number, multiplier = 3): string =>
  [
    'bfd',
    ' profile fast',
    `  detect-multiplier ${multiplier}`,
    `  receive-interval ${intervalMs}`,
    `  transmit-interval ${intervalMs}`,
    ' !',
    '!',
    '',
  ].join('\n');

/** BGP timers for a lab: keepalive 3 s, hold 9 s, reconnect after 1 s, updates sent at once. */
export const labTimers = (peer: string): string =>
  [
    ` neighbor ${peer} timers 3 9`,
    ` neighbor ${peer} timers connect 1`,
    ` neighbor ${peer} advertisement-interval 0`,
  ].join('\n');

/**
 * A director's bgpd (AS 64513) toward `router` (AS 64512): the VIPs of 203.0.113.0/24 found in
 * kernel table `table` out through a prefix list, nothing in (docs/bgp.md); with `bfd`, the
 * session follows BFD profile `fast` (bfdProfile in bfdd.conf).
 */
export const directorBgpd = (director: LabHost, router: LabHost, table: number, bfd: boolean): string =>
  [
    'ip prefix-list VIP4 seq 5 permit 203.0.113.0/24 ge 32',
    'route-map ANNOUNCE permit 10',
    ' match ip address prefix-list VIP4',
    'exit',
    'route-map NONE deny 10',
    'exit',
    'router bgp 64513',
    ` bgp router-id ${director.ip4}`,
    ` neighbor ${router.ip4} remote-as 64512`,
    ...(bfd ? [` neighbor ${router.ip4} bfd`, ` neighbor ${router.ip4} bfd profile fast`] : []),
    labTimers(router.ip4),
    ' address-family ipv4 unicast',
    `  redistribute table ${table} route-map ANNOUNCE`,
    `  neighbor ${router.ip4} route-map NONE in`,
    `  neighbor ${router.ip4} route-map ANNOUNCE out`,
    ' exit-address-family',
    '',
  ].join('\n');

export class Frr {
  private root = '';
  private readonly hosts = new Map<string, FrrHost>();

  constructor(
    private readonly lab: () => Lab,
    private readonly track: (d: Daemon) => Daemon,
  ) {}

  /** Call in the lab's setup: fails with a clear message without FRR. */
  prepare(): void {
    requireCommand(
      `${FRR}/bgpd`,
      'install FRR (`apt-get install frr`, 8.4 on Debian 12; setup:test-host does)',
    );
    this.root = mkdtempSync(join(tmpdir(), 'kts-frr-'));
    chmodSync(this.root, 0o755);
  }

  /** After the lab is gone (its daemons stopped). */
  cleanup(): void {
    if (this.root) rmSync(this.root, { recursive: true, force: true });
  }

  /** zebra, bfdd (with a config) and bgpd in `host`, each started once its predecessor's vty is up. */
  async start(host: LabHost, confs: FrrConfigs, tag = `h${host.index}`): Promise<FrrHost> {
    const lab = this.lab();
    const dir = join(this.root, tag);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const order = (['zebra', 'bfdd', 'bgpd'] as const).filter((d) => confs[d] !== undefined);
    for (const d of order) writeFileSync(join(dir, `${d}.conf`), `hostname ${tag}\n${confs[d] ?? ''}`);
    const chown = spawnSync('chown', ['-R', 'frr:frr', dir]);
    if (chown.status !== 0) throw new Error(`chown ${dir} failed`);
    const daemons: Daemon[] = [];
    for (const d of order) {
      const argv = [
        `${FRR}/${d}`,
        '-u',
        'frr',
        '-g',
        'frr',
        '-P',
        '0',
        '-f',
        join(dir, `${d}.conf`),
        '-i',
        join(dir, `${d}.pid`),
        '--vty_socket',
        dir,
        '-z',
        join(dir, 'zserv.api'),
        ...(d === 'bfdd' ? ['--bfdctl', join(dir, 'bfdd.sock')] : []),
      ];
      daemons.push(this.track(lab.start(host, argv, `${d}-${tag}`)));
      await eventually(`${d} on ${tag}`, () => (existsSync(join(dir, `${d}.vty`)) ? true : undefined));
    }
    const started: FrrHost = {
      dir,
      daemons,
      show: (command) => {
        const r = spawnSync('vtysh', ['--vty_socket', dir, '-c', command], {
          encoding: 'utf8',
          timeout: 10_000,
        });
        if (r.status !== 0) throw new Error(`vtysh -c '${command}' on ${tag}: ${r.stderr || r.stdout}`);
        return command.endsWith(' json') ? (JSON.parse(r.stdout || 'null') as unknown) : r.stdout;
      },
    };
    this.hosts.set(tag, started);
    return started;
  }

  /** The FRR started last in `host`. */
  host(host: LabHost, tag = `h${host.index}`): FrrHost {
    const h = this.hosts.get(tag);
    if (!h) throw new Error(`no FRR started in ${tag}`);
    return h;
  }
}
