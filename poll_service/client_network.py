"""The client's network: the one key of the one-vote rule and of the rate limits.

A client address is parsed with ``ipaddress`` and only its exact, plain spelling is accepted:
``192.0.2.150`` or ``2001:db8::1`` (any case, compressed or not). What stands for a voter is
the full address for IPv4 (an IPv4-mapped IPv6 address, ``::ffff:192.0.2.150``, is that IPv4
address), and the /64 network for IPv6 (POLL_IPV6_PREFIX): one household or device holds a
whole /64 and its privacy extensions rotate addresses inside it.

Anything else is no address at all and gets no key: a port (``192.0.2.150:443``), brackets
(``[2001:db8::1]``), a zone (``fe80::1%eth0``), leading zeros (``192.000.002.150``), an integer
or hexadecimal form, spaces, an empty value. Such a value is never hashed as text, since each
spelling would count as a new voter; the caller refuses the request instead.
"""

from __future__ import annotations

import ipaddress

DEFAULT_IPV6_PREFIX = 64
# The longest plain spelling of an address (an IPv6 address ending in dotted IPv4) is 45
# characters: anything longer is refused before parsing.
_MAX_LENGTH = 45


def network_key(address: str | None, ipv6_prefix: int = DEFAULT_IPV6_PREFIX) -> str | None:
    """Return the network ``address`` stands for, in one spelling; None when it is no plain address.

    ``"192.0.2.150"`` and ``"::ffff:192.0.2.150"`` give ``"192.0.2.150"``;
    ``"2001:DB8:0:1::abcd"`` gives ``"20010db8000000010000000000000000/64"`` (the network's 32
    hexadecimal digits, a spelling no IPv4 key can have).
    """
    if not address or len(address) > _MAX_LENGTH:
        return None
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv4Address):
        return str(ip)
    if ip.scope_id is not None:
        return None  # a zone names an interface of the server, not a client's network
    if ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    # Arithmetic rather than ipaddress.IPv6Network, which costs several times the parsing.
    host_bits = 128 - ipv6_prefix
    return f"{int(ip) >> host_bits << host_bits:032x}/{ipv6_prefix}"
