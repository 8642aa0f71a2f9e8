"""The app factory and its settings: a wrong setting stops the service with a French message."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from poll_service import create_app
from poll_service.db import dispose, get_engine
from poll_service.settings import DEVELOPMENT_SECRET_KEY, ConfigError, load

ROOT = Path(__file__).resolve().parents[2]


def test_importing_the_package_does_nothing(tmp_path):
    code = "import poll_service, os; print(sorted(os.listdir('.')))"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, env={"PYTHONPATH": str(ROOT)}
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_outside_development_a_missing_secret_key_refuses_to_start():
    with pytest.raises(ConfigError, match="POLL_SECRET_KEY manque"):
        create_app({})


def test_the_command_line_says_why_it_refuses_to_start(tmp_path):
    result = subprocess.run(
        [str(Path(sys.executable).with_name("flask")), "--app", "poll_service", "init-db"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode != 0 and "POLL_SECRET_KEY manque" in result.stderr


def test_in_development_a_fixed_key_is_used():
    assert load({"POLL_ENV": "development"})["POLL_SECRET_KEY"] == DEVELOPMENT_SECRET_KEY


def test_the_environment_is_read_when_no_mapping_is_given(monkeypatch):
    monkeypatch.setenv("POLL_SECRET_KEY", "une-cle-secrete-assez-longue")
    monkeypatch.setenv("POLL_SITE_URL", "https://www.exemple.org, https://exemple.org/")
    monkeypatch.setenv("POLL_TRUSTED_PROXIES", "2")
    monkeypatch.setenv("POLL_ALLOWED_ORIGINS", "https://Exemple.org, https://autre.example:8443")
    monkeypatch.setenv("POLL_RETENTION_DAYS", "30")
    settings = load()
    assert settings["POLL_TRUSTED_PROXIES"] == 2 and settings["POLL_RETENTION_DAYS"] == 30
    assert settings["POLL_ALLOWED_ORIGINS"] == ("https://exemple.org", "https://autre.example:8443")
    assert settings["POLL_DEDUP"] == "cookie+ip" and settings["POLL_RATE_LIMIT"] == (10, 60)
    assert settings["POLL_SITE_URL"] == ("https://www.exemple.org", "https://exemple.org")
    assert settings["POLL_IPV6_PREFIX"] == 64 and settings["POLL_ADMIN_TOKEN"] is None


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("POLL_DEDUP", "cookies", "POLL_DEDUP"),
        ("POLL_TRUSTED_PROXIES", "-1", "POLL_TRUSTED_PROXIES"),
        ("POLL_TRUSTED_PROXIES", "un", "POLL_TRUSTED_PROXIES"),
        ("POLL_RETENTION_DAYS", "six mois", "POLL_RETENTION_DAYS"),
        ("POLL_ALLOWED_ORIGINS", "exemple.org", "POLL_ALLOWED_ORIGINS"),
        ("POLL_ALLOWED_ORIGINS", "https://exemple.org/chemin", "POLL_ALLOWED_ORIGINS"),
        ("POLL_RATE_LIMIT", "dix", "POLL_RATE_LIMIT"),
        ("POLL_SITE_DIR", "/srv/site", "POLL_SITE_DIR ne sert qu'en développement"),
        ("POLL_SECRET_KEY", "court", "trop courte"),
        ("POLL_MAX_BODY_BYTES", "10", "POLL_MAX_BODY_BYTES"),
        ("POLL_SITE_URL", "", "POLL_SITE_URL manque"),
        ("POLL_SITE_URL", "www.exemple.org", "POLL_SITE_URL : « www.exemple.org » n'est pas une origine"),
        ("POLL_IPV6_PREFIX", "16", "POLL_IPV6_PREFIX"),
        ("POLL_IPV6_PREFIX", "129", "POLL_IPV6_PREFIX"),
        ("POLL_RATE_LIMIT_NETWORKS", "10", "POLL_RATE_LIMIT_NETWORKS"),
        ("POLL_ADMIN_TOKEN", "a", "POLL_ADMIN_TOKEN est trop court"),
        ("POLL_ADMIN_TOKEN", "x" * 31, r"POLL_ADMIN_TOKEN est trop court \(31 caractères\)"),
    ],
)
def test_a_wrong_setting_is_explained_in_french(name, value, message):
    config = {"POLL_SECRET_KEY": "une-cle-secrete-assez-longue", "POLL_SITE_URL": "https://www.exemple.org", name: value}
    with pytest.raises(ConfigError, match=message):
        load(config)


@pytest.mark.parametrize("environment", ["production", "development"])
def test_a_short_admin_token_refuses_to_start_in_every_environment(environment):
    # Development too: a preview reachable from a network is no place for a guessable token.
    config = {"POLL_ENV": environment, "POLL_SECRET_KEY": "une-cle-secrete-assez-longue",
              "POLL_SITE_URL": "https://www.exemple.org", "POLL_ADMIN_TOKEN": "jeton-trop-court"}
    with pytest.raises(ConfigError, match="au moins 32 caractères"):
        create_app(config)
    assert load({**config, "POLL_ADMIN_TOKEN": "x" * 32})["POLL_ADMIN_TOKEN"] == "x" * 32
    assert load({**config, "POLL_ADMIN_TOKEN": "  "})["POLL_ADMIN_TOKEN"] is None  # unset: closed


def test_the_command_line_refuses_a_short_admin_token_in_french(tmp_path):
    result = subprocess.run(
        [str(Path(sys.executable).with_name("flask")), "--app", "poll_service", "init-db"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "POLL_SECRET_KEY": "une-cle-secrete-assez-longue",
             "POLL_SITE_URL": "https://www.exemple.org", "POLL_ADMIN_TOKEN": "a"},
    )
    assert result.returncode != 0 and "POLL_ADMIN_TOKEN est trop court" in result.stderr


def test_cookie_dedup_with_partner_origins_refuses_to_start():
    # From a partner's page the SameSite=Lax cookie is never sent: cookie-only dedup would let
    # one browser vote again and again there.
    config = {"POLL_SECRET_KEY": "une-cle-secrete-assez-longue", "POLL_SITE_URL": "https://www.exemple.org",
              "POLL_ALLOWED_ORIGINS": "https://partenaire.example", "POLL_DEDUP": "cookie"}
    with pytest.raises(ConfigError, match="POLL_DEDUP=cookie ne va pas avec POLL_ALLOWED_ORIGINS"):
        create_app(config)
    for dedup in ("cookie+ip", "ip"):
        assert load({**config, "POLL_DEDUP": dedup})["POLL_ALLOWED_ORIGINS"] == ("https://partenaire.example",)
    assert load({**config, "POLL_ALLOWED_ORIGINS": ""})["POLL_DEDUP"] == "cookie"


def test_a_missing_site_folder_is_explained(tmp_path):
    with pytest.raises(ConfigError, match="make html"):
        load({"POLL_ENV": "development", "POLL_SITE_DIR": str(tmp_path / "output")})


def test_the_default_database_is_created_in_an_instance_folder_of_the_current_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = create_app({"POLL_ENV": "development"})
    try:
        with app.app_context():
            get_engine().connect().close()
        assert (tmp_path / "instance" / "polls.sqlite3").is_file()
    finally:
        dispose(app)


def test_every_response_says_nosniff(client):
    assert client.get("/healthz").headers["X-Content-Type-Options"] == "nosniff"


def test_every_setting_and_error_code_is_documented():
    from poll_service.errors import ERRORS
    from poll_service.settings import SETTINGS

    doc = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    assert not [name for name in SETTINGS if f"`{name}`" not in doc]
    assert not [code for code in ERRORS if f"`{code}`" not in doc]


def nginx_block() -> str:
    doc = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    start = doc.index("```nginx")
    return doc[start:doc.index("```\n", start + 8)]


def test_the_nginx_example_keeps_admin_to_the_server_and_limits_votes_first():
    nginx = nginx_block()
    # "^~": a prefix location that wins over the regular expression proxying /api/.
    admin = nginx[nginx.index("location ^~ /api/admin/ {"):]
    admin = admin[:admin.index("}")]
    assert "allow 127.0.0.1;" in admin and "deny all;" in admin
    assert admin.index("allow 127.0.0.1;") < admin.index("deny all;")
    assert nginx.index("location ^~ /api/admin/") < nginx.index("location ~ ^/(api|polls)/")
    assert "limit_req_zone $binary_remote_addr zone=votes" in nginx
    votes = nginx[nginx.index("location ~ ^/api/polls/[^/]+/votes$ {"):]
    assert "limit_req zone=votes" in votes[:votes.index("}")]
    # Nothing in the example hands the service a Host it would believe, nor a forwarded host.
    assert "X-Forwarded-Host" not in nginx and "proxy_set_header Forwarded" not in nginx
