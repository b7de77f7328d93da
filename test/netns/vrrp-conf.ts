/**
 * keepalived.conf text for the lab scenarios: the same file works for keepalived-ts and for
 * Debian's keepalived.
 */
export interface InstanceConf {
  readonly name?: string;
  readonly priority: number;
  readonly vrid?: number;
  readonly version?: 2 | 3;
  /** Seconds, as keepalived writes it (0.1 for VRRPv3 centiseconds). */
  readonly advertInt?: number;
  readonly vips?: readonly string[];
  readonly state?: 'MASTER' | 'BACKUP';
  readonly password?: string;
  readonly nopreempt?: boolean;
  /** Extra lines inside the instance block. */
  readonly extra?: readonly string[];
}

export function instanceBlock(c: InstanceConf): string {
  const lines = [
    `vrrp_instance ${c.name ?? 'VI_1'} {`,
    `  state ${c.state ?? 'BACKUP'}`,
    '  interface eth0',
    `  virtual_router_id ${c.vrid ?? 51}`,
    `  priority ${c.priority}`,
    `  advert_int ${c.advertInt ?? 1}`,
    ...(c.version ? [`  version ${c.version}`] : []),
    ...(c.nopreempt ? ['  nopreempt'] : []),
    ...(c.password ? ['  authentication {', '    auth_type PASS', `    auth_pass ${c.password}`, '  }'] : []),
    ...(c.extra ?? []).map((l) => `  ${l}`),
    '  virtual_ipaddress {',
    ...(c.vips ?? ['192.0.2.100/24']).map((v) => `    ${v}`),
    '  }',
    '}',
  ];
  return `${lines.join('\n')}\n`;
}

/** A whole config: global_defs (scripts run as root, securely) and the blocks given. */
export function config(...blocks: string[]): string {
  return [
    'global_defs {',
    '  router_id lab',
    '  enable_script_security',
    '  script_user root',
    '}',
    ...blocks,
  ].join('\n');
}
