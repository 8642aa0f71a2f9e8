"""``make publish``: the production build, into ``public/``, never with a draft.

1. The site is built with publishconf.py into a new folder next to ``public/``
   (``.public-….nouveau``): nothing of a former build can stay (an article since turned
   into a draft, a deleted page), and while the build runs ``public/`` is still the last
   good one, whole.
2. ``tools.draft_leaks`` then looks in that folder for anything of a draft the content
   holds (its page, a feed entry, a sitemap line, its poll). One is enough to refuse.
3. Only then does the new folder take the place of ``public/``. On any failure the new
   folder is removed and ``public/`` is left as it was.

The preview (``make html``, ``make devserver``) writes ``output/``; this command alone
writes ``public/``, the folder ``make deploy`` puts online. What the writer reads last is a
French summary: the folder, how many articles, pages, drafts left out and polls, and the
next step. Pelican's English "Done: Processed…" line is counted in that summary instead.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REFUSED = "Publication refusée : {folder} n'a pas été modifié."


class PublishFailed(Exception):
    """The build or its verification failed; the message is for the writer, in French."""


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(prog="make publish", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-s", "--settings", default=str(ROOT / "publishconf.py"))
    parser.add_argument("-o", "--output", default="public", help="le dossier du site de production")
    parser.add_argument("--content", help="le dossier du contenu (PATH des réglages par défaut)")
    return parser.parse_args(argv)


def _read_settings(settings_file: Path, overrides: dict[str, Any]) -> dict[str, Any]:
    from pelican.settings import read_settings  # noqa: PLC0415 (heavy: once the CLI is parsed)

    return read_settings(str(settings_file), override=overrides)


def build(settings: dict[str, Any]) -> str:
    """Build the site with ``settings``; return Pelican's counts in French ("13 articles, 4 pages").

    Raise ``PublishFailed`` when the build stops (the checker's report is already printed).
    """
    from checks import ContentCheckFailed  # noqa: PLC0415
    from pelican import Pelican  # noqa: PLC0415
    from pelican.log import console  # noqa: PLC0415

    from tools.devserver import counted_in_french  # noqa: PLC0415

    capture = console.capture()
    try:
        with capture:
            Pelican(settings).run()
    except ContentCheckFailed:
        raise PublishFailed("") from None
    except Exception as error:  # noqa: BLE001 (Pelican's own log says what; we say what it means)
        raise PublishFailed(f"La construction du site a échoué : {error}") from None
    finally:
        kept, counted = counted_in_french(capture.get())
        sys.stdout.write(kept)
        sys.stdout.flush()
    return counted


def _staging_folder(public: Path) -> Path:
    """Make the new, empty folder next to ``public`` (same disk: the swap is a rename)."""
    public.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{public.name}-", suffix=".nouveau", dir=public.parent))
    umask = os.umask(0)
    os.umask(umask)
    staging.chmod(0o777 & ~umask)  # mkdtemp's 0700 would follow the site online
    return staging


def swap_in(staging: Path, public: Path) -> None:
    """Put ``staging`` in the place of ``public``; remove the former build."""
    if not public.exists():
        staging.rename(public)
        return
    former = public.with_name(f".{public.name}-{os.getpid()}.ancien")
    public.rename(former)
    staging.rename(public)
    shutil.rmtree(former)


def _polls_in(folder: Path) -> int:
    manifest = folder / "polls.json"
    if not manifest.is_file():
        return 0
    return len(json.loads(manifest.read_text(encoding="utf-8")).get("polls", []))


def _plural(number: int, word: str) -> str:
    return f"{number} {word}{'s' if number > 1 else ''}"


def summary(public: Path, counted: str, drafts: list[Any], polls: int) -> str:
    """Return the French lines ending ``make publish``."""
    lines = [f"Site de production prêt dans {_shown(public)}/ : {counted or 'aucun article'}, "
             f"{_plural(polls, 'sondage')}."]
    if drafts:
        names = ", ".join(draft.shown_as.rsplit(":", 1)[0] for draft in drafts)
        left = "1 brouillon laissé de côté" if len(drafts) == 1 else f"{len(drafts)} brouillons laissés de côté"
        lines.append(f"{left} : {names}.")
    else:
        lines.append("Aucun brouillon.")
    lines.append("Prochaine étape : make deploy pour le mettre en ligne (docs/deploy.md).")
    return "\n".join(lines) + "\n"


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def publish(settings_file: Path, public: Path, content: Path | None = None) -> str:
    """Build, verify and put the site in ``public``; return the summary. Raise ``PublishFailed``."""
    from tools.draft_leaks import find_drafts, find_leaks  # noqa: PLC0415

    public = public.absolute()  # Pelican reads a relative OUTPUT_PATH from the settings' folder
    staging = _staging_folder(public)
    try:
        overrides: dict[str, Any] = {"OUTPUT_PATH": str(staging)}
        if content is not None:
            overrides["PATH"] = str(content.resolve())
        settings = _read_settings(settings_file, overrides)
        counted = build(settings)
        drafts = find_drafts(Path(settings["PATH"]), settings)
        leaks = find_leaks(staging, drafts, settings)
        if leaks:
            raise PublishFailed("\n".join(str(leak) for leak in leaks))
        polls = _polls_in(staging)
        swap_in(staging, public)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return summary(public, counted, drafts, polls)


def main(argv: list[str] | None = None) -> int:
    """Run ``make publish``; return its exit status."""
    args = parse_arguments(argv)
    from pelican.log import init as init_logging  # noqa: PLC0415

    # As `pelican --fatal errors`: a logged error stops the build.
    init_logging(level=logging.WARNING, fatal="errors")
    public = Path(args.output)
    try:
        report = publish(Path(args.settings).resolve(), public, Path(args.content) if args.content else None)
    except PublishFailed as failed:
        message = f"{failed}\n" if str(failed) else ""
        sys.stderr.write(message + REFUSED.format(folder=f"{_shown(public)}/") + "\n")
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("Publication interrompue : " + REFUSED.format(folder=f"{_shown(public)}/").split(" : ", 1)[1]
                         + "\n")
        return 1
    sys.stdout.write(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
