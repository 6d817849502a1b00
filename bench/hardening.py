"""Hardening benchmark (issue #17), one blog repository per run: see bench/hardening.sh.

python3 bench/hardening.py SERV_JAR jdbc|jpa
"""
import asyncio
import collections
import http.client
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import servbench  # noqa: E402

JAR, REPOSITORY = sys.argv[1], sys.argv[2]
PORT = int(os.environ.get("SERV_BENCH_PORT", "18085"))
DB = f"serv_bench_hardening_{REPOSITORY}"
FORM = servbench.FORM


def psql(sql, db=DB, stdin=None):
    return servbench.psql(sql, db, stdin)


class Proxy:
    """A TCP proxy between Serv and PostgreSQL that can cut every connection and refuse new ones (an outage)."""

    def __init__(self, upstream_port):
        self.upstream = ("127.0.0.1", upstream_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.down = False
        self.pairs = set()
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            client, _ = self.listener.accept()
            if self.down:
                client.close()
                continue
            try:
                server = socket.create_connection(self.upstream)
            except OSError:
                client.close()
                continue
            pair = (client, server)
            with self.lock:
                self.pairs.add(pair)
            for a, b in (pair, pair[::-1]):
                threading.Thread(target=self._pump, args=(a, b, pair), daemon=True).start()

    def _pump(self, source, target, pair):
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        self._close(pair)

    def _close(self, pair):
        with self.lock:
            self.pairs.discard(pair)
        for s in pair:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def cut(self):
        self.down = True
        with self.lock:
            pairs = list(self.pairs)
        for pair in pairs:
            self._close(pair)

    def restore(self):
        self.down = False


percentile = servbench.percentile


class Server(servbench.Server):
    """Serv with the blog on {REPOSITORY}, its database reached through the proxy."""

    def __init__(self, proxy_port):
        super().__init__(JAR, PORT, f"""databases:
  default: {{url: "postgresql://postgres@127.0.0.1:{proxy_port}/{DB}"}}
extensions:
  - extension: blog
    settings: {{repository: {REPOSITORY}}}
""", ready_path="/posts", prefix="serv-hardening-")

    def stop(self):
        super().stop(keep=True)
        lines, errors, frames = self.log_summary()
        print(f"  Serv's log: {lines:,} lines, {len(errors)} ERROR, {frames} stack trace lines")
        for line in errors[:5]:
            print(f"    {line[:220]}")
        if os.environ.get("SERV_BENCH_KEEP"):
            print(f"  (home kept: {self.home})")
        else:
            shutil.rmtree(self.home, ignore_errors=True)


def author(server):
    name = f"a{time.time_ns()}"
    status, body = server.request("POST", "/users", f"username={name}&email={name}%40x.test&password=long+enough")
    assert status == 201, (status, body)
    return json.loads(body)["id"]


# ---------------------------------------------------------------------------------------------------------- fuzz

HOSTILE = ["a%00b", "%00", "%ff%fe", "%C0%AE", "x" * 70000, "-1", "0", "99999999999999999999", "1e309", "NaN",
           "' OR 1=1 --", "<script>alert(1)</script>", "%E2%80%AE", "%F0%9F%98%80" * 500, "", "+", "%", "%zz",
           "null", "[]", "{}", "true", "1.5", "0x10", "%0d%0aSet-Cookie:%20x=1", "..%2f..%2fetc%2fpasswd", "1",
           "42"]
JSON_VALUES = ['"a\\u0000b"', '"\\ud800"', "5", "-1", "1e309", "99999999999999999999", "null", "true", "[]",
               '{"a":1}', '"' + "y" * 70000 + '"', '"ok"', '"1"', "1", "[" * 5000 + "]" * 5000]
PATHS = ["/posts", "/posts/{v}", "/users", "/users/{v}", "/posts?limit={v}", "/posts?limit={v}&offset={v}",
         "/users?limit={v}", "/posts/{v}/x", "/{v}", "/posts/{v}?{v}={v}", "//posts", "/posts/", "/POSTS",
         "/posts;jsessionid={v}", "/posts/%2e%2e/users", "/posts/..%2f..%2fhealth", "/health?{v}", "/metrics/{v}"]
METHODS = ["GET", "GET", "POST", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "FOO"]
TYPES = [FORM, FORM, "application/json", "application/json", "text/plain", "multipart/form-data; boundary=x",
         None, "application/json; charset=utf-16", "application/x-www-form-urlencoded; charset=latin1", "%%%"]
PROTOCOL = [
    b"GET /posts FOO/1.1\r\nHost: x\r\n\r\n",
    b"GET /posts\r\n\r\n",
    b"GET /po\rsts HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /posts HTTP/1.1\r\nHost: x\r\n" + b"X-Big: " + b"h" * 100000 + b"\r\n\r\n",
    b"GET /" + b"p" * 100000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    b"POST /posts HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: " + FORM.encode()
    + b"\r\n\r\nzz\r\ntitle\r\n0\r\n\r\n",
    b"POST /posts HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    b"POST /posts HTTP/1.1\r\nHost: x\r\nContent-Length: -3\r\n\r\n",
    b"POST /posts HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
    b"POST /posts HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
    b"GET /posts HTTP/1.1\r\n\r\n",
    b"GET /posts HTTP/2.0\r\nHost: x\r\n\r\n",
    b"GET /posts HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(40),
    b"GET http://evil.test/posts HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /posts HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\r\n",
    b"POST /posts HTTP/1.1\r\nHost: x\r\nContent-Type: " + FORM.encode() + b"\r\nContent-Length: 2000000\r\n\r\n"
    + b"t" * 2000000,
    b"GET /%ff%00 HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /posts/1 HTTP/1.1\r\nHost: \x00\r\n\r\n",
    b"PUT /posts/1 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
]


def hostile_request(rnd, author_id):
    """One request: either protocol-level garbage, or a well-formed request carrying hostile values."""
    if rnd.random() < 0.12:
        return rnd.choice(PROTOCOL), False
    value = lambda: rnd.choice(HOSTILE)
    method = rnd.choice(METHODS)
    path = rnd.choice(PATHS).replace("{v}", value().replace(" ", "+").replace("\r", "")[:2000] or "1")
    content_type = rnd.choice(TYPES)
    body = b""
    if method in ("POST", "PUT", "PATCH") or rnd.random() < 0.05:
        fields = ["title", "content", "author_id", "username", "email", "password", "limit", "x"]
        if content_type is not None and "json" in content_type and rnd.random() < 0.8:
            chosen = {f: rnd.choice(JSON_VALUES) for f in rnd.sample(fields, rnd.randint(0, 5))}
            if rnd.random() < 0.5:
                chosen.setdefault("author_id", str(author_id))
            body = ("{" + ",".join(f'"{k}":{v}' for k, v in chosen.items()) + "}").encode()
            if rnd.random() < 0.2:
                body = body[:rnd.randint(0, len(body))]  # invalid JSON
        else:
            pairs = [(f, value()) for f in rnd.sample(fields, rnd.randint(0, 6))]
            if rnd.random() < 0.5:
                pairs.append(("author_id", str(author_id)))
            body = "&".join(f"{k}={v}" for k, v in pairs).encode()
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
    if content_type is not None and body:
        head += f"Content-Type: {content_type}\r\n"
    cut = body and rnd.random() < 0.05
    if body or method in ("POST", "PUT"):
        length = len(body) + (rnd.randint(1, 100) if cut else 0)
        head += f"Content-Length: {length}\r\n"
    return head.encode() + b"\r\n" + body, cut


def complete(data):
    """The answer in data, once it is whole: (status, headers, body), or None while more is to come."""
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        return None
    headers = head.decode("latin-1").lower()
    if "transfer-encoding: chunked" in headers:
        out, rest = b"", body
        while True:
            size_line, sep, rest = rest.partition(b"\r\n")
            if not sep:
                return None
            size = int(size_line.split(b";")[0] or b"0", 16)
            if size == 0:
                body = out
                break
            if len(rest) < size + 2:
                return None
            out, rest = out + rest[:size], rest[size + 2:]
    else:
        length = re.search(r"content-length: *(\d+)", headers)
        if length is None:
            return None  # ends when the server closes
        if len(body) < int(length.group(1)):
            return None
    return int(re.match(r"http/1\.[01] (\d{3})", headers).group(1)), headers, body


def exchange(raw, cut, timeout=15):
    """Sends raw bytes and reads one answer (to its end, or until the server closes): (status or None, headers,
    body, hung)."""
    with socket.create_connection(("127.0.0.1", PORT), timeout=timeout) as s:
        try:
            s.sendall(raw)
            if cut:
                s.shutdown(socket.SHUT_WR)  # the client goes away mid-body
        except OSError:
            pass  # the server refused to read more (an answer may still be there)
        data = b""
        try:
            while chunk := s.recv(65536):
                data += chunk
                if re.match(rb"HTTP/1\.[01] \d{3}", data) and (answer := complete(data)):
                    return (*answer, False)
        except socket.timeout:
            return None, "", data, True
        except OSError:
            pass
    if not re.match(rb"HTTP/1\.[01] (\d{3})", data):
        return None, "", data, False
    head, _, body = data.partition(b"\r\n\r\n")
    return int(data[9:12]), head.decode("latin-1").lower(), body, False


def fuzz(server, count):
    author_id = author(server)
    rnd = random.Random(17)
    requests = [hostile_request(rnd, author_id) for _ in range(count)] + [(p, False) for p in PROTOCOL]
    statuses = collections.Counter()
    bad = collections.Counter()  # what went wrong, with an example
    examples = {}
    lock = threading.Lock()
    position = iter(range(len(requests)))

    def work():
        while True:
            with lock:
                i = next(position, None)
            if i is None:
                return
            raw, cut = requests[i]
            status, headers, body, hung = exchange(raw, cut)
            problem = None
            if hung:
                problem = "hung (no answer in 15 s)"
            elif status is None:
                problem = None if cut or not body else "not HTTP"
            elif status >= 500 and status != 505:
                problem = f"{status}"
            elif status >= 400 and body and not raw.startswith(b"HEAD"):
                try:
                    if "error" not in json.loads(body):
                        problem = "error body without \"error\""
                except ValueError:
                    problem = "error body not JSON"
            with lock:
                statuses["closed" if status is None else status] += 1
                if problem:
                    bad[problem] += 1
                    examples.setdefault(problem, (raw[:160], body[:200]))

    threads = [threading.Thread(target=work) for _ in range(8)]
    start = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.time() - start
    five = sum(n for s, n in statuses.items() if s != "closed" and s >= 500 and s != 505)
    not_json = bad["error body not JSON"] + bad['error body without "error"']
    print(f"  fuzz: {len(requests):,} hostile requests in {elapsed:.0f} s; answers >= 500: {five} (goal 0; besides "
          f"{statuses[505]} 505 for HTTP versions Serv does not speak, JSON too); "
          f"error bodies not JSON: {not_json} (goal 0); hung: {bad['hung (no answer in 15 s)']} (goal 0)")
    print("    statuses: " + ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items(), key=lambda x: str(x[0]))))
    for problem, (raw, body) in examples.items():
        print(f"    e.g. {problem}: {raw!r} -> {body!r}")
    status, _ = server.request("GET", "/posts")
    print(f"    GET /posts after the fuzz: {status}")


