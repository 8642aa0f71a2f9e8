"""Edit-to-rebuilt: seconds from saving an article to the end of the rebuild, at N articles.

Both servers run for real, in a subprocess, on the same generated site (tools/sample_site.py):

- ``server="devserver"``: ``make devserver`` (tools/devserver.py, fast rebuilds);
- ``server="pelican"``: ``pelican --autoreload``, Pelican's own loop and writer, with the same
  settings and plugins (the vanilla reference).

Each waits for its first (cold) build, then an article is edited ``edits`` times; the time from
the save to the line that ends the rebuild is measured, and the edit is checked to be in the
page. The edited article is the one in the middle (number N // 2), so any N works. The median
is returned. ``make bench`` imports ``measure_edit_to_rebuilt``; ``python -m tools.rebuild_timing``
prints both numbers.
"""

from __future__ import annotations

import argparse
import os
import queue
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from tools.processes import free_port, stop_group
from tools.sample_site import edit, make_site

ROOT = Path(__file__).resolve().parent.parent
# The line each server prints when a build is over (done or stopped by a mistake).
DONE = {"devserver": re.compile(r"(Site construit|Aperçu mis à jour|Aperçu NON mis à jour)"),
        "pelican": re.compile(r"^Done: Processed")}
# A save right after a build could reach `pelican --autoreload` before it watches again.
SETTLE_SECONDS = 1.0


def server_command(server: str, workdir: Path) -> list[str]:
    """Return the command line of one server on the generated site."""
    content, output, cache = workdir / "content", workdir / f"output-{server}", workdir / f"cache-{server}"
    if server == "devserver":
        return [sys.executable, "-m", "tools.devserver", "--port", str(free_port()), "--no-polls",
                "--content", str(content), "-o", str(output), "--cache", str(cache)]
    if server == "pelican":
        return [str(Path(sys.executable).with_name("pelican")), str(content), "-o", str(output),
                "-s", str(ROOT / "pelicanconf.py"), "--cache-path", str(cache), "--autoreload"]
    raise ValueError(f"unknown server {server!r}: devserver or pelican")


class _Lines:
    """The output lines of a process, read in a thread, each with the moment it arrived."""

    def __init__(self, process: subprocess.Popen):
        self.queue: queue.Queue[tuple[float, str]] = queue.Queue()
        threading.Thread(target=self._read, args=(process,), daemon=True).start()

    def _read(self, process: subprocess.Popen) -> None:
        for line in process.stdout:
            self.queue.put((time.perf_counter(), line.rstrip("\n")))

    def wait_for(self, pattern: re.Pattern, timeout: float) -> float:
        """Return when a line matching ``pattern`` arrived; fail after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                moment, line = self.queue.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            if pattern.search(line):
                return moment
        raise TimeoutError(f"no line matching {pattern.pattern!r} within {timeout} s")


def edited_article(n_articles: int) -> str:
    """Return the slug of the generated article the timing edits: the one in the middle."""
    if n_articles < 1:
        raise ValueError("edit-to-rebuilt needs at least one generated article")
    return f"genere-{n_articles // 2}"


def measure_edit_to_rebuilt(workdir: Path, n_articles: int = 1000, server: str = "devserver",
                            edits: int = 5, timeout: float = 300.0) -> float:
    """Return the median seconds from an article's save to the end of its rebuild.

    ``workdir`` keeps the generated site (reused when it has ``n_articles``), the outputs and
    the caches. ``server`` is "devserver" (ours) or "pelican" (vanilla autoreload).
    """
    workdir = Path(workdir)
    content = make_site(workdir, n_articles)
    edited = edited_article(n_articles)
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "400",
           "PYTHONPATH": os.pathsep.join([str(ROOT / "plugins"), str(ROOT)])}
    process = subprocess.Popen(server_command(server, workdir), cwd=ROOT, env=env, text=True,
                               encoding="utf-8", stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               start_new_session=True)
    lines = _Lines(process)
    page = workdir / f"output-{server}" / edited / "index.html"
    try:
        lines.wait_for(DONE[server], timeout)  # the first, cold build
        durations = []
        for count in range(edits):
            time.sleep(SETTLE_SECONDS)
            started = time.perf_counter()
            sentence = edit(content / f"{edited}.md", count)
            durations.append(lines.wait_for(DONE[server], timeout) - started)
            if sentence not in page.read_text(encoding="utf-8"):
                raise AssertionError(f"{server}: the edit is not in {page}")
        return statistics.median(durations)
    finally:
        stop_group(process, signal.SIGINT, timeout=15)  # as Ctrl-C would


def main(argv: list[str] | None = None) -> int:
    """Print the edit-to-rebuilt time of make devserver and of pelican --autoreload."""
    parser = argparse.ArgumentParser(prog="python -m tools.rebuild_timing", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--workdir", help="where to generate the site (a temporary folder by default)")
    parser.add_argument("--server", choices=("devserver", "pelican", "both"), default="both")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="rebuild-timing-") as temporary:
        workdir = Path(args.workdir or temporary)
        servers = ("devserver", "pelican") if args.server == "both" else (args.server,)
        results = {server: measure_edit_to_rebuilt(workdir, args.articles, server, args.edits)
                   for server in servers}
    for server, seconds in results.items():
        print(f"{server:10} {seconds:6.2f} s  (edit-to-rebuilt, median of {args.edits}, "
              f"{args.articles} articles)")
    if len(results) == 2:
        print(f"ratio      {results['devserver'] / results['pelican']:6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
