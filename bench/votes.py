"""Load the poll service with wrk and compare it with a bare Flask app under the same gunicorn.

The service runs with the production settings (POLL_ENV unset, a real POLL_SECRET_KEY), one
trusted proxy hop so that wrk's X-Forwarded-For makes every request a new voter, the Origin
allowed, and the per-address rate limit off (the bench sends from millions of addresses, but
a limit is not what we measure). Each round loads, for ``seconds`` each: the hello app (POST,
then GET), then on every database the vote POST on a fresh poll and the results GET of that
same poll. Rounds interleave everything, so drift on the shared machine hits both sides.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
import statistics
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench import postgres
from bench.procs import BenchError, server
from tools.processes import free_port

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LUA = Path(__file__).resolve().parent / "lua" / "load.lua"
VOTE_BODY = '{"choices":["oui"]}'
SERVICE_APP = "poll_service:create_app()"
HELLO_APP = "bench.hello_app:create_app()"


def ensure_wrk() -> None:
    """Install wrk (Debian package) when it is missing, as issue 6 asks of `make bench`."""
    if shutil.which("wrk"):
        return
    if os.geteuid() != 0:
        raise BenchError("wrk is missing: install it with `sudo apt-get install wrk`.")
    log.info("wrk is missing: installing it with apt-get")
    install = ["apt-get", "-o", "DPkg::Lock::Timeout=600", "install", "-y", "wrk"]
    if subprocess.run(install, capture_output=True).returncode != 0:
        # A fresh machine may have no package lists yet.
        subprocess.run(["apt-get", "update"], capture_output=True)
        subprocess.run(install, capture_output=True)
    if not shutil.which("wrk"):
        raise BenchError("wrk is missing and `apt-get install -y wrk` did not install it.")


def workers() -> int:
    """Return the worker count docs/deploy.md recommends: one per core (threads do the waiting)."""
    return os.cpu_count() or 1


# The worker class and threads docs/deploy.md recommends: a vote waits for its batch's commit
# in a thread, while the process's other threads go on serving. BENCH_GUNICORN replaces
# these arguments (and -w) to compare other settings, e.g. "-w 5 -k sync".
THREADS = 16


def worker_args() -> list[str]:
    """Return gunicorn's worker arguments, shared by the service and the hello app."""
    custom = os.environ.get("BENCH_GUNICORN")
    if custom:
        return custom.split()
    return ["-w", str(workers()), "-k", "gthread", "--threads", str(THREADS)]


@dataclass(frozen=True)
class Load:
    """What wrk saw during one bounded run, with the server's CPU time and the machine's load."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    socket_errors: int
    statuses: dict[str, int]
    # CPU seconds (user + system) of the gunicorn master and workers during the run; on
    # PostgreSQL also of the database server's processes. None where /proc cannot tell.
    server_cpu: float | None = None
    load_average: float = 0.0  # the 1-minute load average when the run began

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def cpu_ms(self) -> float | None:
        """Server CPU per request, in milliseconds: unlike throughput, it hardly moves with
        what other programs run on the machine."""
        if self.server_cpu is None or not self.requests:
            return None
        return 1000 * self.server_cpu / self.requests


@dataclass
class Series:
    """The loads of one measurement over the rounds, summarised by medians."""

    loads: list[Load] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return statistics.median(load.per_second for load in self.loads)

    @property
    def p50_ms(self) -> float:
        return statistics.median(load.p50_ms for load in self.loads)

    @property
    def p99_ms(self) -> float:
        return statistics.median(load.p99_ms for load in self.loads)

    @property
    def cpu_ms(self) -> float | None:
        known = [load.cpu_ms for load in self.loads if load.cpu_ms is not None]
        return statistics.median(known) if known else None

    @property
    def load_averages(self) -> tuple[float, float]:
        """The lowest and highest load average seen at the start of the runs."""
        values = [load.load_average for load in self.loads] or [0.0]
        return min(values), max(values)

    def count(self, status: str) -> int:
        return sum(load.statuses.get(status, 0) for load in self.loads)

    @property
    def requests(self) -> int:
        return sum(load.requests for load in self.loads)

    def ratio_of(self, status: str) -> float:
        """Return the share of all responses that had ``status`` (e.g. "s201")."""
        return self.count(status) / self.requests if self.requests else 0.0


@dataclass
class BackendResult:
    """The service on one database: votes and results GET, over the rounds."""

    name: str
    votes: Series = field(default_factory=Series)
    results: Series = field(default_factory=Series)
    skipped: str | None = None


@dataclass
class VotesResult:
    """Everything the vote benchmark measured."""

    hello_post: Series
    hello_get: Series
    backends: list[BackendResult]
    seconds: int
    connections: int
    workers: int
    rounds: int


def process_tree(pid: int) -> list[int]:
    """Return ``pid`` and its descendants (Linux /proc; empty when unreadable)."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [pid] + [found for child in children for found in process_tree(int(child))]


