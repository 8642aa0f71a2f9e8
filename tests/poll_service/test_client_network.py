"""The client's network: one key per IPv4 address or IPv6 /64, every other spelling refused.

The unit table checks client_network.network_key; the app tests send the spellings as a trusted
proxy's X-Forwarded-For (what a misconfigured proxy, or a visitor behind one that appends, could
send) and check that none is ever a new voter or a new rate-limit key.
"""

from __future__ import annotations

import ipaddress
import logging

import pytest

from poll_service.client_network import network_key

CANONICAL_V4 = "192.0.2.150"
CANONICAL_V6 = "2001:db8:0:1::abcd"

# Other spellings that are the same address: they must give the canonical key.
SAME_V4 = ["::ffff:192.0.2.150", "::FFFF:C000:296", "0:0:0:0:0:ffff:192.0.2.150", "::ffff:c000:0296"]
SAME_V6 = ["2001:DB8:0:1::ABCD", "2001:0db8:0000:0001:0000:0000:0000:abcd", "2001:db8:0:1:0:0:0:abcd"]
# Spellings of these addresses (or of none) that are no plain address: refused, never hashed.
UNPARSABLE_V4 = [
    "192.0.2.150:443",
    "[192.0.2.150]",
    "[::ffff:192.0.2.150]:443",
    "192.000.002.150",
    "192.0.2.0150",
    "0xc0000296",
    "0xC0.0x00.0x02.0x96",
    "3221226134",
    "0300.0000.0002.0226",
    "192.0.2.150.",
    "192.0.2. 150",
    "192.0.2.150\t",
    "１９２.０.２.１５０",
]
UNPARSABLE_V6 = [
    "[2001:db8:0:1::abcd]",
    "[2001:db8:0:1::abcd]:443",
    "2001:db8:0:1::abcd%1",
    "2001:db8:0:1::abcd%eth0",
    "2001:db8:0:1::abcd/64",
    "2001:db8:0:1::abcd ",
    "2001:db8:0:1:::abcd",
    "42540766411282592875350729025363378125",
]
NO_ADDRESS = ["", " ", "unknown", "localhost", "fe80::1%eth0", "192.0.2"]
UNPARSABLE = UNPARSABLE_V4 + UNPARSABLE_V6 + NO_ADDRESS


def test_an_ipv4_address_is_its_own_key_and_a_mapped_one_is_the_same():
    assert network_key(CANONICAL_V4) == CANONICAL_V4
    assert {network_key(spelling) for spelling in SAME_V4} == {CANONICAL_V4}


def test_an_ipv6_address_stands_for_its_slash_64():
    key = network_key(CANONICAL_V6)
    assert key == f"{int(ipaddress.ip_address('2001:db8:0:1::')):032x}/64"
    assert {network_key(spelling) for spelling in SAME_V6} == {key}
    # Every address of the /64, privacy extensions and all, is the same voter ...
    assert network_key("2001:db8:0:1:ffff:ffff:ffff:ffff") == network_key("2001:db8:0:1::1") == key
    # ... and the next /64 another one; a prefix setting changes the width.
    assert network_key("2001:db8:0:2::abcd") != key
    assert network_key("2001:db8:0:2::abcd", 48) == network_key(CANONICAL_V6, 48)
    assert network_key("2001:db8:0:1::1", 128) != network_key("2001:db8:0:1::2", 128)


@pytest.mark.parametrize("spelling", UNPARSABLE)
def test_anything_but_a_plain_address_has_no_key(spelling):
    # ProxyFix strips the spaces around a forwarded value; nothing else is forgiven.
    if spelling.strip() != spelling and spelling.strip():
        assert network_key(spelling) is None and network_key(spelling.strip()) is not None
    else:
        assert network_key(spelling) is None


def test_no_address_has_no_key():
    assert network_key(None) is None
    assert network_key("1" * 1000) is None


# --- Through the app, behind one trusted proxy ------------------------------------------


