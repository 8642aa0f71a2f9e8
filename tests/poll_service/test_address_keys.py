"""The address keys: one file outside the database, rotated each Paris day, old keys destroyed."""

from __future__ import annotations

import threading
from datetime import date, datetime
from pathlib import Path

from poll_spec import PARIS
from poll_service.address_keys import KEY_FILE, KeyRing, next_key, read_key_file

SECRET = "test-secret-key-0123456789abcdef"
NOON = datetime(2026, 11, 20, 12, 0, tzinfo=PARIS)


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 11, day, hour, 0, tzinfo=PARIS)


def test_the_first_key_is_random_and_kept_in_a_private_file(tmp_path: Path) -> None:
    one, other = KeyRing(tmp_path / "a", SECRET), KeyRing(tmp_path / "b", SECRET)
    assert one.keys(NOON) != other.keys(NOON)
    assert len(one.keys(NOON)) == 1 and len(one.keys(NOON)[0]) == 32
    assert (tmp_path / "a" / KEY_FILE).stat().st_mode & 0o777 == 0o600


def test_workers_sharing_the_folder_agree_on_the_days_keys(tmp_path: Path) -> None:
    rings = [KeyRing(tmp_path, SECRET) for _ in range(8)]
    found: list[list[bytes]] = []
    threads = [threading.Thread(target=lambda ring=ring: found.append(ring.keys(NOON))) for ring in rings]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({tuple(keys) for keys in found}) == 1


def test_the_next_days_key_comes_from_yesterdays_and_the_older_one_is_destroyed(tmp_path: Path) -> None:
    ring = KeyRing(tmp_path, SECRET)
    [first] = ring.keys(at(20))
    assert ring.keys(at(21)) == [next_key(first, date(2026, 11, 21), SECRET), first]
    second = ring.keys(at(21))[0]
    assert ring.keys(at(22)) == [next_key(second, date(2026, 11, 22), SECRET), second]
    stored = read_key_file(tmp_path / KEY_FILE)
    assert sorted(stored) == [date(2026, 11, 21), date(2026, 11, 22)]
    assert first.hex() not in (tmp_path / KEY_FILE).read_text()


def test_hosts_given_the_same_file_derive_the_same_keys_without_talking(tmp_path: Path) -> None:
    first = KeyRing(tmp_path / "host-1", SECRET)
    first.keys(at(20))
    (tmp_path / "host-2").mkdir()
    (tmp_path / "host-2" / KEY_FILE).write_bytes((tmp_path / "host-1" / KEY_FILE).read_bytes())
    second = KeyRing(tmp_path / "host-2", SECRET)
    # Days later, each on its own: the same keys (so one voter gets one digest on both).
    assert first.keys(at(24)) == second.keys(at(24))
    assert first.digests("192.0.2.1", at(24)) == second.digests("192.0.2.1", at(24))


def test_a_key_does_not_work_without_the_secret_key(tmp_path: Path) -> None:
    ring = KeyRing(tmp_path, SECRET)
    [first] = ring.keys(at(20))
    assert next_key(first, date(2026, 11, 21), "another-secret-0123456789") != ring.keys(at(21))[0]


def test_destroy_expired_counts_what_went_even_on_a_day_without_votes(tmp_path: Path) -> None:
    ring = KeyRing(tmp_path, SECRET)
    ring.keys(at(20))
    assert ring.destroy_expired(at(21)) == 0  # yesterday's key still serves
    assert ring.destroy_expired(at(23)) == 2  # the keys of the 20th and the 21st
    assert sorted(read_key_file(tmp_path / KEY_FILE)) == [date(2026, 11, 22), date(2026, 11, 23)]


def test_a_damaged_key_file_starts_afresh(tmp_path: Path) -> None:
    tmp_path.joinpath(KEY_FILE).write_text("not a key\n")
    assert len(KeyRing(tmp_path, SECRET).keys(NOON)) == 1
