"""``python -m checks [content/] [-s pelicanconf.py]``: check the content without building it.

Prints every problem at once; exit status 1 when there is an error, 0 with warnings only.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from .checker import check_site
from .config import CheckConfig
from .problems import format_report


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(prog="python -m checks", description=__doc__)
    parser.add_argument("content", nargs="?", help="le dossier du contenu (PATH des réglages par défaut)")
    parser.add_argument("-s", "--settings", default="pelicanconf.py",
                        help="le fichier de réglages de Pelican (pelicanconf.py par défaut)")
    return parser.parse_args(argv)


def load_settings(settings_file: str, content: str | None) -> dict:
    """Read the site's settings with Pelican's own reader, as the build does."""
    from pelican.settings import read_settings  # noqa: PLC0415 (keeps --help fast)

    # Pelican's remarks about settings (in English, for developers) are not the writers' business.
    logging.getLogger("pelican").setLevel(logging.ERROR)
    override = {"PATH": os.path.abspath(content)} if content else None
    path = settings_file if Path(settings_file).is_file() else None
    return read_settings(path, override=override)


def main(argv: list[str] | None = None) -> int:
    """Check the content, print the report, return the exit status."""
    args = parse_arguments(argv)
    if args.content and not Path(args.content).is_dir():
        print(f"Le dossier « {args.content} » n'existe pas.", file=sys.stderr)
        return 2
    result = check_site(CheckConfig.from_settings(load_settings(args.settings, args.content)))
    print(format_report(result.problems, result.checked), end="")
    return 1 if result.errors else 0


if __name__ == "__main__":
    sys.exit(main())
