"""output/polls.json written by the build and read back by sync-polls."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poll_spec import ManifestError, parse_poll, read_manifest, write_manifest


def poll(poll_id: str, source: str = "content/a.md"):
    return parse_poll(f"id: {poll_id}\nquestion: Q ?\noptions:\n - Oui\n - Non\nmultiple: 2\ncloses: 2026-12-31 18:00",
                      source)


def test_a_written_manifest_reads_back_as_the_same_polls_sorted_by_id(tmp_path: Path) -> None:
    path = tmp_path / "polls.json"
    written = [poll("zeta"), poll("alpha")]
    write_manifest(path, written)
    assert [p.id for p in read_manifest(path)] == ["alpha", "zeta"]
    assert read_manifest(path)[1].to_manifest() == written[0].to_manifest()
    entry = json.loads(path.read_text(encoding="utf-8"))["polls"][0]
    assert list(entry) == ["id", "question", "options", "multiple", "opens", "closes", "results", "source", "url"]
    assert entry["multiple"] == 2 and entry["closes"] == "2026-12-31T18:00:00+01:00"


def test_a_bare_closing_date_is_written_as_the_end_of_that_whole_day_in_paris() -> None:
    summer = parse_poll("id: a\nquestion: Q ?\noptions:\n - Oui\n - Non\ncloses: 2027-06-30").to_manifest()
    assert summer["closes"] == "2027-07-01T00:00:00+02:00"


def test_a_missing_manifest_says_to_build_first(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="Construisez d'abord le site"):
        read_manifest(tmp_path / "polls.json")


@pytest.mark.parametrize(("text", "message"), [("{", "Impossible de lire"), ('{"sondages": []}', "la clé « polls »")])
def test_an_unreadable_manifest_is_refused_in_french(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "polls.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ManifestError, match=message):
        read_manifest(path)


def test_two_entries_with_one_id_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "polls.json"
    write_manifest(path, [poll("alpha", "a.md"), poll("alpha", "b.md")])
    with pytest.raises(ManifestError, match="déjà défini"):
        read_manifest(path)
