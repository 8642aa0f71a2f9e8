"""Incremental rebuilds for the dev server: an edited text redoes only what the edit touches.

A complete build (``Pelican.run()`` with the fast writer) is kept in memory: its generators,
their shared context, and every ``write_file`` call of its writer. When only texts already
in the site changed, ``Rebuilder.update`` reads those files again (Pelican's ``read_file``,
with its signals) and, when what Pelican derives the site's structure from is unchanged
(status, date, address, category, tags, authors, language, template, static links, order),
puts each new text in place of the old one wherever the build holds it. Then only the
``write_file`` calls that can show the edit are made again, through the fast writer (which
still keeps every page whose fingerprint did not change):

- the page of the text itself;
- when what lists show of it changed (title, summary, metadata), every call whose variables
  hold it, and every template reading a shared list that holds it;
- the pages of texts that plugins changed while finishing the site (``all_generators_finalized``:
  a poll shown in another article), and of texts whose ``fast_build.text_inputs`` changed;
- templates whose pages cannot be fingerprinted.

Feeds, polls.json and the records follow through Pelican's own signals, sent again
(``all_generators_finalized``, ``article_writer_finalized``, ``page_writer_finalized``,
``finalized``). Anything else (a new, deleted or restructured text, a template, a setting, a
static file) falls back to a complete build. The result is byte for byte that of a complete
build (tests/tools/test_fast_rebuild.py compares every file after each kind of edit).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from blinker import signal
from pelican import signals
from pelican.contents import Article, Content, Page

from . import pelican_internals
from .keys import LAST
from .texts import TEXT_INPUTS_SIGNAL
from .writer import FastWriter

log = logging.getLogger(__name__)

# Lists of texts the article and page generators keep (Pelican's attribute names).
TEXT_LISTS = ("articles", "translations", "hidden_articles", "hidden_translations", "drafts",
              "drafts_translations", "pages", "hidden_pages", "draft_pages", "draft_translations")


class Fallback(Exception):
    """The change cannot be applied in place: a complete build is needed."""


@dataclass
class Built:
    """A complete build kept in memory, updated in place by incremental rebuilds."""

    generators: list[Any]
    context: dict[str, Any]
    calls: list[tuple[tuple[Any, ...], dict[str, Any]]]
    own_calls: dict[int, list[int]] = field(default_factory=dict)  # id(text) -> its page's calls
    places: dict[int, list[tuple[Any, Any]]] | None = None  # id(text) -> (list or dict, index or key)
    inputs: dict[int, tuple[Any, list[Any]]] = field(default_factory=dict)  # id(text) -> (text, hook answers)


# The complete build under way for a Rebuilder (only then are generators kept), and its result.
_WANTED = False
_GENERATORS: list[Any] | None = None
_COMPLETED: Built | None = None


def keep_generators(generators: list[Any]) -> None:
    """At ``all_generators_finalized``: note the generators of a complete build a Rebuilder runs."""
    global _GENERATORS
    if _WANTED:
        _GENERATORS = generators


def keep_build(pelican: Any) -> None:
    """At ``finalized``: keep the complete build a Rebuilder runs, with its writer's calls."""
    global _COMPLETED, _GENERATORS
    writer = FastWriter.last
    if _WANTED and _GENERATORS is not None and writer is not None:
        _COMPLETED = Built(_GENERATORS, _GENERATORS[0].context, writer.calls)
    _GENERATORS = None


def texts_of(generators: Iterable[Any]) -> list[Any]:
    """Return every text the generators hold, each once."""
    seen: dict[int, Any] = {}
    for generator in generators:
        for name in TEXT_LISTS:
            for text in getattr(generator, name, None) or ():
                seen.setdefault(id(text), text)
    return list(seen.values())


def snapshot(text: Any) -> tuple[Any, ...]:
    """What a plugin could change in a text: its HTML and its metadata (values by identity)."""
    metadata = getattr(text, "metadata", {})
    return (id(pelican_internals.raw_html(text)), tuple(metadata), tuple(map(id, metadata.values())))


