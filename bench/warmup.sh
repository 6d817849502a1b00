#!/usr/bin/env bash
# Warm-up benchmark (issue #16: "from start, within 0.8x of its own steady state by the 10th second of load").
# Starts a server fresh on the blog's data (bench/seed.sql in PostgreSQL), and from its first 200 on a database
# route puts it under load at once: wrk, 2 threads, 32 connections, GET /posts/{random id} (SERV_BENCH_PATH
# "list" for GET /posts?limit=20), one continuous run whose responses are counted second by second (the first 20
# full seconds); then 30 s more of load, then its steady state: the median of three 5 s runs. Prints each second's
# req/s as a share of that steady state, and the first second from which every later second stays at 0.8x or more.
# Serv (serv.jar, the blog on SERV_BENCH_REPOSITORY: jdbc or jpa) and bench/baseline take turns, each started
# anew, for SERV_BENCH_ROUNDS rounds (default 3), one server running at a time. JVM options to compare go in
# SERV_BENCH_JVM, sets separated by '|' (as for bench/startup.sh): each set is one more server in the turns.
# Loopback only. Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust); installs wrk from Debian if missing.
#   bench/warmup.sh                                (about 2 minutes per round)
#   SERV_BENCH_REPOSITORY=jpa bench/warmup.sh 1
#   SERV_BENCH_JVM='|-XX:CompileThresholdScaling=0.5' bench/warmup.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
jar=${SERV_BENCH_JAR:-$root/serv.distribution/target/serv.jar}
[ -f "$jar" ] || mvn -B -q install -DskipTests
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
rounds=${1:-${SERV_BENCH_ROUNDS:-3}}
IFS='|' read -r -a sets <<< "${SERV_BENCH_JVM:-}"
[ ${#sets[@]} -gt 0 ] || sets=("")
servers=()
for i in "${!sets[@]}"; do servers+=("serv$i"); done
servers+=(baseline)
port=${SERV_BENCH_PORT:-18084}
repository=${SERV_BENCH_REPOSITORY:-jdbc}
db=serv_bench_warmup
psql() { PGOPTIONS=-cclient_min_messages=warning command psql -h 127.0.0.1 -U postgres -qAt "$@"; }
psql -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
[ -d bench/baseline/target/lib ] || mvn -B -q -f bench/baseline/pom.xml package -DskipTests
# One script for every run (bench/wrk/per_second.lua), so that wrk's own cost is the same in each.
load=(-s bench/wrk/per_second.lua "http://127.0.0.1:$port")
case ${SERV_BENCH_PATH:-get} in
  list) export SERV_BENCH_LUA_PATH=/posts?limit=20; probe=/posts?limit=20 ;;
  *) unset SERV_BENCH_LUA_PATH; probe=/posts/1 ;;
esac

now_ms() { date +%s%3N; }
home=$(mktemp -d)
pid=
trap 'if [ -n "$pid" ]; then kill -TERM $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; fi; rm -rf "$home"' EXIT
rps() { awk '/Requests\/sec/ { printf "%.0f", $2 }'; }

# Serv creates the blog's tables (its migrations) once; every round starts on them, seeded anew.
start_serv() { # JVM options
  cat >"$home/serv.config.yaml" <<YAML
databases:
  default:
    url: "postgresql://postgres@127.0.0.1:5432/$db"
    pool_size: 16
extensions:
  - extension: blog
    settings: {repository: $repository}
YAML
  (cd "$home" && SERV_PORT=$port exec java $1 -jar "$jar" >"$home/server.log" 2>&1) &
  pid=$!
}
await_200() { # start time
  until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port$probe")" = 200 ]; do
    [ $(( $(now_ms) - $1 )) -gt 60000 ] && { echo "no 200 on $probe in 60 s"; tail "$home/server.log"; exit 1; }
    sleep 0.02
  done
}
start_serv ""
probe=/posts await_200 "$(now_ms)"
kill -TERM $pid; wait $pid 2>/dev/null || true; pid=

declare -A share first10 steady ready
for round in $(seq 1 "$rounds"); do
  for server in "${servers[@]}"; do
    psql -d "$db" -f bench/seed.sql >/dev/null
    rm -rf "${home:?}"/* # a first start each time, like the first round's
    start=$(now_ms)
    if [ $server != baseline ]; then
      start_serv "${sets[${server#serv}]}"
    else
      java -cp "bench/baseline/target/classes:bench/baseline/target/lib/*" Baseline "$port" \
        "jdbc:postgresql://127.0.0.1:5432/$db" 16 >"$home/server.log" 2>&1 &
      pid=$!
    fi
    await_200 "$start"
    ready[$server/$round]=$(( $(now_ms) - start ))
    seconds=()
    # One continuous load of 21 s, counted second by second (the first, partial second left out).
    mapfile -t seconds < <(wrk -t2 -c32 -d21s "${load[@]}" 2>&1 | awk '/^second / { print $3 }' | head -20)
    wrk -t2 -c32 -d30s "${load[@]}" >/dev/null 2>&1
    runs=()
    for s in 1 2 3; do runs+=("$(wrk -t2 -c32 -d5s "${load[@]}" 2>&1 | rps)"); done
    st=$(printf '%s\n' "${runs[@]}" | sort -n | sed -n 2p)
    steady[$server/$round]=$st
    line=""
    for s in "${!seconds[@]}"; do line="$line $(awk -v a="${seconds[$s]}" -v b="$st" 'BEGIN { printf "%.2f", a / b }')"; done
    share[$server/$round]=$line
    # The first second from which every later one is at 0.8x of the steady state or more.
    first10[$server/$round]=$(awk -v b="$st" '{ for (i = NF; i >= 1; i--) if ($i < 0.8) { print i + 1; exit } print 1 }' <<<"$line")
    kill -TERM $pid; wait $pid 2>/dev/null || true; pid=
  done
done

for i in "${!sets[@]}"; do [ ${#sets[@]} = 1 ] || echo "serv$i: java ${sets[$i]:+${sets[$i]} }-jar serv.jar"; done
printf '%-9s %5s %8s %8s %6s   %s\n' server round ready_ms steady 0.8x_at "each second's req/s / steady state (seconds 1-20 of load)"
for round in $(seq 1 "$rounds"); do
  for server in "${servers[@]}"; do
    printf '%-9s %5s %8s %8s %5ss  %s\n' "$server" "$round" "${ready[$server/$round]}" "${steady[$server/$round]}" \
      "${first10[$server/$round]}" "${share[$server/$round]}"
  done
done
echo "(Serv: the blog on its $repository repository; load: ${SERV_BENCH_LUA_PATH:-GET /posts/{random id}}; 0.8x_at: from that second on, every second"
echo " of load served 0.8x of the server's own steady state or more; issue #16's goal for Serv: 10 s at the latest)"
