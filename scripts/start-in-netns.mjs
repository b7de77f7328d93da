// `npm start`: runs the daemon on etc/keepalived/keepalived.conf inside a throwaway network
// namespace, so it never touches this machine's own interfaces or LAN. The namespace gets an
// `eth0` (a veth whose peer stays inside) with 192.0.2.11/24; the director elects itself MASTER
// after keepalived's start-up wait, adds the VIP 192.0.2.100 and sends its GARPs into the veth.
// Console lines (keepalived's format) go to the terminal, JSON logs to a file. Ctrl-C stops it
// (priority 0, VIP removed) and removes the namespace. KTS_START_SECONDS=N stops it after N s.
// Needs root and iproute2.
import { spawn, spawnSync } from 'node:child_process';
import console from 'node:console';
import { mkdtempSync, openSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ns = `kts-start-${process.pid}`;
const dir = mkdtempSync(path.join(os.tmpdir(), 'keepalived-ts-start-'));

function ip(...args) {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr || r.error?.message}`);
  return r.stdout;
}

if (process.getuid?.() !== 0) {
  throw new Error('npm start runs the daemon in a network namespace: run it as root (sudo npm start)');
}

ip('netns', 'add', ns);
const cleanup = () => spawnSync('ip', ['netns', 'del', ns]);
try {
  ip('-n', ns, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'peer0');
  ip('-n', ns, 'addr', 'add', '192.0.2.11/24', 'dev', 'eth0');
  for (const l of ['lo', 'peer0', 'eth0']) ip('-n', ns, 'link', 'set', l, 'up');
} catch (err) {
  cleanup();
  throw err;
}

const logFile = path.join(dir, 'keepalived-ts.json');
console.log(`namespace ${ns}; JSON logs in ${logFile}; Ctrl-C stops the daemon`);
const daemon = spawn(
  'ip',
  [
    'netns',
    'exec',
    ns,
    process.execPath,
    path.join(root, 'dist', 'cli.js'),
    '-f',
    path.join(root, 'etc', 'keepalived', 'keepalived.conf'),
    '-n',
    '-l',
    '-p',
    path.join(dir, 'keepalived-ts.pid'),
    '--control-socket',
    path.join(dir, 'keepalived-ts.sock'),
  ],
  { stdio: ['ignore', openSync(logFile, 'a'), 'pipe'] },
);
daemon.stderr.on('data', (chunk) => {
  process.stderr.write(chunk);
  if (chunk.toString().includes('Entering MASTER STATE')) {
    setTimeout(() => {
      console.log(`\n$ ip -n ${ns} -brief addr show eth0\n${ip('-n', ns, '-brief', 'addr', 'show', 'eth0')}`);
    }, 200);
  }
});
const stop = () => daemon.kill('SIGTERM');
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
const seconds = Number(process.env.KTS_START_SECONDS ?? 0);
if (seconds > 0) setTimeout(stop, seconds * 1000);
daemon.on('exit', (code) => {
  console.log(
    `\nkeepalived-ts exited (${code}); after the stop: ${ip('-n', ns, '-brief', 'addr', 'show', 'eth0').trim()}`,
  );
  cleanup();
  process.exitCode = code ?? 1;
});
