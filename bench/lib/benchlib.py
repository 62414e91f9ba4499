"""Helpers shared by bench/run and the drills (standard library only).

Run as a script for the small jobs bench/run needs from Python:

    benchlib.py port                          a free TCP port on 127.0.0.1
    benchlib.py full-query                    the playground's DEFAULT_QUERY (src/http/playground.rs)
    benchlib.py body FILE                     a POST body {"query": <FILE's text>}
    benchlib.py bodies FILE...                one POST body a line, one line a file
    benchlib.py slug-query FILE               FILE's query of dahye-ahn, the slug made a variable $slug
    benchlib.py person-bodies FILE N          one POST body a line: FILE's query (by $slug)
                                              for each of datagen's persons 1..N, in that order
    benchlib.py check-bodies URL FILE         POST some lines of FILE (all of a short file; else the
                                              first, middle and last): each must answer 200, data, no error
    benchlib.py person-id BASE SLUG           the global id of a person
    benchlib.py cursor BASE N                 the cursor of the Nth person of `people`
    benchlib.py apq-path BASE QUERYFILE       a working APQ GET path, or nothing
    benchlib.py wait-http URL SECONDS         wait until URL answers (any HTTP status)
    benchlib.py record JSONL KEY=VALUE... < wrk-output
    benchlib.py report JSONL META.json        the tables and ratios, as Markdown
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RELEASE_BIN = ROOT / "target" / "release" / "portfolio"
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432"


# ---------------------------------------------------------------------------
# Small things
# ---------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def full_query() -> str:
    """The query the playground opens with: the whole bundled portfolio."""
    source = (ROOT / "src" / "http" / "playground.rs").read_text()
    m = re.search(r'pub const DEFAULT_QUERY: &str = r#"(.*?)"#;', source, re.S)
    if not m:
        raise SystemExit("cannot find DEFAULT_QUERY in src/http/playground.rs")
    return m.group(1)


def slug_query(query: str) -> str:
    """A query of the bundled person (`(slug: "dahye-ahn")`, one operation
    `query Name {`) turned into one that takes the slug as `$slug`."""
    out, n = re.subn(r'\(slug: "dahye-ahn"\)', "(slug: $slug)", query)
    if n != 1:
        raise SystemExit(f'expected one (slug: "dahye-ahn") in the query, found {n}')
    out, n = re.subn(r"^query (\w+) *\{", r"query \1($slug: String!) {", out, count=1, flags=re.M)
    if n != 1:
        raise SystemExit("expected an operation `query Name {` in the query")
    return out


def check_bodies(url: str, path: str) -> str:
    """POSTs lines of a bodies file to url; fails unless each is answered
    with data (its root field not null) and no errors. Returns a summary."""
    lines = [line for line in Path(path).read_text().splitlines() if line.strip()]
    picks = lines if len(lines) <= 10 else [lines[0], lines[len(lines) // 2], lines[-1]]
    sizes = []
    for body in picks:
        req = urllib.request.Request(url, data=body.encode(), method="POST",
                                     headers={"content-type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                raw = resp.read()
        except (urllib.error.HTTPError, OSError) as err:
            raise SystemExit(f"{url}: {body[:200]}: {err}")
        answer = json.loads(raw)
        values = list((answer.get("data") or {}).values())
        if answer.get("errors") or not values or values[0] is None:
            raise SystemExit(f"{url} answered {raw[:500]!r} to {body[:300]}")
        sizes.append(len(raw))
    return (f"{len(lines)} bodies, {len(picks)} checked: answers of "
            f"{min(sizes)}-{max(sizes)} bytes")


def datagen_slug(k: int) -> str:
    """The slug of datagen's kth person (1-based): bench/datagen/src/main.rs
    names them person-00001, person-00002, ..."""
    return f"person-{k:05d}"


def post(base: str, query: str, variables: dict | None = None, token: str | None = None,
         timeout: float = 30.0) -> tuple[int, dict]:
    """POST /graphql; returns (HTTP status, parsed body or {"_raw": text})."""
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    req = urllib.request.Request(base + "/graphql", data=body, method="POST",
                                 headers={"content-type": "application/json"})
    if token:
        req.add_header("authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            status, raw = resp.status, resp.read()
    except urllib.error.HTTPError as err:
        status, raw = err.code, err.read()
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, {"_raw": raw.decode(errors="replace")}


def data(base: str, query: str, variables: dict | None = None, token: str | None = None) -> dict:
    status, body = post(base, query, variables, token)
    if status != 200 or body.get("errors") or "data" not in body:
        raise SystemExit(f"query failed ({status}): {json.dumps(body)[:500]}")
    return body["data"]


def wait_http(url: str, seconds: float, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise SystemExit(f"the process serving {url} exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not answer within {seconds:.0f} s")


def person_id(base: str, slug: str) -> str:
    d = data(base, "query($s: String!) { person(slug: $s) { id } }", {"s": slug})
    if not d["person"]:
        raise SystemExit(f"no person {slug}")
    return d["person"]["id"]


def cursor_of(base: str, n: int) -> str:
    """The cursor of the nth person (1-based) in `people`, found by paging."""
    after = None
    seen = 0
    while True:
        first = min(100, n - seen)
        d = data(base, "query($f: Int, $a: String) { people(first: $f, after: $a) "
                       "{ edges { cursor } pageInfo { hasNextPage } } }", {"f": first, "a": after})
        edges = d["people"]["edges"]
        if not edges:
            raise SystemExit(f"people has fewer than {n} persons")
        seen += len(edges)
        after = edges[-1]["cursor"]
        if seen >= n:
            return after


def apq_path(base: str, query: str) -> str | None:
    """A GET path that answers `query` through an Apollo persisted query, or
    None when the server does not support them."""
    digest = hashlib.sha256(query.encode()).hexdigest()
    ext = {"persistedQuery": {"version": 1, "sha256Hash": digest}}
    # Register (Apollo APQ: the full query with its hash), then fetch by hash.
    body = json.dumps({"query": query, "extensions": ext}).encode()
    try:
        urllib.request.urlopen(urllib.request.Request(
            base + "/graphql", data=body, method="POST",
            headers={"content-type": "application/json"}), timeout=10).read()
    except (urllib.error.HTTPError, OSError):
        pass
    path = "/graphql?" + urllib.parse.urlencode({"extensions": json.dumps(ext, separators=(",", ":"))})
    try:
        with urllib.request.urlopen(base + path, timeout=10) as resp:
            answer = json.loads(resp.read())
    except (urllib.error.HTTPError, OSError, ValueError):
        return None
    if answer.get("errors") or not (answer.get("data") or {}).get("person"):
        return None
    return path


def rss_kib(pid: int, field: str = "VmHWM") -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


# ---------------------------------------------------------------------------
# The server, for the drills
# ---------------------------------------------------------------------------

def build_release() -> Path:
    """target/release/portfolio, built when missing."""
    if not RELEASE_BIN.exists() or os.environ.get("BENCH_BUILD") == "1":
        subprocess.run(["cargo", "build", "--release", "--bin", "portfolio"], cwd=ROOT, check=True)
    return RELEASE_BIN


def cli(url: str, *args: str) -> str:
    out = subprocess.run([str(RELEASE_BIN), "--database-url", url, *args], cwd=ROOT,
                         check=True, capture_output=True, text=True, timeout=120)
    return out.stdout


def token(url: str, person: str | None, name: str) -> str:
    args = ["token", "create", "--name", name]
    args += ["--person", person] if person else ["--admin"]
    return cli(url, *args).strip().splitlines()[-1].strip()


class Server:
    """`portfolio serve` on a free port, logging to a file."""

    def __init__(self, url: str, log: Path, extra: list[str] | None = None,
                 env: dict | None = None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.logf = open(log, "w")
        self.proc = subprocess.Popen(
            [str(RELEASE_BIN), "--database-url", url, "serve",
             "--addr", f"127.0.0.1:{self.port}", "--playground", "false", *(extra or [])],
            cwd=ROOT, stdout=self.logf, stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})})
        wait_http(self.base + "/healthz", 60, self.proc)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def stop(self, timeout: float = 40) -> int | None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.logf.close()
        return self.proc.returncode


def psql(sql: str, db: str = "postgres", pg: str = DEFAULT_PG, check: bool = True) -> str:
    out = subprocess.run(["psql", f"{pg}/{db}", "-v", "ON_ERROR_STOP=1", "-tAc", sql],
                         capture_output=True, text=True, timeout=120)
    if check and out.returncode != 0:
        raise SystemExit(f"psql: {sql}: {out.stderr.strip()}")
    return out.stdout.strip()


def pg_ready(pg: str = DEFAULT_PG) -> bool:
    u = urllib.parse.urlparse(pg)
    return subprocess.run(["pg_isready", "-h", u.hostname or "127.0.0.1", "-p", str(u.port or 5432), "-q"],
                          timeout=30).returncode == 0


def fresh_pg_db(name: str, pg: str = DEFAULT_PG) -> str:
    psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', pg=pg)
    psql(f'CREATE DATABASE "{name}"', pg=pg)
    return f"{pg}/{name}"


def drop_pg_db(name: str, pg: str = DEFAULT_PG) -> None:
    psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', pg=pg, check=False)


class RawResponse:
    """The outcome of one HTTP exchange on a fresh connection."""

    def __init__(self, phase: str, status: int | None = None, body: bytes = b"", error: str = ""):
        self.phase = phase      # "refused" (connect failed), "lost" (connected, no answer), "answered"
        self.status = status
        self.body = body
        self.error = error

    def json(self) -> dict:
        try:
            return json.loads(self.body)
        except ValueError:
            return {}


def exchange(base: str, query: str, variables: dict | None = None, token: str | None = None,
             timeout: float = 15.0, keep: http.client.HTTPConnection | None = None) -> RawResponse:
    """POST /graphql on a new connection, telling apart a refused connect from
    a request lost after the connection was made."""
    u = urllib.parse.urlparse(base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    try:
        conn.connect()
    except OSError as err:
        conn.close()
        return RawResponse("refused", error=type(err).__name__)
    headers = {"content-type": "application/json", "connection": "close"}
    if token:
        headers["authorization"] = "Bearer " + token
    try:
        conn.request("POST", "/graphql", json.dumps({"query": query, "variables": variables or {}}),
                     headers)
        resp = conn.getresponse()
        return RawResponse("answered", resp.status, resp.read())
    except (OSError, http.client.HTTPException) as err:
        return RawResponse("lost", error=type(err).__name__)
    finally:
        conn.close()


def error_codes(body: dict) -> list[str]:
    return [str((e.get("extensions") or {}).get("code", "NO_CODE")) for e in body.get("errors") or []]


# ---------------------------------------------------------------------------
# Results of bench/run
# ---------------------------------------------------------------------------

def record(jsonl: str, pairs: list[str]) -> None:
    """Appends wrk's BENCH_RESULT line, with KEY=VALUE fields, to JSONL."""
    result = None
    for line in sys.stdin:
        if line.startswith("BENCH_RESULT "):
            result = json.loads(line[len("BENCH_RESULT "):])
    if result is None:
        raise SystemExit("wrk printed no BENCH_RESULT line")
    for pair in pairs:
        key, _, value = pair.partition("=")
        try:
            result[key] = json.loads(value)
        except ValueError:
            result[key] = value
    with open(jsonl, "a") as f:
        f.write(json.dumps(result) + "\n")
    print(f"    {result['rps']:>9.0f} req/s   p50 {result['p50_ms']:.2f} ms   p99 {result['p99_ms']:.2f} ms   "
          f"errors {errors_of(result)}")


