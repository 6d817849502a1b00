#!/usr/bin/env bash
# Blog benchmark (issue #5): seeds 100 users and 10,000 posts (300-1000 characters, a fifth of them non-ASCII) into
# a fresh PostgreSQL database, starts serv.jar on it, and runs wrk (2 threads, 32 connections, 5 s warm-up, 10 s
# measured) against GET /posts/{random id}, GET /posts?limit=20 and POST /posts with random valid bodies. Prints
# req/s, p50, p99, non-2xx and each server process's own CPU time per request (user + system from /proc, JIT and
# GC included: far steadier than req/s on shared cores) per endpoint, the time from start to the first 200 and
# the resident memory.
# The three endpoints run for each repository implementation (SERV_BENCH_REPOSITORIES, default "jdbc jpa"), each
# in a serv.jar process of its own (ports SERV_BENCH_PORT, +2, +3, ...), as an operator runs one repository, and for
# bench/baseline (port SERV_BENCH_PORT + 1): the same SQL, checks and answers hand-wired on Jetty 12, HikariCP and
# JDBC with no framework, on the same machine, database and pool size (SERV_BENCH_BASELINE=0 leaves it out).
# SERV_BENCH_SWITCH=1 runs every repository in one serv.jar instead, switched live by rewriting serv.config.yaml,
# the way an operator would: that process compiles both repositories' code, mixes their type profiles and throws
# compiled code away at each switch, which a server that runs one repository does not. On 2 shared cores one 10 s
# run varies by 10-30%, so the
# sets take turns for SERV_BENCH_ROUNDS rounds (default 3; the idle servers meanwhile cost nothing) and the
# tables give each round's req/s and the median; the last table gives Serv's medians as a share of the baseline's,
# and the CPU per request with and without the JIT's compiler threads (a server still warming spends a share of its
# CPU compiling; the second figure is what it costs once warm).
# SERV_BENCH_WARMUP: seconds of load per endpoint and set before the first round (default 5; the JIT takes 30 s and
# more to settle on 2 cores, JPA's create longest, so a long warm-up measures the servers warm).
# The posts table is seeded again before each set, so every set starts from the same 10,000 posts, and the order
# of the sets turns from round to round.
# Loopback only. Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust); installs wrk from Debian if missing.
#   bench/blog.sh                 (about 3 minutes per round)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
jar=$root/serv.distribution/target/serv.jar
[ -f "$jar" ] || mvn -B -q install -DskipTests
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
port=${SERV_BENCH_PORT:-18082}
db=serv_bench_blog
psql() { PGOPTIONS=-cclient_min_messages=warning command psql -h 127.0.0.1 -U postgres -qAt "$@"; }
psql -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"

home=$(mktemp -d)
config() { # folder, repository
  cat > "$1/serv.config.yaml.new" <<YAML
databases:
  default:
    url: "postgresql://postgres@127.0.0.1:5432/$db"
    pool_size: ${SERV_BENCH_POOL:-16}
extensions:
  - extension: blog
    settings: {repository: $2}
YAML
  mv "$1/serv.config.yaml.new" "$1/serv.config.yaml"
}
repositories=${SERV_BENCH_REPOSITORIES:-jdbc jpa}
switch=${SERV_BENCH_SWITCH:-0}
declare -A pids ports homes
pids_list=""
trap 'kill -TERM $pids_list 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$home"' EXIT
start_serv() { # name, repository, port: a serv.jar in a folder of its own; waits for its first 200
  local dir=$home/$1
  mkdir -p "$dir"
  config "$dir" "$2"
  local t0
  t0=$(date +%s%3N)
  (cd "$dir" && SERV_PORT=$3 exec java -jar "$jar" >"$dir/serv.log" 2>&1) &
  pids[$1]=$!; ports[$1]=$3; homes[$1]=$dir; pids_list="$pids_list $!"
  until curl -sf -o /dev/null "http://127.0.0.1:$3/health"; do sleep 0.02; done
  first="$first $1 $(( $(date +%s%3N) - t0 )) ms"
}
first=""
k=0
if [ "$switch" = 1 ]; then
  start_serv serv "${repositories%% *}" "$port"
  for r in $repositories; do pids[$r]=${pids[serv]}; ports[$r]=$port; homes[$r]=${homes[serv]}; done
