"""``python -m bench`` (``make bench``): run every benchmark, print the table, write results.md.

Each section runs in a temporary folder that is removed at the end. A section that cannot
run (a broken build, a service that does not start) becomes an "error" row and a non-zero
exit status; the other sections still run. A figure beyond its target is only reported.
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from bench import build, lighthouse, report, scale, votes, weight
from tools.rebuild_timing import measure_edit_to_rebuilt

log = logging.getLogger("bench")

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = ("build", "rebuild", "scale", "votes", "weight", "lighthouse")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Read the command line (defaults: the sizes issue 6 asks for)."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000, help="corpus size (1000)")
    parser.add_argument("--build-rounds", type=int, default=5,
                        help="rotating rounds of cold (+ warm) builds; medians are reported (5)")
    parser.add_argument("--edits", type=int, default=9,
                        help="saves timed under make devserver; the median is reported (9)")
    parser.add_argument("--vanilla-edits", type=int, default=5,
                        help="saves timed under pelican --autoreload beside make devserver (5; 0: none)")
    parser.add_argument("--scale-articles", type=int, default=5000,
                        help="size of the big site of the scale section (5000; --skip scale to leave it out)")
    parser.add_argument("--scale-rounds", type=int, default=3, help="cold builds of each site at that size (3)")
    parser.add_argument("--scale-edits", type=int, default=5, help="saves timed under make devserver there (5)")
    parser.add_argument("--scale-vanilla-edits", type=int, default=3,
                        help="saves timed under pelican --autoreload there (3; 0: none)")
    parser.add_argument("--vote-seconds", type=int, default=10, help="length of each wrk run (10)")
    parser.add_argument("--vote-rounds", type=int, default=2, help="interleaved wrk rounds (2)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (32)")
    parser.add_argument("--no-postgres", action="store_true", help="votes on SQLite only")
    parser.add_argument("--skip", action="append", choices=SECTIONS, default=[],
                        help="leave a section out (repeatable)")
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results.md",
                        help="where to write the Markdown results (bench/results.md)")
    return parser.parse_args(argv)


def commit() -> str:
    """Return HEAD's short hash, flagged when the working tree holds uncommitted changes."""
    def git(*command: str) -> str:
        return subprocess.run(["git", *command], cwd=ROOT, capture_output=True,
                              text=True).stdout.strip()
    head = git("rev-parse", "--short", "HEAD") or "unknown"
    return head + (" + uncommitted changes" if git("status", "--porcelain") else "")


def how(args: argparse.Namespace) -> str:
    """Describe how the figures were measured, for results.md."""
    return "\n".join([
        f"- Build: {args.articles} generated articles (bench/corpus.py, seeded; a poll in one "
        "in ten), each build a fresh `pelican` process. Ours = pelicanconf.py with our theme "
        "and all our plugins, as `make html` (FAST_REBUILD on). Only i18n = the same command, "
        "corpus and settings with `-e PLUGINS='[\"i18n\"]'`, the one plugin our theme needs "
        "(its `_()` and date filters): no feed is written then (Pelican's own feed writer is off "
        "in pelicanconf.py) and poll blocks stay "
        "code; ours ÷ this is what our plugins cost, and the 10 % target is judged on it. "
        "Vanilla = the same Pelican with its default theme, settings and feeds, no plugins, poll "
        "blocks left as ```text code: ours ÷ vanilla also counts our theme and settings — more "
        "pages (lists paginated by 9 on home, categories, tags and authors; vanilla paginates "
        "nothing), and templates that show more (byline, share links, social metadata, date "
        "words through Babel) — so it is information, not a target. All with the content "
        f"cache (reader layer, mtime). {args.build_rounds} rounds rotating which site goes "
        "first; medians. Warm = the same command again after appending a sentence to one "
        "article (ours and vanilla). Peak memory = the child's max RSS (os.wait4).",
        f"- Votes: gunicorn `{' '.join(votes.worker_args())}` (docs/deploy.md: a worker per core, "
        "threads that wait for their batch's commit; `--no-control-socket`; "
        "`-c python:poll_service.gunicorn_conf`, the documented configuration: no forwarded "
        "header believed by gunicorn, no access log) on 127.0.0.1, "
        "production settings (POLL_ENV unset, POLL_SECRET_KEY and POLL_SITE_URL set, POLL_TRUSTED_PROXIES=1, "
        "POLL_RATE_LIMIT=0, batches as by default), fresh SQLite file (synchronous=FULL) and "
        "a throwaway PostgreSQL 15 (default settings, fsync on); polls created by `flask init-db` "
        f"+ `sync-polls`. wrk, {args.connections} connections, {args.vote_seconds} s per run, "
        f"{args.vote_rounds} interleaved rounds (medians); bench/lua/load.lua gives every "
        "request its own X-Forwarded-For and no cookie, so each vote is a new voter. The "
        "reference is bench/hello_app.py under the same gunicorn command, loaded with the same "
        "script (POST with the same body, GET). Server CPU per request = user + system time of "
        "gunicorn's master and workers (and PostgreSQL's server processes for its rows) read from "
        "/proc before and after each run, divided by its requests; with the load average at each "
        "run's start: on a shared machine throughput swings, CPU per request barely moves.",
        "- Edit-to-rebuilt: `measure_edit_to_rebuilt()` of tools/rebuild_timing.py (issue 8): "
        f"`make devserver` on its own generated site, median of {args.edits} saves; beside it "
        f"`pelican --autoreload` with the same settings and plugins, median of {args.vanilla_edits}.",
        f"- Scale (issue 19): {args.scale_articles} generated articles, cold builds of ours and "
        f"vanilla (as above), {args.scale_rounds} rounds alternating which goes first, medians; "
        "peak memory is the largest max RSS among the build and its forked workers; "
        f"edit-to-rebuilt as above, {args.scale_edits} saves (`pelican --autoreload`: "
        f"{args.scale_vanilla_edits}). About 10 minutes: `--skip scale` leaves it out.",
        "- Weight: gzip level 9, each file on its own; the page is from a build of content/.",
        "- Where the time goes, and why the vote ratios stay below their target: "
        "[README.md](README.md) (profiles by `python -m bench.profile`).",
    ])


