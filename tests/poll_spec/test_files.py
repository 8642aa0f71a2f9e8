"""Files the build keeps between runs are replaced whole (poll_spec.files)."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from poll_spec.files import write_pickle


def test_the_value_is_written_in_a_new_folder(tmp_path: Path) -> None:
    path = tmp_path / "cache" / "records.pickle"
    write_pickle(path, {"pages": {"index.html": (b"key", 3, 4)}})
    assert pickle.loads(path.read_bytes()) == {"pages": {"index.html": (b"key", 3, 4)}}
    assert [p.name for p in path.parent.iterdir()] == ["records.pickle"]


def test_a_write_that_fails_midway_leaves_the_previous_file_whole(tmp_path: Path) -> None:
    path = tmp_path / "records.pickle"
    write_pickle(str(path), {"format": 1, "pages": list(range(1000))})
    with pytest.raises((pickle.PicklingError, AttributeError, TypeError)):
        # Pickled after a thousand items already went out: a lambda cannot be pickled.
        write_pickle(path, {"format": 2, "pages": [*range(1000), lambda: None]})
    assert pickle.loads(path.read_bytes()) == {"format": 1, "pages": list(range(1000))}
