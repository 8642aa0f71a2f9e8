"""What the plugin does once per build: check polls across the site, render them, write the manifest.

Per-file work happens in the reader, which leaves a placeholder and the poll's data. This
module sees every article and page together (``all_generators_finalized``): it enforces one
definition per id, resolves reference blocks and gives each text holding a poll its
``feed_content`` (the text with each poll's static version). Each page is finished once
written (``content_written``): its placeholders become the poll's form. output/polls.json is
written at ``finalized``. Forms and static versions come from one renderer (render.py) made
with the build's Jinja2 environment (``generator_init``).

Its state lives for one build and is reset at the start of each run (``get_generators``):
tests and ``make devserver`` build many times in one process. Finishing the site again on the
same texts gives the same result (the dev server's incremental rebuilds do so).
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable

from poll_spec import Poll, PollReference, PollSyntaxError, check_reference, check_unique
from poll_spec import frame
from poll_spec.manifest import MANIFEST_NAME, write_manifest as write_manifest_file

from .render import PollRenderer, replace_placeholders

log = logging.getLogger(__name__)

MANIFEST = MANIFEST_NAME
# Every list of content objects the article and page generators keep, drafts included: each of
# them is written to a page, so each of their polls can receive votes.
CONTENT_LISTS = ("articles", "translations", "hidden_articles", "hidden_translations", "drafts",
                 "drafts_translations", "pages", "hidden_pages", "draft_pages", "draft_translations")


class PollBuildError(Exception):
    """Raised at the end of reading when some poll was wrong, so the build fails."""


@dataclass
class BuildState:
    """What one build learnt about polls."""

    errors: list[PollSyntaxError] = field(default_factory=list)  # met while reading
    polls: dict[str, Poll] = field(default_factory=dict)  # the site's polls by id, with their page
    manifest: list[Poll] | None = None
    renderer: PollRenderer | None = None
    # The build's one "now": whether each poll is open, closed or not yet open in the pages and
    # feeds. Taken once per build (also per incremental rebuild), in ``finish``.
    now: datetime | None = None


STATE = BuildState()


def reset(*_: Any) -> None:
    """Forget the previous build."""
    STATE.errors = []
    STATE.polls = {}
    STATE.manifest = None
    STATE.renderer = None
    STATE.now = None


def make_renderer(generator: Any) -> None:
    """At ``generator_init``: render with the build's Jinja2 environment (its catalog, filters).

    Every generator's environment also gets the page frame's slots (``poll_frame_slots``).
    """
    if getattr(generator, "env", None) is None:
        return
    # The theme's poll_frame.html marks where the service puts a results page's title and
    # content with these (poll_spec.frame: the one contract between build and service).
    generator.env.globals["poll_frame_slots"] = frame.SLOTS
    if STATE.renderer is None:
        STATE.renderer = PollRenderer(generator.env, generator.settings)


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


def collect(contents: list[Any], settings: dict[str, Any], errors: list[PollSyntaxError]) -> dict[str, Poll]:
    """Index the site's poll definitions by id; duplicates and unknown references go to ``errors``."""
    polls: dict[str, Poll] = {}
    for content in contents:
        for poll in content.polls:
            if not isinstance(poll, Poll):
                continue
            try:
                check_unique([polls[poll.id], poll] if poll.id in polls else [poll])
            except PollSyntaxError as error:
                errors.append(error)
                continue
            polls[poll.id] = replace(poll, url=page_url(content, settings))
    for content in contents:
        for reference in content.polls:
            if isinstance(reference, PollReference):
                try:
                    check_reference(reference, polls)
                except PollSyntaxError as error:
                    errors.append(error)
    return polls


def shown(content: Any) -> list[Poll]:
    """Return the polls a text shows, in order (a reference as the poll it names)."""
    return [STATE.polls[item.id] for item in getattr(content, "polls", None) or () if item.id in STATE.polls]


def with_polls(html: str, content: Any, render: Any) -> str:
    """Replace each placeholder of a text's ``html`` by ``render(poll)``."""
    return replace_placeholders(html, {poll.id: poll for poll in shown(content)}, render)


def finish(generators: list[Any]) -> None:
    """Check the site's polls, give texts holding one their ``feed_content``, prepare the manifest."""
    contents = [content for content in contents_of(generators) if getattr(content, "polls", None)]
    settings = generators[0].settings
    errors = list(STATE.errors)
    polls = collect(contents, settings, errors)
    for error in errors[len(STATE.errors):]:
        log.error("polls: %s", error)
    if errors:
        raise PollBuildError(f"{len(errors)} erreur(s) dans les sondages : voir les messages ci-dessus.")
    STATE.polls = polls
    STATE.now = build_now(settings)
    if STATE.renderer is None:
        env = next((generator.env for generator in generators if hasattr(generator, "env")), None)
        STATE.renderer = PollRenderer(env, settings)
    renderer = STATE.renderer
    for content in contents:
        url = page_url(content, settings)
        # The text as its page shows it (links replaced), with each poll's static version.
        content.feed_content = with_polls(content.content, content,
                                          lambda poll, url=url: renderer.static(poll, url, STATE.now))
    STATE.manifest = list(polls.values())
    log.debug("polls: %d polls in %d pages", len(polls), len(contents))


def show_forms(path: str, context: dict[str, Any] | None = None) -> None:
    """At ``content_written``: put each poll's form in place of its placeholder in a text's page."""
    context = context or {}
    content = context.get("article") or context.get("page")
    if not getattr(content, "polls", None) or STATE.renderer is None:
        return
    page = Path(path)
    html = page.read_text(encoding="utf-8")
    renderer = STATE.renderer
    done = with_polls(html, content, lambda poll: renderer.form(poll, STATE.now))
    if done != html:
        page.write_text(done, encoding="utf-8")


def fast_build_inputs(content: Any) -> Any:
    """Answer fast_build's ``text_inputs``: a text's page also shows the polls it names, rendered."""
    if not getattr(content, "polls", None) or STATE.renderer is None:
        return None
    # A poll that closed (or opened) since the last build changes the page: its state counts.
    now = STATE.now
    return (STATE.renderer.fingerprint, [(poll, poll.status_at(now) if now else "open") for poll in shown(content)])


def utc_now() -> datetime:
    """Return the current time, timezone-aware (tests replace it to move time between builds)."""
    return datetime.now(timezone.utc)


def build_now(settings: dict[str, Any]) -> datetime:
    """Return the build's time: POLL_BUILD_NOW when set (an aware datetime or ISO text), else now."""
    value = settings.get("POLL_BUILD_NOW")
    if not value:
        return utc_now()
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        raise PollBuildError(f"POLL_BUILD_NOW « {value} » : précisez le fuseau horaire (par exemple +01:00).")
    return moment


def write_manifest(pelican: Any) -> None:
    """Write output/polls.json (pages may still be rendered after: the state is kept)."""
    if STATE.manifest is not None:
        path = Path(pelican.output_path) / MANIFEST
        write_manifest_file(path, STATE.manifest)
        log.info("polls: %d polls written to %s", len(STATE.manifest), path)
