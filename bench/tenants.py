"""Tenants at scale (issues #6 and #15): see bench/tenants.sh.

python3 bench/tenants.py SERV_JAR [TENANTS]
"""
import collections
import json
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import servbench  # noqa: E402
from servbench import percentile  # noqa: E402

JAR = sys.argv[1]
TENANTS = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
PORT = int(os.environ.get("SERV_BENCH_PORT", "18083"))
BUDGET = int(os.environ.get("SERV_CONNECTION_BUDGET", "90"))
DB = "serv_bench_tenants"


def config(tenants):
    """serv.config.yaml: {tenants} schema tenants t0..t{n-1} (pools closed after 5 s idle), and the fairness test's
    busy and light tenants (pools kept 120 s)."""
    lines = ["databases:", f'  default: {{url: "postgresql://postgres@127.0.0.1:5432/{DB}", pool_size: 2}}',
             "tenants:"]
    for i in range(tenants):
        lines.append(f"  t{i}: {{hosts: [t{i}.bench], idle_timeout: 5}}")
    lines.append("  busy: {hosts: [busy.bench], idle_timeout: 120}")
    for i in range(50):
        lines.append(f"  light{i}: {{hosts: [light{i}.bench], idle_timeout: 120}}")
    return "\n".join(lines) + "\n"


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, (time.perf_counter() - start) * 1000


def get(server, host, path="/posts", timeout=30):
    try:
        return server.request("GET", path, headers={"Host": host}, timeout=timeout)[0]
    except OSError:
        return -1


def tenant_count(server):
    status, body = server.api("GET", "tenants?limit=0")
    return body.get("total", 0) if status == 200 else 0


def latencies(fn, n):
    out = []
    for _ in range(n):
        out.append(timed(fn)[1])
    return out


class Peak(threading.Thread):
    """The most connections to the database open at once, sampled every 50 ms."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peak = 0
        self.running = True

    def run(self):
        while self.running:
            n = int(servbench.psql(f"SELECT count(*) FROM pg_stat_activity WHERE datname = '{DB}'"))
            self.peak = max(self.peak, n)
            time.sleep(0.05)


def main():
    servbench.fresh_database(DB)
    env = {"SERV_CONNECTION_BUDGET": str(BUDGET)}
    # An empty server first: its memory, and its requests' latency with no tenant.
    server = servbench.Server(JAR, PORT, f"""databases:
  default: {{url: "postgresql://postgres@127.0.0.1:5432/{DB}", pool_size: 2}}
