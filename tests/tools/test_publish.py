"""make publish: public/ alone, a clean folder each time, refused when a draft would be in it.

Each test runs the real ``make publish`` (the environment taken as installed) on a copy of the
sample content with one draft, into a folder of its own; the draft detector is also run on a
real production build into which each kind of leak is put by hand.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pelican.settings import read_settings

from draft_sample import DRAFT
from tools.draft_leaks import find_drafts, find_leaks

ROOT = Path(__file__).resolve().parents[2]
VENV = Path(sys.executable).parent.parent
# Production settings that would let the drafts through (what a careless edit could do).
LEAKY_SETTINGS = """import os, sys
sys.path.append(os.curdir)
from publishconf import *
SHOW_DRAFTS = True
"""


def make(*args: str) -> subprocess.CompletedProcess:
    """Run ``make`` in the project as a writer would, with this test's virtual environment."""
    return subprocess.run(["make", "-C", str(ROOT), "--no-print-directory", f"VENV={VENV}",
                           "-o", f"{VENV}/.installed", *args],
                          capture_output=True, encoding="utf-8", timeout=300)


def content_with_a_draft(tmp: Path) -> Path:
    content = tmp / "content"
    shutil.copytree(ROOT / "content", content)
    (content / "notre-brouillon-secret.md").write_text(DRAFT, encoding="utf-8")
    return content


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file of a folder with the digest of its bytes and its modification time."""
    return {str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest() + str(path.stat().st_mtime_ns)
            for path in sorted(folder.rglob("*")) if path.is_file()}


@pytest.mark.slow
def test_make_publish_writes_public_without_the_draft_and_ends_with_a_french_summary(tmp_path: Path) -> None:
    content = content_with_a_draft(tmp_path)
    public = tmp_path / "public"
    result = make("publish", f"PUBLICDIR={public}", f"CONTENTDIR={content}")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.endswith(
        f"Site de production prêt dans {public}/ : 13 articles, 4 pages, 2 sondages.\n"
        f"1 brouillon laissé de côté : {content}/notre-brouillon-secret.md.\n"
        "Prochaine étape : make deploy pour le mettre en ligne (docs/deploy.md).\n")
    output = result.stdout + result.stderr
    assert "Done: Processed" not in output and not any(line.startswith("make") for line in output.splitlines())
    assert (public / "don-en-ligne" / "index.html").exists()
    assert not (public / "brouillons").exists()
    assert "sondage-du-brouillon" not in (public / "polls.json").read_text(encoding="utf-8")
    assert "https://tisser.example.org/" in (public / "index.html").read_text(encoding="utf-8")
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".")] == []  # no folder left aside


@pytest.mark.slow
def test_a_page_turned_draft_since_the_last_publish_is_gone_from_public(tmp_path: Path) -> None:
    content = content_with_a_draft(tmp_path)
    public = tmp_path / "public"
    assert make("publish", f"PUBLICDIR={public}", f"CONTENTDIR={content}").returncode == 0
    assert (public / "benevolat-missions-courtes" / "index.html").exists()
    (public / "fichier-d-une-vieille-version.html").write_text("ancien", encoding="utf-8")
    article = content / "benevolat-missions-courtes.md"
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("\n\n", "\nStatus: draft\n\n", 1), encoding="utf-8")
    result = make("publish", f"PUBLICDIR={public}", f"CONTENTDIR={content}")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 brouillons laissés de côté" in result.stdout
    assert not (public / "benevolat-missions-courtes").exists()
    assert not (public / "fichier-d-une-vieille-version.html").exists()
    assert "benevolat-missions-courtes" not in (public / "sitemap.xml").read_text(encoding="utf-8")


@pytest.mark.slow
def test_a_publish_that_would_hold_a_draft_is_refused_and_leaves_public_as_it_was(tmp_path: Path) -> None:
    content = content_with_a_draft(tmp_path)
    public = tmp_path / "public"
    assert make("publish", f"PUBLICDIR={public}", f"CONTENTDIR={content}").returncode == 0
    before = fingerprint(public)
    leaky = tmp_path / "leaky.py"
    leaky.write_text(LEAKY_SETTINGS, encoding="utf-8")
    result = make("publish", f"PUBLICDIR={public}", f"CONTENTDIR={content}", f"PUBLISHCONF={leaky}")
    assert result.returncode != 0
    draft = f"{content}/notre-brouillon-secret.md:6"
    assert result.stderr.splitlines() == [
        f"{draft} : ce brouillon serait publié : sa page (brouillons/notre-brouillon-secret/index.html).",
        f"{draft} : ce brouillon serait publié : son sondage « sondage-du-brouillon » (polls.json).",
        f"Publication refusée : {public}/ n'a pas été modifié."]
    assert fingerprint(public) == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["content", "leaky.py", "public"]


@pytest.mark.slow
def test_a_content_error_stops_publishing_with_its_line_and_keeps_public(tmp_path: Path) -> None:
    content = content_with_a_draft(tmp_path)
    public = tmp_path / "public"
    assert make("publish", f"PUBLICDIR={public}", f"CONTENTDIR={content}").returncode == 0
    before = fingerprint(public)
    article = content / "don-en-ligne.md"
    article.write_text(article.read_text(encoding="utf-8").replace("Date: 2026-11-18 09:30", "Date: 18/11/2026"),
                       encoding="utf-8")
    result = make("publish", f"PUBLICDIR={public}", f"CONTENTDIR={content}")
    assert result.returncode != 0
    assert "don-en-ligne.md:2 : La date" in result.stderr
    assert result.stderr.rstrip().endswith(f"Publication refusée : {public}/ n'a pas été modifié.")
    assert fingerprint(public) == before


@pytest.mark.slow
def test_publishing_leaves_the_preview_folder_untouched(tmp_path: Path) -> None:
    content = content_with_a_draft(tmp_path)
    preview = tmp_path / "output"
    built = make("html", f"OUTPUTDIR={preview}", f"PELICANOPTS=--cache-path {tmp_path / 'cache'}",
                 f"CONTENTDIR={content}")
    assert built.returncode == 0, built.stdout + built.stderr
    before = fingerprint(preview)
    assert any(name.startswith("brouillons/") for name in before)
    result = make("publish", f"PUBLICDIR={tmp_path / 'public'}", f"CONTENTDIR={content}")
    assert result.returncode == 0, result.stderr
    assert fingerprint(preview) == before


# The detector itself, on a real production build with each kind of leak put in by hand.

@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The sample content with a draft, and its production build (no leak)."""
    tmp = tmp_path_factory.mktemp("leaks")
    content = content_with_a_draft(tmp)
    result = make("publish", f"PUBLICDIR={tmp / 'public'}", f"CONTENTDIR={content}")
    assert result.returncode == 0, result.stdout + result.stderr
    return content, tmp / "public"


