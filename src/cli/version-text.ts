/**
 * `-v/--version`, in keepalived's shape (keepalived.c print_version(), on stderr): the version
 * line, a copyright line, the running kernel and distribution, then the build options. Tools and
 * people that read `keepalived -v` find the same lines; the "Config options" list names the
 * keepalived features this implementation has, with keepalived's names for them.
 */

export interface VersionFacts {
  readonly version: string;
  /** uname -r and uname -v. */
  readonly kernelRelease: string;
  readonly kernelVersion: string;
  /** PRETTY_NAME from /etc/os-release, if there is one. */
  readonly distro: string | undefined;
  readonly node: string;
}

/** The keepalived release whose configuration, CLI and files this one follows. */
const KEEPALIVED_COMPAT = '2.2.7';

/** keepalived's build-option names for what keepalived-ts implements. */
const CONFIG_OPTIONS = [
  'LVS',
  'REGEX',
  'VRRP',
  'VRRP_AUTH',
  'VRRP_VMAC',
  'JSON',
  'INIT=systemd',
  'SYSTEMD_NOTIFY',
];

export function versionText(f: VersionFacts): string {
  return [
    `Keepalived-ts v${f.version} (keepalived v${KEEPALIVED_COMPAT} compatible)`,
    '',
    'Copyright(C) the keepalived-ts authors, GPL-2.0-or-later',
    '',
    `Running on Linux ${f.kernelRelease} ${f.kernelVersion}`,
    ...(f.distro ? [`Distro: ${f.distro}`] : []),
    `Node.js ${f.node}`,
    '',
    `Config options:  ${CONFIG_OPTIONS.join(' ')}`,
    '',
  ].join('\n');
}
