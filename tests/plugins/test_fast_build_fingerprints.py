"""plugins/fast_build/fingerprints.py: the same inputs give the same digest in every process."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pelican.settings import DEFAULT_CONFIG
from pelican.urlwrappers import Category, Tag

from fast_build.fingerprints import Unstable, digest

ROOT = Path(__file__).resolve().parents[2]
PARIS = ZoneInfo("Europe/Paris")


@dataclass(frozen=True)
class Poll:
    id: str
    options: tuple[str, ...]


def metadata() -> dict:
    return {"title": "Un titre", "date": datetime(2026, 11, 25, 10, tzinfo=PARIS),
            "tags": [Tag("budget", DEFAULT_CONFIG), Tag("vélo", DEFAULT_CONFIG)],
            "category": Category("Vie associative", DEFAULT_CONFIG),
            "polls": [Poll("avis", ("oui", "non"))], "sets": {"a", "b", "c"}, "n": 3, "x": 0.5}


def test_order_of_keys_and_of_sets_does_not_count() -> None:
    reordered = dict(reversed(list(metadata().items())))
    reordered["sets"] = {"c", "b", "a"}
    assert digest(reordered) == digest(metadata())


@pytest.mark.parametrize("one, other", [
    ("1", 1), (1, True), (1, 1.0), (["a", "b"], ("a", "b")), (["a", "b"], ["ab"]),
    ({1: "a"}, {"1": "a"}), (datetime(2026, 1, 1), datetime(2026, 1, 1, tzinfo=PARIS)),
    (Tag("budget", DEFAULT_CONFIG), Category("budget", DEFAULT_CONFIG)), (b"a", "a"), (None, "N"),
])
def test_different_values_give_different_digests(one: object, other: object) -> None:
    assert digest(one) != digest(other)


def test_a_value_described_by_its_memory_address_cannot_be_fingerprinted() -> None:
    with pytest.raises(Unstable):
        digest({"JINJA_FILTERS": {"f": object()}})


def test_functions_count_by_their_code() -> None:
    def one(value: str) -> str:
        return value.upper()

    def two(value: str) -> str:
        return value.lower()

    assert digest(one) == digest(one) and digest(one) != digest(two)


def test_the_digest_is_the_same_in_another_process_whatever_its_hash_seed() -> None:
    """Python's hash() of a string changes from process to process: the digest must not."""
    code = ("import sys; sys.path[:0] = [sys.argv[1], sys.argv[2]]\n"
            "from test_fast_build_fingerprints import metadata\n"
            "from fast_build.fingerprints import digest\n"
            "print(digest(metadata()).hex())")
    seen = set()
    for seed in ("1", "2", "random"):
        run = subprocess.run([sys.executable, "-c", code, str(ROOT / "plugins"), str(Path(__file__).parent)],
                             capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": seed},
                             timeout=60, check=True)
        seen.add(run.stdout.strip())
    assert seen == {digest(metadata()).hex()}
