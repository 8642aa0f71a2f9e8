"""Edge cases of the ```poll block: each one a poll that works, or a French error at its line.

Every case is one article (content/cas.md) next to a small sound site, checked as ``make check``
does; a case the reader of the build also meets is read by the build's Markdown reader, which
must fail on the same line with the same words (or read the same polls). A few cases are
built whole with publishconf.py.
"""

from __future__ import annotations

import copy
import json
import locale
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pelican.settings import DEFAULT_CONFIG, read_settings

from checks.checker import check_site
from checks.config import CheckConfig
from poll_spec import PollSyntaxError
from polls.reader import MarkdownReader

ROOT = Path(__file__).resolve().parents[2]
PELICAN = Path(sys.executable).with_name("pelican")
# Lines 1-5: the header, 6 blank; the text starts on line 7.
HEADER = ("Title: Un cas\nDate: 2026-11-20 10:00\nCategory: Vie associative\nSummary: Un cas.\n"
          "Slug: cas\n\n")
BODY = "id: cas\nquestion: Votre avis ?\noptions:\n  - oui: Oui\n  - non: Non\n"
POLL = "```poll\n" + BODY + "```\n"
NEAR = "n'ouvre pas de sondage : écrivez exactement « ```poll » : trois accents graves (`) puis poll"
IN_LIST = "Un sondage ne peut pas se trouver dans une liste"
IN_QUOTE = "Un sondage ne peut pas se trouver dans une citation (ligne commençant par « > »)"
IN_NOTE = "Un sondage ne peut pas se trouver dans une note de bas de page"
INVISIBLE = "Un caractère invisible (U+{code}, {name}) se cache dans cette ligne"
BASE = {
    "autre.md": HEADER.replace("Un cas", "Autre").replace("Slug: cas", "Slug: autre") + "Texte.\n",
    "pages/contact.md": "Title: Contact\nSlug: contact\nSummary: Nous écrire.\n\nTexte.\n",
}

