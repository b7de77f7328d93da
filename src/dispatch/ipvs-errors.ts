/**
 * How a failed IPVS command is logged, in keepalived 2.2.7's words (check/ipvswrapper.c
 * ipvs_talk(): `IPVS cmd %s(%d) error: %s(%d)%s`, with libipvs.c ipvs_strerror()'s texts). The
 * command is named after the IP_VS_SO_SET_* socket option keepalived maps it to. Pure.
 *
 * One difference: keepalived talks to the kernel through libnl, which folds ESRCH ("no such
 * service") into ENOENT; we report the kernel's own errno.
 */
import type { IpvsChange } from '../net/ipvs.js';
import type { IpvsServiceKey } from '../net/ipvs-netlink.js';

/** keepalived's name and number (IP_VS_BASE_CTL 1152 + n) of each command. */
const COMMAND: Record<IpvsChange['op'], readonly [string, number]> = {
  'add-service': ['IP_VS_SO_SET_ADD', 1154],
  'edit-service': ['IP_VS_SO_SET_EDIT', 1155],
  'del-service': ['IP_VS_SO_SET_DEL', 1156],
  flush: ['IP_VS_SO_SET_FLUSH', 1157],
  'add-dest': ['IP_VS_SO_SET_ADDDEST', 1159],
  'del-dest': ['IP_VS_SO_SET_DELDEST', 1160],
  'edit-dest': ['IP_VS_SO_SET_EDITDEST', 1161],
  'set-timeouts': ['IP_VS_SO_SET_TIMEOUT', 1162],
  'start-daemon': ['IP_VS_SO_SET_STARTDAEMON', 1163],
  'stop-daemon': ['IP_VS_SO_SET_STOPDAEMON', 1164],
};

/** strerror() for the errnos IPVS returns. */
const STRERROR: Readonly<Record<number, string>> = {
  1: 'Operation not permitted',
  2: 'No such file or directory',
  3: 'No such process',
  7: 'Argument list too long',
  12: 'Cannot allocate memory',
  13: 'Permission denied',
  14: 'Bad address',
  16: 'Device or resource busy',
  17: 'File exists',
  19: 'No such device',
  22: 'Invalid argument',
  28: 'No space left on device',
  75: 'Value too large for defined data type',
  90: 'Message too long',
  92: 'Protocol not available',
  95: 'Operation not supported',
  97: 'Address family not supported by protocol',
  105: 'No buffer space available',
  110: 'Connection timed out',
};

const ERRNO = {
  EPERM: 1,
  ENOENT: 2,
  ESRCH: 3,
  ENOMEM: 12,
  EEXIST: 17,
  EINVAL: 22,
  EMSGSIZE: 90,
  ENOPROTOOPT: 92,
  EOPNOTSUPP: 95,
  EAFNOSUPPORT: 97,
} as const;

/** ipvs_strerror(): the text for what the command was doing, else strerror(). */
export function ipvsErrorText(op: IpvsChange['op'], errno: number): string {
  const E = ERRNO;
  if (op === 'add-service' && errno === E.EEXIST) return 'Service already exists';
  if ((op === 'add-service' || op === 'edit-service') && errno === E.ENOENT)
    return 'Scheduler or persistence engine not found';
  if (op === 'add-dest' && errno === E.EEXIST) return 'Destination already exists';
  if ((op === 'edit-dest' || op === 'del-dest') && errno === E.ENOENT) return 'No such destination';
  if (op === 'start-daemon' && errno === E.EEXIST) return 'Daemon has already run';
  if (op === 'stop-daemon' && errno === E.ESRCH) return 'No daemon is running';
  switch (errno) {
    case E.ESRCH:
      return 'No such service';
    case E.EPERM:
      return 'Permission denied (you must be root)';
    case E.EINVAL:
      return 'Invalid operation.  Possibly wrong module version, address not unicast, ...';
    case E.ENOPROTOOPT:
      return 'Protocol not available';
    case E.ENOMEM:
      return 'Memory allocation problem';
    case E.EOPNOTSUPP:
      return 'Operation not supported with IPv6';
    case E.EAFNOSUPPORT:
      return 'Operation not supported with specified address family';
    case E.EMSGSIZE:
      return 'Module is wrong version';
    default:
      return STRERROR[errno] ?? `Unknown error ${errno}`;
  }
}

/** The service as keepalived names it here: `192.0.2.1:tcp:80`, `Fwm 5` (` inet6` for IPv6). */
function serviceText(key: IpvsServiceKey): string {
  if (key.kind === 'fwmark') return `Fwm ${key.fwmark}${key.family === 'inet6' ? ' inet6' : ''}`;
  return `${key.address}:${key.protocol.toLowerCase()}:${key.port}`;
}

/** The whole log line for `change` failing with `errno`. */
export function ipvsErrorMessage(change: IpvsChange, errno: number): string {
  const [name, number] = COMMAND[change.op];
  let suffix = '';
  if ('dest' in change)
    suffix = ` (${serviceText(change.key)} -> ${change.dest.address}:${change.dest.port})`;
  else if ('key' in change) suffix = ` (${serviceText(change.key)})`;
  else if ('service' in change) suffix = ` (${serviceText(change.service.key)})`;
  return `IPVS cmd ${name}(${number}) error: ${ipvsErrorText(change.op, errno)}(${errno})${suffix}`;
}

/** keepalived's command name (for counters): IP_VS_SO_SET_ADDDEST etc. */
export const ipvsCommandName = (op: IpvsChange['op']): string => COMMAND[op][0];
