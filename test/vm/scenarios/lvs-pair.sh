#!/bin/bash
# In the VM (test/vm/lvs-pair.test.ts, bench): an LVS director pair as the seeds deploy it, in DR,
# NAT or TUN mode. A client (192.0.2.10) and two directors (d1 192.0.2.1 priority 150, d2
# 192.0.2.2 priority 100) share a bridge; the directors share the VIP 192.0.2.100 by VRRP, with
# lvs_sync_daemon if asked. Two real servers serve HTTP on port 80 (their name) and a stream on
# port 81 (a counter line every 100 ms, for as long as the connection lives) and a transfer on port
# 82 (numbered lines, as fast as the client reads):
# - DR: on the same bridge (192.0.2.11, .12), the VIP on lo, arp_ignore=1/arp_announce=2;
# - TUN: the same, with the VIP on tunl0 (ipip) and rp_filter off;
# - NAT: on a second bridge (198.51.100.11, .12) behind the directors' internal addresses
#   (198.51.100.1, .2), routing back through the internal VIP 198.51.100.254, a second instance in
#   a vrrp_sync_group with the first, so both VIPs move together.
# Written to $KTS_RUN/<tag>.*:
#   http.log     one line per client request: "epoch-seconds ok|fail body"
#   stream.log   the stream connection's lines as the client got them (client sends every 100 ms)
#   transfer.log the long transfer's reads: "epoch-seconds bytes" (0: the connection ended)
#   transfer.check "LINES intact|broken-at N": whether its numbered lines ran on from 1
#   transfer.tcp   each namespace's MAC address, then the transfer's SYN, FIN and RST packets
#                  at the client (tcpdump -e)
#   events.log   "epoch-seconds event" for each step
#   d1.log d2.log the directors' output; d1.table/d2.table ipvsadm -Ln --stats at the end
#   replies.pcap the HTTP replies seen on d1's and d2's interfaces (must be none: DR)
#   lvs-pair.sh TAG D1_KIND D2_KIND SYNC [MODE]   (KIND: keepalived | keepalived-ts; SYNC: 1 | 0;
#                                                   MODE: DR (default) | NAT | TUN)
set -u
TAG=$1
K1=$2
K2=$3
SYNC=$4
MODE=${5:-DR}
OUT=$KTS_RUN
PROJ=$PWD
WORK=$(mktemp -d)
ev() { echo "$(date +%s.%N) $*" >> "$OUT/$TAG.events.log"; echo "== $TAG $*"; }

# The VM runs several scenarios in turn: each starts from, and leaves, a lab with no namespace,
# bridge or process of its own (a real server left from the run before would still answer).
NSES="cl d1 d2 r1 r2"
lab_down() {
  local n
  for n in $NSES; do ip netns pids $n 2>/dev/null | xargs -r kill -9; done
  for n in $NSES; do
    for i in $(seq 1 50); do [ -z "$(ip netns pids $n 2>/dev/null)" ] && break; sleep 0.1; done
    ip netns del $n 2>/dev/null
  done
  ip link del br0 2>/dev/null
  ip link del br1 2>/dev/null
  pkill -f 'sleep 100000' 2>/dev/null
  return 0
}
lab_down
trap lab_down EXIT

ip link add br0 type bridge
ip link set br0 up
ip link add br1 type bridge
ip link set br1 up
link() { # ns ifname bridge address
  ip link add "v-$1-$2" type veth peer name "$2" netns "$1"
  ip link set "v-$1-$2" master "$3" up
  ip -n "$1" addr add "$4/24" dev "$2"
  ip -n "$1" link set "$2" up
}
node_ns() { # name address [bridge]
  ip netns add "$1"
  ip -n "$1" link set lo up
  link "$1" eth0 "${3:-br0}" "$2"
}
node_ns cl 192.0.2.10
# The client's TCP receive buffer stays small (at most one 16 KiB read ahead), so the transfer's
# reads stop within a moment when its connection stalls: data buffered before a failover cannot
# pass for data that came through it.
ip netns exec cl sysctl -q -w net.ipv4.tcp_rmem="4096 16384 16384"
node_ns d1 192.0.2.1
node_ns d2 192.0.2.2
if [ "$MODE" = NAT ]; then
  RS1=198.51.100.11 RS2=198.51.100.12
  link d1 eth1 br1 198.51.100.1
  link d2 eth1 br1 198.51.100.2
  node_ns r1 $RS1 br1
  node_ns r2 $RS2 br1
  for d in d1 d2; do ip netns exec $d sysctl -q -w net.ipv4.ip_forward=1; done