def forwarded(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": address}


def voters(app) -> int:
    return app.test_client().get("/api/polls/don-en-ligne").get_json()["total_voters"]


def test_thirty_addresses_of_one_slash_64_are_one_voter(make_app, vote):
    app = make_app(POLL_TRUSTED_PROXIES=1)
    statuses = [
        vote(app.test_client(), "don-en-ligne", "oui", headers=forwarded(f"2001:db8:0:1:{n:x}:{n * 7:x}::{n + 1:x}")).status_code
        for n in range(30)
    ]
    assert statuses == [201] + [409] * 29
    assert voters(app) == 1
    # Another /64 of the same /48 is another household.
    assert vote(app.test_client(), "don-en-ligne", "oui", headers=forwarded("2001:db8:0:2::1")).status_code == 201


def test_thirty_addresses_of_one_slash_64_share_one_rate_limit(make_app, vote):
    # Cookie dedup (and no cookie sent): only the rate limit can stop these votes.
    app = make_app(POLL_TRUSTED_PROXIES=1, POLL_RATE_LIMIT="5/60", POLL_DEDUP="cookie")
    statuses = [
        vote(app.test_client(), "don-en-ligne", "oui", headers=forwarded(f"2001:db8:0:1::{n + 1:x}")).status_code
        for n in range(30)
    ]
    assert statuses == [201] * 5 + [429] * 25
    assert vote(app.test_client(), "don-en-ligne", "oui", headers=forwarded("2001:db8:0:2::1")).status_code == 201


def test_a_wider_ipv6_prefix_can_be_configured(make_app, vote):
    app = make_app(POLL_TRUSTED_PROXIES=1, POLL_IPV6_PREFIX="56")
    assert vote(app.test_client(), "don-en-ligne", "oui", headers=forwarded("2001:db8:0:1::1")).status_code == 201
    assert vote(app.test_client(), "don-en-ligne", "oui", headers=forwarded("2001:db8:0:ff::1")).status_code == 409
    assert vote(app.test_client(), "don-en-ligne", "oui", headers=forwarded("2001:db8:0:100::1")).status_code == 201


@pytest.mark.parametrize(
    "canonical, spellings",
    [(CANONICAL_V4, SAME_V4 + UNPARSABLE_V4 + NO_ADDRESS), (CANONICAL_V6, SAME_V6 + UNPARSABLE_V6 + NO_ADDRESS)],
)
def test_no_spelling_of_an_address_is_a_new_voter(make_app, vote, canonical, spellings, caplog):
    app = make_app(POLL_TRUSTED_PROXIES=1)
    assert vote(app.test_client(), "don-en-ligne", "oui", headers=forwarded(canonical)).status_code == 201
    caplog.set_level(logging.INFO)
    for spelling in spellings:
        response = vote(app.test_client(), "don-en-ligne", "non", headers=forwarded(spelling))
        # The same voter (409), or no address at all (400): never a second vote.
        assert (response.status_code, response.get_json().get("error")) in {(409, "already_voted"), (400, "bad_request")}, spelling
        # ProxyFix strips the spaces around a value: "192.0.2.150\t" is the address itself.
        same = network_key(spelling.strip()) == network_key(canonical)
        assert response.status_code == (409 if same else 400), spelling
        assert same or "Set-Cookie" not in response.headers
    assert voters(app) == 1
    # The refusals say why, without the value they refused.
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "not a plain IP address" in logged and "Configuration error" not in logged
    assert "192.000" not in logged and "0xc0" not in logged and "eth0" not in logged


@pytest.mark.parametrize("spelling", ["192.0.2.150:443", "[2001:db8::1]:443", "3221226134"])
def test_an_unparsable_address_never_shares_or_opens_a_rate_limit_key(make_app, vote, spelling):
    # Cookie dedup and a rate limit: the address is still needed, so its absence refuses.
    app = make_app(POLL_TRUSTED_PROXIES=1, POLL_RATE_LIMIT="1/60", POLL_DEDUP="cookie")
    for _ in range(3):
        assert vote(app.test_client(), "don-en-ligne", "oui", headers=forwarded(spelling)).status_code == 400
    assert app.extensions["poll_rate_limiter"].is_tracked("") is False
    assert voters(app) == 0


def test_a_request_that_skipped_the_trusted_proxy_is_no_voter(make_app, vote):
    # Without X-Forwarded-For, ProxyFix leaves the proxy's own address: every such request
    # would share it. It is refused instead.
    app = make_app(POLL_TRUSTED_PROXIES=1)
    response = vote(app.test_client(), "don-en-ligne", "oui")
    assert (response.status_code, response.get_json()["error"]) == (400, "bad_request")
    two = make_app(POLL_TRUSTED_PROXIES=2)
    assert vote(two.test_client(), "don-en-ligne", "oui", headers=forwarded("192.0.2.1")).status_code == 400
    assert vote(two.test_client(), "don-en-ligne", "oui", headers=forwarded("192.0.2.1, 10.0.0.1")).status_code == 201
