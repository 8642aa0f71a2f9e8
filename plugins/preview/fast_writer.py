"""Fast rebuilds for the dev server: render and write only the pages whose inputs changed.

Pelican renders every template on every build, even with the content cache: at 1,000 articles
a one-word edit re-renders 2,000 pages. With ``FAST_REBUILD = True`` (set by ``make
devserver``, never in the settings files) Pelican gets this writer through the ``get_writer``
signal. Before rendering a page it computes a fingerprint of what the page shows:

- every page: the settings, the theme's files (templates, catalogs) and what base.html shows
  on every page (the pages of the menu, the categories of the footer);
- the page of an article, a draft or a page: that text (its metadata and its HTML, links
  resolved);
- a page of a list (home, category, tag, author): the metadata and summaries of the texts on
  that page, the page number and the number of pages, and for the home page the drafts;
- any other page (archives, sitemap, the lists of tags…): the metadata and summaries of all.

Lists show titles, dates, summaries and images, never whole texts: editing the text of an
article renders its own page only; editing its title also the lists it appears in.

When the fingerprint is the one recorded at the previous build in this process and the file
on disk is still the one written then (same size and date), rendering and writing are
skipped. The first build in a process renders everything, as Pelican does.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from jinja2.bccache import BytecodeCache, Bucket
from pelican import signals
from pelican.paginator import Paginator
from pelican.utils import get_relative_path, path_to_url, sanitised_join
from pelican.writers import Writer

log = logging.getLogger(__name__)

# Output path -> (fingerprint, size, mtime_ns) of the file as written at the last build.
_WRITTEN: dict[str, tuple[int, int, int]] = {}


@dataclass
class Counts:
    """How many pages the last build rendered and skipped (the dev server prints them)."""

    rendered: int = 0
    skipped: int = 0


LAST = Counts()
_FILE_LINKS = ("filename", "static", "attach")


def listing_fingerprint(item: Any) -> int:
    """Summarize what a list shows of an article or page: its metadata and summary.

    Lists (home, categories, tags, archives, sitemap) show titles, dates, summaries, images:
    editing an article's text leaves them as they are. Its address needs no place here:
    Pelican derives it from the metadata and the settings. Computed once per build and object.
    """
    known = item.__dict__.get("_preview_listing")
    if known is None:
        metadata = tuple(sorted((key, repr(value)) for key, value in item.metadata.items()))
        # Without a Summary line, the summary is cut from the text: then it counts too.
        cut = "summary" not in item.metadata and getattr(item, "_content", None) is not None
        summary = item.summary if cut else None  # a static file (an image) has no text
        known = hash((item.source_path, getattr(item, "status", None), metadata, summary))
        item.__dict__["_preview_listing"] = known
    return known


def content_fingerprint(item: Any, context: dict[str, Any]) -> int:
    """Summarize what the page of an article or page shows: metadata, text, linked texts.

    The text is taken before Pelican turns its ``{filename}`` links into addresses (that
    takes longer than the rest of a rebuild at 1,000 articles); what each link points to
    counts instead, so renaming a linked article still renders the pages linking to it.
    """
    known = item.__dict__.get("_preview_content")
    if known is None:
        raw = item._content or ""
        targets = tuple(_target_state(context, what, path) for what, path in link_targets(item, raw))
        known = hash((listing_fingerprint(item), hash(raw), targets))
        item.__dict__["_preview_content"] = known
    return known


# (source path, hash of the text) -> the links of that text, resolved as Pelican resolves them.
_LINKS: dict[tuple[str, int], tuple[tuple[str, str], ...]] = {}


def link_targets(item: Any, raw: str) -> tuple[tuple[str, str], ...]:
    """Return the intrasite links of a text as (kind, path from content/); scanned once."""
    key = (item.source_path, hash(raw))
    found = _LINKS.get(key)
    if found is None:
        found = tuple(_resolve(item, match) for match in item._get_intrasite_link_regex().finditer(raw))
        _LINKS[key] = found
    return found


def _resolve(item: Any, match: re.Match) -> tuple[str, str]:
    """Resolve one link's path like Pelican's ``Content._link_replacer``."""
    what, path = match.group("what"), urlparse(match.group("value")).path
    if what in _FILE_LINKS:
        if path.startswith("/"):
            path = path[1:]
        else:
            path = item.get_relative_source_path(os.path.join(item.relative_dir, path))
        path = path.replace("%20", " ")
    return what, path


def _target_state(context: dict[str, Any], what: str, path: str) -> tuple[Any, ...]:
    """Summarize what a link points to: the linked text's metadata, or whether a file exists."""
    if what not in _FILE_LINKS:
        return (what, path)  # {tag}, {category}, {index}…: addresses made from names only
    for key in ("generated_content", "static_content"):
        target = context.get(key, {}).get(path)
        if target is not None:
            return (key, path, listing_fingerprint(target))
    return (what, path, None)


