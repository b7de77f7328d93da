/**
 * Reading systemd-journald's native protocol (sd_journal_send()'s datagrams) back into fields, as
 * journald does: `NAME=value\n`, or `NAME\n` + 64-bit little-endian length + value + `\n`.
 */
export function decodeJournal(buf: Buffer): [string, string][] {
  const out: [string, string][] = [];
  let at = 0;
  while (at < buf.length) {
    const nl = buf.indexOf(0x0a, at);
    if (nl < 0) throw new Error(`journal datagram: no newline after offset ${at}`);
    const line = buf.subarray(at, nl).toString('utf8');
    const eq = line.indexOf('=');
    if (eq >= 0) {
      out.push([line.slice(0, eq), line.slice(eq + 1)]);
      at = nl + 1;
      continue;
    }
    const size = Number(buf.readBigUInt64LE(nl + 1));
    const end = nl + 9 + size;
    if (buf[end] !== 0x0a) throw new Error(`journal datagram: field ${line} is not followed by a newline`);
    out.push([line, buf.subarray(nl + 9, end).toString('utf8')]);
    at = end + 1;
  }
  return out;
}
