"""Fixtures of the poll service tests: app, client and runner, on SQLite and on PostgreSQL.

Every test that uses ``app`` runs twice: on a SQLite file and on a real PostgreSQL server that
this file starts once per session (a throwaway cluster in a temporary folder, on a free
port). The PostgreSQL runs skip only when the server binaries are not installed.
Time is a ``Clock`` the tests move by hand; ``gunicorn`` starts real servers for the slow tests.
"""

from __future__ import annotations

import copy
import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import requests
from sqlalchemy import create_engine, text

from poll_service import create_app
from poll_service.db import dispose, get_engine, transaction
from poll_spec import PARIS, poll_from_manifest
from poll_service.schema import migrate
from poll_service.store.sync import sync_polls
from tools.processes import free_port

ROOT = Path(__file__).resolve().parents[2]
SECRET = "test-secret-key-0123456789abcdef"
ADMIN_TOKEN = "jeton-admin-de-test-0123456789abcdef"
ORIGIN = "http://localhost"  # the test client's own origin
# Thursday 20 November 2026, noon in Paris: every sample poll's dates are set around it.
START = datetime(2026, 11, 20, 12, 0, tzinfo=PARIS)

SAMPLE_POLLS: list[dict[str, Any]] = [
    {
        "id": "don-en-ligne",
        "question": "Utilisez-vous le don en ligne pour votre association ?",
        "options": [
            {"key": "oui", "label": "Oui, régulièrement"},
            {"key": "parfois", "label": "Oui, de temps en temps"},
            {"key": "bientot", "label": "Non, mais nous y pensons"},
            {"key": "non", "label": "Non"},
        ],
        "multiple": False,
        "opens": "2026-11-01T00:00:00+01:00",
        "closes": "2026-12-31",
        "results": "always",
        "source": "content/don-en-ligne.md",
        "url": "/don-en-ligne/",
    },
    {
        "id": "outils",
        "question": "Quels outils utilisez-vous ?",
        "options": [
            {"key": "tableur", "label": "Un tableur"},
            {"key": "agenda", "label": "Un agenda partagé"},
            {"key": "forum", "label": "Un forum"},
        ],
        "multiple": 2,
        "opens": None,
        "closes": None,
        "results": "after-vote",
        "source": "content/outils.md",
        "url": "/outils/",
    },
    {
        "id": "bilan",
        "question": "Le bilan de l'année vous a-t-il été utile ?",
        "options": [{"key": "oui", "label": "Oui"}, {"key": "non", "label": "Non"}],
        "multiple": False,
        "opens": None,
        "closes": "2026-12-01T18:00:00+01:00",
        "results": "after-close",
        "source": "content/bilan.md",
        "url": "/bilan/",
    },
    {
        "id": "futur",
        "question": "Viendrez-vous à l'assemblée générale ?",
        "options": [{"key": "oui", "label": "Oui"}, {"key": "non", "label": "Non"}],
        "multiple": False,
        "opens": "2027-01-01",
        "closes": None,
        "results": "always",
        "source": "content/ag.md",
        "url": "/ag/",
    },
    {
        "id": "ancien",
        "question": "Avez-vous aimé la fête de l'été ?",
        "options": [{"key": "oui", "label": "Oui"}, {"key": "non", "label": "Non"}],
        "multiple": False,
        "opens": None,
        "closes": "2026-09-30",
        "results": "always",
        "source": "content/fete.md",
        "url": "/fete/",
    },
]


class Clock:
    """A clock the test moves by hand; the app reads it through POLL_CLOCK."""

    def __init__(self, now: datetime = START):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        """Move the clock forward by a timedelta's keyword arguments."""
        self.now += timedelta(**delta)


# --- PostgreSQL -------------------------------------------------------------------------


def _postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


