"""Texts read in parallel, before Pelican's generators ask for them one at a time.

At the first ``article_generator_preread`` (or ``page_generator_preread``) of a build, the
generator's files that Pelican's content cache does not hold are read by forked workers
(parallel.py) with the generator's own readers; each answer goes into that cache through its
public ``cache_data``, so the generator's loop then finds every text there. The lines the
readers logged in a worker are logged again here, in order; a file a worker could not read is
left to Pelican, which reads it and reports the problem as usual.

Only with Pelican's reader-level content cache (``CACHE_CONTENT``,
``CONTENT_CACHING_LAYER = "reader"``): without it there is nowhere to put the answers.
"""

from __future__ import annotations

import logging
import os
import weakref
from typing import Any

from pelican.utils import file_suffix

from . import parallel, pelican_internals

log = logging.getLogger(__name__)

# Generators whose files were read ahead already (one build each).
_DONE: weakref.WeakSet[Any] = weakref.WeakSet()


def read_ahead(generator: Any) -> None:
    """At a generator's first preread signal: read its uncached files in parallel."""
    settings = generator.settings
    if generator in _DONE or not settings.get("FAST_REBUILD"):
        return
    _DONE.add(generator)
    if not (settings.get("CACHE_CONTENT") and settings.get("CONTENT_CACHING_LAYER") == "reader"):
        return
    readers = generator.readers
    wanted = []
    for relative in sorted(pelican_internals.source_files(generator)):
        path = os.path.abspath(os.path.join(generator.path, relative))
        if file_suffix(path) in readers.readers and readers.get_cached_data(path, None) is None:
            wanted.append(path)
    count = parallel.worker_count(settings, len(wanted))
    if count <= 1:
        return  # Pelican reads them itself, as usual
    answers = parallel.run(wanted, lambda share: _read(readers, share), count)
    kept = 0
    for answer in answers:
        for path, stamp, data, records in answer:
            if data is None or _mtime(path) != stamp:
                continue  # unreadable, or changed meanwhile: Pelican reads it
            for name, level, message in records:
                logging.getLogger(name).log(level, "%s", message)
            readers.cache_data(path, data)
            kept += 1
    log.debug("fast_build: %d of %d texts read ahead by %d processes", kept, len(wanted), count)


def _mtime(path: str) -> float | None:
    try:
        return os.path.getmtime(path)
    except OSError:
        return None


def _read(readers: Any, paths: list[str]) -> list[tuple[str, float | None, Any, list[tuple[str, int, str]]]]:
    """Read a share of files; each answer is (path, its date before reading, data or None, logs)."""
    root = logging.getLogger()
    answers = []
    for path in paths:
        stamp = _mtime(path)
        collect = parallel.Collect()
        saved = root.handlers[:]
        root.handlers[:] = [collect]
        try:
            data = pelican_internals.cacheable_reading(readers.readers[file_suffix(path)], path)
        except Exception:  # noqa: BLE001 - Pelican reads it again and reports the problem
            data, collect.records = None, []
        finally:
            root.handlers[:] = saved
        answers.append((path, stamp, data, collect.records))
    return answers