def hook_answers(text: Any) -> list[Any]:
    """Return what plugins add to a text's page (``fast_build.text_inputs``)."""
    return [answer for _, answer in signal(TEXT_INPUTS_SIGNAL).send(text) if answer is not None]


def structure(text: Any, settings: dict[str, Any]) -> tuple[Any, ...]:
    """Return what Pelican derives the site's structure from, for one text."""
    order_by = settings["ARTICLE_ORDER_BY"] if isinstance(text, Article) else settings["PAGE_ORDER_BY"]
    if callable(order_by):
        raise Fallback("texts are ordered by a function")
    translation_id = settings["ARTICLE_TRANSLATION_ID" if isinstance(text, Article) else "PAGE_TRANSLATION_ID"]
    ids = (translation_id,) if isinstance(translation_id, str) else tuple(translation_id or ())
    order = str(order_by or "").replace("reversed-", "", 1)

    def names(values: Any) -> tuple[tuple[str, str], ...]:
        return tuple((str(value), value.slug) for value in values or ())

    return (type(text), text.status, text.get_relative_source_path(), text.url, text.save_as,
            getattr(text, "date", None), names([getattr(text, "category", None)] if hasattr(text, "category") else []),
            names(getattr(text, "tags", None)), names(getattr(text, "authors", None)),
            getattr(text, "lang", None), text.in_default_lang, text.template,
            tuple(getattr(text, name, None) for name in ids), getattr(text, order, None) if order else None,
            tuple(sorted(text.get_static_links())), bool(text.translations))


