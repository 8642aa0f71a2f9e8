"""Each mistake a writer can make in a poll, reported with the file and its exact line."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from pelican.settings import DEFAULT_CONFIG

from poll_spec import PollSyntaxError
from polls.reader import MarkdownReader

# Lines 1-6 of every test file; a poll's body starts on line 7.
HEADER = "Title: Essai\nDate: 2026-01-01\n\nUn paragraphe avant le sondage.\n\n```poll\n"
GOOD = ["id: essai", "question: Une question ?", "options:", "  - oui: Oui", "  - non: Non"]

CASES = {
    "no id": (["question: Q ?", "options:", "  - Oui", "  - Non"], 7,
              "Le sondage n'a pas d'identifiant."),
    "an id with capitals": (["id: Mon Sondage", *GOOD[1:]], 7, "Identifiant invalide « Mon Sondage »"),
    "no question": ([GOOD[0], *GOOD[2:]], 7, "Le sondage n'a pas de question."),
    "an empty question": ([GOOD[0], "question:", *GOOD[2:]], 8, "Le sondage n'a pas de question."),
    "no options": (GOOD[:2], 7, "Le sondage n'a pas de réponses."),
    "a single option": (GOOD[:4], 9, "Un sondage a besoin d'au moins deux réponses"),
    "answers on the options line": ([*GOOD[:2], "options: Oui, Non"], 9,
                                    "Les réponses se mettent sur les lignes suivantes"),
    "two answers with one key": ([*GOOD, "  - oui: Oui encore"], 12,
                                 "Deux réponses ont la même clé « oui » (déjà à la ligne 10)"),
    "an empty answer": ([*GOOD, "  -"], 12, "Réponse vide"),
    "an answer with no usable key": ([*GOOD, "  - ???"], 12, "Impossible de tirer une clé de la réponse « ??? »"),
    "a dash outside the options": ([GOOD[0], "- Oui", *GOOD[1:]], 8,
                                   "Une ligne commence par « - » hors de la liste des réponses"),
    "an unknown field": ([*GOOD, "couleur: bleu"], 12, "Champ inconnu « couleur »"),
    "a field given twice": ([*GOOD[:2], "question: Encore ?", *GOOD[2:]], 9,
                            "Le champ « question » apparaît deux fois (déjà à la ligne 8)"),
    "a line that is not a field": ([*GOOD, "ceci n'est pas un champ"], 12, "Ligne incomprise"),
    "a bad multiple": ([*GOOD, "multiple: beaucoup"], 12, "Valeur de « multiple » invalide : « beaucoup »"),
    "more choices than answers": ([*GOOD, "multiple: 3"], 12, "Valeur de « multiple » invalide : « 3 »"),
    "an unreadable opening date": ([*GOOD, "opens: 1er novembre"], 12, "Date « opens » illisible"),
    "an unreadable closing date": ([*GOOD, "closes: 2026-13-45"], 12, "Date « closes » illisible"),
    "a closing before the opening": ([*GOOD, "opens: 2026-12-01", "closes: 2026-11-01"], 13,
                                     "La date de fermeture (closes) doit venir après"),
    "an unknown results mode": ([*GOOD, "results: jamais"], 12, "Mode de résultats inconnu « jamais »"),
}


@pytest.fixture
def reader() -> MarkdownReader:
    """A poll-aware Markdown reader with Pelican's default settings."""
    return MarkdownReader(copy.deepcopy(DEFAULT_CONFIG))


def read_error(reader: MarkdownReader, path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PollSyntaxError) as error:
        reader.read(str(path))
    return str(error.value)


@pytest.mark.parametrize("body, line, message", CASES.values(), ids=list(CASES))
def test_a_mistake_is_reported_at_its_file_line(reader, tmp_path: Path, body: list[str], line: int,
                                                 message: str) -> None:
    path = tmp_path / "essai.md"
    reader.settings["PATH"] = str(tmp_path)
    error = read_error(reader, path, HEADER + "\n".join(body) + "\n```\n")
    assert error.startswith(f"{tmp_path.name}/essai.md:{line} : {message}"), error


def test_a_block_never_closed_is_reported_at_its_opening_fence(reader, tmp_path: Path) -> None:
    reader.settings["PATH"] = str(tmp_path)
    error = read_error(reader, tmp_path / "essai.md", HEADER + "\n".join(GOOD) + "\n")
    assert error.startswith(f"{tmp_path.name}/essai.md:6 : Le bloc ```poll n'est jamais fermé"), error


def test_the_second_poll_of_a_file_is_counted_from_the_file_too(reader, tmp_path: Path) -> None:
    reader.settings["PATH"] = str(tmp_path)
    text = HEADER + "\n".join(GOOD) + "\n```\n\nEntre les deux.\n\n```poll\n" + "\n".join(GOOD[:4]) + "\n```\n"
    error = read_error(reader, tmp_path / "essai.md", text)
    # 7-11 first body, 12 fence, 14 text, 16 second fence, 17 id, 19 options.
    assert error.startswith(f"{tmp_path.name}/essai.md:19 : Un sondage a besoin"), error


def test_a_poll_shown_twice_in_one_page_is_reported_at_the_second_block(reader, tmp_path: Path) -> None:
    reader.settings["PATH"] = str(tmp_path)
    text = HEADER + "\n".join(GOOD) + "\n```\n\nEncore :\n\n```poll\nid: essai\n```\n"
    error = read_error(reader, tmp_path / "essai.md", text)
    # 6-12 the definition, 14 text, 16 the second fence, 17 its id.
    assert error == (f"{tmp_path.name}/essai.md:17 : Le sondage « essai » est déjà affiché dans cette "
                     "page, à la ligne 7 : un sondage ne s'affiche qu'une fois par page. Retirez ce bloc.")


def test_a_good_poll_is_kept_in_the_metadata_with_its_file_line(reader, tmp_path: Path) -> None:
    reader.settings["PATH"] = str(tmp_path)
    path = tmp_path / "essai.md"
    path.write_text(HEADER + "\n".join(GOOD) + "\n```\n", encoding="utf-8")
    content, metadata = reader.read(str(path))
    (poll,) = metadata["polls"]
    assert (poll.id, poll.line, poll.source) == ("essai", 7, f"{tmp_path.name}/essai.md")
    assert metadata["title"] == "Essai" and content.endswith("<!--poll:essai-->")
    assert set(metadata) == {"title", "date", "polls"}  # no key of the plugin's own but the polls
