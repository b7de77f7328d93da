/**
 * Piranha's lvs.cf as keepalived.conf: pulse's failover becomes VRRP (lvs-cf-vrrp.ts), each active
 * `virtual` a virtual_server, each active `server` a real_server with nanny's check as a keepalived
 * checker (lvs-cf-checks.ts). What keepalived cannot express is a warning `FILE:LINE: ...`.
 * The output is deterministic (no date) and says where each block came from. Pure.
 */
import { LB_ALGOS } from '../config/model.js';
import type { ConvertOptions, ConvertResult, SourceFormat } from './format.js';
import { chooseChecker, checkerLines } from './lvs-cf-checks.js';
import { Context, checkKeys, devAddress, flag, intValue, netmaskPrefix } from './lvs-cf-values.js';
import { PRIORITY, PUBLIC_INSTANCE, vrrpSection, type Vip } from './lvs-cf-vrrp.js';
import { looksLikeLvsCf, parseLvsCf, type LvsServer, type LvsVirtual, type Settings } from './lvs-cf.js';

const GLOBAL_KEYS = new Set([
  'serial_no', 'primary', 'primary_private', 'primary_shared', 'service', 'backup_active', 'backup',
  'backup_private', 'backup_shared', 'heartbeat', 'heartbeat_port', 'keepalive', 'deadtime', 'network',
  'nat_router', 'nat_nmask', 'debug_level', 'monitor_links', 'syncdaemon', 'syncd_iface', 'syncd_id',
  'tcp_timeout', 'tcpfin_timeout', 'udp_timeout', 'hard_shutdown', 'rsh_command',
]); // prettier-ignore
const VIRTUAL_KEYS = new Set([
  'active', 'address', 'vip_nmask', 'port', 'persistent', 'pmask', 'fwmark', 'send', 'expect',
  'use_regex', 'send_program', 'load_monitor', 'scheduler', 'protocol', 'timeout', 'reentry',
  'quiesce_server', 'sorry_server',
]); // prettier-ignore
const SERVER_KEYS = new Set(['address', 'active', 'weight', 'port']);

/** lvs.cf's network → lb_kind (ipvsadm -m, -g, -i). */
const LB_KIND: Readonly<Record<string, string>> = { nat: 'NAT', direct: 'DR', tunnel: 'TUN' };

function globalDefs(ctx: Context, g: Settings): string[] {
  const lines: string[] = [];
  const timeouts = (['tcp', 'tcpfin', 'udp'] as const)
    .map((p) => [p, g.byKey.get(`${p}_timeout`)] as const)
    .filter(([, s]) => s !== undefined);
  if (timeouts.length > 0) {
    lines.push(
      `  # ${timeouts.map(([, s]) => `${s?.key} (${ctx.at(s?.line ?? 0)})`).join(', ')}: ipvsadm --set`,
    );
    lines.push(
      `  lvs_timeouts ${timeouts.map(([p, s]) => `${p} ${intValue(ctx, s!, 1, 86400 * 365)}`).join(' ')}`,
    );
  }
  const sync = g.byKey.get('syncdaemon');
  if (sync !== undefined && flag(ctx, sync)) {
    const iface = g.byKey.get('syncd_iface')?.value ?? 'eth0';
    const id = g.byKey.get('syncd_id');
    lines.push(
      `  # syncdaemon (${ctx.at(sync.line)}): the connection sync daemon follows ${PUBLIC_INSTANCE}`,
    );
    lines.push(
      `  lvs_sync_daemon ${iface} ${PUBLIC_INSTANCE}${id === undefined ? '' : ` id ${intValue(ctx, id, 0, 255)}`}`,
    );
  }
  return lines.length === 0 ? [] : ['global_defs {', ...lines, '}', ''];
}

function indent(lines: readonly string[], by: string): string[] {
  return lines.map((l) => `${by}${l}`);
}

function realServer(ctx: Context, v: VirtualPlan, s: LvsServer): string[] {
  const get = (k: string) => s.settings.byKey.get(k);
  checkKeys(ctx, s.settings, SERVER_KEYS, 'server');
  const from = `# from ${ctx.at(s.line)} (server ${s.name})`;
  const active = get('active');
  if (active !== undefined && !flag(ctx, active)) {
    ctx.warn(active.line, `server ${s.name} is not active: skipped, as Piranha left it out of the table`);
    return [`${from}: active = 0, skipped`];
  }
  const address = get('address');
  if (address === undefined) ctx.fail(s.line, `server ${s.name} has no address`);
  const a = devAddress(ctx, address);
  const portSetting = get('port');
  const port = portSetting === undefined ? v.port : intValue(ctx, portSetting, 0, 65535);
  const weight = get('weight');
  return [
    from,
    `real_server ${a.ip} ${port} {`,
    `  weight ${weight === undefined ? 1 : intValue(ctx, weight, 0, 65535)}`,
    ...(v.quiesce
      ? ['  # quiesce_server = 1: a failed server stays in the table with weight 0', '  inhibit_on_failure']
      : []),
    ...indent(checkerLines(v.checker, { ip: a.ip, port }, v.timeout), '  '),
    '}',
  ];
}

