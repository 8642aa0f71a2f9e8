"""The dependency rule: plugins/, tools/ -> poll_spec <- poll_service, and nothing else."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def imported_after(statement: str) -> set[str]:
    """Return the top-level packages loaded by ``statement`` in a fresh interpreter."""
    code = f"import sys; {statement}; print(' '.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                            env={"PYTHONPATH": f"{ROOT}:{ROOT / 'plugins'}", "PATH": "/usr/bin:/bin"})
    return set(result.stdout.split())


def test_poll_spec_imports_neither_flask_pelican_nor_a_database() -> None:
    loaded = imported_after("import poll_spec, poll_spec.formatting, poll_spec.markup")
    assert not loaded & {"flask", "werkzeug", "pelican", "sqlalchemy", "psycopg", "sqlite3", "poll_service"}


@pytest.mark.parametrize("module", ["polls", "checks", "i18n", "feeds", "drafts", "fast_build", "table_align", "tools.new_article"])
def test_the_build_never_imports_the_service(module: str) -> None:
    loaded = imported_after(f"import {module}")
    # new_article names its file with Pelican's own slugify, as the build names addresses.
    assert "poll_spec" in loaded or module in ("feeds", "drafts", "fast_build", "table_align", "tools.new_article")
    assert not loaded & {"poll_service", "flask", "sqlalchemy"}


def test_the_service_imports_no_plugin_nor_tool() -> None:
    loaded = imported_after("import poll_service; poll_service.create_app({'POLL_ENV': 'development'})")
    assert "flask" in loaded and "poll_spec" in loaded
    assert not loaded & {"pelican", "polls", "checks", "i18n", "feeds", "drafts", "fast_build", "tools", "markdown"}
