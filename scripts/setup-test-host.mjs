// `npm run setup:test-host`: installs the Debian packages the test suites need on a fresh Debian 12
// (or Ubuntu 24.04) machine, as root, with apt-get; only what is missing, so a second run costs a
// few dpkg queries. Not root, or no apt-get: it lists what is missing and exits 1. It uses only
// Node's built-in modules, so it runs before `npm ci` (which needs the compiler it installs).
//
//   npm run setup:test-host            install what is missing
//   npm run setup:test-host -- --check list what is missing, install nothing (exit 1 if anything is)
import { spawnSync } from 'node:child_process';
import console from 'node:console';
import { existsSync, readFileSync } from 'node:fs';
import process from 'node:process';

/** Each package, with why the suites need it. Later issues add theirs here. */
const PACKAGES = [
  ['g++', 'node-gyp compiles the native addon (native/rawsock.c) during npm ci'],
  ['make', 'node-gyp'],
  ['python3', 'node-gyp; the sd_notify receiver of the operations tests'],
  ['iproute2', 'network namespaces, veth and bridges of the netns lab'],
  ['keepalived', 'the reference for -t verdicts and the VRRP interop peer'],
  ['psmisc', 'killall, which keepalived sample configs name in their scripts'],
  ['nftables', 'packet loss and filtering in the netns lab'],
  ['tcpdump', 'captures on the lab bridge'],
  ['iputils-ping', 'the lab client resolves the VIP (GARP only updates known entries)'],
  ['util-linux', 'setpriv for the least-privilege test'],
  ['openssl', 'certificates for the SSL_GET tests'],
  ['ca-certificates', 'TLS'],
  // The VM lab (test/vm/): a real kernel with IPVS under QEMU.
  ['qemu-system-x86', 'QEMU, which boots the VM lab'],
  ['linux-image-amd64', "the VM lab's kernel and its modules (IPVS, netem, dummy, bonding, ipip)"],
  ['busybox-static', "the VM lab's initramfs; busybox httpd as real servers"],
  ['xz-utils', 'unpacks the kernel image for a fast boot'],
  ['kmod', 'modprobe, for the VM lab and for loading ip_vs'],
  ['ipvsadm', "reads the VM lab's IPVS table, to compare with keepalived's"],
  ['prometheus', "promtool: the keepalived exporters' alert rules against our /metrics"],
  ['snmpd', 'the AgentX master the SNMP subagent registers with'],
  ['snmp', 'snmpwalk, which reads the SNMP subagent'],
  ['snmptrapd', 'receives the SNMP notifications'],
  ['debootstrap', 'the system test: a Debian 12 root file system'],
  ['systemd-container', 'the system test: systemd-nspawn boots it with systemd as PID 1'],
  ['frr', 'zebra, bgpd and bfdd of the active-active labs (announce_table, docs/bgp.md)'],
];

function osRelease() {
  try {
    return Object.fromEntries(
      readFileSync('/etc/os-release', 'utf8')
        .split('\n')
        .filter((l) => l.includes('='))
        .map((l) => {
          const i = l.indexOf('=');
          return [l.slice(0, i), l.slice(i + 1).replace(/^"|"$/g, '')];
        }),
    );
  } catch {
    return {};
  }
}

/** Debian names, with Ubuntu's where they differ. */
function packageName(name, os) {
  if (os.ID === 'ubuntu' && name === 'linux-image-amd64') return 'linux-image-generic';
  return name;
}

function installed(pkg) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${db:Status-Abbrev}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.startsWith('ii');
}

class SetupError extends Error {}
function fail(msg) {
  throw new SetupError(msg);
}

function main() {
  const checkOnly = process.argv.includes('--check');
  const [major] = process.versions.node.split('.').map(Number);
  if (major < 20) fail(`Node.js ${process.versions.node} is too old: the project needs Node.js 20 or later`);
  if (process.platform !== 'linux') fail('the test suites need Linux (network namespaces, raw sockets)');

  const os = osRelease();
  const hasDpkg = spawnSync('dpkg-query', ['--version']).status === 0;
  if (!hasDpkg) {
    fail(
      `this is not a Debian-family system (${os.PRETTY_NAME ?? 'unknown'}); install the equivalents of: ` +
        PACKAGES.map(([p]) => p).join(' '),
    );
  }
  const missing = PACKAGES.map(([p, why]) => [packageName(p, os), why]).filter(([p]) => !installed(p));
  if (missing.length === 0) {
    console.log(`setup:test-host: all ${PACKAGES.length} packages the tests need are installed`);
    return;
  }
  const list = missing.map(([p, why]) => `  ${p.padEnd(20)} ${why}`).join('\n');
  if (checkOnly || process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) {
    const how =
      process.getuid?.() !== 0
        ? 'the tests run as root; as root, `npm run setup:test-host` installs them'
        : 'install them with apt-get';
    fail(`missing Debian packages (${how}):\n${list}`);
  }
  console.log(`setup:test-host: installing ${missing.length} package(s):\n${list}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (args) => {
    const r = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (r.status !== 0) fail(`apt-get ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
  };
  apt(['update']);
  apt(['install', '-y', '--no-install-recommends', ...missing.map(([p]) => p)]);
  const still = missing.filter(([p]) => !installed(p));
  if (still.length > 0) fail(`still missing after apt-get: ${still.map(([p]) => p).join(' ')}`);
  console.log('setup:test-host: done');
}

try {
  main();
} catch (err) {
  if (!(err instanceof SetupError)) throw err;
  console.error(`setup:test-host: ${err.message}`);
  process.exitCode = 1;
}
