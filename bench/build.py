"""Time cold and warm Pelican builds of our site against vanilla Pelican on the same corpus.

Three builds of one generated corpus, each a fresh ``pelican`` process:

- ours: pelicanconf.py (our theme, all our plugins), as ``make html`` builds it;
- plugins off: the very same command and corpus with ``PLUGINS=["i18n"]``, the one plugin our
  theme cannot do without (its ``_()`` and date filters). No feed is written then
  (pelicanconf.py turns Pelican's own feed writer off) and the poll blocks stay code. Ours ÷
  this is what our plugins cost: the target "plugins add at most 10 % to the cold build" is
  judged on it;
- vanilla: the same Pelican, its default theme and settings (its own feeds), no plugins, the
  poll blocks left as plain code. Ours ÷ vanilla also counts our theme and settings: more
  pages (lists paginated, author pages…), richer templates. It is reported, not judged.

All get the content cache (CACHE_CONTENT, reader layer, mtime check, as pelicanconf.py has
it) so the warm rebuild means the same thing for ours and vanilla, and every cold build pays
for writing the cache. Rounds rotate which site goes first so drift on a shared machine hits
all of them.
"""

from __future__ import annotations

import json
import logging
import shutil
import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path

from bench import corpus
from bench.procs import Measured, run_measured

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
PELICAN = Path(sys.executable).with_name("pelican")
# Only what the warm rebuild needs; everything else stays Pelican's default.
VANILLA_SETTINGS = '''"""Vanilla Pelican for the benchmark: default theme, feeds and settings, plus the cache."""
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CONTENT_CACHING_LAYER = "reader"
CHECK_MODIFIED_METHOD = "mtime"
'''


@dataclass
class Site:
    """One side of the comparison: its corpus, settings, and where it builds."""

    name: str
    corpus: corpus.Corpus
    settings: Path
    cwd: Path
    work: Path
    extra: tuple[str, ...] = ()  # more pelican arguments
    warm_too: bool = True  # also time a rebuild after one edit
    cold: list[Measured] = field(default_factory=list)
    warm: list[Measured] = field(default_factory=list)

    @property
    def output(self) -> Path:
        return self.work / "output"

    @property
    def cache(self) -> Path:
        return self.work / "cache"

    def command(self) -> list[str]:
        """Return the pelican command line building this site."""
        return [str(PELICAN), str(self.corpus.path), "-o", str(self.output), "-s",
                str(self.settings), "--cache-path", str(self.cache), "--fatal", "errors", *self.extra]

    def pages(self) -> int:
        """Return how many HTML files the last build wrote."""
        return sum(1 for _ in self.output.rglob("*.html"))


@dataclass(frozen=True)
class BuildResult:
    """Medians of the build measurements, ours and vanilla."""

    n_articles: int
    rounds: int
    ours_cold: float
    vanilla_cold: float
    ours_warm: float
    vanilla_warm: float
    ours_cold_cpu: float
    vanilla_cold_cpu: float
    ours_warm_cpu: float
    vanilla_warm_cpu: float
    ours_cold_mib: float
    vanilla_cold_mib: float
    ours_warm_mib: float
    vanilla_warm_mib: float
    # Our site with PLUGINS=["i18n"]: the cost of our plugins.
    bare_cold: float = 0.0
    bare_cold_cpu: float = 0.0
    bare_cold_mib: float = 0.0
    # HTML files each build writes.
    ours_pages: int = 0
    bare_pages: int = 0
    vanilla_pages: int = 0


# What our theme cannot do without: its templates call i18n's _() and date filters.
THEME_PLUGINS = ["i18n"]


def prepare(workdir: Path, n_articles: int) -> tuple[Site, Site]:
    """Write both corpora and the vanilla settings under ``workdir``."""
    ours_corpus = corpus.generate(workdir / "ours" / "content", n_articles, polls=True)
    vanilla_corpus = corpus.generate(workdir / "vanilla" / "content", n_articles, polls=False)
    vanilla_settings = workdir / "vanilla" / "vanillaconf.py"
    vanilla_settings.write_text(VANILLA_SETTINGS, encoding="utf-8")
    # Ours runs from the repository, as `make html` does; vanilla from its own folder, so
    # Pelican cannot pick up our pelicanconf.py from the working directory.
    ours = Site("ours", ours_corpus, ROOT / "pelicanconf.py", ROOT, workdir / "ours")
    vanilla = Site("vanilla", vanilla_corpus, vanilla_settings, workdir / "vanilla",
                   workdir / "vanilla")
    return ours, vanilla


