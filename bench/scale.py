"""Build and preview at any size (issue 19): the big-site rows of ``make bench``.

At ``n_articles`` (5,000 by default), side by side with vanilla Pelican on the same corpus
(bench/corpus.py, the sites of bench/build.py):

- the cold build, each a fresh ``pelican`` process with an empty output and cache folder,
  rounds alternating which site goes first; medians of wall-clock time and of peak memory
  (the largest max RSS among the build and its workers, os.wait4);
- edit-to-rebuilt: ``make devserver`` and ``pelican --autoreload`` on the same generated site
  (tools/rebuild_timing.py), medians of a few saves;
- once, the cold build with the search index (``SEARCH_INDEX``), as ``make serve`` and
  ``make publish`` make it: reported beside the others, not judged (``make html`` leaves the
  index out; Pagefind reads the whole site after the build).

Two cores are what the targets assume: the parallel build forks one worker per CPU.
"""

from __future__ import annotations

import logging
import dataclasses
import shutil
import statistics
from dataclasses import dataclass
from pathlib import Path

from bench import build
from bench.procs import Measured, run_measured
from tools.rebuild_timing import measure_edit_to_rebuilt

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScaleResult:
    """Medians at one size: cold builds (seconds, MiB) and edit-to-rebuilt (seconds)."""

    n_articles: int
    rounds: int
    edits: int
    ours_cold: float
    vanilla_cold: float
    ours_mib: float
    vanilla_mib: float
    ours_edit: float
    vanilla_edit: float | None  # None when not measured (--scale-vanilla-edits 0)
    indexed: Measured | None = None  # one cold build with the search index


def indexed_build(ours: build.Site) -> Measured:
    """Time one cold build of ours with the search index, as make serve and make publish make it."""
    site = dataclasses.replace(ours, name="ours + index", work=ours.work.parent / "indexed",
                               extra=("-e", "SEARCH_INDEX=true"))
    site.work.mkdir(parents=True, exist_ok=True)
    result = run_measured(site.command(), cwd=site.cwd, log_file=site.work / "cold.log")
    log.info("scale %d: ours with the search index, cold %5.1f s (CPU %5.1f s) %4.0f MiB", len(ours.corpus.articles),
             result.seconds, result.cpu_seconds, result.max_rss_mib)
    return result


def cold_builds(ours: build.Site, vanilla: build.Site, rounds: int) -> tuple[list[Measured], list[Measured]]:
    """Time ``rounds`` cold builds of ours and of vanilla Pelican, alternating which goes first."""
    n_articles = len(ours.corpus.articles)
    measured: dict[str, list[Measured]] = {"ours": [], "vanilla": []}
    for round_number in range(rounds):
        for site in ((ours, vanilla) if round_number % 2 == 0 else (vanilla, ours)):
            site.work.mkdir(parents=True, exist_ok=True)
            shutil.rmtree(site.output, ignore_errors=True)
            shutil.rmtree(site.cache, ignore_errors=True)
            result = run_measured(site.command(), cwd=site.cwd, log_file=site.work / f"cold-{round_number}.log")
            measured[site.name].append(result)
            log.info("scale %d: %-7s cold %5.1f s (CPU %5.1f s) %4.0f MiB", n_articles, site.name,
                     result.seconds, result.cpu_seconds, result.max_rss_mib)
    return measured["ours"], measured["vanilla"]


def run(workdir: Path, n_articles: int = 5000, rounds: int = 3, edits: int = 5,
        vanilla_edits: int = 3) -> ScaleResult:
    """Measure the cold builds and edit-to-rebuilt at ``n_articles``; return the medians."""
    ours_site, vanilla_site = build.prepare(workdir / "build", n_articles)
    ours, vanilla = cold_builds(ours_site, vanilla_site, rounds)
    indexed = indexed_build(ours_site)
    ours_edit = measure_edit_to_rebuilt(workdir / "rebuild", n_articles, "devserver", edits)
    vanilla_edit = (measure_edit_to_rebuilt(workdir / "rebuild", n_articles, "pelican", vanilla_edits)
                    if vanilla_edits else None)

    def median(values: list[Measured], attribute: str) -> float:
        return statistics.median(getattr(value, attribute) for value in values)

    return ScaleResult(n_articles, rounds, edits, median(ours, "seconds"), median(vanilla, "seconds"),
                       median(ours, "max_rss_mib"), median(vanilla, "max_rss_mib"), ours_edit, vanilla_edit,
                       indexed)
