#!/bin/bash
# In the VM (test/vm/convert-ipvsadm.test.ts): ipvsadm rules and keepalived-ts's conversion of
# them must give the same IPVS table. The rules are restored with ipvsadm-restore and the table
# saved; the table is cleared; keepalived-ts runs checker-only (-C) on `convert --from ipvsadm
# RULES`, in front of real servers that answer every check (namespace "rs": busybox httpd on each
# port the checks use, all addresses, IPv4 and IPv6); once its checks have begun, its table must
# become the restored one and stay so for 30 s (five delay_loops: a failing check would take its
# server out). `ipvsadm -Sn | sort` and `ipvsadm -Ln --thresholds` go to $KTS_RUN.
#   convert-ipvsadm.sh RULES
set -u
RULES=$1
OUT=$KTS_RUN
PROJ=$PWD
source "$PROJ/test/vm/scenarios/lab.sh"
lab_up 11 19

fail=0
table() { ip netns exec dir ipvsadm -Sn | sort; }
thresholds() { ip netns exec dir ipvsadm -Ln --thresholds; }
PIDS=()
for port in 80 443 5060 5353 8080; do
  ip netns exec rs busybox httpd -f -p "$port" -h "$WORK/www" &
  PIDS+=($!)
done

ip netns exec dir ipvsadm-restore < "$RULES" || { echo "ipvsadm-restore failed"; fail=1; }
table > "$OUT/restored.table"
thresholds > "$OUT/restored.thresholds"
echo "== restored: $(wc -l < "$OUT/restored.table") lines"
ip netns exec dir ipvsadm -C

node "$PROJ/dist/cli.js" convert --from ipvsadm "$RULES" > "$OUT/converted.conf" 2> "$OUT/convert.err" \
  || { echo "convert failed: $(cat "$OUT/convert.err")"; fail=1; }
ip netns exec dir node "$PROJ/dist/cli.js" -C -n -l -f "$OUT/converted.conf" -p "$WORK/kts.pid" \
  --control-socket "$WORK/kts.sock" > "$OUT/keepalived-ts.log" 2>&1 &
PID=$!
# keepalived-ts logs "Activating healthchecker ..." per checker as its checks begin.
want=$(grep -c '^ *real_server ' "$OUT/converted.conf")
for i in $(seq 1 120); do
  [ "$(grep -c 'ctivating healthchecker' "$OUT/keepalived-ts.log")" -ge "$want" ] && break
  sleep 1
done
echo "== checkers: $(grep -c 'ctivating healthchecker' "$OUT/keepalived-ts.log") of $want"
for i in $(seq 1 120); do
  [ "$(table)" = "$(cat "$OUT/restored.table")" ] && break
  sleep 1
done
held=0
for i in $(seq 1 30); do
  [ "$(table)" = "$(cat "$OUT/restored.table")" ] || break
  held=$i
  sleep 1
done
echo "$held" > "$OUT/held"
table > "$OUT/converted.table"
thresholds > "$OUT/converted.thresholds"
echo "== converted: $(wc -l < "$OUT/converted.table") lines, held ${held} s"
kill -TERM $PID
wait $PID
kill "${PIDS[@]}" 2>/dev/null
wait 2>/dev/null
exit $fail
