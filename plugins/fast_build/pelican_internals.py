"""Everything fast builds know of Pelican beyond its public interface, in one place.

Fast builds wrap Pelican's writer (``super().write_file`` renders and writes every page) and
read texts through Pelican's readers; but to decide *whether* a page must be rendered, they
need to know what Pelican would give its template, and to fingerprint a text cheaply, its
HTML before link replacement. Those pieces follow Pelican 4.12.0's code:

- how ``Writer.write_file`` splits a paginated list into pages and builds each page's
  template context (``local_value``, ``paginated_pages``);
- when ``Writer._open_w`` refuses to write a file twice (``check_overwrite``);
- a text's HTML before link replacement (``Content._content``) and how
  ``Content._link_replacer`` resolves a ``{filename}`` link's path (``link_paths``);
- how ``Readers.read_file`` filters what a reader returns before caching it
  (``_filter_discardable_metadata``), for reading in worker processes;
- how ``ArticlesGenerator`` and ``PagesGenerator.generate_context`` read one text
  (``read_text``), for the dev server's incremental rebuilds;
- how ``ArticlesGenerator.generate_tags``, ``generate_categories`` and ``generate_authors``
  pick each list's ``dates``: ``[a for a in self.dates if a in articles]`` tests every article
  of the site against each list, which grows as the square of the site (``quick_membership``);
- that a text's or a tag's ``url`` and ``save_as`` are worked out from its metadata and the
  settings at every reading (``Content.get_url_setting``, ``URLWrapper._from_settings``), which
  do not change while pages are rendered (``remembered_addresses``).

``RELIED_ON`` names the Pelican functions this module mirrors; tests/plugins/test_fast_build.py
compares a digest of their source with the one of Pelican 4.12.0 (``PINNED``): a new Pelican
that changes any of them fails that test, and this module is to be read again against it.
"""

from __future__ import annotations

import hashlib
import inspect
import os
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlparse

from pelican import contents, generators, readers, signals, urlwrappers, writers
from pelican.contents import Article, SkipStub
from pelican.paginator import Paginator
from pelican.utils import get_relative_path, path_to_url
from pelican.writers import FileOverwriteFailedError

# The Pelican code this module mirrors, and the digest of its source in Pelican 4.12.0.
RELIED_ON = (writers.Writer.write_file, writers.Writer._open_w, contents.Content._link_replacer,
             contents.Content._get_intrasite_link_regex, contents.Content.__dict__["get_content"].func,
             readers.Readers.read_file, readers._filter_discardable_metadata,
             generators.ArticlesGenerator.generate_context, generators.PagesGenerator.generate_context,
             generators.ArticlesGenerator.generate_tags, generators.ArticlesGenerator.generate_categories,
             generators.ArticlesGenerator.generate_authors, contents.Content.get_url_setting,
             contents.Content._expand_settings, contents.Article._expand_settings, contents.Page._expand_settings,
             contents.Content.url_format.fget, contents.Content.url.fget, contents.Content.save_as.fget,
             urlwrappers.URLWrapper._from_settings)
PINNED = "fe22f3005091ed16"  # Pelican 4.12.0
_FILE_LINKS = ("filename", "static", "attach")
MISSING = ("missing",)


def source_digest() -> str:
    """Return the digest of the source of the Pelican functions in ``RELIED_ON``."""
    digest = hashlib.sha256()
    for function in RELIED_ON:
        digest.update(inspect.getsource(function).encode())
    return digest.hexdigest()[:16]


# --- Writer.write_file ------------------------------------------------------------------------

def local_value(context: dict[str, Any], kwargs: dict[str, Any], name: str, relative_urls: bool,
                variable: str) -> Any:
    """Return what a page's template sees as ``variable``, as write_file's local context has it.

    Pelican copies the shared context, sets ``localsiteurl``, ``output_file`` (and ``SITEURL``
    with relative URLs), then adds the page's own variables: read without copying anything.
    """
    if variable in kwargs:
        return kwargs[variable]
    if variable == "output_file":
        return name
    if relative_urls and variable in ("SITEURL", "localsiteurl"):
        return path_to_url(get_relative_path(name))
    if variable == "localsiteurl":
        return context.get("localsiteurl", None)
    return context.get(variable, MISSING)


