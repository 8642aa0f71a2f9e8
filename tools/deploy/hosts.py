"""The machine that holds the target: this one (a local folder) or a server reached by SSH.

Both kinds run the same POSIX shell scripts (``releases`` writes them) and copy with the same
rsync command, so the tests of a local target also test what a server runs. Only how the
script gets there differs: ``sh -c`` here, ``ssh … sh -c`` there. A failure to reach the server
or to find a program becomes a DeployError in French.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path

from .errors import DeployError
from .settings import DEFAULT_REMOTE_FLASK, DeploySettings

# Never wait for a password nobody will type (CI), nor forever for a host that does not answer.
SSH_DEFAULTS = ("-o", "BatchMode=yes", "-o", "ConnectTimeout=15")
SSH_TARGET = re.compile(r"^(?:(?P<user>[^@/:\s]+)@)?(?P<host>[^@/:\s]+):(?P<path>.*)$")
# Files readable by the web server whatever the builder's umask; the owner can still delete them.
RSYNC_PERMISSIONS = "--chmod=Du=rwx,Dgo=rx,Fu=rw,Fgo=r"


@dataclass(frozen=True)
class Copied:
    """What one upload did: files sent, and files taken unchanged from the previous release."""

    sent: int | None
    reused: int | None


class Host(ABC):
    """Where the target folder lives, and how to act there."""

    root: str  # the target folder, an absolute path on that machine
    settings: DeploySettings

    @abstractmethod
    def describe(self) -> str:
        """Return the target as the writer gave it, for messages."""

    @abstractmethod
    def run(self, script: str) -> subprocess.CompletedProcess[str]:
        """Run a POSIX shell script on the machine; its output is captured."""

    @abstractmethod
    def service(self, args: list[str]) -> subprocess.CompletedProcess[str]:
        """Run the poll service's flask command with ``args`` on the machine."""

    @abstractmethod
    def _rsync_destination(self, path: str) -> list[str]:
        """Return rsync's options and destination argument for ``path`` on the machine."""

    def upload(self, source: Path, path: str, link_dest: str | None) -> Copied:
        """Copy the folder ``source`` to ``path``, hard-linking files unchanged since ``link_dest``.

        Files are compared by content (``-c``), not by date: ``make publish`` rewrites every
        file, and an unchanged page must still be linked, not sent again. Dates are not copied,
        so a linked file keeps the date it was first put online (what browsers' caches see).
        """
        command = ["rsync", "-rlpc", RSYNC_PERMISSIONS, "--stats"]
        if link_dest:
            command.append(f"--link-dest={link_dest}")
        *options, destination = self._rsync_destination(path)
        command += [*options, f"{source}/", destination]
        try:
            done = subprocess.run(command, capture_output=True, text=True)
        except FileNotFoundError:
            raise DeployError("rsync manque sur cette machine : installez-le (apt-get install rsync).") from None
        if done.returncode != 0:
            raise self._copy_error(done, path)
        return _copied(done.stdout)

    def _copy_error(self, done: subprocess.CompletedProcess[str], path: str) -> DeployError:
        """Turn a failed rsync into a French sentence."""
        if "Permission denied" in done.stderr:
            return DeployError(f"Copie refusée : pas le droit d'écrire dans {path}.")
        if "No space left" in done.stderr:
            return DeployError(f"Copie impossible : plus de place sur le disque de {path}.")
        return DeployError(f"La copie vers {path} a échoué : {last_line(done.stderr)}")


class LocalHost(Host):
    """A target folder on this machine; the service runs with the caller's environment."""

    def __init__(self, root: Path, settings: DeploySettings):
        self.root = str(root)
        self.settings = settings

    def describe(self) -> str:
        return self.root

    def run(self, script: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["sh", "-c", script], capture_output=True, text=True)

    def service(self, args: list[str]) -> subprocess.CompletedProcess[str]:
        if self.settings.flask_command:
            return self.run(f"{self.settings.flask_command} {shlex.join(args)}")
        # This project's own service, from the same environment as this program.
        return subprocess.run([sys.executable, "-m", "flask", "--app", "poll_service", *args],
                              capture_output=True, text=True)

    def _rsync_destination(self, path: str) -> list[str]:
        return [path]


