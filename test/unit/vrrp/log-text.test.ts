/**
 * keepalived 2.2.7's log lines rendered from the state machine's data (src/vrrp/log-text.ts): each
 * byte as keepalived writes it (vrrp.c, vrrp_track.c); the netns tests compare them with its logs.
 */
import { describe, expect, it } from 'vitest';
import {
  dropLine,
  faultText,
  noticeLine,
  transitionDetailText,
  transitionLine,
  transitionPreamble,
} from '../../../src/vrrp/log-text.js';
import { trackerKey } from '../../../src/vrrp/tracking.js';
import type { FaultCause } from '../../../src/vrrp/tracking.js';

const eth1: FaultCause = { kind: 'interface', name: 'eth1' };
const chk: FaultCause = { kind: 'script', name: 'chk_http' };
const prio: FaultCause = { kind: 'file', name: 'prio' };

describe('transitions', () => {
  it('Entering X STATE, with (init) on leaving INIT', () => {
    expect(transitionLine('VI_1', 'MASTER', 'priority-zero')).toBe('(VI_1) Entering MASTER STATE');
    expect(transitionLine('VI_1', 'BACKUP', 'init')).toBe('(VI_1) Entering BACKUP STATE (init)');
  });

  it('a MASTER yielding names the advert: higher priority, or the same from a higher address', () => {
    const higher = { kind: 'advert', source: '192.0.2.12', priority: 150, ours: 100 } as const;
    const same = { ...higher, priority: 100 };
    expect(transitionPreamble('VI_1', 'BACKUP', 'higher-priority', higher)).toBe(
      '(VI_1) Master received advert from 192.0.2.12 with higher priority 150, ours 100',
    );
    expect(transitionDetailText(same)).toBe(
      'Master received advert from 192.0.2.12 with same priority 100 but higher IP address than ours',
    );
  });

  it('a fault: the first cause in its keepalived line, all of them in the detail', () => {
    const line = (f: FaultCause) =>
      transitionPreamble('VI_1', 'FAULT', 'fault', { kind: 'faults', faults: [f, chk] });
    expect([line(eth1), line(chk), line(prio), line({ kind: 'no-source-address' })]).toEqual([
      '(VI_1): entering FAULT state (interface eth1 down)',
      '(VI_1): entering FAULT state due to script chk_http',
      '(VI_1): entering FAULT state due to track_file prio',
      '(VI_1): entering FAULT state (no source address)',
    ]);
    expect(transitionDetailText({ kind: 'faults', faults: [eth1, { kind: 'config' }, prio] })).toBe(
      'interface eth1, (config), file prio',
    );
    // Only scripts that have not reported: FAULT without a cause line.
    expect(transitionPreamble('VI_1', 'FAULT', 'init', { kind: 'faults', faults: [] })).toBeNull();
    expect(transitionPreamble('VI_1', 'MASTER', 'master-down', { kind: 'none' })).toBeNull();
  });

  it('names tracked objects and faults as the status document lists them', () => {
    expect([
      trackerKey({ kind: 'interface', name: 'eth1' }),
      faultText(chk),
      faultText({ kind: 'config' }),
    ]).toEqual(['interface eth1', 'script chk_http', '(config)']);
  });
});

describe('notices and drops', () => {
  it('lower priority heard by a MASTER: ", forcing new election" only when it answers', () => {
    const n = { what: 'lower-priority-advert', source: '192.0.2.13', priority: 90, ours: 100 } as const;
    expect(noticeLine('VI_1', { ...n, answered: true })).toBe(
      '(VI_1) Received advert from 192.0.2.13 with lower priority 90, ours 100, forcing new election',
    );
    expect(noticeLine('VI_1', { ...n, answered: false })).toBe(
      '(VI_1) Received advert from 192.0.2.13 with lower priority 90, ours 100',
    );
  });

  it("keepalived's other notices", () => {
    expect(noticeLine('VI_1', { what: 'priority-zero-received' })).toBe(
      '(VI_1) Backup received priority 0 advertisement',
    );
    expect(noticeLine('VI_1', { what: 'own-address' })).toBe(
      '(VI_1) WARNING - equal priority advert received from remote host with our IP address.',
    );
    expect(noticeLine('VI_1', { what: 'sync-wait', group: 'VG_1' })).toBe(
      '(VI_1) waiting for the other members of sync group VG_1',
    );
  });

  it("a discarded lower-priority advert; the decoder's drops get the instance name", () => {
    expect(dropLine('VI_1', { reason: 'lower-priority', source: '192.0.2.12', priority: 50 })).toBe(
      '(VI_1) received lower priority (50) advert from 192.0.2.12 - discarding',
    );
    expect(dropLine('VI_1', { reason: 'truncated', detail: '6 bytes, a VRRP header is 8' })).toBe(
      '(VI_1) 6 bytes, a VRRP header is 8',
    );
  });

  it("the instance checks' drops in keepalived's words (vrrp_check_packet())", () => {
    const lines = [
      dropLine('VI_1', { reason: 'version-mismatch', received: 3, expected: 2 }),
      dropLine('VI_1', { reason: 'auth-type-mismatch', received: 0, expected: 1 }),
      dropLine('VI_1', { reason: 'auth-failure' }),
      dropLine('VI_1', { reason: 'interval-mismatch', mineMs: 1000, receivedMs: 2500 }),
      dropLine('VI_1', { reason: 'address-count-mismatch', received: 2, expected: 1 }),
      dropLine('VI_1', { reason: 'address-list-mismatch', vrid: 51, missing: '192.0.2.100' }),
      dropLine('VI_1', { reason: 'not-a-peer', source: '192.0.2.200' }),
      dropLine('VI_1', { reason: 'peer-ttl', ttl: 64, source: '192.0.2.12' }),
    ];
    expect(lines).toEqual([
      '(VI_1) wrong version. Received 3 and expect 2',
      '(VI_1) received a 0 auth, expecting 1!',
      '(VI_1) received an invalid passwd!',
      "(VI_1) advertisement interval mismatch mine=1 sec rcv'd=2.5 sec",
      '(VI_1) received an unexpected ip number count 2, expected 1!',
      '(VI_1) ip address associated with VRID 51 not present in MASTER advert: 192.0.2.100',
      '(VI_1) unicast source address 192.0.2.200 not a unicast peer',
      '(VI_1) invalid TTL/HL 64 from 192.0.2.12',
    ]);
  });
});
