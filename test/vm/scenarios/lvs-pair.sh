#!/bin/bash
# In the VM (test/vm/lvs-pair.test.ts, bench): an LVS-DR director pair as the seeds deploy it. A
# bridge joins a client (192.0.2.10), two directors (d1 192.0.2.1 priority 150, d2 192.0.2.2
# priority 100) sharing the VIP 192.0.2.100 by VRRP with lvs_sync_daemon, and two real servers
# (192.0.2.11, .12) holding the VIP on lo with arp_ignore=1/arp_announce=2, each serving HTTP on
# port 80 (its name) and a stream on port 81 (a counter line every 100 ms, for as long as the
# connection lives). Written to $KTS_RUN/<tag>.*:
#   http.log     one line per client request: "epoch-seconds ok|fail body"
#   stream.log   the stream connection's lines as the client got them (client sends every 100 ms)
#   events.log   "epoch-seconds event" for each step
#   d1.log d2.log the directors' output; d1.table/d2.table ipvsadm -Ln --stats at the end
#   replies.pcap the HTTP replies seen on d1's and d2's interfaces (must be none: DR)
#   lvs-pair.sh TAG D1_KIND D2_KIND SYNC   (KIND: keepalived | keepalived-ts; SYNC: 1 | 0)
set -u
TAG=$1
K1=$2
K2=$3
SYNC=$4
OUT=$KTS_RUN
PROJ=$PWD
WORK=$(mktemp -d)
ev() { echo "$(date +%s.%N) $*" >> "$OUT/$TAG.events.log"; echo "== $TAG $*"; }

ip link add br0 type bridge
ip link set br0 up
node_ns() { # name address
  ip netns add "$1"
  ip link add "v-$1" type veth peer name eth0 netns "$1"
  ip link set "v-$1" master br0 up
  ip -n "$1" link set lo up
  ip -n "$1" addr add "$2/24" dev eth0
  ip -n "$1" link set eth0 up
}
node_ns cl 192.0.2.10
node_ns d1 192.0.2.1
node_ns d2 192.0.2.2
node_ns r1 192.0.2.11
node_ns r2 192.0.2.12
for r in r1 r2; do
  ip -n $r addr add 192.0.2.100/32 dev lo
  ip netns exec $r sysctl -q -w net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2 \
    net.ipv4.conf.eth0.arp_ignore=1 net.ipv4.conf.eth0.arp_announce=2
  mkdir -p "$WORK/www-$r"
  echo "$r" > "$WORK/www-$r/index.html"
  ip netns exec $r busybox httpd -f -p 80 -h "$WORK/www-$r" &
  echo $! > "$WORK/httpd-$r.pid"
  printf '#!/bin/sh\ni=0\nwhile :; do i=$((i+1)); echo "%s $i"; sleep 0.1; done\n' $r > "$WORK/stream-$r.sh"
  chmod +x "$WORK/stream-$r.sh"
  ip netns exec $r busybox nc -lk -p 81 -e "$WORK/stream-$r.sh" &
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
    echo "vrrp_instance VI_1 {"
    echo "  state BACKUP"
    echo "  interface eth0"
    echo "  virtual_router_id 51"
    echo "  priority $1"
    echo "  advert_int 1"
    echo "  virtual_ipaddress {"
    echo "    192.0.2.100/24"
    echo "  }"
    echo "}"
    for port in 80 81; do
      echo "virtual_server 192.0.2.100 $port {"
      echo "  delay_loop 1"
      echo "  lb_algo rr"
      echo "  lb_kind DR"
      echo "  protocol TCP"
      for rs in 192.0.2.11 192.0.2.12; do
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

conf 150 d1
conf 100 d2
start d1 "$K1"
wait_holder "d1 " 60
start d2 "$K2"
wait_log d2 'Entering BACKUP STATE' 60
# Checkers up on both (the real servers in both tables).
for i in $(seq 1 150); do
  a=$(ip netns exec d1 ipvsadm -Ln | grep -c Route); b=$(ip netns exec d2 ipvsadm -Ln | grep -c Route)
  [ "$a" -ge 4 ] && [ "$b" -ge 4 ] && break
  sleep 0.2
done
ev "ready holder=$(holder)"

# The client: HTTP every 100 ms (its own loop), and one stream connection sending every 100 ms.
ip netns exec cl ping -c 1 -W 2 192.0.2.100 > /dev/null
(
  while :; do
    body=$(ip netns exec cl busybox wget -q -T 1 -O - http://192.0.2.100/ 2>/dev/null) \
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
sleep 4
ev "spread"

# A real server's HTTP dies: it leaves both tables (TCP_CHECK on port 80 fails for both services;
# the stream on port 81 of that server, if ours, ends with it: so kill the other one).
STREAM_RS=$(tail -1 "$OUT/$TAG.stream.log" | awk '{print $2}')
OTHER=r2; [ "$STREAM_RS" = r2 ] && OTHER=r1
ev "kill-rs $OTHER"
kill "$(cat "$WORK/httpd-$OTHER.pid")"
sleep 4
ev "rs-down"
ip netns exec $OTHER busybox httpd -f -p 80 -h "$WORK/www-$OTHER" &
sleep 4

# The MASTER crashes: SIGKILL with its cable cut (a killed daemon leaves its VIP).
ev "crash-master"
ip link set v-d1 down
# Every process in d1's namespace (keepalived's children too), nothing elsewhere.
ip netns pids d1 | xargs -r kill -9
wait_holder "d1 d2 " 30
sleep 4
ev "crashed holder=$(holder)"

# The old master comes back (its leftover VIP removed at start) and preempts.
ip link set v-d1 up
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

kill $HTTP $CAP1 $CAP2 2>/dev/null
pkill -f 'busybox nc 192.0.2.100' 2>/dev/null
for d in d1 d2; do ip netns exec $d ipvsadm -Ln --stats > "$OUT/$TAG.$d.table" 2>/dev/null; done
ev "end"
kill -TERM "$(cat "$WORK/d2.main")" 2>/dev/null
sleep 2
exit 0
