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

export interface HttpRealServer {
  readonly weight?: number;
  readonly inhibitOnFailure?: boolean;
  readonly warmup0?: boolean;
}

/**
 * A `real_server ADDRESS 8080` block (indented for a virtual_server) checked by HTTP_GET on
 * /health (status 200, connect_timeout 1, retry 0), as test/netns/scripts/backend.mjs answers.
 */
export function httpRealServer(address: string, o: HttpRealServer = {}): string {
  return [
    `  real_server ${address} 8080 {`,
    ...(o.weight === undefined ? [] : [`    weight ${o.weight}`]),
    ...(o.inhibitOnFailure ? ['    inhibit_on_failure'] : []),
    '    HTTP_GET {',
    '      url {',
    '        path /health',
    '        status_code 200',
    '      }',
    '      connect_timeout 1',
    '      retry 0',
    ...(o.warmup0 ? ['      warmup 0'] : []),
    '    }',
    '  }',
  ].join('\n');
}

/** A `real_server ADDRESS PORT` block (indented for a virtual_server) checked by TCP_CHECK (connect_timeout 1, retry 0). */
export function tcpRealServer(address: string, port: number, o: { readonly weight?: number } = {}): string {
  return [
    `  real_server ${address} ${port} {`,
    ...(o.weight === undefined ? [] : [`    weight ${o.weight}`]),
    '    TCP_CHECK {',
    '      connect_timeout 1',
    '      retry 0',
    '    }',
    '  }',
  ].join('\n');
}

/**
 * `virtual_server VIP 80` (NAT, round robin, delay_loop 1) with `announce_table 100` and an
 * HTTP_GET-checked real server on port 8080 at each of `servers` (warmup 0): the announce labs'.
 */
export function announcedHttpService(vip: string, servers: readonly string[]): string {
  return [
    `virtual_server ${vip} 80 {`,
    '  delay_loop 1',
    '  lb_algo rr',
    '  lb_kind NAT',
    '  protocol TCP',
    '  announce_table 100',
    ...servers.map((a) => httpRealServer(a, { warmup0: true })),
    '}',
  ].join('\n');
}
