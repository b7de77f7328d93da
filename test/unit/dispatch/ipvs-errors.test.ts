/**
 * A failed IPVS command's log line in keepalived 2.2.7's words: check/ipvswrapper.c ipvs_talk()
 * logs `IPVS cmd %s(%d) error: %s(%d)%s`, the command named after its IP_VS_SO_SET_* option
 * (IP_VS_BASE_CTL 1152 + n), the text from libipvs.c ipvs_strerror() (a text for what the command
 * was doing, else a generic one, else strerror()), and format_srule()/format_drule()'s
 * ` (192.0.2.1:tcp:80 -> 192.0.2.11:80)` / ` (Fwm 5)` / ` (Fwm 6 inet6)` suffix.
 */
import { describe, expect, it } from 'vitest';
import { ipvsCommandName, ipvsErrorMessage, ipvsErrorText } from '../../../src/dispatch/ipvs-errors.js';
import type { IpvsChange } from '../../../src/net/ipvs.js';
import type { IpvsDest, IpvsService, IpvsServiceKey } from '../../../src/net/ipvs-netlink.js';

const tcp80: IpvsServiceKey = {
  kind: 'address',
  family: 'inet',
  protocol: 'TCP',
  address: '192.0.2.1',
  port: 80,
};
const service = (key: IpvsServiceKey): IpvsService => ({
  key,
  scheduler: 'rr',
  flags: 0,
  timeout: 0,
  prefix: 32,
  pe: null,
});
const dest: IpvsDest = {
  address: '192.0.2.11',
  port: 80,
  forward: 'NAT',
  weight: 1,
  uthreshold: 0,
  lthreshold: 0,
  tunnel: null,
};

const EPERM = 1;
const ENOENT = 2;
const ESRCH = 3;
const EEXIST = 17;
const EINVAL = 22;

describe('ipvsErrorMessage', () => {
  it('ADDDEST to a service the kernel does not have', () => {
    expect(ipvsErrorMessage({ op: 'add-dest', key: tcp80, dest }, ESRCH)).toBe(
      'IPVS cmd IP_VS_SO_SET_ADDDEST(1159) error: No such service(3) (192.0.2.1:tcp:80 -> 192.0.2.11:80)',
    );
  });

  it('EEXIST on ADD of a fwmark service; an IPv6 fwmark service says inet6', () => {
    expect(
      ipvsErrorMessage(
        { op: 'add-service', service: service({ kind: 'fwmark', family: 'inet', fwmark: 5 }) },
        EEXIST,
      ),
    ).toBe('IPVS cmd IP_VS_SO_SET_ADD(1154) error: Service already exists(17) (Fwm 5)');
    expect(
      ipvsErrorMessage(
        { op: 'add-service', service: service({ kind: 'fwmark', family: 'inet6', fwmark: 6 }) },
        EEXIST,
      ),
    ).toBe('IPVS cmd IP_VS_SO_SET_ADD(1154) error: Service already exists(17) (Fwm 6 inet6)');
  });

  it('EEXIST on ADDDEST: Destination already exists', () => {
    expect(ipvsErrorMessage({ op: 'add-dest', key: tcp80, dest }, EEXIST)).toBe(
      'IPVS cmd IP_VS_SO_SET_ADDDEST(1159) error: Destination already exists(17) (192.0.2.1:tcp:80 -> 192.0.2.11:80)',
    );
  });

  it('ENOENT on DELDEST and EDITDEST: No such destination', () => {
    const d8080 = { ...dest, port: 8080 };
    expect(ipvsErrorMessage({ op: 'del-dest', key: tcp80, dest: d8080 }, ENOENT)).toBe(
      'IPVS cmd IP_VS_SO_SET_DELDEST(1160) error: No such destination(2) (192.0.2.1:tcp:80 -> 192.0.2.11:8080)',
    );
    expect(ipvsErrorMessage({ op: 'edit-dest', key: tcp80, dest }, ENOENT)).toBe(
      'IPVS cmd IP_VS_SO_SET_EDITDEST(1161) error: No such destination(2) (192.0.2.1:tcp:80 -> 192.0.2.11:80)',
    );
  });

  it('ENOENT on ADD and EDIT of a service: the scheduler or persistence engine is missing', () => {
    const udp: IpvsServiceKey = { ...tcp80, protocol: 'UDP', port: 53 };
    expect(ipvsErrorMessage({ op: 'add-service', service: service(udp) }, ENOENT)).toBe(
      'IPVS cmd IP_VS_SO_SET_ADD(1154) error: Scheduler or persistence engine not found(2) (192.0.2.1:udp:53)',
    );
    expect(ipvsErrorMessage({ op: 'edit-service', service: service(udp) }, ENOENT)).toBe(
      'IPVS cmd IP_VS_SO_SET_EDIT(1155) error: Scheduler or persistence engine not found(2) (192.0.2.1:udp:53)',
    );
  });

  it('DEL of a service: the key is the suffix; IPv6 and SCTP as format_srule() prints them', () => {
    const sctp6: IpvsServiceKey = {
      kind: 'address',
      family: 'inet6',
      protocol: 'SCTP',
      address: '2001:db8::1',
      port: 3868,
    };
    expect(ipvsErrorMessage({ op: 'del-service', key: sctp6 }, ESRCH)).toBe(
      'IPVS cmd IP_VS_SO_SET_DEL(1156) error: No such service(3) (2001:db8::1:sctp:3868)',
    );
    expect(
      ipvsErrorMessage(
        { op: 'del-dest', key: sctp6, dest: { ...dest, address: '2001:db8::11', port: 3868 } },
        ENOENT,
      ),
    ).toBe(
      'IPVS cmd IP_VS_SO_SET_DELDEST(1160) error: No such destination(2) (2001:db8::1:sctp:3868 -> 2001:db8::11:3868)',
    );
  });

  it('EINVAL keeps libipvs’s two spaces after the full stop', () => {
    expect(ipvsErrorMessage({ op: 'edit-dest', key: tcp80, dest }, EINVAL)).toBe(
      'IPVS cmd IP_VS_SO_SET_EDITDEST(1161) error: Invalid operation.  Possibly wrong module version, address not unicast, ...(22) (192.0.2.1:tcp:80 -> 192.0.2.11:80)',
    );
  });

  it('commands without a service have no suffix', () => {
    expect(ipvsErrorMessage({ op: 'flush' }, EPERM)).toBe(
      'IPVS cmd IP_VS_SO_SET_FLUSH(1157) error: Permission denied (you must be root)(1)',
    );
    expect(ipvsErrorMessage({ op: 'set-timeouts', timeouts: { tcp: 1, tcpFin: 0, udp: 0 } }, EINVAL)).toMatch(
      /^IPVS cmd IP_VS_SO_SET_TIMEOUT\(1162\) error: Invalid operation\. {2}.*\(22\)$/,
    );
    const daemon = {
      state: 'master',
      ifname: 'eth0',
      syncId: 1,
      maxlen: 0,
      group: null,
      port: 0,
      ttl: 0,
    } as const;
    expect(ipvsErrorMessage({ op: 'start-daemon', daemon }, EEXIST)).toBe(
      'IPVS cmd IP_VS_SO_SET_STARTDAEMON(1163) error: Daemon has already run(17)',
    );
    expect(ipvsErrorMessage({ op: 'stop-daemon', daemon }, ESRCH)).toBe(
      'IPVS cmd IP_VS_SO_SET_STOPDAEMON(1164) error: No daemon is running(3)',
    );
  });

  it('an errno without a libipvs text is strerror(), and an unknown one says so', () => {
    expect(ipvsErrorMessage({ op: 'add-dest', key: tcp80, dest }, 12)).toBe(
      'IPVS cmd IP_VS_SO_SET_ADDDEST(1159) error: Memory allocation problem(12) (192.0.2.1:tcp:80 -> 192.0.2.11:80)',
    );
    expect(ipvsErrorMessage({ op: 'del-service', key: tcp80 }, 16)).toBe(
      'IPVS cmd IP_VS_SO_SET_DEL(1156) error: Device or resource busy(16) (192.0.2.1:tcp:80)',
    );
    expect(ipvsErrorMessage({ op: 'del-service', key: tcp80 }, 4242)).toBe(
      'IPVS cmd IP_VS_SO_SET_DEL(1156) error: Unknown error 4242(4242) (192.0.2.1:tcp:80)',
    );
  });
});

