"""Run one ``pelican`` build and print when each phase ends, in wall-clock and CPU seconds.

``python -m bench.phases <pelican arguments>`` is the ``pelican`` command plus a line on
standard error at each of Pelican's build signals and around the work fast_build shares with
its forked workers (``Pending.finish``: reading the texts, then rendering the pages), with
this process's CPU and its workers' (counted once they have ended). Between two lines where
the workers' CPU does not move, the build runs on one core: that is the serial part of the
build, which bounds the cold build on two cores (bench/README.md, issue 19). Used by
``python -m bench.profile phases``.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# Pelican's signals, in the order a build sends them.
SIGNALS = ("initialized", "generator_init", "article_generator_preread", "article_generator_pretaxonomy",
           "article_generator_finalized", "page_generator_finalized", "all_generators_finalized",
           "get_writer", "article_writer_finalized", "page_writer_finalized", "finalized")
_START = time.perf_counter()
_SEEN: set[str] = set()
_HANDLERS: list[Any] = []  # blinker keeps weak references: the handlers live here


def mark(label: str) -> None:
    """Print the time since start, this process's CPU and its ended workers' CPU."""
    times = os.times()
    print(f"{time.perf_counter() - _START:7.2f} s  CPU here {times.user + times.system:6.2f} s  "
          f"workers {times.children_user + times.children_system:6.2f} s  {label}", file=sys.stderr, flush=True)


def _first_time(name: str) -> Any:
    def handler(*_: Any, **__: Any) -> None:
        if name not in _SEEN:
            _SEEN.add(name)
            mark(name)
    _HANDLERS.append(handler)
    return handler


def watch() -> None:
    """Connect a mark to the first sending of each build signal and around shared work."""
    from pelican import signals

    for name in SIGNALS:
        getattr(signals, name).connect(_first_time(name))
    sys.path.insert(0, str(ROOT / "plugins"))
    from fast_build import parallel  # the module Pelican will load as the plugin (same name)

    finish = parallel.Pending.finish

    def timed_finish(self: parallel.Pending) -> list[Any]:
        mark("shared work starts")
        try:
            return finish(self)
        finally:
            mark("shared work ends")

    parallel.Pending.finish = timed_finish  # type: ignore[method-assign]


def main(argv: list[str]) -> int:
    """Run ``pelican`` with ``argv``, marking its phases."""
    watch()
    from pelican import main as pelican_main

    sys.argv = ["pelican", *argv]
    try:
        pelican_main()
    finally:
        mark("end")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
