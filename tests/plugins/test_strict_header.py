"""A draft marker or a piece of information Pelican would not read is an error, and never published.

Every way a volunteer may put ``Status: draft`` (or another line of information) where
Pelican does not read it: after a blank line, in French, with a French space before the colon,
indented, after a byte order mark, with Windows line ends… Each case is checked three ways:
``make check``'s checker gives the exact line and message; the header reading shared with the
build says draft; and a real ``pelican`` build with publishconf.py (``make publish``) stops on
it, or at least writes nothing of the draft.
"""

from __future__ import annotations

import locale
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pelican.settings import read_settings

from checks.checker import check_site
from checks.config import CheckConfig
from drafts.header import pelican_lines, read_header_area, says_draft

ROOT = Path(__file__).resolve().parents[2]
HEADER = "Title: Notre brouillon secret\nDate: 2026-11-20 10:00\nCategory: Vie associative\nTags: essai\n"
BODY = "\nCe texte n'est pas prêt.\n"
BLANK_CUT = ("5 : Cette ligne vide coupe l'en-tête en deux : {names} {shown} comme du texte de "
             "l'article au lieu d'être {read}. Supprimez les lignes vides avant : une seule ligne vide, "
             "après la dernière information, sépare l'en-tête du texte.{draft} Si c'est vraiment du "
             "texte de l'article, commencez l'article par une phrase avant.")
ONE = {"shown": "est affichée", "read": "lue comme une information"}
MANY = {"shown": "sont affichées", "read": "lues comme ses informations"}
NOT_READ = (" Le « {written} » de la ligne {line} n'est donc pas lu : ce brouillon serait traité comme "
            "un article prêt.")
STOPPED = ("{line} : La ligne « {written} » n'est pas comprise comme une information de l'article : "
           "écrivez « {field}: »{how}. Tant qu'elle reste ainsi, cette ligne et les suivantes "
           "s'affichent comme du texte.{draft}")
STOPPED_DRAFT = " Ce brouillon (ligne {line}) ne serait donc pas reconnu comme tel."
FRENCH_DRAFT = ("{line} : « {written} {value} » n'est pas compris par le site, qui publierait ce texte. "
                "Pour un brouillon, écrivez « Status: draft » (en anglais, sans accent).")
INDENTED = ("{line} : La ligne « Status: » commence par des espaces : le site la colle à la fin de "
            "l'information précédente au lieu de la lire comme une information à part. Enlevez les "
            "espaces au début de la ligne.")
HIDDEN_BREAK = ("{line} : Cette ligne contient un saut de ligne invisible (collé depuis une page web ou un "
                "traitement de texte) : le site la lit comme une seule ligne. Effacez la fin de la ligne "
                "et retapez le retour à la ligne avec la touche Entrée.")
IN_TEXT = ("{line} : « Status: draft » est ici dans le texte de l'article, où le site ne le lit pas : ce "
           "texte serait publié. Pour un brouillon, mettez cette ligne dans l'en-tête, avant la "
           "première ligne vide ; sinon, supprimez-la.")

