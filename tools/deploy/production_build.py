"""Is a folder a complete production build (``make publish``), the only thing ever put online?

The preview (``make html``, ``make devserver``) differs in two ways that can be seen in the
folder itself: it holds the drafts, under ``brouillons/``, and its addresses are relative (its
sitemap has no ``https://…`` address). Either one, or a folder missing its home page or its
``polls.json``, refuses the deployment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .errors import DeployError

DRAFTS_FOLDER = "brouillons"
REQUIRED = ("index.html", "polls.json", "sitemap.xml")
FIRST_LOC = re.compile(r"<loc>\s*([^<\s]+)\s*</loc>")
PUBLISH_FIRST = "lancez d'abord make publish."


@dataclass(frozen=True)
class ProductionBuild:
    """A checked production build: its folder and the site's public address."""

    folder: Path
    site_url: str


def check_production_build(folder: Path) -> ProductionBuild:
    """Return ``folder`` as a production build, or raise DeployError saying what to do."""
    if not folder.is_dir():
        raise DeployError(f"Le dossier {folder}/ n'existe pas : {PUBLISH_FIRST}")
    missing = [name for name in REQUIRED if not (folder / name).is_file()]
    if missing:
        raise DeployError(
            f"{folder}/ n'est pas un site complet ({', '.join(missing)} manque) : {PUBLISH_FIRST}"
        )
    if (folder / DRAFTS_FOLDER).exists():
        raise DeployError(
            f"{folder}/ contient des brouillons ({DRAFTS_FOLDER}/) : c'est un aperçu, pas le site "
            f"de production ; {PUBLISH_FIRST}"
        )
    found = FIRST_LOC.search((folder / "sitemap.xml").read_text(encoding="utf-8", errors="replace"))
    site_url = found.group(1) if found else ""
    if not site_url.startswith(("https://", "http://")):
        raise DeployError(
            f"{folder}/ est un aperçu (ses adresses sont relatives), pas le site de production ; "
            f"{PUBLISH_FIRST}"
        )
    return ProductionBuild(folder=folder, site_url=site_url)
