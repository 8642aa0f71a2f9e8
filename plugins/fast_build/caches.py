"""Caches kept between builds, each in a folder named after what its data depends on.

Pelican trusts a cached text as long as its file's date is unchanged; but the cached HTML and
categories, tags and authors keep the settings, plugins and libraries they were read with.
Under ``FAST_REBUILD``, at ``initialized``, ``CACHE_PATH`` becomes a folder of its own named
after a fingerprint of the settings, the library versions and our code (``PLUGIN_PATHS`` and
the packages in ``FAST_REBUILD_PACKAGES``): a cache written by another build (``make publish``,
an older version of the site, other settings) is simply never read. Pelican's own setting is
all it takes; nothing reaches into its cache.

Jinja2's compiled templates are kept too (Pelican compiles every template at every build):
in that folder for ``make html``, in memory across the builds of ``make devserver``.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import shutil
from functools import lru_cache
from typing import Any

from jinja2.bccache import BytecodeCache, Bucket, FileSystemBytecodeCache

from . import fingerprints
from .fingerprints import Unstable, digest

log = logging.getLogger(__name__)

PREFIX = "fast-build-"


def code_digest(settings: dict[str, Any]) -> bytes:
    """Fingerprint the code of the build: our plugins and the packages they rely on."""
    folders = list(settings.get("PLUGIN_PATHS") or ())
    folders += [folder for name in settings.get("FAST_REBUILD_PACKAGES") or () for folder in _package_folders(name)]
    return fingerprints.files_digest(folders, None)


@lru_cache(maxsize=None)
def _package_folders(name: str) -> tuple[str, ...]:
    spec = importlib.util.find_spec(name)
    return tuple(spec.submodule_search_locations or ()) if spec is not None else ()


def build_digest(settings: dict[str, Any]) -> bytes:
    """Fingerprint what Pelican's content cache depends on: settings, library versions, code."""
    return digest("build", fingerprints.settings_digest(settings), code_digest(settings))


def use_own_cache_folder(pelican: Any) -> None:
    """At ``initialized``: point ``CACHE_PATH`` at the folder of these settings and this code.

    Folders of other fingerprints beside it are removed. When a setting cannot be
    fingerprinted, no cache can be trusted: Pelican reads every text (``LOAD_CONTENT_CACHE``).
    """
    settings = pelican.settings
    if not settings.get("FAST_REBUILD"):
        return
    try:
        name = PREFIX + build_digest(settings).hex()[:20]
    except Unstable as unstable:
        log.info("fast_build: a setting cannot be fingerprinted (%s): every text is read", unstable)
        settings["LOAD_CONTENT_CACHE"] = False
        return
    base = settings["CACHE_PATH"]
    if os.path.isdir(base):
        for old in os.listdir(base):
            if old.startswith(PREFIX) and old != name:
                shutil.rmtree(os.path.join(base, old), ignore_errors=True)
    settings["CACHE_PATH"] = os.path.join(base, name)


def use_bytecode_cache(generator: Any) -> None:
    """At ``generator_init``: keep Jinja2's compiled templates in the cache folder between builds.

    Compiled code also depends on the environment's options and extensions (settings and
    plugins), which Jinja2's cache does not check: the cache folder is named after them.
    """
    settings = generator.settings
    env = getattr(generator, "env", None)
    if not settings.get("FAST_REBUILD") or env is None or env.bytecode_cache is not None:
        return
    if not os.path.basename(settings["CACHE_PATH"]).startswith(PREFIX):
        return  # settings that could not be fingerprinted
    folder = os.path.join(settings["CACHE_PATH"], "jinja2")
    os.makedirs(folder, exist_ok=True)
    env.bytecode_cache = FileSystemBytecodeCache(folder)


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


MEMORY_BYTECODE = MemoryBytecodeCache()
