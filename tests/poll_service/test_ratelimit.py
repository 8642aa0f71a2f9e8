"""The rate limiter: a sliding window per network, in bounded memory that a flood cannot reset."""

from __future__ import annotations

from poll_service.ratelimit import RateLimiter


class Ticks:
    """A monotonic clock moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_network_gets_its_limit_per_window_then_again_when_the_window_slides():
    ticks = Ticks()
    limiter = RateLimiter(3, 60, ticks, max_tracked=100)
    assert [limiter.allow("192.0.2.1") for _ in range(4)] == [True, True, True, False]
    assert limiter.exhausted("192.0.2.1") and not limiter.exhausted("192.0.2.2")
    ticks.now += 60.5
    assert limiter.allow("192.0.2.1") and not limiter.exhausted("192.0.2.1")


def test_a_flood_of_new_networks_never_resets_a_blocked_one():
    ticks = Ticks()
    limiter = RateLimiter(3, 60, ticks, max_tracked=10)
    for _ in range(4):
        limiter.allow("198.51.100.7")
    assert not limiter.allow("198.51.100.7")
    for number in range(1000):  # a hundred times the memory, each network seen once
        assert limiter.allow(f"10.0.{number // 256}.{number % 256}")
        assert len(limiter) <= 10
    assert limiter.is_tracked("198.51.100.7")
    assert not limiter.allow("198.51.100.7")


def test_memory_is_freed_one_network_at_a_time_least_recently_seen_first():
    ticks = Ticks()
    limiter = RateLimiter(5, 60, ticks, max_tracked=10)
    for number in range(10):
        limiter.allow(f"10.0.0.{number}")
        ticks.now += 1
    limiter.allow("10.0.0.0")  # seen again: now the most recently seen, and protected
    limiter.allow("10.0.0.99")  # the memory is full: one network goes, the least recently seen
    assert len(limiter) == 10
    assert not limiter.is_tracked("10.0.0.1")
    assert all(limiter.is_tracked(f"10.0.0.{number}") for number in (0, *range(2, 10), 99))


def test_networks_whose_hits_left_the_window_are_forgotten():
    ticks = Ticks()
    limiter = RateLimiter(2, 60, ticks, max_tracked=1000)
    for number in range(50):
        limiter.allow(f"10.0.0.{number}")
    ticks.now += 61
    limiter.allow("192.0.2.1")
    assert len(limiter) == 1


def test_protected_networks_keep_at_most_half_the_memory():
    ticks = Ticks()
    limiter = RateLimiter(3, 60, ticks, max_tracked=10)
    for number in range(20):  # each seen twice: each protected, the oldest protected go first
        limiter.allow(f"10.0.0.{number}")
        limiter.allow(f"10.0.0.{number}")
    assert len(limiter) <= 10
    assert limiter.is_tracked("10.0.0.19") and not limiter.is_tracked("10.0.0.0")
    # Newcomers still find room.
    assert limiter.allow("192.0.2.1") and limiter.is_tracked("192.0.2.1")


def test_a_limit_of_zero_allows_everything_and_remembers_nothing():
    limiter = RateLimiter(0, 60, Ticks(), max_tracked=10)
    assert all(limiter.allow("192.0.2.1") for _ in range(100))
    assert len(limiter) == 0 and not limiter.exhausted("192.0.2.1")


def test_through_the_app_a_flood_of_forwarded_addresses_does_not_free_a_blocked_one(make_app, vote):
    app = make_app(POLL_TRUSTED_PROXIES=1, POLL_RATE_LIMIT="2/60", POLL_DEDUP="cookie", POLL_RATE_LIMIT_NETWORKS="100")
    blocked = {"X-Forwarded-For": "203.0.113.9"}
    assert [vote(app.test_client(), "bilan", "oui", headers=blocked).status_code for _ in range(3)] == [201, 201, 429]
    for number in range(300):
        # The flood's votes are refused by the dedup or taken: what matters is the limiter's memory.
        vote(app.test_client(), "ancien", "oui", headers={"X-Forwarded-For": f"10.1.{number // 256}.{number % 256}"})
    assert len(app.extensions["poll_rate_limiter"]) <= 100
    assert vote(app.test_client(), "bilan", "oui", headers=blocked).status_code == 429
