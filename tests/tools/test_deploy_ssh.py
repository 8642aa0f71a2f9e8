"""``make deploy`` and ``make rollback`` to ``user@127.0.0.1:/path`` through a real sshd.

The tests start OpenSSH's own server on 127.0.0.1 at a free port, with a host key, a client key
and an authorized_keys file made by ssh-keygen in a temporary folder, and deploy through it with
the real ssh and rsync. The "server" is this machine, but everything on its side happens in
the ssh session: the service's commands are DEPLOY_FLASK, with a database and a secret of the
server's own that the caller's environment does not have. Like PostgreSQL, a missing sshd
skips these tests on a workstation and fails them under CI (.ci/run installs it).
"""

from __future__ import annotations

import getpass
import os
import shlex
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from deploy_support import (SECRET, SITE_URL, VENV_BIN, deploy_env, live_release, poll_ids, release_names, run_tool,
                            site_variant, vote, votes_for)
from tools.processes import free_port, stop_group

pytestmark = pytest.mark.slow


def _sshd_binary() -> str | None:
    found = shutil.which("sshd") or ("/usr/sbin/sshd" if os.access("/usr/sbin/sshd", os.X_OK) else None)
    return found if found and shutil.which("ssh-keygen") and shutil.which("rsync") else None


@dataclass(frozen=True)
class SshServer:
    """A running sshd: where it listens, who may log in, and the ssh options that reach it."""

    port: int
    user: str
    options: str  # DEPLOY_SSH_OPTS
    folder: Path


@pytest.fixture(scope="module")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SshServer]:
    """Start sshd on 127.0.0.1 for this module's tests, with keys of its own."""
    binary = _sshd_binary()
    if binary is None:
        reason = "OpenSSH's server, ssh-keygen or rsync is not installed: apt-get install openssh-server rsync"
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (.ci/run installs them: in CI these tests must never skip)")
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp("sshd")
    for key in ("host_key", "client_key"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(folder / key)], check=True)
    # As docs/deploy.md says to install it: "restrict" leaves commands only, enough for rsync.
    (folder / "authorized_keys").write_text("restrict " + (folder / "client_key.pub").read_text())
    port, user = free_port(), getpass.getuser()
    config = folder / "sshd_config"
    config.write_text("\n".join([
        f"Port {port}", "ListenAddress 127.0.0.1", f"HostKey {folder / 'host_key'}",
        f"PidFile {folder / 'sshd.pid'}", f"AuthorizedKeysFile {folder / 'authorized_keys'}",
        "PasswordAuthentication no", "KbdInteractiveAuthentication no", "UsePAM no",
        # The keys live in a temporary folder that StrictModes would find too open.
        "StrictModes no",
        # Logging in as the user running the tests: root on CI machines.
        "PermitRootLogin yes" if user == "root" else "PermitRootLogin no",
    ]) + "\n", encoding="utf-8")
    if os.geteuid() == 0:
        os.makedirs("/run/sshd", exist_ok=True)  # its privilege separation folder
    server = subprocess.Popen([binary, "-D", "-e", "-f", str(config)], stderr=open(folder / "sshd.log", "wb"),
                              start_new_session=True)
    options = (f"-p {port} -i {folder / 'client_key'} -o StrictHostKeyChecking=no "
               f"-o UserKnownHostsFile={folder / 'known_hosts'} -o LogLevel=ERROR")
    try:
        deadline = time.monotonic() + 20
        while True:
            probe = subprocess.run(["ssh", *shlex.split(options), "-o", "BatchMode=yes", f"{user}@127.0.0.1", "true"],
                                   capture_output=True, timeout=30)
            if probe.returncode == 0:
                break
            if server.poll() is not None or time.monotonic() > deadline:
                log = (folder / "sshd.log").read_text(errors="replace")
                pytest.fail(f"sshd did not start: {probe.stderr!r}\n{log}")
            time.sleep(0.2)
        yield SshServer(port=port, user=user, options=options, folder=folder)
    finally:
        stop_group(server)


@pytest.fixture
def server_side(tmp_path: Path) -> dict[str, Path]:
    """The server's folders: the target, the service's database and key folder."""
    return {"target": tmp_path / "serveur" / "site", "database": tmp_path / "serveur" / "polls.sqlite3",
            "keys": tmp_path / "serveur" / "keys"}


def service_command(server: Path, server_side: dict[str, Path]) -> Path:
    """Write the server's flask-sondages script and its environment file, as docs/deploy.md shows."""
    (server / "bin").mkdir(parents=True)
    settings = server / "sondages.env"
    settings.write_text(f"POLL_SECRET_KEY={SECRET}\nPOLL_SITE_URL={SITE_URL}\n"
                        f"POLL_DATABASE_URL=sqlite:///{server_side['database']}\n"
                        f"POLL_KEY_DIR={server_side['keys']}\n", encoding="utf-8")
    script = server / "bin" / "flask-sondages"
    script.write_text(f"#!/bin/sh\nset -a; . {settings}; set +a\ncd {server}\n"
                      f'exec {VENV_BIN / "flask"} --app poll_service "$@"\n', encoding="utf-8")
    script.chmod(0o755)
    return script


