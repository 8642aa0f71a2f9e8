"""Drafts: in the preview (make html, make devserver), nowhere in make publish."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from draft_sample import DRAFT

ROOT = Path(__file__).resolve().parents[2]
PELICAN = Path(sys.executable).with_name("pelican")


def build(tmp: Path, settings: str) -> Path:
    """Build the sample site plus one draft with ``settings``; return the output folder."""
    content = tmp / "content"
    if not content.exists():
        shutil.copytree(ROOT / "content", content)
        (content / "notre-brouillon-secret.md").write_text(DRAFT, encoding="utf-8")
    output = tmp / Path(settings).stem
    result = subprocess.run([str(PELICAN), str(content), "-o", str(output), "-s", str(ROOT / settings),
                             "--ignore-cache", "--cache-path", str(tmp / "cache"), "--fatal", "errors"],
                            cwd=ROOT, capture_output=True, encoding="utf-8", timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    return output


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The site with a draft, built for the preview and for publishing."""
    tmp = tmp_path_factory.mktemp("drafts")
    return {"preview": build(tmp, "pelicanconf.py"), "publish": build(tmp, "publishconf.py")}


def poll_ids(output: Path) -> list[str]:
    return [poll["id"] for poll in json.loads((output / "polls.json").read_text(encoding="utf-8"))["polls"]]


@pytest.mark.slow
def test_the_preview_builds_the_draft_and_lists_it_on_the_home_page(outputs: dict[str, Path]) -> None:
    preview = outputs["preview"]
    page = (preview / "brouillons" / "notre-brouillon-secret" / "index.html").read_text(encoding="utf-8")
    assert "Ce texte n'est pas prêt." in page
    assert '<meta name="robots" content="noindex">' in page
    home = (preview / "index.html").read_text(encoding="utf-8")
    drafts = home[home.index('<section class="drafts"'):home.index("</section>", home.index('<section class="drafts"'))]
    assert 'href="/brouillons/notre-brouillon-secret/"' in drafts
    assert '<strong class="badge">Brouillon</strong>' in drafts
    assert "sondage-du-brouillon" in poll_ids(preview)  # its poll can be tried in the preview


@pytest.mark.slow
def test_the_preview_keeps_drafts_out_of_the_feeds_and_the_sitemap(outputs: dict[str, Path]) -> None:
    preview = outputs["preview"]
    for path in [preview / "sitemap.xml", *(preview / "feeds").glob("*.xml")]:
        assert "notre-brouillon-secret" not in path.read_text(encoding="utf-8"), path


@pytest.mark.slow
def test_publishing_leaves_no_trace_of_the_draft(outputs: dict[str, Path]) -> None:
    publish = outputs["publish"]
    assert not (publish / "brouillons").exists()
    assert (publish / "don-en-ligne" / "index.html").exists()  # the rest is there
    for path in publish.rglob("*"):
        if path.is_file() and path.suffix in {".html", ".xml", ".json", ".txt"}:
            text = path.read_text(encoding="utf-8")
            assert "notre-brouillon-secret" not in text and "Notre brouillon secret" not in text, path
    assert list((publish / "feeds").glob("*.xml")), "the feeds were written"
    assert "sondage-du-brouillon" not in poll_ids(publish)

