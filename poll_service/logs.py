"""Keep client addresses out of every log line the service's process writes.

The service itself never logs an address. The servers around it do: werkzeug's development
server starts each request line with the client address, gunicorn's access log has the ``h``
atom (and any ``{x-forwarded-for}i`` header atom), and gunicorn's error log writes "Invalid
request from ip=..." for a malformed request. These filters blank them, so a misconfigured
log format still writes no address; ``mask_addresses`` blanks every IP address of a line
(gunicorn_logging.py applies it to gunicorn's whole error log). docs/deploy.md gives nginx
and gunicorn settings that leave addresses out in the first place.
"""

from __future__ import annotations

import ipaddress
import logging
import re

# werkzeug's request line: '<address> - - [date] "GET / HTTP/1.1" 200 -'
_WERKZEUG_REQUEST = re.compile(r"^\S+( - - \[)")
# Candidates for IPv6 (with an embedded IPv4 and a zone), which ipaddress confirms (a time such
# as 18:02:51 is left alone); then dotted IPv4 (any four numbers: masking a version number too
# costs nothing).
_IPV6 = re.compile(r"(?<![0-9A-Za-z:.])[0-9A-Fa-f:]*:[0-9A-Fa-f:]*(?:(?<=:)(?:\d{1,3}\.){3}\d{1,3})?(?:%[\w.-]+)?(?![0-9A-Za-z.])")
_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
_ADDRESS_ATOMS = ("forwarded", "real-ip", "client-ip", "connecting-ip", "remote_addr")


def _mask_ipv6(match: re.Match[str]) -> str:
    text = match.group()
    # "ip=::1: Invalid request": the colon after the address is the sentence's.
    for candidate, rest in ((text, ""), (text.rstrip(":"), text[len(text.rstrip(":")):])):
        try:
            ipaddress.IPv6Address(candidate.split("%", 1)[0])
        except ValueError:
            continue
        return "-" + rest
    return text


def mask_addresses(text: str) -> str:
    """Replace every IPv4 and IPv6 address in ``text`` with "-"."""
    return _IPV4.sub("-", _IPV6.sub(_mask_ipv6, text))


class MaskAddresses(logging.Filter):
    """Blank every IP address of a record: its message, its traceback, its stack."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = mask_addresses(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_addresses(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_addresses(record.stack_info)
        return True


class MaskWerkzeugAddress(logging.Filter):
    """Replace the client address at the start of werkzeug's request lines with "-"."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = _WERKZEUG_REQUEST.sub(r"-\1", record.msg, count=1)
        return True


class MaskGunicornAddress(logging.Filter):
    """Blank the address atoms of gunicorn's access log records."""

    def filter(self, record: logging.LogRecord) -> bool:
        # In place: gunicorn's atoms are a dict subclass that answers "-" for unknown keys.
        if isinstance(record.args, dict):
            for name in list(record.args):
                lowered = str(name).lower()
                if lowered == "h" or any(part in lowered for part in _ADDRESS_ATOMS):
                    record.args[name] = "-"
        return True


def install() -> None:
    """Attach the filters once per process (create_app may run many times in tests)."""
    for name, kind in (("werkzeug", MaskWerkzeugAddress), ("gunicorn.access", MaskGunicornAddress)):
        logger = logging.getLogger(name)
        if not any(isinstance(existing, kind) for existing in logger.filters):
            logger.addFilter(kind())
