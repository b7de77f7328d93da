/**
 * vrrp_script, track_file, vrrp_sync_group and script security. Message texts checked against
 * keepalived 2.2.7 `-t`.
 */
import { describe, expect, it } from 'vitest';
import type { HostFacts, ScriptInspection } from '../../../src/config/validate/index.js';
import { brief, loadText } from '../../helpers/config.js';

const inst = (name: string, vrid: number, body = '') =>
  `vrrp_instance ${name} {\n interface eth0\n virtual_router_id ${vrid}\n${body}\n virtual_ipaddress {\n 192.0.2.${vrid}\n }\n}\n`;

/** A host where listed scripts exist (executable unless said otherwise) and users exist. */
function host(
  scripts: Record<string, Partial<Extract<ScriptInspection, { kind: 'found' }>>>,
  users = ['root', 'nobody'],
): Partial<HostFacts> {
  return {
    userExists: (u) => users.includes(u),
    groupExists: () => true,
    inspectScript: (argv0): ScriptInspection => {
      if (/^<[ \t]*\//.test(argv0)) return { kind: 'redirect' };
      const s = scripts[argv0];
      return s
        ? { kind: 'found', path: argv0, executable: true, insecure: false, ...s }
        : { kind: 'not-found', path: argv0 };
    },
  };
}

describe('vrrp_script', () => {
  it('defaults: interval 1 s, timeout = interval, weight 0, rise/fall 1', () => {
    const text = `vrrp_script chk {\n script "/bin/chk arg"\n}\n${inst('V', 5, ' track_script {\n chk\n }')}`;
    const { config, diagnostics } = loadText(text);
    expect(diagnostics).toEqual([]);
    expect(config.vrrpScripts).toEqual([
      {
        name: 'chk',
        script: { command: '/bin/chk arg', argv: ['/bin/chk', 'arg'], user: null, group: null },
        intervalMs: 1000,
        timeoutMs: 1000,
        weight: 0,
        weightReverse: false,
        rise: 1,
        fall: 1,
        initFail: false,
      },
    ]);
    expect(config.vrrpInstances[0]?.trackScripts).toEqual([{ name: 'chk', weight: null, reverse: false }]);
  });

  it('reads every keyword', () => {
    const text =
      'vrrp_script chk {\n script /bin/chk\n interval 3\n timeout 2\n weight -20 reverse\n rise 2\n fall 4\n user nobody\n init_fail\n}\n';
    expect(loadText(text).config.vrrpScripts[0]).toMatchObject({
      script: { argv: ['/bin/chk'], user: 'nobody', group: null },
      intervalMs: 3000,
      timeoutMs: 2000,
      weight: -20,
      weightReverse: true,
      rise: 2,
      fall: 4,
      initFail: true,
    });
  });

  it.each([
    ['interval 0', ['3:1 GENERAL_ERROR (s): vrrp script interval must be greater than 0, setting to 1']],
    [
      'weight 300',
      [
        "3:8 INVALID_NUMBER number '300' outside range [-253, 253]",
        '3:8 GENERAL_ERROR vrrp_script s weight 300 must be in [-253, 253]',
      ],
    ],
    [
      'rise 0',
      [
        "3:6 INVALID_NUMBER number '0' outside range [1, 2147483647]",
        "3:6 GENERAL_ERROR (s): vrrp script rise value '0' invalid, defaulting to 1",
      ],
    ],
  ])('%s', (line, expected) => {
    expect(brief(loadText(`vrrp_script s {\n script /bin/x\n${line}\n}\n`).diagnostics)).toEqual(expected);
  });

  it('no script: removed at its closing brace, and references to it are not found', () => {
    const text = `vrrp_script s {\n interval 3\n}\n${inst('V', 5, ' track_script {\n s\n }')}`;
    const r = loadText(text);
    expect(brief(r.diagnostics)).toEqual([
      '3:1 GENERAL_ERROR No script set for vrrp_script s - removing',
      '8:2 GENERAL_ERROR (V) track script s not found, ignoring...',
    ]);
    expect(r.config.vrrpScripts).toEqual([]);
  });

  it('a script defined after the instance that tracks it is not found (keepalived resolves as it reads)', () => {
    const text = `${inst('V', 5, ' track_script {\n s\n }')}vrrp_script s {\n script "</dev/tcp/127.0.0.1/80"\n}\n`;
    expect(brief(loadText(text).diagnostics)).toEqual([
      '5:2 GENERAL_ERROR (V) track script s not found, ignoring...',
    ]);
  });
});

describe('track_file', () => {
  it('reads the block and the instance references', () => {
    const text = `track_file f {\n file /run/state\n weight -3 reverse\n init_file 5 overwrite\n}\n${inst('V', 5, ' track_file {\n f weight 2\n }')}`;
    const { config, diagnostics } = loadText(text);
    expect(diagnostics).toEqual([]);
    expect(config.trackFiles).toEqual([
      {
        name: 'f',
        file: '/run/state',
        weight: -3,
        weightReverse: true,
        initFile: { value: 5, overwrite: true },
      },
    ]);
    expect(config.vrrpInstances[0]?.trackFiles).toEqual([{ name: 'f', weight: 2, reverse: false }]);
  });

  it('without a file it is ignored', () => {
    const text = `track_file f {\n weight 3\n}\n${inst('V', 5, ' track_file {\n f\n }')}`;
    expect(brief(loadText(text).diagnostics)).toEqual([
      '3:1 GENERAL_ERROR No file set for track_file f - ignoring',
      '8:2 GENERAL_ERROR (V) track file f not found, ignoring...',
    ]);
  });
});

describe('vrrp_sync_group', () => {
  it('links members and keeps unweighted tracking', () => {
    const text = `vrrp_sync_group G {\n group {\n V\n W\n }\n notify_master /bin/m\n}\n${inst('V', 5)}${inst('W', 6)}`;
    const { config, diagnostics } = loadText(text);
    expect(diagnostics).toEqual([]);
    expect(config.vrrpSyncGroups[0]).toMatchObject({
      name: 'G',
      group: ['V', 'W'],
      notify: { master: { argv: ['/bin/m'] } },
    });
    expect(config.vrrpInstances.map((v) => v.syncGroup)).toEqual(['G', 'G']);
  });

  it('reports missing members, shared members and single-member groups', () => {
    const text = [
      'vrrp_sync_group G {\n group {\n V\n X\n }\n}\n',
      'vrrp_sync_group H {\n group {\n V\n }\n}\n',
      'vrrp_sync_group E {\n}\n',
      inst('V', 5),
    ].join('');
    expect(brief(loadText(text).diagnostics)).toEqual([
      "4:2 GENERAL_ERROR Virtual router X specified in sync group G doesn't exist - ignoring",
      "1:1 WARNING Sync group G has only 1 virtual router(s) - this probably isn't what you want",
      '9:2 GENERAL_ERROR Virtual router V cannot exist in more than one sync group; ignoring H',
      '7:1 GENERAL_ERROR Sync group H, no matching virtual router found in group declaration - removing',
      '12:1 GENERAL_ERROR Sync group E has no virtual router(s). removing',
    ]);
  });

  it('ignores weighted tracking of members unless sync_group_tracking_weight (keepalived #2105)', () => {
    const script = 'vrrp_script s {\n script "</dev/tcp/127.0.0.1/80"\n weight 5\n}\n';
    const group = (extra: string) => `vrrp_sync_group G {\n group {\n V\n W\n }\n${extra}}\n`;
    const members = inst('V', 5, ' track_script {\n s\n }') + inst('W', 6);
    const plainGroup = loadText(script + group('') + members);
    expect(brief(plainGroup.diagnostics)).toEqual([
      '15:2 GENERAL_ERROR (V) ignoring tracked script s with weights due to SYNC group',
    ]);
    expect(plainGroup.config.vrrpInstances[0]?.trackScripts).toEqual([]);
    const weighted = loadText(script + group(' sync_group_tracking_weight\n') + members);
    expect(weighted.diagnostics).toEqual([]);
    expect(weighted.config.vrrpInstances[0]?.trackScripts).toEqual([
      { name: 's', weight: null, reverse: false },
    ]);
  });
});

describe('script security', () => {
  const notify = (cmd: string) => inst('V', 5, ` notify_master ${cmd}`);

  it('an executed script without enable_script_security is a SECURITY VIOLATION (exit 6)', () => {
    const r = loadText(notify('/bin/true'), { host: host({ '/bin/true': {} }) });
    expect(brief(r.diagnostics)).toEqual([
      '- SECURITY_ERROR SECURITY VIOLATION - scripts are being executed but script_security not enabled.',
    ]);
  });

  it('says so when some are insecure', () => {
    const r = loadText(notify('/tmp/x.sh'), { host: host({ '/tmp/x.sh': { insecure: true } }) });
    expect(brief(r.diagnostics)).toEqual([
      '- SECURITY_ERROR SECURITY VIOLATION - scripts are being executed but script_security not enabled. There are insecure scripts.',
    ]);
  });

  it('scripts that do not exist, or only redirect, are not executed', () => {
    expect(brief(loadText(notify('/nonexistent/x.sh'), { host: host({}) }).diagnostics)).toEqual([
      '4:2 NOTICE Script /nonexistent/x.sh not found - disabling',
    ]);
    const check = `vrrp_script s {\n script "</dev/tcp/127.0.0.1/80"\n}\n${inst('V', 5, ' track_script {\n s\n }')}`;
    expect(loadText(check, { host: host({}) }).diagnostics).toEqual([]);
  });

  it('a vrrp_script that cannot run is disabled and no longer tracked', () => {
    const text = `vrrp_script s {\n script /nonexistent\n}\n${inst('V', 5, ' track_script {\n s\n }')}`;
    const r = loadText(text, { host: host({}) });
    expect(brief(r.diagnostics)).toEqual([
      '2:2 NOTICE Script /nonexistent not found - disabling',
      '2:2 WARNING Disabling track script s since not found/accessible',
    ]);
    expect(r.config.vrrpInstances[0]?.trackScripts).toEqual([]);
  });

  it('enable_script_security: insecure root scripts are disabled; a default user must exist', () => {
    const secure = 'global_defs {\n enable_script_security\n script_user root\n}\n';
    const r = loadText(secure + notify('/tmp/x.sh'), { host: host({ '/tmp/x.sh': { insecure: true } }) });
    expect(brief(r.diagnostics)).toEqual([
      "8:2 NOTICE Unsafe permissions found for script '/tmp/x.sh' - disabling.",
    ]);
    expect(r.config.vrrpInstances[0]?.notify.master).toBeNull();

    const noUser = loadText('global_defs {\n enable_script_security\n}\n' + notify('/bin/true'), {
      host: host({ '/bin/true': {} }),
    });
    expect(brief(noUser.diagnostics)).toEqual([
      '7:2 GENERAL_ERROR Unable to set default user keepalived_script for script',
    ]);
  });

  it('checker scripts are their own process', () => {
    const vs =
      'virtual_server 192.0.2.1 80 {\n protocol TCP\n lb_algo rr\n lb_kind NAT\n real_server 192.0.2.5 80 {\n MISC_CHECK {\n misc_path /bin/true\n }\n }\n}\n';
    expect(brief(loadText(vs, { host: host({ '/bin/true': {} }) }).diagnostics)).toEqual([
      '- SECURITY_ERROR SECURITY VIOLATION - check scripts are being executed but script_security not enabled.',
    ]);
  });

  it('a script user that does not exist disables the script', () => {
    const r = loadText(notify('/bin/true ghost'), { host: host({ '/bin/true': {} }) });
    expect(brief(r.diagnostics)).toEqual(['4:2 NOTICE Invalid user/group for script /bin/true - ignoring']);
  });
});
