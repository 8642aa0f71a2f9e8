"""Slugs: the one rule for poll ids, option keys and article addresses, and how to make one."""

from __future__ import annotations

import re
import unicodedata

# Lower-case ASCII letters and digits, words joined by single hyphens: "don-en-ligne".
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# A poll id is a database key (64 characters) and part of element ids and addresses.
MAX_ID_LENGTH = 64


def slugify(text: str) -> str:
    """Turn a label into a stable key: "Oui, régulièrement" -> "oui-regulierement"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def is_poll_id(value: object) -> bool:
    """Tell whether ``value`` could be a poll's id (a slug of at most MAX_ID_LENGTH characters)."""
    return isinstance(value, str) and len(value) <= MAX_ID_LENGTH and SLUG_RE.match(value) is not None
