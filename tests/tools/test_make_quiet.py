"""The writers' make commands print French only: no echoed command, no "make: ***" line.

Each test runs the real ``make`` on the project's Makefile (the environment taken as
installed: ``-o .venv/.installed``), on a content folder of its own.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tools.processes import free_port

ROOT = Path(__file__).resolve().parents[2]
VENV = Path(sys.executable).parent.parent


def make(*args: str, **kwargs) -> subprocess.CompletedProcess:
    """Run ``make`` in the project as a writer would, with this test's virtual environment."""
    return subprocess.run(["make", "-C", str(ROOT), "--no-print-directory", f"VENV={VENV}",
                           "-o", f"{VENV}/.installed", *args],
                          capture_output=True, encoding="utf-8", timeout=300, **kwargs)


def no_make_line(output: str) -> bool:
    return not any(line.startswith("make") for line in output.splitlines())


def test_make_check_fails_with_the_french_report_last(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    (content / "fete.md").write_text("Title: La fête\nDate: 31/02/2026\nCategory: Vie associative\n"
                                     "Summary: Une fête.\n\nTexte.\n", encoding="utf-8")
    result = make("check", f"CONTENTDIR={content}")
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert no_make_line(output), output
    assert output.rstrip().endswith("Le guide docs/guide-redaction.md explique chaque message.")


def test_make_new_article_takes_every_word_of_an_unquoted_title(tmp_path: Path) -> None:
    result = make("new-article", "TITLE=La", "fête", "du", "quartier", f"CONTENTDIR={tmp_path}")
    assert result.returncode == 0, result.stderr
    assert no_make_line(result.stdout + result.stderr), result.stdout + result.stderr
    path = tmp_path / "la-fete-du-quartier.md"
    assert result.stdout == f"{path}\n"
    assert path.read_text(encoding="utf-8").startswith("Title: La fête du quartier\n")


def test_make_new_article_refuses_a_word_that_is_a_command_and_runs_nothing(tmp_path: Path) -> None:
    output = tmp_path / "output"
    output.mkdir()
    (output / "index.html").write_text("le site", encoding="utf-8")
    result = make("new-article", "TITLE=Le", "grand", "clean", f"CONTENTDIR={tmp_path}", f"OUTPUTDIR={output}")
    assert result.returncode != 0
    assert result.stderr == ('Mettez le titre entre guillemets : make new-article TITLE="Le grand clean". '
                             "Sans guillemets, make lancerait aussi « clean » comme une commande : rien n'a "
                             "été créé.\n")
    assert (output / "index.html").exists()  # `make clean` did not run
    assert not list(tmp_path.glob("*.md"))


@pytest.mark.slow
def test_make_devserver_stops_on_ctrl_c_with_french_lines_only(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        ["make", "-C", str(ROOT), "--no-print-directory", f"VENV={VENV}", "-o", f"{VENV}/.installed",
         "devserver", f"PORT={port}", f"OUTPUTDIR={tmp_path / 'output'}",
         f"POLL_DATABASE_URL=sqlite:///{tmp_path / 'votes.sqlite3'}"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, encoding="utf-8", start_new_session=True)
    lines = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        lines.append(line)
        if line.startswith("Aperçu :") or not line:
            break
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C does in a terminal
    rest, _ = process.communicate(timeout=60)
    output = "".join(lines) + rest
    assert "Aperçu :" in output and output.rstrip().endswith("Aperçu arrêté."), output
    assert no_make_line(output) and "Done: Processed" not in output, output
    assert " : 1" in output or "articles" in output  # Pelican's count, in French


@pytest.mark.slow
def test_the_project_builds_without_a_single_warning(tmp_path: Path) -> None:
    # What make install builds (pyproject.toml, with an up-to-date setuptools from the index):
    # no deprecated setting, no package data left undeclared.
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(tmp_path),
                             str(ROOT)], capture_output=True, encoding="utf-8", timeout=300)
    assert result.returncode == 0, result.stderr
    # This machine's pip configuration may name index folders that do not exist: not ours.
    ours = [line for line in result.stderr.splitlines() if not line.startswith("WARNING: Location ")]
    assert ours == [], result.stderr