# -------------------------------------------------------------------------------------------------------- outage

def writers(server, count, author_id, stop, records, acknowledged, timeout=30):
    def write(n):
        c = None
        i = 0
        while not stop.is_set():
            i += 1
            t0 = time.time()
            try:
                if c is None:
                    c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=timeout)
                c.request("POST", "/posts", f"title=w{n}-{i}&content=c&author_id={author_id}", {"Content-Type": FORM})
                r = c.getresponse()
                body = r.read()
                records.append((time.time(), r.status, time.time() - t0))
                if r.status == 201:
                    acknowledged.append(json.loads(body)["id"])
                elif r.status == 503:
                    time.sleep(0.05)
            except (OSError, http.client.HTTPException) as e:
                records.append((time.time(), type(e).__name__, time.time() - t0))
                c = None
                time.sleep(0.05)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(count)]
    for t in threads:
        t.start()
    return threads


def outage(server, proxy, seconds=30):
    author_id = author(server)
    stop, records, acknowledged = threading.Event(), [], []
    threads = writers(server, 6, author_id, stop, records, acknowledged)
    time.sleep(5)
    proxy.cut()
    cut_at = time.time()
    time.sleep(seconds)
    proxy.restore()
    restored = time.time()
    while not any(r[0] > restored and r[1] == 201 for r in list(records)) and time.time() - restored < 60:
        time.sleep(0.01)
    time.sleep(5)
    stop.set()
    for t in threads:
        t.join()
    first = min((t for t, s, _ in records if t > restored and s == 201), default=None)
    statuses = collections.Counter(s for _, s, _ in records)
    during = collections.Counter(s for t, s, _ in records if cut_at <= t <= restored)
    waits = [d * 1000 for t, s, d in records if cut_at <= t <= restored]
    ids = "\n".join(str(i) for i in acknowledged)
    present = psql(None, stdin="CREATE TEMP TABLE acked(id bigint);\nCOPY acked FROM STDIN;\n" + ids + "\n\\.\n"
                   + "SELECT count(*) FROM acked JOIN posts USING (id);\n")
    missing = len(acknowledged) - int(present.splitlines()[-1])
    five = sum(n for s, n in statuses.items() if isinstance(s, int) and s >= 500 and s != 503)
    print(f"  outage: {seconds} s cut under 6 writers; answers 500: {statuses[500]} (goal 0), other >= 500 but 503: "
          f"{five - statuses[500]}; first 2xx {'never' if first is None else f'{(first - restored) * 1000:.0f} ms'}"
          f" after the database came back (goal <= 2000 ms); acknowledged writes: {len(acknowledged):,}, missing "
          f"from the table: {missing} (goal 0)")
    print("    statuses: " + ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items(), key=lambda x: str(x[0])))
          + "; during the cut: " + ", ".join(f"{s}: {n}" for s, n in sorted(during.items(), key=lambda x: str(x[0])))
          + f", answered in p50 {percentile(waits, 0.5):.0f} ms, max {max(waits, default=0):.0f} ms")


