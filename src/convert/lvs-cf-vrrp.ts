/**
 * pulse's failover (primary/backup heartbeats) as keepalived VRRP: one vrrp_instance holding the
 * virtual services' addresses, and for a NAT director a second one holding nat_router (the real
 * servers' gateway), the two in a vrrp_sync_group so they move together as pulse moved them. Pure.
 */
import type { Context, DevAddress } from './lvs-cf-values.js';
import { devAddress, flag, intValue, netmaskPrefix } from './lvs-cf-values.js';
import type { Settings } from './lvs-cf.js';
import type { ConvertOptions } from './format.js';

export const PRIORITY = { primary: 150, backup: 100 } as const;
export const PUBLIC_INSTANCE = 'LVS_PUBLIC';
const NAT_INSTANCE = 'LVS_NAT';

/** One address a vrrp_instance holds, with the line it came from. */
export interface Vip {
  readonly address: DevAddress;
  readonly prefix: number | undefined;
  readonly from: string;
}

/**
 * virtual_router_id: lvs.cf has none, and both directors' files must give the same one, so it is
 * derived from what both files share: FNV-1a (32 bit) of the sorted VIP addresses joined by
 * commas, modulo 255, plus 1 (1..255). The NAT instance takes the next id (255 wraps to 1).
 */
