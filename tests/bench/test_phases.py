"""bench/phases.py: one real build, a line at each phase, in order, with growing times."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from bench.phases import SIGNALS

ROOT = Path(__file__).resolve().parents[2]
LINE_RE = re.compile(r"^\s*(?P<wall>[\d.]+) s  CPU here\s+(?P<cpu>[\d.]+) s  workers\s+[\d.]+ s  (?P<label>.+)$")


def test_a_build_prints_its_phases_in_order(tmp_path: Path) -> None:
    run = subprocess.run([sys.executable, "-m", "bench.phases", str(ROOT / "content"), "-o", str(tmp_path / "out"),
                          "-s", str(ROOT / "pelicanconf.py"), "--cache-path", str(tmp_path / "cache"),
                          "--fatal", "errors"], cwd=ROOT, capture_output=True, encoding="utf-8", timeout=300)
    assert run.returncode == 0, run.stderr
    lines = [match for line in run.stderr.splitlines() if (match := LINE_RE.match(line))]
    labels = [match["label"] for match in lines]
    assert [label for label in labels if label in SIGNALS] == list(SIGNALS)
    # The pages are rendered as shared work, after finalized; the last line ends the build.
    assert labels.index("shared work starts", labels.index("finalized")) < labels.index("end") == len(labels) - 1
    walls = [float(match["wall"]) for match in lines]
    assert walls == sorted(walls)
    assert (tmp_path / "out" / "index.html").is_file()
