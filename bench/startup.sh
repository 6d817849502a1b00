#!/usr/bin/env bash
# Startup benchmark: starts serv.jar in a fresh empty folder RUNS times (embedded SQLite default, no setup) and prints,
# for each run, the milliseconds from `java -jar` to the first 200 on /health and on /posts, and the resident memory
# once started. Loopback only; each run is stopped with SIGTERM.
#   bench/startup.sh [RUNS]      (builds serv.jar first when it is missing)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
jar=serv.distribution/target/serv.jar
[ -f "$jar" ] || mvn -B -q install -DskipTests
port=${SERV_BENCH_PORT:-18080}

now_ms() { date +%s%3N; }
wait_200() { # path, start time
  while :; do
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port$1" || true)
    [ "$code" = 200 ] && { echo $(( $(now_ms) - $2 )); return; }
    [ $(( $(now_ms) - $2 )) -gt 60000 ] && { echo "timeout"; return; }
    sleep 0.02
  done
}

printf '%-4s %14s %14s %10s\n' run health_ms posts_ms rss_MiB
for i in $(seq 1 "$runs"); do
  home=$(mktemp -d)
  start=$(now_ms)
  (cd "$home" && SERV_PORT=$port exec java -jar "$OLDPWD/$jar" >"$home/serv.log" 2>&1) &
  pid=$!
  health=$(wait_200 /health "$start")
  posts=$(wait_200 /posts "$start")
  sleep 1
  rss=$(awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$pid/status" 2>/dev/null || echo "?")
  printf '%-4s %14s %14s %10s\n' "$i" "$health" "$posts" "$rss"
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$home"
done