def cpu_seconds(pids: list[int]) -> float | None:
    """Return the user + system CPU seconds the processes used so far (None: not on Linux)."""
    if not pids:
        return None
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def wrk(url: str, *, method: str, origin: str, body: str | None, seconds: int,
        connections: int, log_file: Path, server_pids: tuple[int, ...] = ()) -> Load:
    """Run wrk against ``url`` and return its summary (printed by load.lua's done()).

    ``server_pids``: the roots of the processes whose CPU time the run is charged with (the
    gunicorn master, the PostgreSQL server); their trees are read before and after.
    """
    threads = min(os.cpu_count() or 1, connections)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
               "-s", str(LUA), url, "--", method, origin] + ([body] if body else [])
    load_average = os.getloadavg()[0]
    watched = [pid for root in server_pids for pid in process_tree(root)]
    cpu_before = cpu_seconds(watched)
    result = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    cpu_after = cpu_seconds(watched)
    with log_file.open("a") as handle:
        handle.write(f"$ {' '.join(command)}\n{result.stdout}{result.stderr}\n")
    line = next((line for line in result.stdout.splitlines() if line.startswith("BENCH_RESULT ")),
                None)
    if result.returncode != 0 or line is None:
        raise BenchError(f"wrk failed ({result.returncode}): {result.stdout}{result.stderr}")
    data = json.loads(line.removeprefix("BENCH_RESULT "))
    statuses = {name: data[name] for name in data if name.startswith("s") and name != "socket_errors"}
    server_cpu = None if cpu_before is None or cpu_after is None else cpu_after - cpu_before
    return Load(data["requests"], data["duration_us"] / 1e6, data["p50_us"] / 1000,
                data["p99_us"] / 1000, data["socket_errors"], statuses, server_cpu, load_average)


def gunicorn_command(app: str, port: int) -> list[str]:
    """Return the gunicorn command line shared by the service and the hello app."""
    # --no-control-socket: gunicorn 27 would otherwise share ~/.gunicorn between instances.
    # -c: the documented configuration (no forwarded header believed by gunicorn, no address
    # in its logs), for the hello app too so that both sides run the same gunicorn.
    return [str(BIN / "gunicorn"), "-c", "python:poll_service.gunicorn_conf", *worker_args(),
            "-b", f"127.0.0.1:{port}", "--no-control-socket", "--chdir", str(ROOT), app]