# name: (text after the header, [(line, start of the message)]), no entry: no problem at all.
CASES: dict[str, tuple[str, list[tuple[int, str]]]] = {
    # Lines as Markdown splits them: only "\n", "\r\n" and "\r" end a line.
    "a line separator (U+2028) before a poll": ("Un\u2028deux.\n\n" + POLL + "\nSuite.\n", []),
    "a paragraph separator (U+2029) before a poll": ("Un\u2029deux.\n\n" + POLL + "\nSuite.\n", []),
    "a U+2028 before a poll with a mistake": ("Un\u2028deux.\n\n```poll\nid: cas\noptions:\n  - Oui\n  - Non\n```\n",
                                             [(10, "Le sondage n'a pas de question.")]),
    "Windows line ends": (POLL.replace("\n", "\r\n") + "\r\nSuite.\r\n", []),
    "old Mac line ends before a mistake": ("Un.\r\r```poll\rid: cas\roptions:\r  - Oui\r  - Non\r```\r",
                                           [(10, "Le sondage n'a pas de question.")]),
    # Where a writer puts a poll.
    "a poll after a paragraph": ("Votre avis :\n\n" + POLL, []),
    "a poll in a bullet list": ("- un point\n- ```poll\n  id: cas\n  ```\n", [(8, IN_LIST)]),
    "a poll in a star list": ("* ```poll\n  id: cas\n  ```\n", [(7, IN_LIST)]),
    "a poll in a numbered list": ("1. ```poll\n   id: cas\n   ```\n", [(7, IN_LIST)]),
    "a poll in a numbered list with a parenthesis": ("1) ```poll\n   id: cas\n   ```\n", [(7, IN_LIST)]),
    "a poll indented under a list item": ("1. Premier point :\n\n    ```poll\n    " + BODY.replace("\n", "\n    ")
                                          + "```\n\n2. Second point.\n", [(9, IN_LIST)]),
    "a poll in a quotation": ("> ```poll\n> id: cas\n> ```\n", [(7, IN_QUOTE)]),
    "a poll in a nested quotation": (">> ```poll\n>> id: cas\n>> ```\n", [(7, IN_QUOTE)]),
    "a poll in a list in a quotation": ("> - ```poll\n>   id: cas\n>   ```\n", [(7, IN_QUOTE)]),
    "a poll in a footnote": ("Texte[^1].\n\n[^1]: ```poll\n    id: cas\n    ```\n", [(9, IN_NOTE)]),
    "a poll indented under a footnote": ("Texte[^1].\n\n[^1]: Une note :\n\n    ```poll\n    id: cas\n    ```\n",
                                         [(11, IN_NOTE)]),
    "a poll shown as indented code": ("Par exemple :\n\n    ```poll\n    id: cas\n    ```\n", []),
    "a poll shown in a listing": ("````markdown\n" + POLL + "````\n", []),
    "a poll shown in a tilde listing": ("~~~text\n" + POLL + "~~~\n", []),
    # What a comment hides is no poll.
    "a poll in an HTML comment": ("<!--\n" + POLL + "-->\n\nSuite.\n", []),
    "a broken poll in an HTML comment": ("<!-- plus tard :\n```Poll\nid: ?\n```\n-->\n", []),
    "a poll after a one-line comment": ("<!-- note -->\n\n" + POLL, []),
    "a poll after an inline comment": ("Texte <!-- ```poll --> suite.\n\n" + POLL, []),
    # Near misses of the opening line.
    "```Poll": (POLL.replace("```poll", "```Poll"), [(7, "La ligne « ```Poll » " + NEAR)]),
    "```POLL": (POLL.replace("```poll", "```POLL"), [(7, "La ligne « ```POLL » " + NEAR)]),
    "```sondage": (POLL.replace("```poll", "```sondage"), [(7, "La ligne « ```sondage » " + NEAR)]),
    "```Sondage": (POLL.replace("```poll", "```Sondage"), [(7, "La ligne « ```Sondage » " + NEAR)]),
    "```polls": (POLL.replace("```poll", "```polls"), [(7, "La ligne « ```polls » " + NEAR)]),
    "```pool": (POLL.replace("```poll", "```pool"), [(7, "La ligne « ```pool » " + NEAR)]),
    "```vote": (POLL.replace("```poll", "```vote"), [(7, "La ligne « ```vote » " + NEAR)]),
    "``` poll (a space)": (POLL.replace("```poll", "``` poll"), [(7, "La ligne « ``` poll » " + NEAR)]),
    "```poll with words after": (POLL.replace("```poll", "```poll sondage"), [(7, "La ligne « ```poll sondage » " + NEAR)]),
    "~~~poll": ("~~~poll\n" + BODY + "~~~\n", [(7, "La ligne « ~~~poll » " + NEAR)]),
    "'''poll": ("'''poll\n" + BODY + "'''\n", [(7, "La ligne « '''poll » " + NEAR)]),
    "``poll (two backticks)": ("``poll\n" + BODY + "``\n", [(7, "La ligne « ``poll » " + NEAR)]),
    "````poll (four backticks)": ("````poll\n" + BODY + "````\n", []),
    # Near misses holding no word of a poll (nor does the text): the fence alone makes them asked.
    "```pull": ("```pull\n" + BODY.replace("Votre avis", "Q") + "```\n", [(7, "La ligne « ```pull » " + NEAR)]),
    "```ｐｏｌｌ (full-width letters)": ("```ｐｏｌｌ\n" + BODY + "```\n", [(7, "La ligne « ```ｐｏｌｌ » " + NEAR)]),
    "a bare fence in a list, id: next": ("- un point\n- ```\n  id: cas\n  ```\n", [(8, IN_LIST)]),
    "```python is a listing": ("```python\nprint('poll')\n```\n", []),
    # Invisible characters, anywhere in the file.
    "a form feed in the text": ("Un\x0cdeux.\n\n" + POLL, [(7, INVISIBLE.format(code="000C", name="saut de page"))]),
    "a vertical tab in the text": ("Un\x0bdeux.\n", [(7, INVISIBLE.format(code="000B", name="tabulation verticale"))]),
    "a NUL in the text": ("Un\x00deux.\n", [(7, INVISIBLE.format(code="0000", name="caractère nul"))]),
    "an escape in the text": ("Un\x1b[0mdeux.\n", [(7, INVISIBLE.format(code="001B", name="échappement"))]),
    "a DEL in the text": ("Un\x7fdeux.\n", [(7, INVISIBLE.format(code="007F", name="suppression"))]),
    "a C1 control (U+0085)": ("Un\x85deux.\n", [(7, INVISIBLE.format(code="0085", name="caractère de contrôle"))]),
    "a form feed in a poll question": (POLL.replace("Votre avis ?", "Votre\x0c avis ?"),
                                      [(9, INVISIBLE.format(code="000C", name="saut de page"))]),
    "a vertical tab in an answer": (POLL.replace("  - non: Non", "  - non: N\x0bon"),
                                    [(12, INVISIBLE.format(code="000B", name="tabulation verticale"))]),
    # Answers a voter could not tell apart.
    "one answer twice under two keys": (POLL.replace("  - non: Non", "  - non: Oui"),
                                        [(12, "La réponse « Oui » apparaît deux fois (déjà à la ligne 11)")]),
    "one answer twice without keys": ("```poll\nid: cas\nquestion: Q ?\noptions:\n  - Oui\n  - oui\n```\n",
                                      [(12, "La réponse « oui » apparaît deux fois (déjà à la ligne 11)")]),
    "two answers giving one key": ("```poll\nid: cas\nquestion: Q ?\noptions:\n  - Oui !\n  - Oui ?\n```\n",
                                   [(12, "Les réponses « Oui ! » (ligne 11) et « Oui ? » se ressemblent trop "
                                         "pour le site, qui les range sous une même clé. Donnez-leur chacune une "
                                         "clé, par exemple « - oui: Oui ! » et « - oui-2: Oui ? ».")]),
    # Raw HTML links and images, checked as Markdown ones.
    "a raw image without {static}": ('<img src="images/photo.png" alt="Une photo">\n',
                                     [(7, "L'image « images/photo.png » ne s'affichera pas sur le site ni dans les flux")]),
    "a raw srcset without {static}": ('<img src="{static}/images/photo.png" srcset="images/photo.png 2x" alt="x">\n',
                                      [(7, "L'image « images/photo.png » ne s'affichera pas")]),
    "a raw link to an article": ('<a href="autre.md">l\'autre</a>\n',
                                 [(7, "Le lien « autre.md » vers un autre texte du site ne fonctionnera pas")]),
    "a raw link to a file": ('<a href="images/photo.png">la photo</a>\n',
                             [(7, "Le lien « images/photo.png » ne fonctionnera pas sur le site ni dans les flux")]),
    "a raw image that does not exist": ('<img src="{static}/images/phot.png" alt="x">\n',
                                        [(7, "Le fichier « {static}/images/phot.png » n'existe pas")]),
    "a raw poster without {static}": ('<video src="{static}/images/photo.png" poster="images/photo.png"></video>\n',
                                      [(7, "L'image « images/photo.png » ne s'affichera pas")]),
    "a raw image with a name with spaces": ('<img src="{static}/images/la photo.png" alt="x">\n', []),
}


