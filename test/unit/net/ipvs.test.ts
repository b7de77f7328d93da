/**
 * LinuxIpvs (src/net/ipvs.ts) over NetlinkSocket on a fake addon: openIpvs() resolves the "IPVS"
 * generic netlink family (CTRL_CMD_GETFAMILY), apply() sends the changes of a call together in as
 * few datagrams as fit under 32 KiB and resolves with one result per change (the errors shaped
 * as IpvsTable expects: KaError whose cause has the errno), and the dumps are decoded.
 */
import { describe, expect, it } from 'vitest';
import { KaError } from '../../../src/lib/errors.js';
import { describeChange, openIpvs, type IpvsChange } from '../../../src/net/ipvs.js';
import {
  GENL,
  IPVS_CMD,
  IPVS_CMD_ATTR,
  IPVS_SVC_ATTR,
  type IpvsDest,
  type IpvsServiceKey,
} from '../../../src/net/ipvs-netlink.js';
import { isErrno } from '../../../src/net/native.js';
import {
  encodeAttr,
  encodeAttrNested,
  encodeAttrString,
  encodeAttrU32,
  encodeMessage,
  NLM_F,
  type NlMessage,
} from '../../../src/net/netlink.js';
import { ack, done, FakeNetlinkSock } from './fake-netlink.js';

const FAMILY = 0x23;
const NETLINK_GENERIC = 16;

const newFamily = (seq: number): Buffer => {
  const id = Buffer.alloc(2);
  id.writeUInt16LE(FAMILY);
  return encodeMessage({ type: GENL.ID_CTRL, flags: 0, seq }, [
    Buffer.from([1, 2, 0, 0]), // CTRL_CMD_NEWFAMILY
    encodeAttrString(GENL.CTRL_ATTR_FAMILY_NAME, 'IPVS'),
    encodeAttr(GENL.CTRL_ATTR_FAMILY_ID, id),
  ]);
};

/** A kernel with IPVS: the controller answers, every IPVS change is acked with `errnoOf`. */
function kernel(sock: FakeNetlinkSock, errnoOf: (m: NlMessage) => number = () => 0): void {
  sock.onDatagram = (fd, ms) => {
    const out: Buffer[] = [];
    for (const m of ms) {
      if (m.type === GENL.ID_CTRL) out.push(newFamily(m.seq), ack(m));
      else out.push(ack(m, errnoOf(m)));
    }
    sock.deliver(fd, Buffer.concat(out));
  };
}

const key: IpvsServiceKey = {
  kind: 'address',
  family: 'inet',
  protocol: 'TCP',
  address: '192.0.2.1',
  port: 80,
};
const dest = (i: number): IpvsDest => ({
  address: `10.${(i >> 8) & 0xff}.${i & 0xff}.1`,
  port: 80,
  forward: 'DR',
  weight: 1,
  uthreshold: 0,
  lthreshold: 0,
  tunnel: null,
});

describe('openIpvs', () => {
  it('resolves the family id on a NETLINK_GENERIC socket', async () => {
    const sock = new FakeNetlinkSock();
    kernel(sock);
    const ipvs = await openIpvs({ sock, load: false });
    expect(ipvs).not.toBeNull();
    expect(sock.protocols.get(sock.fd)).toBe(NETLINK_GENERIC);
    expect(sock.sent[0]?.type).toBe(GENL.ID_CTRL);
    // later messages go to the family the kernel named
    await ipvs?.apply([{ op: 'flush' }]);
    expect(sock.sent[1]?.type).toBe(FAMILY);
    expect(sock.sent[1]?.payload[0]).toBe(IPVS_CMD.FLUSH);
    ipvs?.close();
    expect(sock.open.size).toBe(0);
  });

  it('null (and the socket closed) when the kernel has no IPVS family', async () => {
    const sock = new FakeNetlinkSock();
    sock.onDatagram = (fd, [m]) => sock.deliver(fd, ack(m as NlMessage, 2)); // ENOENT
    expect(await openIpvs({ sock, load: false })).toBeNull();
    expect(sock.open.size).toBe(0);
  });

  it('other netlink errors (no CAP_NET_ADMIN) are thrown', async () => {
    const sock = new FakeNetlinkSock();
    sock.onDatagram = (fd, [m]) => sock.deliver(fd, ack(m as NlMessage, 1)); // EPERM
    await expect(openIpvs({ sock, load: false })).rejects.toThrow(/EPERM/);
    expect(sock.open.size).toBe(0);
  });
});