# --------------------------------------------------------------------------------------------------- slow bodies

def slow_bodies(server, connections=1000, seconds=40):
    status, body = server.request("POST", "/posts", f"title=read&content=me&author_id={author(server)}")
    assert status == 201, (status, body)
    post = json.loads(body)["id"]
    outcome = collections.Counter()
    opened = threading.Event()

    async def slow_client(started):
        """One attacker's connection: a POST body, one byte every 2 s; answered or cut, it connects again."""
        first = True
        end = time.time() + seconds
        while time.time() < end:
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", PORT)
            except OSError:
                outcome["could not connect"] += 1
                await asyncio.sleep(1)
                continue
            writer.write(f"POST /posts HTTP/1.1\r\nHost: x\r\nContent-Type: {FORM}\r\nContent-Length: 1000\r\n\r\n"
                         .encode())
            if first:
                started.append(1)
                first = False
            try:
                while True:
                    if time.time() >= end:
                        outcome["still sending at the end"] += 1
                        break
                    writer.write(b"t")
                    await writer.drain()
                    try:
                        answer = await asyncio.wait_for(reader.read(200), 2)
                        code = re.match(rb"HTTP/1\.1 (\d{3})", answer)
                        outcome[f"answered {code.group(1).decode()}" if code else "closed by Serv"] += 1
                        break
                    except asyncio.TimeoutError:
                        pass
            except OSError:
                outcome["closed by Serv"] += 1
            finally:
                writer.close()

    async def all_clients():
        started = []
        tasks = []
        for _ in range(connections):
            tasks.append(asyncio.ensure_future(slow_client(started)))
            await asyncio.sleep(0.001)
        while len(started) < connections:
            await asyncio.sleep(0.05)
        opened.set()
        await asyncio.gather(*tasks)

    loop_thread = threading.Thread(target=lambda: asyncio.run(all_clients()))
    loop_thread.start()
    opened.wait()
    time.sleep(1)
    wrk = subprocess.run(["wrk", "-t2", "-c8", "-d10s", "--latency", f"http://127.0.0.1:{PORT}/posts/{post}"],
                         capture_output=True, text=True).stdout
    loop_thread.join()
    p99 = re.search(r"^\s+99%\s+(\S+)", wrk, re.M)
    rate = re.search(r"Requests/sec:\s+(\S+)", wrk)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", wrk)
    errors = re.search(r"Socket errors: .*", wrk)
    print(f"  slow bodies: {connections:,} connections sending a POST body one byte every 2 s; GET /posts/{{id}} "
          f"meanwhile: p99 {p99.group(1) if p99 else '?'} (goal < 100 ms), {rate.group(1) if rate else '?'} req/s, "
          f"non-2xx {non2xx.group(1) if non2xx else 0}{', ' + errors.group(0) if errors else ''}")
    print(f"    the slow connections over {seconds} s (each connects again once answered): "
          + ", ".join(f"{k}: {n}" for k, n in sorted(outcome.items())))