def main(argv: list[str] | None = None) -> int:
    """Run the sections, print the table, write results.md; return the exit status."""
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    started, clock = datetime.now().astimezone(), time.perf_counter()
    rows: list[report.Row] = []
    notes: list[str] = []
    failed = False
    with tempfile.TemporaryDirectory(prefix="bench-") as temporary:
        work = Path(temporary)

        def section(name: str, measure: Callable[[], list[report.Row]]) -> None:
            nonlocal failed
            if name in args.skip:
                return
            log.info("--- %s", name)
            try:
                rows.extend(measure())
            except Exception as error:  # noqa: BLE001 - one broken section must not hide the others
                log.exception("%s failed", name)
                rows.append(report.section_error(name, error))
                failed = True

        section("build", lambda: report.build_rows(
            build.run(work / "build", args.articles, args.build_rounds)))
        def measure_rebuild() -> list[report.Row]:
            ours = measure_edit_to_rebuilt(work / "rebuild", args.articles, edits=args.edits)
            vanilla = (measure_edit_to_rebuilt(work / "rebuild", args.articles, "pelican", args.vanilla_edits)
                       if args.vanilla_edits else None)
            return [report.rebuild_row(ours, args.articles, args.edits, vanilla)]

        section("rebuild", measure_rebuild)
        section("scale", lambda: report.scale_rows(scale.run(
            work / "scale", args.scale_articles, args.scale_rounds, args.scale_edits, args.scale_vanilla_edits)))

        def measure_votes() -> list[report.Row]:
            votes.ensure_wrk()
            return report.votes_rows(votes.run(
                work / "votes", seconds=args.vote_seconds, rounds=args.vote_rounds,
                connections=args.connections, with_postgres=not args.no_postgres))

        section("votes", measure_votes)
        section("weight", lambda: report.weight_rows(weight.run(work / "weight")))
        pages: list[lighthouse.PageScore] = []

        def measure_lighthouse() -> list[report.Row]:
            pages.extend(lighthouse.run(work / "lighthouse"))
            return lighthouse.rows(pages)

        section("lighthouse", measure_lighthouse)
    duration = time.perf_counter() - clock
    if args.articles != 1000:
        notes.append(f"Corpus of {args.articles} articles, not 1,000: a smoke run, not a result.")
    if args.scale_articles != 5000 and "scale" not in args.skip:
        notes.append(f"Scale section at {args.scale_articles} articles, not 5,000: not a result.")
    text = report.document(rows, settings=how(args), duration_s=duration, started=started,
                           commit=commit(), notes=notes)
    # Its own section below the table; kept from the earlier results.md when not measured now.
    earlier = args.output.read_text(encoding="utf-8") if args.output.is_file() else ""
    kept = (lighthouse.markdown(pages, f"{started:%Y-%m-%d %H:%M %Z}") if pages
            else lighthouse.old_section(earlier))
    if kept:
        text = lighthouse.replace_section(text, kept)
    print(report.table(rows))
    print(f"\n{os.cpu_count()} cores, {started:%Y-%m-%d}, {duration / 60:.1f} min")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(f"Written to {args.output}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
