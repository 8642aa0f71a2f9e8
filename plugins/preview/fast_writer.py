"""Fast rebuilds: render and write only the pages whose inputs changed since the last build.

Pelican renders every template on every build, even with the content cache: at 1,000 articles
a one-word edit re-renders 2,000 pages. With ``FAST_REBUILD = True`` (pelicanconf.py, so
``make html``, and ``make devserver``; never publishconf.py) Pelican gets this writer through
the ``get_writer`` signal. Before rendering a page it computes its fingerprint
(fingerprints.py: BLAKE2b of a canonical serialisation, the same in every process):

- for the whole site: every setting, the versions of Pelican and the libraries that shape
  pages, our plugins' code, and every file of the theme (templates, catalogs, CSS);
- for the page: its template and output path, and the value of each variable its templates
  read (Jinja2's own analysis of the template, its parents, includes and imports). A text
  shown in full (the page's own article or page) counts with its HTML and what its links
  point to; a text in a list counts with its metadata and summary; a page of a list with its
  number, the number of pages and its texts; a category, tag or author with its name and
  number of texts (with its texts too when a template reads them).

A page is skipped when its fingerprint is the one recorded when its file was written, and the
file still has the size and date it had then. The records live in the cache folder
(``CACHE_PATH``/fast-writer.pickle), so a new ``make html`` skips what the previous one wrote.

What cannot be fingerprinted is rendered, always (see templates.py): a template that shows the
text of an article other than its own (``content``, ``translations``…), includes a template
chosen while rendering, or a value whose only description holds a memory address. A change of
settings or library versions also makes Pelican's content cache unsafe (its categories and tags
carry the settings they were read with): it is then dropped, and every text read again.
"""

from __future__ import annotations

import logging
import os
import pickle
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from jinja2 import Environment, meta, nodes
from jinja2.bccache import BytecodeCache, Bucket, FileSystemBytecodeCache
from pelican import signals
from pelican.contents import Content
from pelican.paginator import Page, Paginator
from pelican.urlwrappers import URLWrapper
from pelican.utils import get_relative_path, path_to_url, sanitised_join
from pelican.writers import FileOverwriteFailedError, Writer

from . import fingerprints, templates
from .fingerprints import Unstable, digest

log = logging.getLogger(__name__)

# Bumped whenever fingerprints change meaning: records of another format are ignored.
FORMAT = 6
STATE_FILE = "fast-writer.pickle"
_FILE_LINKS = ("filename", "static", "attach")
# Lists of (category, tag or author, its texts).
TERM_LISTS = ("categories", "tags", "authors")
_MISSING = ("missing",)


@dataclass
class Counts:
    """How the last build went: pages rendered and skipped, and why all were rendered if so."""

    rendered: int = 0
    skipped: int = 0
    everything: str = ""


LAST = Counts()


# --- What the fast writer remembers between builds -------------------------------------------

@dataclass(frozen=True)
class Plan:
    """What the pages of one template depend on, or why they cannot be fingerprinted."""

    names: tuple[str, ...] = ()  # context variables the template and its parents read
    term_texts: frozenset[str] = frozenset()  # lists of TERM_LISTS whose texts are read
    untrusted: str = ""  # why every page of this template is rendered, if so


@dataclass
class State:
    """The records of the last build: kept in the cache folder between processes."""

    pages: dict[str, tuple[bytes, int, int]] = field(default_factory=dict)  # path: (key, size, mtime_ns)
    settings: bytes = b""  # settings_digest() of the build that read Pelican's content cache
    caches: dict[str, tuple[int, int] | None] = field(default_factory=dict)  # Pelican's cache files
    plans: dict[str, Plan] = field(default_factory=dict)  # template name -> Plan, for plans_site
    plans_site: bytes = b""  # the site fingerprint the plans were made with


# State file -> (its size and date when this process last read or wrote it, the state).
_STATES: dict[str, tuple[tuple[int, int] | None, State]] = {}


def state_path(settings: dict[str, Any]) -> str:
    """Return the file of the fast writer's records, in Pelican's cache folder."""
    return os.path.join(settings["CACHE_PATH"], STATE_FILE)


def _stamp(path: str) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_size, stat.st_mtime_ns)


