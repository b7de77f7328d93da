// Runs LinuxRtnl (the BUILT code in dist/) inside a network namespace for test/netns/rtnl.test.ts:
//   node rtnl-scenario.mjs run '<json steps>'  one JSON document on stdout: each step's result
//   node rtnl-scenario.mjs watch               one JSON line per link event, after {"ready":true};
//                                              stops when stdin closes
// Steps: {"op":"links"} | {"op":"addresses"} | {"op":"add","spec":AddressSpec} | {"op":"del",...}.
// The process must end by itself once the handle is closed: a leaked poll handle would keep it
// alive (the test's timeout catches that), and the open fds are counted before and after.
import { readdirSync, readlinkSync } from 'node:fs';
import { openRtnl } from '../../../dist/net/rtnl.js';

/** The open fds and what they are (the one reading /proc/self/fd shows as a bare number). */
const fds = () =>
  readdirSync('/proc/self/fd').map((fd) => {
    try {
      return `${fd} ${readlinkSync(`/proc/self/fd/${fd}`)}`;
    } catch {
      return fd;
    }
  });
// Set up stdio before counting: libuv opens a spare fd along with the first stdio stream.
const { stdout, stdin } = process;
const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(':');
const link = (l) => ({ index: l.index, name: l.name, mac: hex(l.mac), up: l.up });
const failure = (err) => ({
  ok: false,
  code: err.code,
  message: err.message,
  errno: err.cause?.code ?? null,
});

async function run(steps) {
  const fdsBefore = fds();
  const errors = [];
  const rtnl = openRtnl({ onError: (e) => errors.push(e.message) });
  const results = [];
  for (const step of steps) {
    try {
      switch (step.op) {
        case 'links':
          results.push({ ok: true, links: (await rtnl.links()).map(link) });
          break;
        case 'addresses':
          results.push({ ok: true, addresses: await rtnl.addresses() });
          break;
        case 'add':
          await rtnl.addAddress(step.spec);
          results.push({ ok: true });
          break;
        case 'del':
          await rtnl.deleteAddress(step.spec);
          results.push({ ok: true });
          break;
        default:
          results.push({ ok: false, message: `unknown step ${step.op}` });
      }
    } catch (err) {
      results.push(failure(err));
    }
  }
  rtnl.close();
  rtnl.close();
  stdout.write(`${JSON.stringify({ results, errors, fdsBefore, fdsAfter: fds() })}\n`);
}

function watch() {
  const fdsBefore = fds();
  const rtnl = openRtnl({ onError: (e) => stdout.write(`${JSON.stringify({ error: e.message })}\n`) });
  const stop = rtnl.watchLinks((l, deleted) => {
    stdout.write(`${JSON.stringify({ event: { ...link(l), deleted } })}\n`);
  });
  stdout.write(`${JSON.stringify({ ready: true })}\n`);
  stdin.resume();
  stdin.on('end', () => {
    stop();
    stop();
    rtnl.close();
    stdin.pause();
    stdout.write(`${JSON.stringify({ closed: true, fdsBefore, fdsAfter: fds() })}\n`);
  });
}

const [command, arg] = process.argv.slice(2);
if (command === 'run') await run(JSON.parse(arg ?? '[]'));
else if (command === 'watch') watch();
else {
  process.stderr.write('usage: rtnl-scenario.mjs run STEPS | watch\n');
  process.exitCode = 2;
}
