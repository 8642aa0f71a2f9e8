"""Run an outside project's own test suite twice, as published and with our code active.

The suites come from the pinned sdists on the package index (``pip download``), unpacked once
into ``build/outside-suites/`` (ignored by git). Each run writes one JSON file
mapping a test's id to its outcome ("passed", "failed", "error", "skipped"...); the two runs are
compared, and every difference must be listed, with its reason, in ``allowed-differences.toml``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import tomllib
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
# Not a hidden folder: Pelican's watcher tests would take every file under it for a dotfile.
DOWNLOADS = ROOT / "build" / "outside-suites"
ALLOW_LIST = HERE / "allowed-differences.toml"


def sdist(project: str) -> Path:
    """Return the unpacked sdist of the installed version of ``project``, downloading it once."""
    pinned = version(project)
    unpacked = DOWNLOADS / f"{project.lower()}-{pinned}"
    if (unpacked / "PKG-INFO").is_file():
        return unpacked
    DOWNLOADS.mkdir(parents=True, exist_ok=True)
    archive = DOWNLOADS / f"{project.lower()}-{pinned}.tar.gz"
    if not archive.is_file():
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                        "--no-binary", ":all:", f"{project}=={pinned}",
                        "-d", str(DOWNLOADS)],
                       check=True, capture_output=True, encoding="utf-8", timeout=300)
    partial = DOWNLOADS / f"{unpacked.name}.partial"
    with tarfile.open(archive) as tar:
        tar.extractall(partial, filter="data")
    os.replace(partial / unpacked.name, unpacked)
    partial.rmdir()
    return unpacked


def run(command: list[str], cwd: Path, outcomes: Path, env: dict[str, str]) -> subprocess.Popen:
    """Start one run of a suite; it writes its outcomes to ``outcomes``."""
    return subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            encoding="utf-8", env={**os.environ, **env, "OUTSIDE_OUTCOMES": str(outcomes)})


def run_both(command: list[str], cwd: Path, folder: Path, env: dict[str, str]) -> tuple[dict, dict]:
    """Run the suite as published and with our code active (``OUTSIDE_WITH_OURS``), side by side.

    Each run writes ``{"outcomes": {test id: outcome}, "ours": how much of our code it used}``;
    what it printed is kept next to it (``baseline.log``, ``ours.log``) for reading failures.
    """
    runs = {name: run(command, cwd, folder / f"{name}.json", {**env, "OUTSIDE_WITH_OURS": flag})
            for name, flag in (("baseline", "0"), ("ours", "1"))}
    results = {}
    for name, process in runs.items():
        output, _ = process.communicate(timeout=600)
        (folder / f"{name}.log").write_text(output, encoding="utf-8")
        path = folder / f"{name}.json"
        assert path.is_file(), f"the {name} run wrote no outcomes:\n{output[-5000:]}"
        results[name] = json.loads(path.read_text(encoding="utf-8"))
    assert not results["baseline"]["ours"], "our code was active in the baseline run"
    assert results["ours"]["ours"], "our code was not active in the run meant to use it"
    return results["baseline"]["outcomes"], results["ours"]["outcomes"]


@dataclass(frozen=True)
class Difference:
    """A test whose outcome changed once our code is active."""

    test: str
    baseline: str
    ours: str

    def __str__(self) -> str:
        return f"{self.test}: {self.baseline} -> {self.ours}"


def differences(baseline: dict[str, str], ours: dict[str, str]) -> list[Difference]:
    """Return the tests whose outcome differs (a test missing from a run counts as "absent")."""
    return [Difference(test, baseline.get(test, "absent"), ours.get(test, "absent"))
            for test in sorted(baseline.keys() | ours.keys())
            if baseline.get(test, "absent") != ours.get(test, "absent")]


def allowed(suite: str) -> dict[str, dict[str, str]]:
    """Return the allow-list entries of one suite, by test id."""
    entries = tomllib.loads(ALLOW_LIST.read_text(encoding="utf-8")).get(suite, [])
    for entry in entries:
        assert entry.get("reason", "").strip(), f"{ALLOW_LIST.name}: {entry.get('test')} needs a reason"
    return {entry["test"]: entry for entry in entries}


def unexplained(suite: str, found: list[Difference]) -> list[str]:
    """Return, as lines to read, the differences not in the allow-list and the stale entries."""
    entries = allowed(suite)
    lines = [f"not in {ALLOW_LIST.name}: {difference}" for difference in found
             if entries.get(difference.test, {}).get("ours") != difference.ours]
    differing = {difference.test for difference in found}
    lines += [f"listed in {ALLOW_LIST.name} but no longer different (remove it): [{suite}] {test}"
              for test in entries if test not in differing]
    return lines