# -------------------------------------------------------------------------------------------------- locked table

def locked_table(server, writers_count=100, lock_seconds=15):
    author_id = author(server)
    stop, records, acknowledged = threading.Event(), [], []
    threads = writers(server, writers_count, author_id, stop, records, acknowledged)
    time.sleep(2)
    env = dict(os.environ, PGOPTIONS="-cclient_min_messages=warning")
    locker = subprocess.Popen(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", DB, "-qAt", "-c",
                               f"BEGIN; LOCK TABLE posts IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep({lock_seconds});"
                               " COMMIT;"], env=env, stdout=subprocess.DEVNULL)
    health = collections.Counter()
    latencies = []
    start = time.time()
    while locker.poll() is None:
        t0 = time.time()
        try:
            status, body = server.request("GET", "/health", timeout=10)
            state = json.loads(body).get("status")
            health[f"{status} {state}"] += 1
        except (OSError, ValueError) as e:
            health[type(e).__name__] += 1
        latencies.append((time.time() - t0) * 1000)
        time.sleep(0.1)
    locked_for = time.time() - start
    time.sleep(1)
    stop.set()
    for t in threads:
        t.join()
    bad = sum(n for k, n in health.items() if k != "200 UP")
    statuses = collections.Counter(s for _, s, _ in records)
    print(f"  locked table: posts locked {locked_for:.0f} s under {writers_count} writers; /health answers not "
          f"200 UP: {bad} of {sum(health.values())} (goal 0), p99 {percentile(latencies, 0.99):.0f} ms; writers: "
          + ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items(), key=lambda x: str(x[0]))))


def main():
    servbench.fresh_database(DB)
    proxy = Proxy(5432)
    server = Server(proxy.port)
    print(f"{REPOSITORY} repository (Serv on :{PORT}, PostgreSQL through a proxy on :{proxy.port}):", flush=True)
    try:
        fuzz(server, int(os.environ.get("SERV_BENCH_FUZZ", "10000")))
        outage(server, proxy, int(os.environ.get("SERV_BENCH_OUTAGE", "30")))
        slow_bodies(server)
        locked_table(server)
    finally:
        server.stop()
        psql(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)", db="postgres")


if __name__ == "__main__":
    main()