def leaks_in(content: Path, public: Path) -> list[str]:
    settings = read_settings(str(ROOT / "publishconf.py"), override={"PATH": str(content)})
    return [str(leak) for leak in find_leaks(public, find_drafts(content, settings, content.parent), settings)]


@pytest.fixture
def public_copy(published: tuple[Path, Path], tmp_path: Path) -> tuple[Path, Path]:
    content, public = published
    shutil.copytree(public, tmp_path / "public")
    return content, tmp_path / "public"


DRAFT_AT = "content/notre-brouillon-secret.md:6 : ce brouillon serait publié : "


@pytest.mark.slow
def test_a_clean_production_build_has_no_leak(published: tuple[Path, Path]) -> None:
    assert leaks_in(*published) == []


@pytest.mark.slow
def test_a_draft_page_is_a_leak(public_copy: tuple[Path, Path]) -> None:
    content, public = public_copy
    (public / "notre-brouillon-secret").mkdir()
    shutil.copy(public / "don-en-ligne" / "index.html", public / "notre-brouillon-secret" / "index.html")
    assert leaks_in(content, public) == [DRAFT_AT + "sa page (notre-brouillon-secret/index.html)."]


@pytest.mark.slow
def test_a_feed_entry_of_a_draft_is_a_leak(public_copy: tuple[Path, Path]) -> None:
    content, public = public_copy
    feed = public / "feeds" / "all.atom.xml"
    entry = ("<entry><title>Notre brouillon secret</title><link href=\"https://tisser.example.org/"
             "notre-brouillon-secret/\" rel=\"alternate\"/><id>tag:x</id></entry>")
    feed.write_text(feed.read_text(encoding="utf-8").replace("</feed>", entry + "</feed>"), encoding="utf-8")
    assert leaks_in(content, public) == [DRAFT_AT + "une entrée de flux (« Notre brouillon secret ») "
                                         "(feeds/all.atom.xml)."]


