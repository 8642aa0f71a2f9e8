"""A throwaway PostgreSQL 15 server for the vote benchmark (RECIPES.md's recipe).

``initdb`` and ``pg_ctl`` refuse to run as root, so as root they run as the ``postgres``
user through ``runuser``. The cluster lives in a temporary folder and is stopped and removed
on exit; the machine's own cluster is never touched. Settings stay PostgreSQL's defaults
(fsync on), as a production server has them.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.procs import BenchError
from tools.processes import free_port

log = logging.getLogger(__name__)

BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


def available() -> bool:
    """Tell whether the PostgreSQL server binaries are on this machine."""
    return (BIN / "initdb").is_file() and (BIN / "pg_ctl").is_file()


# The postmaster's pid of each running server, by URL: the bench charges a vote run with the
# database server's CPU time too.
SERVER_PIDS: dict[str, int | None] = {}


def _postmaster_pid(data: Path) -> int | None:
    try:
        return int((data / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _as_owner(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@contextmanager
def server() -> Iterator[str]:
    """Start a fresh server on a free port; yield its SQLAlchemy URL; stop and delete it after."""
    folder = Path(tempfile.mkdtemp(prefix="bench-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    data, port = folder / "data", free_port()
    started = False
    try:
        subprocess.run(_as_owner([str(BIN / "initdb"), "-D", str(data), "-U", "postgres",
                                  "-A", "trust", "--no-sync", "-E", "UTF8"]),
                       check=True, capture_output=True)
        result = subprocess.run(
            _as_owner([str(BIN / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"), "-w",
                       "-o", f"-k {folder} -p {port} -c listen_addresses=127.0.0.1", "start"]),
            capture_output=True, text=True)
        started = result.returncode == 0
        if not started:
            raise BenchError(f"PostgreSQL did not start: {result.stdout}{result.stderr}")
        url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
        SERVER_PIDS[url] = _postmaster_pid(data)
        yield url
    finally:
        if started:
            subprocess.run(_as_owner([str(BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "-w",
                                      "stop"]), capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)
