"""The fast writer: Pelican's writer, asked to skip the pages whose fingerprint did not change.

Pelican gets it through ``get_writer`` when ``FAST_REBUILD`` is set. Its ``write_file`` takes
Pelican's arguments; for each page they make (one, or each page of a paginated list) it
computes the page's fingerprint (keys.py) and either keeps the file, when it was written from
the same fingerprint and still has the size and date it had then, or lets Pelican's own
``Writer.write_file`` render and write it. Only the splitting of a list into pages and the
page's template context are known from Pelican's code (pelican_internals.py).

Pages to render are queued and rendered at the end of the build (``finalized``), shared
between this process and forked workers (parallel.py): rendering only writes files. With
``RELATIVE_URLS`` (each page changes the shared context's ``localsiteurl``), a file written
twice, or a text whose ``{attach}`` links move files, a page is rendered at once, in order.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from blinker import signal
from pelican.utils import sanitised_join
from pelican.writers import Writer

from . import parallel, pelican_internals
from .keys import LAST, PageKeys
from .records import load_state, save_state, stamp


@dataclass
class Job:
    """A page to render: Pelican's write_file arguments for it, and its fingerprint."""

    path: str
    key: bytes | None
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    # How to fingerprint the page, when that is left to whoever renders it (no record to compare).
    later: tuple[Any, ...] | None = None


class FastWriter(Writer):
    """Pelican's writer, skipping pages whose fingerprint did not change since the last build."""

    current: FastWriter | None = None  # the writer of the build under way
    last: FastWriter | None = None  # the writer of the last build

    def __init__(self, output_path: str, settings: dict[str, Any] | None = None, carry_over: bool = False):
        """Start a build; ``carry_over``: a partial build, every other file stays as recorded."""
        super().__init__(output_path, settings=settings)
        self.state = load_state(self.settings)
        # With --ignore-cache (LOAD_CONTENT_CACHE False), every page is rendered.
        self.previous = dict(self.state.pages) if self.settings.get("LOAD_CONTENT_CACHE", True) else {}
        self.records: dict[str, tuple[bytes, int, int] | None] = dict(self.previous) if carry_over else {}
        self.calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []  # every write_file call, in order
        self.keys = PageKeys(self.settings, self.state)
        self._context: dict[str, Any] = {}  # the shared context of the last page written
        self._pending: dict[str, bytes | None] = {}  # plugins' files, recorded once written
        # Files written (or kept) in this build, for Pelican's rule on writing a file twice.
        self._written: set[str] = set()
        self._overridden: set[str] = set()
        self._rendered: set[str] = set()  # by Pelican's own write_file here, which knows them
        self._queue: list[Job] = []
        self._queue_pages = not self.settings.get("RELATIVE_URLS")
        LAST.reset()
        FastWriter.current = FastWriter.last = self

    # Files of plugins (plugins/feeds), through fast_build.keep_file.

    def keep_file(self, path: str, inputs: Any) -> bool:
        """Tell whether a plugin's file made from ``inputs`` can stay as it is (else it is written)."""
        key = self.keys.file_key(path, inputs, self._context)
        if self.is_current(path, key):
            return True
        self._pending[path] = key  # recorded at the end, once the plugin wrote it
        return False

    def is_current(self, path: str, key: bytes | None) -> bool:
        """Tell whether ``path`` was written from ``key`` and is untouched since; keep its record."""
        if key is None:
            return False
        known = self.previous.get(path)
        if known is None or known[0] != key or stamp(path) != known[1:]:
            return False
        self.records[path] = known
        return True

    def remember(self, path: str, key: bytes | None) -> None:
        """Record that ``path`` was just written from ``key`` (None: not to be skipped next time)."""
        current = stamp(path) if key is not None else None
        self.records[path] = (key, *current) if key is not None and current is not None else None  # type: ignore[assignment]

    def flush(self) -> None:
        """Render the queued pages, shared between this process and forked workers."""
        jobs, self._queue = self._queue, []
        if not jobs:
            return
        with pelican_internals.remembered_addresses():
            answers = parallel.run(jobs, self._render, parallel.worker_count(self.settings, len(jobs)))
        keys = {path: key for answer in answers for path, key in answer}
        for job in jobs:
            self.remember(job.path, keys.get(job.path, job.key))
        LAST.rendered += len(jobs)

    def _render(self, jobs: list[Job]) -> list[tuple[str, bytes | None]]:
        """Render a share of the queue; return the fingerprints computed here."""
        keys = []
        for job in jobs:
            Writer.write_file(self, *job.args, **job.kwargs)
            if job.later is not None:
                keys.append((job.path, self.keys.page_key(*job.later)))
        return keys

    def finish(self) -> None:
        """Render what is queued and save this build's records (at ``finalized``)."""
        self.flush()
        for path, key in self._pending.items():
            self.remember(path, key)
        self.state.pages = {path: record for path, record in self.records.items() if record is not None}
        self.state.plans, self.state.plans_site = dict(self.keys.plans), self.keys.site() or b""
        save_state(self.settings, self.state)
        if FastWriter.current is self:
            FastWriter.current = None

    # Pelican's writer interface.

    def write_file(self, name: str, template: Any, context: dict[str, Any], relative_urls: bool = False,
                   paginated: dict[str, Any] | None = None, template_name: str | None = None,
                   override_output: bool = False, url: str | None = None, **kwargs: Any) -> None:
        """Write a page, or each page of a list, unless it is unchanged (then keep the file)."""
        if not name:
            return
        kwargs = pelican_internals.plain_lists(kwargs)
        self.calls.append(((name, template, context, relative_urls, paginated, template_name, override_output,
                            url), kwargs))
        self._context = context
        pages = pelican_internals.paginated_pages(self.settings, name, url, paginated, template_name, kwargs)
        if pages is None:
            self._write_page(name, template, context, relative_urls, override_output, url, kwargs, paginated,
                             template_name)
            return
        for save_as, page_kwargs in pages:
            # One page of the list: Pelican's write_file, unpaginated, gives it the same context.
            self._write_page(save_as, template, context, relative_urls, override_output, url, page_kwargs, {}, None)

    def _write_page(self, name: str, template: Any, context: dict[str, Any], relative_urls: bool,
                    override: bool, url: str | None, kwargs: dict[str, Any], paginated: dict[str, Any] | None,
                    template_name: str | None) -> None:
        path = sanitised_join(self.output_path, name)
        value_of = partial(pelican_internals.local_value, context, kwargs, name, relative_urls)
        again = path in self._written
        if not again and path not in self.previous and self._queue_pages and not self._attach(kwargs):
            # Rendered whatever its fingerprint: the worker that renders it fingerprints it too.
            pelican_internals.check_overwrite(path, override, self._written, self._overridden)
            args = (name, template, context, relative_urls, paginated, template_name, override, url)
            self._queue.append(Job(path, None, args, kwargs, (template, name, context, value_of)))
            return
        key = self.keys.page_key(template, name, context, value_of)
        if not again and self.is_current(path, key):
            pelican_internals.check_overwrite(path, override, self._written, self._overridden)
            pelican_internals.follow_localsiteurl(context, name, relative_urls)
            self._attach(kwargs)
            LAST.skipped += 1
            return
        args = (name, template, context, relative_urls, paginated, template_name, override, url)
        if again and path not in self._rendered:
            # Kept or queued earlier in this build, which Pelican's writer does not know: its rule
            # here, then the earlier version first.
            if not pelican_internals.check_overwrite(path, override, self._written, self._overridden):
                return
            self.flush()
        elif not again and self._queue_pages and not self._attach(kwargs):
            pelican_internals.check_overwrite(path, override, self._written, self._overridden)
            self._queue.append(Job(path, key, args, kwargs))
            return
        super().write_file(*args, **kwargs)
        self._rendered.add(path)
        self._written.add(path)
        if override:
            self._overridden.add(path)
        self.remember(path, None if again else key)  # a file written twice is never kept
        LAST.rendered += 1

    def _attach(self, kwargs: dict[str, Any]) -> bool:
        """Make a page's own text move the files its ``{attach}`` links name, here and now."""
        own = kwargs.get("article") or kwargs.get("page")
        if own is None or not pelican_internals.has_attach_links(own):
            return False
        own.content  # noqa: B018 - replacing its links moves the attached files
        return True