@dataclass
class SshHost(Host):
    """A target folder on a server, reached with ssh and the options of DEPLOY_SSH_OPTS."""

    user: str | None
    host: str
    root: str
    settings: DeploySettings = field(repr=False)

    @property
    def destination(self) -> str:
        """Return ``user@host`` (or ``host``), as ssh and rsync take it."""
        return f"{self.user}@{self.host}" if self.user else self.host

    def describe(self) -> str:
        return f"{self.destination}:{self.root}"

    def ssh_command(self) -> list[str]:
        """Return ssh with its options: the user's first, since ssh keeps an option's first value."""
        return ["ssh", *self.settings.ssh_options, *SSH_DEFAULTS]

    def run(self, script: str) -> subprocess.CompletedProcess[str]:
        # ssh hands the server's login shell one string: sh -c keeps the script POSIX whatever it is.
        command = [*self.ssh_command(), self.destination, shlex.join(["sh", "-c", script])]
        try:
            done = subprocess.run(command, capture_output=True, text=True)
        except FileNotFoundError:
            raise DeployError("ssh manque sur cette machine : installez-le (apt-get install openssh-client).") from None
        if done.returncode == 255:
            raise DeployError(ssh_failure(self.host, self.destination, done.stderr))
        return done

    def service(self, args: list[str]) -> subprocess.CompletedProcess[str]:
        return self.run(f"{self.settings.flask_command or DEFAULT_REMOTE_FLASK} {shlex.join(args)}")

    def _rsync_destination(self, path: str) -> list[str]:
        return ["-e", shlex.join(self.ssh_command()), f"{self.destination}:{path}"]

    def _copy_error(self, done: subprocess.CompletedProcess[str], path: str) -> DeployError:
        stderr = done.stderr
        if re.search(r"rsync: (command )?not found|rsync: No such file", stderr):
            return DeployError(f"rsync manque sur le serveur {self.host} : installez-le (apt-get install rsync).")
        if done.returncode == 255 or ("connection unexpectedly closed" in stderr and "ssh:" in stderr):
            return DeployError(ssh_failure(self.host, self.destination, stderr))
        return super()._copy_error(done, f"{self.destination}:{path}")


def ssh_failure(host: str, destination: str, stderr: str) -> str:
    """Say in French why ssh could not reach or enter the server."""
    if "Could not resolve hostname" in stderr or "Name or service not known" in stderr:
        return f"Serveur inconnu : « {host} » (nom mal écrit dans DEPLOY_TARGET ?)."
    if "Connection refused" in stderr:
        return f"Le serveur {host} refuse la connexion SSH (est-ce le bon port ? DEPLOY_SSH_OPTS=\"-p …\")."
    if any(words in stderr for words in ("timed out", "No route to host", "Network is unreachable")):
        return f"Serveur injoignable : {host} ne répond pas."
    if "Host key verification failed" in stderr or "REMOTE HOST IDENTIFICATION HAS CHANGED" in stderr:
        return (f"La clé du serveur {host} est inconnue ou a changé : vérifiez-la, puis acceptez-la "
                f"une fois avec « ssh {destination} ».")
    if "Permission denied" in stderr:
        return (f"Le serveur {host} refuse l'accès à {destination} : clé SSH absente ou refusée "
                "(DEPLOY_SSH_OPTS=\"-i chemin/de/la/clé\", voir docs/deploy.md).")
    return f"Connexion SSH à {host} impossible : {last_line(stderr)}"


def last_line(text: str) -> str:
    """Return the last non-empty line of a program's output (its conclusion)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "(aucun message)"


def _copied(stats: str) -> Copied:
    """Read rsync's --stats: regular files sent, and regular files in all."""

    def number(pattern: str) -> int | None:
        found = re.search(pattern, stats)
        return int(found.group(1).replace(",", "").replace(".", "")) if found else None

    total = number(r"Number of files: [\d,.]+ \(reg: ([\d,.]+)")
    sent = number(r"Number of regular files transferred: ([\d,.]+)")
    reused = total - sent if total is not None and sent is not None else None
    return Copied(sent=sent, reused=reused)


def host_for(target: str, settings: DeploySettings) -> Host:
    """Return the host of ``target``: ``[user@]host:/path`` is a server, anything else a folder here."""
    found = SSH_TARGET.match(target)
    if found is None:
        return LocalHost(Path(target).expanduser().resolve(), settings)
    path = found.group("path")
    if not path.startswith("/"):
        raise DeployError(
            f"DEPLOY_TARGET vaut « {target} » : le dossier sur le serveur doit être un chemin "
            "absolu (par exemple tisser@serveur.example.org:/srv/tisser/site)."
        )
    return SshHost(user=found.group("user"), host=found.group("host"), root=path.rstrip("/") or "/",
                   settings=settings)
