"""Where the deployment's settings come from: the environment (or make's command line), then ``deploy.env``.

``deploy.env`` sits at the top of the project, is ignored by git (each machine has its own
target) and holds ``NAME=value`` lines; ``deploy.env.example`` is its committed model. A value
given in the environment, as ``make deploy DEPLOY_TARGET=…`` does, wins over the file.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .errors import DeployError

SETTINGS_FILE = Path("deploy.env")
# The service's command on a server set up as docs/deploy.md says: a small script that loads
# the service's environment (/etc/tisser/sondages.env), then runs its flask.
DEFAULT_REMOTE_FLASK = "/srv/tisser/bin/flask-sondages"
DEFAULT_KEEP = 5
KNOWN = ("DEPLOY_TARGET", "DEPLOY_SSH_OPTS", "DEPLOY_FLASK", "DEPLOY_KEEP", "DEPLOY_RELOAD")


@dataclass(frozen=True)
class DeploySettings:
    """Everything the deployment needs to know besides the build folder."""

    target: str
    ssh_options: tuple[str, ...] = ()
    flask_command: str | None = None  # shell words; None: the default of the target's kind
    keep: int = DEFAULT_KEEP
    reload_command: str | None = None  # run on the target after the switch, when given


def read_settings_file(path: Path) -> dict[str, str]:
    """Return the ``NAME=value`` lines of ``path`` (nothing when it does not exist)."""
    if not path.is_file():
        return {}
    values: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, equals, raw = line.partition("=")
        name = name.strip().removeprefix("export ").strip()
        if not equals or name not in KNOWN:
            what = f"réglage inconnu « {name} »" if equals else "ligne sans « = »"
            raise DeployError(f"{path}:{number} : {what} (réglages connus : {', '.join(KNOWN)}).")
        values[name] = _value(raw.strip(), path, number)
    return values


def _value(raw: str, path: Path, number: int) -> str:
    """Unquote a value written as in a shell (``'…'`` or ``"…"``); a bare value is kept as is."""
    if not raw.startswith(("'", '"')):
        return raw
    try:
        words = shlex.split(raw)
    except ValueError:
        words = []
    if len(words) != 1:
        raise DeployError(f"{path}:{number} : guillemets mal fermés dans « {raw} ».")
    return words[0]


def load(environ: Mapping[str, str] = os.environ, settings_file: Path = SETTINGS_FILE) -> DeploySettings:
    """Gather the settings: a non-empty environment value first, then the settings file."""
    from_file = read_settings_file(settings_file)

    def get(name: str) -> str | None:
        value = environ.get(name) or from_file.get(name)
        return value.strip() if value and value.strip() else None

    target = get("DEPLOY_TARGET")
    if target is None:
        raise DeployError(
            "Aucune destination : donnez-la avec make deploy DEPLOY_TARGET=… (un dossier, ou "
            f"utilisateur@serveur:/chemin) ou écrivez-la une fois dans {settings_file} "
            "(modèle : deploy.env.example)."
        )
    try:
        ssh_options = tuple(shlex.split(get("DEPLOY_SSH_OPTS") or ""))
    except ValueError:
        raise DeployError("DEPLOY_SSH_OPTS : guillemets mal fermés.") from None
    keep_text = get("DEPLOY_KEEP") or str(DEFAULT_KEEP)
    if not keep_text.isdigit() or int(keep_text) < 2:
        raise DeployError(
            f"DEPLOY_KEEP vaut « {keep_text} » : il faut un nombre de versions gardées, 2 au moins "
            "(la version en ligne et celle où revenir)."
        )
    return DeploySettings(
        target=target,
        ssh_options=ssh_options,
        flask_command=get("DEPLOY_FLASK"),
        keep=int(keep_text),
        reload_command=get("DEPLOY_RELOAD"),
    )