# name -> (file text, the checker's lines for it)
CASES: dict[str, tuple[str, list[str]]] = {
    "a blank line inside the header": (
        HEADER + "\nSlug: brouillon-secret\nSummary: Pas prêt.\nStatus: draft\n" + BODY,
        [BLANK_CUT.format(names="« Slug: » (ligne 6), « Summary: » (ligne 7) et « Status: » (ligne 8)", **MANY,
                          draft=NOT_READ.format(written="Status:", line=8))]),
    "two blank lines before the status": (
        HEADER + "\n\nStatus: draft\n" + BODY,
        [BLANK_CUT.format(names="« Status: » (ligne 7)", **ONE, draft=NOT_READ.format(written="Status:", line=7))]),
    "a blank line, then the status in lower case": (
        HEADER + "\nstatus: Draft\n" + BODY,
        [BLANK_CUT.format(names="« status: » (ligne 6)", **ONE, draft=NOT_READ.format(written="status:", line=6))]),
    "a blank line, then the status in French": (
        HEADER + "\nStatut : brouillon\n" + BODY,
        [BLANK_CUT.format(names="« Statut : » (ligne 6)", **ONE, draft=NOT_READ.format(written="Statut :", line=6))]),
    "Windows line ends and a blank line": (
        (HEADER + "\nStatus: draft\n" + BODY).replace("\n", "\r\n"),
        [BLANK_CUT.format(names="« Status: » (ligne 6)", **ONE, draft=NOT_READ.format(written="Status:", line=6))]),
    "a byte order mark and a blank line": (
        "\ufeff" + HEADER + "\nStatus: draft\n" + BODY,
        [BLANK_CUT.format(names="« Status: » (ligne 6)", **ONE, draft=NOT_READ.format(written="Status:", line=6))]),
    "a blank line made of spaces": (
        HEADER + "   \t\nStatus: draft\n" + BODY,
        [BLANK_CUT.format(names="« Status: » (ligne 6)", **ONE, draft=NOT_READ.format(written="Status:", line=6))]),
    "the status in French": (
        HEADER + "Statut: brouillon\n" + BODY,
        [FRENCH_DRAFT.format(line=5, written="Statut:", value="brouillon")]),
    "the status as a French word": (
        HEADER + "Brouillon: oui\n" + BODY,
        [FRENCH_DRAFT.format(line=5, written="Brouillon:", value="oui")]),
    "the status in French with a French space": (
        HEADER + "Statut : brouillon\n" + BODY,
        [STOPPED.format(line=5, written="Statut :", field="Status", how=", sans espace avant les deux-points",
                        draft=STOPPED_DRAFT.format(line=5))]),
    "a French space before the colon": (
        HEADER + "Status : draft\n" + BODY,
        [STOPPED.format(line=5, written="Status :", field="Status", how=", sans espace avant les deux-points",
                        draft=STOPPED_DRAFT.format(line=5))]),
    "a narrow no-break space before the colon": (
        HEADER + "Status\u202f: draft\n" + BODY,
        [STOPPED.format(line=5, written="Status :", field="Status", how=", sans espace avant les deux-points",
                        draft=STOPPED_DRAFT.format(line=5))]),
    "a full-width colon": (
        HEADER + "Status\uff1a draft\n" + BODY,
        [STOPPED.format(line=5, written="Status :", field="Status", how=", sans espace avant les deux-points",
                        draft=STOPPED_DRAFT.format(line=5))]),
    "a no-break space at the start of the line": (
        HEADER + "\u00a0Status: draft\n" + BODY,
        [STOPPED.format(line=5, written="Status:", field="Status",
                        how=" au tout début de la ligne, sans espace ni caractère invisible avant",
                        draft=STOPPED_DRAFT.format(line=5))]),
    "an accented name, then the status": (
        HEADER + "Résumé: Pas prêt.\nStatus: draft\n" + BODY,
        [STOPPED.format(line=5, written="Résumé:", field="Summary", how="", draft=STOPPED_DRAFT.format(line=6))]),
    "an indented status": (
        HEADER + "Summary: Pas prêt.\n    Status: draft\n" + BODY,
        [INDENTED.format(line=6)]),
    "a status indented with a tab": (
        HEADER + "Summary: Pas prêt.\n\tStatus: draft\n" + BODY,
        [INDENTED.format(line=6)]),
    "a line break Pelican does not see": (
        HEADER + "Summary: Pas prêt.\u2028Status: draft\n" + BODY,
        [HIDDEN_BREAK.format(line=5)]),
    "the status left further in the text": (
        HEADER + "\nUn premier paragraphe.\n\nStatus: draft\n",
        [IN_TEXT.format(line=8)]),
    "a header closed by --- then the status": (
        "---\n" + HEADER + "---\nStatus: draft\n" + BODY,
        ["7 : « Status: » (ligne 7) vient après la fin de l'en-tête (la ligne « --- » ou « ... », "
         "ligne 6) : le site l'affiche comme du texte au lieu de la lire. Remontez-la avant cette "
         "ligne." + NOT_READ.format(written="Status:", line=7)]),
}

