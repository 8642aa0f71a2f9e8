"""bench/lighthouse.py and bench/site_server.py without Lighthouse itself (it comes from npm)."""

from __future__ import annotations

import gzip
from pathlib import Path

from werkzeug.test import Client

from bench.lighthouse import PageScore, markdown, old_section, passes, replace_section
from bench.site_server import gzip_middleware
from poll_service.built_site import static_site

HOME = PageScore("Accueil", "/", {"performance": 100, "accessibility": 100, "best-practices": 100, "seo": 100},
                 55_000, 12, True)


def test_a_page_passes_only_with_every_score_at_100_and_within_60_kib() -> None:
    assert passes(HOME)
    assert not passes(PageScore(**{**HOME.__dict__, "transferred": 61 * 1024}))
    assert not passes(PageScore(**{**HOME.__dict__, "scores": {**HOME.scores, "seo": 92}}))
    results = PageScore("Résultats", "/polls/x/", {**HOME.scores, "seo": 45}, 4000, 2, False)
    assert passes(results)  # the results page may stay out of the index


def test_the_section_replaces_its_earlier_self_and_nothing_else() -> None:
    document = "# Benchmarks\n\n| a |\n\n## How\n\n- x\n"
    once = replace_section(document, markdown([HOME], "hier"))
    assert once.startswith(document.rstrip("\n")) and "| Accueil (`/`) | 100 | 100 | 100 | 100 | 53.7 Kio |" in once
    twice = replace_section(once.replace("## How", "## How") + "\n## Later\n\nkept\n", markdown([HOME], "aujourd'hui"))
    assert twice.count("## Lighthouse et poids des pages") == 1
    assert "aujourd'hui" in twice and "hier" not in twice and "## Later\n\nkept" in twice
    assert old_section(twice).startswith("## Lighthouse et poids des pages")


def test_the_server_sends_text_gzipped_and_images_as_they_are(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<!DOCTYPE html><title>x</title>" + "texte " * 500, encoding="utf-8")
    (tmp_path / "a.webp").write_bytes(b"RIFF" + bytes(300))
    client = Client(gzip_middleware(static_site(tmp_path)))
    page = client.get("/", headers={"Accept-Encoding": "gzip, br"})
    assert page.headers["Content-Encoding"] == "gzip"
    assert int(page.headers["Content-Length"]) == len(page.data) < 500
    assert gzip.decompress(page.data).startswith(b"<!DOCTYPE html>")
    image = client.get("/a.webp", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in image.headers and len(image.data) == 304
    plain = client.get("/", headers={})
    assert "Content-Encoding" not in plain.headers