def make_site(root: Path, text: str) -> Path:
    """Write the small site and content/cas.md (``text`` after the header) under ``root``."""
    content = root / "content"
    for relative, body in {**BASE, "cas.md": HEADER + text}.items():
        (content / relative).parent.mkdir(parents=True, exist_ok=True)
        (content / relative).write_bytes(body.encode("utf-8"))
    (content / "images").mkdir()
    for name in ("photo.png", "la photo.png"):
        (content / "images" / name).write_bytes(b"\x89PNG\r\n\x1a\n")
    return content


def settings_for(content: Path, settings: str = "pelicanconf.py") -> dict:
    saved = locale.setlocale(locale.LC_ALL)  # read_settings applies LOCALE to the process
    try:
        return read_settings(str(ROOT / settings), override={"PATH": str(content)})
    finally:
        locale.setlocale(locale.LC_ALL, saved)


def checked(content: Path) -> list[tuple[int, str]]:
    """Check the site as make check does; return (line, message) of content/cas.md."""
    problems = check_site(CheckConfig.from_settings(settings_for(content))).problems
    return [(p.line, p.message) for p in problems if p.path == "content/cas.md"]


@pytest.mark.parametrize("text, expected", CASES.values(), ids=CASES.keys())
def test_each_case_is_a_poll_or_an_error_at_its_line(tmp_path: Path, text: str, expected: list) -> None:
    found = checked(make_site(tmp_path, text))
    assert len(found) == len(expected), found
    for (line, message), (want_line, start) in zip(found, expected):
        assert (line, message[:len(start)]) == (want_line, start), message


