#!/usr/bin/env bash
# Tenancy benchmark (issue #6): starts serv.jar on a fresh PostgreSQL database, creates 1,000 tenants (schema per
# tenant, idle_timeout 5 s) through the Web Console, and prints: the time from a tenant's creation to its first
# 200 (the first request starts its pool, creates its schema and runs the blog's migrations), measured on the first
# TIMED tenants one after the other; the resident memory per idle tenant (all 1,000 configured, their pools closed);
# and the peak of PostgreSQL connections while 200 tenants are woken 16 at a time, against the budget
# (SERV_CONNECTION_BUDGET, default 90). Loopback only; needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust).
#   bench/tenants.sh [TENANTS] [TIMED]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
jar=$root/serv.distribution/target/serv.jar
[ -f "$jar" ] || mvn -B -q install -DskipTests
tenants=${1:-1000}
timed=${2:-100}
port=${SERV_BENCH_PORT:-18083}
budget=${SERV_CONNECTION_BUDGET:-90}
db=serv_bench_tenants
psql() { PGOPTIONS=-cclient_min_messages=warning command psql -h 127.0.0.1 -U postgres -qAt "$@"; }
psql -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"

home=$(mktemp -d)
cat > "$home/serv.config.yaml" <<YAML
databases:
  default: {url: "postgresql://postgres@127.0.0.1:5432/$db", pool_size: 2}
YAML
(cd "$home" && SERV_PORT=$port SERV_CONSOLE_USER=bench SERV_CONSOLE_PASSWORD=bench \
  SERV_CONNECTION_BUDGET=$budget exec java -jar "$jar" >"$home/serv.log" 2>&1) &
pid=$!
trap 'kill $peakpid 2>/dev/null || true; kill -TERM $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; [ -n "${SERV_BENCH_KEEP:-}" ] || rm -rf "$home"' EXIT
peakpid=
until curl -sf -o /dev/null "http://127.0.0.1:$port/health"; do sleep 0.1; done
sleep 3
rss() { awk '/VmRSS/ { print $2 }' "/proc/$pid/status"; }
before=$(rss)

# Peak of the server's connections to the database, sampled every 50 ms.
(peak=0; while :; do
   n=$(psql -d postgres -c "SELECT count(*) FROM pg_stat_activity WHERE datname = '$db' AND pid <> pg_backend_pid()")
   [ "$n" -gt "$peak" ] && { peak=$n; echo "$peak" > "$home/peak"; }
   sleep 0.05
 done) &
peakpid=$!

python3 - "$port" "$tenants" "$timed" <<'PY'
import base64, statistics, sys, time, urllib.parse, urllib.request
from concurrent.futures import ThreadPoolExecutor
port, tenants, timed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
base = f"http://127.0.0.1:{port}"
auth = "Basic " + base64.b64encode(b"bench:bench").decode()
class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k): return None
opener = urllib.request.build_opener(NoRedirect)
def create(i):
    data = urllib.parse.urlencode({"apply": "true", "factoryPid": "serv.tenant", "action": "ajaxConfigManager",
        "propertylist": "id,hosts,idle_timeout", "id": f"t{i}", "hosts": f"t{i}.bench", "idle_timeout": "5"}).encode()
    placeholder = urllib.parse.quote("[Temporary PID replaced by real PID upon save]")
    req = urllib.request.Request(f"{base}/system/console/configMgr/{placeholder}",
        data=data, headers={"Authorization": auth})
    try:
        opener.open(req, timeout=30)
    except urllib.error.HTTPError as e:
        if e.code != 302: raise
def get(i):
    req = urllib.request.Request(f"{base}/posts", headers={"Host": f"t{i}.bench"})
    try:
        return urllib.request.urlopen(req, timeout=30).status
    except urllib.error.HTTPError as e:
        return e.code
times = []
for i in range(timed):
    start = time.perf_counter()
    create(i)
    while get(i) != 200:
        if time.perf_counter() - start > 30: raise SystemExit(f"tenant t{i} not serving after 30 s")
        time.sleep(0.002)
    times.append((time.perf_counter() - start) * 1000)
times.sort()
print(f"tenant creation to first 200 ({timed} tenants, one after the other): p50 {statistics.median(times):.0f} ms, "
      f"p99 {times[max(0, int(len(times) * 0.99) - 1)]:.0f} ms, max {times[-1]:.0f} ms")
start = time.perf_counter()
with ThreadPoolExecutor(8) as pool:
    list(pool.map(create, range(timed, tenants)))
print(f"{tenants - timed} more tenants created in {time.perf_counter() - start:.1f} s")
woken = list(range(min(200, tenants)))
with ThreadPoolExecutor(16) as pool:
    codes = list(pool.map(get, woken))
print(f"200 tenants woken 16 at a time: {sum(1 for c in codes if c == 200)} answered 200, "
      f"{sum(1 for c in codes if c == 503)} answered 503")
PY
sleep 12   # every pool idle for more than idle_timeout: closed
after=$(rss)
kill $peakpid 2>/dev/null || true
peak=$(cat "$home/peak" 2>/dev/null || echo 0)
awk -v b="$before" -v a="$after" -v n="$tenants" 'BEGIN { printf "resident memory: %.0f MiB before, %.0f MiB with %d idle tenants: %.3f MiB per idle tenant\n", b/1024, a/1024, n, (a-b)/1024/n }'
echo "peak connections to the database: $peak (budget $budget)"
