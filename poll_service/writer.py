"""Group commit: one durable commit for the votes that arrived meanwhile.

Each process runs one writer thread with its own connection to the database (SQLAlchemy's
pool hands it a raw driver connection, configured like every other: WAL, ``synchronous =
FULL`` on SQLite; PostgreSQL's default synchronous commit). A request thread hands its ballot
to the writer and waits. The writer takes every ballot queued, records them in one write
transaction (``store.votes.record_batch``), commits (SQLite fsyncs its write-ahead log,
PostgreSQL its WAL), and only then wakes each request with its outcome: a 201 always follows
the commit that made its vote durable. While it commits, the next ballots queue up, so under
load one commit serves many votes; alone, a vote waits at most POLL_VOTE_BATCH_WAIT_MS for
company (POLL_VOTE_BATCH_MIN ballots), so that a commit rarely pairs one voter with one answer
(docs/privacy.md says what remains when none comes).

Several processes (gunicorn workers) each have a writer; on SQLite they take turns through a
lock file next to the database (waking at once when the previous one commits, where SQLite's
busy handler would poll), on PostgreSQL the poll rows' locks order them. A writer is made
lazily in each process (after gunicorn forks) and lives as long as it.
"""

from __future__ import annotations

import fcntl
import logging
import os
import queue
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from sqlalchemy import Engine

from .db import get_engine
from .errors import PollError
from .store.votes import Ballot, Outcome, record_batch

logger = logging.getLogger(__name__)
# A batch never grows beyond this: the statements of one stay short.
MAX_BATCH = 256
_STARTING = threading.Lock()
SWITCH_INTERVAL_S = 0.0005


@dataclass(eq=False)
class _Pending:
    """A ballot waiting for its batch's commit: ``done`` is held until the outcome is set.

    A bare lock rather than an Event: the request thread blocks on it, the writer releases it;
    an Event would add a condition variable to each vote.
    """

    ballot: Ballot
    now: datetime
    done: Any = field(default_factory=threading.Lock)
    outcome: Outcome | None = None


def get_writer(app: Flask | None = None) -> GroupCommit:
    """Return this process's writer, started on first use (after gunicorn's fork)."""
    app = app or current_app
    state = app.extensions["poll_writer"]
    if state.get("pid") == os.getpid():
        return state["writer"]
    with _STARTING:  # a process's first votes may arrive together, in several threads
        if state.get("pid") == os.getpid():
            return state["writer"]
        engine = get_engine(app)
        database = engine.url.database if engine.dialect.name == "sqlite" else None
        state["writer"] = GroupCommit(
            engine,
            min_batch=app.config["POLL_VOTE_BATCH_MIN"],
            wait_seconds=app.config["POLL_VOTE_BATCH_WAIT_MS"] / 1000,
            lock_path=Path(f"{database}.vote-lock") if database and database != ":memory:" else None,
        )
        state["pid"] = os.getpid()
        return state["writer"]


def init_app(app: Flask) -> None:
    """Give the app its (per-process) writer slot."""
    app.extensions["poll_writer"] = {}


