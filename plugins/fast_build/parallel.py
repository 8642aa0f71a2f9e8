"""Work shared between this process and forked copies of it: reading texts, rendering pages.

Pelican reads and renders one file at a time. Once its generators have made the context,
``fork`` gives each worker the whole build (templates, texts, settings) for free; each does
its share and sends back a small pickled answer through a pipe, and the parent does a share
too. Only where nothing but files comes out of the work. A worker never writes to the terminal:
what it logs comes back with its answer and is logged by the parent (Pelican's console has a
refresh thread whose lock a fork could copy while held). Only from the main thread (the dev
server rebuilds in another, while serving): otherwise, and below ``MINIMUM`` items, the work
stays in this process.

``FAST_BUILD_WORKERS`` (settings) caps the number of processes; by default, the CPUs this
process may run on.
"""

from __future__ import annotations

import logging
import os
import pickle
import sys
import threading
import traceback
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

log = logging.getLogger(__name__)

Item = TypeVar("Item")
MINIMUM = 48  # items below which forking costs more than it saves


class WorkerFailed(RuntimeError):
    """A forked worker raised: its traceback is the message."""


def worker_count(settings: dict[str, Any], items: int) -> int:
    """Return how many processes should share ``items`` pieces of work (1: no fork)."""
    wanted = settings.get("FAST_BUILD_WORKERS") or len(os.sched_getaffinity(0))
    if items < MINIMUM or threading.current_thread() is not threading.main_thread() or not hasattr(os, "fork"):
        return 1
    return max(1, min(int(wanted), items // (MINIMUM // 2)))


def shares(items: Sequence[Item], count: int) -> list[list[Item]]:
    """Split ``items`` into ``count`` interleaved shares (long and short items mix evenly)."""
    return [list(items[start::count]) for start in range(count)]


def run(items: Sequence[Item], work: Callable[[list[Item]], Any], count: int) -> list[Any]:
    """Run ``work`` on ``count`` shares of ``items``, all but the first in forked workers.

    Returns the answers in the order of the shares. A worker's exception is raised here as
    ``WorkerFailed`` once every worker has ended; the parent's own exception likewise.
    """
    parts = shares(items, count)
    if count <= 1:
        return [work(parts[0] if parts else [])]
    sys.stdout.flush()
    sys.stderr.flush()
    children: list[tuple[int, int]] = []
    for part in parts[1:]:
        reader, writer = os.pipe()
        pid = os.fork()
        if pid == 0:  # the worker: do the share, answer, leave without running the parent's exit code
            os.close(reader)
            _answer(writer, work, part)
        os.close(writer)
        children.append((pid, reader))
    answers: list[Any] = []
    failure: BaseException | None = None
    try:
        answers.append(work(parts[0]))
    except BaseException as problem:  # noqa: BLE001 - raised once the workers are collected
        failure = problem
    for pid, reader in children:
        with os.fdopen(reader, "rb") as pipe:
            data = pipe.read()
        os.waitpid(pid, 0)
        kind, value, records = pickle.loads(data) if data else ("error", "the worker ended without an answer", [])
        for name, level, message in records:
            logging.getLogger(name).log(level, "%s", message)
        if kind == "error" and failure is None:
            failure = WorkerFailed(value)
        answers.append(value)
    if failure is not None:
        raise failure
    return answers


class Collect(logging.Handler):
    """Keep what is logged, as (logger, level, message), to be logged again elsewhere."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Keep one record."""
        self.records.append((record.name, record.levelno, record.getMessage()))


def _answer(pipe: int, work: Callable[[list[Any]], Any], part: list[Any]) -> None:
    status = 0
    collect = Collect()
    logging.getLogger().handlers[:] = [collect]
    try:
        data = pickle.dumps(("ok", work(part), collect.records), protocol=pickle.HIGHEST_PROTOCOL)
    except BaseException:  # noqa: BLE001 - sent to the parent, which raises it
        data = pickle.dumps(("error", traceback.format_exc(), collect.records))
        status = 1
    try:
        with os.fdopen(pipe, "wb") as out:
            out.write(data)
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(status)
