// `npm pack` (prepack): compile the native addon for this machine and put it where node-gyp-build
// looks for prebuilt binaries (prebuildify's layout): prebuilds/<platform>-<arch>/
// keepalived-ts.napi.<libc>.node. N-API (NAPI_VERSION 8 in binding.gyp) keeps one binary good for
// every Node >= 20 on that platform. Debug symbols are stripped when `strip` is installed.
import { spawnSync } from 'node:child_process';
import console from 'node:console';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { compile } from './compile.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const status = compile(root);
if (status !== 0) throw new Error(`node-gyp rebuild exited ${status}: no prebuilt addon made`);
// glibc reports its version; musl (Alpine) does not.
const libc = process.report.getReport().header.glibcVersionRuntime ? 'glibc' : 'musl';
const dir = join(root, 'prebuilds', `${process.platform}-${process.arch}`);
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const target = join(dir, `keepalived-ts.napi.${libc}.node`);
copyFileSync(join(root, 'build', 'Release', 'rawsock.node'), target);
const strip = spawnSync('strip', ['--strip-unneeded', target]);
console.log(`keepalived-ts: prebuilt ${target}${strip.status === 0 ? ' (stripped)' : ''}`);
