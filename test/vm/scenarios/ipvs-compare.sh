#!/bin/bash
# In the VM (test/vm/ipvs-compare.test.ts): one checker-only director (namespace "dir") in front of
# real servers (namespace "rs": busybox httpd per address and port), driven through the same
# steps for each daemon named on the command line, with `ipvsadm -Sn` (sorted) and the IPVS
# timeouts written to $KTS_RUN/<daemon>-<step>.table / .timeouts after each step settles.
#   ipvs-compare.sh CONF RELOAD_CONF DAEMON...     DAEMON: keepalived | keepalived-ts
set -u
CONF=$1
RELOAD_CONF=$2
shift 2
OUT=$KTS_RUN
PROJ=$PWD
source "$PROJ/test/vm/scenarios/lab.sh"
lab_up 11 19

fail=0
SERVERS="192.0.2.11:80 192.0.2.12:80 192.0.2.13:80 192.0.2.13:8080 192.0.2.14:8080 192.0.2.15:80 192.0.2.16:80 192.0.2.17:8080 192.0.2.18:8080 192.0.2.19:8080"
up() { for s in "$@"; do ip netns exec rs busybox httpd -f -p "$s" -h "$WORK/www" & echo $! > "$WORK/rs-$s.pid"; done; }
down() { for s in "$@"; do kill "$(cat "$WORK/rs-$s.pid")" 2>/dev/null; wait "$(cat "$WORK/rs-$s.pid")" 2>/dev/null; done; }
table() { ip netns exec dir ipvsadm -Sn | sort; }
# Until the table has not changed for 4 s (checks run every second), at most 120 s.
settle() {
  local prev='' cur same=0 i
  for i in $(seq 1 120); do
    cur=$(table)
    if [ "$cur" = "$prev" ]; then same=$((same + 1)); [ $same -ge 4 ] && return 0; else same=0; fi
    prev=$cur
    sleep 1
  done
  echo "the table did not settle"
  fail=1
}
snap() {
  table > "$OUT/$KIND-$1.table"
  ip netns exec dir ipvsadm -L --timeout > "$OUT/$KIND-$1.timeouts"
  echo "== $KIND $1: $(wc -l < "$OUT/$KIND-$1.table") lines"
}

up $SERVERS
for KIND in "$@"; do
  cp "$CONF" "$WORK/director.conf"
  ip netns exec dir ipvsadm -C
  if [ "$KIND" = keepalived ]; then
    ip netns exec dir keepalived -C -n -l -D -f "$WORK/director.conf" -p "$WORK/ka.pid" -c "$WORK/ka-check.pid" \
      > "$OUT/$KIND.log" 2>&1 &
  else
    ip netns exec dir node "$PROJ/dist/cli.js" -C -n -l -f "$WORK/director.conf" -p "$WORK/kts.pid" \
      --control-socket "$WORK/kts.sock" > "$OUT/$KIND.log" 2>&1 &
  fi
  PID=$!
  # Both daemons log "Activating healthchecker ..." per checker as its checks begin (16 here).
  for i in $(seq 1 120); do
    [ "$(grep -c 'ctivating healthchecker' "$OUT/$KIND.log")" -ge 16 ] && break
    sleep 1
  done
  settle; snap 1-converged
  if [ "$KIND" = keepalived-ts ]; then
    # Read back through the daemon: a connection through a NAT service, then its counters.
    ip netns exec dir busybox wget -q -O /dev/null http://192.0.2.102/ || echo "wget through IPVS failed"
    # The kernel folds its per-CPU counters into what netlink reports on the estimator's tick
    # (every 2 s): ask until the connection is counted, for up to 10 s.
    for i in $(seq 1 10); do
      node "$PROJ/dist/cli.js" status --json --control-socket "$WORK/kts.sock" > "$OUT/kts-status.json"
      node -e '
        const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
        const nat = s.dispatcher.find((v) => v.id === "ipvs TCP 192.0.2.102:80");
        process.exit(nat && nat.dests.some((d) => d.totals.conns > 0) ? 0 : 1);
      ' "$OUT/kts-status.json" && break
      sleep 1
    done
    node "$PROJ/dist/cli.js" status --ipvsadm-save --control-socket "$WORK/kts.sock" > "$OUT/kts-save.txt"
  fi
  down 192.0.2.11:80 192.0.2.15:80
  settle; snap 2-servers-down
  up 192.0.2.11:80 192.0.2.15:80
  settle; snap 3-servers-back
  down 192.0.2.17:8080 192.0.2.18:8080
  settle; snap 4-quorum-lost
  up 192.0.2.17:8080 192.0.2.18:8080
  settle
  cp "$RELOAD_CONF" "$WORK/director.conf"
  kill -HUP $PID
  sleep 2
  settle; snap 5-reloaded
  kill -TERM $PID
  wait $PID
  snap 6-stopped
done
down $SERVERS
exit $fail
