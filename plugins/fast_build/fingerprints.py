"""Stable fingerprints of what a page is made from, for fast builds (keys.py, caches.py).

A fingerprint is a BLAKE2b digest of a canonical serialisation: the same inputs give the same
bytes in every process, on every run (Python's ``hash()`` of a string changes from one process
to the next), so the fast writer can keep them in the cache folder between builds.

The serialisation knows the values Pelican puts in settings, metadata and template contexts:
strings, numbers, containers, dates, paths, categories/tags/authors, dataclasses (polls),
functions (by their code). Anything else is serialised by its ``repr`` when that repr is
stable; a value whose repr shows a memory address cannot be fingerprinted: ``Unstable`` is
raised, and the fast writer renders everything (see ``FastWriter``).
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import importlib.metadata
import marshal
import os
import platform
import re
from collections.abc import Iterable
from datetime import date, datetime, time
from functools import lru_cache
from pathlib import PurePath
from typing import Any

from pelican.urlwrappers import URLWrapper

DIGEST_SIZE = 20
# The packages whose code shapes the pages: a new version renders (and reads) everything again.
PACKAGES = ("pelican", "jinja2", "markupsafe", "markdown", "pygments", "docutils", "babel",
            "feedgen", "lxml", "typogrify", "smartypants")
# Settings that say how to run the build, not what it makes (`pelican -D`, `--listen`…). A
# template that shows one reads it as a variable, which counts for its pages.
NOT_OUTPUT_SETTINGS = frozenset({"WRITE_SELECTED", "LOAD_CONTENT_CACHE", "DEBUG", "PORT", "BIND"})
_ADDRESS_RE = re.compile(r" at 0x[0-9a-fA-F]+")


class Unstable(Exception):
    """A value has no serialisation that is the same in every process."""


def digest(*parts: Any) -> bytes:
    """Return the fingerprint of ``parts`` (raises ``Unstable``)."""
    out = bytearray()
    _encode(parts, out)
    return hashlib.blake2b(bytes(out), digest_size=DIGEST_SIZE).digest()


def _text(tag: bytes, data: bytes, out: bytearray) -> None:
    out += b"%s%d:" % (tag, len(data))
    out += data


def _encode(value: Any, out: bytearray) -> None:  # noqa: C901, PLR0912 (one case per kind)
    kind = type(value)
    # The most frequent kinds first, written out: a build encodes some 200,000 values.
    if kind is bytes:
        out += b"b%d:" % len(value)
        out += value
    elif kind is str:
        data = value.encode("utf-8", "surrogatepass")
        out += b"s%d:" % len(data)
        out += data
    elif kind is tuple or kind is list:
        out += b"(" if kind is tuple else b"["
        for item in value:
            _encode(item, out)
        out += b")"
    elif value is None:
        out += b"N"
    elif kind is bool:
        out += b"T" if value else b"F"
    elif kind is int:
        out += b"i%d:" % value
    elif kind is float:
        _text(b"f", repr(value).encode(), out)
    elif kind is dict and all(type(key) is str for key in value):  # metadata, settings
        out += b"{"
        for key in sorted(value):
            _encode(key, out)
            _encode(value[key], out)
        out += b"}"
    elif isinstance(value, dict):
        out += b"{"
        _name(value, out)
        for key, encoded in sorted((_alone(key), _alone(item)) for key, item in value.items()):
            out += key
            out += encoded
        out += b"}"
    elif isinstance(value, (set, frozenset)):
        out += b"<"
        for encoded in sorted(_alone(item) for item in value):
            out += encoded
        out += b">"
    elif isinstance(value, str):  # Markup and other str subclasses render differently
        _name(value, out)
        _text(b"s", str.__str__(value).encode("utf-8", "surrogatepass"), out)
    elif isinstance(value, (datetime, date, time)):
        _name(value, out)
        _text(b"d", value.isoformat().encode(), out)
        tzinfo = getattr(value, "tzinfo", None)
        if tzinfo is not None:
            try:
                zone = _ZONES.get(tzinfo)
            except TypeError:  # an unhashable time zone
                zone = None
            if zone is None:
                zone = _stable_repr(tzinfo).encode()
                try:
                    _ZONES[tzinfo] = zone
                except TypeError:
                    pass
            _text(b"z", zone, out)
        else:
            out += b"z0:"
    elif isinstance(value, URLWrapper):
        # Its address comes from its name, its slug and the settings (fingerprinted apart).
        _name(value, out)
        _encode((value.name, value.slug), out)
    elif isinstance(value, PurePath):
        _text(b"p", str(value).encode("utf-8", "surrogatepass"), out)
    elif isinstance(value, enum.Enum):
        _name(value, out)
        _encode(value.value, out)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        _name(value, out)
        _encode(tuple((f.name, getattr(value, f.name)) for f in dataclasses.fields(value)), out)
    elif isinstance(value, (int, float)):  # subclasses (IntEnum is handled above)
        _name(value, out)
        _encode(int(value) if isinstance(value, int) else float(value), out)
    elif isinstance(value, (tuple, list)):  # named tuples…
        _name(value, out)
        _encode(list(value), out)
    elif isinstance(value, type):
        _text(b"c", f"{value.__module__}.{value.__qualname__}".encode(), out)
    elif hasattr(value, "__code__") and hasattr(value, "__qualname__"):
        # A function of the settings (JINJA_FILTERS…): its name and its compiled code.
        _text(b"F", f"{value.__module__}.{value.__qualname__}".encode(), out)
        _text(b"b", marshal.dumps(value.__code__), out)
        _encode(value.__defaults__, out)
    elif isinstance(value, re.Pattern):
        _name(value, out)
        _encode((value.pattern, value.flags), out)
    else:
        _name(value, out)
        _text(b"r", _stable_repr(value).encode("utf-8", "surrogatepass"), out)


def _alone(value: Any) -> bytes:
    out = bytearray()
    _encode(value, out)
    return bytes(out)


def _name(value: Any, out: bytearray) -> None:
    kind = type(value)
    name = _TYPES.get(kind)
    if name is None:
        data = f"{kind.__module__}.{kind.__qualname__}".encode()
        name = _TYPES[kind] = b"t%d:%s" % (len(data), data)
    out += name


# Encodings computed once per process: type names, time zones (a date's zone is one object).
_TYPES: dict[type, bytes] = {}
_ZONES: dict[Any, bytes] = {}


def _stable_repr(value: Any) -> str:
    text = repr(value)
    if _ADDRESS_RE.search(text):
        raise Unstable(f"{type(value).__module__}.{type(value).__qualname__}: {text[:80]}")
    return text


@lru_cache(maxsize=1)
def versions() -> tuple[tuple[str, str], ...]:
    """Return Python's version and the versions of the packages that shape the pages."""
    found = [("python", platform.python_version())]
    for name in PACKAGES:
        try:
            found.append((name, importlib.metadata.version(name)))
        except importlib.metadata.PackageNotFoundError:
            continue
    return tuple(found)


def settings_digest(settings: dict[str, Any]) -> bytes:
    """Fingerprint the settings and the packages: what Pelican's content cache depends on."""
    kept = {key: value for key, value in settings.items() if key not in NOT_OUTPUT_SETTINGS}
    return digest("settings", versions(), kept)


def files_digest(folders: Iterable[str], suffixes: tuple[str, ...] | None = None) -> bytes:
    """Fingerprint the files under ``folders`` by name and content (all, or these suffixes)."""
    found = []
    for folder in folders:
        for parent, dirs, files in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                if suffixes is None or name.endswith(suffixes):
                    path = os.path.join(parent, name)
                    with open(path, "rb") as handle:
                        found.append((os.path.relpath(path, folder), handle.read()))
    return digest("files", found)
