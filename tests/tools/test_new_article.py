"""make new-article: a draft that builds as it is, and never a file overwritten."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tools.new_article import NewArticleError, create, slug_for

ROOT = Path(__file__).resolve().parents[2]
PELICAN = Path(sys.executable).with_name("pelican")


def new_article(content: Path, title: str) -> subprocess.CompletedProcess:
    """Run the tool as ``make new-article TITLE=…`` does (the title in the environment)."""
    env = {**os.environ, "TITLE": title,
           "PYTHONPATH": os.pathsep.join([str(ROOT / "plugins"), str(ROOT)])}
    return subprocess.run([sys.executable, "-m", "tools.new_article", "--content", str(content)],
                          cwd=ROOT, env=env, capture_output=True, encoding="utf-8", timeout=60)


@pytest.mark.parametrize("title, slug", [
    ("La fête du quartier", "la-fete-du-quartier"),
    ("L'assemblée générale : un moment à part !", "l-assemblee-generale-un-moment-a-part"),
    ("  Été 2026   ", "ete-2026"),
    ("Œuvres & cœurs", "oeuvres-coeurs"),
    ("L’été des bénévoles", "l-ete-des-benevoles"),
    ("L'été des bénévoles", "l-ete-des-benevoles"),
])
def test_the_file_name_is_the_title_in_plain_ascii(title: str, slug: str) -> None:
    assert slug_for(title) == slug


def test_a_long_title_gives_an_address_cut_between_two_words_and_says_so(tmp_path: Path) -> None:
    title = "Compte rendu " + " ".join(["de la grande réunion du quartier"] * 6)
    result = new_article(tmp_path / "content", title)
    assert result.returncode == 0, result.stderr
    path = Path(result.stdout.strip())
    assert path.stem == "compte-rendu-de-la-grande-reunion-du-quartier-de-la-grande"
    assert (f"Le titre est long : l'adresse de l'article est raccourcie, entre deux mots, à « {path.stem} » "
            "(60 caractères au plus).") in result.stderr
    assert path.read_text(encoding="utf-8").startswith(f"Title: {title}\n")


def test_a_title_without_letters_is_refused(tmp_path: Path) -> None:
    with pytest.raises(NewArticleError, match="il faut au moins une lettre ou un chiffre"):
        create("!!!", tmp_path)


def test_the_draft_has_its_header_and_the_path_is_printed(tmp_path: Path) -> None:
    content = tmp_path / "content"
    result = new_article(content, "L'assemblée générale : un moment à part !")
    assert result.returncode == 0, result.stderr
    path = content / "l-assemblee-generale-un-moment-a-part.md"
    assert result.stdout == f"{path}\n"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "Title: L'assemblée générale : un moment à part !"
    assert re.fullmatch(r"Date: \d{4}-\d{2}-\d{2} \d{2}:\d{2}", lines[1])
    assert "Slug: l-assemblee-generale-un-moment-a-part" in lines
    assert "Status: draft" in lines
    assert lines[lines.index("Status: draft") + 1] == ""  # the blank line that ends the header


def test_an_existing_file_is_never_overwritten(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    (content / "la-fete-du-quartier.md").write_text("Mon texte précieux.\n", encoding="utf-8")
    result = new_article(content, "La fête du quartier")
    assert result.returncode == 1
    assert result.stderr == (f"Le fichier {content}/la-fete-du-quartier.md existe déjà : rien n'a "
                             "été modifié. Ouvrez-le pour le continuer, ou choisissez un autre titre.\n")
    assert (content / "la-fete-du-quartier.md").read_text(encoding="utf-8") == "Mon texte précieux.\n"


def test_an_address_already_taken_is_refused(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    (content / "ancien.md").write_text("Title: Ancien\nSlug: la-fete-du-quartier\n\nTexte.\n", encoding="utf-8")
    result = new_article(content, "La fête du quartier")
    assert result.returncode == 1
    assert "L'adresse « la-fete-du-quartier » est déjà celle de" in result.stderr
    assert not (content / "la-fete-du-quartier.md").exists()


def test_no_title_gets_an_example(tmp_path: Path) -> None:
    result = new_article(tmp_path / "content", "")
    assert result.returncode == 1
    assert 'make new-article TITLE="La fête du quartier"' in result.stderr


@pytest.mark.slow
def test_the_new_draft_builds_and_shows_in_the_preview_only(tmp_path: Path) -> None:
    content = tmp_path / "content"
    assert new_article(content, "La fête du quartier").returncode == 0
    for settings in ("pelicanconf.py", "publishconf.py"):
        output = tmp_path / settings
        result = subprocess.run([str(PELICAN), str(content), "-o", str(output), "-s", str(ROOT / settings),
                                 "--ignore-cache", "--cache-path", str(tmp_path / "cache"), "--fatal", "errors"],
                                cwd=ROOT, capture_output=True, encoding="utf-8", timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "avertissement" not in result.stderr  # a fresh draft raises no remark
    page = (tmp_path / "pelicanconf.py" / "brouillons" / "la-fete-du-quartier" / "index.html").read_text(encoding="utf-8")
    assert "[À compléter : écrivez ici votre article." in page
    assert 'href="/brouillons/la-fete-du-quartier/"' in (tmp_path / "pelicanconf.py" / "index.html").read_text(encoding="utf-8")
    assert not (tmp_path / "publishconf.py" / "brouillons").exists()
