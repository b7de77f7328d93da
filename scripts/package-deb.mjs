// `npm run package:deb`: a Debian package of keepalived-ts, built with dpkg-deb from what `npm pack`
// ships, into pkg/keepalived-ts_<version>-1_<arch>.deb. Layout (docs/install.md "Debian package"):
//   /usr/lib/keepalived-ts/            the npm package with its runtime dependencies (npm ci
//                                      --omit=dev) and the prebuilt native addon; no compiler
//   /usr/bin/keepalived-ts             -> ../lib/keepalived-ts/dist/cli.js
//   /lib/systemd/system/keepalived-ts.service   the unit, with ExecStart= on /usr/bin
//   /etc/default/keepalived-ts         KEEPALIVED_TS_OPTIONS (a conffile)
//   /usr/share/man/man8, man5          keepalived-ts(8), keepalived-ts.conf(5)
//   /usr/share/doc/keepalived-ts/      copyright, changelog, README, the sample configuration
// postinst creates the system user keepalived-ts and reloads systemd; nothing is enabled or
// started (there is no configuration yet). Depends: nodejs (>= 20), which Debian 12 does not have
// (its nodejs is 18): NodeSource's nodejs package provides it there, Debian 13's own nodejs is 20.
//
//   npm run package:deb                      pack (prepack builds), stage, dpkg-deb --build
//   node scripts/package-deb.mjs --out DIR   the .deb into DIR instead of pkg/
import { spawnSync } from 'node:child_process';
import console from 'node:console';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  lstatSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const DEFAULTS = `# Options for keepalived-ts, read by keepalived-ts.service (EnvironmentFile=). The unit already
# passes -n -f /etc/keepalived/keepalived.conf -p /run/keepalived-ts/keepalived-ts.pid.
# keepalived-ts migrate-defaults copies keepalived's DAEMON_ARGS (/etc/default/keepalived) here.
# Examples: -D (detailed log), -S 1 (syslog facility LOG_LOCAL1), --log-format=json.
KEEPALIVED_TS_OPTIONS=""
`;

const MAINTAINER_SCRIPTS = {
  // The system user the unit runs as (User=keepalived-ts), as Debian's daemons do it.
  postinst: `#!/bin/sh
set -e
if [ "$1" = configure ]; then
    if ! getent passwd keepalived-ts >/dev/null; then
        adduser --system --group --no-create-home --home /nonexistent \\
            --gecos "keepalived-ts daemon" keepalived-ts >/dev/null
    fi
    if [ -d /run/systemd/system ]; then
        systemctl daemon-reload || true
        # An upgrade restarts a running daemon on the new code (a restart sends priority 0 first).
        if [ -n "$2" ] && systemctl is-active --quiet keepalived-ts.service; then
            systemctl restart keepalived-ts.service || true
        fi
    fi
fi
exit 0
`,
  prerm: `#!/bin/sh
set -e
if [ "$1" = remove ] && [ -d /run/systemd/system ]; then
    systemctl stop keepalived-ts.service || true
fi
exit 0
`,
  postrm: `#!/bin/sh
set -e
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload || true
fi
exit 0
`,
};

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const outIndex = process.argv.indexOf('--out');
const outDir = resolve(outIndex > 0 ? process.argv[outIndex + 1] : join(root, 'pkg'));

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', ...opts });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
  return r.stdout;
}

const arch = run('dpkg', ['--print-architecture']).trim();
// The prebuilt addon is for this machine's platform only (native/prebuild.mjs).
const nodeArch = { amd64: 'x64', arm64: 'arm64' }[arch];
if (nodeArch !== process.arch) {
  throw new Error(`dpkg architecture ${arch} does not match Node's ${process.arch}`);
}
const debVersion = `${pkg.version}-1`;

