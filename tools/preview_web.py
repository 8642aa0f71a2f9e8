"""The web side of ``make devserver``: one address for the site, the polls and the live reload.

livereload's tornado server (as in Pelican's project template) serves a WSGI application and
injects its reload script into every HTML page; the browser then reloads when told to. The
application is the poll service itself (``POLL_SITE_DIR`` makes it serve the built site, as
``make serve`` does), so votes work in the preview, on the same origin as in production.
Without the poll service (``--no-polls``) the service's own static-site serving stands in
(``poll_service.built_site.static_site``), without the API.

While the last build failed, every page also shows the problems in a banner: the writer
looks at the browser, not at the terminal. An address the site has no page for yet (a fresh
checkout, ``make clean``, every article broken) answers a short page holding the banner, which
reloads by itself once a save fixes the build.

The preview sends the site's Content-Security-Policy (poll_service.site_policy: the service's
answers carry it, the static-site fallback too), so what it adds must satisfy it: the reload
and banner scripts are files of this server (``/livereload.js``, ``/_apercu/problemes.js``),
never inline scripts like livereload's own snippet.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from livereload import Server
from livereload.handlers import LiveReloadHandler
from livereload.server import LiveScriptContainer
from livereload.watcher import Watcher
from tornado import web

from poll_service import create_app
from poll_service.cli import init_db

log = logging.getLogger(__name__)
WSGIApp = Callable[[dict, Callable], Iterable[bytes]]

PROBLEMS_PATH = "/_apercu/problemes.js"
# Run by the page that loads PROBLEMS_PATH; styled through the CSSOM, which the policy allows
# (it refuses style attributes written in the page).
BANNER = """document.addEventListener("DOMContentLoaded", function () {
  var box = document.createElement("div");
  box.setAttribute("role", "alert");
  box.style.cssText = "position:fixed;inset:auto 0 0 0;max-height:50vh;overflow:auto;z-index:9999;"
    + "background:#fff1cc;color:#3d2600;border-top:4px solid #c0392b;padding:1rem;"
    + "font:15px/1.4 system-ui,sans-serif;white-space:pre-wrap";
  box.textContent = %s;
  document.body.appendChild(box);
});
"""


WAITING_PAGE = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>Aperçu en attente</title></head>
<body><main>
<h1>L'aperçu n'a pas pu construire cette page</h1>
<p>Le site n'a pas pu être construit : les problèmes sont expliqués en bas de la page. Corrigez-les
et enregistrez : cette page se recharge d'elle-même.</p></main></body></html>
"""


@dataclass
class PreviewState:
    """What the web side shows besides the site: the problems of the last build, if it failed."""

    problems: str | None = None

    def banner(self) -> bytes:
        """Return the tag loading the banner that shows the problems (or nothing)."""
        if not self.problems:
            return b""
        return f'<script src="{PROBLEMS_PATH}"></script>'.encode()

    def banner_script(self) -> str:
        """Return the script showing the problems at the bottom of the page (empty: none)."""
        if not self.problems:
            return ""
        text = "L'aperçu n'est pas à jour : corrigez ces problèmes et enregistrez.\n\n" + self.problems
        return BANNER % json.dumps(text, ensure_ascii=False)


