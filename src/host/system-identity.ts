/** The running kernel and distribution, as `-v` prints them (cli/version-text.ts). */
import { readFileSync } from 'node:fs';
import { release, version } from 'node:os';

export function systemIdentity(): {
  kernelRelease: string;
  kernelVersion: string;
  distro: string | undefined;
} {
  let distro: string | undefined;
  try {
    const m = /^PRETTY_NAME=(.*)$/m.exec(readFileSync('/etc/os-release', 'utf8'));
    distro = m?.[1]?.replace(/^"(.*)"$/, '$1');
  } catch {
    distro = undefined;
  }
  return { kernelRelease: release(), kernelVersion: version(), distro };
}
