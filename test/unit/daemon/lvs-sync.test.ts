/**
 * The IPVS sync daemon's roles (src/daemon/lvs-sync.ts) against a fake kernel: keepalived 2.2.7's
 * order of IPVS_CMD_NEW_DAEMON / DEL_DAEMON at start, on each transition of its instance, on a
 * reload that changes it, and on stop; quiet stops where keepalived ignores errors.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { LvsSyncDaemon } from '../../../src/config/model.js';
import { LvsSync } from '../../../src/daemon/lvs-sync.js';
import { KaError } from '../../../src/lib/errors.js';
import type { Ipvs, IpvsChange } from '../../../src/net/ipvs.js';
import { NetlinkErrno } from '../../../src/net/netlink-socket.js';

const CFG: LvsSyncDaemon = {
  ifname: 'eth1',
  instance: 'VI_1',
  syncId: 51,
  maxlen: 0,
  port: 0,
  ttl: 0,
  group: null,
};

/** A kernel with the sync daemons it runs; a second start of one state is EEXIST, a stop of none ESRCH. */
function kernel() {
  const running = new Set<string>();
  const calls: string[] = [];
  const err = (errno: number, code: string) =>
    new KaError('KA_ERR_NETLINK', code, new NetlinkErrno(errno, code, code));
  const ipvs: Ipvs = {
    apply: (changes: readonly IpvsChange[]) =>
      Promise.resolve(
        changes.map((c) => {
          if (c.op !== 'start-daemon' && c.op !== 'stop-daemon') throw new Error(`unexpected ${c.op}`);
          const key = c.daemon.state;
          calls.push(
            `${c.op === 'start-daemon' ? 'start' : 'stop'} ${key} ${c.daemon.ifname} ${c.daemon.syncId}`,
          );
          if (c.op === 'start-daemon') {
            if (running.has(key)) return err(17, 'EEXIST');
            running.add(key);
          } else if (!running.delete(key)) return err(3, 'ESRCH');
          return null;
        }),
      ),
    services: () => Promise.resolve([]),
    dests: () => Promise.resolve([]),
    timeouts: () => Promise.resolve({ tcp: 900, tcpFin: 120, udp: 300 }),
    daemons: () => Promise.resolve([]),
    info: () => Promise.resolve({ version: 0x010201, connTabSize: 4096 }),
    close: () => undefined,
  };
  const lines: { msg: string; event: string }[] = [];
  const log = pino(
    { level: 'info' },
    { write: (l: string) => lines.push(JSON.parse(l) as { msg: string; event: string }) },
  );
  return { ipvs, running, calls, log, lines };
}

describe('LvsSync', () => {
  it('bound to an instance: backup at start, master while it is MASTER, backup after, nothing left on stop', async () => {
    const k = kernel();
    const s = new LvsSync(CFG, k.ipvs, k.log);
    await s.start();
    expect(k.calls).toEqual(['stop master eth1 51', 'stop backup eth1 51', 'start backup eth1 51']);
    expect([...k.running]).toEqual(['backup']);
    k.calls.length = 0;
    await s.transition('INIT', 'BACKUP');
    expect(k.calls).toEqual([]);
    await s.transition('BACKUP', 'MASTER');
    expect(k.calls).toEqual(['stop backup eth1 51', 'start master eth1 51']);
    await s.transition('MASTER', 'FAULT');
    expect([...k.running]).toEqual(['backup']);
    await s.transition('FAULT', 'BACKUP');
    await s.stop();
    expect([...k.running]).toEqual([]);
    // The quiet stop at start (nothing ran yet) is not an error; nothing else failed.
    expect(k.lines.filter((l) => l.event === 'ipvs.error')).toEqual([]);
    expect(k.lines.filter((l) => l.event === 'ipvs.syncd').map((l) => l.msg)).toEqual([
      'IPVS sync daemon on eth1 (syncid 51) started as backup',
      'IPVS sync daemon on eth1 (syncid 51) now master',
      'IPVS sync daemon on eth1 (syncid 51) now backup',
      'IPVS sync daemon on eth1 (syncid 51) stopped',
    ]);
  });

  it('an instance that starts as MASTER starts the master daemon', async () => {
    const k = kernel();
    await new LvsSync(CFG, k.ipvs, k.log).start(true);
    expect([...k.running]).toEqual(['master']);
  });

  it('without an instance: master and backup for the life of the daemon', async () => {
    const k = kernel();
    const s = new LvsSync({ ...CFG, instance: null, syncId: 0 }, k.ipvs, k.log);
    await s.start();
    expect([...k.running].sort()).toEqual(['backup', 'master']);
    await s.transition('BACKUP', 'MASTER');
    expect([...k.running].sort()).toEqual(['backup', 'master']);
    await s.stop();
    expect([...k.running]).toEqual([]);
  });

  it('clears the sync daemons a killed predecessor left in the kernel, so MASTER starts cleanly', async () => {
    const k = kernel();
    k.running.add('master'); // the daemon before it was SIGKILLed as MASTER
    const s = new LvsSync(CFG, k.ipvs, k.log);
    await s.start();
    expect([...k.running]).toEqual(['backup']);
    await s.transition('BACKUP', 'MASTER');
    expect([...k.running]).toEqual(['master']);
    expect(k.lines.filter((l) => l.event === 'ipvs.error')).toEqual([]);
  });

  it('a refused start is logged in keepalived’s words', async () => {
    const k = kernel();
    const s = new LvsSync(CFG, k.ipvs, k.log);
    await s.start();
    k.running.add('master'); // started by someone else meanwhile
    await s.transition('BACKUP', 'MASTER');
    expect(k.lines.filter((l) => l.event === 'ipvs.error').map((l) => l.msg)).toEqual([
      'IPVS cmd IP_VS_SO_SET_STARTDAEMON(1163) error: Daemon has already run(17)',
    ]);
  });

  it('a reload restarts it only when its settings changed, and removes it when gone', async () => {
    const k = kernel();
    const s = new LvsSync(CFG, k.ipvs, k.log);
    await s.start();
    await s.transition('BACKUP', 'MASTER');
    k.calls.length = 0;
    expect(await s.reload({ ...CFG }, true)).toBe(s);
    expect(k.calls).toEqual([]);
    await s.reload({ ...CFG, syncId: 7 }, true);
    expect(k.calls).toEqual([
      'stop master eth1 51',
      'stop master eth1 7',
      'stop backup eth1 7',
      'start master eth1 7',
    ]);
    expect(await s.reload(null, true)).toBeNull();
    expect([...k.running]).toEqual([]);
  });
});