class GroupCommit:
    """The writer thread of one process."""

    # After this long without a vote, SQLite's write-ahead log is emptied (docs/privacy.md).
    IDLE_SECONDS = 1.0

    def __init__(self, engine: Engine, min_batch: int, wait_seconds: float,
                 lock_path: Path | None = None):
        self.engine = engine
        self.dialect = engine.dialect.name
        self.min_batch = max(1, min_batch)
        self.wait_seconds = max(0.0, wait_seconds)
        self._lock_file = open(lock_path, "a") if lock_path else None  # noqa: SIM115 (lives with the process)
        self._queue: queue.SimpleQueue[_Pending] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="poll-vote-writer", daemon=True)
        # The writer gives the GIL up at each database call, then must get it back from
        # request threads busy with Python: by default they keep it up to 5 ms, and every
        # vote of the batch waits that long again. A shorter interval lets it in sooner
        # (bench/README.md: about a fifth more votes per second).
        sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL_S))
        self._connection: Any = None
        self._dirty = False  # a commit since the write-ahead log was last emptied
        self.batch_sizes: list[int] = []  # sizes of the committed batches (tests, bench)
        # Tests only: called with the connection before each commit, and after it.
        self.before_commit: Callable[[Any], None] | None = None
        self.after_commit: Callable[[list[Ballot]], None] | None = None
        self._thread.start()

    def submit(self, ballot: Ballot, now: datetime) -> Outcome:
        """Queue a ballot and wait until its batch is committed; return its outcome."""
        pending = _Pending(ballot, now)
        pending.done.acquire()
        self._queue.put(pending)
        pending.done.acquire()  # released by the writer once the batch is committed
        assert pending.outcome is not None
        return pending.outcome

    def _first(self) -> _Pending:
        """Wait for a ballot; when none comes for IDLE_SECONDS after a commit, empty the log."""
        while True:
            if not self._dirty or self.dialect != "sqlite":
                return self._queue.get()
            try:
                return self._queue.get(timeout=self.IDLE_SECONDS)
            except queue.Empty:
                self._empty_log()

    def _empty_log(self) -> None:
        try:
            with self._exclusive():
                cursor = self._driver().cursor()
                try:
                    busy = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
                finally:
                    cursor.close()
        except Exception as error:  # noqa: BLE001 - tried again after the next vote
            logger.warning("Could not empty the SQLite write-ahead log: %s", type(error).__name__)
            self._discard()
            busy = 1
        self._dirty = bool(busy)

    def _take(self) -> list[_Pending]:
        """Wait for a ballot, then take every one queued (waiting a little when alone)."""
        batch = [self._first()]
        deadline = time.monotonic() + self.wait_seconds
        while len(batch) < MAX_BATCH:
            try:
                batch.append(self._queue.get_nowait())
                continue
            except queue.Empty:
                pass
            left = deadline - time.monotonic()
            if len(batch) >= self.min_batch or left <= 0:
                break
            try:
                batch.append(self._queue.get(timeout=left))
            except queue.Empty:
                break
        return batch

    def _run(self) -> None:
        while True:
            batch = self._take()
            outcomes = self._write(batch)
            for pending, outcome in zip(batch, outcomes):
                pending.outcome = outcome
                pending.done.release()

    def _write(self, batch: list[_Pending]) -> list[Outcome]:
        ballots = [pending.ballot for pending in batch]
        try:
            with self._exclusive():
                conn = self._driver()
                try:
                    if self.dialect == "sqlite":
                        conn.execute("BEGIN IMMEDIATE")
                    outcomes = record_batch(conn, self.dialect, ballots, batch[0].now)
                    if self.before_commit is not None:
                        self.before_commit(conn)
                    conn.commit()  # durable once this returns: fsync'd
                except BaseException:
                    self._rollback(conn)
                    raise
            self._dirty = True
            self.batch_sizes.append(len(batch))
            if self.after_commit is not None:
                self.after_commit(ballots)
            return outcomes
        except Exception as error:  # noqa: BLE001 - every waiter gets an answer, never a hang
            # The class name only: a driver's message may quote digests.
            logger.error("Votes not recorded (database error): %s", type(error).__name__)
            self._discard()
            return [PollError("unavailable")] * len(batch)

    def _driver(self) -> Any:
        if self._connection is None:
            self._connection = self.engine.raw_connection()
        return self._connection.driver_connection

    def _rollback(self, conn: Any) -> None:
        try:
            conn.rollback()
        except Exception:  # noqa: BLE001 - the connection is dropped below anyway
            pass

    def _discard(self) -> None:
        if self._connection is not None:
            try:
                self._connection.invalidate()
            except Exception:  # noqa: BLE001
                pass
            self._connection = None

    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        """Take turns with the other processes' writers (SQLite: a lock file; the kernel frees
        it if a process dies)."""
        if self._lock_file is None:
            yield
            return
        fcntl.flock(self._lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(self._lock_file, fcntl.LOCK_UN)
