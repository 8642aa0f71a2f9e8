"""Files the build keeps between runs, replaced whole: a reader never finds half of one.

Shared by the plugins that keep what they learnt in Pelican's cache folder (plugins/checks,
plugins/fast_build): here because every part of the build may import ``poll_spec``
(tests/poll_spec/test_dependencies.py), and plugins never import each other's modules.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import Any


def write_pickle(path: str | Path, value: Any) -> None:
    """Pickle ``value`` into ``path`` atomically: written beside it, then renamed over it.

    An interrupted build leaves the previous file or the new one, never a truncated one.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".tmp")
    with partial.open("wb") as handle:
        pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(partial, path)
