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
    monkeypatch.setenv("POLL_TRUSTED_PROXIES", "2")
    monkeypatch.setenv("POLL_ALLOWED_ORIGINS", "https://Exemple.org, https://autre.example:8443")
    monkeypatch.setenv("POLL_RETENTION_DAYS", "30")
    settings = load()
    assert settings["POLL_TRUSTED_PROXIES"] == 2 and settings["POLL_RETENTION_DAYS"] == 30
    assert settings["POLL_ALLOWED_ORIGINS"] == ("https://exemple.org", "https://autre.example:8443")
    assert settings["POLL_DEDUP"] == "cookie+ip" and settings["POLL_RATE_LIMIT"] == (10, 60)


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
    ],
)
def test_a_wrong_setting_is_explained_in_french(name, value, message):
    config = {"POLL_SECRET_KEY": "une-cle-secrete-assez-longue", name: value}
    with pytest.raises(ConfigError, match=message):
        load(config)


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
