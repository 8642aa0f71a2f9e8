"""What the plugin does once per build: check polls across the site, finish pages, write the manifest.

Per-file work happens in the reader; this module sees every article and page together, so it
enforces one definition per id, resolves reference blocks, gives each page holding a poll its
``feed_content`` (the poll as static HTML) and writes output/polls.json. Its state lives for
one build and is reset at the start of each run (``get_generators``): tests and ``make devserver``
build many times in one process.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable

from pelican.utils import truncate_html_paragraphs, truncate_html_words

from poll_spec import Poll, PollReference, PollSyntaxError, check_reference, check_unique
from poll_spec.manifest import MANIFEST_NAME, write_manifest as write_manifest_file

from .render import PollRenderer

log = logging.getLogger(__name__)

MANIFEST = MANIFEST_NAME
# Every list of content objects the article and page generators keep, drafts included: each of
# them is written to a page, so each of their polls can receive votes.
CONTENT_LISTS = ("articles", "translations", "hidden_articles", "hidden_translations", "drafts",
                 "drafts_translations", "pages", "hidden_pages", "draft_pages", "draft_translations")
# A form made by the "form" macro of _poll.html. Forms cannot nest, and poll texts are escaped,
# so the first "</form>" after the opening tag closes it.
FORM_RE = re.compile(r'<form class="poll"[^>]*? data-poll-id="(?P<id>[a-z0-9-]+)".*?</form>', re.S)


class PollBuildError(Exception):
    """Raised at the end of reading when some poll was wrong, so the build fails."""


@dataclass
class BuildState:
    """What one build learnt about polls."""

    errors: list[PollSyntaxError] = field(default_factory=list)
    manifest: list[Poll] | None = None


STATE = BuildState()


def reset(*_: Any) -> None:
    """Forget the previous build."""
    STATE.errors = []
    STATE.manifest = None


def report(error: PollSyntaxError) -> None:
    """Record a writer's mistake and log it as "polls: file:line : message"."""
    STATE.errors.append(error)
    # Under `pelican --fatal errors` this line raises, which stops the build right here.
    log.error("polls: %s", error)


def contents_of(generators: Iterable[Any]) -> list[Any]:
    """Return every article and page the generators read, each once."""
    seen: dict[int, Any] = {}
    for generator in generators:
        for name in CONTENT_LISTS:
            for content in getattr(generator, name, None) or []:
                seen.setdefault(id(content), content)
    return list(seen.values())


def page_url(content: Any, settings: dict[str, Any]) -> str:
    """Return the address of a built article or page."""
    return f"{(settings.get('SITEURL') or '').rstrip('/')}/{content.url}"


def collect(contents: list[Any], settings: dict[str, Any]) -> dict[str, Poll]:
    """Index the site's poll definitions by id, reporting duplicates and unknown references."""
    polls: dict[str, Poll] = {}
    for content in contents:
        for poll in content.polls:
            if not isinstance(poll, Poll):
                continue
            try:
                check_unique([polls[poll.id], poll] if poll.id in polls else [poll])
            except PollSyntaxError as error:
                report(error)
                continue
            polls[poll.id] = replace(poll, url=page_url(content, settings))
    for content in contents:
        for reference in content.polls:
            if isinstance(reference, PollReference):
                try:
                    check_reference(reference, polls)
                except PollSyntaxError as error:
                    report(error)
    return polls


def finish_content(content: Any, polls: dict[str, Poll], renderer: PollRenderer,
                   settings: dict[str, Any]) -> None:
    """Show referenced polls in the page, and give it a ``feed_content`` with static polls."""
    from .extension import reference_marker  # noqa: PLC0415 (extension imports render, like us)

    html = content._content
    for reference in content.polls:
        if isinstance(reference, PollReference):
            html = html.replace(reference_marker(reference.id), renderer.form(polls[reference.id]))
    content._content = html
    if "summary" not in content.metadata:
        content.metadata["summary"] = listing_summary(content, html, settings)
    url = page_url(content, settings)
    static = FORM_RE.sub(lambda match: renderer.static(polls[match["id"]], url), html)
    # Same link rewriting ({filename}, {static}) as content.content, without memoizing it early.
    content.feed_content = content._update_content(static, content.get_siteurl())


def listing_summary(content: Any, html: str, settings: dict[str, Any]) -> str:
    """Return the summary Pelican would cut from the page, cut from the page without its polls.

    Listings show an article's summary; cut from the full page it could hold half a form,
    without its script and styles. An explicit Summary header is left alone.
    """
    text = content._update_content(FORM_RE.sub("", html), content.get_siteurl())
    if settings.get("SUMMARY_MAX_PARAGRAPHS") is not None:
        text = truncate_html_paragraphs(text, settings["SUMMARY_MAX_PARAGRAPHS"])
    if settings.get("SUMMARY_MAX_LENGTH") is None:
        return text
    return truncate_html_words(text, settings["SUMMARY_MAX_LENGTH"], settings.get("SUMMARY_END_SUFFIX", "…"))


def finish(generators: list[Any]) -> None:
    """Check the site's polls, finish the pages holding them and prepare the manifest."""
    contents = [content for content in contents_of(generators) if getattr(content, "polls", None)]
    settings = generators[0].settings
    polls = collect(contents, settings)
    if STATE.errors:
        raise PollBuildError(
            f"{len(STATE.errors)} erreur(s) dans les sondages : voir les messages ci-dessus."
        )
    env = next((generator.env for generator in generators if hasattr(generator, "env")), None)
    renderer = PollRenderer(env, settings)
    for content in contents:
        finish_content(content, polls, renderer, settings)
    STATE.manifest = list(polls.values())
    log.debug("polls: %d polls in %d pages", len(polls), len(contents))


def write_manifest(pelican: Any) -> None:
    """Write output/polls.json, then forget this build."""
    if STATE.manifest is not None:
        path = Path(pelican.output_path) / MANIFEST
        write_manifest_file(path, STATE.manifest)
        log.info("polls: %d polls written to %s", len(STATE.manifest), path)
    reset()
