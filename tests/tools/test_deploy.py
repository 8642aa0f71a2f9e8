"""``make deploy`` and ``make rollback`` to a local folder, end to end with the real service.

Each test deploys copies of the real production build with the real command (``python -m
tools.deploy``, what the Makefile runs; one test goes through make itself), rsync and the
service's own ``flask`` commands on a SQLite database of its own. The SSH target has its own
tests (test_deploy_ssh.py); both run the same shell steps.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from deploy_support import (ROOT, SECRET, SITE_URL, VENV_BIN, deploy_env, live_release, poll_ids, release_names,
                            run_tool, site_variant, vote, votes_for)
from tools.deploy.errors import DeployError
from tools.deploy.hosts import LocalHost, SshHost, host_for
from tools.deploy.production_build import check_production_build
from tools.deploy.releases import new_release_name, release_order
from tools.deploy.settings import DeploySettings, load


@pytest.fixture(autouse=True)
def _rsync_is_installed() -> None:
    if shutil.which("rsync") is None:
        reason = "rsync is not installed: apt-get install rsync"
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (.ci/run installs it: in CI these tests must never skip)")
        pytest.skip(reason)


@pytest.fixture
def place(tmp_path: Path) -> dict[str, Path]:
    """The target folder, the service's database and its key folder, all empty."""
    return {"target": tmp_path / "en-ligne", "database": tmp_path / "polls.sqlite3", "keys": tmp_path / "keys"}


@pytest.fixture
def env(place: dict[str, Path]) -> dict[str, str]:
    """The caller's environment of a local deployment: the target and the service's POLL_* settings."""
    return deploy_env(DEPLOY_TARGET=str(place["target"]), POLL_SECRET_KEY=SECRET, POLL_SITE_URL=SITE_URL,
                      POLL_DATABASE_URL=f"sqlite:///{place['database']}", POLL_KEY_DIR=str(place["keys"]))


