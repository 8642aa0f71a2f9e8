"""How each cost grows with the site: ``python -m bench.growth`` (not part of ``make bench``).

For each size (100, 1,000 and 5,000 articles by default), ours and vanilla Pelican on the same
generated corpus (bench/build.py's sites): one cold build (fresh process, empty output and
cache), one warm build after appending a sentence to one article, peak memory of the cold
build, and edit-to-rebuilt under ``make devserver`` and ``pelican --autoreload``
(tools/rebuild_timing.py, medians of ``--edits`` saves). Prints a Markdown table; its figures
for bench/README.md come from here. About 10 minutes at the default sizes on two cores.
"""

from __future__ import annotations

import argparse
import logging
import tempfile
from pathlib import Path

from bench import build
from tools.rebuild_timing import measure_edit_to_rebuilt

log = logging.getLogger("bench.growth")


def measure(workdir: Path, n_articles: int, edits: int) -> list[str]:
    """Measure one size; return the cells of its table row."""
    ours, vanilla = build.prepare(workdir / "build", n_articles)
    for site in (ours, vanilla):
        site.work.mkdir(parents=True, exist_ok=True)
        build.measure_round(site, 1)
    devserver = measure_edit_to_rebuilt(workdir / "rebuild", n_articles, "devserver", edits)
    pelican = measure_edit_to_rebuilt(workdir / "rebuild", n_articles, "pelican", edits)
    return [f"{n_articles:,}".replace(",", " "),
            f"{ours.cold[0].seconds:.1f} s", f"{vanilla.cold[0].seconds:.1f} s",
            f"{ours.cold[0].seconds / vanilla.cold[0].seconds:.2f}",
            f"{ours.warm[0].seconds:.1f} s", f"{vanilla.warm[0].seconds:.1f} s",
            f"{ours.cold[0].max_rss_mib:.0f} / {vanilla.cold[0].max_rss_mib:.0f} MiB",
            f"{devserver:.2f} s", f"{pelican:.2f} s"]


def main(argv: list[str] | None = None) -> int:
    """Measure every size and print the table."""
    parser = argparse.ArgumentParser(prog="python -m bench.growth", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument("--edits", type=int, default=3)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    rows = ["| articles | cold, ours | cold, vanilla | ratio | warm, ours | warm, vanilla | peak memory, ours / vanilla "
            "| save → rebuilt, devserver | save → rebuilt, pelican --autoreload |", "|---" * 9 + "|"]
    with tempfile.TemporaryDirectory(prefix="bench-growth-") as temporary:
        for size in args.sizes:
            rows.append("| " + " | ".join(measure(Path(temporary) / str(size), size, args.edits)) + " |")
            print(rows[-1], flush=True)
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
