"""Sync the release's polls to the vote service before its pages go live: init-db, then sync-polls.

The commands run where the service's database is: here with the caller's ``POLL_*``
environment for a local target, on the server (DEPLOY_FLASK) for an SSH target. Their French
messages are passed on as they are; a refusal (an answer with votes removed) stops the
deployment.
"""

from __future__ import annotations

import re
import subprocess

from .errors import DeployError
from .hosts import Host, SshHost
from .settings import DEFAULT_REMOTE_FLASK

# ``module.ClassName: message`` closing a traceback: the message alone is the service's sentence.
EXCEPTION_LINE = re.compile(r"^[\w.]+(?:Error|Exception|Refused): ")


def sync_release_polls(host: Host, manifest: str) -> list[str]:
    """Prepare the database and sync the polls of ``manifest`` (a path on the host); return the report."""
    for args in (["init-db"], ["sync-polls", manifest]):
        done = host.service(args)
        if done.returncode != 0:
            raise DeployError(service_failure(host, args[0], done))
    return [line for line in done.stdout.splitlines() if line.strip()]


def service_failure(host: Host, command: str, done: subprocess.CompletedProcess[str]) -> str:
    """Say in French why the service's command failed, without a Python traceback."""
    if done.returncode == 127:
        flask = host.settings.flask_command or DEFAULT_REMOTE_FLASK
        where = f"sur le serveur {host.host}" if isinstance(host, SshHost) else "ici"
        return (f"La commande du service de sondages est introuvable {where} (« {flask} ») : "
                "réglez DEPLOY_FLASK (voir docs/deploy.md).")
    text = done.stderr.strip() or done.stdout.strip()
    if "Traceback (most recent call last)" in text:
        text = EXCEPTION_LINE.sub("", text.splitlines()[-1])
    return f"{command} a échoué :\n{text}" if command == "init-db" else text
