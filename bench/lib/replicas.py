"""The multi-replica drills' cluster (standard library only): a streaming
standby of the local PostgreSQL, three `portfolio serve` replicas on the
primary with `--database-read-url` on the standby, and nginx in front.

    with Cluster("portfolio_drill_x", work) as c:
        c.nginx         http://127.0.0.1:PORT (the three replicas behind it)
        c.replicas[i]   each replica (a benchlib.Server), .base its own URL
        c.token         a token of the bundled person (for updatePerson)

Everything is stopped and removed on exit: nginx, the replicas, the
standby and its directory, the database.

The standby is made with `pg_basebackup -R -X stream` into a temporary
directory and started with the cluster's own `pg_ctl` on a free port. That
needs the primary to allow replication connections from 127.0.0.1 for
`postgres` (a `host replication ...` line in pg_hba.conf) and `wal_level`
replica or logical; when it does not, the drill says so and stops.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import benchlib

# DRILL_BIN: another build of the server (a debug build while developing).
if os.environ.get("DRILL_BIN"):
    benchlib.RELEASE_BIN = Path(os.environ["DRILL_BIN"]).resolve()
PG_BIN = Path("/usr/lib/postgresql")
NGINX_CONF = benchlib.ROOT / "bench" / "nginx" / "replicas.conf.in"
HEADLINE_QUERY = '{ person(slug: "dahye-ahn") { headline } }'
UPDATE = ("mutation($i: UpdatePersonInput!) { updatePerson(input: $i) "
          "{ person { headline version } } }")


def pg_bin(tool: str) -> str:
    versions = sorted((p for p in PG_BIN.iterdir() if (p / "bin" / tool).exists()),
                      key=lambda p: float(p.name) if p.name.replace(".", "").isdigit() else 0)
    if not versions:
        raise SystemExit(f"no {tool} under {PG_BIN}")
    return str(versions[-1] / "bin" / tool)


def as_postgres(cmd: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its tools as `postgres` then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


class Standby:
    """A streaming standby of the primary at benchlib.DEFAULT_PG."""

    def __init__(self) -> None:
        level = benchlib.psql("SHOW wal_level")
        if level not in ("replica", "logical"):
            raise SystemExit(f"FAIL: the primary's wal_level is {level}; a standby needs "
                             "wal_level = replica (postgresql.conf, then restart PostgreSQL)")
        self.dir = Path(tempfile.mkdtemp(prefix="portfolio-standby-"))
        if os.geteuid() == 0:
            pg = pwd.getpwnam("postgres")
            os.chown(self.dir, pg.pw_uid, pg.pw_gid)
        self.data = self.dir / "data"
        self.port = benchlib.free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}"
        self.started = False
        # A slot of its own keeps the primary's WAL until the standby has it
        # (a busy primary would otherwise recycle it first); dropped in stop().
        self.slot = "portfolio_drill_" + "".join(c for c in self.dir.name.lower() if c.isalnum())
        backup = subprocess.run(
            as_postgres(["pg_basebackup", "-h", "127.0.0.1", "-U", "postgres", "-D", str(self.data),
                         "-R", "-X", "stream", "-c", "fast", "-C", "-S", self.slot]),
            capture_output=True, text=True, timeout=300)
        if backup.returncode != 0:
            self.remove()
            hint = ""
            if "replication" in backup.stderr and "pg_hba" in backup.stderr:
                hint = ("\nthe primary refuses replication connections: add\n"
                        "    host replication postgres 127.0.0.1/32 trust\n"
                        "to pg_hba.conf and reload PostgreSQL (SELECT pg_reload_conf())")
            raise SystemExit(f"FAIL: cannot copy the primary with pg_basebackup: "
                             f"{backup.stderr.strip()}{hint}")
        # Debian keeps the configuration outside the data directory.
        (self.data / "postgresql.conf").write_text(
            "listen_addresses = '127.0.0.1'\nhot_standby = on\nmax_connections = 200\n"
            "shared_buffers = 64MB\nmax_standby_streaming_delay = 5s\n")
        (self.data / "pg_hba.conf").write_text(
            "local all all trust\nhost all all 127.0.0.1/32 trust\n")
        if os.geteuid() == 0:
            subprocess.run(["chown", "-R", "postgres:postgres", str(self.dir)], check=True)
        self.ctl("start", "-w", "-t", "60", "-l", str(self.dir / "log"),
                 "-o", f"-p {self.port} -k /tmp")
        self.started = True
        try:
            self.wait_caught_up(180)
        except BaseException:
            self.stop()
            raise

    def ctl(self, *args: str) -> None:
        out = subprocess.run(as_postgres([pg_bin("pg_ctl"), "-D", str(self.data), *args]),
                             capture_output=True, text=True, timeout=120)
        if out.returncode != 0:
            log = (self.dir / "log").read_text()[-2000:] if (self.dir / "log").exists() else ""
            raise SystemExit(f"FAIL: pg_ctl {args[0]}: {out.stderr.strip()}\n{log}")

    def sql(self, sql: str, db: str = "postgres") -> str:
        return benchlib.psql(sql, db=db, pg=self.url)

    def replayed(self) -> str:
        return self.sql("SELECT pg_last_wal_replay_lsn()")

    def wait_caught_up(self, seconds: float) -> None:
        """Until the standby has replayed what the primary had flushed when
        this was called (the primary may be busy with other databases)."""
        target = benchlib.psql("SELECT pg_current_wal_flush_lsn()")
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                if self.sql(f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn") == "t":
                    return
            except SystemExit:
                pass
            time.sleep(0.2)
        raise SystemExit(f"FAIL: the standby did not catch up within {seconds:.0f} s")

    def stop(self) -> None:
        if self.started:
            subprocess.run(as_postgres([pg_bin("pg_ctl"), "-D", str(self.data), "stop", "-m",
                                        "immediate", "-w"]),
                           capture_output=True, timeout=120)
            self.started = False
        self.remove()

    def remove(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)
        benchlib.psql(f"SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots "
                      f"WHERE slot_name = '{self.slot}'", check=False)


class Replica(benchlib.Server):
    """A replica on a port of its own, kept across restarts (nginx names it)."""

    def __init__(self, url: str, log: Path, extra: list[str], port: int | None = None):
        self.url, self.extra, self.fixed_port = url, extra, port or benchlib.free_port()
        self.start(log)

    def start(self, log: Path) -> None:
        self.port = self.fixed_port
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.logf = open(log, "a")
        self.proc = subprocess.Popen(
            [str(benchlib.RELEASE_BIN), "--database-url", self.url, "serve",
             "--addr", f"127.0.0.1:{self.port}", "--playground", "false", "--no-migrate",
             *self.extra],
            cwd=benchlib.ROOT, stdout=self.logf, stderr=subprocess.STDOUT)

    def ready(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"FAIL: replica on {self.port} exited ({self.proc.returncode}); "
                                 f"see {self.log}")
            try:
                with urllib.request.urlopen(self.base + "/readyz", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.1)
        raise SystemExit(f"FAIL: replica on {self.port} not ready within {seconds:.0f} s")

    def metrics(self) -> dict[str, float]:
        """The samples of /metrics, by their full name with labels."""
        out = {}
        with urllib.request.urlopen(self.base + "/metrics", timeout=5) as r:
            for line in r.read().decode().splitlines():
                if line and not line.startswith("#"):
                    name, _, value = line.rpartition(" ")
                    try:
                        out[name] = float(value)
                    except ValueError:
                        pass
        return out


def ensure_nginx() -> str:
    if shutil.which("nginx") is None:
        print("installing nginx (Debian)", flush=True)
        subprocess.run(["apt-get", "install", "-y", "-q", "nginx"], check=False,
                       stdout=subprocess.DEVNULL, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    path = shutil.which("nginx")
    if path is None:
        raise SystemExit("FAIL: nginx is not installed and could not be installed")
    return path


class Cluster:
    def __init__(self, db: str, work: Path, replica_flags: list[str] | None = None):
        self.db, self.work = db, work
        self.flags = replica_flags or []
        self.standby: Standby | None = None
        self.replicas: list[Replica] = []
        self.nginx_proc: subprocess.Popen | None = None

    def __enter__(self) -> Cluster:
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self) -> None:
        self.work.mkdir(parents=True, exist_ok=True)
        benchlib.build_release()
        ensure_nginx()
        if not benchlib.pg_ready():
            raise SystemExit("FAIL: PostgreSQL does not answer on 127.0.0.1:5432")
        self.url = benchlib.fresh_pg_db(self.db) + "?sslmode=disable"
        # Migrated and seeded once, before the copy: the replicas start with
        # --no-migrate on a database the standby already has.
        subprocess.run([str(benchlib.RELEASE_BIN), "--database-url", self.url, "migrate", "up"],
                       cwd=benchlib.ROOT, check=True, capture_output=True, timeout=120)
        seed = Replica(self.url, self.work / "seed.log", [])
        seed.ready()
        seed.stop()
        self.token = benchlib.token(self.url, "dahye-ahn", "drill")
        print("setting up the standby (pg_basebackup)...", flush=True)
        t0 = time.monotonic()
        self.standby = Standby()
        print(f"standby on port {self.standby.port}, caught up "
              f"({time.monotonic() - t0:.1f} s)", flush=True)
        read_url = f"{self.standby.url}/{self.db}?sslmode=disable"
        flags = ["--database-read-url", read_url, *self.flags]
        for i in range(3):
            self.replicas.append(Replica(self.url, self.work / f"replica-{i}.log", flags))
        for r in self.replicas:
            r.ready()
        self.start_nginx()

    def start_nginx(self) -> None:
        port = benchlib.free_port()
        tmp = self.work / "nginx-tmp"
        tmp.mkdir(parents=True, exist_ok=True)
        upstreams = "\n".join(f"        server 127.0.0.1:{r.port} max_fails=1 fail_timeout=2s;"
                              for r in self.replicas)
        conf = (NGINX_CONF.read_text().replace("@WORK@", str(self.work))
                .replace("@PORT@", str(port)).replace("@UPSTREAMS@", upstreams))
        (self.work / "nginx.conf").write_text(conf)
        self.nginx_proc = subprocess.Popen(
            ["nginx", "-c", str(self.work / "nginx.conf"), "-e", str(self.work / "nginx-error.log"),
             "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        self.nginx = f"http://127.0.0.1:{port}"
        benchlib.wait_http(self.nginx + "/healthz", 20, self.nginx_proc)

    def close(self) -> None:
        if self.nginx_proc is not None and self.nginx_proc.poll() is None:
            self.nginx_proc.send_signal(signal.SIGQUIT)
            try:
                self.nginx_proc.wait(10)
            except subprocess.TimeoutExpired:
                self.nginx_proc.kill()
        for r in self.replicas:
            try:
                r.stop(10)
            except Exception:
                pass
        if self.standby is not None:
            self.standby.stop()
        benchlib.drop_pg_db(self.db)

    def served_by_standby(self) -> tuple[float, float]:
        """Anonymous reads answered by the standby and by the primary, all
        replicas together."""
        standby = primary = 0.0
        for r in self.replicas:
            if r.proc.poll() is not None:
                continue
            m = r.metrics()
            standby += m.get('portfolio_standby_reads_total{server="standby"}', 0)
            primary += m.get('portfolio_standby_reads_total{server="primary"}', 0)
        return standby, primary


def get_path(query: str, variables: dict | None = None) -> str:
    """A GET /graphql path (reads go as GET: idempotent, so nginx may retry
    them on another replica)."""
    params = {"query": query}
    if variables:
        params["variables"] = json.dumps(variables)
    return "/graphql?" + urllib.parse.urlencode(params)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    k = min(len(values) - 1, max(0, int(round(p / 100 * (len(values) - 1)))))
    return values[k]


class Client:
    """One kept-alive connection to `base`, opened again after a failure."""

    def __init__(self, base: str, timeout: float = 15.0):
        u = urllib.parse.urlparse(base)
        self.host, self.port, self.timeout = u.hostname, u.port, timeout
        self.conn = None

    def request(self, method: str, path: str, body: dict | None = None,
                token: str | None = None) -> tuple[int | None, dict, str]:
        """(HTTP status or None, parsed JSON body or {}, error text or "")."""
        import http.client
        headers = {}
        data = None
        if body is not None:
            data = json.dumps(body)
            headers["content-type"] = "application/json"
        if token:
            headers["authorization"] = "Bearer " + token
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            self.conn.request(method, path, data, headers)
            resp = self.conn.getresponse()
            raw = resp.read()
            if resp.getheader("connection", "").lower() == "close":
                self.close()
        except (OSError, http.client.HTTPException) as err:
            self.close()
            return None, {}, type(err).__name__
        try:
            return resp.status, json.loads(raw), ""
        except ValueError:
            return resp.status, {}, "not JSON"

    def read(self, query: str, variables: dict | None = None):
        return self.request("GET", get_path(query, variables))

    def write(self, query: str, variables: dict, token: str):
        return self.request("POST", "/graphql", {"query": query, "variables": variables}, token)

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def failure(status: int | None, body: dict, error: str, field: str) -> str | None:
    """Why an answer is a failure (None: a success with `data.<field>`)."""
    if status is None:
        return f"no answer ({error})"
    if status != 200:
        return f"HTTP {status} {','.join(benchlib.error_codes(body)) or error}"
    if body.get("errors"):
        return "errors " + ",".join(benchlib.error_codes(body))
    if not (body.get("data") or {}).get(field):
        return f"no data.{field}"
    return None


def summary(ms: list[float]) -> str:
    if not ms:
        return "no samples"
    return (f"p50 {percentile(ms, 50):.1f} ms, p99 {percentile(ms, 99):.1f} ms, "
            f"max {max(ms):.1f} ms ({len(ms)} samples)")