def service_env(database_url: str, origin: str, key_dir: Path) -> dict[str, str]:
    """Return the production environment of the service for the bench (its own key folder)."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("POLL_")}
    env.update(
        POLL_DATABASE_URL=database_url,
        POLL_SECRET_KEY=secrets.token_hex(32),
        POLL_TRUSTED_PROXIES="1",
        POLL_SITE_URL=origin,
        POLL_RATE_LIMIT="0",
        POLL_KEY_DIR=str(key_dir),
    )
    return env


def write_manifest(path: Path, poll_ids: list[str]) -> None:
    """Write a polls.json (DESIGN.md's format) with one open single-choice poll per id."""
    polls = [{
        "id": poll_id,
        "question": "Participerez-vous à la prochaine assemblée générale ?",
        "options": [{"key": "oui", "label": "Oui"}, {"key": "non", "label": "Non"},
                    {"key": "peut-etre", "label": "Peut-être"}],
        "multiple": False, "opens": None, "closes": None, "results": "always",
        "source": "bench.md", "url": f"/{poll_id}/",
    } for poll_id in poll_ids]
    path.write_text(json.dumps({"polls": polls}, ensure_ascii=False, indent=1), encoding="utf-8")


def prepare_database(env: dict[str, str], manifest: Path, log_file: Path) -> None:
    """Create the schema and the bench polls with the service's own commands."""
    for command in (["init-db"], ["sync-polls", str(manifest)]):
        result = subprocess.run([str(BIN / "flask"), "--app", "poll_service", *command], cwd=ROOT,
                                env=env, capture_output=True, text=True, timeout=120)
        with log_file.open("a") as handle:
            handle.write(f"$ flask {' '.join(command)}\n{result.stdout}{result.stderr}\n")
        if result.returncode != 0:
            raise BenchError(f"flask {command[0]} failed: {result.stdout}{result.stderr}")


@dataclass(frozen=True)
class Target:
    """A running server: its base URL and the processes a run's CPU time is read from."""

    base: str
    pids: tuple[int, ...]


@contextmanager
def service(name: str, database_url: str, manifest: Path, workdir: Path,
            database_pid: int | None = None) -> Iterator[Target]:
    """Run the poll service on ``database_url``; yield it (with the database server's pid)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = service_env(database_url, base, workdir / f"{name}-keys")
    log_file = workdir / f"{name}.log"
    prepare_database(env, manifest, log_file)
    with server(gunicorn_command(SERVICE_APP, port), cwd=ROOT, env=env,
                health_url=f"{base}/healthz", log_file=log_file) as process:
        yield Target(base, (process.pid,) + ((database_pid,) if database_pid else ()))


@contextmanager
def hello(workdir: Path) -> Iterator[Target]:
    """Run the bare Flask app under the same gunicorn settings; yield it."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {name: value for name, value in os.environ.items() if not name.startswith("POLL_")}
    with server(gunicorn_command(HELLO_APP, port), cwd=ROOT, env=env,
                health_url=f"{base}/healthz", log_file=workdir / "hello.log") as process:
        yield Target(base, (process.pid,))


def run(workdir: Path, *, seconds: int = 10, rounds: int = 2, connections: int = 32,
        with_postgres: bool = True) -> VotesResult:
    """Measure ``rounds`` interleaved rounds of hello, SQLite and PostgreSQL loads."""
    workdir.mkdir(parents=True, exist_ok=True)
    poll_ids = [f"bench-{number}" for number in range(1, rounds + 1)]
    manifest = workdir / "polls.json"
    write_manifest(manifest, poll_ids)
    wrk_log = workdir / "wrk.log"
    hello_post, hello_get = Series(), Series()
    backends = [BackendResult("SQLite"), BackendResult("PostgreSQL")]
    with ExitStack() as stack:
        targets: dict[str, Target] = {}
        hello_server = stack.enter_context(hello(workdir))
        sqlite_url = f"sqlite:///{workdir / 'polls.sqlite3'}"
        targets["SQLite"] = stack.enter_context(service("sqlite", sqlite_url, manifest, workdir))
        if not with_postgres:
            backends[1].skipped = "skipped on request (--no-postgres)"
        elif not postgres.available():
            backends[1].skipped = f"skipped: PostgreSQL server binaries absent from {postgres.BIN}"
        else:
            pg_url = stack.enter_context(postgres.server())
            targets["PostgreSQL"] = stack.enter_context(
                service("postgresql", pg_url, manifest, workdir, postgres.SERVER_PIDS.get(pg_url)))
        for number, poll_id in enumerate(poll_ids, start=1):
            common = dict(seconds=seconds, connections=connections, log_file=wrk_log)
            hello_base = hello_server.base
            hello_post.loads.append(wrk(f"{hello_base}/api/polls/{poll_id}/votes", method="POST",
                                        origin=hello_base, body=VOTE_BODY,
                                        server_pids=hello_server.pids, **common))
            hello_get.loads.append(wrk(f"{hello_base}/api/polls/{poll_id}", method="GET",
                                       origin=hello_base, body=None, server_pids=hello_server.pids,
                                       **common))
            for backend in backends:
                if backend.name not in targets:
                    continue
                target = targets[backend.name]
                backend.votes.loads.append(wrk(f"{target.base}/api/polls/{poll_id}/votes",
                                               method="POST", origin=target.base, body=VOTE_BODY,
                                               server_pids=target.pids, **common))
                backend.results.loads.append(wrk(f"{target.base}/api/polls/{poll_id}", method="GET",
                                                 origin=target.base, body=None,
                                                 server_pids=target.pids, **common))
                log.info("votes %d: %-10s %6.0f votes/s (hello %6.0f), %6.0f GET/s (hello %6.0f); "
                         "load average %.1f",
                         number, backend.name, backend.votes.loads[-1].per_second,
                         hello_post.loads[-1].per_second, backend.results.loads[-1].per_second,
                         hello_get.loads[-1].per_second, backend.votes.loads[-1].load_average)
    return VotesResult(hello_post, hello_get, backends, seconds, connections, workers(), rounds)
