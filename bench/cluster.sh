#!/usr/bin/env bash
# Three Serv nodes behind HAProxy on one PostgreSQL (issue #14): propagation p50/p99 over 100 tenant additions and
# 100 edits, an extension dropped on one node, kill -9 of a node under write load, a rolling restart under load, the
# cluster's store cut for 10 s. Loopback only; needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust), python3
# and HAProxy (Debian's, installed if missing).
#   bench/cluster.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
jar=$root/serv.distribution/target/serv.jar
[ -f "$jar" ] || mvn -B -q install -DskipTests
command -v haproxy >/dev/null || { apt-get update -qq && apt-get install -y -qq haproxy >/dev/null; }
exec python3 "$root/bench/cluster.py" "$jar"
