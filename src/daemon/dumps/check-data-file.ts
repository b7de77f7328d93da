/**
 * `keepalived_check.data`, the checker side of SIGUSR1 (keepalived 2.2.7 writes one file per
 * child process: check/check_data.c dump_data_check(), dump_vs(), dump_rs(), dump_vsg()): the global definitions, SSL definitions, and the LVS topology with every
 * virtual server group, virtual server and real server.
 *
 * A line is printed only when we know its value. Left out: "System is compiled with LVS v…",
 * connection timeouts and retry/warmup overrides at VS/RS level (ours are per checker), the
 * per-entry alive counters of groups, `reloaded`/`previous effective_weight`, the RS smtp flag,
 * and the `------< Health checkers >------` section (each checker type's own dump). Pure.
 */
import type { Config, LbKind, RealServer, VirtualServer, VirtualServerGroup } from '../../config/model.js';
import type { VirtualServerStatus } from '../../check/status-view.js';
import { formatService } from '../../check/format.js';
import { globalSection } from './data-file.js';
import { cmdWithUser, decimalSeconds, type ScriptUserOf } from './keepalived-text.js';

export interface CheckDataInput {
  readonly config: Config;
  /** HealthChecks.status(); virtual servers match by name (`display`), real servers by position. */
  readonly virtualServers: readonly VirtualServerStatus[];
  readonly scriptUser?: ScriptUserOf;
}

type RsStatus = VirtualServerStatus['realServers'][number];

const onOff = (v: boolean): string => (v ? 'ON' : 'OFF');
const abled = (v: boolean): string => (v ? 'enabled' : 'disabled');
const yesNo = (v: boolean): string => (v ? 'yes' : 'no');

/** dump_forwarding_method(); a tunnel is IPIP, keepalived's default tunnel type. */
function forwarding(prefix: string, kind: LbKind): string {
  const method = kind === 'NAT' ? 'NAT' : kind === 'DR' ? 'DR' : 'TUN, type = IPIP';
  return `   ${prefix}forwarding method = ${method}`;
}

function groupBlock(g: VirtualServerGroup): string[] {
  const ranges = g.entries.filter((e) => e.kind === 'range');
  const v4 = g.entries.some((e) => e.family === 'inet');
  const v6 = g.entries.some((e) => e.family === 'inet6');
  const out = [
    ' ------< Virtual server group >------',
    ` Virtual Server Group = ${g.name}, IPv4 = ${yesNo(v4)}, IPv6 = ${yesNo(v6)}`,
  ];
  for (const e of ranges) {
    out.push(
      e.first === e.last
        ? `   VIP = ${e.first}, VPORT = ${e.port}`
        : `   VIP Range = ${e.first}-${e.last}, VPORT = ${e.port}`,
    );
  }
  for (const e of g.entries) {
    if (e.kind !== 'fwmark') continue;
    const family = e.family === 'inet' ? ' IPv4' : e.family === 'inet6' ? ' IPv6' : '';
    out.push(`   FWMARK = ${e.fwmark}${family}`);
  }
  return out;
}

/** The scheduler flags as IPVS bits: flag-1/2 are sh-/mh-fallback and sh-/mh-port. */
function schedFlagLines(vs: VirtualServer): string[] {
  const has = (...names: string[]): boolean => names.some((n) => vs.flags.includes(n));
  const bit1 = has('flag-1', 'sh-fallback', 'mh-fallback');
  const bit2 = has('flag-2', 'sh-port', 'mh-port');
  if (vs.lbAlgo === 'sh' || vs.lbAlgo === 'mh')
    return [`   ${vs.lbAlgo}-port = ${abled(bit2)}`, `   ${vs.lbAlgo}-fallback = ${abled(bit1)}`];
  return [`   flag-1 = ${abled(bit1)}`, `   flag-2 = ${abled(bit2)}`, `   flag-3 = ${abled(has('flag-3'))}`];
}

const failed = (c: readonly { readonly up: boolean }[]): number => c.filter((x) => !x.up).length;

function realServerBlock(
  rs: RealServer,
  st: RsStatus | undefined,
  userOf: ScriptUserOf | undefined,
): string[] {
  const weight = st?.weight ?? rs.weight;
  const out = [
    '   ------< Real server >------',
    `   RIP = ${rs.address}, RPORT = ${rs.port}, WEIGHT = ${weight} EFF WEIGHT = ${weight}`,
    forwarding('', rs.lvsMethod),
    `   Alpha is ${onOff(rs.alpha)}`,
    `   connection limit range = ${rs.lthreshold} -> ${rs.uthreshold}`,
    `   Delay loop = ${decimalSeconds(rs.delayLoopMs)}`,
    `   Inhibit on failure is ${onOff(rs.inhibitOnFailure)}`,
  ];
  if (rs.notifyUp !== null) out.push(`     RS up notify script = ${cmdWithUser(rs.notifyUp, userOf)}`);
  if (rs.notifyDown !== null) out.push(`     RS down notify script = ${cmdWithUser(rs.notifyDown, userOf)}`);
  if (rs.virtualhost !== null) out.push(`    VirtualHost = '${rs.virtualhost}'`);
  out.push(`   initial weight = ${rs.weight}`, `   effective weight = ${weight}`);
  if (st !== undefined) {
    out.push(
      `   alive = ${st.alive ? 1 : 0}`,
      `   num failed checkers = ${failed(st.checkers)}`,
      `   RS set = ${st.inTable ? 1 : 0}`,
    );
  }
  return out;
}

