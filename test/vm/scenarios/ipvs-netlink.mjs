// In the VM (test/vm/ipvs-netlink.test.ts): drive the kernel's IPVS through the built adapter
// (dist/net/ipvs.js), then write what the kernel reports back, and ipvsadm's own view of the same
// table, to $KTS_RUN/result.json.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { openIpvs } from '../../../dist/net/ipvs.js';

const svc = (key, extra = {}) => ({
  key,
  scheduler: 'wlc',
  flags: 0,
  timeout: 0,
  prefix: key.family === 'inet' ? 32 : 128,
  pe: null,
  ...extra,
});
const dest = (address, port, extra = {}) => ({
  address,
  port,
  forward: 'DR',
  weight: 1,
  uthreshold: 0,
  lthreshold: 0,
  tunnel: null,
  ...extra,
});
const tcp = { kind: 'address', family: 'inet', protocol: 'TCP', address: '192.0.2.100', port: 80 };
const udp = { kind: 'address', family: 'inet', protocol: 'UDP', address: '192.0.2.100', port: 53 };
const sip = { kind: 'address', family: 'inet', protocol: 'UDP', address: '192.0.2.100', port: 5060 };
const sctp = { kind: 'address', family: 'inet', protocol: 'SCTP', address: '192.0.2.100', port: 3868 };
const v6 = { kind: 'address', family: 'inet6', protocol: 'TCP', address: '2001:db8::100', port: 443 };
const fwm = { kind: 'fwmark', family: 'inet', fwmark: 5 };
const fwm6 = { kind: 'fwmark', family: 'inet6', fwmark: 6 };

const ipvs = await openIpvs();
if (!ipvs) throw new Error('no IPVS');
const out = { info: await ipvs.info() };
out.changes = (
  await ipvs.apply([
    { op: 'add-service', service: svc(tcp, { flags: 1, timeout: 300, prefix: 24 }) },
    { op: 'add-service', service: svc(udp, { scheduler: 'sh', flags: 0x8 | 0x10 }) },
    { op: 'add-service', service: svc(sip, { scheduler: 'rr', flags: 1 | 0x4, timeout: 60, pe: 'sip' }) },
    { op: 'add-service', service: svc(sctp, { scheduler: 'mh', flags: 0x8 }) },
    { op: 'add-service', service: svc(v6, { scheduler: 'lc', flags: 1, timeout: 120, prefix: 64 }) },
    { op: 'add-service', service: svc(fwm, { scheduler: 'rr' }) },
    { op: 'add-service', service: svc(fwm6, { scheduler: 'wrr' }) },
    {
      op: 'add-dest',
      key: tcp,
      dest: dest('192.0.2.11', 80, { weight: 3, uthreshold: 100, lthreshold: 10 }),
    },
    { op: 'add-dest', key: tcp, dest: dest('192.0.2.12', 8080, { forward: 'NAT', weight: 0 }) },
    {
      op: 'add-dest',
      key: tcp,
      dest: dest('192.0.2.13', 80, { forward: 'TUN', tunnel: { type: 'gue', port: 6080, flags: 'csum' } }),
    },
    { op: 'add-dest', key: udp, dest: dest('192.0.2.11', 53) },
    { op: 'add-dest', key: v6, dest: dest('2001:db8::11', 443, { forward: 'NAT' }) },
    { op: 'add-dest', key: fwm, dest: dest('192.0.2.11', 0) },
    { op: 'add-dest', key: fwm6, dest: dest('2001:db8::12', 0, { weight: 2 }) },
    {
      op: 'edit-dest',
      key: tcp,
      dest: dest('192.0.2.11', 80, { weight: 5, uthreshold: 100, lthreshold: 10 }),
    },
    { op: 'set-timeouts', timeouts: { tcp: 7200, tcpFin: 0, udp: 300 } },
    // Failures, each answered on its own while the others are applied.
    { op: 'add-service', service: svc(tcp) },
    { op: 'del-service', key: { ...tcp, port: 81 } },
    { op: 'add-service', service: svc({ ...tcp, port: 82 }, { scheduler: 'nosuch' }) },
    { op: 'del-dest', key: tcp, dest: dest('192.0.2.99', 80) },
    { op: 'add-dest', key: tcp, dest: dest('192.0.2.11', 80) },
  ])
).map((e) => (e ? (/: (E[A-Z]+)/.exec(e.message)?.[1] ?? e.message) : null));
out.services = await ipvs.services();
out.dests = {};
for (const s of out.services) out.dests[JSON.stringify(s.key)] = await ipvs.dests(s.key);
out.timeouts = await ipvs.timeouts();
out.ipvsadm = execFileSync('ipvsadm', ['-Sn'], { encoding: 'utf8' });
out.ipvsadmTimeouts = execFileSync('ipvsadm', ['-L', '--timeout'], { encoding: 'utf8' });
// A batch far larger than one datagram and than a default receive buffer holds acknowledgements.
const big = { kind: 'address', family: 'inet', protocol: 'TCP', address: '192.0.2.200', port: 80 };
const many = [{ op: 'add-service', service: svc(big, { scheduler: 'rr' }) }];
for (let i = 0; i < 4000; i++)
  many.push({
    op: 'add-dest',
    key: big,
    dest: dest(`192.0.2.${1 + (i % 250)}`, 1000 + i, { forward: 'NAT' }),
  });
out.bigErrors = (await ipvs.apply(many)).filter((e) => e !== null).map((e) => e.message);
out.bigDests = (await ipvs.dests(big)).length;
await ipvs.apply([{ op: 'flush' }]);
out.afterFlush = (await ipvs.services()).length;
ipvs.close();
writeFileSync(`${process.env.KTS_RUN}/result.json`, JSON.stringify(out));
