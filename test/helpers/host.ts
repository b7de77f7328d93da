/**
 * The host the daemon's pure wiring sees in unit tests: eth0 (index 2) with 192.0.2.11/24.
 */
import type { InterfaceAddress, LinkInfo } from '../../src/net/ports.js';

export const ETH0: LinkInfo = { index: 2, name: 'eth0', mac: Uint8Array.of(2, 0, 0, 0, 0, 11), up: true };

export const ETH0_ADDR: InterfaceAddress = {
  index: 2,
  family: 'inet',
  address: '192.0.2.11',
  prefixLength: 24,
  secondary: false,
  linkLocal: false,
  label: null,
};