class Rebuilder:
    """Builds of one Pelican instance: complete first, then incremental when a change allows."""

    def __init__(self, pelican: Any):
        self.pelican = pelican
        self.settings = pelican.settings
        self.built: Built | None = None
        self.last_kind = ""  # "complete" or "incremental", for reports and tests

    def complete(self) -> None:
        """Build everything (Pelican.run() with the fast writer) and keep the build."""
        global _COMPLETED, _WANTED
        self.built = None
        _COMPLETED, _WANTED = None, True
        try:
            self.pelican.run()
        finally:
            _WANTED = False
        self.built, _COMPLETED = _COMPLETED, None
        if self.built is not None:
            self._index()
        self.last_kind = "complete"

    def can_update(self, changed: Iterable[str] | None) -> bool:
        """Tell whether ``changed`` (absolute paths) are all texts already in the last build."""
        if self.built is None or changed is None:
            return False
        paths = [path for path in changed if not self._transient(path)]
        return bool(paths) and all(self._known(path) is not None for path in paths)

    def build(self, changed: Iterable[str] | None = None) -> str:
        """Rebuild after ``changed`` (None: unknown); return "complete" or "incremental"."""
        paths = None if changed is None else sorted(set(changed))
        if self.can_update(paths):
            try:
                self._update([path for path in paths if not self._transient(path)])  # type: ignore[union-attr]
                self.last_kind = "incremental"
                return self.last_kind
            except Fallback as reason:
                log.info("fast_build: complete build (%s)", reason)
            except BaseException:
                self.built = None  # half updated: the next build is a complete one
                raise
        self.complete()
        return self.last_kind

    # The kept build.

    def _index(self) -> None:
        built = self.built
        assert built is not None
        built.own_calls.clear()
        for number, (_, kwargs) in enumerate(built.calls):
            for value in kwargs.values():
                if isinstance(value, Content):
                    built.own_calls.setdefault(id(value), []).append(number)
        built.places = _places(self._roots())
        texts = texts_of(built.generators)
        built.inputs = {}
        for text in texts:
            answers = hook_answers(text)
            if answers:
                built.inputs[id(text)] = (text, answers)

    def _transient(self, path: str) -> bool:
        """Tell whether a changed path is gone and was never part of the site (an editor's file)."""
        assert self.built is not None
        if os.path.exists(path):
            return False
        content = os.path.abspath(self.settings["PATH"])
        relative = os.path.relpath(os.path.abspath(path), content).replace(os.sep, "/")
        return not any(relative in self.built.context.get(key, {}) for key in ("generated_content", "static_content"))

    def _known(self, path: str) -> Any:
        """Return the text of the last build read from ``path`` (None if there is none)."""
        assert self.built is not None
        content = os.path.abspath(self.settings["PATH"])
        path = os.path.abspath(path)
        if os.path.commonpath([content, path]) != content or not os.path.isfile(path):
            return None
        relative = os.path.relpath(path, content).replace(os.sep, "/")
        text = self.built.context.get("generated_content", {}).get(relative)
        return text if isinstance(text, (Article, Page)) else None

    # One incremental rebuild.

    def _update(self, paths: list[str]) -> None:
        built = self.built
        assert built is not None
        settings = self.settings
        swapped: dict[int, tuple[Any, Any]] = {}
        for path in paths:
            old = self._known(path)
            generator = self._generator_of(old)
            try:
                new = pelican_internals.read_text(generator, old)
            except Exception as problem:  # noqa: BLE001 - Pelican reports it in a complete build
                raise Fallback(f"{path} cannot be read ({problem})") from problem
            if new is None or not new.is_valid():
                raise Fallback(f"{path} is no longer a valid text")
            if structure(new, settings) != structure(old, settings):
                raise Fallback(f"{path}: the structure of the site changes")
            swapped[id(old)] = (old, new)
        self._swap(swapped)
        texts = texts_of(built.generators)
        before = {id(text): snapshot(text) for text in texts}
        signals.all_generators_finalized.send(built.generators)
        for _, new in swapped.values():
            if hasattr(new, "refresh_metadata_intersite_links"):
                new.refresh_metadata_intersite_links()
        # What lists show of each new text, once plugins finished it, against its old self.
        listing_changed = {id(new) for old, new in swapped.values() if _listing(old) != _listing(new)}
        touched = {id(new) for _, new in swapped.values()}
        for text in texts:
            if id(text) in touched:
                continue
            now = snapshot(text)
            if now != before[id(text)]:  # a plugin changed it while finishing the site
                touched.add(id(text))
                if now[1:] != before[id(text)][1:]:
                    listing_changed.add(id(text))
        for key, (text, answers) in list(built.inputs.items()):
            now_answers = hook_answers(text)
            if now_answers != answers:
                touched.add(key)
                built.inputs[key] = (text, now_answers)
        for _, new in swapped.values():
            answers = hook_answers(new)
            if answers:
                built.inputs[id(new)] = (new, answers)
        self._write(touched, listing_changed)

    def _roots(self) -> list[Any]:
        """Return where the build holds texts: generators' lists, the shared context, the calls."""
        built = self.built
        assert built is not None
        roots: list[Any] = [value for generator in built.generators for name, value in vars(generator).items()
                            if not name.startswith("_") and name not in ("settings", "env", "readers", "context")]
        return [*roots, built.context, *(kwargs for _, kwargs in built.calls)]

    def _generator_of(self, text: Any) -> Any:
        assert self.built is not None
        for generator in self.built.generators:
            if any(item is text for name in TEXT_LISTS for item in getattr(generator, name, None) or ()):
                return generator
        raise Fallback(f"{text} belongs to no generator")

    def _swap(self, swapped: dict[int, tuple[Any, Any]]) -> None:
        """Put each new text where the old one was, in the build and in the calls kept."""
        built = self.built
        assert built is not None
        if built.places is None:  # texts held in tuples: look everywhere
            replacements = {key: new for key, (_, new) in swapped.items()}
            seen: set[int] = set()
            for root in self._roots():
                _replace_in(root, replacements, seen)
        else:
            for key, (old, new) in swapped.items():
                for holder, where in built.places.get(key, ()):
                    if holder[where] is old:
                        holder[where] = new
                built.places[id(new)] = built.places.pop(key, [])
        for key, (_, new) in swapped.items():
            built.own_calls[id(new)] = built.own_calls.pop(key, [])
            built.inputs.pop(key, None)

    def _write(self, touched: set[int], listing_changed: set[int]) -> None:
        """Make again the write_file calls that can show the touched texts; finish the build."""
        built = self.built
        assert built is not None
        writer = FastWriter(self.pelican.output_path, settings=self.settings, carry_over=True)
        wanted = {number for key in touched for number in built.own_calls.get(key, ())}
        shared = {name for name, value in built.context.items() if _holds(value, listing_changed)}
        for number, (args, kwargs) in enumerate(built.calls):
            if number in wanted:
                continue
            template = args[1]
            plan = writer.keys.plan(template)
            if plan.untrusted:
                wanted.add(number)
            elif listing_changed and (any(_holds(value, listing_changed) for value in kwargs.values())
                                      or shared.intersection(plan.names)):
                wanted.add(number)
        for number in sorted(wanted):
            args, kwargs = built.calls[number]
            writer.write_file(*args, **kwargs)
        articles = next((g for g in built.generators if hasattr(g, "articles")), None)
        pages = next((g for g in built.generators if hasattr(g, "pages")), None)
        if articles is not None:
            signals.article_writer_finalized.send(articles, writer=writer)
        if pages is not None:
            signals.page_writer_finalized.send(pages, writer=writer)
        signals.finalized.send(self.pelican)
        log.debug("fast_build: incremental rebuild, %d calls made again, %d pages rendered",
                  len(wanted), LAST.rendered)