def read_by_the_build(path: Path) -> tuple[str, dict] | PollSyntaxError:
    """Read a file with the build's Markdown reader; return what it made, or its poll error."""
    settings = copy.deepcopy(DEFAULT_CONFIG)
    settings["PATH"] = str(path.parent)
    try:
        return MarkdownReader(settings).read(str(path))
    except PollSyntaxError as error:
        return error


POLL_CASES = [name for name, (_, expected) in CASES.items()
              if not expected or any(start.startswith(("La ligne", "Un sondage", "La réponse", "Les réponses",
                                                        "Le sondage"))
                                     for _, start in expected)]


@pytest.mark.parametrize("name", POLL_CASES)
def test_the_build_reads_each_case_as_make_check_does(tmp_path: Path, name: str) -> None:
    text, expected = CASES[name]
    path = make_site(tmp_path, text) / "cas.md"
    read = read_by_the_build(path)
    poll_errors = [(line, start) for line, start in expected if not start.startswith(("L'image", "Le lien", "Le fichier"))]
    if poll_errors:
        assert isinstance(read, PollSyntaxError), read
        assert (read.line, read.message[:len(poll_errors[0][1])]) == poll_errors[0]
        return
    assert not isinstance(read, PollSyntaxError), read
    html, metadata = read
    polls = [poll.id for poll in metadata.get("polls", [])]
    shows_a_poll = ("```poll\n" in text.replace("\r\n", "\n") and "<!--\n```poll" not in text and "````markdown" not in text
                    and "~~~text" not in text and "    ```poll" not in text)
    assert polls == (["cas"] if shows_a_poll else []), html
    if shows_a_poll:
        assert "id: cas" not in html, html  # no block left as text
    if "Suite." in text:
        assert "Suite." in html  # no text lost after the block


def publish(root: Path) -> subprocess.CompletedProcess:
    """Build the site under ``root`` with publishconf.py, as make publish does."""
    command = [str(PELICAN), "content", "-o", "public", "-s", str(ROOT / "publishconf.py"), "--fatal", "errors"]
    return subprocess.run(command, cwd=root, env={**os.environ, "PYTHONPATH": str(ROOT)},
                          capture_output=True, encoding="utf-8", timeout=300)


@pytest.mark.slow
def test_a_line_separator_loses_no_text_and_a_comment_hides_its_poll(tmp_path: Path) -> None:
    text = "Un\u2028deux.\n\n" + POLL + "\nTrois phrases. Après. Le sondage.\n\n<!--\n" + POLL.replace("cas", "cache") + "-->\n"
    make_site(tmp_path, text)
    result = publish(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    page = (tmp_path / "public" / "cas" / "index.html").read_text(encoding="utf-8")
    assert "Trois phrases. Après. Le sondage." in page and "```poll" not in page
    manifest = json.loads((tmp_path / "public" / "polls.json").read_text(encoding="utf-8"))
    assert [poll["id"] for poll in manifest["polls"]] == ["cas"]  # not the commented one


@pytest.mark.slow
@pytest.mark.parametrize("name", ["```sondage", "a poll in a quotation", "a form feed in the text",
                                  "a raw image without {static}", "two answers giving one key"])
def test_publishing_stops_with_the_same_line_and_words(tmp_path: Path, name: str) -> None:
    text, expected = CASES[name]
    make_site(tmp_path, text)
    result = publish(tmp_path)
    assert result.returncode != 0
    line, start = expected[0]
    assert f"content/cas.md:{line} : {start}" in result.stderr, result.stderr
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.slow
def test_without_the_checks_the_feeds_name_the_file_holding_a_control_character(tmp_path: Path) -> None:
    make_site(tmp_path, "Un\x0cdeux.\n")
    plugins = [name for name in settings_for(tmp_path / "content")["PLUGINS"] if name != "checks"]
    command = [str(PELICAN), "content", "-o", "public", "-s", str(ROOT / "publishconf.py"), "--fatal", "errors",
               "-e", f"PLUGINS={json.dumps(plugins)}"]
    result = subprocess.run(command, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "300"},
                            capture_output=True, encoding="utf-8", timeout=300)
    assert result.returncode != 0
    # (--fatal errors then stops Pelican on that logged error, with its own traceback.)
    assert "feeds/all.atom.xml not written: cas.md holds the invisible character U+000C" in result.stdout + result.stderr