else
  for r in $repositories; do
    start_serv "$r" "$r" $(( k == 0 ? port : port + 1 + k ))
    k=$((k + 1))
  done
fi
use() { # repository: in the one process of SERV_BENCH_SWITCH=1, switch the blog to it and wait until it says so
  [ "$switch" = 1 ] || return 0
  config "${homes[$1]}" "$1"
  until grep "Blog: database" "${homes[$1]}/serv.log" | tail -1 | grep -q " $1 repositories"; do sleep 0.1; done
}

seed() { psql -d "$db" -f bench/seed.sql; } # the 100 users and 10,000 posts, from scratch
seed
rss=""
for r in $repositories; do
  rss="$rss $r $(awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/${pids[$r]}/status") MiB"
  if [ "$switch" = 1 ]; then break; fi
done

sets=$repositories
if [ "${SERV_BENCH_BASELINE:-1}" != 0 ]; then
  # The yardstick, beside serv.jar on the next port.
  mvn -B -q -f bench/baseline/pom.xml package -DskipTests
  java -cp "bench/baseline/target/classes:bench/baseline/target/lib/*" Baseline "$((port + 1))" \
    "jdbc:postgresql://127.0.0.1:5432/$db" "${SERV_BENCH_POOL:-16}" >"$home/baseline.log" 2>&1 &
  pids[baseline]=$!; ports[baseline]=$((port + 1)); pids_list="$pids_list $!"
  until curl -s -o /dev/null "http://127.0.0.1:$((port + 1))/posts/1"; do sleep 0.02; done
  sets="$sets baseline"
