#!/usr/bin/env bash
# Startup benchmark: starts serv.jar in a fresh empty folder (embedded SQLite default, no setup) RUNS times and
# prints, for each run, the milliseconds from `java -jar` to the first 200 on /health and on /posts, the process's
# CPU milliseconds (user + system, JIT and GC included) at that first /posts 200, and the resident memory one second
# later. Beside it, as the yardstick on the same machine, bench/baseline (Jetty + HikariCP + JDBC, no framework) to its
# first 200 on /posts/1, with the same figures (set SERV_BENCH_BASELINE=0 to leave it out; it needs PostgreSQL).
#
# JVM options to compare go in SERV_BENCH_JVM, sets separated by '|'; the sets and the baseline take turns run by run:
#   bench/startup.sh [RUNS]
#   SERV_BENCH_JVM='|-XX:TieredStopAtLevel=1|-XX:+UseSerialGC' bench/startup.sh 3
# SERV_BENCH_JAR names another serv.jar to start (a build to compare with this one).
# Loopback only; each run is stopped with SIGTERM. The last table gives each set's medians.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
runs=${1:-5}
jar=${SERV_BENCH_JAR:-$root/serv.distribution/target/serv.jar}
[ -f "$jar" ] || mvn -B -q install -DskipTests
port=${SERV_BENCH_PORT:-18080}
IFS='|' read -r -a sets <<< "${SERV_BENCH_JVM:-}"
[ ${#sets[@]} -gt 0 ] || sets=("")
tck=$(getconf CLK_TCK)

now_ms() { date +%s%3N; }
wait_200() { # url, start time
  while :; do
    code=$(curl -s -o /dev/null -w '%{http_code}' "$1" || true)
    [ "$code" = 200 ] && { echo $(( $(now_ms) - $2 )); return; }
    [ $(( $(now_ms) - $2 )) -gt 60000 ] && { echo "timeout"; return; }
    sleep 0.02
  done
}
cpu_ms() { awk -v t="$tck" '{ printf "%d", ($14 + $15) * 1000 / t }' "/proc/$1/stat"; }
rss_mib() { awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo "?"; }

baseline=${SERV_BENCH_BASELINE:-1}
if [ "$baseline" != 0 ]; then
  db=serv_bench_startup
  psql() { PGOPTIONS=-cclient_min_messages=warning command psql -h 127.0.0.1 -U postgres -qAt "$@"; }
  psql -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
  # The blog's own schema (its PostgreSQL migrations) and one post for /posts/1.
  for f in $(ls serv.blog/src/main/resources/serv/migrations/default/V*.sql | grep -v '\.sqlite\.sql$' | sort); do
    psql -d "$db" -f "$f" >/dev/null
  done
  psql -d "$db" -c "INSERT INTO users (username, email, password_hash) VALUES ('u', 'u@example.com', 'x')" \
    -c "INSERT INTO posts (title, content, author_id) VALUES ('t', 'c', 1)"
  [ -d bench/baseline/target/lib ] || mvn -B -q -f bench/baseline/pom.xml package -DskipTests
fi

results=$(mktemp)
trap 'rm -f "$results"' EXIT
printf '%-34s %4s %10s %9s %7s %8s\n' set run health_ms posts_ms cpu_ms rss_MiB
for i in $(seq 1 "$runs"); do
  for opts in "${sets[@]}"; do
    home=$(mktemp -d)
    start=$(now_ms)
    # shellcheck disable=SC2086 # the set is a list of JVM options
    (cd "$home" && SERV_PORT=$port exec java $opts -jar "$jar" >"$home/serv.log" 2>&1) &
    pid=$!
    health=$(wait_200 "http://127.0.0.1:$port/health" "$start")
    posts=$(wait_200 "http://127.0.0.1:$port/posts" "$start")
    cpu=$(cpu_ms "$pid")
    sleep 1
    rss=$(rss_mib "$pid")
    name="serv ${opts:-(defaults)}"
    printf '%-34s %4s %10s %9s %7s %8s\n' "$name" "$i" "$health" "$posts" "$cpu" "$rss" | tee -a "$results"
    kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
    rm -rf "$home"
  done
  if [ "$baseline" != 0 ]; then
    start=$(now_ms)
    java -cp "bench/baseline/target/classes:bench/baseline/target/lib/*" Baseline "$((port + 1))" \
      "jdbc:postgresql://127.0.0.1:5432/$db" 16 >/dev/null 2>&1 &
    pid=$!
    posts=$(wait_200 "http://127.0.0.1:$((port + 1))/posts/1" "$start")
    cpu=$(cpu_ms "$pid")
    sleep 1
    rss=$(rss_mib "$pid")
    printf '%-34s %4s %10s %9s %7s %8s\n' "baseline" "$i" "-" "$posts" "$cpu" "$rss" | tee -a "$results"
    kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  fi
done

echo
echo "medians"
printf '%-34s %9s %7s %8s\n' set posts_ms cpu_ms rss_MiB
python3 - "$results" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    parts = line.split()
    name, figures = " ".join(parts[:-5]), parts[-3:]
    rows.setdefault(name, []).append(figures)
for name, figures in rows.items():
    med = [statistics.median(float(f[k]) for f in figures if f[k] not in ("timeout", "?")) for k in range(3)]
    print(f"{name:<34} {med[0]:>9.0f} {med[1]:>7.0f} {med[2]:>8.0f}")
PY
