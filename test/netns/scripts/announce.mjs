// Runs inside a network namespace (ip netns exec) for test/netns/announcer.test.ts: opens the
// BUILT LinuxAnnouncer (dist/, so `npm run build` first) and sends what argv[2] asks for, a JSON
// object { ifindex, mac: "02:..", garp: [address, ...], na: [[address, router], ...] }. Prints
// JSON { stats, errors } on stdout; exits 1 only if the announcer threw, which it must not.
import { openAnnouncer } from '../../../dist/net/announcer.js';

const plan = JSON.parse(process.argv[2] ?? '{}');
const mac = Uint8Array.from(plan.mac.split(':').map((h) => parseInt(h, 16)));
const errors = [];
const announcer = openAnnouncer({
  onError: (err) =>
    errors.push({ kind: err.kind, address: err.address, errno: err.errno, message: err.message }),
});
try {
  for (const address of plan.garp ?? []) announcer.garp(plan.ifindex, mac, address);
  for (const [address, router] of plan.na ?? []) announcer.unsolicitedNa(plan.ifindex, mac, address, router);
  announcer.close();
  announcer.close();
  process.stdout.write(`${JSON.stringify({ stats: announcer.stats, errors })}\n`);
} catch (err) {
  process.stderr.write(`the announcer threw: ${err?.stack ?? err}\n`);
  process.exitCode = 1;
}