def make_in_project(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run ``make`` in the project as a writer would, with this test's virtual environment."""
    return subprocess.run(["make", "-C", str(ROOT), "--no-print-directory", f"VENV={VENV_BIN.parent}",
                           "-o", f"{VENV_BIN.parent}/.installed", *args],
                          env=env, capture_output=True, encoding="utf-8", timeout=300)


def deployed(public: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Deploy ``public`` and check the command ended well, in French, without a traceback."""
    result = run_tool("deploy", "--public", str(public), env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    return result


# --- Going live ------------------------------------------------------------------------------


def test_a_first_deploy_puts_the_build_live_with_its_polls_synced(
        published_site: Path, tmp_path: Path, place: dict[str, Path], env: dict[str, str]) -> None:
    public = site_variant(published_site, tmp_path / "public", marker="premier")
    result = deployed(public, env)

    target = place["target"]
    name = live_release(target)
    assert release_names(target) == [name]
    assert (target / "current" / "index.html").read_bytes() == (public / "index.html").read_bytes()
    assert sorted(p.relative_to(public) for p in public.rglob("*")) == \
        sorted(p.relative_to(target / "current") for p in (target / "current").rglob("*"))
    assert poll_ids(place["database"]) == {"don-en-ligne", "reseau-social-principal"}
    assert f"En ligne : la version {name}" in result.stdout
    assert "https://tisser.example.org/" in result.stdout
    assert "make rollback" not in result.stdout  # nothing to go back to yet


def test_a_second_deploy_switches_current_and_reuses_unchanged_files(
        published_site: Path, tmp_path: Path, place: dict[str, Path], env: dict[str, str]) -> None:
    target = place["target"]
    deployed(site_variant(published_site, tmp_path / "v1", marker="un"), env)
    first = live_release(target)
    result = deployed(site_variant(published_site, tmp_path / "v2", marker="deux", new_poll="nouveau"), env)
    second = live_release(target)

    assert second != first and release_names(target) == [first, second]
    assert (target / "current" / "deploiement.txt").read_text(encoding="utf-8") == "deux"
    assert (target / "releases" / first / "deploiement.txt").read_text(encoding="utf-8") == "un"
    # An unchanged file is the previous release's own file (hard link); a changed one is not.
    same = "theme/css/site.css"
    assert (target / "releases" / first / same).stat().st_ino == (target / "current" / same).stat().st_ino
    assert (target / "releases" / first / "index.html").stat().st_ino != (target / "current" / "index.html").stat().st_ino
    assert f"Pour revenir à la version précédente ({first}) : make rollback" in result.stdout
    assert "repris de la version en ligne" in result.stdout
    # The new article's poll is votable as soon as its page is live.
    assert vote(place["database"], place["keys"], "nouveau", "oui") == 201


def test_rollback_puts_the_previous_release_back_then_refuses_when_there_is_none(
        published_site: Path, tmp_path: Path, place: dict[str, Path], env: dict[str, str]) -> None:
    target = place["target"]
    deployed(site_variant(published_site, tmp_path / "v1", marker="un"), env)
    first = live_release(target)
    deployed(site_variant(published_site, tmp_path / "v2", marker="deux"), env)
    second = live_release(target)

    back = run_tool("rollback", env=env)
    assert back.returncode == 0, back.stderr
    assert live_release(target) == first
    assert (target / "current" / "deploiement.txt").read_text(encoding="utf-8") == "un"
    assert f"En ligne maintenant : la version {first}" in back.stdout and second in back.stdout
    assert release_names(target) == [first, second]  # the newer one is kept

    again = run_tool("rollback", env=env)
    assert again.returncode == 1
    assert again.stderr.startswith("Pas de version précédente")
    assert "Traceback" not in again.stderr and again.stdout == ""
    assert live_release(target) == first


def test_rollback_with_nothing_online_says_so(place: dict[str, Path], env: dict[str, str]) -> None:
    result = run_tool("rollback", env=env)
    assert result.returncode == 1
    assert result.stderr.startswith("Aucune version en ligne")
    assert not place["target"].exists()


def test_a_refused_sync_switches_nothing_and_keeps_the_votes(
        published_site: Path, tmp_path: Path, place: dict[str, Path], env: dict[str, str]) -> None:
    target = place["target"]
    deployed(site_variant(published_site, tmp_path / "v1", marker="un"), env)
    live = live_release(target)
    assert vote(place["database"], place["keys"], "don-en-ligne", "non") == 201

    without = site_variant(published_site, tmp_path / "v2", marker="deux", new_poll="nouveau",
                           without_option=("don-en-ligne", "non"))
    result = run_tool("deploy", "--public", str(without), env=env)

    assert result.returncode == 1
    assert "Synchronisation refusée" in result.stderr and "« non »" in result.stderr
    assert result.stderr.rstrip().endswith(f"Mise en ligne annulée : la version {live} reste en ligne, rien n'a changé.")
    assert "Traceback" not in result.stderr
    assert live_release(target) == live
    assert release_names(target) == [live]  # the upload is gone
    assert votes_for(place["database"], place["keys"], "don-en-ligne")["non"] == 1
    assert "nouveau" not in poll_ids(place["database"])  # the refused sync changed nothing


def test_visitors_never_see_half_a_site_and_polls_are_ready_before_their_pages(
        published_site: Path, tmp_path: Path, place: dict[str, Path], env: dict[str, str]) -> None:
    """Watch ``current`` while three deployments run: always a whole release, polls already synced."""
    target = place["target"]
    builds = {f"v{n}": site_variant(published_site, tmp_path / f"v{n}", marker=f"v{n}", new_poll=f"sondage-{n}")
              for n in range(1, 4)}
    expected = {marker: sorted(str(p.relative_to(folder)) for folder in [build] for p in folder.rglob("*"))
                for marker, build in builds.items()}
    seen: dict[str, int] = {}
    problems: list[str] = []
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            if not os.path.lexists(target / "current"):
                if seen:
                    problems.append("current missing")
                continue  # before the first deployment
            release = Path(os.path.realpath(target / "current"))
            try:
                marker = (release / "deploiement.txt").read_text(encoding="utf-8")
                files = sorted(str(p.relative_to(release)) for p in release.rglob("*"))
            except OSError as error:
                problems.append(f"current unreadable: {error}")
                continue
            if files != expected.get(marker):
                problems.append(f"{release.name} is not a whole release")
            if f"sondage-{marker[1:]}" not in poll_ids(place["database"]):
                problems.append(f"{marker} live before its poll was synced")
            seen[marker] = seen.get(marker, 0) + 1

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        for build in builds.values():
            deployed(build, env)
    finally:
        done.set()
        watcher.join()
    assert problems == []
    assert set(seen) >= {"v1", "v2"} and live_release(target) in release_names(target)
    assert (target / "current" / "deploiement.txt").read_text(encoding="utf-8") == "v3"


def test_only_the_last_releases_are_kept(
        published_site: Path, tmp_path: Path, place: dict[str, Path], env: dict[str, str]) -> None:
    target = place["target"]
    for n in range(3):
        result = deployed(site_variant(published_site, tmp_path / f"v{n}", marker=str(n)),
                          {**env, "DEPLOY_KEEP": "2"})
    kept = release_names(target)
    assert len(kept) == 2 and live_release(target) == kept[-1]
    assert "Anciennes versions effacées" in result.stdout


NEW_ARTICLE = """Title: La fête du quartier
Date: 2026-11-26 10:00
Category: Vie associative
Tags: fête
Summary: La fête du quartier revient au printemps : dites-nous si vous viendrez.

La fête du quartier revient au printemps.

```poll
id: fete-du-quartier
question: Viendrez-vous à la fête du quartier ?
options:
  - oui: Oui
  - non: Non
```
"""


@pytest.mark.slow
def test_a_new_article_with_a_new_poll_goes_live_votable_with_make_publish_and_make_deploy(
        tmp_path: Path, place: dict[str, Path], env: dict[str, str]) -> None:
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    (content / "la-fete-du-quartier.md").write_text(NEW_ARTICLE, encoding="utf-8")
    public = tmp_path / "public"
    published = make_in_project("publish", f"CONTENTDIR={content}", f"PUBLICDIR={public}", env=env)
    assert published.returncode == 0, published.stdout + published.stderr
    deployed_now = make_in_project("deploy", f"PUBLICDIR={public}", env=env)
    assert deployed_now.returncode == 0, deployed_now.stdout + deployed_now.stderr

    page = (place["target"] / "current" / "la-fete-du-quartier" / "index.html").read_text(encoding="utf-8")
    assert 'action="/api/polls/fete-du-quartier/votes"' in page  # the page shows the poll's form
    assert vote(place["database"], place["keys"], "fete-du-quartier", "oui") == 201


# --- Refusals --------------------------------------------------------------------------------


def test_deploy_refuses_a_missing_folder_a_preview_and_a_build_with_drafts(
        site: Path, published_site: Path, tmp_path: Path, place: dict[str, Path], env: dict[str, str]) -> None:
    with_drafts = site_variant(published_site, tmp_path / "avec-brouillons", marker="x")
    (with_drafts / "brouillons" / "projet").mkdir(parents=True)
    for folder, words in [(tmp_path / "public", "n'existe pas"), (site, "est un aperçu"),
                          (with_drafts, "contient des brouillons")]:
        result = run_tool("deploy", "--public", str(folder), env=env)
        assert result.returncode == 1
        assert words in result.stderr and result.stderr.rstrip().endswith("lancez d'abord make publish.")
        assert "Traceback" not in result.stderr
    assert not place["target"].exists()
    assert not place["database"].exists()


def test_a_service_that_cannot_start_stops_the_deployment_in_french(
        published_site: Path, tmp_path: Path, place: dict[str, Path], env: dict[str, str]) -> None:
    no_secret = {name: value for name, value in env.items() if name != "POLL_SECRET_KEY"}
    result = run_tool("deploy", "--public", str(published_site), env=no_secret)
    assert result.returncode == 1
    assert "POLL_SECRET_KEY manque" in result.stderr and "Traceback" not in result.stderr
    assert "Mise en ligne annulée : rien n'a été mis en ligne" in result.stderr
    assert not (place["target"] / "current").exists()
    assert release_names(place["target"]) == []


def test_a_target_that_cannot_be_written_is_one_french_line(published_site: Path, tmp_path: Path,
                                                          env: dict[str, str]) -> None:
    (tmp_path / "fichier").write_text("pas un dossier", encoding="utf-8")
    result = run_tool("deploy", "--public", str(published_site),
                      env={**env, "DEPLOY_TARGET": str(tmp_path / "fichier" / "site")})
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"Impossible de créer {tmp_path}/fichier/site/releases : un fichier porte déjà ce nom, là où il faut un dossier."]


def test_missing_rsync_is_one_french_line(published_site: Path, tmp_path: Path, env: dict[str, str]) -> None:
    tools = tmp_path / "bin"
    tools.mkdir()
    for program in ("sh", "mkdir", "rm", "ln", "mv", "readlink"):
        (tools / program).symlink_to(shutil.which(program))
    result = run_tool("deploy", "--public", str(published_site), env={**env, "PATH": str(tools)})
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == "rsync manque sur cette machine : installez-le (apt-get install rsync)."
    assert "Traceback" not in result.stderr


def test_no_target_anywhere_says_where_to_set_it(published_site: Path) -> None:
    result = run_tool("deploy", "--public", str(published_site), env=deploy_env())
    assert result.returncode == 1
    assert result.stderr.startswith("Aucune destination") and "deploy.env" in result.stderr


# --- The settings file and make --------------------------------------------------------------


def test_the_settings_file_gives_the_target_and_the_command_line_wins(tmp_path: Path) -> None:
    settings = tmp_path / "deploy.env"
    settings.write_text("# ma destination\nDEPLOY_TARGET=/srv/site\nDEPLOY_SSH_OPTS=\"-p 2222 -i '/a b/cle'\"\n"
                        "DEPLOY_KEEP=3\n", encoding="utf-8")
    chosen = load({}, settings)
    assert chosen == DeploySettings(target="/srv/site", ssh_options=("-p", "2222", "-i", "/a b/cle"), keep=3)
    assert load({"DEPLOY_TARGET": "/ailleurs"}, settings).target == "/ailleurs"
    settings.write_text("DEPLOY_TARGET=/srv/site\nDEPLOY_TARGETS=/x\n", encoding="utf-8")
    with pytest.raises(DeployError, match=r"deploy.env:2 : réglage inconnu « DEPLOY_TARGETS »"):
        load({}, settings)


def test_a_deploy_through_the_settings_file(published_site: Path, place: dict[str, Path],
                                            env: dict[str, str], tmp_path: Path) -> None:
    settings = tmp_path / "deploy.env"
    settings.write_text(f"DEPLOY_TARGET={place['target']}\nDEPLOY_KEEP=4\n", encoding="utf-8")
    without_target = {name: value for name, value in env.items() if name != "DEPLOY_TARGET"}
    result = run_tool("deploy", "--public", str(published_site), env=without_target, settings=settings)
    assert result.returncode == 0, result.stderr
    assert (place["target"] / "current" / "index.html").is_file()


def test_make_deploy_and_make_rollback_print_french_only(
        published_site: Path, tmp_path: Path, place: dict[str, Path], env: dict[str, str]) -> None:
    def make(*args: str) -> subprocess.CompletedProcess:
        return make_in_project(*args, env=env)

    for n in (1, 2):
        public = site_variant(published_site, tmp_path / f"v{n}", marker=str(n))
        result = make("deploy", f"PUBLICDIR={public}", f"DEPLOY_TARGET={place['target']}")
        assert result.returncode == 0, result.stdout + result.stderr
    first = release_names(place["target"])[0]
    result = make("rollback", f"DEPLOY_TARGET={place['target']}")
    assert result.returncode == 0 and live_release(place["target"]) == first
    refused = make("rollback", f"DEPLOY_TARGET={place['target']}")
    assert refused.returncode != 0
    for output in (result.stdout + result.stderr, refused.stdout + refused.stderr):
        assert not any(line.startswith("make") for line in output.splitlines()), output
    assert refused.stderr.startswith("Pas de version précédente")


# --- The pieces ------------------------------------------------------------------------------


def test_release_names_follow_time_and_rank_within_one_second() -> None:
    from datetime import datetime, timezone

    now = datetime(2026, 12, 6, 18, 15, 0, tzinfo=timezone.utc)
    assert new_release_name((), now) == "20261206-181500"
    assert new_release_name(("20261206-181500",), now) == "20261206-181500-2"
    # A machine whose clock is behind still names its release after the newest one.
    assert new_release_name(("20261206-181500", "20261206-190000-2"), now) == "20261206-190000-3"
    names = ["20261206-181500-10", "20261206-181500-2", "20261206-181500", "20261205-090000"]
    assert sorted(names, key=release_order) == [
        "20261205-090000", "20261206-181500", "20261206-181500-2", "20261206-181500-10"]


@pytest.mark.parametrize("target, kind, where", [
    ("tisser@serveur.example.org:/srv/tisser/site", SshHost, "tisser@serveur.example.org:/srv/tisser/site"),
    ("serveur:/srv/site/", SshHost, "serveur:/srv/site"),
    ("/srv/tisser/site", LocalHost, "/srv/tisser/site"),
    ("./dossier:avec-deux-points", LocalHost, None),
])
def test_a_target_is_a_server_when_it_says_host_colon_path(target: str, kind: type, where: str | None) -> None:
    host = host_for(target, DeploySettings(target=target))
    assert isinstance(host, kind)
    if where:
        assert host.describe() == where


def test_a_server_path_must_be_absolute() -> None:
    with pytest.raises(DeployError, match="chemin absolu"):
        host_for("tisser@serveur:site", DeploySettings(target="tisser@serveur:site"))


def test_the_live_address_is_read_from_the_production_build(published_site: Path) -> None:
    assert check_production_build(published_site).site_url == "https://tisser.example.org/"
