"""Finding ```poll blocks and reading their fields, lines counted as Python-Markdown counts them."""

from __future__ import annotations

import markdown
import pytest

from poll_spec import Poll, PollReference, PollSyntaxError, find_poll_blocks, parse_block, parse_poll, split_lines

BLOCK = "```poll\nid: fete\nquestion: Venez-vous ?\noptions:\n  - oui: Oui\n  - Non merci\n```\n"


def markdown_lines(text: str) -> list[str]:
    """Return the lines Python-Markdown's preprocessors work on (its own whitespace rule)."""
    md = markdown.Markdown()
    lines = md.preprocessors["normalize_whitespace"].run(text.split("\n"))
    while lines and lines[-1] == "":
        lines.pop()
    return lines


@pytest.mark.parametrize(
    "text",
    [
        "a\nb\n",
        "a\r\nb\rc",
        "avant\u2028après\n",
        "un\u0085deux\x0ctrois\x0bquatre\x1cfin\n\nsuite",
        "\u2029\n\n",
    ],
)
def test_lines_are_split_exactly_as_python_markdown_splits_them(text: str) -> None:
    lines = split_lines(text)
    while lines and lines[-1] == "":  # Markdown adds blank lines at the end; they hold nothing
        lines.pop()
    assert lines == markdown_lines(text)


def test_a_block_is_found_with_its_file_lines() -> None:
    [block] = find_poll_blocks("# Titre\n\n" + BLOCK)
    assert (block.line, block.body_line, block.end_line, block.closed) == (3, 4, 9, True)


def test_separators_other_than_newline_before_a_poll_do_not_shift_its_lines() -> None:
    text = "Avant\u2028suite\u0085encore\x0cfin.\n\n" + BLOCK
    [block] = find_poll_blocks(text)
    assert block.line == 3
    assert markdown_lines(text)[block.line - 1] == "```poll"


def test_a_poll_block_inside_a_listing_is_text() -> None:
    assert find_poll_blocks("````\n" + BLOCK + "````\n") == []


def test_an_unclosed_block_runs_to_the_end_and_is_an_error() -> None:
    [block] = find_poll_blocks("```poll\nid: fete\n")
    assert not block.closed
    with pytest.raises(PollSyntaxError, match="jamais fermé") as caught:
        parse_block(block, "content/x.md")
    assert (caught.value.source, caught.value.line) == ("content/x.md", 1)


def test_a_label_without_key_gets_its_slug() -> None:
    poll = parse_block(find_poll_blocks(BLOCK)[0])
    assert isinstance(poll, Poll)
    assert poll.option_keys() == ["oui", "non-merci"]


def test_a_block_with_only_an_id_is_a_reference() -> None:
    assert parse_poll("id: fete", "a.md", 7) == PollReference("fete", "a.md", 7)


def test_a_comment_after_an_id_is_dropped_but_a_question_keeps_its_hash() -> None:
    poll = parse_poll("id: fete  # la fête\nquestion: L'option #2 ?\noptions:\n - a\n - b")
    assert (poll.id, poll.question) == ("fete", "L'option #2 ?")


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("- oui\nid: x", 10, "hors de la liste des réponses"),
        ("id: x\nquestion ?", 11, "Ligne incomprise"),
        ("id: x\ncouleur: bleu", 11, "Champ inconnu « couleur »"),
        ("id: x\nid: y", 11, r"apparaît deux fois \(déjà à la ligne 10\)"),
        ("id: x\nquestion: Q\noptions: oui", 12, "sur les lignes suivantes"),
    ],
)
def test_block_syntax_errors_name_their_line(body: str, line: int, message: str) -> None:
    with pytest.raises(PollSyntaxError, match=message) as caught:
        parse_poll(body, "content/x.md", first_line=10)
    assert caught.value.line == line
    assert str(caught.value).startswith(f"content/x.md:{line} : ")


# Long prose full of what the quick look at a text meets first: apostrophes, `code`, ~~, "vote".
PROSE = "L'association vote : ``votre avis`` et `le code` comptent, ~~pas~~ l'''autre.\n" * 200


@pytest.mark.parametrize(
    "opening, mistake",
    [
        ("```poll", None),
        ("```Poll", "n'ouvre pas de sondage"),
        ("```pull", "n'ouvre pas de sondage"),
        ("  '''sondage", "n'ouvre pas de sondage"),
        ("- ```poll", "une liste"),
        ("> ```", "une citation"),  # a bare fence: "id:" on the next line says it is a poll
    ],
)
def test_a_block_far_down_a_long_text_is_found_at_its_line(opening: str, mistake: str | None) -> None:
    for end in ("\n", "\r\n", "\r"):
        [block] = find_poll_blocks((PROSE + opening + "\nid: fete\n```\n").replace("\n", end))
        assert block.line == 201
        assert (block.mistake is None) if mistake is None else (mistake in block.mistake)


def test_a_fence_indented_under_a_list_item_far_above_is_found() -> None:
    text = "- un point\n\n" + PROSE.replace("L'", "  L'") + "    ```poll\n    id: fete\n    ```\n"
    [block] = find_poll_blocks(text)
    assert block.line == 203
    assert "une liste" in block.mistake


def test_fences_and_code_that_open_no_poll_give_no_block() -> None:
    assert find_poll_blocks(PROSE + "```python\nprint('poll')\n```\n\n~~~\nid: x\n~~~\n") == []


@pytest.mark.parametrize("opening", ["```Poll", "~~~poll", "'''poll", '"""sondage', "`` poll"])
def test_a_near_miss_is_found_in_prose_holding_no_other_mark(opening: str) -> None:
    [block] = find_poll_blocks("Un texte sans rien de particulier.\n" * 50 + opening + "\nid: fete\n")
    assert block.line == 51
    assert "n'ouvre pas de sondage" in block.mistake
