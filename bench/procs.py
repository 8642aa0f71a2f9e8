"""Run and clean up the child processes of the benchmarks: timed commands and servers.

Every server is started in its own session (process group), so stopping it stops gunicorn's
workers too, and nothing outlives ``python -m bench`` even when a measurement fails.
"""

from __future__ import annotations

import logging
import os
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tools.processes import stop_group

log = logging.getLogger(__name__)


class BenchError(RuntimeError):
    """A benchmark could not run (a command failed, a server did not start)."""


@dataclass(frozen=True)
class Measured:
    """One timed run of a command: wall-clock and CPU seconds, and the child's peak memory.

    CPU time (user + system) is kept beside wall time because other engineers load the
    same two cores: a single-threaded build's CPU time barely moves with their load.
    """

    seconds: float
    cpu_seconds: float
    max_rss_mib: float


def run_measured(command: Sequence[str], *, cwd: Path, env: Mapping[str, str] | None = None,
                 log_file: Path) -> Measured:
    """Run ``command`` to completion; return its wall time and its own peak RSS.

    ``os.wait4`` gives the rusage of this one child, where ``getrusage(RUSAGE_CHILDREN)``
    would give the maximum over every child reaped so far.
    """
    with log_file.open("wb") as output:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=dict(env) if env else None,
                                   stdout=output, stderr=subprocess.STDOUT)
        try:
            _, status, usage = os.wait4(process.pid, 0)
        except BaseException:
            process.kill()
            process.wait()
            raise
        elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        tail = log_file.read_text(errors="replace")[-3000:]
        raise BenchError(f"{' '.join(map(str, command))} failed ({process.returncode}):\n{tail}")
    # Linux reports ru_maxrss in KiB.
    return Measured(elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


@contextmanager
def server(command: Sequence[str], *, cwd: Path, env: Mapping[str, str], health_url: str,
           log_file: Path, timeout: float = 30) -> Iterator[subprocess.Popen]:
    """Start a server in its own process group, wait until ``health_url`` answers, stop it after."""
    with log_file.open("ab") as output:
        process = subprocess.Popen(command, cwd=cwd, env=dict(env), stdout=output,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_until_up(health_url, process, timeout, log_file)
        yield process
    finally:
        stop_group(process)


def wait_until_up(url: str, process: subprocess.Popen, timeout: float, log_file: Path) -> None:
    """Poll ``url`` until it answers 2xx; fail with the server's log if it dies or times out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"server exited ({process.returncode}):\n"
                             + log_file.read_text(errors="replace")[-3000:])
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if 200 <= response.status < 300:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise BenchError(f"{url} did not answer within {timeout} s:\n"
                     + log_file.read_text(errors="replace")[-3000:])