describe('LinuxIpvs.apply', () => {
  it('one datagram for a handful of changes; one result per change, errno on the cause', async () => {
    const sock = new FakeNetlinkSock();
    kernel(sock, (m) => (m.payload[0] === IPVS_CMD.NEW_DEST ? 17 : 0));
    const ipvs = await openIpvs({ sock, load: false });
    const changes: IpvsChange[] = [
      {
        op: 'add-service',
        service: { key, scheduler: 'rr', flags: 0, timeout: 0, prefix: 32, pe: null },
      },
      { op: 'add-dest', key, dest: dest(1) },
      { op: 'edit-dest', key, dest: dest(2) },
    ];
    const results = (await ipvs?.apply(changes)) ?? [];
    expect(sock.datagrams).toHaveLength(2); // GETFAMILY, then the changes together
    expect(sock.datagrams[1]?.messages.map((m) => m.payload[0])).toEqual([
      IPVS_CMD.NEW_SERVICE,
      IPVS_CMD.NEW_DEST,
      IPVS_CMD.SET_DEST,
    ]);
    expect(results[0]).toBeNull();
    expect(results[2]).toBeNull();
    expect(results[1]).toBeInstanceOf(KaError);
    expect(results[1]?.message).toBe(`${describeChange(changes[1] as IpvsChange)}: EEXIST`);
    expect(isErrno((results[1] as KaError).cause, 'EEXIST')).toBe(true);
    ipvs?.close();
  });

  it('thousands of changes go in datagrams under 32 KiB, results in order', async () => {
    const sock = new FakeNetlinkSock();
    kernel(sock, (m) => (m.seq % 100 === 0 ? 22 : 0));
    const ipvs = await openIpvs({ sock, load: false });
    const changes: IpvsChange[] = Array.from({ length: 1000 }, (_, i) => ({
      op: 'add-dest',
      key,
      dest: dest(i),
    }));
    const results = (await ipvs?.apply(changes)) ?? [];
    const datagrams = sock.datagrams.slice(1);
    expect(datagrams.length).toBeGreaterThan(1);
    for (const d of datagrams) expect(d.bytes).toBeLessThanOrEqual(32 * 1024);
    expect(datagrams.reduce((n, d) => n + d.messages.length, 0)).toBe(1000);
    expect(results).toHaveLength(1000);
    const seqs = datagrams.flatMap((d) => d.messages.map((m) => m.seq));
    results.forEach((r, i) => expect(r === null).toBe((seqs[i] as number) % 100 !== 0));
    ipvs?.close();
  });

  it('a datagram that fails as a whole fails each of its changes', async () => {
    const sock = new FakeNetlinkSock();
    kernel(sock);
    const ipvs = await openIpvs({ sock, load: false });
    sock.onDatagram = () => {};
    const p = ipvs?.apply([{ op: 'flush' }, { op: 'add-dest', key, dest: dest(1) }]);
    ipvs?.close();
    const results = (await p) ?? [];
    expect(results).toHaveLength(2);
    for (const r of results) expect(r?.message).toMatch(/closed/);
  });
});

describe('LinuxIpvs dumps', () => {
  it('services() decodes a GET_SERVICE dump; timeouts() a GET_CONFIG answer', async () => {
    const sock = new FakeNetlinkSock();
    kernel(sock);
    const ipvs = await openIpvs({ sock, load: false });
    sock.onDatagram = (fd, [m]) => {
      const req = m as NlMessage;
      const cmd = req.payload[0];
      const hdr = (c: number) => Buffer.from([c, 1, 0, 0]);
      if (cmd === IPVS_CMD.GET_SERVICE) {
        const af = Buffer.from([2, 0]);
        const svc = encodeMessage({ type: FAMILY, flags: NLM_F.MULTI, seq: req.seq }, [
          hdr(IPVS_CMD.NEW_SERVICE),
          encodeAttrNested(IPVS_CMD_ATTR.SERVICE, [
            encodeAttr(IPVS_SVC_ATTR.AF, af),
            encodeAttrU32(IPVS_SVC_ATTR.FWMARK, 5),
            encodeAttrString(IPVS_SVC_ATTR.SCHED_NAME, 'rr'),
          ]),
        ]);
        const junk = encodeMessage({ type: FAMILY, flags: NLM_F.MULTI, seq: req.seq }, [
          hdr(IPVS_CMD.NEW_SERVICE),
        ]);
        sock.deliver(fd, Buffer.concat([svc, junk, done(req.seq)]));
      } else if (cmd === IPVS_CMD.GET_CONFIG) {
        sock.deliver(
          fd,
          Buffer.concat([
            encodeMessage({ type: FAMILY, flags: 0, seq: req.seq }, [
              hdr(IPVS_CMD.SET_CONFIG),
              encodeAttrU32(IPVS_CMD_ATTR.TIMEOUT_TCP, 900),
              encodeAttrU32(IPVS_CMD_ATTR.TIMEOUT_TCP_FIN, 120),
              encodeAttrU32(IPVS_CMD_ATTR.TIMEOUT_UDP, 300),
            ]),
            ack(req),
          ]),
        );
      }
    };
    const services = (await ipvs?.services()) ?? [];
    expect(services.map((s) => s.key)).toEqual([{ kind: 'fwmark', family: 'inet', fwmark: 5 }]); // junk skipped
    expect(sock.sent.at(-1)?.flags).toBe(NLM_F.REQUEST | NLM_F.DUMP);
    expect(await ipvs?.timeouts()).toEqual({ tcp: 900, tcpFin: 120, udp: 300 });
    ipvs?.close();
  });
});
