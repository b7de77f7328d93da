#!/bin/bash
# In the VM (bench/ipvs-scale.ts): for each daemon named, a checker-only director with the
# generated config (SERVICES virtual services x 10 NAT real servers, TCP_CHECK every DELAY s):
# seconds from start until the whole table is in the kernel, the daemon's CPU over STEADY seconds
# once it is with the checks the real servers saw in that time (SYNs to port 80, counted by
# nftables in their namespace: the same count for both daemons), then one real server killed (one destination in every service goes) and the time
# until the kernel shows it, and what keepalived-ts counted. Results: $KTS_RUN/<daemon>.result.
#   ipvs-scale.sh CONF SERVICES STEADY DAEMON...
set -u
CONF=$1
SERVICES=$2
STEADY=$3
shift 3
OUT=$KTS_RUN
PROJ=$PWD
source "$PROJ/test/vm/scenarios/lab.sh"
lab_up 11 20
for i in $(seq 11 20); do ip netns exec rs busybox httpd -f -p 192.0.2.$i:80 -h "$WORK/www" & echo $! > "$WORK/rs$i.pid"; done
ip netns exec dir modprobe ip_vs_rr
# Every check is one TCP connection to a real server: count the SYNs that reach them.
ip netns exec rs nft add table inet checks
ip netns exec rs nft add chain inet checks in '{ type filter hook input priority 0; }'
ip netns exec rs nft add rule inet checks in tcp dport 80 tcp flags '& (syn | ack) == syn' counter
syns() { ip netns exec rs nft list chain inet checks in | awk '/counter packets/ {for (i = 1; i < NF; i++) if ($i == "packets") print $(i + 1)}'; }
WANT=$((SERVICES * 11))
now() { date +%s.%N; }
# Lines of /proc/net/ip_vs after its three header lines: one per service and per destination.
entries() { ip netns exec dir awk 'NR > 3' /proc/net/ip_vs | wc -l; }
# keepalived-ts's IPVS message counter, from its status document (which, with 10,000 real servers
# and their checkers, takes seconds to build under emulation: no client timeout here).
messages() {
  node -e 'const s=require("net").connect(process.argv[1]);let d="";s.on("connect",()=>s.write("status\n"));s.on("data",c=>d+=c);s.on("end",()=>console.log(JSON.parse(d).ipvs.messages))' "$WORK/kts.sock"
}
# The daemon's processes: keepalived's parent and checker child by their command line;
# keepalived-ts is one process ($PID: ip netns exec execs it), whose title hides its command line.
pids() { if [ "$KIND" = keepalived ]; then pgrep -f "$PAT"; else echo "$PID"; fi; }
ticks() { local t=0 p; for p in $(pids); do t=$((t + $(awk '{print $14 + $15}' /proc/$p/stat))); done; echo $t; }
for KIND in "$@"; do
  ip netns exec dir ipvsadm -C
  t0=$(now)
  if [ "$KIND" = keepalived ]; then
    ip netns exec dir keepalived -C -n -D -f "$CONF" -p "$WORK/ka.pid" -c "$WORK/ka-check.pid" > "$OUT/$KIND.log" 2>&1 &
    PAT="keepalived -C -n -D -f $CONF"
  else
    ip netns exec dir node "$PROJ/dist/cli.js" -C -n -f "$CONF" -p "$WORK/kts.pid" --control-socket "$WORK/kts.sock" \
      > "$OUT/$KIND.log" 2>&1 &
  fi
  PID=$!
  full=timeout
  for i in $(seq 1 3000); do
    if [ "$(entries)" -ge "$WANT" ]; then full=$(awk -v a="$t0" -v b="$(now)" 'BEGIN{printf "%.2f", b-a}'); break; fi
    sleep 0.2
  done
  sleep 5
  c0=$(ticks); n0=$(syns); s0=$(now)
  sleep "$STEADY"
  c1=$(ticks); n1=$(syns); s1=$(now)
  cpu=$(awk -v c="$((c1 - c0))" -v a="$s0" -v b="$s1" 'BEGIN{printf "%.1f", c / (b - a)}')
  checks=$(awk -v n="$((n1 - n0))" -v a="$s0" -v b="$s1" 'BEGIN{printf "%.1f", n / (b - a)}')
  m0=''
  [ "$KIND" = keepalived-ts ] && m0=$(messages)
  kill "$(cat "$WORK/rs11.pid")"
  t2=$(now)
  gone=timeout
  for i in $(seq 1 3000); do
    if [ "$(entries)" -le "$((WANT - SERVICES))" ]; then gone=$(awk -v a="$t2" -v b="$(now)" 'BEGIN{printf "%.2f", b-a}'); break; fi
    sleep 0.2
  done
  m1=''
  [ "$KIND" = keepalived-ts ] && m1=$(messages)
  rss=$(for p in $(pids); do awk '/VmRSS/{print $2}' /proc/$p/status; done | awk '{s+=$1} END {print s}')
  echo "full_s=$full cpu_pct=$cpu checks_per_s=$checks gone_s=$gone messages_before=$m0 messages_after=$m1 rss_kib=$rss entries=$(entries)" > "$OUT/$KIND.result"
  cat "$OUT/$KIND.result"
  kill -TERM $PID
  wait $PID
  ip netns exec rs busybox httpd -f -p 192.0.2.11:80 -h "$WORK/www" & echo $! > "$WORK/rs11.pid"
done
exit 0