def theme_fingerprint(theme: str) -> int:
    """Summarize the theme's files by name, size and date: a template edit renders all again."""
    stamps = []
    for folder, _, files in os.walk(theme):
        for name in files:
            stat = os.stat(os.path.join(folder, name))
            stamps.append((folder, name, stat.st_size, stat.st_mtime_ns))
    return hash(tuple(sorted(stamps)))


def site_fingerprint(context: dict[str, Any], settings: dict[str, Any]) -> int:
    """Summarize what every page shows besides its own content: menu, footer, settings."""
    pages = tuple((p.url, p.title, repr(sorted(p.metadata.items()))) for p in context.get("pages", ()))
    categories = tuple((str(c), c.url) for c, _ in context.get("categories", ()))
    simple = tuple(sorted((k, repr(v)) for k, v in settings.items() if isinstance(v, (str, int, float, bool, tuple, list, dict, type(None)))))
    return hash((pages, categories, simple, theme_fingerprint(settings["THEME"])))


class FastWriter(Writer):
    """Pelican's writer, skipping pages whose fingerprint did not change since the last build."""

    def __init__(self, output_path: str, settings: dict[str, Any] | None = None):
        super().__init__(output_path, settings=settings)
        # Computed at the first page, once the context is final.
        self._site: int | None = None
        self._everything: int | None = None
        LAST.rendered = LAST.skipped = 0

    def write_file(self, name: str, template: Any, context: dict[str, Any], relative_urls: bool = False,
                   paginated: dict[str, Any] | None = None, template_name: str | None = None,
                   override_output: bool = False, url: str | None = None, **kwargs: Any) -> None:
        """Render and write a page, or each page of a list, unless it is unchanged."""
        if not name:
            return
        if self._site is None:
            self._site = site_fingerprint(context, self.settings)
        if paginated is None:
            paginated = {key: val for key, val in kwargs.items() if key in {"articles", "dates"}}
        if paginated and template_name in self.settings["PAGINATED_TEMPLATES"]:
            self._write_pages(name, template, context, relative_urls, paginated, template_name,
                              override_output, url, kwargs)
            return
        path = sanitised_join(self.output_path, name)
        inputs = self._single_inputs(kwargs, name, context)
        if self._skip(path, inputs):
            return
        local = self._local_context(context, name, kwargs, relative_urls)
        self._write(template, context, local, path, override_output, inputs)

    def _write_pages(self, name: str, template: Any, context: dict[str, Any], relative_urls: bool,
                     paginated: dict[str, Any], template_name: str, override_output: bool,
                     url: str | None, kwargs: dict[str, Any]) -> None:
        """Write each page of a paginated list (Pelican's own loop, with a fingerprint first)."""
        per_page = self.settings["PAGINATED_TEMPLATES"][template_name] or self.settings["DEFAULT_PAGINATION"]
        paginators = {key: Paginator(name, url, val, self.settings, per_page) for key, val in paginated.items()}
        main = next(iter(paginators.values()))
        for page_num in range(main.num_pages):
            shown = main.page(page_num + 1)
            path = sanitised_join(self.output_path, shown.save_as)
            inputs = self._list_inputs(template_name, shown, main.num_pages, context, kwargs)
            if self._skip(path, inputs):
                continue
            page_kwargs = kwargs.copy()
            for key, paginator in paginators.items():
                page_kwargs.update({
                    f"{key}_paginator": paginator,
                    f"{key}_page": paginator.page(page_num + 1),
                    f"{key}_previous_page": paginator.page(page_num) if page_num > 0 else None,
                    f"{key}_next_page": paginator.page(page_num + 2) if page_num + 1 < paginator.num_pages else None,
                })
            local = self._local_context(context, shown.save_as, page_kwargs, relative_urls)
            self._write(template, context, local, path, override_output, inputs)

    def _single_inputs(self, kwargs: dict[str, Any], name: str, context: dict[str, Any]) -> int:
        """Fingerprint a page of one text, or a page made from all of them (archives, sitemap…)."""
        item = kwargs.get("article") or kwargs.get("page")
        if item is not None and hasattr(item, "metadata"):
            return hash((self._site, content_fingerprint(item, context)))
        if self._everything is None:
            every = [*context.get("articles", ()), *context.get("drafts", ()),
                     *context.get("hidden_articles", ()), *context.get("pages", ()),
                     *context.get("hidden_pages", ())]
            self._everything = hash(tuple(listing_fingerprint(i) for i in every))
        return hash((self._site, name, self._everything))

    def _list_inputs(self, template_name: str, page: Any, num_pages: int, context: dict[str, Any],
                     kwargs: dict[str, Any]) -> int:
        """Fingerprint one page of a list: its texts, its place, what the list is of."""
        listed = tuple(listing_fingerprint(item) for item in page.object_list)
        subject = tuple((key, str(kwargs[key]), getattr(kwargs[key], "url", None))
                        for key in ("tag", "category", "author") if kwargs.get(key) is not None)
        drafts: Iterable[Any] = context.get("drafts", ()) if template_name == "index" else ()
        return hash((self._site, template_name, page.number, num_pages, subject, listed,
                     tuple(listing_fingerprint(d) for d in drafts)))

    def _local_context(self, context: dict[str, Any], name: str, kwargs: dict[str, Any],
                       relative_urls: bool) -> dict[str, Any]:
        """Build a page's template context exactly as Pelican's writer does."""
        local = context.copy()
        local["localsiteurl"] = local.get("localsiteurl", None)
        if relative_urls:
            relative_url = path_to_url(get_relative_path(name))
            local["SITEURL"] = relative_url
            local["localsiteurl"] = relative_url
        local["output_file"] = name
        local.update(kwargs)
        return local

    def _skip(self, path: str, inputs: int) -> bool:
        """Tell whether a page can stay as it is; count it and mark it written if so."""
        if not self._unchanged(path, inputs):
            return False
        LAST.skipped += 1
        self._written_files.add(path)  # keeps Pelican's "written twice" check working
        return True

    def _write(self, template: Any, context: dict[str, Any], local: dict[str, Any], path: str,
               override: bool, inputs: int) -> None:
        """Render and write one file, remembering what it was made from."""
        if local["localsiteurl"]:
            context["localsiteurl"] = local["localsiteurl"]  # as Pelican's writer: links follow it
        output = template.render(local)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with self._open_w(path, "utf-8", override=override) as handle:
            handle.write(output)
        LAST.rendered += 1
        stat = os.stat(path)
        _WRITTEN[path] = (inputs, stat.st_size, stat.st_mtime_ns)
        signals.content_written.send(path, context=local)

    @staticmethod
    def _unchanged(path: str, inputs: int) -> bool:
        """Tell whether the file was written from these inputs and nobody touched it since."""
        known = _WRITTEN.get(path)
        if known is None or known[0] != inputs:
            return False
        try:
            stat = os.stat(path)
        except OSError:
            return False
        return (stat.st_size, stat.st_mtime_ns) == known[1:]


