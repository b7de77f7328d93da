// The "install" script (`npm install`, `npm ci`): keepalived-ts's native addon, without a
// toolchain when the package has a prebuilt binary for this platform. The package ships them in
// the prebuildify layout that node-gyp-build reads (prebuilds/<platform>-<arch>/, tagged napi and
// glibc or musl; made by native/prebuild.mjs on `npm pack`). If one is there and loads, nothing is
// compiled; otherwise (another platform, a git checkout) native/rawsock.c is compiled with
// node-gyp, which needs python3, make and a C compiler. `--compile` (`npm run build:native`)
// always compiles.
import console from 'node:console';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { compile } from './compile.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The path of a prebuilt addon for this platform that loads, or undefined. */
function loadablePrebuild() {
  // Read when node-gyp-build is loaded: look in prebuilds/ only, not at an earlier local build.
  process.env.PREBUILDS_ONLY = '1';
  const require = createRequire(import.meta.url);
  try {
    const path = require('node-gyp-build').resolve(root);
    require(path);
    return path;
  } catch {
    return undefined;
  }
}

const prebuilt = process.argv.includes('--compile') ? undefined : loadablePrebuild();
if (prebuilt) console.log(`keepalived-ts: using the prebuilt native addon ${prebuilt}`);
else process.exitCode = compile(root);
