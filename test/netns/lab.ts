/**
 * A director LAN in network namespaces: a switch namespace with a bridge, N host namespaces whose
 * `eth0` (a veth into the bridge) has 192.0.2.(10+i)/24 and 2001:db8::(10+i)/64, and a client
 * namespace (192.0.2.200). tcpdump captures VRRP, ARP and ICMPv6 on the bridge. Daemons
 * (keepalived-ts or Debian's keepalived) run in the hosts in their own process groups, each with its
 * own pid file and control socket under the lab's temp directory.
 *
 * `destroy()` kills every process the lab started and deletes its namespaces (which deletes their
 * interfaces) and files; tests call it in afterAll, so it also runs after a failure. Names carry
 * the test's tag and this process's pid, so labs of different files never collide.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ipOf, readPcap, type Frame } from '../helpers/pcap.js';
import { CLI, requireCommand, requireNetnsLab } from './netns.js';

export interface LabHost {
  /** 1-based. */
  readonly index: number;
  readonly ns: string;
  readonly ip4: string;
  readonly ip6: string;
  /** The bridge port (in the switch namespace) that is this host's cable. */
  readonly port: string;
  mac: string;
}

export interface LogRecord {
  readonly msg: string;
  readonly event?: string;
  readonly time?: number;
  readonly [key: string]: unknown;
}

function run(cmd: string, args: readonly string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr || r.error?.message}`);
  return r.stdout;
}

/**
 * SIGKILL every process running in network namespace `ns`. All are stopped first, so none can
 * react to another's death (keepalived's VRRP child would send priority 0 when its parent dies).
 */
function killAll(ns: string): void {
  const pids = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' })
    .stdout.split(/\s+/)
    .filter(Boolean)
    .map(Number);
  for (const signal of ['SIGSTOP', 'SIGKILL'] as const) {
    for (const pid of pids) {
      try {
        process.kill(pid, signal);
      } catch {
        // Already gone.
      }
    }
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Poll `probe` (sync or async) every `intervalMs` until it returns a value other than undefined,
 * or fail after `timeoutMs`.
 */
export async function eventually<T>(
  what: string,
  probe: () => T | undefined | PromiseLike<T | undefined>,
  timeoutMs = 10_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** keepalived.stats (keepalived 2.2.7's SIGUSR2 dump): per instance, "Section/Counter" -> value. */
export function parseKeepalivedStats(text: string): Map<string, Record<string, number>> {
  const out = new Map<string, Record<string, number>>();
  let current: Record<string, number> | undefined;
  let section = '';
  for (const line of text.split('\n')) {
    const inst = /^VRRP Instance: (\S+)/.exec(line);
    if (inst) {
      current = {};
      out.set(inst[1] as string, current);
      continue;
    }
    const m = /^\s+([^:]+):\s*(\d+)?\s*$/.exec(line);
    if (!m || !current) continue;
    if (m[2] === undefined) section = (m[1] as string).trim();
    else current[`${section}/${(m[1] as string).trim()}`] = Number(m[2]);
  }
  return out;
}

let statsSerial = 0;

/** keepalived-ts: the adverts an instance has accepted so far (its status's advertsAccepted). */
export async function acceptedAdverts(d: Daemon, instance = 'VI_1'): Promise<number> {
  const s = (await d.query()) as { vrrp: { instances: { name: string; advertsAccepted?: number }[] } };
  return s.vrrp.instances.find((i) => i.name === instance)?.advertsAccepted ?? 0;
}

/** Resolves once `d` (keepalived-ts) has accepted `n` more adverts for `instance` than now. */
export async function hearsAdverts(d: Daemon, n: number, instance = 'VI_1'): Promise<void> {
  const base = await acceptedAdverts(d, instance);
  await eventually(
    `${d.name} accepting ${n} advert(s)`,
    async () => ((await acceptedAdverts(d, instance)) >= base + n ? true : undefined),
    15_000,
  );
}

/**
 * keepalived's counters now: SIGUSR2 makes it write $TMPDIR/keepalived.stats (the VRRP process
 * does, a moment later); resolves once the file has every instance in `instances`.
 */
export async function keepalivedStats(
  d: Daemon,
  instances: readonly string[],
): Promise<Map<string, Record<string, number>>> {
  if (!d.tmpDir) throw new Error(`${d.name} is not a keepalived started by the lab`);
  const file = join(d.tmpDir, 'keepalived.stats');
  rmSync(file, { force: true });
  d.signal('SIGUSR2');
  return eventually(`keepalived.stats #${++statsSerial} of ${d.name}`, () => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
    const parsed = parseKeepalivedStats(text);
    return instances.every((i) => parsed.get(i)?.['Priority Zero/Sent'] !== undefined) ? parsed : undefined;
  });
}

