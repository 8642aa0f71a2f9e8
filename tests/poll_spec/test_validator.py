"""The one validator, fed by a block or by a manifest entry: same rules, same messages."""

from __future__ import annotations

from datetime import datetime

import pytest

from poll_spec import PARIS, Poll, PollReference, PollSyntaxError, check_reference, check_shown_once, check_unique
from poll_spec import parse_poll, poll_from_manifest

BLOCK = """\
id: don-en-ligne
question: Utilisez-vous le don en ligne ?
options:
  - oui: Oui, régulièrement
  - non: Non
multiple: false
opens: 2026-11-01
closes: 2026-12-31
results: after-vote
"""


def entry(**changes: object) -> dict:
    """A manifest entry of the poll above, with some fields changed."""
    base = parse_poll(BLOCK, "content/don.md").to_manifest()
    return {**base, **changes}


def test_a_block_and_its_manifest_entry_give_the_same_poll() -> None:
    from_block = parse_poll(BLOCK, "content/don.md")
    assert poll_from_manifest(from_block.to_manifest()) == Poll(**{**from_block.__dict__, "line": None})


def test_a_bare_closing_date_lasts_until_the_end_of_that_day_in_paris() -> None:
    poll = poll_from_manifest(entry(closes="2026-12-31"))
    assert poll.closes == datetime(2027, 1, 1, tzinfo=PARIS)


def test_a_manifest_true_multiple_allows_every_answer() -> None:
    assert poll_from_manifest(entry(multiple=True)).max_choices == 2


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"id": "Mon Sondage"}, "Identifiant invalide « Mon Sondage »"),
        ({"id": "x" * 65}, "64 caractères au plus"),
        ({"question": ""}, "pas de question"),
        ({"question": "Une\nquestion"}, "sur une seule ligne"),
        ({"options": [{"key": "oui", "label": "Oui"}]}, "au moins deux réponses"),
        ({"options": [{"key": "Oui !", "label": "Oui"}, {"key": "non", "label": "Non"}]}, "Clé de réponse invalide"),
        ({"options": [{"key": "oui", "label": "Oui"}, {"key": "oui", "label": "Non"}]}, "la même clé « oui »"),
        ({"options": [{"key": "oui", "label": ""}, {"key": "non", "label": "Non"}]}, "Réponse vide"),
        ({"multiple": 3}, "Valeur de « multiple » invalide : « 3 »"),
        ({"multiple": 1.5}, "multiple"),
        ({"opens": "demain"}, "Date « opens » illisible"),
        ({"opens": "2027-01-01"}, "doit venir après"),
        ({"results": "jamais"}, "Mode de résultats inconnu"),
        ({"options": "oui, non"}, "doit être une liste"),
        ({"question": 3}, "doit être un texte"),
    ],
)
def test_a_wrong_manifest_entry_is_refused_with_the_writers_message(changes: dict, message: str) -> None:
    with pytest.raises(PollSyntaxError, match=message) as caught:
        poll_from_manifest(entry(**changes))
    assert caught.value.source == "content/don.md"


def test_a_manifest_entry_holding_only_an_id_is_refused() -> None:
    with pytest.raises(PollSyntaxError, match="« question » doit être un texte"):
        poll_from_manifest({"id": "x", "source": "a.md"})


def test_a_second_definition_of_an_id_names_the_first() -> None:
    first, second = parse_poll(BLOCK, "a.md", 3), parse_poll(BLOCK, "b.md", 9)
    with pytest.raises(PollSyntaxError, match="déjà défini dans a.md:3") as caught:
        check_unique([first, second])
    assert (caught.value.source, caught.value.line) == ("b.md", 9)


def test_a_reference_to_an_unknown_poll_is_an_error() -> None:
    with pytest.raises(PollSyntaxError, match="Aucun sondage « autre »"):
        check_reference(PollReference("autre", "a.md", 4), {})


def test_a_poll_shown_twice_on_a_page_is_an_error() -> None:
    poll = parse_poll(BLOCK, "a.md", 3)
    with pytest.raises(PollSyntaxError, match="déjà affiché dans cette page, à la ligne 3"):
        check_shown_once([poll, PollReference(poll.id, "a.md", 20)])
