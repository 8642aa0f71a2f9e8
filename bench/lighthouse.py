"""Lighthouse (mobile) on the production build served locally, and what each page weighs.

``make publish`` with SITEURL set to where it is served, the poll service beside it (its
results page), all behind bench/site_server.py (gzip as nginx). Lighthouse 13 runs from npm
in bench/.node/ (installed there on first use, git-ignored) with Debian's Chromium, mobile
form factor and its default simulated throttling. Each page: the four category scores and
the bytes transferred (the ``total-byte-weight`` audit: every resource, compressed as sent).

``python -m bench.lighthouse`` measures and rewrites only the section "Lighthouse et poids des
pages" of bench/results.md; ``python -m bench`` runs it as its section ``lighthouse``.
"""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
import shutil
from dataclasses import dataclass
from pathlib import Path

from bench.procs import BenchError, run_measured, server
from tools.processes import free_port

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE_VERSION = "13.5.0"
NODE_DIR = ROOT / "bench" / ".node"
CLI = NODE_DIR / "node_modules" / "lighthouse" / "cli" / "index.js"
CHROME = "/usr/bin/chromium"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
POLL_ARTICLE = "associations-reseaux-sociaux-sondage"
BUDGET_BYTES = 60 * 1024
# Runs per page, the median kept: on two shared cores one run's blocking time can jump.
RUNS = 3
HEADING = "## Lighthouse et poids des pages"


@dataclass(frozen=True)
class PageScore:
    """One page as Lighthouse saw it."""

    name: str
    path: str
    scores: dict[str, int]
    transferred: int
    requests: int
    needs_seo: bool


def ensure_lighthouse() -> Path:
    """Return Lighthouse's command-line script, installed from npm into bench/.node/ if missing."""
    installed = NODE_DIR / "node_modules" / "lighthouse" / "package.json"
    if not installed.is_file() or json.loads(installed.read_text())["version"] != LIGHTHOUSE_VERSION:
        NODE_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--prefix", str(NODE_DIR), "--no-audit", "--no-fund",
                        f"lighthouse@{LIGHTHOUSE_VERSION}"], check=True, capture_output=True, timeout=900)
    return CLI


def lighthouse(url: str, report: Path) -> dict:
    """Run Lighthouse (mobile) on ``url``; return its JSON report."""
    command = ["node", str(ensure_lighthouse()), url, "--output=json", f"--output-path={report}",
               "--quiet", f"--only-categories={','.join(CATEGORIES)}",
               "--chrome-flags=--headless=new --no-sandbox --disable-gpu --no-first-run "
               "--disable-background-networking --disable-component-update --disable-sync"]
    result = subprocess.run(command, env={**os.environ, "CHROME_PATH": CHROME}, capture_output=True,
                            encoding="utf-8", timeout=300)
    if result.returncode != 0 or not report.is_file():
        raise BenchError(f"Lighthouse failed on {url}:\n{result.stderr[-3000:]}")
    return json.loads(report.read_text(encoding="utf-8"))


def score_of(name: str, path: str, data: dict, needs_seo: bool) -> PageScore:
    """Summarize a Lighthouse report."""
    scores = {key: round(100 * (data["categories"][key]["score"] or 0)) for key in CATEGORIES}
    weight = data["audits"]["total-byte-weight"]
    items = weight.get("details", {}).get("items", [])
    requests = data["audits"].get("network-requests", {}).get("details", {}).get("items", [])
    return PageScore(name, path, scores, int(weight["numericValue"]), len(requests) or len(items), needs_seo)


def poll_of(output: Path, article: str) -> str:
    """Return the id of the first poll of ``article`` (from polls.json)."""
    polls = json.loads((output / "polls.json").read_text(encoding="utf-8"))["polls"]
    for poll in polls:
        if article in (poll.get("url") or ""):
            return poll["id"]
    raise BenchError(f"no poll of {article} in polls.json")


