/**
 * The two packages the system test installs: keepalived-ts's own .deb, made by the project's
 * `package:deb` script, and a `nodejs` package carrying this host's Node >= 20 binary, in the
 * place of NodeSource's nodejs package (Debian 12's own nodejs is 18, below the .deb's
 * `Depends: nodejs (>= 20)`; the test machine has no network for NodeSource's repository).
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../netns/netns.js';

/** Runs scripts/package-deb.mjs (npm pack, npm ci --omit=dev, dpkg-deb); the .deb's path. */
export async function buildKeepalivedTsDeb(outDir: string): Promise<string> {
  const child = spawn(process.execPath, [join(PACKAGE_ROOT, 'scripts/package-deb.mjs'), '--out', outDir], {
    cwd: PACKAGE_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`npm run package:deb exited ${code}:\n${output.slice(-4000)}`);
  const deb = readdirSync(outDir).find((f) => /^keepalived-ts_.*\.deb$/.test(f));
  if (deb === undefined) throw new Error(`package:deb left no .deb in ${outDir}:\n${output.slice(-2000)}`);
  return join(outDir, deb);
}

/** A `nodejs` .deb with this process's node binary as /usr/bin/node, at its version. */
export function buildNodejsDeb(workDir: string, outDir: string): string {
  const root = join(workDir, 'nodejs-root');
  mkdirSync(join(root, 'usr/bin'), { recursive: true });
  mkdirSync(join(root, 'DEBIAN'), { recursive: true });
  copyFileSync(process.execPath, join(root, 'usr/bin/node'));
  const arch = spawnSync('dpkg', ['--print-architecture'], { encoding: 'utf8' }).stdout.trim();
  writeFileSync(
    join(root, 'DEBIAN/control'),
    `Package: nodejs
Version: ${process.versions.node}-1kts
Architecture: ${arch}
Maintainer: keepalived-ts tests <tests@example.org>
Depends: libc6, libstdc++6, libgcc-s1
Description: Node.js ${process.versions.node} for the system test
 This host's node binary, standing in for NodeSource's nodejs package.
`,
  );
  const deb = join(outDir, `nodejs_${process.versions.node}-1kts_${arch}.deb`);
  // Uncompressed: 100 MB of node binary would take xz a minute.
  const r = spawnSync('dpkg-deb', ['--root-owner-group', '-Znone', '--build', root, deb], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`dpkg-deb (nodejs) failed: ${r.stderr}`);
  return deb;
}
