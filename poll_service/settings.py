"""Read the service's settings from the environment (or a test mapping) and check them.

Every setting is named as its environment variable (``POLL_*``) and documented in
docs/deploy.md; a test fails when one is not. A wrong value stops the service at start-up
with a French message rather than misbehaving later.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

from flask import current_app

DEDUP_MODES = ("cookie+ip", "cookie", "ip")
DEFAULT_DATABASE_URL = "sqlite:///instance/polls.sqlite3"
# Only for `make serve`: a fixed key keeps the voter cookie valid across restarts.
DEVELOPMENT_SECRET_KEY = "dev-only-poll-secret-not-for-production"

# Name -> default. The names are the public contract (DESIGN.md); POLL_RATE_LIMIT,
# POLL_MAX_BODY_BYTES and POLL_ENV are ours, documented in docs/deploy.md.
SETTINGS: dict[str, Any] = {
    "POLL_ENV": "production",
    "POLL_DATABASE_URL": DEFAULT_DATABASE_URL,
    "POLL_SECRET_KEY": None,
    "POLL_ALLOWED_ORIGINS": (),
    "POLL_TRUSTED_PROXIES": 0,
    "POLL_ADMIN_TOKEN": None,
    "POLL_DEDUP": "cookie+ip",
    "POLL_SITE_DIR": None,
    "POLL_FRAME_FILE": None,
    "POLL_RETENTION_DAYS": 180,
    "POLL_RATE_LIMIT": "10/60",
    "POLL_MAX_BODY_BYTES": 4096,
    "POLL_READ_CACHE_SECONDS": 1,
    "POLL_KEY_DIR": "instance/keys",
    "POLL_VOTE_BATCH_MIN": 2,
    "POLL_VOTE_BATCH_WAIT_MS": 200,
    "POLL_SITE_URL": (),
    "POLL_IPV6_PREFIX": 64,
    "POLL_RATE_LIMIT_NETWORKS": 50_000,
}
# A lone vote waits at most this long for company before its commit (the voter waits too).
MAX_VOTE_BATCH_WAIT_MS = 2000
# An admin token must resist guessing: 32 characters (python3 -c 'import secrets;
# print(secrets.token_urlsafe(32))' gives 43).
MIN_ADMIN_TOKEN_LENGTH = 32
# A read may show a poll's state (definition and counts) this much older than the database.
MAX_READ_CACHE_SECONDS = 1.0


class ConfigError(RuntimeError):
    """A setting that prevents the service from starting, explained in French."""


def utc_now() -> datetime:
    """Return the current time, timezone-aware (the default POLL_CLOCK)."""
    return datetime.now(timezone.utc)


def now() -> datetime:
    """Return the current time from the current app's clock (POLL_CLOCK)."""
    return current_app.config["POLL_CLOCK"]()


