#!/bin/bash
# In the VM (test/vm/bgp-ecmp.test.ts): active-active IPVS directors announced over BGP (issue 21,
# docs/bgp.md), with the kernel's IPVS. Network namespaces:
#
#   cl 198.51.100.2 --- up (router, AS 64512: FRR zebra+bfdd+bgpd, maximum-paths 4)
#                       br0 192.0.2.1/24 (the bridge is inside up)
#        +------------------+------------------+------------------+
#   d1 192.0.2.11      d2 192.0.2.12      r1 192.0.2.21      r2 192.0.2.22
#   (AS 64513 both: FRR zebra+bfdd+bgpd, keepalived-ts)   (flow-server.mjs on port 7000)
#
# The directors serve VIP 203.0.113.10:7000 with `lb_algo mh` + `mh-port` + `mh-fallback`, `lb_kind DR`, `alpha`, TCP_CHECK
# on both real servers, `announce_table 100` (zebra `ip import-table 100`, bgpd `redistribute
# table 100`), and the IPVS connection sync daemon as master and backup at once (`lvs_sync_daemon
# eth0` without an instance). The VIP is local on the directors through a `local` route in
# static_routes, never an address (docs/bgp.md). The real servers have the VIP on lo, arp_ignore=1/arp_announce=2, and a
# default route via the router: replies go straight to the client (DR). The router spreads the
# VIP over both directors (ECMP, hashed on the ports: fib_multipath_hash_policy=1).
#
# Why every director picks the same real server for a flow: mh (Maglev hashing, ip_vs_mh.c) gives
# the same answer on every director whose destination list is the same, in the same order (the
# kernel fills its table walking the list, and a destination added later goes to its head).
# `inhibit_on_failure` sets a failed real server's weight to 0 instead of deleting it, so the list
# never changes, and mh builds its table from each server's last non-zero weight (ip_vs_ctl.c
# last_weight): a director whose checks failed and came back has the other director's table. A
# flow that hashes to a server at weight 0 would find no destination and be refused (ICMP port
# unreachable) while one of d1's servers is back and the other not yet (d1 is announced at quorum
# 1): `mh-fallback` sends it to the next server in mh's table instead.
# net.ipv4.vs.sloppy_tcp=1 (SLOPPY=1) lets IPVS schedule a connection's packet that is not a SYN,
# so a flow the router moves to the other director mid-stream before the sync daemon sent it (the
# 3rd packet, then every 10th here) is scheduled there, to the same real server, instead of being
# answered with a reset by the director's own stack (ip_vs_proto_tcp.c tcp_conn_schedule;
# ipvs-sysctl in the kernel's documentation).
#
# Steps, each a mark "MS NAME" in $TAG.marks (wall-clock ms; the client's records are in the same
# clock): steady, rs-fail (nftables on d1 drops its checks to the real servers), withdrawn (the
# router's route has d2 only), rs-back (rule removed), restored (both again), kill (d1's link cut
# at the bridge, then SIGKILL of everything in d1), out (d2 only), return (as after a reboot: table
# 100 and IPVS emptied, link up, FRR and keepalived-ts started again on d1), back (both), end. At each mark, per director: the
# connections its IPVS scheduled so far (/proc/net/ip_vs_stats_percpu) and its established
# connections by origin (/proc/net/ip_vs_conn_sync: LOCAL, scheduled here; SYNC, from the other
# director's sync daemon), in $TAG.ipvs as "MARK DIRECTOR CONNS LOCAL_ESTABLISHED
# SYNC_ESTABLISHED". Between marks the scenario waits for the client to answer 30 more new flows
# (a window with traffic in it however slow the VM is). A step that times out is written to
# $TAG.problems. Also: $TAG.flows (the client's JSON lines), $TAG.{d1,d2}.log (keepalived-ts),
# $TAG.frr-*.log, $TAG.router-routes (TZ=UTC ip -ts monitor route in the router), $TAG.tables
# (IPVS tables at the end).
#   bgp-ecmp.sh TAG [SLOPPY]        (SLOPPY: 1 (default) | 0)
set -u
TAG=$1
SLOPPY=${2:-1}
OUT=$KTS_RUN
PROJ=$PWD
FRR=/usr/lib/frr
VIP=203.0.113.10
PORT=7000
RTR=192.0.2.1
D1=192.0.2.11
D2=192.0.2.12
RS1=192.0.2.21
RS2=192.0.2.22
# FRR drops to the frr user: its state lives in the VM's own /tmp (the run folder is 9p).
WORK=$(mktemp -d)
chmod 755 "$WORK"
NSES="cl up d1 d2 r1 r2"

now_ms() { local us=${EPOCHREALTIME/./}; echo $((us / 1000)); }
problem() { echo "$*" >> "$OUT/$TAG.problems"; echo "== $TAG problem: $*"; }