def provide_writer(pelican: Any) -> type[Writer] | None:
    """Give Pelican the fast writer when the settings ask for it (FAST_REBUILD)."""
    return FastWriter if pelican.settings.get("FAST_REBUILD") else None


def quick_lists(generator: Any) -> None:
    """At ``article_generator_finalized``: lists of articles whose ``in`` is quick (fast writer only)."""
    if generator.settings.get("FAST_REBUILD"):
        pelican_internals.quick_membership(generator)


def plain_lists(generator: Any, **_: Any) -> None:
    """At ``article_writer_finalized``: the generator's own lists again."""
    pelican_internals.plain_membership(generator)


PAGES_WRITTEN_SIGNAL = "fast_build.pages_written"


def keep_file(path: str, inputs: Any = None) -> bool:
    """Answer plugins/feeds' ``fast_build.keep_file``: True when ``path`` was written from ``inputs``."""
    writer = FastWriter.current
    return writer is not None and writer.keep_file(path, inputs)


def save_records(pelican: Any) -> None:
    """At ``finalized``: keep what this build wrote, for the next one."""
    writer = FastWriter.current
    if writer is not None and pelican.settings.get("FAST_REBUILD"):
        writer.finish()
    if pelican.settings.get("FAST_REBUILD"):
        # Every page is on disk now: plugins that read the output (search) follow this signal,
        # since blinker does not order the receivers of finalized.
        signal(PAGES_WRITTEN_SIGNAL).send(pelican)
