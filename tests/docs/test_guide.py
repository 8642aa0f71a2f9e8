"""docs/guide-redaction.md cannot drift: its examples build, its messages are the checker's.

Every block fenced as ```markdown (or ````markdown when it holds a poll) is an example a
volunteer may copy. A block starting with "Title:" is a whole file; any other block is a
piece of text, put under a plain header. All examples are built with the project's settings
next to the sample content, after ``make check``'s checker found nothing to say about them.
"""

from __future__ import annotations

import importlib.util
import json
import locale
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from pelican.settings import read_settings

from checks.checker import check_site
from checks.config import CheckConfig
from checks.problems import format_report
from poll_service import create_app
from poll_spec import Poll, PollSyntaxError, find_poll_blocks, parse_poll

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "guide-redaction.md"
PELICAN = Path(sys.executable).with_name("pelican")
FENCE_RE = re.compile(r"^(?P<fence>`{3,})markdown\s*$")
FRAGMENT_HEADER = ("Title: Exemple {n} du guide\nDate: 2026-11-20 10:00\nCategory: Vie associative\n"
                   "Summary: Un exemple du guide de rédaction.\nSlug: exemple-guide-{n}\n\n")


@dataclass(frozen=True)
class Example:
    """One example of the guide, as the file a volunteer would save."""

    line: int  # where it starts in the guide
    name: str  # the file under content/
    text: str

    @property
    def slug(self) -> str:
        match = re.search(r"^Slug: (\S+)", self.text, re.MULTILINE)
        return match.group(1) if match else ""

    @property
    def poll_ids(self) -> set[str]:
        """Return the ids of the polls this example defines (not those it only shows)."""
        ids = set()
        for block in find_poll_blocks(self.text):
            try:
                poll = parse_poll(block.body)
            except PollSyntaxError:
                continue
            if isinstance(poll, Poll):
                ids.add(poll.id)
        return ids


def examples() -> list[Example]:
    """Extract every ```markdown block of the guide."""
    lines = GUIDE.read_text(encoding="utf-8").splitlines()
    found, index = [], 0
    while index < len(lines):
        opening = FENCE_RE.match(lines[index])
        if not opening:
            index += 1
            continue
        end = lines.index(opening.group("fence"), index + 1)
        text = "\n".join(lines[index + 1:end]) + "\n"
        number = len(found) + 1
        if text.startswith("Title:"):
            folder = "pages/" if "\nMenu:" in text and "\nDate:" not in text else ""
            found.append(Example(index + 1, f"{folder}exemple-{number}.md", text))
        else:
            found.append(Example(index + 1, f"exemple-{number}.md", FRAGMENT_HEADER.format(n=number) + text))
        index = end + 1
    return found


def groups(items: list[Example]) -> list[list[Example]]:
    """Split the examples into sites where no poll id or address is defined twice.

    A poll shown before and after an edit is one id twice: those go to separate builds.
    """
    sites: list[tuple[list[Example], set[str]]] = []
    for example in items:
        names = {f"poll:{i}" for i in example.poll_ids} | {f"slug:{example.slug}"} - {"slug:"}
        for members, taken in sites:
            if not names & taken:
                members.append(example)
                taken |= names
                break
        else:
            sites.append(([example], names))
    return [members for members, _ in sites]


EXAMPLES = examples()


def test_the_guide_has_examples_of_every_part() -> None:
    texts = "".join(example.text for example in EXAMPLES)
    for piece in ("Image_alt:", "Status: draft", "{filename}", "{static}", "|---|", "```poll",
                  "multiple: true" if "multiple: true" in texts else "multiple: 2", "results: after-vote"):
        assert piece in texts, piece
    assert any(example.poll_ids == set() and "```poll" in example.text for example in EXAMPLES), \
        "an id-only block showing a poll defined elsewhere"