def without_plugins(ours: Site) -> Site:
    """Our site, same corpus and settings, with only the plugin the theme needs."""
    return Site("plugins off", ours.corpus, ours.settings, ours.cwd, ours.work.parent / "bare",
                extra=("-e", f"PLUGINS={json.dumps(THEME_PLUGINS)}"), warm_too=False)


def measure_round(site: Site, round_number: int) -> None:
    """Build ``site`` cold (no output, no cache), then warm after editing one article."""
    shutil.rmtree(site.output, ignore_errors=True)
    shutil.rmtree(site.cache, ignore_errors=True)
    logs = site.work / "logs"
    logs.mkdir(exist_ok=True)
    cold = run_measured(site.command(), cwd=site.cwd,
                        log_file=logs / f"cold-{round_number}.log")
    site.cold.append(cold)
    if not site.warm_too:
        log.info("build %d: %-11s cold %5.1f s (CPU %5.1f s) %4.0f MiB", round_number, site.name,
                 cold.seconds, cold.cpu_seconds, cold.max_rss_mib)
        return
    target = site.corpus.edit_target()
    original = target.read_bytes()
    corpus.edit(target, round_number)
    try:
        warm = run_measured(site.command(), cwd=site.cwd,
                            log_file=logs / f"warm-{round_number}.log")
    finally:
        # The next cold build must read the very same corpus as the first one.
        target.write_bytes(original)
    site.warm.append(warm)
    log.info("build %d: %-11s cold %5.1f s (CPU %5.1f s) %4.0f MiB, warm %4.1f s (CPU %4.1f s) "
             "%4.0f MiB", round_number, site.name, cold.seconds, cold.cpu_seconds,
             cold.max_rss_mib, warm.seconds, warm.cpu_seconds, warm.max_rss_mib)


def run(workdir: Path, n_articles: int = 1000, rounds: int = 3) -> BuildResult:
    """Measure ``rounds`` alternating rounds of both sites and return the medians."""
    ours, vanilla = prepare(workdir, n_articles)
    bare = without_plugins(ours)
    sites = [ours, bare, vanilla]
    for round_number in range(1, rounds + 1):
        shift = (round_number - 1) % len(sites)
        for site in sites[shift:] + sites[:shift]:
            site.work.mkdir(parents=True, exist_ok=True)
            measure_round(site, round_number)

    def median(values: list[Measured], attribute: str) -> float:
        return statistics.median(getattr(value, attribute) for value in values)

    return BuildResult(
        n_articles=n_articles,
        rounds=rounds,
        ours_cold=median(ours.cold, "seconds"),
        vanilla_cold=median(vanilla.cold, "seconds"),
        ours_warm=median(ours.warm, "seconds"),
        vanilla_warm=median(vanilla.warm, "seconds"),
        ours_cold_cpu=median(ours.cold, "cpu_seconds"),
        vanilla_cold_cpu=median(vanilla.cold, "cpu_seconds"),
        ours_warm_cpu=median(ours.warm, "cpu_seconds"),
        vanilla_warm_cpu=median(vanilla.warm, "cpu_seconds"),
        ours_cold_mib=median(ours.cold, "max_rss_mib"),
        vanilla_cold_mib=median(vanilla.cold, "max_rss_mib"),
        ours_warm_mib=median(ours.warm, "max_rss_mib"),
        vanilla_warm_mib=median(vanilla.warm, "max_rss_mib"),
        bare_cold=median(bare.cold, "seconds"),
        bare_cold_cpu=median(bare.cold, "cpu_seconds"),
        bare_cold_mib=median(bare.cold, "max_rss_mib"),
        ours_pages=ours.pages(),
        bare_pages=bare.pages(),
        vanilla_pages=vanilla.pages(),
    )
