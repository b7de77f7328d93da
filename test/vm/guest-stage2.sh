# Stage 2 of the VM lab (test/vm/vm.ts): PID 1 in the overlay root. Runs $RUN/cmd.sh with bash, as
# root, in the host's working directory, stdin from /dev/null; writes its exit status to $RUN/rc,
# prints it between markers on the console, and powers off.
B=/run/kts-vm/busybox
RUN="$1"
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb LANG=C.UTF-8 USER=root LOGNAME=root KTS_VM=1
$B hostname kts-vm
$B ip link set lo up
# Module auto-loading (request_module) and modprobe use the host's kmod and modules.
echo /sbin/modprobe >/proc/sys/kernel/modprobe
cd "$($B cat "$RUN/cwd")" 2>/dev/null || cd /
echo "@@KTS_VM_BEGIN@@"
/bin/bash "$RUN/cmd.sh" </dev/null
rc=$?
echo "$rc" >"$RUN/rc"
echo "@@KTS_VM_RC=$rc@@"
$B sync
$B poweroff -f