# Texts that look a little like these mistakes and are fine.
FINE: dict[str, str] = {
    "a proper draft": HEADER + "Status: draft\n" + BODY,
    "a draft with Windows line ends": (HEADER + "Status: DRAFT\n" + BODY).replace("\n", "\r\n"),
    "prose with a French colon after the header": HEADER + "\nAttention : la salle change.\n",
    "an address at the start of the text": HEADER + "\nhttps://exemple.org est notre nouveau site.\n",
    "the syntax shown as code": HEADER + "\nÉcrivez :\n\n```\nStatus: draft\n```\n\nou `Status: draft`.\n",
    "the syntax inside a comment": HEADER + "\n<!--\nStatus: draft veut dire brouillon\n-->\nTexte.\n",
    "a date in the practical details further down": HEADER + "\nTexte.\n\nDate : le 14 juin\nLieu : la place\n",
}


def check(root: Path, monkeypatch: pytest.MonkeyPatch, text: str, settings: str = "pelicanconf.py") -> list[str]:
    """Check a one-article site under ``root``; return the report lines about the article."""
    content = root / "content"
    content.mkdir(exist_ok=True)
    (content / "autre.md").write_text(
        "Title: Un autre article\nDate: 2026-11-01 10:00\nCategory: Vie associative\nSummary: Un résumé.\n"
        "\nTexte.\n", encoding="utf-8")
    (content / "cas.md").write_bytes(text.encode("utf-8"))
    monkeypatch.chdir(root)
    saved = locale.setlocale(locale.LC_ALL)
    try:
        config = read_settings(str(ROOT / settings), override={"PATH": str(content)})
    finally:
        locale.setlocale(locale.LC_ALL, saved)
    problems = check_site(CheckConfig.from_settings(config)).problems
    return [str(problem).removeprefix("content/cas.md:") for problem in problems
            if problem.path == "content/cas.md" and "résumé" not in problem.message]


@pytest.mark.parametrize("text, expected", CASES.values(), ids=CASES.keys())
def test_each_misplaced_draft_marker_is_an_error_at_its_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             text: str, expected: list[str]) -> None:
    assert check(tmp_path, monkeypatch, text) == expected


@pytest.mark.parametrize("text", [text for text, _ in CASES.values()], ids=CASES.keys())
def test_each_misplaced_draft_marker_is_an_error_for_publishing_too(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    assert check(tmp_path, monkeypatch, text, "publishconf.py") != []


@pytest.mark.parametrize("text", [text for name, (text, _) in CASES.items() if "further" not in name],
                         ids=[name for name in CASES if "further" not in name])
def test_the_shared_reading_says_draft_for_each_of_them(text: str) -> None:
    assert says_draft(text)


@pytest.mark.parametrize("text", FINE.values(), ids=FINE.keys())
def test_texts_that_only_look_similar_are_fine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    assert check(tmp_path, monkeypatch, text) == []


def test_lines_are_split_as_pelican_splits_them() -> None:
    assert pelican_lines("a\r\nb\rc\u2028d\n\te") == ["a", "b", "c\u2028d", "    e"]


def test_a_proper_draft_is_read_as_pelican_reads_it() -> None:
    area = read_header_area(HEADER + "Status: Draft\n" + BODY)
    assert (area.pelican_status, area.end, area.ended_by, area.stray) == ("draft", 5, "blank", ())


def test_prose_is_not_a_draft() -> None:
    assert not says_draft(HEADER + "\nNous écrivons un brouillon de programme : draft en anglais.\n")


def publish(root: Path, text: str) -> subprocess.CompletedProcess:
    """Build ``text`` next to the sample site with publishconf.py, as make publish does."""
    content = root / "content"
    shutil.copytree(ROOT / "content", content)
    (content / "notre-brouillon-secret.md").write_bytes(text.encode("utf-8"))
    command = [sys.executable, "-m", "pelican", str(content), "-o", str(root / "public"), "-s",
               str(ROOT / "publishconf.py"), "--ignore-cache", "--cache-path", str(root / "cache"),
               "--fatal", "errors"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "plugins")])}
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, encoding="utf-8", timeout=600)


