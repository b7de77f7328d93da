/**
 * The whole director (issue 6): a client in its own namespace → the VIP held by the keepalived-ts
 * MASTER → three real servers on the LAN, scheduled round robin by the embedded dispatcher. A
 * real server is killed: the checker removes it and no request fails after that; a server whose
 * health check fails with inhibit_on_failure is quiesced: its open connection goes on, new ones go
 * elsewhere. `ipvsadm` on the control socket shows the table, summed over the two data-plane
 * workers the service is spread across.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { eventually, type Daemon, type Lab, type LogRecord } from './lab.js';
import { useLab } from './use-lab.js';
import { config, httpRealServer, instanceBlock } from './vrrp-conf.js';

const BACKEND = fileURLToPath(new URL('./scripts/backend.mjs', import.meta.url));
const CLIENT = fileURLToPath(new URL('./scripts/client.mjs', import.meta.url));
const VS = '[192.0.2.100]:tcp:80';

let lab: Lab;
const suite = useLab('dp', 4, { setup: (l) => (lab = l) });

interface Reply {
  readonly t: number;
  readonly ok: boolean;
  readonly body?: string;
  readonly error?: string;
}
const replies = (d: Daemon): Reply[] =>
  d.lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Reply);

describe('the embedded dispatcher behind the VIP', () => {
  it('spreads clients over the real servers, drops a dead one without failed requests, drains a quiesced one', async () => {
    const backends = new Map<string, Daemon>();
    for (const i of [2, 3, 4]) {
      const h = lab.host(i);
      const b = suite.track(
        lab.start(h, [process.execPath, BACKEND, `rs${i}`, h.ip4, '8080', lab.dir], `rs${i}`),
      );
      await b.waitForLine(/listening/);
      backends.set(`rs${i}`, b);
    }
    const conf = config(
      instanceBlock({ priority: 150 }),
      [
        'virtual_server 192.0.2.100 80 {',
        '  delay_loop 1',
        '  lb_algo rr',
        '  lb_kind NAT',
        '  protocol TCP',
        httpRealServer(lab.host(2).ip4, { inhibitOnFailure: true, warmup0: true }),
        httpRealServer(lab.host(3).ip4, { inhibitOnFailure: false, warmup0: true }),
        httpRealServer(lab.host(4).ip4, { inhibitOnFailure: true, warmup0: true }),
        '}',
      ].join('\n'),
    );
    // Two data-plane workers: the service listens in both (SO_REUSEPORT) and each schedules its share.
    const director = suite.track(await lab.startKts(lab.host(1), conf, ['--dispatch-workers', '2']));
    await director.waitForLine(/Entering MASTER STATE/);
    await director.waitForLine(/Dispatcher listening on TCP 192\.0\.2\.100:80/);
    const status = (await director.query()) as { dispatcher: { id: string; workers: number[] }[] };
    expect(status.dispatcher.find((s) => s.id === VS)?.workers.sort()).toEqual([0, 1]);

    const fresh = suite.track(
      lab.start(lab.client, [process.execPath, CLIENT, 'http://192.0.2.100/', 'fresh'], 'client'),
    );
    await eventually('60 replies', () => (replies(fresh).length >= 60 ? true : undefined));
    const first = replies(fresh).slice(0, 60);
    expect(first.filter((r) => !r.ok)).toEqual([]);
    const counts = (rs: Reply[]): Record<string, number> =>
      rs.reduce<Record<string, number>>(
        (m, r) => ({ ...m, [r.body ?? r.error ?? '?']: (m[r.body ?? r.error ?? '?'] ?? 0) + 1 }),
        {},
      );
    // Round robin in each worker: 20 each, give or take one per worker (each worker's share of
    // the 60 is split three ways on its own).
    for (const n of Object.values(counts(first))) expect(n).toBeGreaterThanOrEqual(18);
    expect(Object.keys(counts(first)).sort()).toEqual(['rs2', 'rs3', 'rs4']);

    // Kill rs3: the checker removes it; the dispatcher also retries a refused connect on the next pick.
    backends.get('rs3')?.signal('SIGKILL');
    const removed = await director.waitForRecord(
      (r: LogRecord) => r.msg === `Removing service [192.0.2.13]:tcp:8080 from VS ${VS}`,
      'rs3 removed',
    );
    const detectedAt = removed.time ?? 0;
    const seen = replies(fresh).length;
    await eventually('40 more replies', () => (replies(fresh).length >= seen + 40 ? true : undefined));
    const after = replies(fresh).filter((r) => r.t > detectedAt);
    expect(after.filter((r) => !r.ok)).toEqual([]);
    expect(new Set(after.map((r) => r.body))).toEqual(new Set(['rs2', 'rs4']));

    // Quiesce the server a keep-alive client is on: its connection drains, new ones go elsewhere.
    const held = suite.track(
      lab.start(lab.client, [process.execPath, CLIENT, 'http://192.0.2.100/', 'keepalive'], 'keepalive'),
    );
    await eventually('keep-alive replies', () => (replies(held).length >= 3 ? true : undefined));
    const pinned = replies(held)[0]?.body ?? '';
    expect(['rs2', 'rs4']).toContain(pinned);
    const other = pinned === 'rs2' ? 'rs4' : 'rs2';
    const pinnedIp = pinned === 'rs2' ? lab.host(2).ip4 : lab.host(4).ip4;
    writeFileSync(join(lab.dir, `${pinned}.fail`), '');
    const disabled = await director.waitForRecord(
      (r: LogRecord) => r.msg === `Disabling service [${pinnedIp}]:tcp:8080 of VS ${VS}`,
      `${pinned} disabled`,
    );
    const heldBefore = replies(held).length;
    const freshBefore = replies(fresh).length;
    await eventually('more replies on both', () =>
      replies(held).length >= heldBefore + 5 && replies(fresh).length >= freshBefore + 30 ? true : undefined,
    );
    // The held connection still reaches the quiesced server; new connections never do.
    expect(
      replies(held)
        .slice(heldBefore)
        .map((r) => r.body),
    ).toEqual(Array(replies(held).length - heldBefore).fill(pinned));
    const newOnes = replies(fresh).filter((r) => r.t > (disabled.time ?? 0) + 50);
    expect(newOnes.length).toBeGreaterThan(20);
    expect(new Set(newOnes.map((r) => r.body))).toEqual(new Set([other]));
    expect(newOnes.filter((r) => !r.ok)).toEqual([]);

    const table = await director.queryText('ipvsadm');
    expect(table).toContain('TCP  192.0.2.100:80 rr');
    const line = table.split('\n').find((l) => l.includes(`${pinnedIp}:8080`)) ?? '';
    expect(line).toMatch(new RegExp(`-> ${pinnedIp.replace(/\./g, '\\.')}:8080\\s+Masq\\s+0\\s+1\\s+`));
    expect(table).not.toContain('192.0.2.13:8080');
  });
});