def provide_writer(pelican: Any) -> type[Writer] | None:
    """Give Pelican the fast writer when the dev server asks for it (FAST_REBUILD)."""
    return FastWriter if pelican.settings.get("FAST_REBUILD") else None


class MemoryBytecodeCache(BytecodeCache):
    """Jinja2's compiled templates, kept in memory across the builds of one process.

    Pelican makes new Jinja2 environments at each build, which compile every template again;
    the bucket key includes a checksum of the template's source, so an edited template is
    compiled afresh.
    """

    def __init__(self) -> None:
        self._store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        """Fill the bucket with the compiled template, if there is one."""
        data = self._store.get(bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: Bucket) -> None:
        """Keep a freshly compiled template."""
        self._store[bucket.key] = bucket.bytecode_to_string()


_BYTECODE = MemoryBytecodeCache()


def fast_rebuild_settings(settings: dict[str, Any], all_feeds: bool = False) -> dict[str, Any]:
    """Return the settings the dev server changes for fast rebuilds (to apply before Pelican())."""
    changes: dict[str, Any] = {
        "FAST_REBUILD": True,
        # Pelican rewrites its whole content cache after each build: uncompressed, that is
        # quick. In a folder of its own, since make html reads and writes compressed caches.
        "GZIP_CACHE": False,
        "CACHE_PATH": os.path.join(settings["CACHE_PATH"], "apercu"),
        "JINJA_ENVIRONMENT": {**settings.get("JINJA_ENVIRONMENT", {}), "bytecode_cache": _BYTECODE},
    }
    if not all_feeds:
        # A feed per category and per tag (140 at 1,000 articles) takes longer than the rest
        # of a rebuild; the preview keeps the two feeds of the whole site.
        changes.update(dict.fromkeys(("CATEGORY_FEED_ATOM", "CATEGORY_FEED_RSS", "TAG_FEED_ATOM",
                                      "TAG_FEED_RSS")))
    return changes