describe('ipvsErrorText', () => {
  it('a command-specific text applies to its command only', () => {
    // EEXIST: "Service already exists" for ADD only; elsewhere strerror()
    expect(ipvsErrorText('add-service', EEXIST)).toBe('Service already exists');
    expect(ipvsErrorText('edit-service', EEXIST)).toBe('File exists');
    // ENOENT: "No such destination" for EDITDEST/DELDEST, not ADDDEST or DEL
    expect(ipvsErrorText('add-dest', ENOENT)).toBe('No such file or directory');
    expect(ipvsErrorText('del-service', ENOENT)).toBe('No such file or directory');
    // ESRCH: "No daemon is running" for STOPDAEMON, else the generic "No such service"
    expect(ipvsErrorText('edit-service', ESRCH)).toBe('No such service');
    expect(ipvsErrorText('stop-daemon', ESRCH)).toBe('No daemon is running');
  });

  it('the generic texts', () => {
    expect(ipvsErrorText('flush', 92)).toBe('Protocol not available');
    expect(ipvsErrorText('add-service', 95)).toBe('Operation not supported with IPv6');
    expect(ipvsErrorText('add-service', 97)).toBe('Operation not supported with specified address family');
    expect(ipvsErrorText('add-service', 90)).toBe('Module is wrong version');
  });
});

describe('ipvsCommandName', () => {
  it('names every change after its IP_VS_SO_SET_* option', () => {
    const ops: IpvsChange['op'][] = [
      'add-service',
      'edit-service',
      'del-service',
      'flush',
      'add-dest',
      'del-dest',
      'edit-dest',
      'set-timeouts',
      'start-daemon',
      'stop-daemon',
    ];
    expect(ops.map(ipvsCommandName)).toEqual([
      'IP_VS_SO_SET_ADD',
      'IP_VS_SO_SET_EDIT',
      'IP_VS_SO_SET_DEL',
      'IP_VS_SO_SET_FLUSH',
      'IP_VS_SO_SET_ADDDEST',
      'IP_VS_SO_SET_DELDEST',
      'IP_VS_SO_SET_EDITDEST',
      'IP_VS_SO_SET_TIMEOUT',
      'IP_VS_SO_SET_STARTDAEMON',
      'IP_VS_SO_SET_STOPDAEMON',
    ]);
  });
});
