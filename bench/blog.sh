#!/usr/bin/env bash
# Blog benchmark (issue #5): seeds 100 users and 10,000 posts (300-1000 characters, a fifth of them non-ASCII) into
# a fresh PostgreSQL database, starts serv.jar on it, and runs wrk (2 threads, 32 connections, 5 s warm-up, 10 s
# measured) against GET /posts/{random id}, GET /posts?limit=20 and POST /posts with random valid bodies. Prints
# req/s, p50, p99 and non-2xx per endpoint, the time from start to the first 200 and the resident memory.
# The three endpoints run once per repository implementation (SERV_BENCH_REPOSITORIES, default "jdbc jpa"),
# switched live by rewriting serv.config.yaml, the way an operator would.
# Loopback only. Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust); installs wrk from Debian if missing.
#   bench/blog.sh
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
config() { # repository
  cat > "$home/serv.config.yaml.new" <<YAML
databases:
  default:
    url: "postgresql://postgres@127.0.0.1:5432/$db"
    pool_size: ${SERV_BENCH_POOL:-16}
extensions:
  - extension: blog
    settings: {repository: $1}
YAML
  mv "$home/serv.config.yaml.new" "$home/serv.config.yaml"
}
use() { # repository: switch the blog to it and wait until the blog says so
  config "$1"
  until grep "Blog: database" "$home/serv.log" | tail -1 | grep -q " $1 repositories"; do sleep 0.1; done
}
repositories=${SERV_BENCH_REPOSITORIES:-jdbc jpa}
config "${repositories%% *}"
start=$(date +%s%3N)
(cd "$home" && SERV_PORT=$port exec java -jar "$jar" >"$home/serv.log" 2>&1) &
pid=$!
trap 'kill -TERM $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$home"' EXIT
until curl -sf -o /dev/null "http://127.0.0.1:$port/health"; do sleep 0.02; done
first=$(( $(date +%s%3N) - start ))

psql -d "$db" <<'SQL'
INSERT INTO users (username, email, password_hash)
  SELECT 'user' || g, 'user' || g || '@example.com', 'pbkdf2-sha256$1$x$x' FROM generate_series(1, 100) g;
INSERT INTO posts (title, content, author_id, created_at, updated_at)
  SELECT 'Post ' || g,
         left(CASE WHEN g % 5 = 0 THEN repeat('Grüße aus Köln, naïve café — 😀 ', 40)
                   ELSE repeat('Serv runs modular Java web applications on OSGi. ', 25) END,
              300 + (g * 7919) % 701),
         1 + g % 100,
         timestamp '2024-01-01' + g * interval '1 minute',
         timestamp '2024-01-01' + g * interval '1 minute'
  FROM generate_series(1, 10000) g;
ANALYZE;
SQL
rss=$(awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$pid/status")

run() { # name, wrk arguments...
  local name=$1; shift
  wrk -t2 -c32 -d5s "$@" >/dev/null 2>&1 || true
  local out; out=$(wrk -t2 -c32 -d10s --latency "$@" 2>&1)
  local rps p50 p99 non2xx
  rps=$(awk '/Requests\/sec/ { print $2 }' <<<"$out")
  p50=$(awk '$1 == "50%" { print $2 }' <<<"$out")
  p99=$(awk '$1 == "99%" { print $2 }' <<<"$out")
  non2xx=$(awk '/Non-2xx/ { print $NF }' <<<"$out")
  printf '%-22s %10s %10s %10s %8s\n' "$name" "$rps" "$p50" "$p99" "${non2xx:-0}"
}
url="http://127.0.0.1:$port"
# Warm-up: the JIT compiles and the pools fill with each implementation before anything is measured (right after
# start, on 2 cores, the first endpoint measured would otherwise pay for the compiler).
for repository in $repositories; do
  use "$repository"
  for target in "-s bench/wrk/get_post.lua $url" "$url/posts?limit=20" "-s bench/wrk/create_post.lua $url"; do
    wrk -t2 -c32 -d5s $target >/dev/null 2>&1 || true
  done
done
for repository in $repositories; do
  use "$repository"
  printf '\n%-22s %10s %10s %10s %8s\n' "$repository: endpoint" req/s p50 p99 non-2xx
  run "GET /posts/{id}" -s bench/wrk/get_post.lua "$url"
  run "GET /posts?limit=20" "$url/posts?limit=20"
  run "POST /posts" -s bench/wrk/create_post.lua "$url"
done
echo "start to first 200 on /health: ${first} ms; resident memory after start: ${rss} MiB"
