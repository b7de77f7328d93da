# Sourced by the VM lab's scenarios (test/vm, bench/scenarios): a director namespace "dir" and a
# real-server namespace "rs" joined by a veth pair, 192.0.2.1 and 2001:db8::1 on the director,
# 192.0.2.FIRST..LAST and 2001:db8::11 on the real servers; $WORK a scratch folder with www/ for
# busybox httpd.
#   lab_up FIRST LAST
lab_up() {
  WORK=$(mktemp -d)
  mkdir -p "$WORK/www"
  echo ok > "$WORK/www/index.html"
  ip netns add dir
  ip netns add rs
  ip link add eth0 netns dir type veth peer name eth0 netns rs
  ip -n dir link set lo up
  ip -n rs link set lo up
  ip -n dir addr add 192.0.2.1/24 dev eth0
  ip -n dir addr add 2001:db8::1/64 dev eth0 nodad
  local i
  for i in $(seq "$1" "$2"); do ip -n rs addr add "192.0.2.$i/24" dev eth0; done
  ip -n rs addr add 2001:db8::11/64 dev eth0 nodad
  ip -n dir link set eth0 up
  ip -n rs link set eth0 up
  ip netns exec dir modprobe ip_vs
}
