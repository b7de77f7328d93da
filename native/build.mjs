// Builds native/rawsock.c with node-gyp against the headers of the Node that runs this script
// (Debian's and NodeSource's packages ship them in <prefix>/include/node), so the build needs no
// download. Run by `npm install` / `npm ci` (the "install" script) and `npm run build:native`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const prefix = resolve(dirname(process.execPath), '..');
const args = ['rebuild'];
if (existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
// npm puts its bundled node-gyp on PATH for lifecycle scripts.
const r = spawnSync('node-gyp', args, { stdio: 'inherit' });
if (r.error)
  console.error(`native/build.mjs: cannot run node-gyp (${r.error.message}); run this through npm`);
process.exitCode = r.error ? 1 : (r.status ?? 1);
