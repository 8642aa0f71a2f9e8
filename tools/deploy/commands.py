"""The two commands, ``deploy`` and ``rollback``: the steps in order, and what the writer reads."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .errors import DeployError
from .hosts import Copied, Host, host_for, last_line
from .polls import sync_release_polls
from .production_build import check_production_build
from .releases import (TargetState, create_partial, new_release_name, prune, read_state,
                       remove_partial, switch)
from .settings import DeploySettings

Say = Callable[[str], None]


def deploy(settings: DeploySettings, public: Path, say: Say = print) -> str:
    """Put the production build ``public`` online at the target; return the new release's name.

    Upload a new release beside the live one, sync its polls, then switch ``current`` to it.
    Until the switch nothing a visitor sees has changed, so any failure before it (a refused
    sync among them) removes the upload and leaves the site as it was.
    """
    build = check_production_build(public)
    host = host_for(settings.target, settings)
    say(f"Mise en ligne de {public}/ vers {host.describe()}…")
    state = read_state(host)
    if state.current_is_foreign:
        raise DeployError(
            f"{host.root}/current existe mais n'est pas un lien vers une version de "
            f"{host.root}/releases/ : déplacez-le d'abord (la mise en ligne le remplacerait)."
        )
    name = new_release_name(state.releases)
    upload = create_partial(host, name)
    try:
        copied = host.upload(public, upload, link_dest=f"../{state.current}" if state.current else None)
        say(f"  Copie : {_copied(copied)}")
        report = sync_release_polls(host, f"{upload}/polls.json")
    except (DeployError, KeyboardInterrupt) as error:
        remove_partial(host, name)
        if isinstance(error, KeyboardInterrupt):
            raise
        outcome = (f"la version {state.current} reste en ligne, rien n'a changé." if state.current
                   else "rien n'a été mis en ligne.")
        raise DeployError(f"{error}\nMise en ligne annulée : {outcome}") from None
    say(f"  Sondages : {report[-1] if report else 'aucun.'}")
    switch(host, name, complete_upload=True)
    removed = prune(host, TargetState(releases=(*state.releases, name), current=name), settings.keep)
    if removed:
        say(f"  Anciennes versions effacées : {', '.join(removed)} (gardées : les {settings.keep} dernières).")
    _reload(host, settings, say)
    say(f"En ligne : la version {name} ({host.describe()}/current), {build.site_url}")
    if state.current:
        say(f"Pour revenir à la version précédente ({state.current}) : make rollback")
    return name


def rollback(settings: DeploySettings, say: Say = print) -> str:
    """Point ``current`` back at the release before the live one; return that release's name."""
    host = host_for(settings.target, settings)
    state = read_state(host)
    if state.current is None:
        raise DeployError(f"Aucune version en ligne à {host.describe()} : rien à annuler.")
    previous = state.before(state.current)
    if previous is None:
        raise DeployError(
            f"Pas de version précédente à {host.describe()} : {state.current}, en ligne, est la "
            "plus ancienne gardée. Rien n'a changé."
        )
    switch(host, previous)
    _reload(host, settings, say)
    say(f"En ligne maintenant : la version {previous} ({host.describe()}/current), "
        f"à la place de {state.current}.")
    older = state.before(previous)
    say(_after_rollback(state, previous, older))
    return previous


def _after_rollback(state: TargetState, previous: str, older: str | None) -> str:
    """Tell what the next commands would do after a rollback."""
    again = f"un autre make rollback remettrait {older}" if older else "aucune version plus ancienne n'est gardée"
    return (f"{state.current} reste gardée ; {again} ; make publish puis make deploy mettent en "
            "ligne le site corrigé. Les sondages ne sont pas touchés.")


def _copied(copied: Copied) -> str:
    """Describe an upload in a few words."""
    if copied.sent is None:
        return "faite."
    if not copied.reused:
        return f"{copied.sent} fichier(s) envoyé(s)."
    return f"{copied.sent} fichier(s) nouveau(x) ou modifié(s), {copied.reused} repris de la version en ligne."


def _reload(host: Host, settings: DeploySettings, say: Say) -> None:
    """Run DEPLOY_RELOAD on the target, when given; a failure is told, the switch stays."""
    if not settings.reload_command:
        return
    done = host.run(settings.reload_command)
    if done.returncode != 0:
        say(f"  Attention : DEPLOY_RELOAD a échoué ({last_line(done.stderr)}) ; le site est "
            "pourtant en ligne.")
    else:
        say(f"  Rechargé : {settings.reload_command}")
