"""The release folders of a target and its ``current`` link, as POSIX shell run on its host.

Layout (the same on a server and in a local folder)::

    <target>/releases/20261206-181500/   one complete site per release, named by its UTC time
    <target>/releases/20261206-181500.partiel/   a release being uploaded, never live
    <target>/current -> releases/20261206-181500  what the web server serves

``current`` changes only by renaming a new link over it (``mv -T``, one rename(2) call): at
every instant it names a complete release, the old one or the new one.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from datetime import datetime, timezone

from .errors import DeployError
from .hosts import Host, last_line

RELEASE_NAME = re.compile(r"^(?P<time>\d{8}-\d{6})(?:-(?P<rank>\d+))?$")
PARTIAL_SUFFIX = ".partiel"
NOT_A_LINK = "!"


@dataclass(frozen=True)
class TargetState:
    """What a target holds: its complete releases, oldest first, and the live one."""

    releases: tuple[str, ...]
    current: str | None  # the release ``current`` names; None when nothing is live
    current_is_foreign: bool = False  # ``current`` exists but is no link to a release of ours

    def before(self, name: str) -> str | None:
        """Return the release just older than ``name``, if one is kept."""
        older = [release for release in self.releases if release_order(release) < release_order(name)]
        return older[-1] if older else None


def release_order(name: str) -> tuple[str, int]:
    """Sort key of a release name: its time, then its rank within that second."""
    found = RELEASE_NAME.match(name)
    if found is None:
        return (name, 0)
    return (found.group("time"), int(found.group("rank") or 1))


def new_release_name(existing: tuple[str, ...], now: datetime | None = None) -> str:
    """Name a new release after the UTC time, so that it sorts after every existing release.

    Names order the releases (rollback goes to the one before): a second release within the
    same second is ranked (``-2``), and so is one from a machine whose clock is behind the
    newest release's, rather than sorting before it.
    """
    stamp = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).strftime("%Y%m%d-%H%M%S")
    newest = max(existing, key=release_order, default=None)
    if newest is None or release_order(stamp) > release_order(newest):
        return stamp
    time, rank = release_order(newest)
    return f"{time}-{rank + 1}"


def read_state(host: Host) -> TargetState:
    """Read the releases and the ``current`` link of the target (empty when it does not exist)."""
    root = shlex.quote(host.root)
    script = f"""
[ -d {root} ] || exit 0
cd {root} || exit 3
if [ -L current ]; then printf 'current %s\\n' "$(readlink current)"
elif [ -e current ]; then printf 'current {NOT_A_LINK}\\n'; fi
for folder in releases/*; do
    [ -d "$folder" ] && printf 'folder %s\\n' "${{folder#releases/}}"
done
exit 0
"""
    done = host.run(script)
    if done.returncode != 0:
        raise DeployError(f"Impossible de lire {host.describe()} : {_reason(done.stderr)}")
    link, folders = None, []
    for line in done.stdout.splitlines():
        kind, _, value = line.partition(" ")
        if kind == "current":
            link = value
        elif kind == "folder" and RELEASE_NAME.match(value):
            folders.append(value)
    releases = tuple(sorted(folders, key=release_order))
    linked = link.removeprefix("releases/") if link else None
    current = linked if linked in releases else None
    return TargetState(releases=releases, current=current, current_is_foreign=link is not None and current is None)


def create_partial(host: Host, name: str) -> str:
    """Create the releases folder if needed; return the path the new release is uploaded to."""
    releases = f"{host.root}/releases"
    done = host.run(f"mkdir -p {shlex.quote(releases)}")
    if done.returncode != 0:
        raise DeployError(f"Impossible de créer {releases} : {_reason(done.stderr)}")
    return f"{releases}/{name}{PARTIAL_SUFFIX}"


def remove_partial(host: Host, name: str) -> None:
    """Delete an upload that will not go live."""
    host.run(f"rm -rf {shlex.quote(f'{host.root}/releases/{name}{PARTIAL_SUFFIX}')}")


def switch(host: Host, name: str, *, complete_upload: bool = False) -> None:
    """Point ``current`` at release ``name`` in one rename; first name the upload, when asked."""
    release = shlex.quote(f"releases/{name}")
    temporary = shlex.quote(f".current-{name}")
    steps = [f"cd {shlex.quote(host.root)}"]
    if complete_upload:
        steps.append(f"mv -T {shlex.quote(f'releases/{name}{PARTIAL_SUFFIX}')} {release}")
    # A relative link: the target folder can be moved or mounted elsewhere and stay right.
    steps += [f"ln -sfn {release} {temporary}", f"mv -T {temporary} current"]
    done = host.run(" && ".join(steps))
    if done.returncode != 0:
        raise DeployError(f"Impossible de mettre {name} en ligne dans {host.describe()} : {_reason(done.stderr)}")


def prune(host: Host, state: TargetState, keep: int) -> list[str]:
    """Delete releases beyond the ``keep`` newest (never the live one) and stale uploads.

    Return the names deleted. A failure here leaves old folders behind, nothing worse: it is
    not an error of the deployment, which is done by then.
    """
    ordered = sorted(state.releases, key=release_order)
    kept = set(ordered[-keep:]) | {state.current}
    old = [name for name in ordered if name not in kept]
    paths = [f"{host.root}/releases/{name}" for name in old]
    # An upload interrupted earlier (Ctrl-C, lost connection) left a .partiel folder.
    stale = f"{shlex.quote(host.root)}/releases/*{PARTIAL_SUFFIX}"
    host.run(f"rm -rf {' '.join(shlex.quote(path) for path in paths)} {stale}")
    return old


def _reason(stderr: str) -> str:
    """Say why a shell step failed, in French for the usual causes."""
    if "Permission denied" in stderr:
        return "permission refusée."
    if "No space left" in stderr:
        return "plus de place sur le disque."
    if "Not a directory" in stderr:
        return "un fichier porte déjà ce nom, là où il faut un dossier."
    if "Read-only file system" in stderr:
        return "système de fichiers en lecture seule."
    return last_line(stderr)