def _listing(text: Any) -> tuple[Any, ...]:
    """What lists can show of a text: its metadata (and summary, when cut from the text)."""
    metadata = getattr(text, "metadata", {})
    return (tuple(sorted((key, repr(value)) for key, value in metadata.items())),
            None if "summary" in metadata else text.summary)


def _holds(value: Any, ids: set[int], depth: int = 0) -> bool:
    """Tell whether a value is, or holds in its lists, tuples and dicts, a text of ``ids``."""
    if not ids:
        return False
    if id(value) in ids:
        return True
    if depth > 4:
        return False
    if isinstance(value, (list, tuple)):
        return any(_holds(item, ids, depth + 1) for item in value)
    if isinstance(value, dict):
        return any(_holds(item, ids, depth + 1) for item in value.values())
    return False


def _places(roots: list[Any]) -> dict[int, list[tuple[Any, Any]]] | None:
    """Find where texts are held: (list or dict, index or key) by text; None if in a tuple."""
    places: dict[int, list[tuple[Any, Any]]] = {}
    seen: set[int] = set()
    todo = [root for root in roots if isinstance(root, (list, tuple, dict))]
    while todo:
        value = todo.pop()
        if id(value) in seen:
            continue
        seen.add(id(value))
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for where, item in items:
            if isinstance(item, Content):
                if isinstance(value, tuple):
                    return None
                places.setdefault(id(item), []).append((value, where))
            elif isinstance(item, (list, tuple, dict)):
                todo.append(item)
    return places


def _replace_in(value: Any, replacements: dict[int, Any], seen: set[int]) -> Any:
    """Replace, in lists, tuples and dicts reachable from ``value``, each old text by its new one."""
    if id(value) in replacements:
        return replacements[id(value)]
    if not isinstance(value, (list, tuple, dict)) or id(value) in seen:
        return value
    seen.add(id(value))
    if isinstance(value, list):
        for index, item in enumerate(value):
            new = _replace_in(item, replacements, seen)
            if new is not item:
                value[index] = new
        return value
    if isinstance(value, dict):
        for key, item in value.items():
            new = _replace_in(item, replacements, seen)
            if new is not item:
                value[key] = new
        return value
    items = [_replace_in(item, replacements, seen) for item in value]
    if any(new is not old for new, old in zip(items, value)):
        return type(value)(items) if type(value) is tuple else type(value)(*items)
    return value