def errors_of(r: dict) -> int:
    return (r["non2xx"] + r["connect_errors"] + r["read_errors"] + r["write_errors"]
            + r["timeouts"] + r["graphql_errors"])


def mib(kib) -> str:
    return "n/a" if kib in (None, "", "n/a") else f"{int(kib) / 1024:.1f}"


def report(jsonl: str, meta_path: str) -> None:
    rows = [json.loads(line) for line in open(jsonl) if line.strip()]
    meta = json.loads(Path(meta_path).read_text()) if Path(meta_path).exists() else {}
    skipped = meta.get("skipped", {})
    out = []
    out.append("| backend | scenario | req/s | p50 ms | p99 ms | errors (non-2xx / socket / GraphQL) "
               "| peak RSS MiB | SQL statements/request | bytes/response (with headers) |")
    out.append("| --- | --- | ---: | ---: | ---: | --- | ---: | ---: | ---: |")
    for r in rows:
        socket_errors = r["connect_errors"] + r["read_errors"] + r["write_errors"] + r["timeouts"]
        extra = ""
        if r.get("writes_sent"):
            extra = f" ({r['writes_ok']}/{r['writes_sent']} writes ok)"
        out.append(f"| {r['backend']} | {r['scenario']}{extra} | {r['rps']:.0f} | {r['p50_ms']:.2f} "
                   f"| {r['p99_ms']:.2f} | {r['non2xx']} / {socket_errors} / {r['graphql_errors']} "
                   f"| {mib(r.get('rss_hwm_kib'))} | {r.get('sql_per_request', 'n/a')} "
                   f"| {r['bytes'] / max(1, r['requests']):.0f} |")
    for name, why in skipped.items():
        out.append(f"| {name.split(':')[0]} | {name.split(':')[-1]} | - | - | - | {why} | - | - | - |")

    def find(backend, scenario):
        for r in rows:
            if r["backend"] == backend and r["scenario"] == scenario:
                return r
        return None

    out.append("")
    out.append("| ratio | value | goal |")
    out.append("| --- | ---: | --- |")
    nginx = find("nginx", "static full-portfolio JSON")
    pg_graphile = find("postgraphile", "full portfolio (equivalent query)")
    for backend in ("sqlite", "postgres"):
        first, deep = find(backend, "people first page"), find(backend, "people deep page")
        if first and deep:
            out.append(f"| {backend}: deep page p50 / first page p50 | {deep['p50_ms'] / first['p50_ms']:.2f} | within 2x |")
            out.append(f"| {backend}: first page req/s / deep page req/s | {first['rps'] / deep['rps']:.2f} | within 2x |")
        full = find(backend, "full portfolio POST")
        if full and nginx:
            out.append(f"| nginx static req/s / {backend} full portfolio req/s | {nginx['rps'] / full['rps']:.1f} | (the limit) |")
    full_pg = find("postgres", "full portfolio POST")
    if full_pg and pg_graphile:
        out.append(f"| postgres full portfolio req/s / PostGraphile req/s | {full_pg['rps'] / pg_graphile['rps']:.2f} | 5x |")
        out.append(f"| PostGraphile p50 / postgres full portfolio p50 | {pg_graphile['p50_ms'] / full_pg['p50_ms']:.2f} | |")
    else:
        out.append("| postgres full portfolio req/s / PostGraphile req/s | not measured | 5x |")
    persisted = [r for r in rows if r["scenario"] == "persisted GET (cached)"]
    if persisted and nginx:
        for r in persisted:
            out.append(f"| {r['backend']} persisted GET req/s / nginx req/s (separate runs) "
                       f"| {100 * r['rps'] / nginx['rps']:.0f} % | >= 70 % |")
    else:
        out.append("| cached persisted GET vs nginx | not measured yet (the server has no persisted queries) | |")
    # The head to head: round k of nginx against round k of the server, for
    # the full answer and for the small one.
    for ours_prefix, ref_prefix, what in HEAD_TO_HEAD:
        rounds = []
        for r in rows:
            if r["scenario"].startswith(ours_prefix):
                ref = find("nginx", ref_prefix + r["scenario"][len(ours_prefix):])
                if ref and ref["rps"] > 0:
                    rounds.append((r["backend"], r["rps"] / ref["rps"]))
        if rounds:
            ratios = sorted(ratio for _, ratio in rounds)
            median = ratios[len(ratios) // 2]
            each = ", ".join(f"{100 * ratio:.0f} %" for _, ratio in rounds)
            out.append(f"| {rounds[0][0]} persisted GET req/s / nginx req/s, {what}, alternating rounds "
                       f"(median of {len(ratios)}: {each}) | **{100 * median:.0f} %** | >= 70 % |")
    for backend in ("sqlite", "postgres"):
        mixed = find(backend, "95% read / 5% write (cache on)")
        reads = find(backend, "full portfolio POST (cache on)")
        if mixed and reads and reads["rps"] > 0:
            out.append(f"| {backend}: 95/5 read/write req/s / read-only req/s (both cache on) "
                       f"| {mixed['rps'] / reads['rps']:.2f} | |")
    for backend in ("sqlite", "postgres"):
        peaks = [r.get("rss_hwm_kib") for r in rows if r["backend"] == backend and r.get("rss_hwm_kib")]
        if peaks:
            out.append(f"| {backend}: server peak RSS over all scenarios (MiB) | {mib(max(peaks))} | < 100 MiB |")
    side = side_by_side(rows, find)
    if side:
        out.append("")
        out.extend(side)
    print("\n".join(out))


# (our scenario's name prefix, nginx's, what is compared) of the head to head.
HEAD_TO_HEAD = [
    ("persisted GET (cached), round ", "static, round ", "full answer"),
    ("persisted GET small (cached), round ", "static small, round ", "small answer"),
]

# The workloads run on both the server and PostGraphile: (our scenario,
# PostGraphile's scenario).
PEER_PAIRS = [
    ("full portfolio POST", "full portfolio (equivalent query)"),
    ("random person, uniform (cache off)", "random person, uniform"),
    ("five shapes in rotation (cache off)", "five shapes in rotation"),
    ("Zipf persons s=1 (defaults)", "Zipf persons s=1"),
]


def side_by_side(rows: list[dict], find) -> list[str]:
    """The server against PostGraphile, workload by workload (PostGraphile
    always on PostgreSQL, so the postgres rows are the like-for-like ones)."""
    out = ["| workload | server | server req/s | PostGraphile req/s | server / PostGraphile "
           "| p50 ms server / PostGraphile | peak RSS MiB server / PostGraphile |",
           "| --- | --- | ---: | ---: | ---: | --- | --- |"]
    any_row = False
    for ours_name, peer_name in PEER_PAIRS:
        peer = find("postgraphile", peer_name)
        for backend in ("postgres", "sqlite"):
            ours = find(backend, ours_name)
            if not ours:
                continue
            any_row = True
            if peer:
                out.append(f"| {ours_name} | {backend} | {ours['rps']:.0f} | {peer['rps']:.0f} "
                           f"| **{ours['rps'] / max(peer['rps'], 1e-9):.2f}** "
                           f"| {ours['p50_ms']:.2f} / {peer['p50_ms']:.2f} "
                           f"| {mib(ours.get('rss_hwm_kib'))} / {mib(peer.get('rss_hwm_kib'))} |")
            else:
                out.append(f"| {ours_name} | {backend} | {ours['rps']:.0f} | not measured | - "
                           f"| {ours['p50_ms']:.2f} / - | {mib(ours.get('rss_hwm_kib'))} / - |")
    return out if any_row else []


def main(argv: list[str]) -> None:
    cmd, args = argv[1], argv[2:]
    if cmd == "port":
        print(free_port())
    elif cmd == "full-query":
        sys.stdout.write(full_query())
    elif cmd == "body":
        print(json.dumps({"query": Path(args[0]).read_text()}))
    elif cmd == "bodies":
        for path in args:
            print(json.dumps({"query": Path(path).read_text()}))
    elif cmd == "slug-query":
        sys.stdout.write(slug_query(Path(args[0]).read_text()))
    elif cmd == "person-bodies":
        query = Path(args[0]).read_text()
        for k in range(1, int(args[1]) + 1):
            print(json.dumps({"query": query, "variables": {"slug": datagen_slug(k)}}))
    elif cmd == "check-bodies":
        print(check_bodies(args[0], args[1]))
    elif cmd == "person-id":
        print(person_id(args[0], args[1]))
    elif cmd == "cursor":
        print(cursor_of(args[0], int(args[1])))
    elif cmd == "apq-path":
        path = apq_path(args[0], Path(args[1]).read_text())
        if path:
            print(path)
    elif cmd == "wait-http":
        wait_http(args[0], float(args[1]))
    elif cmd == "record":
        record(args[0], args[1:])
    elif cmd == "report":
        report(args[0], args[1])
    else:
        raise SystemExit(f"unknown command {cmd}")


if __name__ == "__main__":
    main(sys.argv)
