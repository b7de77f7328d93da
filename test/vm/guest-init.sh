#!/bin/busybox sh
# Stage 1 of the VM lab (test/vm/vm.ts): PID 1 in the initramfs. It loads the virtio, 9p and
# overlay modules, mounts the host's root filesystem (9p, read-only) under a tmpfs overlay, mounts
# the run's writable folder (9p) at the same path as on the host, and switch_roots into the overlay,
# where guest-stage2.sh runs the scenario. PID 1 must switch_root itself: the kernel's module
# auto-loading runs in PID 1's root, so a chroot in a child would leave modprobe unreachable.
B=/bin/busybox
$B mount -t proc proc /proc
$B mount -t sysfs sysfs /sys
$B mount -t devtmpfs devtmpfs /dev
die() {
	echo "vm-init: $*"
	echo "@@KTS_VM_RC=125@@"
	$B poweroff -f
}
while read -r m; do $B insmod "/lib/mod/$m" || die "insmod $m failed"; done </lib/mod/order
RUN=
for arg in $($B cat /proc/cmdline); do
	case "$arg" in kts.run=*) RUN="${arg#kts.run=}" ;; esac
done
[ -n "$RUN" ] || die "no kts.run= on the kernel command line"
$B mkdir -p /lower /upper /newroot
$B mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,cache=loose,ro hostroot /lower || die "9p root"
$B mount -t tmpfs -o mode=0755 upper /upper
$B mkdir -p /upper/data /upper/work
$B mount -t overlay -o lowerdir=/lower,upperdir=/upper/data,workdir=/upper/work overlay /newroot || die "overlay"
$B mount -t tmpfs -o mode=0755,nosuid,nodev run /newroot/run
$B mkdir -p /newroot/run/kts-vm
$B cp /bin/busybox /stage2 /newroot/run/kts-vm/
for d in proc sys dev; do $B mount --move /$d /newroot/$d; done
$B mkdir -p /newroot/dev/pts /newroot/dev/shm
$B mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /newroot/dev/pts
$B mount -t tmpfs -o mode=1777,nosuid,nodev shm /newroot/dev/shm
$B mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 run "/newroot$RUN" || die "9p run folder"
exec $B switch_root /newroot /run/kts-vm/busybox sh /run/kts-vm/stage2 "$RUN"
