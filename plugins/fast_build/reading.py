"""Texts read in parallel, before Pelican's generators ask for them one at a time.

As soon as a generator of texts exists (``generator_init``, before plugins/checks reads the
content), the files Pelican's content cache does not hold are handed to forked workers
(parallel.py) that read them with the generator's own readers, while this process goes on
(the content checks run meanwhile). At the generator's first ``article_generator_preread``
(or ``page_generator_preread``), this process reads what the workers have not taken yet, and
each answer goes into Pelican's content cache through its public ``cache_data``, so the
generator's loop then finds every text there. The lines the readers logged in a worker are
logged again here, in the order of the files; a file a worker could not read is left to
Pelican, which reads it and reports the problem as usual.

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

# Generators whose files were read ahead already (one build each), and the work under way (held
# until finished: a build stopped early leaves its generator here until the next build ends it).
_DONE: weakref.WeakSet[Any] = weakref.WeakSet()
_STARTED: dict[Any, tuple[list[str], parallel.Pending]] = {}


def start_reading(generator: Any) -> None:
    """At ``generator_init``: hand the generator's uncached files to forked workers."""
    settings = generator.settings
    if generator in _DONE or not settings.get("FAST_REBUILD") or not hasattr(generator, "readers"):
        return
    for other, (_, pending) in list(_STARTED.items()):
        if other.context is not generator.context:  # left by a build that stopped early
            pending.cancel()
            _STARTED.pop(other, None)
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
    _DONE.add(generator)
    _STARTED[generator] = (wanted, parallel.start(wanted, lambda chunk: _read(readers, chunk), count))


def read_ahead(generator: Any) -> None:
    """At a generator's first preread signal: finish reading its uncached files in parallel."""
    started = _STARTED.pop(generator, None)
    if started is None:
        return
    wanted, pending = started
    readers = generator.readers
    kept = 0
    for answer in pending.finish():
        for path, stamp, data, records in answer:
            if data is None or _mtime(path) != stamp:
                continue  # unreadable, or changed meanwhile: Pelican reads it
            for name, level, message in records:
                logging.getLogger(name).log(level, "%s", message)
            readers.cache_data(path, data)
            kept += 1
    log.debug("fast_build: %d of %d texts read ahead", kept, len(wanted))


def _mtime(path: str) -> float | None:
    try:
        return os.path.getmtime(path)
    except OSError:
        return None


def _read(readers: Any, paths: list[str]) -> list[tuple[str, float | None, Any, list[tuple[str, int, str]]]]:
    """Read a chunk of files; each answer is (path, its date before reading, data or None, logs)."""
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
