"""French first, English possible: the catalogs cover every interface string."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from sitebuild import ROOT, build
from site_html import parse

TRANSLATIONS = ROOT / "theme" / "translations"
PYBABEL = Path(sys.executable).with_name("pybabel")


@pytest.fixture(scope="module")
def template_messages(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """Every msgid the templates use, extracted afresh."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run([str(PYBABEL), "-q", "extract", "-F", "theme/babel.cfg", "-o", str(pot), "."],
                   cwd=ROOT, check=True, capture_output=True)
    with pot.open("rb") as handle:
        return {message.id if isinstance(message.id, str) else message.id[0]
                for message in read_po(handle) if message.id}


def catalog(lang: str) -> dict[str, object]:
    with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return {(m.id if isinstance(m.id, str) else m.id[0]): m.string for m in read_po(handle) if m.id}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_each_catalog_lists_every_template_string(template_messages: set[str], lang: str) -> None:
    missing = template_messages - set(catalog(lang))
    assert not missing, f"run `make translations`: {sorted(missing)}"


def test_every_string_has_an_english_translation() -> None:
    untranslated = [msgid for msgid, string in catalog("en").items()
                    if not (all(string) if isinstance(string, tuple) else string)]
    assert not untranslated, untranslated


@pytest.fixture(scope="module")
def english_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("english") / "output"
    result = build(output, extra=["-e", 'DEFAULT_LANG="en"'])
    assert result.returncode == 0, result.stdout + result.stderr
    return output


def test_an_english_site_speaks_english_with_english_dates(english_site: Path) -> None:
    page = parse(english_site / "don-en-ligne/index.html")
    assert page.get("lang") == "en"
    assert page.xpath("string(//a[@class='skip-link'])") == "Skip to content"
    assert "18 November 2026" in page.xpath("string(//p[@class='byline'])")