else
  RS1=192.0.2.11 RS2=192.0.2.12
  node_ns r1 $RS1
  node_ns r2 $RS2
fi
for r in r1 r2; do
  case $MODE in
    NAT) ip -n $r route add default via 198.51.100.254 ;;
    TUN)
      ip netns exec $r modprobe ipip
      ip -n $r link set tunl0 up
      ip -n $r addr add 192.0.2.100/32 dev tunl0
      ip netns exec $r sysctl -q -w net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.tunl0.rp_filter=0 \
        net.ipv4.conf.eth0.rp_filter=0 net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2
      ;;
    *)
      ip -n $r addr add 192.0.2.100/32 dev lo
      ip netns exec $r sysctl -q -w net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2 \
        net.ipv4.conf.eth0.arp_ignore=1 net.ipv4.conf.eth0.arp_announce=2
      ;;
  esac
  mkdir -p "$WORK/www-$r"
  echo "$r" > "$WORK/www-$r/index.html"
  ip netns exec $r busybox httpd -f -p 80 -h "$WORK/www-$r" &
  echo $! > "$WORK/httpd-$r.pid"
  printf '#!/bin/sh\ni=0\nwhile :; do i=$((i+1)); echo "%s $i"; sleep 0.1; done\n' $r > "$WORK/stream-$r.sh"
  chmod +x "$WORK/stream-$r.sh"
  ip netns exec $r busybox nc -ll -p 81 -e "$WORK/stream-$r.sh" &
  # The transfer: numbered lines as fast as the client takes them.
  printf '#!/bin/sh\nexec busybox seq 1 1000000000\n' > "$WORK/transfer.sh"
  chmod +x "$WORK/transfer.sh"
  ip netns exec $r busybox nc -ll -p 82 -e "$WORK/transfer.sh" &
done
# The sync daemon sends a connection's state on its 3rd packet, then every 10th (the kernel's
# default is every 50th: about 5 s at this client's 10 packets/s, longer than a returning
# director spends as BACKUP before it preempts; operators tune this the same way).
for d in d1 d2; do
  ip netns exec $d modprobe ip_vs
  ip netns exec $d sysctl -q -w net.ipv4.vs.sync_threshold="3 10"
done

conf() { # priority
  {
    echo "global_defs {"
    echo "  router_id director$1"
    [ "$SYNC" = 1 ] && echo "  lvs_sync_daemon eth0 VI_1"
    echo "}"
    instance() { # name interface vrid vip
      echo "vrrp_instance $1 {"
      echo "  state BACKUP"
      echo "  interface $2"
      echo "  virtual_router_id $3"
      echo "  priority $PRIO"
      echo "  advert_int 1"
      echo "  virtual_ipaddress {"
      echo "    $4/24"
      echo "  }"
      echo "}"
    }
    PRIO=$1
    instance VI_1 eth0 51 192.0.2.100
    if [ "$MODE" = NAT ]; then
      instance VI_2 eth1 52 198.51.100.254
      echo "vrrp_sync_group G {"
      echo "  group {"
      echo "    VI_1"
      echo "    VI_2"
      echo "  }"
      echo "}"
    fi
    for port in 80 81 82; do
      echo "virtual_server 192.0.2.100 $port {"
      echo "  delay_loop 1"
      echo "  lb_algo rr"
      echo "  lb_kind $MODE"
      echo "  protocol TCP"
      for rs in $RS1 $RS2; do
        echo "  real_server $rs $port {"
        echo "    TCP_CHECK {"
        echo "      connect_port 80"
        echo "      connect_timeout 1"
        echo "      retry 0"
        echo "    }"
        echo "  }"
      done
      echo "}"
    done
  } > "$WORK/$2.conf"
}
start() { # ns kind
  if [ "$2" = keepalived ]; then
    ip netns exec "$1" keepalived -n -l -D -f "$WORK/$1.conf" -p "$WORK/$1.pid" -r "$WORK/$1-vrrp.pid" \
      -c "$WORK/$1-check.pid" >> "$OUT/$TAG.$1.log" 2>&1 &
  else
    ip netns exec "$1" node "$PROJ/dist/cli.js" -n -l -f "$WORK/$1.conf" -p "$WORK/$1.pid" \
      --control-socket "$WORK/$1.sock" >> "$OUT/$TAG.$1.log" 2>&1 &
  fi
  echo $! > "$WORK/$1.main"
}
wait_log() { # ns pattern seconds
  local i
  for i in $(seq 1 $(($3 * 5))); do grep -q "$2" "$OUT/$TAG.$1.log" 2>/dev/null && return 0; sleep 0.2; done
  ev "timeout waiting for '$2' in $1"
  return 1
}
holder() { for d in d1 d2; do ip -n $d -o addr show dev eth0 | grep -q 192.0.2.100 && echo -n "$d "; done; }
# Until the VIP is on exactly the hosts named ("d1 ", "d1 d2 "), at most $2 s.
wait_holder() {
  local i
  for i in $(seq 1 $(($2 * 5))); do [ "$(holder)" = "$1" ] && return 0; sleep 0.2; done
  ev "timeout waiting for the VIP on '$1' (now '$(holder)')"
}

