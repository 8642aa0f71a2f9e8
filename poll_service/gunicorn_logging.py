"""gunicorn's logger, without client addresses: the ``logger_class`` of gunicorn_conf.py.

gunicorn writes the client address in its error log ("Invalid request from ip=... " for a
malformed request) and in its access log (the ``h`` atom, header atoms). This logger blanks
every IP address of every error-log line, in the master and in each worker, from the first
line on (the listening address too: the log holds no address at all), and the address atoms of
the access log whatever format is configured. Only gunicorn imports this module.
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from .logs import MaskAddresses, MaskGunicornAddress


class AddressFreeLogger(Logger):
    """gunicorn's Logger whose error and access logs hold no client address."""

    def setup(self, cfg: Any) -> None:
        """Set gunicorn's handlers up, then the filters (once, also on a configuration reload)."""
        super().setup(cfg)
        for log, kind in ((self.error_log, MaskAddresses), (self.access_log, MaskGunicornAddress)):
            if not any(isinstance(existing, kind) for existing in log.filters):
                log.addFilter(kind())

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        """Return the access log's atoms with the client address blanked."""
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["h"] = "-"
        return atoms


__all__ = ["AddressFreeLogger"]
