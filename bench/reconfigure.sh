#!/usr/bin/env bash
# Live reconfiguration benchmark (issue #3): drives GET /posts with wrk while editing database "default" through
# the Web Console 100 times (pool size) and switching its URL 10 times between two PostgreSQL databases. Prints
# the failed requests (goal: 0) and the time from each edit to the new pool size being in effect (goal: 100 ms).
# Loopback only; needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust) and wrk (installed from Debian if
# missing).   bench/reconfigure.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
jar=$root/serv.distribution/target/serv.jar
[ -f "$jar" ] || mvn -B -q install -DskipTests
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
port=${SERV_BENCH_PORT:-18081}
psql="env PGOPTIONS=-cclient_min_messages=warning psql -h 127.0.0.1 -U postgres -d postgres -qAt"
for db in serv_bench_a serv_bench_b; do
  $psql -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
done

home=$(mktemp -d)
cat > "$home/serv.config.yaml" <<YAML
databases:
  default:
    url: "postgresql://postgres@127.0.0.1:5432/serv_bench_a"
    pool_size: 4
YAML
(cd "$home" && SERV_PORT=$port SERV_CONSOLE_USER=bench SERV_CONSOLE_PASSWORD=bench exec java -jar "$jar" \
  >"$home/serv.log" 2>&1) &
pid=$!
trap 'kill -TERM $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$home"' EXIT
until curl -sf -o /dev/null "http://127.0.0.1:$port/health"; do sleep 0.1; done

wrk -t2 -c16 -d120s --latency "http://127.0.0.1:$port/posts?limit=5" >"$home/wrk.txt" 2>&1 &
wrkpid=$!
sleep 2
python3 - "$port" <<'PY'
import base64, json, statistics, sys, time, urllib.parse, urllib.request
port = sys.argv[1]
base = f"http://127.0.0.1:{port}"
auth = "Basic " + base64.b64encode(b"bench:bench").decode()
def edit(url, size):
    data = urllib.parse.urlencode({"apply": "true", "factoryPid": "serv.database",
        "propertylist": "name,url,pool_size", "name": "default", "url": url, "pool_size": str(size)}).encode()
    req = urllib.request.Request(f"{base}/system/console/configMgr/serv.database~default", data=data,
        headers={"Authorization": auth})
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a, **k): return None
    try:
        urllib.request.build_opener(NoRedirect).open(req, timeout=10)
    except urllib.error.HTTPError as e:
        if e.code != 302: raise
def pool_max():
    req = urllib.request.Request(f"{base}/health", headers={"Authorization": auth})  # pool figures: the operator's
    return json.load(urllib.request.urlopen(req, timeout=5))["databases"]["default"]["pool"]["max"]
urls = ["postgresql://postgres@127.0.0.1:5432/serv_bench_a", "postgresql://postgres@127.0.0.1:5432/serv_bench_b"]
edit(urls[0], 4)  # warm the console login (PBKDF2 runs once)
times = []
url = urls[0]
for i in range(100):
    size = 3 + i % 6
    start = time.perf_counter()
    edit(url, size)
    while pool_max() != size:
        if time.perf_counter() - start > 10: raise SystemExit(f"size {size} not in effect after 10 s")
        time.sleep(0.002)
    times.append((time.perf_counter() - start) * 1000)
    if i % 10 == 9:
        url = urls[(i // 10 + 1) % 2]
        edit(url, size)
        time.sleep(0.5)
times.sort()
print(f"pool size edits: {len(times)}, edit to effect: p50 {statistics.median(times):.1f} ms, "
      f"p99 {times[int(len(times) * 0.99) - 1]:.1f} ms, max {times[-1]:.1f} ms")
print("URL switches: 10")
PY
kill -INT $wrkpid; wait $wrkpid || true
requests=$(awk '/requests in/ { print $1 }' "$home/wrk.txt")
non2xx=$(awk '/Non-2xx/ { print $NF }' "$home/wrk.txt"); non2xx=${non2xx:-0}
errors=$(awk '/Socket errors/ { print }' "$home/wrk.txt")
echo "requests during the edits: $requests, failed (non-2xx): $non2xx${errors:+, $errors}"
grep -E "^ +Latency |Requests/sec" "$home/wrk.txt"
