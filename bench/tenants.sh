#!/usr/bin/env bash
# Tenants at scale (issues #6, #15): starts serv.jar on a fresh PostgreSQL database and prints
#   - bulk creation: TENANTS schema tenants (default 10,000) written into serv.config.yaml, to all configured, per
#     second (goal >= 500), and an edit of another tenant through the admin API meanwhile (goal applied <= 1 s);
#   - the first requests of 200 of the new tenants, 16 at a time (each starts a pool, creates a schema and runs the
#     blog's migrations): p50, p99 (goal <= 1 s), and no answer but 200;
#   - /health, /metrics and the console's tenant list (a page) at that size (goal <= 200 ms);
#   - resident memory per idle tenant (goal <= 0.1 MiB);
#   - fairness: one tenant hammered by wrk -c64 while 50 light tenants are called: their failures (goal 0) and p99
#     against the idle server's (goal <= 2x), the busy tenant's waits and refusals from /metrics;
#   - the peak of connections to PostgreSQL against the budget (SERV_CONNECTION_BUDGET, default 90);
#   - a restart with every tenant configured, to the first 200 (goal <= 5 s).
# Loopback only; needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust), python3 and wrk (installed if missing).
#   bench/tenants.sh [TENANTS]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
jar=$root/serv.distribution/target/serv.jar
[ -f "$jar" ] || mvn -B -q install -DskipTests
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
exec python3 "$root/bench/tenants.py" "$jar" "${1:-10000}"
