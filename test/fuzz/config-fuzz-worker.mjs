// Config reader fuzzing, run in a child process so that a hang can be detected and killed:
// `node config-fuzz-worker.mjs <seed> <first> <count> <corpus files...>` mutates the corpus
// files, loads each mutant with the built reader (dist/), and prints one JSON summary line.
// Any exception is reported with the case number, seed and mutant so it can be reproduced.
import { readFileSync } from 'node:fs';
import { loadConfig } from '../../dist/config/load.js';

const [seedArg, firstArg, countArg, ...corpus] = process.argv.slice(2);
const seed = Number(seedArg);
const first = Number(firstArg);
const count = Number(countArg);
const sources = corpus.map((f) => readFileSync(f, 'latin1'));

/** mulberry32: a small seeded PRNG, so every case can be replayed. */
function prng(s) {
  let a = s >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SPECIAL = [
  '{',
  '}',
  '"',
  "'",
  '#',
  '!',
  '$',
  '@',
  '~',
  '\\',
  '\n',
  '\t',
  ' ',
  '\0',
  '\r',
  '\xff',
  '-',
  '.',
  '/',
  ':',
];
const SNIPPETS = [
  'include *',
  'include /etc/keepalived/*.conf',
  'includea nope.conf',
  '$A=$A',
  '$B=x $B',
  '$M=a \\\n b \\\n',
  '${_RANDOM 5 1}',
  '~SEQ(i, 3) x $i',
  '~SEQ(i, 0x7fffffff) x',
  '~LST({a,b}, {1,2}, {3}) $a',
  '@vm ',
  '@^vm ',
  '{'.repeat(80),
  '}'.repeat(5),
  'virtual_ipaddress {',
  'real_server 192.0.2.1 80 {',
  'HTTP_GET { url { path / } }',
  'notify_master "/bin/x \\x41\\777 \'a b\'"',
  'priority',
  'advert_int 0.0000001',
  'x'.repeat(1500),
];

function mutate(text, rnd) {
  let s = text;
  const n = 1 + Math.floor(rnd() * 5);
  for (let k = 0; k < n; k++) {
    const at = Math.floor(rnd() * (s.length + 1));
    const lines = s.split('\n');
    const li = Math.floor(rnd() * lines.length);
    switch (Math.floor(rnd() * 8)) {
      case 0: // delete a span
        s = s.slice(0, at) + s.slice(at + 1 + Math.floor(rnd() * 20));
        break;
      case 1: // insert a special character
        s = s.slice(0, at) + SPECIAL[Math.floor(rnd() * SPECIAL.length)] + s.slice(at);
        break;
      case 2: // insert a snippet
        s = s.slice(0, at) + SNIPPETS[Math.floor(rnd() * SNIPPETS.length)] + s.slice(at);
        break;
      case 3: // duplicate a line
        lines.splice(li, 0, lines[li] ?? '');
        s = lines.join('\n');
        break;
      case 4: // delete a line
        lines.splice(li, 1);
        s = lines.join('\n');
        break;
      case 5: // swap two lines
        {
          const lj = Math.floor(rnd() * lines.length);
          [lines[li], lines[lj]] = [lines[lj], lines[li]];
          s = lines.join('\n');
        }
        break;
      case 6: // truncate
        s = s.slice(0, at);
        break;
      default: // random byte
        s = s.slice(0, at) + String.fromCharCode(Math.floor(rnd() * 256)) + s.slice(at);
    }
  }
  return s;
}

const MAIN = '/etc/keepalived/keepalived.conf';
let failed = false;

/** Report the first failing case (the last stdout line is what the test reads). */
function fail(i, error, text) {
  process.stdout.write(`${JSON.stringify({ failed: { case: i, seed, error, text } })}\n`);
  failed = true;
}

let diagnostics = 0;
let withErrors = 0;
for (let i = first; i < first + count && !failed; i++) {
  const rnd = prng(seed * 1_000_003 + i);
  const text = mutate(sources[i % sources.length], rnd);
  const files = {
    [MAIN]: Buffer.from(text, 'latin1'),
    '/etc/keepalived/other.conf': Buffer.from('router_id x\n'),
  };
  const fs = {
    stat: (p) =>
      p in files
        ? { kind: 'file', executable: false }
        : p === '/etc/keepalived' || p === '/etc' || p === '/'
          ? { kind: 'dir', executable: true }
          : undefined,
    readdir: (p) =>
      p === '/etc/keepalived'
        ? ['keepalived.conf', 'other.conf']
        : p === '/etc'
          ? ['keepalived']
          : p === '/'
            ? ['etc']
            : undefined,
    readFile: (p) => files[p],
  };
  let result;
  try {
    result = loadConfig(MAIN, {
      fs,
      cwd: '/etc/keepalived',
      configId: 'vm',
      randomInt: (min, max) => Math.floor(min + rnd() * (max - min + 1)),
      host: {
        hostname: 'vm',
        interfaceExists: (name) => name.startsWith('eth'),
        userExists: (name) => name === 'root',
        groupExists: (name) => name === 'root',
        inspectScript: (argv0) =>
          argv0.startsWith('/bin/')
            ? { kind: 'found', path: argv0, executable: true, insecure: rnd() < 0.5 }
            : { kind: 'not-found', path: argv0 },
      },
    });
    JSON.stringify(result.config);
  } catch (err) {
    fail(i, String(err?.stack ?? err), text);
    break;
  }
  const bad = result.diagnostics.find(
    (d) => typeof d.message !== 'string' || d.message === '' || !(d.line >= 0) || !(d.column >= 0),
  );
  if (bad) {
    fail(i, `bad diagnostic ${JSON.stringify(bad)}`, text);
    break;
  }
  diagnostics += result.diagnostics.length;
  if (result.diagnostics.some((d) => d.severity === 'error' || d.severity === 'fatal')) withErrors++;
}
if (!failed) process.stdout.write(`${JSON.stringify({ cases: count, diagnostics, withErrors })}\n`);
process.exitCode = failed ? 1 : 0;
