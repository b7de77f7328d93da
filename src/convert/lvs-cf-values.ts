/**
 * Reading lvs.cf values for the converter: numbers, netmasks, `IP DEV[:N]` addresses, and the
 * warnings it collects (`FILE:LINE: message`). Pure.
 */
import { parseIp, parseIpv4 } from '../lib/ip.js';
import { ConvertError } from './format.js';
import type { Setting, Settings } from './lvs-cf.js';

/** The file being converted and the warnings gathered so far. */
export class Context {
  readonly warnings: string[] = [];
  constructor(readonly file: string) {}

  at(line: number): string {
    return `${this.file}:${line}`;
  }

  warn(line: number, message: string): void {
    this.warnings.push(`${this.at(line)}: ${message}`);
  }

  /** `key has no keepalived equivalent: why` (the wording docs/migration.md lists). */
  noEquivalent(s: Setting, why: string): void {
    this.warn(s.line, `${s.key} has no keepalived equivalent: ${why}`);
  }

  fail(line: number, message: string): never {
    throw new ConvertError(`${this.at(line)}: ${message}`);
  }
}

/** A whole number in [min, max], or ConvertError naming the key. */
export function intValue(ctx: Context, s: Setting, min: number, max: number): number {
  if (!/^\d+$/.test(s.value) || Number(s.value) < min || Number(s.value) > max)
    ctx.fail(s.line, `${s.key} must be a whole number from ${min} to ${max}, not '${s.value}'`);
  return Number(s.value);
}

/** `0` or `1` (Piranha writes its switches so). */
export function flag(ctx: Context, s: Setting | undefined): boolean {
  if (s === undefined) return false;
  return intValue(ctx, s, 0, 1) === 1;
}

/** A dotted IPv4 netmask as a prefix length; ConvertError when the ones are not contiguous. */
export function netmaskPrefix(ctx: Context, s: Setting): number {
  const bytes = parseIpv4(s.value);
  if (bytes === undefined) ctx.fail(s.line, `${s.key} must be a dotted netmask, not '${s.value}'`);
  const bits = [...bytes].map((b) => b.toString(2).padStart(8, '0')).join('');
  if (!/^1*0*$/.test(bits))
    ctx.fail(s.line, `${s.key} ${s.value} is not a netmask (its ones are not contiguous)`);
  return bits.indexOf('0') < 0 ? 32 : bits.indexOf('0');
}

/** `IP [DEV[:N]]`, the form of Piranha's address, nat_router and sorry_server values. */
export interface DevAddress {
  readonly ip: string;
  readonly family: 'inet' | 'inet6';
  /** The interface (eth0 for eth0:1), when given. */
  readonly dev: string | undefined;
  /** The alias label (eth0:1), when the device had one. */
  readonly label: string | undefined;
}

/** Reads `IP [DEV[:N]]`; a name that is not an address is a ConvertError (keepalived wants addresses). */
export function devAddress(ctx: Context, s: Setting): DevAddress {
  const words = s.value.split(/\s+/).filter((w) => w !== '');
  const ip = parseIp(words[0] ?? '');
  if (ip === undefined)
    ctx.fail(s.line, `${s.key} must be an IP address (keepalived takes no host names), not '${s.value}'`);
  if (words.length > 2) ctx.fail(s.line, `${s.key} is 'IP [DEVICE]', not '${s.value}'`);
  const device = words[1];
  if (device !== undefined && !/^[A-Za-z0-9_.@-]+(:[A-Za-z0-9_]+)?$/.test(device))
    ctx.fail(s.line, `${s.key}: '${device}' is not an interface name`);
  const colon = device?.indexOf(':') ?? -1;
  return {
    ip: ip.address,
    family: ip.family,
    dev: device === undefined ? undefined : colon < 0 ? device : device.slice(0, colon),
    label: device !== undefined && colon >= 0 ? device : undefined,
  };
}

/** Warns about each setting of `settings` whose key is not in `known`; duplicates too (the last wins). */
export function checkKeys(ctx: Context, settings: Settings, known: ReadonlySet<string>, where: string): void {
  const seen = new Set<string>();
  for (const s of settings.all) {
    if (!known.has(s.key)) ctx.warn(s.line, `unknown ${where} key '${s.key}' ignored`);
    if (seen.has(s.key)) ctx.warn(s.line, `${s.key} given again: the later value is used`);
    seen.add(s.key);
  }
}