def leaks(public: Path) -> list[str]:
    """Return the written files that mention the draft."""
    found = []
    for path in public.rglob("*") if public.is_dir() else []:
        if path.is_file() and path.suffix in {".html", ".xml", ".json", ".txt"}:
            text = path.read_text(encoding="utf-8")
            if "notre-brouillon-secret" in text or "Notre brouillon secret" in text or "pas prêt" in text:
                found.append(str(path.relative_to(public)))
    return found


@pytest.mark.slow
@pytest.mark.parametrize("name", ["a blank line inside the header", "the status in French with a French space",
                                  "an indented status"])
def test_make_publish_stops_with_the_line_of_the_mistake(tmp_path: Path, name: str) -> None:
    text, expected = CASES[name]
    result = publish(tmp_path, text)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"content/notre-brouillon-secret.md:{expected[0]}" in result.stderr
    assert leaks(tmp_path / "public") == []


@pytest.mark.slow
def test_a_draft_marker_pelican_does_not_read_keeps_the_file_out_even_without_the_checker(tmp_path: Path) -> None:
    # The checker stops make publish on each of these mistakes; the drafts plugin must hold on
    # its own too (the same reading of the header area, drafts.header).
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    hidden = {}
    for number, (name, (text, _)) in enumerate(CASES.items()):
        if "further" in name:
            continue  # only the checker catches a marker deep in the text
        title = f"Brouillon caché numéro {number}"
        poll = f"\n```poll\nid: sondage-cache-{number}\nquestion: Prêt ?\noptions:\n  - oui: Oui\n  - non: Non\n```\n"
        body = text.replace("Notre brouillon secret", title).replace("Slug: brouillon-secret\n", "")
        (content / f"cache-{number}.md").write_bytes((body + poll).encode("utf-8"))
        hidden[f"brouillon-cache-numero-{number}"] = f"sondage-cache-{number}"
    plugins = '["i18n", "polls", "feeds", "drafts", "fast_build"]'  # no checks
    result = subprocess.run([sys.executable, "-m", "pelican", str(content), "-o", str(tmp_path / "public"), "-s",
                             str(ROOT / "publishconf.py"), "--ignore-cache", "--cache-path", str(tmp_path / "cache"),
                             "-e", f"PLUGINS={plugins}"],
                            cwd=ROOT, capture_output=True, encoding="utf-8", timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    public = tmp_path / "public"
    assert (public / "don-en-ligne" / "index.html").exists()  # the rest is there
    written = {path: path.read_text(encoding="utf-8") for path in public.rglob("*")
               if path.is_file() and path.suffix in {".html", ".xml", ".json", ".txt"}}
    for slug, poll in hidden.items():
        assert not (public / slug).exists() and not (public / "brouillons" / slug).exists(), slug
        assert [path for path, text in written.items() if slug in text or poll in text] == [], slug
    assert "Brouillon caché" not in "".join(written.values())


def test_a_status_cut_by_a_character_markdown_drops_is_still_seen_further_in_the_text() -> None:
    # Python-Markdown removes \x02 and \x03: the line it reads says "Status: draft".
    assert read_header_area(HEADER + "\nUn premier paragraphe.\n\nStatus: dra\x02ft\n").later_draft_lines == (8,)
