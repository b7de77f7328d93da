/**
 * No setting is accepted and silently ignored: every field of the validated `Config` is read by
 * the daemon or listed in src/config/not-acted-on.ts; each listed `ignored` field is reported by
 * `-t` where a config sets it, and README's "Not acted on" names its keywords.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  IGNORED_FIELDS,
  NOT_ACTED_ON,
  type IgnoredField,
  type NotActedOn,
} from '../../../src/config/not-acted-on.js';
import { configFieldReads, type FieldReads } from '../../helpers/config-field-reads.js';
import { loadText } from '../../helpers/config.js';

/** Reads here show the config, they do not act on it: `-t`, the dump files, the SNMP MIB's view. */
const NOT_ACTING = ['src/cli/', 'src/daemon/dumps/', 'src/daemon/snmp-mib.ts'];

describe('every Config field is read by the daemon or listed as not acted on', () => {
  let fields: FieldReads[] = [];
  beforeAll(() => {
    fields = configFieldReads({ root: process.cwd(), ignored: ['src/config/', ...NOT_ACTING] });
  }, 120_000);

  it('finds the fields of Config (the walk itself)', () => {
    const paths = fields.map((f) => f.path);
    expect(paths).toContain('globalDefs.routerId');
    const garpDelay = fields.find((f) => f.path === 'globalDefs.garp.masterDelayMs');
    expect(garpDelay?.paths).toContain('vrrpInstances[].garp.masterDelayMs');
    expect(paths).toContain('virtualServers[].key.fwmark');
    expect(paths).toContain('virtualServers[].realServers[].checkers[].urls[].digest');
    expect(fields.find((f) => f.path === 'vrrpInstances[].priority')?.readers).toContain(
      'src/vrrp/router-config.ts',
    );
  });

  it('a field nothing outside src/config/ reads is listed in not-acted-on.ts', () => {
    const listed = new Set<string>(Object.keys(NOT_ACTED_ON));
    const unlisted = fields
      .filter((f) => f.readers.length === 0 && !f.paths.some((p) => listed.has(p)))
      .map(
        (f) =>
          `${f.path}: not read outside src/config/ - act on it, or list it in src/config/not-acted-on.ts`,
      );
    expect(unlisted).toEqual([]);
  });

  it('a listed field is one of Config and nothing outside src/config/ reads it (no stale entry)', () => {
    const byPath = new Map(fields.map((f) => [f.path, f]));
    const stale = Object.entries(NOT_ACTED_ON).flatMap(([path, entry]: [string, NotActedOn]) => {
      const f = byPath.get(path);
      if (f === undefined) return [`${path}: not a field of Config (or not its first place)`];
      const allowed = entry.readOnlyBy ?? [];
      const readers = f.readers.filter((r) => !allowed.includes(r));
      if (readers.length > 0) return [`${path}: read by ${readers.join(', ')} - remove it from the list`];
      const gone = allowed.filter((r) => !f.readers.includes(r));
      if (gone.length > 0) return [`${path}: readOnlyBy ${gone.join(', ')}, which does not read it`];
      return [];
    });
    expect(stale).toEqual([]);
  });
});

/** A config that sets each ignored field. */
const INSTANCE = (extra: string): string =>
  `vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 5\n priority 100\n${extra} virtual_ipaddress {\n  192.0.2.1/24\n }\n}\n`;
const GLOBAL = (line: string): string => `global_defs {\n ${line}\n}\n`;
const EXAMPLES: Record<IgnoredField, string> = {
  'globalDefs.enableSnmpRfcv2': GLOBAL('enable_snmp_rfcv2'),
  'globalDefs.vrrpStartupDelayMs': GLOBAL('vrrp_startup_delay 5'),
  'globalDefs.fifoWriteVrrpStatesOnReload': GLOBAL('fifo_write_vrrp_states_on_reload'),
  'globalDefs.startupScript': GLOBAL('startup_script /bin/true'),
  'globalDefs.startupScriptTimeoutMs': GLOBAL('startup_script_timeout 5'),
  'globalDefs.shutdownScript': GLOBAL('shutdown_script /bin/true'),
  'globalDefs.shutdownScriptTimeoutMs': GLOBAL('shutdown_script_timeout 5'),
  'globalDefs.randomSeed': GLOBAL('random_seed 42'),
  'globalDefs.reloadCheckConfig': GLOBAL('reload_check_config'),
  'globalDefs.dynamicInterfaces': GLOBAL('dynamic_interfaces'),
  'vrrpSyncGroups[].notifyPriorityChanges':
    'vrrp_sync_group G {\n group {\n  VI_1\n }\n notify_priority_changes\n}\n' + INSTANCE(''),
  'vrrpInstances[].unicastTtl': INSTANCE(' unicast_ttl 10\n unicast_peer {\n  192.0.2.3\n }\n'),
  'vrrpInstances[].trackSrcIp': INSTANCE(' track_src_ip\n'),
  'vrrpInstances[].accept': INSTANCE(' no_accept\n'),
  'virtualServers[].realServers[].checkers[].fwmark':
    'virtual_server 192.0.2.1 80 {\n protocol TCP\n real_server 192.0.2.10 80 {\n  TCP_CHECK {\n   fwmark 7\n  }\n }\n}\n',
  'virtualServers[].realServers[].checkers[].fastRecovery':
    'virtual_server 192.0.2.1 80 {\n protocol TCP\n real_server 192.0.2.10 80 {\n  HTTP_GET {\n' +
    '   fast_recovery\n   url {\n    path /\n   }\n  }\n }\n}\n',
};

/** The value at a field path, the first element where it says `[]`. */
function valueAt(root: unknown, path: string): unknown {
  let at = root;
  for (const part of path.split('.')) {
    const name = part.replace(/\[\]$/, '');
    at = (at as Record<string, unknown> | undefined)?.[name];
    if (part.endsWith('[]')) at = (at as readonly unknown[] | undefined)?.[0];
  }
  return at;
}

describe('each ignored field is reported by -t and named in README', () => {
  it('has an example config for each', () => {
    expect(Object.keys(EXAMPLES).sort()).toEqual([...IGNORED_FIELDS].sort());
  });

  it.each(IGNORED_FIELDS.map((f) => [f]))('%s: a config that sets it gets a keepalived-ts note', (field) => {
    const keyword = NOT_ACTED_ON[field].keywords[0] ?? '';
    const { config, diagnostics } = loadText(EXAMPLES[field], { host: { interfaceExists: () => true } });
    const notes = diagnostics.filter((d) => d.severity === 'unsupported').map((d) => d.message);
    expect(notes.filter((m) => m.startsWith(`${keyword}:`))).toHaveLength(1);
    // The keyword does set that field: without its line the field has another value.
    const without = EXAMPLES[field]
      .split('\n')
      .filter((l) => l.trim().split(/\s+/)[0] !== keyword)
      .join('\n');
    const other = loadText(without, { host: { interfaceExists: () => true } }).config;
    expect(valueAt(config, field)).toBeDefined();
    expect(valueAt(config, field)).not.toEqual(valueAt(other, field));
  });

  it('README\'s "Not acted on" names each keyword', () => {
    const readme = readFileSync('README.md', 'utf8');
    const start = readme.indexOf('- **Not acted on**');
    expect(start).toBeGreaterThan(-1);
    const end = readme.indexOf('\n- **', start + 1);
    const section = readme.slice(start, end === -1 ? undefined : end);
    const missing = IGNORED_FIELDS.flatMap((f) => NOT_ACTED_ON[f].keywords).filter(
      (k) => !section.includes(`\`${k}\``),
    );
    expect(missing).toEqual([]);
  });
});