# The client's HTTP log from line $1 on: the servers that answered ("r1 r2 "), the answers.
answered_since() { tail -n +"$1" "$OUT/$TAG.http.log" | awk '$2 == "ok" { print $3 }' | sort -u | tr '\n' ' '; }
ok_since() { tail -n +"$1" "$OUT/$TAG.http.log" | grep -c ' ok '; }
next_line() { echo $(($(wc -l < "$OUT/$TAG.http.log") + 1)); }

conf 150 d1
conf 100 d2
# Both at once (a daemon takes seconds to start in the emulated VM): d1 ends up MASTER, by
# preempting d2 if d2 was first.
start d1 "$K1"
start d2 "$K2"
wait_holder "d1 " 90
wait_log d2 'Entering BACKUP STATE' 60
# Checkers up on both (the real servers in both tables).
for i in $(seq 1 150); do
  a=$(ip netns exec d1 ipvsadm -Ln | grep -c -- '->  *[0-9]'); b=$(ip netns exec d2 ipvsadm -Ln | grep -c -- '->  *[0-9]')
  [ "$a" -ge 4 ] && [ "$b" -ge 4 ] && break
  sleep 0.2
done
ev "ready holder=$(holder)"

# The client: HTTP every 100 ms (its own loop), and one stream connection sending every 100 ms.
ip netns exec cl ping -c 1 -W 2 192.0.2.100 > /dev/null
(
  while :; do
    body=$(ip netns exec cl timeout 2 busybox wget -q -O - http://192.0.2.100/ 2>/dev/null) \
      && echo "$(date +%s.%N) ok $body" || echo "$(date +%s.%N) fail"
    sleep 0.1
  done
) >> "$OUT/$TAG.http.log" &
HTTP=$!
(while :; do echo ping; sleep 0.1; done) | ip netns exec cl busybox nc 192.0.2.100 81 \
  | while read -r l; do echo "$(date +%s.%N) $l"; done >> "$OUT/$TAG.stream.log" &
ip netns exec d1 tcpdump -U -n -i eth0 -w "$OUT/$TAG.d1.pcap" 'tcp and src host 192.0.2.100 and src port 80' 2>/dev/null &
CAP1=$!
ip netns exec d2 tcpdump -U -n -i eth0 -w "$OUT/$TAG.d2.pcap" 'tcp and src host 192.0.2.100 and src port 80' 2>/dev/null &
CAP2=$!
for n in cl d1 d2 r1 r2; do
  echo "$n $(ip netns exec $n cat /sys/class/net/eth0/address)"
done >> "$OUT/$TAG.transfer.tcp"
# The long transfer's opening and closing packets as the client sees them, with their MAC
# addresses: when it ends early, who ended it (a real server, a director's own stack).
ip netns exec cl tcpdump -l -e -n -i eth0 'tcp port 82 and tcp[tcpflags] & (tcp-syn|tcp-fin|tcp-rst) != 0' \
  >> "$OUT/$TAG.transfer.tcp" 2>/dev/null &
CAP3=$!
# The scheduler spreads: both real servers answer (however slow the emulated client is).
for i in $(seq 1 300); do [ "$(answered_since 1)" = "r1 r2 " ] && break; sleep 0.2; done
[ "$(answered_since 1)" = "r1 r2 " ] || ev "timeout waiting for answers from r1 and r2 (got '$(answered_since 1)')"
ev "spread"

# A real server's HTTP dies: it leaves both tables (TCP_CHECK on port 80 fails for both services;
# the stream on port 81 of that server, if ours, ends with it: so kill the other one).
STREAM_RS=$(tail -1 "$OUT/$TAG.stream.log" | awk '{print $2}')
OTHER=r2; [ "$STREAM_RS" = r2 ] && OTHER=r1
ev "kill-rs $OTHER"
kill "$(cat "$WORK/httpd-$OTHER.pid")"
OTHER_IP=$RS1; [ $OTHER = r2 ] && OTHER_IP=$RS2
wait_log d1 "Removing service \[$OTHER_IP\]:tcp:80 from VS" 30
ev "rs-removed"
# From now on every request is answered, by the other server: three answers.
L=$(next_line)
for i in $(seq 1 300); do [ "$(ok_since "$L")" -ge 3 ] && break; sleep 0.2; done
[ "$(ok_since "$L")" -ge 3 ] || ev "timeout waiting for 3 answers after the removal"
ev "rs-down"
ip netns exec $OTHER busybox httpd -f -p 80 -h "$WORK/www-$OTHER" &
sleep 4

# A long transfer through the VIP, both real servers back in the tables: the client reads 16 KiB
# every 100 ms (TCP's window full, the server waiting on it); each read is logged with its size
# and the data kept, to check at the end that the numbers ran on without a gap or a restart.
(sleep 100000) | ip netns exec cl busybox nc 192.0.2.100 82 | {
  while :; do
    n=$(dd bs=1024 count=16 iflag=fullblock 2>/dev/null | tee -a "$WORK/transfer.data" | wc -c)
    echo "$(date +%s.%N) $n"
    [ "$n" -eq 0 ] && break
    sleep 0.1
  done
} >> "$OUT/$TAG.transfer.log" &
sleep 2

# The MASTER crashes: SIGKILL with its cable cut (a killed daemon leaves its VIP).
ev "crash-master d2-synced=$(ip netns exec d2 ipvsadm -Lnc | grep -c ESTABLISHED)"
# Every process in d1's namespace but the capture (keepalived's children too), nothing elsewhere;
# then the cable (a daemon still alive would see its link go down and leave in good order).
ip netns pids d1 | grep -vx "$CAP1" | xargs -r kill -9
for i in $(seq 1 50); do [ -z "$(ip netns pids d1 | grep -vx "$CAP1")" ] && break; sleep 0.1; done
for l in v-d1-eth0 v-d1-eth1; do ip link set $l down 2>/dev/null; done
wait_holder "d1 d2 " 30
sleep 4
ev "crashed holder=$(holder)"

# The old master comes back (its leftover VIP removed at start) and preempts.
for l in v-d1-eth0 v-d1-eth1; do ip link set $l up 2>/dev/null; done
start d1 "$K1"
wait_holder "d1 " 90
sleep 4
ev "preempted holder=$(holder)"

# The master stops cleanly (SIGTERM: priority 0).
ev "stop-master"
kill -TERM "$(cat "$WORK/d1.main")"
wait_holder "d2 " 30
sleep 4
ev "stopped holder=$(holder)"

ev "client-stop"
kill $HTTP $CAP1 $CAP2 $CAP3 2>/dev/null
pkill -f 'busybox nc 192.0.2.100' 2>/dev/null
# The transfer's lines: consecutive from 1 (the last one may be cut short by the last read).
awk '{ if ($1 != NR && !bad) bad = NR } END { print NR, (bad && bad < NR ? "broken-at " bad : "intact") }' \
  "$WORK/transfer.data" > "$OUT/$TAG.transfer.check" 2>/dev/null
for d in d1 d2; do { ip netns exec $d ipvsadm -Ln --stats; ip netns exec $d ipvsadm -Lnc; } > "$OUT/$TAG.$d.table" 2>/dev/null; done
ev "end"
kill -TERM "$(cat "$WORK/d2.main")" 2>/dev/null
sleep 2
exit 0