@pytest.fixture
def env(sshd: SshServer, server_side: dict[str, Path], tmp_path: Path) -> dict[str, str]:
    """The caller's environment: an SSH target, and POLL_* settings that must not reach the server."""
    return deploy_env(
        DEPLOY_TARGET=f"{sshd.user}@127.0.0.1:{server_side['target']}",
        DEPLOY_SSH_OPTS=sshd.options,
        DEPLOY_FLASK=str(service_command(tmp_path / "serveur", server_side)),
        POLL_DATABASE_URL=f"sqlite:///{tmp_path / 'poste-du-redacteur.sqlite3'}",
        POLL_SECRET_KEY="une-autre-cle-que-celle-du-serveur",
    )


def deployed(public: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    result = run_tool("deploy", "--public", str(public), env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    return result


def test_deploy_over_ssh_syncs_the_polls_on_the_server_then_switches_and_rolls_back(
        published_site: Path, tmp_path: Path, sshd: SshServer, server_side: dict[str, Path],
        env: dict[str, str]) -> None:
    target = server_side["target"]
    first_result = deployed(site_variant(published_site, tmp_path / "v1", marker="un"), env)
    first = live_release(target)
    assert f"vers {sshd.user}@127.0.0.1:{target}…" in first_result.stdout
    assert poll_ids(server_side["database"]) == {"don-en-ligne", "reseau-social-principal"}
    assert not (tmp_path / "poste-du-redacteur.sqlite3").exists()  # the caller's database is untouched

    second_result = deployed(site_variant(published_site, tmp_path / "v2", marker="deux", new_poll="nouveau"), env)
    second = live_release(target)
    assert release_names(target) == [first, second]
    assert (target / "current" / "deploiement.txt").read_text(encoding="utf-8") == "deux"
    same = "theme/css/site.css"
    assert (target / "releases" / first / same).stat().st_ino == (target / "current" / same).stat().st_ino
    assert "repris de la version en ligne" in second_result.stdout
    assert vote(server_side["database"], server_side["keys"], "nouveau", "oui") == 201

    back = run_tool("rollback", env=env)
    assert back.returncode == 0, back.stderr
    assert live_release(target) == first
    assert f"En ligne maintenant : la version {first}" in back.stdout
    refused = run_tool("rollback", env=env)
    assert refused.returncode == 1 and refused.stderr.startswith("Pas de version précédente")
    assert live_release(target) == first


def test_a_sync_refused_on_the_server_switches_nothing_and_keeps_the_votes(
        published_site: Path, tmp_path: Path, server_side: dict[str, Path], env: dict[str, str]) -> None:
    target = server_side["target"]
    deployed(site_variant(published_site, tmp_path / "v1", marker="un"), env)
    live = live_release(target)
    assert vote(server_side["database"], server_side["keys"], "don-en-ligne", "non") == 201

    result = run_tool("deploy", "--public", str(site_variant(
        published_site, tmp_path / "v2", marker="deux", without_option=("don-en-ligne", "non"))), env=env)
    assert result.returncode == 1
    assert "Synchronisation refusée" in result.stderr and "« non »" in result.stderr
    assert f"Mise en ligne annulée : la version {live} reste en ligne" in result.stderr
    assert "Traceback" not in result.stderr
    assert live_release(target) == live and release_names(target) == [live]
    assert votes_for(server_side["database"], server_side["keys"], "don-en-ligne")["non"] == 1


def test_a_server_without_the_service_command_stops_before_any_switch(
        published_site: Path, server_side: dict[str, Path], env: dict[str, str]) -> None:
    result = run_tool("deploy", "--public", str(published_site),
                      env={**env, "DEPLOY_FLASK": "/srv/nulle-part/flask-sondages"})
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        "La commande du service de sondages est introuvable sur le serveur 127.0.0.1 "
        "(« /srv/nulle-part/flask-sondages ») : réglez DEPLOY_FLASK (voir docs/deploy.md).")
    assert not (server_side["target"] / "current").exists()
    assert release_names(server_side["target"]) == []


def test_an_unreachable_server_is_one_french_line(published_site: Path, sshd: SshServer, env: dict[str, str]) -> None:
    closed = free_port()
    options = sshd.options.replace(f"-p {sshd.port}", f"-p {closed}")
    result = run_tool("deploy", "--public", str(published_site), env={**env, "DEPLOY_SSH_OPTS": options})
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "Le serveur 127.0.0.1 refuse la connexion SSH (est-ce le bon port ? DEPLOY_SSH_OPTS=\"-p …\")."]


def test_a_key_the_server_refuses_is_one_french_line(published_site: Path, sshd: SshServer, tmp_path: Path,
                                                     env: dict[str, str]) -> None:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / "autre_cle")], check=True)
    options = sshd.options.replace(str(sshd.folder / "client_key"), str(tmp_path / "autre_cle"))
    # Only the given key: no agent or default key of the machine may be tried instead.
    options += " -o IdentitiesOnly=yes -o IdentityAgent=none"
    result = run_tool("rollback", env={**env, "DEPLOY_SSH_OPTS": options})
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"Le serveur 127.0.0.1 refuse l'accès à {sshd.user}@127.0.0.1 : clé SSH absente ou refusée "
        "(DEPLOY_SSH_OPTS=\"-i chemin/de/la/clé\", voir docs/deploy.md)."]
