"""plugins/fast_build/pelican_internals.py: what fast builds know of Pelican's code still holds.

The module mirrors a few pieces of Pelican 4.12.0. A digest of their source guards against a
new Pelican; these tests also compare each mirrored piece with Pelican's own behaviour.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from pelican.settings import read_settings
from pelican.writers import FileOverwriteFailedError, Writer

from fast_build import pelican_internals
from feeds import PELICAN_FEEDS
from fast_build.pelican_internals import MISSING, check_overwrite, local_value, paginated_pages


def test_the_pelican_code_fast_builds_rely_on_is_that_of_pelican_4_12_0() -> None:
    relied_on = ", ".join(function.__qualname__ for function in pelican_internals.RELIED_ON)
    assert pelican_internals.source_digest() == pelican_internals.PINNED, (
        f"Pelican's code changed in {relied_on}: read plugins/fast_build/pelican_internals.py "
        "again against it, then update PINNED")


def test_the_digest_changes_when_any_relied_on_function_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    def another_write_file(self: Any, name: str) -> None:
        """Stand-in for a Pelican release whose write_file is different."""

    monkeypatch.setattr(pelican_internals, "RELIED_ON", (another_write_file, *pelican_internals.RELIED_ON[1:]))
    assert pelican_internals.source_digest() != pelican_internals.PINNED


class Recorder:
    """A template that records the context Pelican renders it with, and renders nothing."""

    name = "recorder.html"

    def __init__(self) -> None:
        self.contexts: list[dict[str, Any]] = []

    def render(self, context: dict[str, Any]) -> str:
        self.contexts.append(context)
        return ""


def settings(tmp_path: Path) -> dict[str, Any]:
    return read_settings(override={"OUTPUT_PATH": str(tmp_path), "PATH": str(tmp_path), "DEFAULT_PAGINATION": 4,
                                   "PAGINATED_TEMPLATES": {"index": None, "tag": 3},
                                   "TIMEZONE": "UTC", **dict.fromkeys(PELICAN_FEEDS)})


@pytest.mark.parametrize("relative_urls", [False, True])
@pytest.mark.parametrize(("template_name", "pages"), [("index", 3), ("tag", 4), ("archives", 1)])
def test_each_page_gets_the_context_pelicans_own_write_file_gives_it(
        tmp_path: Path, relative_urls: bool, template_name: str, pages: int) -> None:
    articles = [SimpleNamespace(title=f"Article {n}") for n in range(10)]
    config = settings(tmp_path)
    context = {**config, "localsiteurl": "", "SITEURL": "", "shared": object()}
    kwargs = {"articles": articles, "dates": list(reversed(articles)), "blog": True}
    recorder = Recorder()
    Writer(str(tmp_path), config).write_file("liste/index.html", recorder, dict(context), relative_urls,
                                             template_name=template_name, url="liste/", **kwargs)

    ours = paginated_pages(config, "liste/index.html", "liste/", None, template_name, kwargs)
    ours = [("liste/index.html", kwargs)] if ours is None else list(ours)
    assert len(recorder.contexts) == len(ours) == pages
    for (save_as, page_kwargs), pelicans in zip(ours, recorder.contexts):
        assert pelicans["output_file"] == save_as
        for variable, expected in pelicans.items():
            seen = local_value(context, page_kwargs, save_as, relative_urls, variable)
            if variable.endswith(("_page", "_previous_page", "_next_page")) and expected is not None:
                assert (seen.number, seen.object_list) == (expected.number, expected.object_list), variable
            elif variable.endswith("_paginator"):
                assert (seen.num_pages, seen.object_list) == (expected.num_pages, expected.object_list)
            elif isinstance(expected, str):
                assert seen == expected, variable
            else:
                assert seen is expected, variable
        assert local_value(context, page_kwargs, save_as, relative_urls, "not_there") is MISSING


def pelicans_rule(path: str, steps: list[bool]) -> list[str]:
    """Write one file once per step (True: override) with Pelican's writer; say what happened."""
    writer, outcomes = Writer(os.path.dirname(path), {}), []
    for override in steps:
        try:
            with writer._open_w(path, "utf-8", override) as handle:
                outcomes.append("skipped" if handle.name == os.devnull else "written")
        except FileOverwriteFailedError:
            outcomes.append("refused")
    return outcomes


def our_rule(path: str, steps: list[bool]) -> list[str]:
    """The same steps through check_overwrite, as the fast writer applies it to kept pages."""
    written: set[str] = set()
    overridden: set[str] = set()
    outcomes = []
    for override in steps:
        try:
            outcomes.append("written" if check_overwrite(path, override, written, overridden) else "skipped")
        except FileOverwriteFailedError:
            outcomes.append("refused")
    return outcomes


@pytest.mark.parametrize("steps", [[False], [False, False], [False, True], [True, False], [True, True],
                                   [False, True, False], [True, False, True]])
def test_writing_a_file_twice_follows_pelicans_rule(tmp_path: Path, steps: list[bool]) -> None:
    path = str(tmp_path / "page.html")
    assert our_rule(path, steps) == pelicans_rule(path, steps)


def test_addresses_are_worked_out_once_while_pages_are_rendered_and_afresh_after() -> None:
    from pelican.contents import Article, Content, Static
    from pelican.urlwrappers import Category

    settings = read_settings(None, override={"ARTICLE_URL": "{category}/{slug}/", "ARTICLE_SAVE_AS": "{category}/{slug}/index.html"})
    category = Category("Vie associative", settings)
    article = Article("<p>x</p>", metadata={"title": "Un", "slug": "un", "category": category}, settings=settings)
    others = [Article("<p>y</p>", metadata={"title": str(n), "slug": f"a-{n}", "category": category}, settings=settings)
              for n in range(3)]
    originals = {name: (Content.__dict__[name], Category.__dict__.get(name)) for name in ("url", "save_as")}
    with pelican_internals.remembered_addresses():
        assert (article.url, article.save_as) == ("vie-associative/un/", "vie-associative/un/index.html")
        assert [other.url for other in others] == ["vie-associative/a-0/", "vie-associative/a-1/", "vie-associative/a-2/"]
        assert category.url == "category/vie-associative.html"
        article.slug = "deux"  # never done while pages are rendered: shows the value is remembered
        assert article.url == "vie-associative/un/"
        assert "url" in Static.__dict__  # its own property (an {attach} link moves the file): untouched
    assert article.url == "vie-associative/deux/"
    assert {name: (Content.__dict__[name], Category.__dict__.get(name)) for name in ("url", "save_as")} == originals