@pytest.mark.slow
def test_a_sitemap_line_of_a_draft_is_a_leak(public_copy: tuple[Path, Path]) -> None:
    content, public = public_copy
    sitemap = public / "sitemap.xml"
    line = "<url><loc>https://tisser.example.org/brouillons/notre-brouillon-secret/</loc></url>"
    sitemap.write_text(sitemap.read_text(encoding="utf-8").replace("</urlset>", line + "</urlset>"), encoding="utf-8")
    assert leaks_in(content, public) == [DRAFT_AT + "une ligne du plan du site (/brouillons/notre-brouillon-secret/) "
                                         "(sitemap.xml)."]


@pytest.mark.slow
def test_a_poll_of_a_draft_is_a_leak(public_copy: tuple[Path, Path]) -> None:
    content, public = public_copy
    manifest = public / "polls.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["polls"].append({**data["polls"][0], "id": "sondage-du-brouillon", "source": "ailleurs.md"})
    manifest.write_text(json.dumps(data), encoding="utf-8")
    assert leaks_in(content, public) == [DRAFT_AT + "son sondage « sondage-du-brouillon » (polls.json)."]


@pytest.mark.slow
def test_the_summary_shown_in_the_guide_is_what_make_publish_prints(tmp_path: Path) -> None:
    guide = (ROOT / "docs" / "guide-redaction.md").read_text(encoding="utf-8")
    start = guide.index("```text\n   Site de production prêt") + len("```text\n")
    sample = "".join(line.removeprefix("   ") + "\n" for line in guide[start:guide.index("   ```", start)].splitlines())
    # The guide's story: the sample site, with the new article still a draft.
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    (content / "la-fete-du-quartier.md").write_text(
        "Title: La fête du quartier\nDate: 2026-11-18 10:00\nCategory: Vie associative\nSummary: La fête.\n"
        "Status: draft\n\nTexte.\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "tools.publish", "-s", str(ROOT / "publishconf.py"),
                             "--content", "content", "-o", "public"], cwd=tmp_path, capture_output=True,
                            encoding="utf-8", timeout=300,
                            env={**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "plugins"), str(ROOT)])})
    assert result.returncode == 0, result.stderr
    # How many articles the site holds changes with every article; the words must not.
    numbers = re.compile(r"\d+ (articles|pages|sondages)")
    assert numbers.sub(r"N \1", result.stdout) == numbers.sub(r"N \1", sample)


@pytest.mark.slow
def test_a_draft_made_as_a_copy_of_an_article_does_not_stop_publishing_the_article(tmp_path: Path) -> None:
    # Same title, same address, same poll as the published article it reworks: none of those
    # in public/ is the draft's.
    content = content_with_a_draft(tmp_path)
    original = (content / "don-en-ligne.md").read_text(encoding="utf-8")
    (content / "don-en-ligne-v2.md").write_text(original.replace("\n\n", "\nStatus: draft\n\n", 1), encoding="utf-8")
    public = tmp_path / "public"
    result = make("publish", f"PUBLICDIR={public}", f"CONTENTDIR={content}")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 brouillons laissés de côté" in result.stdout
    assert "don-en-ligne" in (public / "polls.json").read_text(encoding="utf-8")
