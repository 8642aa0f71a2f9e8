"""What the checker needs to know of Pelican's settings, read once into a plain object.

The build hands its settings over; ``python -m checks`` reads pelicanconf.py with Pelican's own
``read_settings``. Both end here, so both check the same files with the same rules.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

from pelican.utils import slugify

MARKDOWN_EXTENSIONS = ("md", "markdown", "mkd", "mdown")
# Addresses served by the poll service next to the site (see DESIGN.md, Production): an
# article there would be hidden behind the service.
SERVICE_PREFIXES = ("api", "polls", "healthz")


@dataclass(frozen=True)
class CheckConfig:
    """The settings of one site, as the checker uses them."""

    content: Path
    article_paths: tuple[str, ...]
    article_excludes: tuple[str, ...]
    page_paths: tuple[str, ...]
    page_excludes: tuple[str, ...]
    static_paths: tuple[str, ...]
    ignore_files: tuple[str, ...]
    default_category: str
    url_patterns: Mapping[str, str]  # kind ("article", "page", "draft", "draft_page") -> save_as
    reserved: frozenset[str]  # first path segments the site or the service already uses
    include_drafts: bool
    slugify: Callable[[str], str]

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> CheckConfig:
        """Build the configuration from a Pelican settings dict."""
        return cls(
            content=Path(settings["PATH"]).resolve(),
            article_paths=tuple(settings.get("ARTICLE_PATHS") or [""]),
            article_excludes=tuple(settings.get("ARTICLE_EXCLUDES") or ()),
            page_paths=tuple(settings.get("PAGE_PATHS") or ["pages"]),
            page_excludes=tuple(settings.get("PAGE_EXCLUDES") or ()),
            static_paths=tuple(settings.get("STATIC_PATHS") or ()),
            ignore_files=tuple(settings.get("IGNORE_FILES") or ()),
            default_category=str(settings.get("DEFAULT_CATEGORY") or "misc"),
            url_patterns={
                "article": str(settings.get("ARTICLE_SAVE_AS") or "{slug}.html"),
                "page": str(settings.get("PAGE_SAVE_AS") or "pages/{slug}.html"),
                "draft": str(settings.get("DRAFT_SAVE_AS") or "drafts/{slug}.html"),
                "draft_page": str(settings.get("DRAFT_PAGE_SAVE_AS") or "drafts/pages/{slug}.html"),
            },
            reserved=frozenset(_reserved_segments(settings)),
            include_drafts=bool(settings.get("SHOW_DRAFTS", True)),
            slugify=partial(
                _slugify,
                regex_subs=tuple(tuple(sub) for sub in settings.get("SLUG_REGEX_SUBSTITUTIONS", [])),
                preserve_case=bool(settings.get("SLUGIFY_PRESERVE_CASE", False)),
                use_unicode=bool(settings.get("SLUGIFY_USE_UNICODE", False)),
            ),
        )


@lru_cache(maxsize=50_000)
def _slugify(value: str, regex_subs: tuple, preserve_case: bool, use_unicode: bool) -> str:
    """Pelican's slugify, remembered: the dev server checks the same titles on every save."""
    return slugify(value, regex_subs=list(regex_subs), preserve_case=preserve_case, use_unicode=use_unicode)


def _first_segment(pattern: Any) -> str | None:
    """Return the first folder of an output path pattern, if it is a fixed name."""
    if not isinstance(pattern, str) or "/" not in pattern:
        return None
    first = pattern.split("/", 1)[0]
    return first if first and "{" not in first else None


def _reserved_segments(settings: Mapping[str, Any]) -> set[str]:
    """Collect the first folders of every output path that is not an article or a page."""
    own = {"ARTICLE_SAVE_AS", "PAGE_SAVE_AS", "ARTICLE_LANG_SAVE_AS", "PAGE_LANG_SAVE_AS"}
    names = {_first_segment(value) for key, value in settings.items()
             if (key.endswith("_SAVE_AS") or "FEED" in key) and key not in own}
    # Plugins' own settings of output paths (FEEDS of plugins/feeds: {"all_atom": "feeds/…"}).
    names |= {_first_segment(value) for key, values in settings.items()
              if "FEED" in key and isinstance(values, dict) for value in values.values()}
    names |= set(settings.get("STATIC_PATHS") or ())
    names |= {str(settings.get("THEME_STATIC_DIR") or "theme"), *SERVICE_PREFIXES}
    return {name for name in names if name}
