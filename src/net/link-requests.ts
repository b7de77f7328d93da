/**
 * rtnetlink requests for the VRRP virtual-MAC interfaces, pure (linux/if_link.h), as keepalived
 * 2.2.7's vrrp_vmac.c sends them: a private-mode macvlan created down with its name, parent and
 * MAC in one RTM_NEWLINK; then IPv6 address generation mode none, then up, each in a message of its
 * own (the kernel ignores IFLA_AF_SPEC on create, and an interface brought up first would get an
 * EUI-64 link-local from the virtual MAC); RTM_DELLINK to remove it.
 */
import {
  encodeAttr,
  encodeAttrNested,
  encodeAttrString,
  encodeAttrU32,
  encodeLinkMessage,
  IFF,
  IFLA,
  IFLA_INFO,
  NLM_F,
  RTM,
} from './netlink.js';

const IFLA_MACVLAN_MODE = 1;
const MACVLAN_MODE_PRIVATE = 1;
const AF_INET6 = 10;
const IFLA_INET6_ADDR_GEN_MODE = 8;
const IN6_ADDR_GEN_MODE_NONE = 1;
const CHANGE = NLM_F.REQUEST | NLM_F.ACK;

export function encodeNewMacvlan(seq: number, name: string, parent: number, mac: Uint8Array): Buffer {
  return encodeLinkMessage({ type: RTM.NEWLINK, flags: CHANGE | NLM_F.CREATE | NLM_F.EXCL, seq }, {}, [
    encodeAttrNested(IFLA.LINKINFO, [
      encodeAttr(IFLA_INFO.KIND, Buffer.from('macvlan')),
      encodeAttrNested(IFLA_INFO.DATA, [encodeAttrU32(IFLA_MACVLAN_MODE, MACVLAN_MODE_PRIVATE)]),
    ]),
    encodeAttrU32(IFLA.LINK, parent),
    encodeAttrString(IFLA.IFNAME, name),
    encodeAttr(IFLA.ADDRESS, mac),
  ]);
}

export function encodeAddrGenModeNone(seq: number, index: number): Buffer {
  return encodeLinkMessage({ type: RTM.NEWLINK, flags: CHANGE, seq }, { index }, [
    encodeAttrNested(IFLA.AF_SPEC, [
      encodeAttrNested(AF_INET6, [
        encodeAttr(IFLA_INET6_ADDR_GEN_MODE, Uint8Array.of(IN6_ADDR_GEN_MODE_NONE)),
      ]),
    ]),
  ]);
}

export function encodeSetLinkUp(seq: number, index: number): Buffer {
  return encodeLinkMessage(
    { type: RTM.NEWLINK, flags: CHANGE, seq },
    { index, flags: IFF.UP, change: IFF.UP },
  );
}

export function encodeDelLink(seq: number, index: number): Buffer {
  return encodeLinkMessage({ type: RTM.DELLINK, flags: CHANGE, seq }, { index });
}