function virtualServerBlock(
  vs: VirtualServer,
  st: VirtualServerStatus | undefined,
  userOf?: ScriptUserOf,
): string[] {
  const out = [' ------< Virtual server >------'];
  const line = (text: string): void => void out.push(`   ${text}`);
  const key = vs.key;
  out.push(
    key.kind === 'group'
      ? ` VS GROUP = ${vs.display}`
      : key.kind === 'fwmark'
        ? ` VS FWMARK = ${key.fwmark}`
        : ` VS VIP = ${key.address}, VPORT = ${key.port}`,
  );
  if (vs.virtualhost !== null) line(`VirtualHost = ${vs.virtualhost}`);
  line(`Address family = ${vs.family}`);
  line(`delay_loop = ${decimalSeconds(vs.delayLoopMs)}`);
  line(`lvs_sched = ${vs.lbAlgo}`);
  line(`Hashed = ${abled(vs.flags.includes('hashed'))}`);
  out.push(...schedFlagLines(vs));
  const ops = vs.flags.includes('ops');
  line(
    `One packet scheduling = ${abled(ops)}${ops && vs.protocol !== 'UDP' ? ' (inactive due to not UDP)' : ''}`,
  );
  if (vs.persistenceTimeout) line(`persistence timeout = ${vs.persistenceTimeout}`);
  if (vs.persistenceGranularity !== null) line(`persistence granularity = ${vs.persistenceGranularity}`);
  // A fwmark service has no protocol of its own (as FMT_RS shows it: `none`).
  line(`protocol = ${key.kind === 'fwmark' ? 'none' : vs.protocol}`);
  line(`alpha is ${onOff(vs.alpha)}`);
  line(`omega is ${onOff(vs.omega)}`);
  line(`Inhibit on failure is ${onOff(vs.inhibitOnFailure)}`);
  line(`quorum = ${vs.quorum}, hysteresis = ${vs.hysteresis}`);
  if (vs.quorumUp !== null) line(`Quorum up notify script = ${cmdWithUser(vs.quorumUp, userOf)}`);
  if (vs.quorumDown !== null) line(`Quorum down notify script = ${cmdWithUser(vs.quorumDown, userOf)}`);
  if (vs.haSuspend) line('Using HA suspend');
  line(`Using smtp notification = ${yesNo(vs.smtpAlert)}`);
  out.push(forwarding('default ', vs.lbKind));
  if (vs.sorryServer !== null) {
    const proto = key.kind === 'fwmark' ? null : vs.protocol;
    line(`sorry server = ${formatService(vs.sorryServer.address, proto, vs.sorryServer.port)}`);
    out.push(forwarding('  ', vs.lbKind));
    line(`  Inhibit on failure is ${onOff(vs.sorryServerInhibit)}`);
  }
  if (st !== undefined) line(`quorum_state_up = ${st.quorumUp ? 1 : 0}`);
  vs.realServers.forEach((rs, i) => out.push(...realServerBlock(rs, st?.realServers[i], userOf)));
  return out;
}

/** The whole file, with a newline after every line as keepalived's conf_write(). */
export function formatCheckDataFile(input: CheckDataInput): string {
  const { config } = input;
  const lines = globalSection(config.globalDefs, 'checker', input.scriptUser);
  const ssl = config.ssl;
  if (ssl !== null) {
    lines.push('------< SSL definitions >------');
    if (ssl.password === null && ssl.ca === null && ssl.certificate === null && ssl.key === null)
      lines.push(' Using autogen SSL context');
    if (ssl.password !== null) lines.push(` Password : ${ssl.password}`);
    if (ssl.ca !== null) lines.push(` CA-file : ${ssl.ca}`);
    if (ssl.certificate !== null) lines.push(` Certificate file : ${ssl.certificate}`);
    if (ssl.key !== null) lines.push(` Key file : ${ssl.key}`);
  }
  if (config.virtualServers.length > 0) {
    lines.push('------< LVS Topology >------');
    for (const g of config.virtualServerGroups) lines.push(...groupBlock(g));
    for (const vs of config.virtualServers) {
      const st = input.virtualServers.find((x) => x.name === vs.display);
      lines.push(...virtualServerBlock(vs, st, input.scriptUser));
    }
  }
  return lines.map((l) => `${l}\n`).join('');
}