def load_state(settings: dict[str, Any]) -> State:
    """Return the records of the last build (empty when there are none usable)."""
    path = state_path(settings)
    stamp = _stamp(path)
    known = _STATES.get(path)
    if known is not None and known[0] == stamp:
        return known[1]
    state = State()
    if stamp is not None:
        try:
            with open(path, "rb") as handle:
                saved = pickle.load(handle)
            if isinstance(saved, dict) and saved.get("format") == FORMAT:
                state = State(saved["pages"], saved["settings"], saved["caches"], saved["plans"],
                              saved["plans_site"])
        except Exception as problem:  # noqa: BLE001 - damaged records: render everything
            log.info("preview: %s ignored (%s), every page is rendered", path, problem)
    _STATES[path] = (stamp, state)
    return state


def save_state(settings: dict[str, Any], state: State) -> None:
    """Write the records atomically, so an interrupted build never leaves half a file."""
    path = state_path(settings)
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    partial = path + ".tmp"
    with open(partial, "wb") as handle:
        pickle.dump({"format": FORMAT, "pages": state.pages, "settings": state.settings,
                     "caches": state.caches, "plans": state.plans, "plans_site": state.plans_site},
                    handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(partial, path)
    _STATES[path] = (_stamp(path), state)


def _cachers(generator: Any) -> Iterable[Any]:
    """Pelican's content caches held by a generator: its readers', and its own."""
    for cacher in (getattr(generator, "readers", None), generator):
        if isinstance(getattr(cacher, "_cache", None), dict) and getattr(cacher, "_cache_path", None):
            yield cacher


def drop_unsafe_content_cache(generator: Any) -> None:
    """At generator_init: forget Pelican's content cache unless this writer saw it written.

    Pelican trusts a cached text as long as its file's date is unchanged; but the cached
    categories, tags and authors keep the settings they were read with, and the HTML the
    Markdown of that time. A cache written with other settings or library versions (or by a
    build without this plugin, ``make publish`` for instance) is dropped: every text is read.
    """
    settings = generator.settings
    if not settings.get("FAST_REBUILD"):
        return
    state = load_state(settings)
    current = _settings_digest(settings)
    for cacher in _cachers(generator):
        cache_file = cacher._cache_path
        if not cacher._cache:
            continue
        if current is None or state.settings != current or state.caches.get(cache_file) != _stamp(cache_file):
            log.info("preview: %s was written with other settings or by another build: "
                     "every text is read again", cache_file)
            cacher._cache.clear()


def _settings_digest(settings: dict[str, Any]) -> bytes | None:
    """The settings' fingerprint, or None when a setting cannot be fingerprinted."""
    try:
        return fingerprints.settings_digest(settings)
    except Unstable:
        return None


def record_content_cache(generator: Any) -> None:
    """After a generator saved its content cache: note the settings and the files' dates."""
    settings = generator.settings
    if not settings.get("FAST_REBUILD"):
        return
    state = load_state(settings)
    state.settings = _settings_digest(settings) or b""
    for cacher in _cachers(generator):
        state.caches[cacher._cache_path] = _stamp(cacher._cache_path)
    save_state(settings, state)


def use_bytecode_cache(generator: Any) -> None:
    """At generator_init: keep Jinja2's compiled templates in the cache folder between builds.

    Pelican compiles every template at every build, even for pages that are not rendered.
    Compiled code also depends on the environment's options and extensions (settings and
    plugins), which Jinja2's cache does not check: the folder is named after them.
    """
    settings = generator.settings
    env = getattr(generator, "env", None)
    if not settings.get("FAST_REBUILD") or env is None or env.bytecode_cache is not None:
        return
    try:
        key = digest(fingerprints.settings_digest(settings),
                     fingerprints.files_digest(settings.get("PLUGIN_PATHS") or (), (".py",))).hex()[:20]
    except Unstable:
        return
    folder = os.path.join(settings["CACHE_PATH"], "jinja2", key)
    if not os.path.isdir(folder):
        parent = os.path.dirname(folder)
        if os.path.isdir(parent):  # compiled with other options: useless now
            for old in os.listdir(parent):
                shutil.rmtree(os.path.join(parent, old), ignore_errors=True)
        os.makedirs(folder, exist_ok=True)
    env.bytecode_cache = FileSystemBytecodeCache(folder)


# --- Fingerprints of texts --------------------------------------------------------------------

# (source path, digest of the HTML) -> the intrasite links of that HTML, as Pelican resolves them.
_LINKS: dict[tuple[str, bytes], tuple[tuple[str, str], ...]] = {}


def link_targets(item: Any, raw: str, raw_digest: bytes) -> tuple[tuple[str, str], ...]:
    """Return the intrasite links of a text as (kind, path from content/); scanned once."""
    key = (item.source_path, raw_digest)
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


class Fingerprints:
    """The fingerprints of one build's texts, each computed once."""

    def __init__(self) -> None:
        self._listing: dict[int, tuple[Any, bytes]] = {}
        self._content: dict[int, tuple[Any, bytes]] = {}

    def listing(self, item: Any) -> bytes:
        """What a list shows of a text: its metadata and summary (not its HTML).

        Its address needs no place here: Pelican derives it from the metadata and settings.
        """
        known = self._listing.get(id(item))
        if known is None or known[0] is not item:
            metadata = getattr(item, "metadata", {})
            # Without a Summary line, the summary is cut from the text: then it counts too.
            cut = "summary" not in metadata and getattr(item, "_content", None) is not None
            summary = item.summary if cut else None
            known = (item, digest("listing", type(item).__name__, item.source_path,
                                  getattr(item, "status", None), getattr(item, "template", None),
                                  metadata, summary))
            self._listing[id(item)] = known
        return known[1]

    def text(self, item: Any, context: dict[str, Any]) -> bytes:
        """What the page of a text shows of it: metadata, HTML, what its links point to.

        The HTML is taken before Pelican turns its ``{filename}`` links into addresses (that
        takes longer than the rest of a rebuild); what each link points to counts instead,
        so renaming a linked article renders the pages linking to it.
        """
        known = self._content.get(id(item))
        if known is None or known[0] is not item:
            raw = getattr(item, "_content", None) or ""
            raw_digest = digest("html", raw)
            targets = tuple(self._target(context, what, path)
                            for what, path in link_targets(item, raw, raw_digest))
            known = (item, digest("text", self.listing(item), raw_digest, targets))
            self._content[id(item)] = known
        return known[1]

    def _target(self, context: dict[str, Any], what: str, path: str) -> tuple[Any, ...]:
        """Summarize what a link points to: the linked text's metadata, or whether a file exists."""
        if what not in _FILE_LINKS:
            return (what, path)  # {tag}, {category}, {index}…: addresses made from names only
        for key in ("generated_content", "static_content"):
            target = context.get(key, {}).get(path)
            if target is not None:
                return (key, path, self.listing(target))
        return (what, path, None)


# --- Which variables each template reads -------------------------------------------------------

def make_plan(env: Environment, name: str, trees_by_name: dict[str, nodes.Template] | None = None) -> Plan:
    """Read a template and those it reaches; say what its pages depend on.

    ``trees_by_name`` keeps the parsed templates (and what was learnt of each), for the next
    plan of the same build: every template extends base.html and imports macros.html.
    """
    parsed = {} if trees_by_name is None else trees_by_name
    own_item = templates.OWN_ITEM.get(name.rsplit(".", 1)[0])
    facts: list[_Facts] = []
    seen: set[str] = set()
    todo = [name]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        tree = parsed.get(current)
        if tree is None:
            source, filename, _ = env.loader.get_source(env, current)  # type: ignore[union-attr]
            tree = parsed[current] = env.parse(source, current, filename)
        known = _facts(tree, own_item if current == name else None)
        if known.deep:
            return Plan(untrusted=f"{current} reaches the texts of a list ({known.deep[0]})")
        if None in known.referenced:
            return Plan(untrusted=f"{current} includes a template chosen while rendering")
        todo.extend(known.referenced)  # type: ignore[arg-type]
        facts.append(known)
    names = set().union(*(f.undeclared for f in facts))
    names -= set().union(*(f.imported for f in facts))
    names -= set(env.globals)  # gettext, range…: code, fingerprinted with the site
    return Plan(names=tuple(sorted(names)), term_texts=frozenset(
        term for term in TERM_LISTS if term in names and any(term in f.term_texts for f in facts)))


@dataclass(frozen=True)
class _Facts:
    """What one parsed template says about its pages' inputs."""

    deep: tuple[str, ...]  # reaches of deep attributes (templates.deep_uses)
    referenced: tuple[str | None, ...]  # templates it extends, includes, imports
    undeclared: frozenset[str]  # variables it reads from the context
    imported: frozenset[str]  # names it gives to imported templates
    term_texts: frozenset[str]  # lists of TERM_LISTS whose texts it reads


def _facts(tree: nodes.Template, own_item: str | None) -> _Facts:
    """Learn what a parsed template reads, once per tree and own item."""
    cache = tree.__dict__.setdefault("_preview_facts", {})
    known = cache.get(own_item)
    if known is None:
        imported = {node.target for node in tree.find_all(nodes.Import)}
        imported |= {alias if isinstance(alias, str) else alias[1]
                     for node in tree.find_all(nodes.FromImport) for alias in node.names}
        undeclared = meta.find_undeclared_variables(tree)
        known = _Facts(
            deep=tuple(templates.deep_uses(tree, own_item)),
            referenced=tuple(meta.find_referenced_templates(tree)),
            undeclared=frozenset(undeclared),
            imported=frozenset(imported),
            term_texts=frozenset(term for term in TERM_LISTS
                                 if term in undeclared and _reads_term_texts(tree, term)),
        )
        cache[own_item] = known
    return known


def _reads_term_texts(tree: nodes.Template, term: str) -> bool:
    """Tell whether a template reads the texts of ``categories``, ``tags`` or ``authors``.

    Only ``{% for name, texts in categories %}`` whose texts are used as ``texts|length``
    (or ``|count``) reads none of them; any other use of the list counts as reading them.
    """
    uses = [node for node in tree.find_all(nodes.Name) if node.name == term and node.ctx == "load"]
    harmless = 0
    for loop in tree.find_all(nodes.For):
        base = loop.iter
        while isinstance(base, nodes.Filter):
            base = base.node
        target = loop.target
        if not (isinstance(base, nodes.Name) and base.name == term and isinstance(target, nodes.Tuple)
                and len(target.items) == 2 and all(isinstance(i, nodes.Name) for i in target.items)):
            continue
        texts = target.items[1].name  # type: ignore[attr-defined]
        body = [*loop.body, *loop.else_, *([loop.test] if loop.test else [])]
        loads = [n for part in body for n in part.find_all(nodes.Name) if n.name == texts and n.ctx == "load"]
        counted = [f for part in body for f in part.find_all(nodes.Filter)
                   if f.name in ("length", "count") and isinstance(f.node, nodes.Name) and f.node.name == texts]
        if len(loads) == len(counted):
            harmless += 1
    return harmless < len(uses)


# --- The writer --------------------------------------------------------------------------------

class FastWriter(Writer):
    """Pelican's writer, skipping pages whose fingerprint did not change since the last build."""

    def __init__(self, output_path: str, settings: dict[str, Any] | None = None):
        super().__init__(output_path, settings=settings)
        self.state = load_state(self.settings)
        # With --ignore-cache (LOAD_CONTENT_CACHE False), every page is rendered.
        self.previous = dict(self.state.pages) if self.settings.get("LOAD_CONTENT_CACHE", True) else {}
        self.records: dict[str, tuple[bytes, int, int] | None] = {}  # this build's
        self.texts = Fingerprints()
        self._site: bytes | None = None
        self._plans: dict[str, Plan] = {}
        self._trees: dict[str, nodes.Template] = {}
        self._pages: dict[tuple[int, int], tuple[Paginator, bytes]] = {}
        self._values: dict[str, tuple[Any, ...]] = {}  # template -> its shared variables, encoded
        self._context: dict[str, Any] = {}  # the shared context of the last page written
        self._pending: dict[str, bytes | None] = {}  # files of plugins, written after keep_file
        LAST.rendered = LAST.skipped = 0
        LAST.everything = ""
        global _CURRENT
        _CURRENT = self

    # The public side, also used by plugins/feeds for the files it writes.

    def site(self) -> bytes | None:
        """Fingerprint what every file depends on; None when it cannot be (then render all)."""
        if self._site is None:
            settings = self.settings
            try:
                self._site = digest(
                    "site", FORMAT, fingerprints.settings_digest(settings),
                    fingerprints.files_digest(settings.get("PLUGIN_PATHS") or (), (".py",)),
                    fingerprints.files_digest([settings["THEME"], *settings.get("THEME_TEMPLATES_OVERRIDES", ()),
                                               *settings.get("EXTRA_TEMPLATES_PATHS", ())]))
            except Unstable as unstable:
                self._everything(f"a setting cannot be fingerprinted ({unstable})")
                self._site = b""
        return self._site or None

    def output_key(self, *parts: Any) -> bytes | None:
        """Return the fingerprint of a file made from ``parts``, or None if it cannot be made."""
        site = self.site()
        if site is None:
            return None
        try:
            return digest(site, *parts)
        except Unstable as unstable:
            self._everything(f"a value cannot be fingerprinted ({unstable})")
            return None

    def text_fingerprint(self, item: Any, context: dict[str, Any]) -> bytes | None:
        """Fingerprint what a page shows of a text in full; None when it cannot be."""
        try:
            return self.texts.text(item, context)
        except Unstable as unstable:
            self._everything(f"{item.source_path}: a value cannot be fingerprinted ({unstable})")
            return None

    def is_current(self, path: str, key: bytes | None) -> bool:
        """Tell whether ``path`` was written from ``key`` and is untouched since; keep its record."""
        if key is None:
            return False
        known = self.previous.get(path)
        if known is None or known[0] != key or _stamp(path) != known[1:]:
            return False
        self.records[path] = known
        return True

    def remember(self, path: str, key: bytes | None) -> None:
        """Record that ``path`` was just written from ``key`` (None: not to be skipped next time)."""
        stamp = _stamp(path) if key is not None else None
        self.records[path] = (key, *stamp) if key is not None and stamp is not None else None  # type: ignore[assignment]

    def keep_file(self, path: str, inputs: Any) -> bool:
        """Tell whether a plugin's file made from ``inputs`` can stay as it is (else it is written).

        Texts among the inputs count in full (metadata, HTML, what their links point to).
        """
        try:
            key = self.output_key("file", self._inputs(inputs))
        except Unstable as unstable:
            self._everything(f"{path}: a value cannot be fingerprinted ({unstable})")
            key = None
        if self.is_current(path, key):
            return True
        self._pending[path] = key  # its record is made once it is written, at the end
        return False

    def _inputs(self, value: Any) -> Any:
        if isinstance(value, Content):
            return ("text", self.texts.text(value, self._context))
        if isinstance(value, (list, tuple)):
            return [self._inputs(item) for item in value]
        return value

    def finish(self) -> None:
        """Save this build's records (at ``finalized``: the build went to its end)."""
        for path, key in self._pending.items():
            self.remember(path, key)
        self.state.pages = {path: record for path, record in self.records.items() if record is not None}
        self.state.plans, self.state.plans_site = dict(self._plans), self.site() or b""
        save_state(self.settings, self.state)

    # Pelican's writer interface.

    def write_file(self, name: str, template: Any, context: dict[str, Any], relative_urls: bool = False,
                   paginated: dict[str, Any] | None = None, template_name: str | None = None,
                   override_output: bool = False, url: str | None = None, **kwargs: Any) -> None:
        """Render and write a page, or each page of a list, unless it is unchanged."""
        if not name:
            return
        self._context = context
        if paginated is None:
            paginated = {key: val for key, val in kwargs.items() if key in {"articles", "dates"}}
        if paginated and template_name in self.settings["PAGINATED_TEMPLATES"]:
            self._write_pages(name, template, context, relative_urls, paginated, template_name,
                              override_output, url, kwargs)
            return
        path = sanitised_join(self.output_path, name)
        local = self._local_context(context, name, kwargs, relative_urls)
        key = self._page_key(template, name, context, local)
        if self._skip(path, key, override_output):
            return
        self._write(template, context, local, path, override_output, key)

    def _write_pages(self, name: str, template: Any, context: dict[str, Any], relative_urls: bool,
                     paginated: dict[str, Any], template_name: str, override_output: bool,
                     url: str | None, kwargs: dict[str, Any]) -> None:
        """Write each page of a paginated list (Pelican's own loop, with a fingerprint first)."""
        per_page = self.settings["PAGINATED_TEMPLATES"][template_name] or self.settings["DEFAULT_PAGINATION"]
        paginators = {key: Paginator(name, url, val, self.settings, per_page) for key, val in paginated.items()}
        main = next(iter(paginators.values()))
        for page_num in range(main.num_pages):
            page_kwargs = kwargs.copy()
            for key, paginator in paginators.items():
                page_kwargs.update({
                    f"{key}_paginator": paginator,
                    f"{key}_page": paginator.page(page_num + 1),
                    f"{key}_previous_page": paginator.page(page_num) if page_num > 0 else None,
                    f"{key}_next_page": paginator.page(page_num + 2) if page_num + 1 < paginator.num_pages else None,
                })
            shown = page_kwargs[f"{next(iter(paginators))}_page"]
            path = sanitised_join(self.output_path, shown.save_as)
            local = self._local_context(context, shown.save_as, page_kwargs, relative_urls)
            key = self._page_key(template, shown.save_as, context, local)
            if self._skip(path, key, override_output):
                continue
            self._write(template, context, local, path, override_output, key)

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

    def _skip(self, path: str, key: bytes | None, override: bool) -> bool:
        """Tell whether a page can stay as it is; if so, do the bookkeeping of a write."""
        if key is None or path in self._overridden_files or not self.is_current(path, key):
            return False
        # What Pelican's _open_w notes of a write, so "written twice" is still caught.
        if path in self._written_files and not override:
            raise FileOverwriteFailedError(
                f'Failed to overwrite "{path}" as Pelican has already written to it previously '
                "(set `override=True` if intended)")
        if override:
            self._overridden_files.add(path)
        self._written_files.add(path)
        LAST.skipped += 1
        return True

    def _write(self, template: Any, context: dict[str, Any], local: dict[str, Any], path: str,
               override: bool, key: bytes | None) -> None:
        """Render and write one file, remembering what it was made from."""
        if local["localsiteurl"]:
            context["localsiteurl"] = local["localsiteurl"]  # as Pelican's writer: links follow it
        output = template.render(local)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with self._open_w(path, "utf-8", override=override) as handle:
            handle.write(output)
        self.remember(path, key)
        LAST.rendered += 1
        signals.content_written.send(path, context=local)

    # Fingerprint of one page.

    def _plan(self, template: Any) -> Plan:
        plan = self._plans.get(template.name)
        if plan is not None:
            return plan
        if self.state.plans_site == self.site():  # same theme, code and settings as last time
            plan = self.state.plans.get(template.name)
        if plan is None:
            try:
                plan = make_plan(template.environment, template.name, self._trees)
            except Exception as problem:  # noqa: BLE001 - a template we cannot read: render it
                plan = Plan(untrusted=f"{template.name} cannot be analysed ({problem})")
        if plan.untrusted:
            self._everything(plan.untrusted, quiet=False)
        self._plans[template.name] = plan
        return plan

    def _page_key(self, template: Any, name: str, context: dict[str, Any], local: dict[str, Any]) -> bytes | None:
        """Fingerprint one page: its template, its path, the values its templates read."""
        if self.site() is None:
            return None
        plan = self._plan(template)
        if plan.untrusted:
            return None
        own = local.get("article") if "article" in plan.names else None
        if own is None and "page" in plan.names and isinstance(local.get("page"), Content):
            own = local.get("page")
        try:
            shared, values = self._shared_part(template.name, plan, context, local), []
            for variable in plan.names:
                if variable not in local:
                    values.append((variable, _MISSING))
                elif local[variable] is not context.get(variable, _MISSING):  # this page's own
                    values.append((variable, self._value(local[variable], context, own, variable in plan.term_texts,
                                                         variable in TERM_LISTS)))
        except Unstable as unstable:
            self._everything(f"{template.name}: a value cannot be fingerprinted ({unstable})")
            return None
        return self.output_key("page", template.name, name, shared, values)

    def _shared_part(self, template_name: str, plan: Plan, context: dict[str, Any],
                     local: dict[str, Any]) -> bytes:
        """Fingerprint the variables a template reads from the context every page shares.

        Computed once per template and build: the shared context holds the settings and the
        lists of all texts, and does not change while pages are written (but for
        ``localsiteurl``, whose value is checked).
        """
        shared = [(variable, local[variable]) for variable in plan.names
                  if variable in local and local[variable] is context.get(variable, _MISSING)]
        identity = tuple((variable, id(value)) if not isinstance(value, str) else (variable, value)
                         for variable, value in shared)
        known = self._values.get(template_name)
        if known is None or known[0] != identity:
            encoded = [(variable, self._value(value, context, None, variable in plan.term_texts,
                                              variable in TERM_LISTS)) for variable, value in shared]
            known = (identity, digest("shared", encoded), shared)  # shared: keeps the ids valid
            self._values[template_name] = known
        return known[1]

    def _value(self, value: Any, context: dict[str, Any], own: Any, term_texts: bool = True,
               term_list: bool = False) -> Any:
        """Describe a template variable by what templates can show of it."""
        if isinstance(value, Content):
            if value is own:
                return ("text", self.texts.text(value, context))
            return ("listed", self.texts.listing(value))
        if isinstance(value, Page):
            # Each page of a list is also the next of one page and the previous of another.
            key = (id(value.paginator), value.number)
            known = self._pages.get(key)
            if known is None or known[0] is not value.paginator:
                known = (value.paginator, digest(
                    "page", value.full_name, value.base_url, value.number, value.paginator.num_pages,
                    value.paginator.per_page, value.paginator.count,
                    [self._value(item, context, own) for item in value.object_list]))
                self._pages[key] = known
            return known[1]
        if isinstance(value, Paginator):
            return ("paginator", value.name, value.url, value.num_pages, value.per_page, value.count)
        if term_list and isinstance(value, (list, tuple)):
            # [(category, its texts), …]: the texts count only when a template reads them.
            return [self._term(entry, context, own, term_texts) for entry in value]
        if isinstance(value, (list, tuple)):
            return [self._value(item, context, own) for item in value]
        if isinstance(value, dict):
            return {key: self._value(item, context, own) for key, item in value.items()}
        if isinstance(value, URLWrapper):
            return value  # name and slug (fingerprints.py)
        return value

    def _term(self, entry: Any, context: dict[str, Any], own: Any, texts: bool) -> Any:
        if isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[1], (list, tuple)):
            term, items = entry
            return (self._value(term, context, own),
                    [self._value(item, context, own) for item in items] if texts else len(items))
        return self._value(entry, context, own)

    def _everything(self, reason: str, quiet: bool = True) -> None:
        if not LAST.everything:
            LAST.everything = reason
        (log.debug if quiet else log.info)("preview: pages rendered at every build: %s", reason)


