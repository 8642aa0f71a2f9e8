"""``make devserver``: write an article and see it, polls included, at each save.

One process, one address (http://127.0.0.1:8000/ by default):

- the site is built once, then Pelican's autoreload loop rebuilds it at each change of the
  content, the theme or the settings (Pelican's own watcher and file filter, watchfiles);
- rebuilds are fast: the content cache is kept and ``plugins/fast_build`` renders only the
  pages whose inputs changed (``FAST_REBUILD``);
- the content checker runs first in every build (plugins/checks): on a mistake the pages stay
  as they were and show the problems in a banner until the next good save;
- the poll service runs in the same process and serves the site (as ``make serve`` does):
  output/polls.json is synchronised after each build that changed it, so a new poll can be
  tried at once; a refusal (an answer with votes removed) is printed and shown;
- each open page reloads by itself after a rebuild (livereload, as in Pelican's project
  template). Ctrl-C stops everything.

It never stops on a mistake: with no site built yet (a fresh checkout, ``make clean``, every
article broken) each address answers a page with the problems, until a save fixes them. After
each complete build, pages no text makes any more (a draft now published, a deleted article)
are removed from the output folder, so their old address stops answering (tools/stale_pages).
A port already taken is told before anything is built or written.
"""

from __future__ import annotations

import argparse
import errno
import logging
import os
import re
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
log = logging.getLogger(__name__)


@dataclass
class BuildOutcome:
    """How a build went: its duration, the pages rendered, or the problems that stopped it."""

    seconds: float
    rendered: int = 0
    problems: str | None = None
    counted: str = ""  # "13 articles, 4 pages, 1 brouillon": Pelican's "Done:" line, in French


class SiteBuilder:
    """A Pelican instance kept between builds (its caches, our fast writer's memory)."""

    def __init__(self, settings_file: Path, overrides: dict[str, Any], all_feeds: bool = False):
        self.settings_file = settings_file
        self.overrides = overrides
        self.all_feeds = all_feeds
        self.settings: dict[str, Any] = {}
        self.pelican: Any = None
        self.load()

    def load(self) -> None:
        """Read the settings (again, when the settings file changed) and make a Pelican."""
        from pelican import Pelican  # noqa: PLC0415 (heavy: imported once the CLI is parsed)
        from pelican.settings import read_settings  # noqa: PLC0415
        from fast_build.settings import fast_rebuild_settings  # noqa: PLC0415

        from fast_build.incremental import Rebuilder  # noqa: PLC0415

        settings = read_settings(str(self.settings_file), override=self.overrides)
        settings.update(fast_rebuild_settings(settings, all_feeds=self.all_feeds))
        self.settings = settings
        self.pelican = Pelican(settings)
        self.rebuilder = Rebuilder(self.pelican)

    def build(self, changed: list[str] | None = None) -> BuildOutcome:
        """Build the site after ``changed`` files (None: all); mistakes become ``problems``.

        An edit of texts already in the site redoes only what it touches
        (plugins/fast_build/incremental.py); anything else is a complete build.
        """
        from checks import ContentCheckFailed, run_checks  # noqa: PLC0415
        from checks.problems import format_report  # noqa: PLC0415
        from fast_build.keys import LAST  # noqa: PLC0415

        from pelican.log import console  # noqa: PLC0415

        started = time.perf_counter()
        # Pelican prints its English "Done: Processed…" line on its console: taken aside and
        # counted in French; anything else it prints goes on as it was.
        capture = console.capture()
        try:
            with capture:
                if self.rebuilder.can_update(changed):
                    run_checks(self.settings)  # what a complete build does first (plugins/checks)
                self.rebuilder.build(changed)
        except ContentCheckFailed as failed:  # the report is already printed
            return BuildOutcome(time.perf_counter() - started, problems=format_report(failed.result.problems))
        except Exception as error:  # noqa: BLE001 (a broken template must not stop the preview)
            log.exception("devserver: the build failed")
            return BuildOutcome(time.perf_counter() - started, problems=f"Erreur pendant la construction : {error}")
        finally:
            kept, counted = counted_in_french(capture.get())
            sys.stdout.write(kept)
        return BuildOutcome(time.perf_counter() - started, rendered=LAST.rendered, counted=counted)

    def watched_paths(self) -> list[str]:
        """Return what Pelican's autoreload watches: settings file, theme, content."""
        paths = [str(self.settings_file), self.settings["THEME"], self.settings["PATH"]]
        return [path for path in paths if Path(path).exists()]


_DONE_RE = re.compile(r"Done: Processed (\d+) articles?, (\d+) drafts?, \d+ hidden articles?, (\d+) pages?"
                      r".*?seconds\.\n?", re.DOTALL)


