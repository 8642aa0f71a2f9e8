"""The preview's pages that no text makes any more: removed, so their address stops answering.

``make devserver`` and ``make html`` write into ``output/`` without emptying it first (that
is what makes a rebuild fast). A draft that is published moves from ``brouillons/<slug>/``
to ``<slug>/``, a deleted article leaves its page: the old page would still answer at its old
address. After each complete build, every HTML page of ``output/`` that this build neither
wrote nor kept (plugins/fast_build records each) and that is not a static file of the
content or the theme is removed, then the folders left empty.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path


def remove_stale_pages(output: Path, site_files: Iterable[str], keep_folders: Iterable[str] = ()) -> list[str]:
    """Remove the HTML pages of ``output`` not in ``site_files``; return them, relative to ``output``.

    ``site_files``: the files the build wrote or kept (absolute, or relative to ``output``).
    ``keep_folders``: folders of ``output`` never looked into (the theme's files).
    """
    root = output.resolve()
    site = {os.path.normpath(path if os.path.isabs(path) else root / path) for path in site_files}
    kept = [root / folder for folder in keep_folders if folder]
    removed = []
    for page in sorted(root.rglob("*.html")):
        if str(page) in site or any(page.is_relative_to(folder) for folder in kept):
            continue
        page.unlink()
        removed.append(str(page.relative_to(root)))
        _remove_empty_folders(page.parent, root)
    return removed


def _remove_empty_folders(folder: Path, root: Path) -> None:
    while folder != root and folder.is_relative_to(root):
        try:
            folder.rmdir()  # only when empty
        except OSError:
            return
        folder = folder.parent