fi
target_of() { # set: its base URL (in the one process of SERV_BENCH_SWITCH=1, after switching it to that repository)
  if [ "$1" != baseline ]; then use "$1"; fi
  echo "http://127.0.0.1:${ports[$1]}"
}
names=("GET /posts/{id}" "GET /posts?limit=20" "POST /posts")
tick=$(getconf CLK_TCK)
pid_of() { echo "${pids[$1]}"; }
cpu_ms() { # pid: user + system CPU time of the process so far (JIT and GC included), in ms
  awk -v t="$tick" '{ printf "%.0f", ($14 + $15) * 1000 / t }' "/proc/$1/stat"
}
jit_ms() { # pid: the CPU time of its JIT compiler threads so far, in ms (a warming server's share of cpu_ms)
  # (a compiler thread that ends between two readings takes its time out of the sum: HotSpot starts and ends them
  # with the load; rare once warm, and it errs towards more CPU left to the server, not less)
  local sum=0 task
  for task in /proc/"$1"/task/*; do
    grep -q '^C[12] CompilerThre' "$task/comm" 2>/dev/null || continue
    sum=$((sum + $(awk '{ print $14 + $15 }' "$task/stat" 2>/dev/null || echo 0)))
  done
  echo $((sum * 1000 / tick))
}
wrk_args() { # endpoint index, base URL
  case $1 in
    0) echo "-s bench/wrk/get_post.lua $2" ;;
    1) echo "$2/posts?limit=20" ;;
    2) echo "-s bench/wrk/create_post.lua $2" ;;
  esac
}

# Warm-up: the JIT compiles and the pools fill with each implementation before anything is measured (right after
# start, on 2 cores, the first endpoint measured would otherwise pay for the compiler).
for set in $sets; do
  base=$(target_of "$set")
  for i in 0 1 2; do wrk -t2 -c32 -d"${SERV_BENCH_WARMUP:-5}"s $(wrk_args $i "$base") >/dev/null 2>&1 || true; done
done

declare -A rps p50 p99 non2xx cpu steady
rounds=${SERV_BENCH_ROUNDS:-3}
read -r -a order <<<"$sets"
for round in $(seq 1 "$rounds"); do
  # The order turns each round (a b c, b c a, c a b): no set is always the one measured after another's load.
  turn=()
  for k in "${!order[@]}"; do turn+=("${order[$(( (k + round - 1) % ${#order[@]} ))]}"); done
  for set in "${turn[@]}"; do
    base=$(target_of "$set")
    seed
    for i in 0 1 2; do
      wrk -t2 -c32 -d5s $(wrk_args $i "$base") >/dev/null 2>&1 || true
      c0=$(cpu_ms "$(pid_of "$set")"); j0=$(jit_ms "$(pid_of "$set")")
      out=$(wrk -t2 -c32 -d10s --latency $(wrk_args $i "$base") 2>&1)
      c1=$(cpu_ms "$(pid_of "$set")"); j1=$(jit_ms "$(pid_of "$set")")
      key="$set/$i/$round"
      cpu[$key]=$(awk -v c=$((c1 - c0)) '/requests in/ { printf "%.3f", c / $1 }' <<<"$out")
      steady[$key]=$(awk -v c=$((c1 - c0 - j1 + j0)) '/requests in/ { printf "%.3f", c / $1 }' <<<"$out")
      rps[$key]=$(awk '/Requests\/sec/ { printf "%.0f", $2 }' <<<"$out")
      p50[$key]=$(awk '$1 == "50%" { print $2 }' <<<"$out")
      p99[$key]=$(awk '$1 == "99%" { print $2 }' <<<"$out")
      non2xx[$key]=$(awk '/Non-2xx/ { print $NF }' <<<"$out")
      non2xx[$key]=${non2xx[$key]:-0}
    done
  done
done

median_cpu() { # set, endpoint[, steady]: the median CPU ms per request over the rounds (steady: without the JIT's)
  for r in $(seq 1 "$rounds"); do
    if [ -n "${3:-}" ]; then echo "${steady[$1/$2/$r]}"; else echo "${cpu[$1/$2/$r]}"; fi
  done | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}
median_round() { # set, endpoint: the round whose req/s is the median
  for r in $(seq 1 "$rounds"); do echo "${rps[$1/$2/$r]} $r"; done | sort -n | awk '{ a[NR] = $2 } END { print a[int((NR + 1) / 2)] }'
}
for set in $sets; do
  printf '\n%-20s %9s %9s %9s %8s %8s   %s\n' "$set: endpoint" "req/s" p50 p99 non-2xx "CPU ms" \
    "req/s and CPU ms per request of each round"
  for i in 0 1 2; do
    m=$(median_round "$set" $i)
    each=""; bad=0
    for r in $(seq 1 "$rounds"); do
      each="$each ${rps[$set/$i/$r]}/${cpu[$set/$i/$r]}"; bad=$((bad + ${non2xx[$set/$i/$r]}))
    done
    printf '%-20s %9s %9s %9s %8s %8s  %s\n' "${names[$i]}" "${rps[$set/$i/$m]}" "${p50[$set/$i/$m]}" \
      "${p99[$set/$i/$m]}" "$bad" "$(median_cpu "$set" $i)" "$each"
  done
done
echo "serv.jar: start to first 200 on /health:${first}; resident memory after start:${rss}"

if [ "${SERV_BENCH_BASELINE:-1}" != 0 ]; then
  printf '\n%-20s %9s' "Serv / baseline" baseline
  for repository in $repositories; do printf ' %9s %12s %8s' "$repository" "CPU/request" "w/o JIT"; done
  printf '\n'
  for i in 0 1 2; do
    b=${rps[baseline/$i/$(median_round baseline $i)]}
    bc=$(median_cpu baseline $i)
    bs=$(median_cpu baseline $i steady)
    printf '%-20s %9s' "${names[$i]}" "$b"
    for repository in $repositories; do
      awk -v s="${rps[$repository/$i/$(median_round "$repository" $i)]}" -v b="$b" \
        -v sc="$(median_cpu "$repository" $i)" -v bc="$bc" -v ss="$(median_cpu "$repository" $i steady)" -v bs="$bs" \
        'BEGIN { printf " %8.0f%% %11.2fx %7.2fx", 100 * s / b, sc / bc, ss / bs }'
    done
    printf '\n'
  done
  echo "(req/s as a share of the baseline's, and CPU ms per request as a multiple of the baseline's: medians;"
  echo " w/o JIT: the same without the CPU of the JIT's compiler threads, what is left once a server is warm)"
fi
