"""Keep client addresses out of every log line the service's process writes.

The service itself never logs an address. The servers around it do: werkzeug's development
server starts each request line with the client address, and gunicorn's access log has the
``h`` atom (and any ``{x-forwarded-for}i`` header atom). These filters blank them, so a
misconfigured log format still writes no address. docs/deploy.md gives nginx and gunicorn
formats that leave it out in the first place.
"""

from __future__ import annotations

import logging
import re

# werkzeug's request line: '<address> - - [date] "GET / HTTP/1.1" 200 -'
_WERKZEUG_REQUEST = re.compile(r"^\S+( - - \[)")
_ADDRESS_ATOMS = ("forwarded", "real-ip", "client-ip", "connecting-ip", "remote_addr")


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
