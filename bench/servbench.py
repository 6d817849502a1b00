"""What the Python benchmarks share: serv.jar as a process in a fresh home, PostgreSQL through psql, the admin API,
and percentiles. Standard library only."""
import base64
import http.client
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time

FORM = "application/x-www-form-urlencoded"
USER, PASSWORD = "bench", "bench-password"


def psql(sql, db="postgres", stdin=None):
    """Runs SQL (or the script on stdin) as postgres on 127.0.0.1; its output."""
    env = dict(os.environ, PGOPTIONS="-cclient_min_messages=warning")
    args = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-qAt", "-v", "ON_ERROR_STOP=1"]
    args += ["-c", sql] if sql else []
    return subprocess.run(args, env=env, input=stdin, capture_output=True, text=True, check=True).stdout.strip()


def fresh_database(name):
    psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    psql(f"CREATE DATABASE {name}")


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))] if values else float("nan")


class Server:
    """serv.jar in {home} (a fresh temporary folder unless given), on {port}, with serv.config.yaml = {config}."""

    def __init__(self, jar, port, config=None, home=None, env=None, ready_path="/health", prefix="serv-bench-"):
        self.jar, self.port = jar, port
        self.home = home or tempfile.mkdtemp(prefix=prefix)
        if config is not None:
            with open(os.path.join(self.home, "serv.config.yaml"), "w") as f:
                f.write(config)
        self.env = dict(os.environ, SERV_PORT=str(port), SERV_CONSOLE_USER=USER, SERV_CONSOLE_PASSWORD=PASSWORD,
                        **(env or {}))
        self.auth = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        self.started = time.time()
        self.log = open(os.path.join(self.home, "serv.log"), "a")
        self.process = subprocess.Popen(["java", "-jar", jar], cwd=self.home, env=self.env, stdout=self.log,
                                        stderr=subprocess.STDOUT)
        self.ready_ms = self.await_status(ready_path, 200, 120)

    def await_status(self, path, status, timeout_s, headers=None):
        """Waits until {path} answers {status}; the milliseconds since the process started."""
        deadline = time.time() + timeout_s
        while True:
            try:
                if self.request("GET", path, headers=headers, timeout=5)[0] == status:
                    return (time.time() - self.started) * 1000
            except OSError:
                pass
            if time.time() > deadline or self.process.poll() is not None:
                raise SystemExit(f"Serv did not answer {path} with {status}; its log: {self.home}/serv.log")
            time.sleep(0.05)

    def request(self, method, path, body=None, content_type=FORM, headers=None, timeout=30):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            h = dict(headers or {})
            if body is not None:
                h["Content-Type"] = content_type
            c.request(method, path, body, h)
            r = c.getresponse()
            return r.status, r.read()
        finally:
            c.close()

    def api(self, method, path, body=None, timeout=60):
        """The admin API: (status, decoded JSON)."""
        data = None if body is None else json.dumps(body).encode()
        status, raw = self.request(method, "/system/console/serv/api/" + path, data, "application/json",
                                   {"Authorization": self.auth}, timeout)
        return status, (json.loads(raw) if raw else {})

    def rss_mib(self):
        with open(f"/proc/{self.process.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self, keep=False):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()
        if not keep:
            if os.environ.get("SERV_BENCH_KEEP"):
                print(f"  (home kept: {self.home})")
            else:
                shutil.rmtree(self.home, ignore_errors=True)

    def log_summary(self):
        """Lines, ERROR lines and stack trace lines of the log so far, and the first ERROR lines."""
        with open(os.path.join(self.home, "serv.log"), errors="replace") as f:
            lines = f.read().splitlines()
        errors = [l for l in lines if " ERROR " in l or l.startswith("ERROR")]
        frames = sum(1 for l in lines if l.startswith("\tat "))
        return len(lines), errors, frames