@dataclass(frozen=True)
class PostgresCluster:
    """A PostgreSQL server started by the tests: its URL and its data folder."""

    url: str
    data_dir: Path


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresCluster]:
    """Start a throwaway PostgreSQL server for the session."""
    bindir = _postgres_bin()
    if bindir is None:
        reason = "PostgreSQL server binaries (initdb, pg_ctl) are not installed: apt-get install postgresql"
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (.ci/run installs them: in CI these tests must never skip)")
        pytest.skip(reason)
    # Not under pytest's temporary folder: as root, that one is closed to the postgres user.
    base = Path(tempfile.mkdtemp(prefix="poll-service-pg-"))
    as_root = os.geteuid() == 0
    prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
    if as_root:
        shutil.chown(base, "postgres")
    port = free_port()
    data, log = base / "data", base / "log"
    subprocess.run(
        [*prefix, str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"],
        check=True,
        capture_output=True,
    )
    # Durability settings off: these tests kill gunicorn, never the database server.
    server_options = (
        f"-k {base} -p {port} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    )
    pg_ctl = [*prefix, str(bindir / "pg_ctl"), "-D", str(data)]
    subprocess.run([*pg_ctl, "-l", str(log), "-w", "-o", server_options, "start"], check=True, capture_output=True)
    try:
        yield PostgresCluster(f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", data)
    finally:
        subprocess.run([*pg_ctl, "-m", "immediate", "-w", "stop"], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/instance/polls.sqlite3"
        return
    server = request.getfixturevalue("postgres_server").url
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{server}?options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


# --- The app ------------------------------------------------------------------------------


@pytest.fixture
def clock() -> Clock:
    """The app's clock, at START."""
    return Clock()


@pytest.fixture
def polls() -> list[dict[str, Any]]:
    """A copy of the sample manifest entries, free to edit."""
    return copy.deepcopy(SAMPLE_POLLS)


@pytest.fixture
def make_app(database_url: str, clock: Clock, tmp_path: Path) -> Iterator[Callable[..., Any]]:
    """Return a factory of apps on the test database, initialised with the sample polls."""
    apps = []

    def factory(**overrides: Any) -> Any:
        config = {
            "TESTING": True,
            "POLL_DATABASE_URL": database_url,
            "POLL_SECRET_KEY": SECRET,
            "POLL_ADMIN_TOKEN": ADMIN_TOKEN,
            "POLL_SITE_URL": ORIGIN,
            "POLL_CLOCK": clock,
            "POLL_RATE_LIMIT": "0",
            "POLL_KEY_DIR": str(tmp_path / "keys"),
            # A lone test vote commits at once; tests of the wait set it themselves.
            "POLL_VOTE_BATCH_WAIT_MS": "0",
            **overrides,
        }
        app = create_app(config)
        apps.append(app)
        with app.app_context():
            migrate(get_engine())
            with get_engine().connect() as conn, transaction(conn, write=True):
                sync_polls(conn, [poll_from_manifest(entry) for entry in SAMPLE_POLLS])
        return app

    yield factory
    for app in apps:
        dispose(app)


@pytest.fixture
def app(make_app: Callable[..., Any]) -> Any:
    """The app with the default settings (cookie+ip, no trusted proxy, no rate limit)."""
    return make_app()


@pytest.fixture
def client(app: Any) -> Any:
    """A test client of ``app``."""
    return app.test_client()


@pytest.fixture
def runner(app: Any) -> Any:
    """A runner of ``app``'s click commands."""
    return app.test_cli_runner()


@pytest.fixture
def vote() -> Callable[..., Any]:
    """Return a function that posts a JSON vote from the site's own origin."""

    def post(client: Any, poll_id: str, *choices: str, headers: dict[str, str] | None = None, **kwargs: Any) -> Any:
        return client.post(
            f"/api/polls/{poll_id}/votes",
            json={"choices": list(choices)},
            headers={"Origin": ORIGIN, **(headers or {})},
            **kwargs,
        )

    return post


# --- Real servers -----------------------------------------------------------------------


@dataclass
class Server:
    """A gunicorn started by a test; ``url`` is its base address."""

    process: subprocess.Popen
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def kill(self) -> None:
        """Kill -9 the master and its workers (they share the process group we created)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """Stop gracefully, then kill whatever is left."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)  # stray workers, if any
        except ProcessLookupError:
            pass
        self.process.wait(timeout=10)


@pytest.fixture
def gunicorn(tmp_path: Path) -> Iterator[Callable[..., Server]]:
    """Return a function starting ``gunicorn 'poll_service:create_app()'``; all are killed after."""
    servers: list[Server] = []

    def start(
        database_url: str, workers: int = 4, args: tuple[str, ...] = (), app: str = "poll_service:create_app()", **env: str
    ) -> Server:
        port = free_port()
        log = tmp_path / f"gunicorn-{port}.log"
        command = [
            str(Path(sys.executable).with_name("gunicorn")),
            "--workers", str(workers),
            "--bind", f"127.0.0.1:{port}",
            "--no-control-socket",
            "--chdir", str(tmp_path),
            "--timeout", "60",
            *args,
            app,
        ]
        environment = {
            **{k: v for k, v in os.environ.items() if not k.startswith("POLL_")},
            "PYTHONPATH": str(ROOT),
            "POLL_DATABASE_URL": database_url,
            "POLL_SECRET_KEY": SECRET,
            "POLL_SITE_URL": f"http://127.0.0.1:{port}",
            "POLL_RATE_LIMIT": "0",
            "POLL_KEY_DIR": str(tmp_path / "keys"),
            "POLL_VOTE_BATCH_WAIT_MS": "0",
            **env,
        }
        with open(log, "wb") as output:
            process = subprocess.Popen(
                command, env=environment, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
            )
        server = Server(process, port, log)
        servers.append(server)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {log.read_text(errors='replace')}")
            try:
                if requests.get(f"{server.url}/healthz", timeout=5).status_code == 200:
                    return server
            except requests.RequestException:
                pass  # not listening yet, or its workers are still booting
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not answer: {log.read_text(errors='replace')}")

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def site_dir(tmp_path: Path) -> Path:
    """A tiny built site (a home page, an article, a style sheet, a 404 page) and, beside it, a
    file the service must never serve."""
    root = tmp_path / "output"
    (root / "don-en-ligne").mkdir(parents=True)
    (root / "theme" / "css").mkdir(parents=True)
    (root / "index.html").write_text("<h1>Accueil</h1>", encoding="utf-8")
    (root / "don-en-ligne" / "index.html").write_text("<h1>Le don en ligne</h1>", encoding="utf-8")
    (root / "theme" / "css" / "site.css").write_text("body { color: black; }", encoding="utf-8")
    (root / "404.html").write_text("<h1>Page introuvable</h1>", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("ne doit pas sortir", encoding="utf-8")
    return root
