"""Building the site for tests: the ``pelican`` command on real or test content."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PELICAN = Path(sys.executable).with_name("pelican")


def build(output: Path, settings: str = "pelicanconf.py", content: Path | None = None,
          extra: list[str] | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the ``pelican`` command on ``content`` (the real site by default) into ``output``."""
    command = [str(PELICAN), str(content or ROOT / "content"), "-o", str(output), "-s",
               str(ROOT / settings), "--cache-path", str(output.parent / f"{output.name}-cache"),
               "--ignore-cache", "--fatal", "errors"]
    return subprocess.run(command + (extra or []), cwd=ROOT, capture_output=True, encoding="utf-8",
                          env={**os.environ, **(env or {})}, timeout=600)
