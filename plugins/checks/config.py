"""What the checker needs to know of Pelican's settings, read once into a plain object.

The build hands its settings over; ``python -m checks`` reads pelicanconf.py with Pelican's own
``read_settings``. Both end here, so both check the same files with the same rules.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

from pelican.readers import default_metadata, parse_path_metadata, path_metadata
from pelican.utils import slugify

MARKDOWN_EXTENSIONS = ("md", "markdown", "mkd", "mdown")
# What Pelican reads to give a file metadata its header does not hold (DEFAULT_CATEGORY is left
# out: an article that only gets the default category is worth a word to its writer).
PATH_METADATA_SETTINGS = ("DEFAULT_METADATA", "DEFAULT_DATE", "EXTRA_PATH_METADATA", "FILENAME_METADATA",
                          "PATH_METADATA", "USE_FOLDER_AS_CATEGORY", "CATEGORY_SAVE_AS")
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
    static_excludes: tuple[str, ...]
    ignore_files: tuple[str, ...]
    default_category: str
    url_patterns: Mapping[str, str]  # kind ("article", "page", "draft", "draft_page") -> save_as
    reserved: frozenset[str]  # first path segments the site or the service already uses
    include_drafts: bool
    timezone: str  # dates without an offset are in this zone (TIMEZONE)
    slugify: Callable[[str], str]
    # The settings of PATH_METADATA_SETTINGS, for implied_metadata.
    path_settings: Mapping[str, Any] = field(default_factory=dict, compare=False)

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
            static_excludes=tuple(settings.get("STATIC_EXCLUDES") or ()),
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
            timezone=str(settings.get("TIMEZONE") or "UTC"),
            slugify=partial(
                _slugify,
                regex_subs=tuple(tuple(sub) for sub in settings.get("SLUG_REGEX_SUBSTITUTIONS", [])),
                preserve_case=bool(settings.get("SLUGIFY_PRESERVE_CASE", False)),
                use_unicode=bool(settings.get("SLUGIFY_USE_UNICODE", False)),
            ),
            path_settings={key: settings[key] for key in PATH_METADATA_SETTINGS if key in settings},
        )

    def is_static(self, relative: str) -> bool:
        """Tell whether a file (relative to content/, "/"-separated) is copied as it is (STATIC_PATHS)."""
        def under(paths: tuple[str, ...]) -> bool:
            return any(relative == path.strip("/") or relative.startswith(path.strip("/") + "/")
                       for path in paths if path.strip("/"))
        return under(self.static_paths) and not under(self.static_excludes)

    def implied_metadata(self, relative: str) -> dict[str, Any]:
        """Return the metadata Pelican gives a file besides its header: defaults, path, folder.

        Pelican's own functions, with the same settings: a category given by the file's folder
        (USE_FOLDER_AS_CATEGORY), a date by its name (FILENAME_METADATA) or by DEFAULT_DATE...
        """
        found = default_metadata(self.path_settings)
        found.update(path_metadata(str(self.content / relative), relative, self.path_settings))
        found.update(parse_path_metadata(relative, self.path_settings))
        return found


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