@pytest.mark.slow
@pytest.mark.parametrize("site", groups(EXAMPLES), ids=lambda site: "+".join(e.name for e in site))
def test_the_examples_pass_the_checks_and_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                site: list[Example]) -> None:
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    for example in site:
        (content / example.name).write_text(example.text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    saved = locale.setlocale(locale.LC_ALL)  # read_settings applies LOCALE to the process
    try:
        settings = read_settings(str(ROOT / "pelicanconf.py"), override={"PATH": str(content)})
    finally:
        locale.setlocale(locale.LC_ALL, saved)
    problems = [str(p) for p in check_site(CheckConfig.from_settings(settings)).problems]
    assert [p for p in problems if "/exemple-" in p.split(" : ")[0]] == []
    result = subprocess.run([str(PELICAN), str(content), "-o", str(tmp_path / "output"), "-s",
                             str(ROOT / "pelicanconf.py"), "--ignore-cache", "--cache-path",
                             str(tmp_path / "cache"), "--fatal", "errors"],
                            cwd=ROOT, capture_output=True, encoding="utf-8", timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    for example in site:
        slug = example.slug or example.name.rsplit("/", 1)[-1].removesuffix(".md")
        folder = "brouillons/" if "Status: draft" in example.text else ""
        assert (tmp_path / "output" / folder / slug / "index.html").exists(), (example.line, slug)


def guide_messages() -> list[re.Pattern]:
    """Return the messages listed in the guide's tables, "…" standing for the variable parts."""
    text = GUIDE.read_text(encoding="utf-8")
    section = text[text.index("### Tous les messages"):text.index("## 6. Publier")]
    patterns = []
    for row in re.findall(r"^\| (.+?) \|", section, re.MULTILINE):
        if row in ("Message",) or set(row) <= {"-", "|"}:
            continue
        row = row.replace("```` ```poll ````", "```poll")
        row = re.sub(r"\s*\((?:de même|ou) [^)]*\)$", "", row)  # "(ou « closes »)": a variant
        parts = [re.escape(part.strip("`")) for part in row.split("…")]
        patterns.append(re.compile(".*?".join(parts)))
    return patterns


def cases_of(module: str) -> dict[str, tuple[str, list[str]]]:
    """Return the CASES table of a test module of tests/plugins/."""
    spec = importlib.util.spec_from_file_location(f"table_{module}", ROOT / "tests" / "plugins" / f"{module}.py")
    table = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(table)
    return table.CASES


def checker_messages() -> list[str]:
    """Return every message of the checker's test tables (test_checks.py, test_strict_header.py)."""
    cases = {**cases_of("test_checks"), **cases_of("test_strict_header")}
    messages = [line.split(" : ", 1)[1] for _, expected in cases.values() for line in expected]
    messages += ["Le fichier n'est pas enregistré en UTF-8, l'encodage du site.",
                 "Ce fichier n'est pas lu par le site : seuls les fichiers « .md » le sont."]
    return [message.removeprefix("avertissement : ") for message in messages]


@pytest.mark.parametrize("message", checker_messages())
def test_every_message_of_make_check_is_explained_in_the_guide(message: str) -> None:
    assert any(pattern.match(message) for pattern in guide_messages()), message


def test_the_sample_report_of_make_check_is_what_the_checker_says(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    text = GUIDE.read_text(encoding="utf-8")
    start = text.index("```text\ncontent/la-fete-du-quartier.md:") + len("```text\n")
    sample = text[start:text.index("```", start)]
    # The guide's report comes from the sample site plus the new article: the same words.
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    (content / "la-fete-du-quartier.md").write_text(
        "Title: La fête du quartier\nDate: 18/11/2026\nCategory: Vie associative\n\nTexte.\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    saved = locale.setlocale(locale.LC_ALL)
    try:
        settings = read_settings(str(ROOT / "pelicanconf.py"), override={"PATH": str(content)})
    finally:
        locale.setlocale(locale.LC_ALL, saved)
    result = check_site(CheckConfig.from_settings(settings))
    # How many files the site holds changes with every article; the words must not.
    count = re.compile(r"\(\d+ fichiers vérifiés\)")
    assert count.sub("(N)", format_report(result.problems, result.checked)) == count.sub("(N)", sample)


def test_the_refusal_quoted_for_a_removed_answer_is_the_one_of_sync_polls(tmp_path: Path) -> None:
    text = GUIDE.read_text(encoding="utf-8")
    start = text.index("```text\nSynchronisation refusée") + len("```text\n")
    quoted = text[start:text.index("```", start)]
    example = next(e for e in examples() if "id: fete-quartier-aide" in e.text)
    (block,) = find_poll_blocks(example.text)
    poll = parse_poll(block.body)
    assert isinstance(poll, Poll)
    # The guide's story, for real: the poll is synchronised, three visitors choose "jeux",
    # then the writer removes that answer and synchronises again.
    app = create_app({"POLL_DATABASE_URL": f"sqlite:///{tmp_path / 'votes.sqlite3'}",
                      "POLL_SECRET_KEY": "cle-de-test-du-guide-0123456789",
                      "POLL_SITE_URL": "http://localhost"})
    manifest = tmp_path / "polls.json"
    runner = app.test_cli_runner()
    assert runner.invoke(args=["init-db"]).exit_code == 0
    manifest.write_text(json.dumps({"polls": [poll.to_manifest()]}), encoding="utf-8")
    assert runner.invoke(args=["sync-polls", str(manifest)]).exit_code == 0
    for visitor in range(3):
        answer = app.test_client().post(f"/api/polls/{poll.id}/votes", json={"choices": ["jeux"]},
                                        headers={"Origin": "http://localhost"},
                                        environ_base={"REMOTE_ADDR": f"192.0.2.{visitor + 1}"})
        assert answer.status_code == 201, answer.get_json()
    without = replace(poll, options=tuple(o for o in poll.options if o.key != "jeux"))
    manifest.write_text(json.dumps({"polls": [without.to_manifest()]}), encoding="utf-8")
    refused = runner.invoke(args=["sync-polls", str(manifest)])
    assert refused.exit_code != 0
    assert refused.output == quoted
