"""Work shared between this process and forked copies of it: reading texts, rendering pages.

Pelican reads and renders one file at a time. ``fork`` gives each worker the whole build
(templates, texts, settings) for free. The items are cut into small chunks whose numbers wait
in a pipe: each process takes the next chunk when it is done with one, so a process that is
slowed (by other work of its own, or another program) simply takes fewer. Each worker sends
back a small pickled answer through a pipe. Work can be started early (``start``) and finished
later (``Pending.finish``, where this process takes its part of what is left): texts are read
in the workers while this process checks the content. Only where nothing but files comes out
of the work. A worker never writes to the terminal: what it logs comes back with its answer
and is logged by the parent (Pelican's console has a refresh thread whose lock a fork could
copy while held). Only from the main thread (the dev server rebuilds in another, while
serving): otherwise, and below ``MINIMUM`` items, the work stays in this process.

``FAST_BUILD_WORKERS`` (settings) caps the number of processes; by default, the CPUs this
process may run on.
"""

from __future__ import annotations

import atexit
import logging
import os
import pickle
import signal
import struct
import sys
import threading
import traceback
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

log = logging.getLogger(__name__)

Item = TypeVar("Item")
MINIMUM = 48  # items below which forking costs more than it saves
CHUNK = 8  # items per chunk: small enough to even out the processes, large enough to cost nothing
_NUMBER = struct.Struct("=I")  # a chunk number in the pipe (4 bytes: read whole, never split)
_MOST_CHUNKS = 4096  # chunk numbers that fit in a pipe's buffer (Linux: 64 KiB) with room to spare


class WorkerFailed(RuntimeError):
    """A forked worker raised: its traceback is the message."""


def worker_count(settings: dict[str, Any], items: int) -> int:
    """Return how many processes should share ``items`` pieces of work (1: no fork)."""
    wanted = settings.get("FAST_BUILD_WORKERS") or len(os.sched_getaffinity(0))
    if items < MINIMUM or threading.current_thread() is not threading.main_thread() or not hasattr(os, "fork"):
        return 1
    return max(1, min(int(wanted), items // (MINIMUM // 2)))


def chunks(items: Sequence[Item]) -> list[list[Item]]:
    """Cut ``items`` into consecutive chunks of ``CHUNK`` items (more for a huge list)."""
    size = max(CHUNK, -(-len(items) // _MOST_CHUNKS))
    return [list(items[start:start + size]) for start in range(0, len(items), size)]


class Pending:
    """Work handed to forked workers, which this process finishes with them (``finish``)."""

    def __init__(self, parts: list[list[Any]], work: Callable[[list[Any]], Any], tasks: int | None,
                 children: list[tuple[int, int]]):
        self._parts, self._work, self._tasks, self._children = parts, work, tasks, children
        _PENDING.add(self)

    def finish(self) -> list[Any]:
        """Do the chunks no worker took yet, then collect the workers' answers.

        Returns the answer of each chunk, in the order of the items. A worker's exception is
        raised here as ``WorkerFailed`` once every worker has ended; this process's own likewise.
        """
        _PENDING.discard(self)
        done: dict[int, Any] = {}
        failure: BaseException | None = None
        try:
            if self._tasks is None:
                done.update((number, self._work(part)) for number, part in enumerate(self._parts))
            else:
                done.update(_take(self._tasks, self._parts, self._work))
        except BaseException as problem:  # noqa: BLE001 - raised once the workers are collected
            failure = problem
        finally:
            if self._tasks is not None:
                os.close(self._tasks)
        for pid, reader in self._children:
            with os.fdopen(reader, "rb") as pipe:
                data = pipe.read()
            os.waitpid(pid, 0)
            kind, value, records = pickle.loads(data) if data else ("error", "the worker ended without an answer", [])
            for name, level, message in records:
                logging.getLogger(name).log(level, "%s", message)
            if kind == "error":
                failure = failure or WorkerFailed(value)
            else:
                done.update(value)
        self._children = []
        if failure is not None:
            raise failure
        return [done[number] for number in sorted(done)]

    def cancel(self) -> None:
        """Stop the workers and forget their work (the build that wanted it ended early)."""
        _PENDING.discard(self)
        for pid, reader in self._children:
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except OSError:
                pass
            os.close(reader)
        self._children = []
        if self._tasks is not None:
            os.close(self._tasks)
            self._tasks = None


# Work started and not finished: a build that stopped early (a content error) leaves it.
_PENDING: set[Pending] = set()


def cancel_all() -> None:
    """Stop the workers of any work not finished (the build that started it ended early)."""
    for pending in list(_PENDING):
        pending.cancel()


atexit.register(cancel_all)


def start(items: Sequence[Item], work: Callable[[list[Item]], Any], count: int) -> Pending:
    """Start ``work`` on chunks of ``items`` in ``count - 1`` forked workers; finish with ``finish``.

    ``work`` takes a chunk and returns its answer; ``Pending.finish`` returns them in order.
    """
    parts = chunks(items)
    if count <= 1 or len(parts) <= 1:
        return Pending(parts, work, None, [])
    sys.stdout.flush()
    sys.stderr.flush()
    tasks, feed = os.pipe()
    # Every chunk number is in the pipe before any worker exists, and its writing end closed:
    # a process reading four bytes gets one whole number, or nothing once all are taken.
    os.write(feed, b"".join(_NUMBER.pack(number) for number in range(len(parts))))
    os.close(feed)
    children: list[tuple[int, int]] = []
    for _ in range(count - 1):
        reader, writer = os.pipe()
        pid = os.fork()
        if pid == 0:  # the worker: take chunks, answer, leave without running the parent's exit code
            os.close(reader)
            for _, other in children:
                os.close(other)
            _answer(writer, lambda: _take(tasks, parts, work))
        os.close(writer)
        children.append((pid, reader))
    return Pending(parts, work, tasks, children)


def run(items: Sequence[Item], work: Callable[[list[Item]], Any], count: int) -> list[Any]:
    """Run ``work`` on chunks of ``items``, shared by this process and ``count - 1`` workers.

    Returns the answer of each chunk, in the order of the items.
    """
    return start(items, work, count).finish()


def _take(tasks: int, parts: list[list[Any]], work: Callable[[list[Any]], Any]) -> dict[int, Any]:
    """Take chunk numbers from the pipe until none is left; return each chunk's answer."""
    done = {}
    while len(data := os.read(tasks, _NUMBER.size)) == _NUMBER.size:
        (number,) = _NUMBER.unpack(data)
        done[number] = work(parts[number])
    return done


class Collect(logging.Handler):
    """Keep what is logged, as (logger, level, message), to be logged again elsewhere."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Keep one record."""
        self.records.append((record.name, record.levelno, record.getMessage()))


def _answer(pipe: int, work: Callable[[], Any]) -> None:
    status = 0
    collect = Collect()
    logging.getLogger().handlers[:] = [collect]
    try:
        data = pickle.dumps(("ok", work(), collect.records), protocol=pickle.HIGHEST_PROTOCOL)
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