/** Resolves once keepalived `d` has received at least `n` adverts for `instance` (its own counters). */
export async function keepalivedHeard(d: Daemon, n: number, instance = 'VI_1'): Promise<void> {
  await eventually(`keepalived taking ${n} advert(s)`, async () =>
    ((await keepalivedStats(d, [instance])).get(instance)?.['Advertisements/Received'] ?? 0) >= n
      ? true
      : undefined,
  );
}

/** A daemon in a host namespace; its output lines are kept (JSON for keepalived-ts, text for keepalived). */
export class Daemon {
  readonly lines: string[] = [];
  readonly exited: Promise<number | null>;
  private exitCode: number | null | undefined;

  constructor(
    readonly name: string,
    readonly proc: ChildProcess,
    readonly controlSocket: string | null,
    /** keepalived: its $TMPDIR, where SIGUSR2 writes keepalived.stats (keepalivedStats()). */
    readonly tmpDir: string | null = null,
  ) {
    let partial = '';
    const onData = (chunk: Buffer): void => {
      partial += chunk.toString();
      const parts = partial.split('\n');
      partial = parts.pop() ?? '';
      this.lines.push(...parts.filter((l) => l.length > 0));
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    this.exited = new Promise((resolve) =>
      proc.on('exit', (code) => {
        this.exitCode = code;
        resolve(code);
      }),
    );
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  /** keepalived-ts's JSON log records. */
  get records(): LogRecord[] {
    return this.lines.flatMap((l) => {
      if (!l.startsWith('{')) return [];
      try {
        return [JSON.parse(l) as LogRecord];
      } catch {
        return [];
      }
    });
  }

  /** Wait for an output line matching `pattern` (a keepalived-ts record's msg, or a keepalived line). */
  async waitForLine(pattern: RegExp, timeoutMs = 15_000, from = 0): Promise<string> {
    return eventually(
      `${this.name}: ${pattern} (output so far:\n${this.lines.slice(-30).join('\n')})`,
      () => {
        if (!this.running && !this.lines.slice(from).some((l) => pattern.test(l)))
          throw new Error(
            `${this.name} exited (${this.exitCode}) before ${pattern}:\n${this.lines.join('\n')}`,
          );
        return this.lines.slice(from).find((l) => pattern.test(l));
      },
      timeoutMs,
    );
  }

  async waitForRecord(pred: (r: LogRecord) => boolean, what: string, timeoutMs = 15_000): Promise<LogRecord> {
    return eventually(
      `${this.name}: ${what} (output so far:\n${this.lines.slice(-30).join('\n')})`,
      () => {
        const found = this.records.find(pred);
        if (!found && !this.running)
          throw new Error(`${this.name} exited before ${what}:\n${this.lines.join('\n')}`);
        return found;
      },
      timeoutMs,
    );
  }

  signal(sig: NodeJS.Signals): void {
    if (this.running && this.proc.pid) {
      try {
        process.kill(-this.proc.pid, sig);
      } catch {
        // Already gone.
      }
    }
  }

  /** SIGTERM, and SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 6000): Promise<number | null> {
    this.signal('SIGTERM');
    const code = await Promise.race([this.exited, sleep(graceMs).then(() => 'timeout' as const)]);
    if (code !== 'timeout') return code;
    this.signal('SIGKILL');
    return this.exited;
  }

  /** The control socket's answer to `command`, parsed as JSON (keepalived-ts only). */
  async query(command = 'status'): Promise<unknown> {
    return JSON.parse(await this.queryText(command));
  }

  /** The control socket's answer to `command` as text (`ipvsadm`, `ipvsadm-save`). */
  async queryText(command: string): Promise<string> {
    const path = this.controlSocket;
    if (!path) throw new Error(`${this.name} has no control socket`);
    return new Promise((resolve, reject) => {
      const sock = connect(path);
      let data = '';
      sock.setEncoding('utf8');
      sock.on('connect', () => sock.write(`${command}\n`));
      sock.on('data', (c: string) => (data += c));
      sock.on('error', reject);
      sock.on('end', () => resolve(data));
    });
  }
}

export interface CapturedFrame {
  /** Wall-clock milliseconds (same clock as Date.now()). */
  readonly atMs: number;
  readonly srcMac: string;
  readonly kind: 'vrrp' | 'arp' | 'na' | 'other';
  /** VRRP: IP source; ARP: sender IP; NA: target address. */
  readonly from: string;
  readonly vrid?: number;
  readonly priority?: number;
  readonly version?: number;
  readonly ttl?: number;
  readonly bytes: Uint8Array;
}

const macText = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':');
const ipText = (b: Uint8Array): string =>
  b.length === 4
    ? Array.from(b).join('.')
    : Array.from({ length: 8 }, (_, i) => ((b[2 * i] as number) << 8) | (b[2 * i + 1] as number))
        .map((w) => w.toString(16))
        .join(':')
        .replace(/(^|:)0(:0)+(:|$)/, '::')
        .replace(/:::+/, '::');

export function classify(frame: Frame): CapturedFrame {
  const b = frame.bytes;
  const base = { atMs: frame.timeUs / 1000, srcMac: macText(b.subarray(6, 12)), bytes: b };
  const etherType = ((b[12] as number) << 8) | (b[13] as number);
  if (etherType === 0x0806) return { ...base, kind: 'arp', from: ipText(b.subarray(28, 32)) };
  const ip = ipOf(b);
  if (ip?.protocol === 112) {
    const p = ip.payload;
    return {
      ...base,
      kind: 'vrrp',
      from: ipText(ip.src),
      vrid: p[1] as number,
      priority: p[2] as number,
      version: (p[0] as number) >> 4,
      ttl: ip.ttl,
    };
  }
  if (ip?.protocol === 58 && ip.payload[0] === 136) {
    return { ...base, kind: 'na', from: ipText(ip.payload.subarray(8, 24)) };
  }
  return { ...base, kind: 'other', from: ip ? ipText(ip.src) : '' };
}

export class Capture {
  constructor(
    private readonly proc: ChildProcess,
    private readonly file: string,
  ) {}