""", env=env, prefix="serv-tenants-")
    peak = Peak()
    peak.start()
    try:
        time.sleep(3)
        rss_before = server.rss_mib()
        server.api("POST", "tenants", {"id": "probe", "hosts": ["probe.bench"]})
        server.await_status("/posts", 200, 60, {"Host": "probe.bench"})

        # Bulk creation through the file, with an edit of another tenant through the admin API meanwhile.
        with open(os.path.join(server.home, "serv.config.yaml"), "w") as f:
            f.write(config(TENANTS))
        start = time.perf_counter()
        edit_ms = None
        while True:
            n = tenant_count(server)
            if edit_ms is None and n >= min(TENANTS // 2, 5000):
                edit_start = time.perf_counter()
                server.api("PUT", "tenants/probe", {"name": "Probe edited"})
                while server.api("GET", "tenants/probe")[1].get("name") != "Probe edited":
                    time.sleep(0.005)
                edit_ms = (time.perf_counter() - edit_start) * 1000
            if n >= TENANTS + 52:
                break
            if time.perf_counter() - start > 600:
                raise SystemExit(f"only {n} tenants after 600 s")
            time.sleep(0.02)
        created_s = time.perf_counter() - start
        print(f"bulk creation through serv.config.yaml: {TENANTS + 51:,} tenants in {created_s:.1f} s"
              f" = {(TENANTS + 51) / created_s:,.0f} per second (goal >= 500)")
        print(f"an edit of another tenant (admin API) while half of them were being created: applied in"
              f" {edit_ms:.0f} ms (goal <= 1000)")

        # First requests right after the bulk creation: 200 tenants, 16 at a time.
        def first(i):
            t0 = time.perf_counter()
            status = get(server, f"t{i * (TENANTS // 200)}.bench")
            return status, (time.perf_counter() - t0) * 1000
        with ThreadPoolExecutor(16) as pool:
            results = list(pool.map(first, range(200)))
        codes = collections.Counter(s for s, _ in results)
        times = [ms for _, ms in results]
        print(f"first requests of 200 new tenants, 16 at a time: p50 {percentile(times, 0.5):.0f} ms, p99"
              f" {percentile(times, 0.99):.0f} ms (goal <= 1000), answers {dict(codes)} (goal: all 200)")

        # The server at that size.
        # /health and /metrics as the operator (every tenant's database and series) and as the public (none named)
        operator = {"Authorization": server.auth}
        for path, headers in (("/health", operator), ("/health", None), ("/metrics", operator), ("/metrics", None)):
            ms = latencies(lambda: server.request("GET", path, headers=headers), 50)
            print(f"{path}{' (operator)' if headers else ''} with {TENANTS:,} tenants: p50 {percentile(ms, 0.5):.1f} ms, p99 {percentile(ms, 0.99):.1f} ms"
                  " (goal <= 200)")
        ms = latencies(lambda: server.api("GET", "tenants?limit=100"), 50)
        print(f"the console's tenant list (admin API, a page of 100 of {TENANTS:,}): p50 {percentile(ms, 0.5):.1f} ms,"
              f" p99 {percentile(ms, 0.99):.1f} ms (goal <= 200)")
        time.sleep(12)  # every woken pool idle past its idle_timeout: closed
        rss_after = server.rss_mib()
        print(f"resident memory: {rss_before:.0f} MiB empty, {rss_after:.0f} MiB with {TENANTS:,} idle tenants:"
              f" {(rss_after - rss_before) / TENANTS:.3f} MiB per idle tenant (goal <= 0.1)")

        fairness(server)
        peak.running = False
        print(f"peak connections to the database: {peak.peak} (budget {BUDGET})")
    finally:
        peak.running = False
        server.stop(keep=True)

    # A restart with every tenant configured: the pools stay lazy.
    restarted = servbench.Server(JAR, PORT, None, home=server.home, env=env, ready_path="/posts")
    try:
        tenant_ms = restarted.await_status("/posts", 200, 120, {"Host": "t1.bench"})
        print(f"start with {TENANTS:,} tenants configured to the first 200 on a database route:"
              f" {restarted.ready_ms / 1000:.1f} s (goal <= 5 s); on a tenant's: {tenant_ms / 1000:.1f} s")
    finally:
        restarted.stop()
        servbench.psql(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")


def fairness(server):
    """One tenant hammered by 64 clients (wrk) while 50 light tenants are called one request at a time."""
    hosts = [f"light{i}.bench" for i in range(50)]
    for h in hosts + ["busy.bench"]:
        server.await_status("/posts", 200, 60, {"Host": h})

    def light_round(n):
        ms, failed = [], 0
        for r in range(n):
            h = hosts[r % len(hosts)]
            t0 = time.perf_counter()
            if get(server, h) != 200:
                failed += 1
            ms.append((time.perf_counter() - t0) * 1000)
        return ms, failed
    idle, _ = light_round(500)
    wrk = subprocess.Popen(["wrk", "-t2", "-c64", "-d20s", "-H", "Host: busy.bench", f"http://127.0.0.1:{PORT}/posts"],
                           stdout=subprocess.PIPE, text=True)
    time.sleep(3)
    busy, failed = light_round(1000)
    out, _ = wrk.communicate()
    import re
    rate = re.search(r"Requests/sec:\s+(\S+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    # each tenant's series are the operator's
    metrics = server.request("GET", "/metrics", headers={"Authorization": server.auth})[1].decode()
    waited = re.search(r'serv_tenant_requests_waited_total\{tenant="busy"\} (\d+)', metrics)
    refused = re.search(r'serv_tenant_requests_refused_total\{tenant="busy"\} (\d+)', metrics)
    print(f"fairness: busy tenant under wrk -c64: {rate.group(1) if rate else '?'} req/s, non-2xx"
          f" {non2xx.group(1) if non2xx else 0}, waited {waited.group(1) if waited else 0}, refused"
          f" {refused.group(1) if refused else 0} (/metrics); 50 light tenants meanwhile: {failed} failed of 1000"
          f" (goal 0), p99 {percentile(busy, 0.99):.1f} ms against {percentile(idle, 0.99):.1f} ms on the idle"
          f" server ({percentile(busy, 0.99) / percentile(idle, 0.99):.1f}x; goal <= 2x)")


if __name__ == "__main__":
    main()