def run(work: Path, runs_per_page: int = RUNS) -> list[PageScore]:
    """Publish the site for a local address, serve it, and run Lighthouse on three pages."""
    work.mkdir(parents=True, exist_ok=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    output = work / "output"
    env = {**os.environ, "SITEURL": base}
    bin_dir = Path(sys.executable).parent
    run_measured([str(bin_dir / "pelican"), "content", "-o", str(output), "-s", "publishconf.py",
                  "--fatal", "errors"], cwd=ROOT, env=env, log_file=work / "publish.log")
    database = f"sqlite:///{work / 'polls.sqlite3'}"
    flask_env = {**os.environ, "POLL_ENV": "development", "POLL_DATABASE_URL": database}
    for command in (["init-db"], ["sync-polls", str(output / "polls.json")]):
        run_measured([str(bin_dir / "flask"), "--app", "poll_service", *command], cwd=ROOT,
                     env=flask_env, log_file=work / "flask.log")
    poll = poll_of(output, POLL_ARTICLE)
    pages = [("Accueil", "/", True), ("Article avec sondage", f"/{POLL_ARTICLE}/", True),
             ("Page de résultats", f"/polls/{poll}/", False)]
    results = []
    with server([sys.executable, "-m", "bench.site_server", "--site", str(output), "--port", str(port),
                 "--database", database], cwd=ROOT, env=os.environ, health_url=f"{base}/",
                log_file=work / "server.log"):
        for number, (name, path, needs_seo) in enumerate(pages):
            runs = []
            for attempt in range(runs_per_page):
                log.info("lighthouse %s (%d/%d)", path, attempt + 1, runs_per_page)
                data = lighthouse(base + path, work / f"lighthouse-{number}-{attempt}.json")
                runs.append(score_of(name, path, data, needs_seo))
            results.append(median_of(runs))
    return results


def median_of(runs: list[PageScore]) -> PageScore:
    """Return one page's median scores and weight over several runs."""
    def middle(values: list[int]) -> int:
        return sorted(values)[len(values) // 2]

    first = runs[0]
    return PageScore(first.name, first.path, {key: middle([run.scores[key] for run in runs]) for key in CATEGORIES},
                     middle([run.transferred for run in runs]), middle([run.requests for run in runs]),
                     first.needs_seo)


def passes(page: PageScore) -> bool:
    """Tell whether a page meets issue 18's targets."""
    wanted = CATEGORIES if page.needs_seo else CATEGORIES[:3]
    heavy = page.needs_seo and page.transferred > BUDGET_BYTES
    return all(page.scores[key] == 100 for key in wanted) and not heavy


def rows(pages: list[PageScore]) -> list:
    """Rows of the bench table, one per page."""
    from bench.report import Row  # noqa: PLC0415 - report imports every section's module

    found = []
    for page in pages:
        s = page.scores
        value = (f"{s['performance']}/{s['accessibility']}/{s['best-practices']}/{s['seo']}, "
                 f"{page.transferred / 1024:.1f} KiB")
        target = "100/100/100/100, ≤ 60 KiB" if page.needs_seo else "100/100/100/–"
        found.append(Row(f"Lighthouse mobile {page.path} (perf/a11y/best practices/SEO, bytes transferred)",
                         f"**{value}**", target, "pass" if passes(page) else "fail"))
    return found


def markdown(pages: list[PageScore], when: str) -> str:
    """Return the section of results.md for ``pages``."""
    lines = [HEADING, "",
             f"Mesuré le {when} : `python -m bench.lighthouse` (Lighthouse {LIGHTHOUSE_VERSION}, mobile, "
             f"limitation simulée par défaut, Chromium de Debian sans interface ; médiane de {RUNS} passages "
             "par page) sur `make publish` "
             "avec SITEURL à l'adresse locale, servi par bench/site_server.py (le service de votes et "
             "le site, compressés en gzip comme par nginx). Poids = audit `total-byte-weight` : "
             "toutes les ressources chargées, telles que transférées. Objectifs (issue 18) : 100 en "
             "performance, accessibilité et bonnes pratiques partout, SEO 100 et au plus 60 Kio pour "
             "l'accueil et l'article.", "",
             "| Page | Performance | Accessibilité | Bonnes pratiques | SEO | Poids transféré | Requêtes | Résultat |",
             "|---|---|---|---|---|---|---|---|"]
    for page in pages:
        s = page.scores
        seo = str(s["seo"]) + ("" if page.needs_seo else " (hors index)")
        lines.append(f"| {page.name} (`{page.path}`) | {s['performance']} | {s['accessibility']} | "
                     f"{s['best-practices']} | {seo} | {page.transferred / 1024:.1f} Kio | {page.requests} | "
                     f"{'pass' if passes(page) else 'fail'} |")
    return "\n".join(lines) + "\n"


def replace_section(document: str, section: str) -> str:
    """Put ``section`` in place of the Lighthouse section of ``document`` (appended if none)."""
    pattern = re.compile(rf"^{re.escape(HEADING)}\n.*?(?=^## |\Z)", re.MULTILINE | re.DOTALL)
    if pattern.search(document):
        return pattern.sub(lambda _: section + "\n", document, count=1).rstrip("\n") + "\n"
    return document.rstrip("\n") + "\n\n" + section


def old_section(document: str) -> str | None:
    """Return the Lighthouse section of an earlier results.md, if it has one."""
    found = re.search(rf"^{re.escape(HEADING)}\n.*?(?=^## |\Z)", document, re.MULTILINE | re.DOTALL)
    return found.group(0).rstrip("\n") + "\n" if found else None


def main() -> int:
    """Measure, print, and rewrite the section of bench/results.md."""
    from datetime import datetime, timezone  # noqa: PLC0415

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    # Kept after the run (bench/work/ is git-ignored): the reports say what each audit found.
    work = ROOT / "bench" / "work" / "lighthouse"
    shutil.rmtree(work, ignore_errors=True)
    pages = run(work)
    section = markdown(pages, datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))
    print(section)
    results = ROOT / "bench" / "results.md"
    results.write_text(replace_section(results.read_text(encoding="utf-8"), section), encoding="utf-8")
    return 0 if all(passes(page) for page in pages) else 1


if __name__ == "__main__":
    sys.exit(main())