  /** Frames captured so far (tcpdump writes each packet at once with -U). */
  frames(): CapturedFrame[] {
    try {
      return readPcap(this.file).map(classify);
    } catch {
      return [];
    }
  }

  async stop(): Promise<CapturedFrame[]> {
    if (this.proc.exitCode === null) {
      const done = new Promise((r) => this.proc.once('exit', r));
      this.proc.kill('SIGINT');
      await Promise.race([done, sleep(3000)]);
      this.proc.kill('SIGKILL');
    }
    return this.frames();
  }
}

export class Lab {
  readonly dir: string;
  readonly hosts: LabHost[] = [];
  readonly client: LabHost;
  readonly sw: string;
  private readonly namespaces: string[] = [];
  private readonly procs: ChildProcess[] = [];

  private constructor(
    readonly tag: string,
    count: number,
  ) {
    this.dir = mkdtempSync(join(tmpdir(), `kts-lab-${tag}-`));
    const prefix = `kts-${tag}-${process.pid}`;
    this.sw = `${prefix}-sw`;
    this.addNs(this.sw);
    run('ip', ['-n', this.sw, 'link', 'add', 'br0', 'type', 'bridge', 'mcast_snooping', '0']);
    run('ip', ['-n', this.sw, 'link', 'set', 'br0', 'up']);
    for (let i = 1; i <= count; i++) this.hosts.push(this.addHost(`${prefix}-h${i}`, i, 10 + i));
    this.client = this.addHost(`${prefix}-c`, 0, 200);
  }

  /** Needs root, iproute2 and a built dist/ (capture() needs tcpdump): fails with a clear message otherwise. */
  static create(tag: string, hosts: number): Lab {
    requireNetnsLab();
    if (tag.length > 6) throw new Error(`lab tag ${tag} is longer than 6 characters`);
    const lab = new Lab(tag, hosts);
    return lab;
  }