def follow_localsiteurl(context: dict[str, Any], name: str, relative_urls: bool) -> None:
    """Do what rendering a page does to the shared context: links follow its ``localsiteurl``."""
    local = path_to_url(get_relative_path(name)) if relative_urls else context.get("localsiteurl")
    if local:
        context["localsiteurl"] = local


def paginated_pages(settings: dict[str, Any], name: str, url: str | None, paginated: dict[str, Any] | None,
                    template_name: str | None, kwargs: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]] | None:
    """Return each page of a paginated list as (its file, its own variables), or None.

    None when write_file would write one page only. Each page can then be written by
    ``write_file(save_as, template, context, relative_urls, paginated={}, **variables)``:
    Pelican gives it the very context its own loop would.
    """
    if paginated is None:
        paginated = {key: val for key, val in kwargs.items() if key in {"articles", "dates"}}
    if not (paginated and template_name in settings["PAGINATED_TEMPLATES"]):
        return None
    per_page = settings["PAGINATED_TEMPLATES"][template_name] or settings["DEFAULT_PAGINATION"]
    paginators = {key: Paginator(name, url, val, settings, per_page) for key, val in paginated.items()}
    return _pages(paginators, kwargs)


def _pages(paginators: dict[str, Paginator], kwargs: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for page_num in range(next(iter(paginators.values())).num_pages):
        page_kwargs = kwargs.copy()
        for key, paginator in paginators.items():
            page = paginator.page(page_num + 1)
            page_kwargs.update({
                f"{key}_paginator": paginator,
                f"{key}_page": page,
                f"{key}_previous_page": paginator.page(page_num) if page_num > 0 else None,
                f"{key}_next_page": paginator.page(page_num + 2) if page_num + 1 < paginator.num_pages else None,
            })
        yield page.save_as, page_kwargs


# --- Writer._open_w ---------------------------------------------------------------------------

def check_overwrite(path: str, override: bool, written: set[str], overridden: set[str]) -> bool:
    """Apply Pelican's rule on writing a file twice to a page kept as it is.

    Returns False when Pelican would not write it (a file overridden before); raises
    FileOverwriteFailedError when Pelican would refuse; notes the write otherwise.
    """
    if path in overridden:
        if override:
            raise FileOverwriteFailedError(f'Failed to overwrite "{path}" a second time (was previously overwritten)')
        return False
    if path in written and not override:
        raise FileOverwriteFailedError(
            f'Failed to overwrite "{path}" as Pelican has already written to it previously '
            "(set `override=True` if intended)")
    if override:
        overridden.add(path)
    written.add(path)
    return True


# --- Content ----------------------------------------------------------------------------------

def raw_html(item: Any) -> str:
    """Return a text's HTML as its reader made it, before Pelican replaces its links."""
    return getattr(item, "_content", None) or ""


def has_raw_html(item: Any) -> bool:
    """Tell whether a content object holds HTML of its own (a text, not a static file)."""
    return getattr(item, "_content", None) is not None


def has_attach_links(item: Any) -> bool:
    """Tell whether a text links a file with ``{attach}`` (rendering it then moves that file)."""
    html = raw_html(item)
    return "attach" in html and any(what == "attach" for what, _ in link_paths(item, html))


def link_paths(item: Any, html: str) -> tuple[tuple[str, str], ...]:
    """Return the intrasite links of ``html`` as (kind, path), resolved as _link_replacer does."""
    found = []
    for match in item._get_intrasite_link_regex().finditer(html):
        what, path = match.group("what"), urlparse(match.group("value")).path
        if what in _FILE_LINKS:
            if path.startswith("/"):
                path = path[1:]
            else:
                path = item.get_relative_source_path(os.path.join(item.relative_dir, path))
            path = path.replace("%20", " ")
        found.append((what, path))
    return tuple(found)


# --- Readers.read_file ------------------------------------------------------------------------

def cacheable_reading(reader: Any, path: str) -> tuple[str, dict[str, Any]]:
    """Read a file with a reader and return what read_file keeps in its cache for it."""
    content, metadata = reader.read(path)
    return content, readers._filter_discardable_metadata(metadata)


# --- ArticlesGenerator and PagesGenerator.generate_context ------------------------------------

def source_files(generator: Any) -> set[str]:
    """Return the files generate_context reads, relative to the content folder."""
    settings = generator.settings
    if isinstance(generator, generators.ArticlesGenerator):
        return generator.get_files(settings["ARTICLE_PATHS"], exclude=settings["ARTICLE_EXCLUDES"])
    if isinstance(generator, generators.PagesGenerator):
        return generator.get_files(settings["PAGE_PATHS"], exclude=settings["PAGE_EXCLUDES"])
    return set()


def read_text(generator: Any, old: Any) -> Any:
    """Read the file of a text again as its generator's generate_context does; None if skipped."""
    article = isinstance(old, Article)
    text = generator.readers.read_file(
        base_path=generator.path, path=old.get_relative_source_path(), content_class=type(old),
        context=generator.context,
        preread_signal=signals.article_generator_preread if article else signals.page_generator_preread,
        preread_sender=generator,
        context_signal=signals.article_generator_context if article else signals.page_generator_context,
        context_sender=generator)
    return None if isinstance(text, SkipStub) else text


# --- ArticlesGenerator.generate_tags, generate_categories and generate_authors ----------------

class Members(list):  # type: ignore[type-arg]
    """A list of articles whose ``in`` is one look-up instead of a walk through the list.

    Pelican's generators compare articles by identity (``Content`` has no ``__eq__``), so
    ``in`` answers the same. Given to Pelican's loops only while they run (see
    ``quick_membership``); the writer hands on the ``plain`` list (``plain_lists``).
    """

    def __init__(self, articles: list[Any]):
        super().__init__(articles)
        self.plain = articles
        self._ids = {id(article) for article in articles}

    def __contains__(self, item: object) -> bool:
        return id(item) in self._ids


def quick_membership(generator: Any) -> None:
    """Before the pages of an articles generator are written: its lists answer ``in`` at once.

    ``tags`` (a dict), ``categories`` and ``authors`` (lists of pairs) are replaced on the
    generator alone (the shared context keeps its own); ``plain_membership`` puts them back.
    """
    if not isinstance(generator, generators.ArticlesGenerator) or "_plain_lists" in vars(generator):
        return
    tags, categories, authors = generator.tags, generator.categories, generator.authors
    generator._plain_lists = (tags, categories, authors)
    generator.tags = type(tags)(tags.default_factory, {key: Members(value) for key, value in tags.items()}) \
        if isinstance(tags, defaultdict) else {key: Members(value) for key, value in tags.items()}
    generator.categories = [(key, Members(value)) for key, value in categories]
    generator.authors = [(key, Members(value)) for key, value in authors]


def plain_membership(generator: Any, **_: Any) -> None:
    """Once the pages are written: put back the generator's own lists."""
    saved = vars(generator).pop("_plain_lists", None)
    if saved is not None:
        generator.tags, generator.categories, generator.authors = saved


def plain_lists(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Return a page's variables with Pelican's own lists in place of ``Members``."""
    if not any(type(value) is Members for value in kwargs.values()):
        return kwargs
    return {key: value.plain if type(value) is Members else value for key, value in kwargs.items()}


# --- addresses while pages are rendered ---------------------------------------------------------
# Every card of a list page reads its article's, category's and authors' url: Pelican formats
# each from the settings again (a copy of the metadata, a path made relative...), about a third
# of the lists' rendering. Articles and pages, and URLWrapper's Category, Tag and Author,
# inherit these properties; Static defines its own (an {attach} link moves a file).
_ADDRESSES = ((contents.Content, ("url", "save_as")), (urlwrappers.URLWrapper, ("url", "save_as")))


@contextmanager
def remembered_addresses() -> Iterator[None]:
    """While pages are rendered: each object's ``url`` and ``save_as`` worked out once.

    Nothing a template reads them from (metadata, settings) changes while pages are rendered;
    in a forked worker, the remembered values stay in that worker. Forgotten on leaving.
    """
    # (id, name) -> (the object, held so that its id is not reused meanwhile; the value)
    known: dict[tuple[int, str], tuple[Any, Any]] = {}
    saved = [(owner, name, owner.__dict__[name]) for owner, names in _ADDRESSES for name in names]

    def remembered(name: str, compute: Any) -> property:
        def value(item: Any) -> Any:
            key = (id(item), name)
            try:
                return known[key][1]
            except KeyError:
                found = compute(item)
                known[key] = (item, found)
                return found
        return property(value)

    for owner, name, original in saved:
        setattr(owner, name, remembered(name, original.fget))
    try:
        yield
    finally:
        for owner, name, original in saved:
            setattr(owner, name, original)
        known.clear()
