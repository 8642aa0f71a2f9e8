"""The settings ``make devserver`` changes for its rebuilds (tools/devserver.py applies them)."""

from __future__ import annotations

import os
from typing import Any

from .caches import MEMORY_BYTECODE


def fast_rebuild_settings(settings: dict[str, Any], all_feeds: bool = False) -> dict[str, Any]:
    """Return the settings the dev server changes for fast rebuilds (to apply before Pelican())."""
    changes: dict[str, Any] = {
        "FAST_REBUILD": True,
        # Pelican rewrites its whole content cache after each build: uncompressed, that is
        # quick. In a folder of its own: make html's settings differ (feeds).
        "GZIP_CACHE": False,
        "CACHE_PATH": os.path.join(settings["CACHE_PATH"], "apercu"),
        "JINJA_ENVIRONMENT": {**settings.get("JINJA_ENVIRONMENT", {}), "bytecode_cache": MEMORY_BYTECODE},
    }
    if not all_feeds:
        # A feed per category and per tag (140 at 1,000 articles) takes longer than the rest
        # of a rebuild; the preview keeps the two feeds of the whole site.
        feeds = dict(settings.get("FEEDS") or {})
        feeds.update(dict.fromkeys(("category_atom", "category_rss", "tag_atom", "tag_rss")))
        changes["FEEDS"] = feeds
    return changes
