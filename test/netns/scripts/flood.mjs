// Runs inside a network namespace (ip netns exec) for test/netns/vrrp-fuzz.test.ts: sends VRRP
// payloads from a raw IP socket (protocol 112) on eth0 to 224.0.0.18, as inject.mjs does, but
// paced. stdin: JSON { packets: [{ hex, ttl }], rate, durationMs }. The packets are sent in order,
// starting again at the first after the last, `rate` per second, until `durationMs` has passed.
// The TTL is the IPv4 header's: IP_MULTICAST_TTL, since IP_TTL applies to unicast only.
// Pacing is by timer ticks (each tick catches up with rate × elapsed), not a busy loop, so the
// daemons under test keep the CPU the sender does not need. Rate 0: as fast as this process can
// send (a busy loop on one core, 256 packets between clock readings). Prints JSON { sent, elapsedMs }.
// Uses the BUILT native addon (dist/, so `npm run build` first).
import { readFileSync } from 'node:fs';
import { rawSock, SOCK } from '../../../dist/net/native.js';
import { ipMreqn, sockaddrIn } from '../../../dist/net/sockaddr.js';

const { packets: list, rate, durationMs } = JSON.parse(readFileSync(0, 'utf8'));
const packets = list.map((p) => ({ bytes: Buffer.from(p.hex, 'hex'), ttl: p.ttl }));
const s = rawSock();
const fd = s.socket(SOCK.AF_INET, SOCK.SOCK_RAW, SOCK.IPPROTO_VRRP);
const to = sockaddrIn(Uint8Array.of(224, 0, 0, 18));
s.setsockopt(fd, SOCK.SOL_SOCKET, SOCK.SO_BINDTODEVICE, Buffer.from('eth0\0'));
s.setsockopt(
  fd,
  SOCK.IPPROTO_IP,
  SOCK.IP_MULTICAST_IF,
  ipMreqn(new Uint8Array(4), 0, Uint8Array.of(192, 0, 2, 200)),
);
let ttl = -1;
let sent = 0;
const start = process.hrtime.bigint();
const elapsed = () => Number(process.hrtime.bigint() - start) / 1e6;

function sendOne() {
  const p = packets[sent % packets.length];
  if (p.ttl !== ttl) {
    s.setsockopt(fd, SOCK.IPPROTO_IP, SOCK.IP_MULTICAST_TTL, p.ttl);
    ttl = p.ttl;
  }
  try {
    s.sendto(fd, p.bytes, to);
  } catch (err) {
    // A full transmit queue: the same packet again, later.
    if (err.code === 'ENOBUFS' || err.code === 'EAGAIN') return false;
    throw err;
  }
  sent++;
  return true;
}

function finish() {
  s.close(fd);
  process.stdout.write(`${JSON.stringify({ sent, elapsedMs: elapsed() })}\n`);
}

function flat() {
  while (elapsed() < durationMs) for (let i = 0; i < 256; i++) sendOne();
  finish();
}

function tick() {
  const now = elapsed();
  const due = Math.floor((Math.min(now, durationMs) * rate) / 1000);
  while (sent < due && sendOne());
  if (now < durationMs) setTimeout(tick, 1);
  else finish();
}
if (rate > 0) tick();
else flat();