interface VirtualPlan {
  readonly port: number;
  readonly quiesce: boolean;
  readonly timeout: number | undefined;
  readonly checker: ReturnType<typeof chooseChecker>;
}

/** One virtual block: its VIP (for VRRP) and its virtual_server lines. */
function virtualServer(
  ctx: Context,
  v: LvsVirtual,
  lbKind: string,
): { vip: Vip | undefined; lines: string[] } {
  const get = (k: string) => v.settings.byKey.get(k);
  checkKeys(ctx, v.settings, VIRTUAL_KEYS, 'virtual');
  const from = `# from ${ctx.at(v.line)} (virtual ${v.name})`;
  const active = get('active');
  if (active !== undefined && !flag(ctx, active)) {
    ctx.warn(active.line, `virtual ${v.name} is not active: skipped (no virtual_server, no address)`);
    return { vip: undefined, lines: [`${from}: active = 0, skipped`, ''] };
  }
  const address = get('address');
  if (address === undefined) ctx.fail(v.line, `virtual ${v.name} has no address`);
  const a = devAddress(ctx, address);
  const mask = get('vip_nmask');
  const vip: Vip = {
    address: a,
    prefix: mask === undefined ? undefined : netmaskPrefix(ctx, mask),
    from: `from ${ctx.at(address.line)} (virtual ${v.name})`,
  };
  const fwmark = get('fwmark');
  const portSetting = get('port');
  if (portSetting === undefined)
    ctx.fail(v.line, `virtual ${v.name} has no port (nanny checks the real servers on it)`);
  const port = intValue(ctx, portSetting, 0, 65535);
  const protocolText = (get('protocol')?.value ?? 'tcp').toLowerCase();
  if (protocolText !== 'tcp' && protocolText !== 'udp')
    ctx.fail(get('protocol')?.line ?? v.line, `protocol must be tcp or udp, not '${protocolText}'`);
  const protocol = protocolText === 'udp' ? 'UDP' : 'TCP';

  const head: string[] = [from];
  const body: string[] = [];
  const reentry = get('reentry');
  if (reentry !== undefined) {
    const r = intValue(ctx, reentry, 1, 86400);
    // nanny's reentry: how long a failed server must answer before it is put back. keepalived has
    // no such wait: it checks every delay_loop seconds and puts a server back at its first success.
    // delay_loop = reentry keeps the time to come back about the same.
    body.push(
      `  # reentry ${r} (${ctx.at(reentry.line)}): checked every ${r} s, back at the first success`,
      `  delay_loop ${r}`,
    );
    ctx.warn(
      reentry.line,
      `reentry ${r} has no keepalived equivalent: delay_loop ${r} (the check interval) is used instead`,
    );
  }
  const scheduler = get('scheduler');
  if (scheduler !== undefined && !(LB_ALGOS as readonly string[]).includes(scheduler.value))
    ctx.warn(
      scheduler.line,
      `scheduler '${scheduler.value}' is not one ipvsadm(8) lists: passed on as lb_algo`,
    );
  body.push(`  lb_algo ${scheduler?.value ?? 'wlc'}`, `  lb_kind ${lbKind}`);
  // keepalived ignores (and warns about) protocol on a fwmark service.
  if (fwmark === undefined) body.push(`  protocol ${protocol}`);
  const persistent = get('persistent');
  if (persistent !== undefined && intValue(ctx, persistent, 0, 86400 * 365) > 0)
    body.push(`  persistence_timeout ${persistent.value}`);
  const pmask = get('pmask');
  if (pmask !== undefined) {
    netmaskPrefix(ctx, pmask);
    body.push(`  persistence_granularity ${pmask.value}`);
  }
  const sorry = get('sorry_server');
  if (sorry !== undefined) {
    const words = sorry.value.split(/\s+/);
    const sa = devAddress(ctx, { ...sorry, value: words[0] ?? '' });
    const sp = words[1] === undefined ? port : intValue(ctx, { ...sorry, value: words[1] }, 0, 65535);
    body.push(`  sorry_server ${sa.ip} ${sp}`);
  }
  const load = get('load_monitor');
  if (load !== undefined && load.value !== '' && load.value !== 'none')
    ctx.noEquivalent(
      load,
      `keepalived does not weigh real servers by their load (${load.value} via rsh_command)`,
    );
  const timeoutSetting = get('timeout');
  const plan: VirtualPlan = {
    port,
    quiesce: flag(ctx, get('quiesce_server')),
    timeout: timeoutSetting === undefined ? undefined : intValue(ctx, timeoutSetting, 1, 3600),
    checker: chooseChecker(ctx, {
      protocol,
      send: get('send'),
      expect: get('expect'),
      sendProgram: get('send_program'),
      useRegex: flag(ctx, get('use_regex')),
      line: v.line,
    }),
  };
  const servers = v.servers.map((s) => realServer(ctx, plan, s));
  if (!servers.some((s) => s.some((l) => l.startsWith('real_server')))) {
    ctx.warn(
      v.line,
      `virtual ${v.name} has no active server: no virtual_server (keepalived ignores one without real servers)`,
    );
    return { vip, lines: [`${from}: no active server, skipped`, ...servers.flat().map((l) => `# ${l}`), ''] };
  }
  head.push(
    fwmark === undefined
      ? `virtual_server ${a.ip} ${port} {`
      : `virtual_server fwmark ${intValue(ctx, fwmark, 1, 0xffffffff)} {`,
  );
  return { vip, lines: [...head, ...body, ...indent(servers.flat(), '  '), '}', ''] };
}

