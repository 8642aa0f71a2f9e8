"""Edit-to-rebuilt time at 1,000 articles (issue 8), measured by the writers' tooling.

The measurement belongs to tools/rebuild_timing.py (``measure_edit_to_rebuilt(workdir,
n_articles) -> float`` seconds: `make devserver` started for real, an article saved, the
time until its rebuild is over). We call it rather than copy it, so `make bench` and
`make devserver` time the same thing; while it does not exist the table shows the row as
pending.
"""

from __future__ import annotations

import importlib
import logging
import sys
from pathlib import Path

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
MODULE = "tools.rebuild_timing"
FUNCTION = "measure_edit_to_rebuilt"


def available() -> bool:
    """Tell whether tools/ provides the measurement yet."""
    return (ROOT / "tools" / "rebuild_timing.py").is_file()


def run(workdir: Path, n_articles: int = 1000) -> float | None:
    """Return the edit-to-rebuilt seconds from tools/, or None while it does not exist."""
    if not available():
        log.info("edit-to-rebuilt: tools/rebuild_timing.py does not exist yet, row left pending")
        return None
    # tools/ is a package of the repository, not an installed one.
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    measure = getattr(importlib.import_module(MODULE), FUNCTION, None)
    if measure is None:
        log.warning("edit-to-rebuilt: %s has no %s(), row left pending", MODULE, FUNCTION)
        return None
    workdir.mkdir(parents=True, exist_ok=True)
    seconds = float(measure(workdir, n_articles))
    log.info("edit-to-rebuilt: %.2f s (%s, %d articles)", seconds, MODULE, n_articles)
    return seconds