class _ProblemsScript(web.RequestHandler):
    """Serve the banner script of the current problems."""

    def initialize(self, state: PreviewState) -> None:
        self._state = state

    def get(self) -> None:
        self.set_header("Content-Type", "text/javascript; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.write(self._state.banner_script())


def with_waiting_page(app: WSGIApp, state: PreviewState) -> WSGIApp:
    """Answer the waiting page instead of a "not found" while the last build failed."""

    def waiting(environ: dict, start_response: Callable) -> Iterable[bytes]:
        answer: dict[str, Any] = {}

        def remember(status: str, headers: list, exc_info: Any = None) -> Callable[[bytes], None]:
            answer.update(status=status, headers=headers)
            return lambda data: None

        body = app(environ, remember)
        missing = answer.get("status", "").startswith("404") and not environ.get("PATH_INFO", "").startswith("/api/")
        if not (missing and state.problems):
            start_response(answer["status"], answer["headers"])
            return body
        if hasattr(body, "close"):
            body.close()
        start_response("503 Service Unavailable", [("Content-Type", "text/html; charset=utf-8"),
                                                   ("Cache-Control", "no-store")])
        return [WAITING_PAGE.encode()]

    return waiting


class _InjectingContainer(LiveScriptContainer):
    """livereload's WSGI container, injecting the reload script and the problems banner."""

    def __init__(self, app: WSGIApp, script: bytes, state: PreviewState):
        super().__init__(app, script)
        self._live = script
        self._state = state

    @property  # type: ignore[override]
    def script(self) -> bytes:
        """Return what goes before </head>: the reload script, then the banner if any."""
        return self._live + self._state.banner()

    @script.setter
    def script(self, value: bytes) -> None:
        self._live = value

    def __call__(self, request: Any) -> None:
        """Answer in full: what is injected changes while the file does not (a failed build)."""
        # A 304 would make the browser show its cached copy, without the banner it now needs.
        for name in ("If-None-Match", "If-Modified-Since"):
            request.headers.pop(name, None)
        super().__call__(request)


class _SilentWatcher(Watcher):
    """livereload's watcher, idle: Pelican's watcher (watchfiles) drives rebuilds and reloads.

    Left alone, livereload would poll the whole current folder every 0.8 s.
    """

    def start(self, callback: Callable[[], None]) -> bool:
        """Start nothing; returning True tells livereload not to poll either."""
        return True


class PreviewServer(Server):
    """livereload's server with our application, our injection and quiet logs."""

    def __init__(self, app: WSGIApp, state: PreviewState):
        super().__init__(app=app, watcher=_SilentWatcher())
        self._state = state

    def application(self, port: int, host: str, **options: Any) -> None:
        """Listen on ``port``, which the reload script's address names."""
        self._port = port
        super().application(port, host, **options)

    def get_web_handlers(self, script: bytes) -> list[tuple[Any, ...]]:
        """Route every address to the application, through the injecting container.

        livereload's ``script`` is an inline snippet, which the policy refuses: pages load
        livereload.js (served by livereload on this port) by its address instead.
        """
        reload_script = f'<script src="/livereload.js?port={self._port}"></script>'.encode()
        fallback = _InjectingContainer(with_waiting_page(self.app, self._state), reload_script, self._state)
        return [
            (PROBLEMS_PATH, _ProblemsScript, {"state": self._state}),
            (r".*", web.FallbackHandler, {"fallback": fallback}),
        ]

    def _setup_logging(self) -> None:
        # A line per request (even a 404 for a missing favicon) would bury the build messages
        # the writer needs; real failures are still logged.
        logging.getLogger("tornado.access").setLevel(logging.ERROR)
        for name in ("livereload", "tornado.application", "tornado.general"):
            logging.getLogger(name).setLevel(logging.WARNING)


def reload_browsers() -> None:
    """Tell every connected page to reload (call on the server's IOLoop)."""
    LiveReloadHandler.reload_waiters("*")


class PollService:
    """The poll service in this process: the app, its database, and sync-polls after builds."""

    def __init__(self, site: Path, database_url: str | None):
        os.environ["POLL_ENV"] = "development"  # a local secret, POLL_SITE_DIR allowed
        os.environ["POLL_SITE_DIR"] = str(site)
        if database_url:
            os.environ["POLL_DATABASE_URL"] = database_url
        self.app = create_app()
        with self.app.app_context():
            init_db()
        self._synced: bytes | None = None

    def sync(self, manifest: Path) -> str | None:
        """Run sync-polls when output/polls.json changed; return its refusal message, if any."""
        try:
            data = manifest.read_bytes()
        except FileNotFoundError:
            return None
        if data == self._synced:
            return None
        # The very command of `make serve` (flask sync-polls), run in this process.
        result = self.app.test_cli_runner().invoke(args=["sync-polls", str(manifest)])
        if result.exit_code != 0:
            return result.output.strip()
        self._synced = data
        return None