def counted_in_french(printed: str) -> tuple[str, str]:
    """Take Pelican's "Done: Processed…" line out of what it printed; count it in French."""
    found = _DONE_RE.search(printed)
    if not found:
        return printed, ""
    articles, drafts, pages = (int(number) for number in found.groups())
    words = [_count(articles, "article"), _count(pages, "page")] + ([_count(drafts, "brouillon")] if drafts else [])
    return printed[:found.start()] + printed[found.end():], ", ".join(words)


def _count(number: int, word: str) -> str:
    return f"{number} {word}{'s' if number > 1 else ''}"


def watch(builder: SiteBuilder, on_built: Callable[[BuildOutcome], None], stop: threading.Event) -> None:
    """Rebuild at each change, until ``stop`` is set (Pelican's autoreload loop).

    One watcher for the whole session, unlike ``pelican --autoreload`` which makes a new one
    after each build: a save made during a build is not lost, it starts the next build.
    """
    import watchfiles  # noqa: PLC0415
    from pelican.utils import FileChangeFilter  # noqa: PLC0415

    watch_filter = FileChangeFilter(ignore_file_patterns=set(builder.settings.get("IGNORE_FILES", [])))
    for changes in watchfiles.watch(*builder.watched_paths(), watch_filter=watch_filter, stop_event=stop,
                                    raise_interrupt=False, debounce=400, step=30):
        changed = sorted({path for _, path in changes})
        print(f"\nModifié : {', '.join(_short(path) for path in changed)}", flush=True)
        if str(builder.settings_file) in changed:
            builder.load()
        on_built(builder.build(changed))


