"""Drafts: built and listed in the preview, absent from the published site.

``SHOW_DRAFTS = False`` (publishconf.py) turns every ``Status: draft`` article or page into
Pelican's own ``skip`` status as soon as its metadata is read. Pelican then drops it before it
joins any list: no page under brouillons/, no entry in the feeds, the sitemap, the listings,
the links between articles or the polls manifest. Setting ``DRAFT_SAVE_AS = ""`` instead would
only stop the draft's own page from being written, and leave it everywhere else.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)


def skip_drafts(generator: Any, metadata: dict[str, Any]) -> None:
    """Mark a draft as skipped when the settings say drafts are not shown."""
    if generator.settings.get("SHOW_DRAFTS", True):
        return
    if str(metadata.get("status", "")).strip().lower() == "draft":
        metadata["status"] = "skip"
        log.debug("preview: draft %r left out (SHOW_DRAFTS is False)", metadata.get("title"))
