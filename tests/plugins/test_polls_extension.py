"""The ```poll Markdown extension on tiny documents: source in, HTML out.

The extension leaves a placeholder per poll; ``convert`` then puts the forms in, as the build
does once the site is read (polls.site), with a standalone renderer (French, no catalog).
"""

from __future__ import annotations

import lxml.html
import markdown
import pytest

from poll_spec import Poll, PollReference, PollSyntaxError, find_poll_blocks
from polls.extension import PollExtension, placeholder
from polls.render import PollRenderer, replace_placeholders

DONATION = """\
```poll
id: don-en-ligne
question: Utilisez-vous le don en ligne ?
options:
  - oui: Oui, régulièrement
  - non: Non
```
"""


def convert(text: str, **config) -> tuple[str, PollExtension]:
    """Convert like Pelican does (extra, meta) with the poll extension."""
    extension = PollExtension(**config)
    html = markdown.Markdown(extensions=["markdown.extensions.extra", "markdown.extensions.meta",
                                         extension], output_format="html5").convert(text)
    polls = {poll.id: poll for poll in extension.polls if isinstance(poll, Poll)}
    return replace_placeholders(html, polls, PollRenderer().form), extension


def form_of(text: str, **config) -> lxml.html.HtmlElement:
    html, _ = convert(text, **config)
    forms = lxml.html.fragment_fromstring(html, create_parent="div").xpath("//form")
    assert len(forms) == 1, html
    return forms[0]


def test_a_poll_block_becomes_a_form_and_not_a_code_listing() -> None:
    html, _ = convert(DONATION)
    assert "<pre>" not in html and "<code" not in html
    assert '<form class="poll"' in html


def test_the_form_posts_the_choices_to_the_vote_api() -> None:
    form = form_of(DONATION)
    assert form.get("method") == "post"
    assert form.get("action") == "/api/polls/don-en-ligne/votes"
    assert form.get("data-poll-id") == "don-en-ligne"
    assert form.get("data-poll-api") == ""


def test_the_question_is_the_legend_of_a_fieldset() -> None:
    form = form_of(DONATION)
    assert form.xpath("string(fieldset/legend)") == "Utilisez-vous le don en ligne ?"


def test_a_single_choice_poll_has_labelled_radio_buttons() -> None:
    form = form_of(DONATION)
    inputs = form.xpath(".//input[@name='choices']")
    assert [i.get("type") for i in inputs] == ["radio", "radio"]
    assert [i.get("value") for i in inputs] == ["oui", "non"]
    for item in inputs:
        assert form.xpath(f"string(.//label[@for='{item.get('id')}'])") in ("Oui, régulièrement", "Non")


def test_a_multiple_choice_poll_has_checkboxes_and_says_how_many() -> None:
    form = form_of(DONATION.replace("  - non: Non\n", "  - non: Non\n  - nsp: Je ne sais pas\nmultiple: 2\n"))
    assert {i.get("type") for i in form.xpath(".//input[@name='choices']")} == {"checkbox"}
    hint = form.xpath("fieldset/p[@class='poll__hint']")[0]
    assert hint.text_content() == "2 réponses au plus."
    assert form.xpath("fieldset/@aria-describedby") == [hint.get("id")]


def test_the_form_has_a_vote_button_a_results_link_and_a_privacy_link() -> None:
    form = form_of(DONATION)
    assert form.xpath("string(.//button[@type='submit'])") == "Voter"
    assert form.xpath(".//a[.='Voir les résultats']/@href") == ["/polls/don-en-ligne/"]
    assert "/confidentialite/" in form.xpath(".//a/@href")


def test_the_form_has_a_polite_live_region_for_the_script() -> None:
    form = form_of(DONATION)
    assert form.xpath(".//*[@role='status']/@aria-live") == ["polite"]


def test_dates_are_written_in_french_and_a_bare_closing_date_is_the_last_day() -> None:
    form = form_of(DONATION.replace("  - non: Non\n", "  - non: Non\nopens: 2026-11-01\ncloses: 2027-06-30\n"))
    meta = form.xpath("string(p[@class='poll__meta'])")
    assert "Vote ouvert du 1er novembre 2026 au 30 juin 2027." in " ".join(meta.split())
    assert form.xpath(".//time/@datetime") == ["2026-11-01T00:00:00+01:00", "2027-06-30T23:59:59+02:00"]


def test_a_date_written_with_another_offset_is_shown_in_paris_time() -> None:
    form = form_of(DONATION.replace("  - non: Non\n", "  - non: Non\ncloses: 2027-05-31T22:30+00:00\n"))
    meta = " ".join(form.xpath("string(p[@class='poll__meta'])").split())
    assert "Vote ouvert jusqu'au 1er juin 2027 à 00:30." in meta
    assert form.xpath(".//time/@datetime") == ["2027-06-01T00:30:00+02:00"]


def test_writers_text_is_escaped_in_the_form() -> None:
    html, _ = convert(DONATION.replace("Utilisez-vous le don en ligne ?", '<script>alert("x")</script> ?'))
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_the_text_around_a_poll_stays_markdown() -> None:
    html, _ = convert("Un *avant*.\n\n" + DONATION + "\nUn **après**.\n")
    assert "<p>Un <em>avant</em>.</p>" in html and "<p>Un <strong>après</strong>.</p>" in html


