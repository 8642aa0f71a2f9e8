"""`python -m bench` at a tiny size, so the benchmark cannot rot. Timings are never asserted."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench import report

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_a_tiny_bench_run_fills_every_row(tmp_path: Path) -> None:
    results = tmp_path / "results.md"
    command = [sys.executable, "-m", "bench", "--articles", "10", "--build-rounds", "1", "--edits", "2",
               "--vanilla-edits", "1", "--scale-articles", "20", "--scale-rounds", "1", "--scale-edits", "1",
               "--scale-vanilla-edits", "1", "--vote-seconds", "1", "--vote-rounds", "1", "--no-postgres",
               "--output", str(results),
               # Lighthouse comes from npm on first use: the real run only (bench/lighthouse.py).
               "--skip", "lighthouse"]
    if shutil.which("wrk") is None:  # the real run installs it; a test does not
        command += ["--skip", "votes"]
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=400)
    assert run.returncode == 0, run.stdout + run.stderr
    text = results.read_text(encoding="utf-8")
    assert "| Measure | Value | Target | Result |" in text
    assert "cores" in text and "smoke run" in text
    for measure in ("Cold build, our site with all our plugins ÷ the same with only i18n",
                    "Cold build, ours ÷ vanilla Pelican", "Warm rebuild after one edit",
                    "Peak memory, cold build", "Edit-to-rebuilt, `make devserver`", "Poll script",
                    "Cold build at 20 articles, ours ÷ vanilla Pelican", "`pelican --autoreload`:",
                    "Cold build at 20 articles with the search index (make serve, make publish)",
                    "Article page with a poll"):
        assert measure in text
    edit_row = next(line for line in text.splitlines() if line.startswith("| Edit-to-rebuilt"))
    assert " s** (`pelican --autoreload`: " in edit_row
    if "votes" not in command:
        assert "Votes, SQLite, ÷ hello POST" in text and "Results GET, SQLite" in text
        # The server's CPU per request is read from /proc, for the service and hello alike.
        assert "Server CPU per request, hello POST ÷ vote, SQLite" in text
        assert "results GET, PostgreSQL | skipped on request" in text
    assert "| error |" not in text


def test_a_figure_beyond_its_target_fails_and_one_within_passes() -> None:
    assert report.check(1.05, 1.10, at_most=True) == "pass"
    assert report.check(1.20, 1.10, at_most=True) == "fail"
    assert report.check(0.60, 0.50, at_most=False) == "pass"
    assert report.check(0.40, 0.50, at_most=False) == "fail"


def test_edit_to_rebuilt_passes_within_its_target_for_the_size_only() -> None:
    assert report.rebuild_row(0.25, 1000, 9).verdict == "pass"
    assert report.rebuild_row(0.5, 1000, 9).verdict == "fail"
    assert report.rebuild_row(0.8, 5000, 5).verdict == "pass"
    assert report.rebuild_row(1.5, 5000, 5).verdict == "fail"


def test_the_edit_to_rebuilt_timing_edits_the_article_in_the_middle() -> None:
    from tools.rebuild_timing import edited_article

    assert edited_article(1000) == "genere-500"
    assert edited_article(10) == "genere-5"
    assert edited_article(1) == "genere-0"
