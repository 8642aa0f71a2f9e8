"""What fast builds remember between builds: the fingerprint each output file was written from.

The records live in the cache folder (``CACHE_PATH``/fast-build.pickle), so a new ``make html``
process skips what the previous one wrote; a dev server keeps them in memory as well.
"""

from __future__ import annotations

import logging
import os
import pickle
from dataclasses import dataclass, field
from typing import Any

from poll_spec.files import write_pickle

from .templates import Plan

log = logging.getLogger(__name__)

# Bumped whenever fingerprints change meaning: records of another format are ignored.
FORMAT = 7
STATE_FILE = "fast-build.pickle"

Stamp = tuple[int, int]  # a file's size and modification time (ns)


@dataclass
class State:
    """The records of the last build: kept in the cache folder between processes."""

    pages: dict[str, tuple[bytes, int, int]] = field(default_factory=dict)  # path: (key, size, mtime_ns)
    plans: dict[str, Plan] = field(default_factory=dict)  # template name -> Plan, for plans_site
    plans_site: bytes = b""  # the site fingerprint the plans were made with


# State file -> (its stamp when this process last read or wrote it, the state).
_STATES: dict[str, tuple[Stamp | None, State]] = {}


def state_path(settings: dict[str, Any]) -> str:
    """Return the file of the records, in Pelican's cache folder."""
    return os.path.join(settings["CACHE_PATH"], STATE_FILE)


def stamp(path: str) -> Stamp | None:
    """Return a file's size and modification time, or None when it does not exist."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_size, stat.st_mtime_ns)


def load_state(settings: dict[str, Any]) -> State:
    """Return the records of the last build (empty when there are none usable)."""
    path = state_path(settings)
    current = stamp(path)
    known = _STATES.get(path)
    if known is not None and known[0] == current:
        return known[1]
    state = State()
    if current is not None:
        try:
            with open(path, "rb") as handle:
                saved = pickle.load(handle)
            if isinstance(saved, dict) and saved.get("format") == FORMAT:
                state = State(saved["pages"], saved["plans"], saved["plans_site"])
        except Exception as problem:  # noqa: BLE001 - damaged records: render everything
            log.info("fast_build: %s ignored (%s), every page is rendered", path, problem)
    _STATES[path] = (current, state)
    return state


def save_state(settings: dict[str, Any], state: State) -> None:
    """Write the records atomically, so an interrupted build never leaves half a file."""
    path = state_path(settings)
    write_pickle(path, {"format": FORMAT, "pages": state.pages, "plans": state.plans, "plans_site": state.plans_site})
    _STATES[path] = (stamp(path), state)


def forget() -> None:
    """Forget the records read by this process (a new `make html` process knows nothing)."""
    _STATES.clear()