def _short(path: str) -> str:
    try:
        return str(Path(path).relative_to(Path.cwd()))
    except ValueError:
        return path


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(prog="make devserver", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("-s", "--settings", default=str(ROOT / "pelicanconf.py"))
    parser.add_argument("-o", "--output", default="output", help="le dossier du site construit")
    parser.add_argument("--content", help="le dossier du contenu (PATH des réglages par défaut)")
    parser.add_argument("--cache", help="le dossier du cache (CACHE_PATH des réglages par défaut)")
    parser.add_argument("--database", help="la base des votes (POLL_DATABASE_URL, sinon instance/polls.sqlite3)")
    parser.add_argument("--no-polls", action="store_true", help="sans le service de sondages")
    parser.add_argument("--all-feeds", action="store_true",
                        help="écrire aussi les flux de chaque rubrique et étiquette (plus lent)")
    return parser.parse_args(argv)


def overrides_from(args: argparse.Namespace) -> dict[str, Any]:
    """Return the settings the command line changes."""
    overrides: dict[str, Any] = {
        "OUTPUT_PATH": str(Path(args.output).resolve()),
        # Pagefind indexes the whole site again (about 2 s at 1,000 articles): too slow for every
        # save, whatever the settings say. make serve and make publish make the search index.
        "SEARCH_INDEX": False,
    }
    if args.content:
        overrides["PATH"] = str(Path(args.content).resolve())
    if args.cache:
        overrides["CACHE_PATH"] = str(Path(args.cache).resolve())
    return overrides


class DevServer:
    """The builder, the web side and the poll service, wired together."""

    def __init__(self, args: argparse.Namespace):
        from poll_service.built_site import static_site  # noqa: PLC0415
        from tools.preview_web import PollService, PreviewServer, PreviewState  # noqa: PLC0415

        self.args = args
        self.state = PreviewState()
        self.builder = SiteBuilder(Path(args.settings).resolve(), overrides_from(args), args.all_feeds)
        self.output = Path(self.builder.settings["OUTPUT_PATH"])
        # Served even before a first good build: the poll service needs the folder to exist.
        self.output.mkdir(parents=True, exist_ok=True)
        self.report(self.builder.build(), first=True)
        self.remove_stale_pages()
        database = args.database or os.environ.get("POLL_DATABASE_URL") or _default_database()
        _make_sqlite_folder(database)
        self.polls = None if args.no_polls else PollService(self.output, database)
        self.sync_polls()
        app = static_site(self.output) if self.polls is None else self.polls.app
        self.server = PreviewServer(app, self.state)
        self.loop: Any = None

    def report(self, outcome: BuildOutcome, first: bool = False) -> None:
        """Print how the build went and remember its problems for the banner."""
        self.state.problems = outcome.problems
        when = time.strftime("%H:%M:%S")
        if outcome.problems:
            print(f"[{when}] Aperçu NON mis à jour : corrigez les problèmes ci-dessus, puis enregistrez.",
                  flush=True)
        elif first:
            counted = f" : {outcome.counted}" if outcome.counted else ""
            print(f"[{when}] Site construit en {_seconds(outcome.seconds)}{counted}.", flush=True)
        else:
            pages = "1 page refaite" if outcome.rendered == 1 else f"{outcome.rendered} pages refaites"
            print(f"[{when}] Aperçu mis à jour en {_seconds(outcome.seconds)} ({pages}).", flush=True)

    def remove_stale_pages(self) -> None:
        """After a good complete build, remove the pages it did not make (tools/stale_pages)."""
        from fast_build.writer import FastWriter  # noqa: PLC0415

        from tools.stale_pages import remove_stale_pages  # noqa: PLC0415

        built, writer = self.builder.rebuilder.built, FastWriter.last
        if self.state.problems or built is None or writer is None or self.builder.rebuilder.last_kind != "complete":
            return  # an incremental build never changes which pages the site has
        static = [getattr(item, "save_as", "") for item in built.context.get("staticfiles", [])]
        theme = self.builder.settings.get("THEME_STATIC_DIR", "theme")
        for page in remove_stale_pages(self.output, [*writer.records, *static], [theme]):
            print(f"Page retirée de l'aperçu (plus aucun texte ne la fait) : {page}", flush=True)

    def sync_polls(self) -> None:
        """Bring the poll service up to date with output/polls.json; show a refusal."""
        if self.polls is None:
            return
        refused = self.polls.sync(self.output / "polls.json")
        if refused:
            print(refused, flush=True)
            self.state.problems = (self.state.problems or "") + refused

    def after_build(self, outcome: BuildOutcome) -> None:
        """Report, sync the polls, then reload the open pages (called from the watcher)."""
        from tools.preview_web import reload_browsers  # noqa: PLC0415

        self.report(outcome)
        if not outcome.problems:
            self.remove_stale_pages()
            self.sync_polls()
        self.loop.add_callback(reload_browsers)  # thread-safe: the server's loop does it

    def serve(self) -> None:
        """Serve until Ctrl-C, rebuilding in a background thread."""
        from tornado.ioloop import IOLoop  # noqa: PLC0415

        self.loop = IOLoop.current()
        stop = threading.Event()
        watcher = threading.Thread(target=watch, args=(self.builder, self.after_build, stop),
                                   name="rebuild", daemon=True)
        watcher.start()
        url = f"http://{self.args.host}:{self.args.port}/"
        print(f"Aperçu : {url}  (les pages se rechargent à chaque enregistrement ; Ctrl-C pour arrêter)",
              flush=True)
        try:
            self.server.serve(port=self.args.port, host=self.args.host, debug=False, open_url_delay=None)
        finally:
            stop.set()
        print("Aperçu arrêté.", flush=True)


def _seconds(value: float) -> str:
    """Write a duration the French way: "0,42 s"."""
    return f"{value:.2f} s".replace(".", ",")


def _make_sqlite_folder(database: str) -> None:
    """Create the folder of a SQLite database file (instance/ on a fresh checkout)."""
    if database.startswith("sqlite:///") and database != "sqlite:///:memory:":
        Path(database.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)


def port_taken(host: str, port: int) -> bool:
    """Tell whether another server already listens on ``host:port``."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        # As tornado binds: an address still closing (TIME_WAIT) is free, a listening one is not.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            return error.errno == errno.EADDRINUSE
    return False


def _port_taken_message(port: int) -> str:
    return (f"Le port {port} est déjà pris (un autre make serve ou make devserver ?) : rien n'a été "
            f"construit. Arrêtez-le, ou choisissez un autre port : make devserver PORT={port + 1}")


def _default_database() -> str:
    """Return the database of ``make serve`` (instance/polls.sqlite3), creating its folder."""
    folder = Path("instance").resolve()
    folder.mkdir(exist_ok=True)
    return f"sqlite:///{folder / 'polls.sqlite3'}"


def _stop_on_signals() -> None:
    """Make Ctrl-C and ``kill`` stop the server, even when started in the background.

    A shell starts background commands with Ctrl-C (SIGINT) ignored, and Python then keeps
    ignoring it: put Python's handler back.
    """
    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, interrupt)


def main(argv: list[str] | None = None) -> int:
    """Build, serve and rebuild until Ctrl-C."""
    args = parse_arguments(argv)
    from pelican.log import init as init_logging  # noqa: PLC0415

    if port_taken(args.host, args.port):  # before building or writing anything
        print(_port_taken_message(args.port), file=sys.stderr)
        return 1
    init_logging(level=logging.WARNING)
    _stop_on_signals()
    try:
        server = DevServer(args)
        server.serve()
    except KeyboardInterrupt:
        print("Aperçu arrêté.", flush=True)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:  # taken while the site was built
            print(_port_taken_message(args.port).replace(" : rien n'a été construit", ""), file=sys.stderr)
            return 1
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main())