export function routerId(vips: readonly string[]): number {
  let h = 0x811c9dc5;
  for (const c of [...vips].sort().join(',')) {
    h ^= c.charCodeAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return (h % 255) + 1;
}

/**
 * advert_int for pulse's deadtime. keepalived's backup declares the master down after
 * 3 × advert_int + skew, skew = (256 − priority) × advert_int / 256 (RFC 3768 §6.1), with the
 * backup's priority 100 here: 3.609 × advert_int. advert_int is whole seconds (VRRPv2).
 */
export function advertFor(deadtime: number): { advert: number; down: number } {
  const factor = 3 + (256 - PRIORITY.backup) / 256;
  const advert = Math.min(255, Math.max(1, Math.round(deadtime / factor)));
  return { advert, down: Math.round(advert * factor * 100) / 100 };
}

function instance(
  name: string,
  opts: ConvertOptions,
  iface: string,
  vrid: number,
  advert: number,
  unicast: { src: string; peer: string } | undefined,
  vips: readonly Vip[],
): string[] {
  const lines = [
    `vrrp_instance ${name} {`,
    `  state ${opts.role === 'primary' ? 'MASTER' : 'BACKUP'}`,
    `  interface ${iface}`,
    `  virtual_router_id ${vrid}`,
    `  priority ${PRIORITY[opts.role]}`,
    `  advert_int ${advert}`,
  ];
  if (unicast !== undefined)
    lines.push(`  unicast_src_ip ${unicast.src}`, '  unicast_peer {', `    ${unicast.peer}`, '  }');
  lines.push('  virtual_ipaddress {');
  for (const v of vips) {
    const a = v.address;
    const dev = a.dev === undefined || a.dev === iface ? ` dev ${iface}` : ` dev ${a.dev}`;
    const prefix = v.prefix === undefined ? '' : `/${v.prefix}`;
    lines.push(
      `    # ${v.from}`,
      `    ${a.ip}${prefix}${dev}${a.label === undefined ? '' : ` label ${a.label}`}`,
    );
  }
  lines.push('  }', '}');
  return lines;
}

/** The VRRP part of the output: comments, the sync group when there is a NAT instance, the instances. */
export function vrrpSection(
  ctx: Context,
  g: Settings,
  opts: ConvertOptions,
  vips: readonly Vip[],
  nat: boolean,
): string[] {
  const get = (k: string) => g.byKey.get(k);
  const out: string[] = [];
  const mine = opts.role === 'primary' ? 'primary' : 'backup';
  const theirs = opts.role === 'primary' ? 'backup' : 'primary';
  const backupActive = flag(ctx, get('backup_active'));

  // Timing: advert_int from deadtime (keepalive alone when deadtime is missing).
  const keepalive = get('keepalive');
  const deadtime = get('deadtime');
  let advert = 1;
  const timing: string[] = [];
  if (deadtime !== undefined) {
    const d = intValue(ctx, deadtime, 1, 3600);
    const chosen = advertFor(d);
    advert = chosen.advert;
    timing.push(
      `# deadtime ${d} (${ctx.at(deadtime.line)}): keepalived's backup declares the master down after`,
      `# 3 x advert_int + skew = ${chosen.down} s with advert_int ${advert} and the backup's priority ${PRIORITY.backup}.`,
    );
    if (Math.abs(chosen.down - d) > Math.max(1, d / 10))
      ctx.warn(
        deadtime.line,
        `deadtime ${d}: the nearest keepalived master-down time is ${chosen.down} s (advert_int ${advert})`,
      );
    if (keepalive !== undefined)
      timing.push(
        `# keepalive ${intValue(ctx, keepalive, 1, 3600)} (${ctx.at(keepalive.line)}), pulse's heartbeat interval, gives way to advert_int.`,
      );
  } else if (keepalive !== undefined) {
    advert = Math.min(255, intValue(ctx, keepalive, 1, 3600));
    timing.push(`# keepalive ${advert} (${ctx.at(keepalive.line)}) as advert_int; no deadtime given.`);
  }

  // Heartbeats: pulse sent them by UDP unicast to the peer; VRRP does the same with unicast_peer.
  const src = get(mine);
  const peer = get(theirs);
  let unicast: { src: string; peer: string } | undefined;
  if (!backupActive) {
    out.push('# backup_active is not 1: a single director, no peer to advertise to.');
    if (opts.role === 'backup')
      ctx.warn(
        get('backup_active')?.line ?? 1,
        'converting for --role backup, but backup_active is not 1 in this file',
      );
  } else if (src === undefined || peer === undefined) {
    ctx.warn(
      (src ?? peer)?.line ?? 1,
      `${src === undefined ? mine : theirs} is not given: VRRP falls back to multicast advertisements`,
    );
  } else {
    const a = devAddress(ctx, src);
    const b = devAddress(ctx, peer);
    if (a.ip === b.ip)
      ctx.warn(
        peer.line,
        `${theirs} is this director's own address ${a.ip} (${mine} is the same): check the file`,
      );
    unicast = { src: a.ip, peer: b.ip };
    out.push(
      `# Piranha's pulse sent heartbeats by UDP unicast from ${mine} to ${theirs} (${ctx.at(src.line)}, ${ctx.at(peer.line)});`,
      '# the VRRP advertisements go the same way (unicast_src_ip, unicast_peer).',
    );
  }
  const heartbeat = get('heartbeat');
  if (heartbeat !== undefined && !flag(ctx, heartbeat))
    ctx.warn(heartbeat.line, 'heartbeat = 0 has no keepalived equivalent: VRRP always advertises');
  const port = get('heartbeat_port');
  if (port !== undefined)
    ctx.noEquivalent(port, 'VRRP is IP protocol 112, not a UDP port: allow it between the directors instead');
  const links = get('monitor_links');
  if (links !== undefined && flag(ctx, links))
    out.push(
      `# monitor_links = 1 (${ctx.at(links.line)}): keepalived fails over when the instance's interface goes down (its default).`,
    );

  const iface = vips.find((v) => v.address.dev !== undefined)?.address.dev;
  if (iface === undefined) ctx.warn(1, 'no virtual address names a device: the vrrp_instance uses eth0');
  const vrid = routerId(vips.map((v) => v.address.ip));
  const publicLines = instance(PUBLIC_INSTANCE, opts, iface ?? 'eth0', vrid, advert, unicast, vips);

  const natRouter = get('nat_router');
  let natLines: string[] = [];
  if (nat && natRouter !== undefined) {
    const a = devAddress(ctx, natRouter);
    const mask = get('nat_nmask');
    const prefix = mask === undefined ? undefined : netmaskPrefix(ctx, mask);
    // The private addresses, when both are given, carry the NAT instance's advertisements.
    const psrc = get(`${mine}_private`);
    const ppeer = get(`${theirs}_private`);
    const privateUnicast =
      backupActive && psrc !== undefined && ppeer !== undefined
        ? { src: devAddress(ctx, psrc).ip, peer: devAddress(ctx, ppeer).ip }
        : undefined;
    natLines = [
      '',
      `# nat_router ${natRouter.value} (${ctx.at(natRouter.line)}): the real servers' gateway moves with the public addresses.`,
      ...(privateUnicast === undefined
        ? ['# No primary_private/backup_private pair: these advertisements go by multicast.']
        : [`# Advertised between ${mine}_private and ${theirs}_private.`]),
      ...instance(NAT_INSTANCE, opts, a.dev ?? iface ?? 'eth0', (vrid % 255) + 1, advert, privateUnicast, [
        { address: a, prefix, from: `from ${ctx.at(natRouter.line)} (nat_router)` },
      ]),
    ];
    out.unshift(
      `# pulse moved the public addresses and nat_router together: one sync group.`,
      'vrrp_sync_group LVS {',
      '  group {',
      `    ${PUBLIC_INSTANCE}`,
      `    ${NAT_INSTANCE}`,
      '  }',
      '}',
      '',
    );
  } else if (nat) {
    ctx.warn(
      1,
      'network = nat without nat_router: the real servers need another way back through the director',
    );
  }
  for (const key of ['primary_shared', 'backup_shared'] as const) {
    const s = get(key);
    if (s !== undefined) ctx.noEquivalent(s, 'keepalived advertises on the instance interface only');
  }
  return [...out, ...timing, ...publicLines, ...natLines];
}