  private addNs(name: string): void {
    spawnSync('ip', ['netns', 'del', name]);
    run('ip', ['netns', 'add', name]);
    this.namespaces.push(name);
    run('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  }

  private addHost(ns: string, index: number, octet: number): LabHost {
    this.addNs(ns);
    // No DAD: the IPv6 link-local and test addresses are usable at once.
    run('ip', [
      'netns',
      'exec',
      ns,
      'sysctl',
      '-qw',
      'net.ipv6.conf.all.accept_dad=0',
      'net.ipv6.conf.default.accept_dad=0',
    ]);
    const port = `${this.tag}${index === 0 ? 'c' : `h${index}`}`;
    run('ip', ['-n', this.sw, 'link', 'add', port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
    run('ip', ['-n', this.sw, 'link', 'set', port, 'master', 'br0', 'up']);
    run('ip', ['-n', ns, 'addr', 'add', `192.0.2.${octet}/24`, 'dev', 'eth0']);
    run('ip', ['-n', ns, 'addr', 'add', `2001:db8::${octet.toString(16)}/64`, 'dev', 'eth0', 'nodad']);
    run('ip', ['-n', ns, 'link', 'set', 'eth0', 'up']);
    const link = JSON.parse(run('ip', ['-j', '-n', ns, 'link', 'show', 'eth0'])) as { address: string }[];
    return {
      index,
      ns,
      ip4: `192.0.2.${octet}`,
      ip6: `2001:db8::${octet.toString(16)}`,
      port,
      mac: link[0]?.address ?? '',
    };
  }

  host(i: number): LabHost {
    const h = this.hosts[i - 1];
    if (!h) throw new Error(`no host ${i}`);
    return h;
  }

  file(name: string, text: string, mode = 0o644): string {
    const path = join(this.dir, name);
    writeFileSync(path, text, { mode });
    return path;
  }

  /** Capture VRRP, ARP and ICMPv6 on the bridge. */
  async capture(name = 'bridge'): Promise<Capture> {
    requireCommand('tcpdump', 'install it with `apt-get install tcpdump` (.ci/run does)');
    const file = join(this.dir, `${name}.pcap`);
    const proc = spawn(
      'ip',
      [
        'netns',
        'exec',
        this.sw,
        'tcpdump',
        '-i',
        'br0',
        '-n',
        '-U',
        '--immediate-mode',
        '-s',
        '256',
        '-w',
        file,
        'ip proto 112 or ip6 proto 112 or arp or icmp6',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], detached: true },
    );
    this.procs.push(proc);
    let err = '';
    proc.stderr?.on('data', (c: Buffer) => (err += c.toString()));
    await eventually(`tcpdump on br0 (${err})`, () => (/listening on/.test(err) ? true : undefined), 10_000);
    return new Capture(proc, file);
  }

  /**
   * Crash a host's daemons: SIGKILL every process in its namespace (keepalived's VRRP child runs in
   * its own session, so killing the parent's process group would miss it).
   */
  crash(host: LabHost): void {
    killAll(host.ns);
  }

  /** Unplug (or plug back) a host's cable: its eth0 loses carrier. */
  setCable(host: LabHost, up: boolean): void {
    run('ip', ['-n', this.sw, 'link', 'set', host.port, up ? 'up' : 'down']);
  }

  /** A second interface `name` on the host (a veth whose peer `${name}p` stays up there). */
  addLink(host: LabHost, name: string): void {
    run('ip', ['-n', host.ns, 'link', 'add', name, 'type', 'veth', 'peer', 'name', `${name}p`]);
    run('ip', ['-n', host.ns, 'link', 'set', `${name}p`, 'up']);
    run('ip', ['-n', host.ns, 'link', 'set', name, 'up']);
  }

  /** Set one of a host's interfaces down or up. */
  setInterface(host: LabHost, name: string, up: boolean): void {
    run('ip', ['-n', host.ns, 'link', 'set', name, up ? 'up' : 'down']);
  }

  /** Hosts whose eth0 currently carries `address`. */
  holders(address: string): number[] {
    return this.hosts
      .filter((h) => {
        const out = spawnSync('ip', ['-n', h.ns, '-o', 'addr', 'show', 'dev', 'eth0'], {
          encoding: 'utf8',
        }).stdout;
        return out.split('\n').some((l) => l.includes(` ${address}/`));
      })
      .map((h) => h.index);
  }

  /** Every address line on a host's eth0 (`ip -o addr`). */
  addresses(host: LabHost): string {
    return spawnSync('ip', ['-n', host.ns, '-o', 'addr', 'show', 'dev', 'eth0'], { encoding: 'utf8' }).stdout;
  }

  private spawnIn(host: LabHost, argv: readonly string[]): ChildProcess {
    const proc = spawn('ip', ['netns', 'exec', host.ns, ...argv], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      cwd: this.dir,
    });
    this.procs.push(proc);
    return proc;
  }

  /** Any long-running program in a host (a real server, a client), stopped by destroy(). */
  start(host: LabHost, argv: readonly string[], name = argv.join(' ')): Daemon {
    return new Daemon(name, this.spawnIn(host, argv), null);
  }

  /**
   * keepalived-ts on `host` with config text `conf`; resolves once it has started. `opts.wrap`
   * prefixes the command (e.g. `setpriv ... --`); `opts.runDir` holds the pid file and control
   * socket instead of the lab's directory.
   */
  async startKts(
    host: LabHost,
    conf: string,
    extra: readonly string[] = [],
    opts: { readonly wrap?: readonly string[]; readonly runDir?: string; readonly cli?: string } = {},
  ): Promise<Daemon> {
    const name = `kts-h${host.index}`;
    const confPath = this.file(`${name}.conf`, conf);
    const runDir = opts.runDir ?? this.dir;
    const sock = join(runDir, `${name}.sock`);
    const proc = this.spawnIn(host, [
      ...(opts.wrap ?? []),
      process.execPath,
      opts.cli ?? CLI,
      '-f',
      confPath,
      '-n',
      '-D',
      '-p',
      join(runDir, `${name}.pid`),
      '--control-socket',
      sock,
      ...extra,
    ]);
    const d = new Daemon(name, proc, sock);
    await d.waitForLine(/Startup complete/, 15_000);
    return d;
  }

  /** Debian's keepalived (VRRP only, foreground, console log, its own pid files); `env` is added to its environment. */
  async startKeepalived(
    host: LabHost,
    conf: string,
    env: Readonly<Record<string, string>> = {},
  ): Promise<Daemon> {
    const name = `ka-h${host.index}`;
    const confPath = this.file(`${name}.conf`, conf);
    // A crashed keepalived leaves pid files that can stop the next one ("daemon is already running").
    for (const f of ['', '-vrrp', '-check']) rmSync(join(this.dir, `${name}${f}.pid`), { force: true });
    const tmpDir = join(this.dir, `${name}-tmp`);
    mkdirSync(tmpDir, { recursive: true });
    const vars = Object.entries({ TMPDIR: tmpDir, ...env }).map(([k, v]) => `${k}=${v}`);
    const proc = this.spawnIn(host, [
      'env',
      ...vars,
      'keepalived',
      '-P',
      '-n',
      '-l',
      '-D',
      '-f',
      confPath,
      '-p',
      join(this.dir, `${name}.pid`),
      '-r',
      join(this.dir, `${name}-vrrp.pid`),
      '-c',
      join(this.dir, `${name}-check.pid`),
    ]);
    const d = new Daemon(name, proc, null, tmpDir);
    await d.waitForLine(/Entering (BACKUP|FAULT|MASTER) STATE|VRRP sockpool/, 15_000);
    return d;
  }

  /** Run a command in a host and return its stdout (throws on failure). */
  exec(host: LabHost, argv: readonly string[]): string {
    return run('ip', ['netns', 'exec', host.ns, ...argv]);
  }

  readText(path: string): string {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return '';
    }
  }

  destroy(): void {
    for (const p of this.procs) {
      if (p.exitCode === null && p.signalCode === null && p.pid) {
        try {
          process.kill(-p.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    }
    for (const ns of this.namespaces) {
      killAll(ns);
      spawnSync('ip', ['netns', 'del', ns]);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