export function convertLvsCf(text: string, opts: ConvertOptions): ConvertResult {
  const ctx: Context = new Context(opts.file);
  const cf = parseLvsCf(text, opts.file);
  const g = cf.globals;
  checkKeys(ctx, g, GLOBAL_KEYS, 'global');
  const service = g.byKey.get('service');
  if (service !== undefined && service.value !== 'lvs')
    ctx.warn(
      service.line,
      `service = ${service.value}: only the LVS services (virtual blocks) are converted`,
    );
  for (const f of cf.failovers)
    ctx.warn(
      f.line,
      `failover ${f.name} (a service = fos failover service) has no keepalived equivalent: not converted`,
    );
  const network = g.byKey.get('network');
  const kind = network === undefined ? 'nat' : network.value;
  if (network === undefined) ctx.warn(1, 'network is not given: nat assumed');
  const lbKind = LB_KIND[kind];
  if (lbKind === undefined)
    ctx.fail(network?.line ?? 1, `network must be nat, direct or tunnel, not '${kind}'`);
  const natRouter = g.byKey.get('nat_router');
  if (natRouter !== undefined && kind !== 'nat')
    ctx.warn(natRouter.line, `nat_router is used only with network = nat (here ${kind}): ignored`);
  const debug = g.byKey.get('debug_level');
  if (debug !== undefined && debug.value.toUpperCase() !== 'NONE')
    ctx.noEquivalent(debug, 'use keepalived-ts -D and its log options');
  const hard = g.byKey.get('hard_shutdown');
  if (hard !== undefined && flag(ctx, hard))
    ctx.noEquivalent(hard, 'keepalived does not stop the director when its heartbeat link fails');
  // rsh_command only served load_monitor, which says so itself when it is used.

  const parts = cf.virtuals.map((v) => virtualServer(ctx, v, lbKind));
  const vips: Vip[] = [];
  for (const p of parts) {
    if (p.vip === undefined) continue;
    const same = vips.find((v) => v.address.ip === p.vip?.address.ip);
    if (same === undefined) vips.push(p.vip);
    else if (same.address.dev !== p.vip.address.dev || same.prefix !== p.vip.prefix)
      ctx.warn(
        1,
        `address ${p.vip.address.ip} is given with another device or mask (${p.vip.from}): the first one is used`,
      );
  }
  const serial = g.byKey.get('serial_no');
  const header = [
    `# keepalived.conf converted from ${opts.file} by keepalived-ts convert (docs/migration.md).`,
    `# For the ${opts.role} director: state ${opts.role === 'primary' ? 'MASTER' : 'BACKUP'}, priority ${PRIORITY[opts.role]};`,
    `# convert with --role ${opts.role === 'primary' ? 'backup' : 'primary'} for the other one.`,
    ...(serial === undefined ? [] : [`# lvs.cf serial_no ${serial.value}.`]),
    '',
  ];
  const vrrp = vrrpSection(ctx, g, opts, vips, kind === 'nat');
  const out = [...header, ...globalDefs(ctx, g), ...vrrp, '', ...parts.flatMap((p) => p.lines)].join('\n');
  return { text: out.endsWith('\n') ? out : `${out}\n`, warnings: ctx.warnings };
}

export const LVS_CF: SourceFormat = { name: 'lvs.cf', detect: looksLikeLvsCf, convert: convertLvsCf };
