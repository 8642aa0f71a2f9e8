"""``python -m tools.deploy deploy|rollback``: what ``make deploy`` and ``make rollback`` run."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import commands, settings
from .errors import DeployError


def main(argv: list[str] | None = None) -> int:
    """Run one command; an expected failure prints its French message and returns 1."""
    parser = argparse.ArgumentParser(prog="python -m tools.deploy",
                                     description="Mettre le site de production en ligne, ou revenir en arrière.")
    parser.add_argument("--settings", type=Path, default=settings.SETTINGS_FILE,
                        help="fichier de réglages (par défaut : deploy.env)")
    actions = parser.add_subparsers(dest="action", required=True)
    deploy = actions.add_parser("deploy", help="mettre en ligne le site construit par make publish")
    deploy.add_argument("--public", type=Path, default=Path("public"),
                        help="le dossier du site de production (par défaut : public)")
    actions.add_parser("rollback", help="remettre en ligne la version précédente")
    args = parser.parse_args(argv)
    try:
        chosen = settings.load(settings_file=args.settings)
        if args.action == "deploy":
            commands.deploy(chosen, args.public)
        else:
            commands.rollback(chosen)
    except DeployError as error:
        print(error, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Interrompu : le site en ligne n'a pas changé (ou a changé en entier).", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