lab_down() {
  local n i
  # A run that stops early still leaves the client's records for a look.
  [ -f "$WORK/flows" ] && [ ! -f "$OUT/$TAG.flows" ] && cp "$WORK/flows" "$OUT/$TAG.flows"
  for n in $NSES; do ip netns pids $n 2>/dev/null | xargs -r kill -9; done
  for n in $NSES; do
    for i in $(seq 1 50); do [ -z "$(ip netns pids $n 2>/dev/null)" ] && break; sleep 0.1; done
    ip netns del $n 2>/dev/null
  done
  return 0
}
lab_down
trap lab_down EXIT

for n in $NSES; do
  ip netns add $n
  ip -n $n link set lo up
done
ip -n up link add br0 type bridge
ip -n up link set br0 up
ip -n up addr add $RTR/24 dev br0
ip -n up link add cl0 type veth peer name eth0 netns cl
ip -n up addr add 198.51.100.1/24 dev cl0
ip -n up link set cl0 up
ip -n cl addr add 198.51.100.2/24 dev eth0
ip -n cl link set eth0 up
ip -n cl route add default via 198.51.100.1
ip netns exec up sysctl -q -w net.ipv4.ip_forward=1 net.ipv4.fib_multipath_hash_policy=1
# Each host on br0 through a veth whose other end (p<name>) is a bridge port in the router: a
# director's cable is cut there, where the router's br0 keeps its carrier (so only BFD tells).
for h in d1:$D1 d2:$D2 r1:$RS1 r2:$RS2; do
  n=${h%%:*} a=${h#*:}
  ip -n up link add p$n type veth peer name eth0 netns $n
  ip -n up link set p$n master br0 up
  ip -n $n addr add $a/24 dev eth0
  ip -n $n link set eth0 up
  ip -n $n route add default via $RTR
done
for r in r1 r2; do
  ip -n $r addr add $VIP/32 dev lo
  ip netns exec $r sysctl -q -w net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2 \
    net.ipv4.conf.eth0.arp_ignore=1 net.ipv4.conf.eth0.arp_announce=2
done
modprobe ip_vs
modprobe ip_vs_mh
# A process that stays in each director's namespace, the kill included: its /proc/PID/net is the
# director's IPVS, read at each mark.
ip netns exec d1 sleep 100000 &
H1=$!
ip netns exec d2 sleep 100000 &
H2=$!
for d in d1 d2; do
  # The sync daemon sends a connection on its 3rd packet, then every 10th (default: 50th).
  ip netns exec $d sysctl -q -w net.ipv4.vs.sync_threshold="3 10" net.ipv4.vs.sloppy_tcp=$SLOPPY
done

# ---- FRR ----
frr_conf() { # ns role(up|dir) router-id
  local d=$WORK/frr-$1
  mkdir -p "$d"
  {
    echo "hostname $1"
    echo "log file $d/zebra.log informational"
    [ "$2" = dir ] && echo "ip import-table 100"
  } > "$d/zebra.conf"
  # BFD 200 ms x 3 (the emulated VM's timers are coarser than a real host's).
  cat > "$d/bfdd.conf" <<END
hostname $1
log file $d/bfdd.log informational
bfd
 profile fast
  detect-multiplier 3
  receive-interval 200
  transmit-interval 200
 exit
exit
END
  if [ "$2" = up ]; then
    cat > "$d/bgpd.conf" <<END
hostname $1
log file $d/bgpd.log informational
router bgp 64512
 bgp router-id $3
 no bgp ebgp-requires-policy
 neighbor DIRS peer-group
 neighbor DIRS remote-as 64513
 neighbor DIRS bfd
 neighbor DIRS bfd profile fast
 neighbor DIRS timers 3 9
 neighbor DIRS timers connect 1
 neighbor DIRS advertisement-interval 0
 neighbor $D1 peer-group DIRS
 neighbor $D2 peer-group DIRS
 address-family ipv4 unicast
  maximum-paths 4
 exit-address-family
exit
END
  else
    cat > "$d/bgpd.conf" <<END
hostname $1
log file $d/bgpd.log informational
ip prefix-list VIP4 seq 5 permit 203.0.113.0/24 ge 32
route-map ANNOUNCE permit 10
 match ip address prefix-list VIP4
exit
route-map NONE deny 10
exit
router bgp 64513
 bgp router-id $3
 neighbor $RTR remote-as 64512
 neighbor $RTR bfd
 neighbor $RTR bfd profile fast
 neighbor $RTR timers 3 9
 neighbor $RTR timers connect 1
 neighbor $RTR advertisement-interval 0
 address-family ipv4 unicast
  redistribute table 100 route-map ANNOUNCE
  neighbor $RTR route-map NONE in
  neighbor $RTR route-map ANNOUNCE out
 exit-address-family
exit
END
  fi
  chown -R frr:frr "$d"
}
# zebra, bfdd, bgpd in that order, each with its own sockets (-z, --bfdctl, --vty_socket), ready
# when its vty socket appears (after it read its configuration).
frr_start() { # ns
  local d=$WORK/frr-$1 dm i
  rm -f "$d"/*.vty "$d"/*.pid "$d"/zserv.api "$d"/bfdd.sock
  for dm in zebra bfdd bgpd; do
    local extra=(-z "$d/zserv.api")
    [ $dm = bfdd ] && extra+=(--bfdctl "$d/bfdd.sock")
    ip netns exec $1 $FRR/$dm -d -u frr -g frr -P 0 -f "$d/$dm.conf" -i "$d/$dm.pid" \
      --vty_socket "$d" "${extra[@]}" >> "$d/$dm.stdout" 2>&1
    for i in $(seq 1 100); do [ -S "$d/$dm.vty" ] && break; sleep 0.1; done
    [ -S "$d/$dm.vty" ] || problem "$dm did not start in $1"
  done
}
# vtysh at most 5 s: a poll must not hang past its wait's deadline.
vty() { local ns=$1; shift; timeout 5 vtysh --vty_socket "$WORK/frr-$ns" -c "$*" 2>/dev/null; }
frr_conf up up $RTR
frr_conf d1 dir $D1
frr_conf d2 dir $D2
for n in up d1 d2; do frr_start $n; done
# The router's kernel routes as they change, stamped (UTC) as ip sees them.
TZ=UTC ip -ts -n up monitor route >> "$OUT/$TAG.router-routes" 2>&1 &

# ---- real servers ----
for r in r1 r2; do
  ip netns exec $r node "$PROJ/test/netns/scripts/flow-server.mjs" $r 0.0.0.0 $PORT >> "$OUT/$TAG.$r.log" 2>&1 &
done

# ---- keepalived-ts ----
for d in d1 d2; do
  cat > "$WORK/$d.conf" <<END
global_defs {
  router_id $d
  lvs_sync_daemon eth0
}
# The VIP is local on the directors through a route, never an address (docs/bgp.md).
static_routes {
  local $VIP/32 dev lo table local scope host
}
virtual_server $VIP $PORT {
  delay_loop 1
  alpha
  lb_algo mh
  mh-port
  mh-fallback
  lb_kind DR
  protocol TCP
  inhibit_on_failure
  announce_table 100
  real_server $RS1 $PORT {
    TCP_CHECK {
      connect_timeout 1
      retry 0
    }
  }
  real_server $RS2 $PORT {
    TCP_CHECK {
      connect_timeout 1
      retry 0
    }
  }
}
END
done
kts_start() { # ns
  ip netns exec $1 node "$PROJ/dist/cli.js" -n -l -f "$WORK/$1.conf" -p "$WORK/$1.pid" \
    --control-socket "$WORK/$1.sock" >> "$OUT/$TAG.$1.log" 2>&1 &
}
kts_start d1
kts_start d2

# ---- conditions ----
# until COMMAND succeeds, polling every 50 ms, at most $1 s; a problem otherwise.
wait_for() { # seconds what command...
  local end=$(($(now_ms) + $1 * 1000)) what=$2
  shift 2
  until "$@" > /dev/null 2>&1; do
    [ "$(now_ms)" -lt $end ] || { problem "timeout waiting for $what"; return 1; }
    sleep 0.05
  done
}
route_has() { ip -n up route show $VIP | grep -q "via $1 "; }
route_lacks() { ! route_has "$1"; }
both() { route_has $D1 && route_has $D2; }
only_d2() { route_lacks $D1 && route_has $D2; }
bfd_up() { vty up "show bfd peer $1 json" | grep -q '"status":"up"'; }
both_bfd() { bfd_up $D1 && bfd_up $D2; }
# The client writes its records in the guest's own file system ($WORK), polled every 50 ms: over
# the 9p run folder the growing file took seconds to read each time. Copied to $OUT at the end.
ok_flows() { local n; n=$(grep -c '"ok":true' "$WORK/flows" 2> /dev/null); echo "${n:-0}"; }
more_flows() { [ "$(ok_flows)" -ge "$1" ]; }
# Until the client answered $1 more new flows (at most 60 s).
flows_window() { wait_for 60 "$1 more answered flows" more_flows $(($(ok_flows) + $1)); }
# IPVS's view in each director's namespace, read through its holder process's /proc/PID/net: the
# connections scheduled there, with bash alone (no process started: both directors within a
# millisecond of the mark), and its established connections by origin (ip_vs_conn_sync: LOCAL,
# or SYNC from the other director's sync daemon), with awk (thousands of lines by the end: a bash
# loop over them took seconds in the emulated VM). The count is the sum of ip_vs_stats_percpu's
# per-CPU lines (hexadecimal), which the kernel reads live; ip_vs_stats, ipvsadm --stats and the
# "~" total line show the estimator's copy, folded in every 2 s (ip_vs_est.c), which would put a
# window's connections in the next one.
conns_of() { # holder-pid
  local cpu n rest conns=0
  {
    read -r
    read -r
    while read -r cpu n rest; do
      [ "$cpu" = "~" ] && break
      [ -n "$n" ] && conns=$((conns + 16#$n))
    done
  } < /proc/$1/net/ip_vs_stats_percpu
  echo $conns
}
established_of() { # holder-pid
  awk '$8 == "ESTABLISHED" { if ($9 == "LOCAL") l++; else if ($9 == "SYNC") s++ } END { print l + 0, s + 0 }' \
    /proc/$1/net/ip_vs_conn_sync
}
C1=0 C2=0
counters() { C1=$(conns_of $H1); C2=$(conns_of $H2); }
snapshot() { # mark (after counters)
  echo "$1 d1 $C1 $(established_of $H1)" >> "$OUT/$TAG.ipvs"
  echo "$1 d2 $C2 $(established_of $H2)" >> "$OUT/$TAG.ipvs"
}
stamp() { local us=${EPOCHREALTIME/./}; echo "$((us / 1000)) $1" >> "$OUT/$TAG.marks"; }
# A mark observed (the time first) or acted on (the counters first, the time just before the
# action); the established connections are counted after both.
observed() { stamp "$1"; counters; snapshot "$1"; echo "== $TAG $1 $(ip -n up route show $VIP | tr '\n\t' '  ')"; }
acting() { counters; stamp "$1"; snapshot "$1"; echo "== $TAG $1"; }

wait_for 120 "the VIP via both directors on the router" both
wait_for 60 "BFD up with both directors" both_bfd
wait_for 60 "the real servers" grep -q listening "$OUT/$TAG.r2.log"
# The client: 4 loops of new flows, 8 long-lived connections; a connect gives up after 1 s (TCP's
# first SYN retransmission), an answer may take 3 s (retransmissions across a failover) before a
# connection counts as broken: as in the netns lab (test/netns/active-active.ts).
ip netns exec cl node "$PROJ/test/netns/scripts/flow-client.mjs" $VIP $PORT "$WORK/flows" 4 8 1000 3000 \
  >> "$OUT/$TAG.client.log" 2>&1 &
CLIENT=$!
wait_for 60 "the client's first answers" more_flows 10
flows_window 20

observed steady
flows_window 30

acting rs-fail
ip netns exec d1 nft -f - <<END
table inet kts_lab {
  chain out {
    type filter hook output priority 0;
    ip daddr { $RS1, $RS2 } tcp dport $PORT drop
  }
}
END
wait_for 30 "the router to drop d1" only_d2 && observed withdrawn
flows_window 30
acting rs-back
ip netns exec d1 nft delete table inet kts_lab
wait_for 30 "the router to take d1 back" both && observed restored
flows_window 30

# BFD must be Up before the cut, or the router only notices at the BGP hold time.
wait_for 30 "BFD up with both directors" both_bfd
acting kill
ip -n up link set pd1 down
ip netns pids d1 | grep -vx $H1 | xargs -r kill -9
wait_for 30 "the router to drop d1 after the kill" only_d2 && observed out
flows_window 30

# d1 comes back as after a reboot: no announced route, no IPVS services left from before.
ip -n d1 route flush table 100
ip netns exec d1 ipvsadm -C
acting return
ip -n up link set pd1 up
for i in $(seq 1 50); do [ -z "$(ip netns pids d1 | grep -vx $H1)" ] && break; sleep 0.1; done
# keepalived-ts first: Node takes seconds to start in the VM, zebra imports table 100 whenever.
kts_start d1
frr_start d1
wait_for 120 "the router to take d1 back after its return" both && observed back
flows_window 40
observed end

kill -TERM $CLIENT
for i in $(seq 1 50); do kill -0 $CLIENT 2> /dev/null || break; sleep 0.1; done
cp "$WORK/flows" "$OUT/$TAG.flows"
for d in d1 d2; do
  echo "== $d"
  ip netns exec $d ipvsadm -Ln --stats --exact
  ip netns exec $d cat /proc/net/ip_vs_conn_sync
done > "$OUT/$TAG.tables" 2>&1
vty up "show ip bgp" > "$OUT/$TAG.frr-up-bgp.log"
for n in up d1 d2; do
  for dm in zebra bfdd bgpd; do cat "$WORK/frr-$n/$dm.log" "$WORK/frr-$n/$dm.stdout" 2>/dev/null; done > "$OUT/$TAG.frr-$n.log"
done
for d in d1 d2; do kill -TERM "$(cat "$WORK/$d.pid" 2>/dev/null)" 2>/dev/null; done
exit 0
