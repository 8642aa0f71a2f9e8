"""Where the poll's shared markup lives: ``templates/polls/_poll.html``, one macro file.

Its ``form`` macro is the poll's form (in articles, and on the service's results page), its
``static`` macro the version for feeds. The build renders it in the site's Jinja2
environment, the service in Flask's: both add ``TEMPLATES`` to their template loader.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader

TEMPLATES = Path(__file__).resolve().parent / "templates"
MACROS = "polls/_poll.html"


def loader() -> FileSystemLoader:
    """Return a Jinja2 loader that finds ``polls/_poll.html``."""
    return FileSystemLoader(TEMPLATES)


def standalone_environment() -> Environment:
    """Build an environment for rendering outside a site build (French, no catalog)."""
    env = Environment(
        loader=loader(),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    return env
