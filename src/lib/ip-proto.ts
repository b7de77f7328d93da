/**
 * IP protocol numbers (IANA "Assigned Internet Protocol Numbers"; the IPv4 protocol field and the
 * IPv6 next header): the ones keepalived-ts builds, filters or sums over.
 */
export const IPPROTO_ICMP = 1;
export const IPPROTO_ICMPV6 = 58;
/** RFC 3768 §5.2.4 / RFC 5798 §5.1.1.4: VRRP's IP protocol number. */
export const IPPROTO_VRRP = 112;
