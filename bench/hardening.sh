#!/usr/bin/env bash
# Hardening benchmark (issue #17): for each blog repository (jdbc, jpa) it starts serv.jar on a fresh PostgreSQL
# database reached through a TCP proxy it can cut, and prints
#   - fuzz: >= 10,000 hostile requests (protocol errors, NUL and invalid UTF-8, huge and wrong-typed values, path
#     tricks, bad JSON, cut bodies) -> answers >= 500 (goal 0), error bodies that are not JSON (goal 0), hangs;
#   - outage: 6 writers while the database is cut for 30 s -> answers 500 (goal 0), first 2xx after the database
#     is back (goal <= 2 s), acknowledged writes missing from the table (goal 0);
#   - slow bodies: 1,000 connections sending a POST body one byte every 2 s (each connecting again once answered),
#     while wrk measures GET /posts/{id}
#     -> others' p99 (goal < 100 ms);
#   - locked table: posts locked for 15 s under 100 writers -> /health answers that were not 200 UP (goal 0).
# Loopback only; needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust), python3 and wrk (installed from Debian
# if missing).   bench/hardening.sh [jdbc|jpa ...]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
jar=$root/serv.distribution/target/serv.jar
[ -f "$jar" ] || mvn -B -q install -DskipTests
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
repositories=("${@:-jdbc jpa}")
for repository in ${repositories[*]}; do
  python3 "$root/bench/hardening.py" "$jar" "$repository"
done
