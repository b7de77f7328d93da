// Compiles native/rawsock.c with node-gyp into build/Release/rawsock.node, against the headers of
// the Node that runs this script (Debian's and NodeSource's packages ship them in
// <prefix>/include/node), so the build needs no download. Needs python3, make and a C compiler.
import { spawnSync } from 'node:child_process';
import console from 'node:console';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import process from 'node:process';

/** Run node-gyp rebuild in `root`; its exit status (1 if it cannot run). */
export function compile(root) {
  const prefix = resolve(dirname(process.execPath), '..');
  const args = ['rebuild'];
  if (existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
  // npm puts its bundled node-gyp on PATH for lifecycle and run scripts.
  const r = spawnSync('node-gyp', args, { cwd: root, stdio: 'inherit' });
  if (r.error) {
    console.error(`keepalived-ts: cannot run node-gyp (${r.error.message}); run this through npm`);
    return 1;
  }
  return r.status ?? 1;
}
