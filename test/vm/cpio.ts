/**
 * A cpio archive in the "newc" format (the kernel's initramfs format, Documentation/
 * filesystems/ramfs-rootfs-initramfs.rst): per entry a 110-byte ASCII header of hex fields, the
 * NUL-terminated name padded to 4 bytes, the data padded to 4 bytes; a TRAILER!!! entry ends it.
 * Pure, so the initramfs needs no cpio tool.
 */
export type CpioEntry =
  | { readonly name: string; readonly type: 'dir'; readonly mode?: number }
  | { readonly name: string; readonly type: 'file'; readonly data: Uint8Array; readonly mode: number }
  | { readonly name: string; readonly type: 'symlink'; readonly target: string }
  | {
      readonly name: string;
      readonly type: 'char';
      readonly major: number;
      readonly minor: number;
      readonly mode: number;
    };

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;

const hex8 = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');
const pad4 = (n: number): number => (4 - (n % 4)) % 4;

function record(ino: number, name: string, mode: number, data: Uint8Array, rdev = [0, 0]): Buffer {
  const nameBytes = Buffer.from(`${name}\0`);
  const fields = [
    ino,
    mode,
    0, // uid
    0, // gid
    mode & S_IFDIR ? 2 : 1, // nlink
    0, // mtime
    data.length,
    0, // devmajor
    0, // devminor
    rdev[0] ?? 0,
    rdev[1] ?? 0,
    nameBytes.length,
    0, // check
  ];
  const header = Buffer.from(`070701${fields.map(hex8).join('')}`, 'ascii');
  return Buffer.concat([
    header,
    nameBytes,
    Buffer.alloc(pad4(header.length + nameBytes.length)),
    Buffer.from(data),
    Buffer.alloc(pad4(data.length)),
  ]);
}

export function cpioArchive(entries: readonly CpioEntry[]): Buffer {
  const parts = entries.map((e, i) => {
    const ino = i + 1;
    switch (e.type) {
      case 'dir':
        return record(ino, e.name, S_IFDIR | (e.mode ?? 0o755), new Uint8Array(0));
      case 'file':
        return record(ino, e.name, S_IFREG | e.mode, e.data);
      case 'symlink':
        return record(ino, e.name, S_IFLNK | 0o777, Buffer.from(e.target));
      case 'char':
        return record(ino, e.name, S_IFCHR | e.mode, new Uint8Array(0), [e.major, e.minor]);
    }
  });
  return Buffer.concat([...parts, record(0, 'TRAILER!!!', 0, new Uint8Array(0))]);
}