const work = mkdtempSync(join(tmpdir(), 'kts-deb-'));
try {
  // 1. What npm would install: `npm pack` runs prepack (build + prebuilt addon).
  // Its stdout carries the prepack scripts' output too: the tarball is the one file in `work`.
  run('npm', ['pack', '--pack-destination', work], { cwd: root });
  const packed = readdirSync(work).find((f) => f.endsWith('.tgz'));
  if (packed === undefined) throw new Error(`npm pack left no tarball in ${work}`);
  const stage = join(work, 'root');
  const app = join(stage, 'usr/lib/keepalived-ts');
  mkdirSync(app, { recursive: true });
  run('tar', ['-xzf', join(work, packed), '-C', app, '--strip-components=1']);
  // Runtime dependencies at the versions the lock file pins; no install scripts: the addon is
  // prebuilt, so nothing compiles (native/build.mjs would only confirm that).
  copyFileSync(join(root, 'package-lock.json'), join(app, 'package-lock.json'));
  run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: app });
  rmSync(join(app, 'package-lock.json'));
  const prebuilt = join(app, 'prebuilds', `linux-${nodeArch}`);
  if (readdirSync(prebuilt).length === 0) throw new Error(`no prebuilt addon in ${prebuilt}`);
  chmodSync(join(app, 'dist/cli.js'), 0o755);

  // 2. The command, the unit, the defaults file, man pages, docs.
  mkdirSync(join(stage, 'usr/bin'), { recursive: true });
  symlinkSync('../lib/keepalived-ts/dist/cli.js', join(stage, 'usr/bin/keepalived-ts'));
  const unitDir = join(stage, 'lib/systemd/system');
  mkdirSync(unitDir, { recursive: true });
  const unit = readFileSync(join(root, 'systemd/keepalived-ts.service'), 'utf8');
  if (!unit.includes('/usr/local/bin/keepalived-ts')) throw new Error('unit: ExecStart path moved');
  writeFileSync(
    join(unitDir, 'keepalived-ts.service'),
    unit.replaceAll('/usr/local/bin/keepalived-ts', '/usr/bin/keepalived-ts'),
  );
  mkdirSync(join(stage, 'etc/default'), { recursive: true });
  writeFileSync(join(stage, 'etc/default/keepalived-ts'), DEFAULTS);
  for (const [page, section] of [
    ['keepalived-ts.8', 8],
    ['keepalived-ts.conf.5', 5],
  ]) {
    const dir = join(stage, `usr/share/man/man${section}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${page}.gz`), gzipSync(readFileSync(join(root, 'man', page)), { level: 9 }));
  }
  const doc = join(stage, 'usr/share/doc/keepalived-ts');
  mkdirSync(join(doc, 'examples'), { recursive: true });
  writeFileSync(join(doc, 'copyright'), copyright(pkg));
  writeFileSync(join(doc, 'changelog.Debian.gz'), gzipSync(changelog(pkg, debVersion), { level: 9 }));
  copyFileSync(join(root, 'README.md'), join(doc, 'README.md'));
  copyFileSync(join(root, 'etc/keepalived/keepalived.conf'), join(doc, 'examples/keepalived.conf'));

  // 3. Control files.
  const debian = join(stage, 'DEBIAN');
  mkdirSync(debian);
  writeFileSync(join(debian, 'control'), control(pkg, debVersion, arch, duKiB(stage)));
  writeFileSync(join(debian, 'conffiles'), '/etc/default/keepalived-ts\n');
  for (const [name, text] of Object.entries(MAINTAINER_SCRIPTS)) {
    writeFileSync(join(debian, name), text, { mode: 0o755 });
  }

  mkdirSync(outDir, { recursive: true });
  const deb = join(outDir, `keepalived-ts_${debVersion}_${arch}.deb`);
  run('dpkg-deb', ['--root-owner-group', '-Zxz', '--build', stage, deb]);
  console.log(deb);
} finally {
  rmSync(work, { recursive: true, force: true });
}

/** Installed-Size: KiB, as dpkg-gencontrol counts it (files and directories, 1 KiB each at least). */
function duKiB(dir) {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) total += 1 + duKiB(p);
    else total += Math.max(1, Math.ceil(lstatSync(p).size / 1024));
  }
  return total;
}

function control(p, version, architecture, installedSize) {
  return `Package: keepalived-ts
Version: ${version}
Architecture: ${architecture}
Maintainer: keepalived-ts developers <keepalived-ts@example.org>
Installed-Size: ${installedSize}
Depends: nodejs (>= 20), adduser, procps
Recommends: ipvsadm, iproute2
Suggests: socat, jq
Section: admin
Priority: optional
Description: keepalived-compatible VRRP daemon and load balancer in TypeScript
 ${p.description}.
 .
 keepalived-ts reads keepalived.conf: VRRP v2/v3 (IPv4/IPv6, multicast and unicast, tracking,
 sync groups, notify scripts), health checkers (HTTP_GET, SSL_GET, TCP_CHECK, MISC_CHECK, ...)
 that add and remove real servers in the kernel's IPVS or an embedded L4 proxy, the keepalived
 command line and signals, journald logging as Keepalived_vrrp, and Prometheus metrics.
 .
 Node.js 20 or later is needed: on Debian 12 from NodeSource's nodejs package.
`;
}

function copyright(p) {
  return `Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: keepalived-ts

Files: *
Copyright: keepalived-ts developers
License: ${p.license}

License: GPL-2.0-or-later
 This program is free software; you can redistribute it and/or modify it under the terms of the
 GNU General Public License as published by the Free Software Foundation; either version 2 of the
 License, or (at your option) any later version.
 .
 On Debian systems, the full text of the GNU General Public License version 2 can be found in
 /usr/share/common-licenses/GPL-2.
`;
}

function changelog(p, version) {
  // A fixed date keeps the package reproducible from the same commit.
  return `keepalived-ts (${version}) unstable; urgency=medium

  * Package of keepalived-ts ${p.version}, built with npm run package:deb.

 -- keepalived-ts developers <keepalived-ts@example.org>  Sun, 06 Dec 2026 00:00:00 +0000
`;
}
