/** The InterfaceSysctls port on Linux: /proc/sys/net/ipv4/conf/IFNAME/KEY. */
import { readFileSync, writeFileSync } from 'node:fs';
import type { InterfaceSysctls } from './ports.js';

const path = (ifname: string, key: string): string => {
  // An interface name never holds '/' or is '.'/'..' (the kernel refuses them): guard the path.
  if (!/^[^/\0]{1,15}$/.test(ifname) || ifname === '.' || ifname === '..' || !/^[a-z_]+$/.test(key))
    throw new Error(`bad sysctl ${ifname}/${key}`);
  return `/proc/sys/net/ipv4/conf/${ifname}/${key}`;
};

export const linuxSysctls: InterfaceSysctls = {
  get(ifname, key) {
    try {
      const v = Number(readFileSync(path(ifname, key), 'utf8').trim());
      return Number.isInteger(v) ? v : null;
    } catch {
      return null;
    }
  },
  set(ifname, key, value) {
    writeFileSync(path(ifname, key), `${value}\n`);
  },
};
