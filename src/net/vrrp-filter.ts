/**
 * Classic BPF programs (linux/filter.h, Documentation/networking/filter.rst) attached to the VRRP
 * receive sockets, so the kernel drops before queueing what can never be for the socket's virtual
 * router: a packet that is not IPv4 protocol 112, or too short to carry a VRID, or carries another
 * VRID. Each VRID has a socket of its own (vrrp-socket.ts), so a flood aimed at one virtual router
 * fills only that socket's buffer and cannot crowd another router's adverts out.
 *
 * What a raw socket's filter sees (Linux 6.1): for IPv4 the packet from its IP header on
 * (raw_rcv() pushes the header back before queueing); for IPv6 from the VRRP header on (the IPv6
 * header and extension headers are pulled before raw6_local_deliver()). Pure: returns the program
 * as bytes (8 per instruction, host byte order: u16 code, u8 jt, u8 jf, u32 k) for attachFilter().
 */
import { IPPROTO_VRRP } from '../lib/ip-proto.js';
import type { IpFamily } from '../lib/ip.js';

/** One instruction (struct sock_filter). */
export interface BpfInsn {
  readonly code: number;
  readonly jt: number;
  readonly jf: number;
  readonly k: number;
}

// Opcodes (linux/bpf_common.h, linux/filter.h).
export const BPF = {
  LD_B_ABS: 0x30, // A = pkt[k]
  LD_B_IND: 0x50, // A = pkt[X + k]
  LDX_B_MSH: 0xb1, // X = 4 * (pkt[k] & 0x0f)
  ALU_AND_K: 0x54, // A &= k
  JEQ_K: 0x15, // pc += A == k ? jt : jf
  RET_K: 0x06, // return k bytes of the packet (0: drop)
} as const;

/** Accept the whole packet (the kernel truncates to the packet length). */
const ACCEPT = 0x40000;

const insn = (code: number, k = 0, jt = 0, jf = 0): BpfInsn => ({ code, jt, jf, k });

/**
 * The program for one VRID's socket: IPv4 checks the IP version and protocol, finds the VRRP
 * header after the IP header's IHL, then compares the VRID (RFC 3768 §5.3.3, RFC 5798 §5.2.3:
 * the second byte of the VRRP header). A load past the end of the packet drops it.
 */
export function vridFilter(family: IpFamily, vrid: number): BpfInsn[] {
  if (!Number.isInteger(vrid) || vrid < 1 || vrid > 255) throw new RangeError(`VRID ${vrid} out of range`);
  if (family === 'inet6') {
    return [insn(BPF.LD_B_ABS, 1), insn(BPF.JEQ_K, vrid, 0, 1), insn(BPF.RET_K, ACCEPT), insn(BPF.RET_K, 0)];
  }
  return [
    insn(BPF.LD_B_ABS, 0), // version and IHL
    insn(BPF.ALU_AND_K, 0xf0),
    insn(BPF.JEQ_K, 0x40, 0, 6), // IPv4, else drop
    insn(BPF.LD_B_ABS, 9), // protocol
    insn(BPF.JEQ_K, IPPROTO_VRRP, 0, 4),
    insn(BPF.LDX_B_MSH, 0), // X = header length
    insn(BPF.LD_B_IND, 1), // the VRID
    insn(BPF.JEQ_K, vrid, 0, 1),
    insn(BPF.RET_K, ACCEPT),
    insn(BPF.RET_K, 0),
  ];
}

/** For a socket that only sends: nothing is ever queued on it. */
export const dropAll = (): BpfInsn[] => [insn(BPF.RET_K, 0)];

/** The program as struct sock_filter[] bytes (little-endian: the x86_64 and arm64 host order). */
export function encodeFilter(program: readonly BpfInsn[]): Buffer {
  const out = Buffer.alloc(program.length * 8);
  program.forEach((p, i) => {
    out.writeUInt16LE(p.code, i * 8);
    out.writeUInt8(p.jt, i * 8 + 2);
    out.writeUInt8(p.jf, i * 8 + 3);
    out.writeUInt32LE(p.k >>> 0, i * 8 + 4);
  });
  return out;
}
