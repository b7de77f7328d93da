/**
 * Run inside a throwaway network namespace (`unshare -n`, root) by dispatch-tcp.test.ts: a service
 * on 192.0.2.10, which is not on this host, stays pending; once the address is added to lo and
 * addressAvailable() is called it listens and proxies. Prints one JSON line with what it saw.
 */
import { execFileSync } from 'node:child_process';
import { connectLine, dest, namedEcho, startPlane, tcpService } from './dispatch.js';

const VIP = '192.0.2.10';
execFileSync('ip', ['link', 'set', 'lo', 'up']);
const b = await namedEcho('backend');
const t = startPlane(1);
t.plane.setService('vip', tcpService(8080, { address: VIP }));
t.plane.setDest('vip', dest(b.port));
const pending = await t.event('listen-failed');
execFileSync('ip', ['addr', 'add', `${VIP}/32`, 'dev', 'lo']);
const started = performance.now();
t.plane.addressAvailable(VIP);
await t.event('listening');
const listenMs = Math.round(performance.now() - started);
const { line, socket } = await connectLine(8080, VIP);
socket.destroy();
await t.plane.close();
await b.close();
console.log(JSON.stringify({ pending: pending.code, listenMs, reply: line }));
