"""The fingerprint of each page: its template, its path, and the values its templates read.

For the whole site: every setting, the versions of the libraries that shape pages, our code
(caches.code_digest) and every file of the theme (templates, catalogs, CSS). For a page: the
value of each variable its templates read (templates.make_plan). A text shown in full (the
page's own article or page) counts with its HTML and what its links point to; a text in a
list counts with its metadata and summary; a page of a list with its number, the number of
pages and its texts; a category, tag or author with its name and number of texts (with its
texts too when a template reads them). See texts.py.

What cannot be fingerprinted gives no key (None): such a page is rendered at every build,
and ``LAST.everything`` says why.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jinja2 import nodes
from pelican.contents import Content
from pelican.paginator import Page, Paginator
from pelican.urlwrappers import URLWrapper

from . import fingerprints
from .caches import build_digest
from .fingerprints import Unstable, digest
from .pelican_internals import MISSING
from .records import FORMAT, State
from .templates import TERM_LISTS, Plan, make_plan
from .texts import Fingerprints

log = logging.getLogger(__name__)


@dataclass
class Counts:
    """How the last build went: pages rendered and skipped, and why all were rendered if so."""

    rendered: int = 0
    skipped: int = 0
    everything: str = ""

    def reset(self) -> None:
        """Start counting a new build."""
        self.rendered = self.skipped = 0
        self.everything = ""


LAST = Counts()


def everything(reason: str, quiet: bool = True) -> None:
    """Note why pages are rendered at every build (the first reason of the build is kept)."""
    if not LAST.everything:
        LAST.everything = reason
    (log.debug if quiet else log.info)("fast_build: pages rendered at every build: %s", reason)


class PageKeys:
    """Compute the fingerprints of one build's pages and files, reusing what pages share."""

    def __init__(self, settings: dict[str, Any], state: State):
        self.settings = settings
        self.state = state
        self.texts = Fingerprints()
        self.plans: dict[str, Plan] = {}
        self._site: bytes | None = None
        self._trees: dict[str, nodes.Template] = {}
        self._pages: dict[tuple[int, int], tuple[Paginator, bytes]] = {}
        self._values: dict[str, tuple[Any, ...]] = {}  # template -> its shared variables, encoded

    def site(self) -> bytes | None:
        """Fingerprint what every file depends on; None when it cannot be (then render all)."""
        if self._site is None:
            settings = self.settings
            try:
                self._site = digest("site", FORMAT, build_digest(settings), fingerprints.files_digest(
                    [settings["THEME"], *settings.get("THEME_TEMPLATES_OVERRIDES", ()),
                     *settings.get("EXTRA_TEMPLATES_PATHS", ())]))
            except Unstable as unstable:
                everything(f"a setting cannot be fingerprinted ({unstable})")
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
            everything(f"a value cannot be fingerprinted ({unstable})")
            return None

    def file_key(self, path: str, inputs: Any, context: dict[str, Any]) -> bytes | None:
        """Fingerprint a plugin's file made from ``inputs``; texts among them count in full."""
        try:
            return self.output_key("file", self._inputs(inputs, context))
        except Unstable as unstable:
            everything(f"{path}: a value cannot be fingerprinted ({unstable})")
            return None

    def _inputs(self, value: Any, context: dict[str, Any]) -> Any:
        if isinstance(value, Content):
            return ("text", self.texts.text(value, context))
        if isinstance(value, (list, tuple)):
            return [self._inputs(item, context) for item in value]
        return value

    def plan(self, template: Any) -> Plan:
        """Return what the pages of ``template`` depend on (made once per build)."""
        plan = self.plans.get(template.name)
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
            everything(plan.untrusted, quiet=False)
        self.plans[template.name] = plan
        return plan

    def page_key(self, template: Any, name: str, context: dict[str, Any],
                 value_of: Callable[[str], Any]) -> bytes | None:
        """Fingerprint one page: its template, its path, the values its templates read.

        ``value_of(variable)`` is what the page's template sees (MISSING when nothing).
        """
        if self.site() is None:
            return None
        plan = self.plan(template)
        if plan.untrusted:
            return None
        local = {variable: value_of(variable) for variable in plan.names}
        own = local.get("article") if "article" in plan.names else None
        if not isinstance(own, Content) and isinstance(local.get("page"), Content):
            own = local.get("page")
        try:
            shared, values = self._shared_part(template.name, plan, context, local), []
            for variable, value in local.items():
                if value is MISSING:
                    values.append((variable, MISSING))
                elif value is not context.get(variable, MISSING):  # this page's own
                    values.append((variable, self._value(value, context, own, variable in plan.term_texts,
                                                         variable in TERM_LISTS)))
        except Unstable as unstable:
            everything(f"{template.name}: a value cannot be fingerprinted ({unstable})")
            return None
        return self.output_key("page", template.name, name, shared, values)

    def _shared_part(self, template_name: str, plan: Plan, context: dict[str, Any],
                     local: dict[str, Any]) -> bytes:
        """Fingerprint the variables a template reads from the context every page shares.

        Computed once per template and build: the shared context holds the settings and the
        lists of all texts, and does not change while pages are written (but for
        ``localsiteurl``, whose value is checked).
        """
        shared = [(variable, value) for variable, value in local.items()
                  if value is not MISSING and value is context.get(variable, MISSING)]
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