def load(config: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Return checked settings from ``config``, or from the environment when it is None.

    A test mapping replaces the environment entirely, so a variable set on the machine
    never leaks into a test. It may also carry ``POLL_CLOCK`` (a callable returning an
    aware datetime) and ``TESTING``.
    """
    source: Mapping[str, Any] = os.environ if config is None else config
    raw = {name: source.get(name, default) for name, default in SETTINGS.items()}
    settings: dict[str, Any] = {
        "POLL_ENV": str(raw["POLL_ENV"] or "production").strip().lower(),
        "POLL_DATABASE_URL": str(raw["POLL_DATABASE_URL"] or DEFAULT_DATABASE_URL).strip(),
        "POLL_ALLOWED_ORIGINS": _origins(raw["POLL_ALLOWED_ORIGINS"]),
        "POLL_TRUSTED_PROXIES": _integer(raw["POLL_TRUSTED_PROXIES"], "POLL_TRUSTED_PROXIES"),
        "POLL_ADMIN_TOKEN": _admin_token(raw["POLL_ADMIN_TOKEN"]),
        "POLL_DEDUP": str(raw["POLL_DEDUP"] or "cookie+ip").strip().lower(),
        "POLL_SITE_DIR": str(raw["POLL_SITE_DIR"] or "") or None,
        # The built site's page frame (frame.py); may be absent: the plain frame is used then.
        "POLL_FRAME_FILE": str(raw["POLL_FRAME_FILE"] or "").strip() or None,
        "POLL_RETENTION_DAYS": _integer(raw["POLL_RETENTION_DAYS"], "POLL_RETENTION_DAYS"),
        "POLL_RATE_LIMIT": _rate_limit(raw["POLL_RATE_LIMIT"]),
        "POLL_MAX_BODY_BYTES": _integer(raw["POLL_MAX_BODY_BYTES"], "POLL_MAX_BODY_BYTES"),
        "POLL_READ_CACHE_SECONDS": _cache_seconds(raw["POLL_READ_CACHE_SECONDS"]),
        "POLL_KEY_DIR": str(raw["POLL_KEY_DIR"] or "").strip() or SETTINGS["POLL_KEY_DIR"],
        "POLL_VOTE_BATCH_MIN": _integer(raw["POLL_VOTE_BATCH_MIN"], "POLL_VOTE_BATCH_MIN"),
        "POLL_VOTE_BATCH_WAIT_MS": _integer(raw["POLL_VOTE_BATCH_WAIT_MS"], "POLL_VOTE_BATCH_WAIT_MS"),
        "POLL_SITE_URL": _origins(raw["POLL_SITE_URL"], "POLL_SITE_URL"),
        "POLL_IPV6_PREFIX": _integer(raw["POLL_IPV6_PREFIX"], "POLL_IPV6_PREFIX"),
        "POLL_RATE_LIMIT_NETWORKS": _integer(raw["POLL_RATE_LIMIT_NETWORKS"], "POLL_RATE_LIMIT_NETWORKS"),
    }
    development = settings["POLL_ENV"] == "development"
    settings["POLL_SECRET_KEY"] = _secret_key(raw["POLL_SECRET_KEY"], development)
    if settings["POLL_DEDUP"] not in DEDUP_MODES:
        raise ConfigError(
            f"POLL_DEDUP vaut « {raw['POLL_DEDUP']} » : choisissez parmi {', '.join(DEDUP_MODES)}."
        )
    if not settings["POLL_SITE_URL"] and not development:
        raise ConfigError(
            "POLL_SITE_URL manque : donnez l'adresse publique du site (par exemple "
            "https://www.exemple.org ; plusieurs, séparées par des virgules, si le site en a "
            "plusieurs). Le service juge l'origine des votes d'après elle, jamais d'après "
            "l'en-tête Host de la requête (voir docs/deploy.md)."
        )
    if settings["POLL_DEDUP"] == "cookie" and settings["POLL_ALLOWED_ORIGINS"]:
        raise ConfigError(
            "POLL_DEDUP=cookie ne va pas avec POLL_ALLOWED_ORIGINS : depuis la page d'un site "
            "partenaire, le navigateur n'envoie pas le cookie « votant » (SameSite=Lax), et un "
            "même navigateur pourrait voter encore et encore. Gardez POLL_DEDUP=cookie+ip (ou ip), "
            "qui compte aussi les votes par connexion, ou retirez POLL_ALLOWED_ORIGINS."
        )
    if not 32 <= settings["POLL_IPV6_PREFIX"] <= 128:
        raise ConfigError(
            f"POLL_IPV6_PREFIX vaut « {raw['POLL_IPV6_PREFIX']} » : écrivez la longueur du réseau "
            "IPv6 qui compte pour un votant, entre 32 et 128 (64 : un foyer, le défaut)."
        )
    if settings["POLL_RATE_LIMIT_NETWORKS"] < 100:
        raise ConfigError(
            "POLL_RATE_LIMIT_NETWORKS doit valoir au moins 100 (réseaux dont chaque processus "
            "se souvient pour la limite de débit)."
        )
    if settings["POLL_SITE_DIR"] and not development:
        raise ConfigError(
            "POLL_SITE_DIR ne sert qu'en développement (POLL_ENV=development) : en production, "
            "nginx sert le site construit (voir docs/deploy.md)."
        )
    if settings["POLL_SITE_DIR"] and not os.path.isdir(settings["POLL_SITE_DIR"]):
        raise ConfigError(
            f"POLL_SITE_DIR : le dossier « {settings['POLL_SITE_DIR']} » n'existe pas. "
            "Construisez d'abord le site (make html)."
        )
    if settings["POLL_VOTE_BATCH_WAIT_MS"] > MAX_VOTE_BATCH_WAIT_MS:
        raise ConfigError(
            f"POLL_VOTE_BATCH_WAIT_MS vaut « {raw['POLL_VOTE_BATCH_WAIT_MS']} » : un vote seul attend "
            f"au plus {MAX_VOTE_BATCH_WAIT_MS} millisecondes qu'un autre le rejoigne (0 : jamais)."
        )
    if settings["POLL_MAX_BODY_BYTES"] < 256:
        raise ConfigError("POLL_MAX_BODY_BYTES doit valoir au moins 256 (octets).")
    clock = source.get("POLL_CLOCK") if config is not None else None
    settings["POLL_CLOCK"] = clock or utc_now
    if not callable(settings["POLL_CLOCK"]):
        raise ConfigError("POLL_CLOCK doit être une fonction qui renvoie la date et l'heure.")
    # The monotonic clock of the read cache; tests move it by hand, as POLL_CLOCK.
    monotonic = source.get("POLL_MONOTONIC_CLOCK") if config is not None else None
    settings["POLL_MONOTONIC_CLOCK"] = monotonic or time.monotonic
    if not callable(settings["POLL_MONOTONIC_CLOCK"]):
        raise ConfigError("POLL_MONOTONIC_CLOCK doit être une fonction qui renvoie des secondes.")
    if config is not None and "TESTING" in config:
        settings["TESTING"] = bool(config["TESTING"])
    return settings


def _secret_key(value: Any, development: bool) -> str:
    key = str(value or "").strip()
    if key:
        if len(key) < 16 and not development:
            raise ConfigError(
                "POLL_SECRET_KEY est trop courte : utilisez au moins 16 caractères aléatoires, "
                "par exemple la sortie de « python3 -c 'import secrets; print(secrets.token_hex(32))' »."
            )
        return key
    if development:
        return DEVELOPMENT_SECRET_KEY
    raise ConfigError(
        "POLL_SECRET_KEY manque : le service refuse de démarrer sans clé secrète hors "
        "développement. Générez-en une avec « python3 -c 'import secrets; "
        "print(secrets.token_hex(32))' » et placez-la dans l'environnement du service "
        "(ou lancez-le avec POLL_ENV=development pour essayer en local)."
    )


def _admin_token(value: Any) -> str | None:
    """Read the admin token: unset means admin closed; set, it must be long enough to resist guessing."""
    token = str(value or "").strip()
    if not token:
        return None
    if len(token) < MIN_ADMIN_TOKEN_LENGTH:
        raise ConfigError(
            f"POLL_ADMIN_TOKEN est trop court ({len(token)} caractères) : utilisez au moins "
            f"{MIN_ADMIN_TOKEN_LENGTH} caractères aléatoires, par exemple la sortie de "
            "« python3 -c 'import secrets; print(secrets.token_urlsafe(32))' », "
            "ou laissez-le vide pour fermer l'administration."
        )
    return token


def _integer(value: Any, name: str) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ConfigError(f"{name} doit être un nombre entier positif (reçu « {value} »).") from None
    if number < 0:
        raise ConfigError(f"{name} doit être un nombre entier positif (reçu « {value} »).")
    return number


def _origins(value: Any, name: str = "POLL_ALLOWED_ORIGINS") -> tuple[str, ...]:
    items = value.replace(",", " ").split() if isinstance(value, str) else list(value or ())
    origins = []
    for item in items:
        parts = urlsplit(str(item).strip())
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
            raise ConfigError(
                f"{name} : « {item} » n'est pas une origine. Écrivez par exemple "
                "https://www.exemple.org (schéma et hôte, sans chemin), séparées par des virgules."
            )
        origins.append(f"{parts.scheme}://{parts.netloc}".lower())
    return tuple(origins)


def _rate_limit(value: Any) -> tuple[int, int]:
    """Read "N/SECONDS" (N votes per SECONDS per address); "0" turns the limit off."""
    text = str(value).strip()
    if text in ("0", "", "off"):
        return (0, 1)
    count, _, seconds = text.partition("/")
    try:
        limit = (int(count), int(seconds or 60))
    except ValueError:
        limit = (-1, -1)
    if limit[0] < 0 or limit[1] <= 0:
        raise ConfigError(
            f"POLL_RATE_LIMIT vaut « {value} » : écrivez « N/SECONDES », par exemple 10/60 "
            "(10 votes par minute et par adresse), ou 0 pour ne pas limiter."
        )
    return limit



def _cache_seconds(value: Any) -> float:
    """Read how long a poll's public state may be reused: 0 (never) to 1 second."""
    try:
        seconds = float(str(value).strip().replace(",", "."))
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= MAX_READ_CACHE_SECONDS:
        raise ConfigError(
            f"POLL_READ_CACHE_SECONDS vaut « {value} » : écrivez un nombre de secondes entre 0 "
            f"(chaque lecture interroge la base) et {MAX_READ_CACHE_SECONDS:g}, par exemple 0.5."
        )
    return seconds