def test_other_fenced_blocks_stay_code_listings() -> None:
    html, _ = convert("```python\nprint('poll')\n```\n")
    assert "<pre><code class=\"language-python\">" in html and "<form" not in html


def test_a_poll_block_shown_inside_a_listing_is_text_and_the_next_poll_is_found() -> None:
    listing = "````markdown\n" + DONATION.replace("don-en-ligne", "exemple") + "````\n\n"
    html, extension = convert("Pour montrer la syntaxe :\n\n" + listing + DONATION)
    assert [poll.id for poll in extension.polls] == ["don-en-ligne"]
    code = lxml.html.fragment_fromstring(html, create_parent="div").xpath("string(//pre/code)")
    assert code.startswith("```poll\nid: exemple\n") and code.rstrip().endswith("```")
    assert [block.line for block in find_poll_blocks("Texte.\n\n" + listing + DONATION)] == [13]


def test_a_fence_never_closed_is_no_listing_and_hides_no_poll() -> None:
    _, extension = convert("~~~python\nprint(1)\n\n" + DONATION)
    assert [poll.id for poll in extension.polls] == ["don-en-ligne"]


def test_element_ids_are_unique_even_with_keys_that_look_like_the_forms_own_names() -> None:
    # Poll "velo" with keys "aide" and "oui-non" beside poll "velo-oui" with key "non".
    html, _ = convert("```poll\nid: velo\nquestion: Q ?\nmultiple: true\noptions:\n  - aide: A\n"
                      "  - oui-non: B\n```\n\n```poll\nid: velo-oui\nquestion: R ?\noptions:\n"
                      "  - non: C\n  - oui: D\n```\n")
    page = lxml.html.fragment_fromstring(html, create_parent="div")
    ids = page.xpath("//@id")
    assert len(ids) == len(set(ids)) == 7  # 2 forms, 1 hint, 4 inputs
    for label in page.xpath("//label"):
        assert page.xpath(f"//*[@id='{label.get('for')}']")[0].tag == "input"


def test_the_extension_remembers_the_polls_of_the_document_in_order() -> None:
    _, extension = convert(DONATION + "\n```poll\nid: autre-sondage\n```\n")
    definition, reference = extension.polls
    assert isinstance(definition, Poll) and definition.id == "don-en-ligne"
    assert isinstance(reference, PollReference) and reference.id == "autre-sondage"


def test_a_block_leaves_a_placeholder_and_renders_nothing_itself() -> None:
    html = markdown.markdown(DONATION + "\n```poll\nid: ailleurs\n```\n", extensions=[PollExtension()])
    assert html == f"{placeholder('don-en-ligne')}\n{placeholder('ailleurs')}"


def test_reset_forgets_the_previous_document() -> None:
    md = markdown.Markdown(extensions=[PollExtension()])
    md.convert(DONATION)
    extension = next(e for e in md.registeredExtensions if isinstance(e, PollExtension))
    md.reset()
    assert extension.polls == []


def test_the_extension_loads_by_name() -> None:
    html = markdown.markdown(DONATION, extensions=["markdown.extensions.extra", "polls.extension"])
    assert html == placeholder("don-en-ligne")


def test_without_a_file_an_error_counts_lines_from_the_text() -> None:
    with pytest.raises(PollSyntaxError) as error:
        convert("Texte\n\n```poll\nid: x\nquestion: Q ?\noptions:\n  - Seule\n```\n", source="x.md")
    assert str(error.value).startswith("x.md:6 : Un sondage a besoin d'au moins deux réponses")


def test_with_the_file_blocks_an_error_points_at_the_file_line_despite_the_header() -> None:
    source = "Title: Essai\nDate: 2026-01-01\n\nTexte\n\n```poll\nid: x\nquestion: Q ?\noptions:\n  - Seule\n```\n"
    with pytest.raises(PollSyntaxError) as error:
        convert(source, source="content/essai.md", file_blocks=find_poll_blocks(source))
    assert str(error.value).startswith("content/essai.md:9 : Un sondage a besoin")


# Characters str.splitlines() breaks at, but Python-Markdown does not.
ODD_BREAKS = "Avant\u2028la suite\u0085encore\x0cet\x1cla fin du paragraphe.\n\n"


def test_text_before_a_poll_with_unicode_line_separators_is_kept_whole() -> None:
    html, extension = convert(ODD_BREAKS + DONATION + "\nAprès le sondage.\n")
    assert "la fin du paragraphe." in html and "Après le sondage." in html
    assert html.count('<form class="poll"') == 1 and "```" not in html
    assert [poll.id for poll in extension.polls] == ["don-en-ligne"]


def test_a_poll_error_after_unicode_line_separators_points_at_the_files_line() -> None:
    text = ODD_BREAKS + DONATION.replace("question: Utilisez-vous le don en ligne ?\n", "")
    with pytest.raises(PollSyntaxError) as caught:
        convert(text, source="content/x.md", file_blocks=find_poll_blocks(text))
    # Line 3 is the fence, 4 the id: what an editor counting "\n" shows.
    assert (caught.value.source, caught.value.line) == ("content/x.md", 4)