_CURRENT: FastWriter | None = None


def provide_writer(pelican: Any) -> type[Writer] | None:
    """Give Pelican the fast writer when the settings ask for it (FAST_REBUILD)."""
    return FastWriter if pelican.settings.get("FAST_REBUILD") else None


def keep_file(path: str, inputs: Any = None) -> bool:
    """Answer plugins/feeds' KEEP_SIGNAL: True when ``path`` was written from ``inputs``."""
    return _CURRENT is not None and _CURRENT.keep_file(path, inputs)


def save_records(pelican: Any) -> None:
    """At ``finalized``: keep what this build wrote, for the next one."""
    global _CURRENT
    writer, _CURRENT = _CURRENT, None
    if writer is not None and pelican.settings.get("FAST_REBUILD"):
        writer.finish()


class MemoryBytecodeCache(BytecodeCache):
    """Jinja2's compiled templates, kept in memory across the builds of one process.

    Pelican makes new Jinja2 environments at each build, which compile every template again;
    the bucket key includes a checksum of the template's source, so an edited template is
    compiled afresh.
    """

    def __init__(self) -> None:
        self._store: dict[str, bytes] = {}

    def __repr__(self) -> str:  # a setting (JINJA_ENVIRONMENT): fingerprinted by its repr
        return "MemoryBytecodeCache()"

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
        # quick. In a folder of its own: make html's settings differ (feeds), and a cache
        # written with other settings is dropped (drop_unsafe_content_cache).
        "GZIP_CACHE": False,
        "CACHE_PATH": os.path.join(settings["CACHE_PATH"], "apercu"),
        "JINJA_ENVIRONMENT": {**settings.get("JINJA_ENVIRONMENT", {}), "bytecode_cache": _BYTECODE},
    }
    if not all_feeds:
        # A feed per category and per tag (140 at 1,000 articles) takes longer than the rest
        # of a rebuild; the preview keeps the two feeds of the whole site.
        feeds = dict(settings.get("FEEDS") or {})
        feeds.update(dict.fromkeys(("category_atom", "category_rss", "tag_atom", "tag_rss")))
        changes["FEEDS"] = feeds
    return changes
