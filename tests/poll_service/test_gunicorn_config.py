"""The documented gunicorn configuration (poll_service/gunicorn_conf.py), with a real gunicorn.

- gunicorn believes no forwarded header: without the configuration it takes the scheme from
  X-Forwarded-Proto sent from 127.0.0.1 (nginx's address, and any local process's); with it,
  never. At POLL_TRUSTED_PROXIES=0, X-Forwarded-Proto: https changes no answer of the service.
- Neither gunicorn's access log nor its error log holds the client address, even for
  malformed requests (gunicorn's "Invalid request from ip=...") and at the debug level.
"""

from __future__ import annotations

import http.client
import json
import socket
from pathlib import Path

import pytest

from bench.votes import gunicorn_command
from poll_service import create_app
from poll_service.db import dispose, get_engine, transaction
from poll_service.gunicorn_conf import forwarded_allow_ips, secure_scheme_headers
from poll_service.schema import migrate
from poll_service.store.sync import sync_polls
from poll_spec import poll_from_manifest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ("-c", "python:poll_service.gunicorn_conf")
PROBE = ("--pythonpath", str(Path(__file__).resolve().parent))
FORGED_SCHEME = {"X-Forwarded-Proto": "https", "X-Forwarded-Ssl": "on", "X-Forwarded-Protocol": "ssl"}


POLL = {
    "id": "affluence", "question": "Un sondage ?", "options": [{"key": "a", "label": "A"}, {"key": "b", "label": "B"}],
    "multiple": False, "opens": None, "closes": None, "results": "always", "source": "content/a.md", "url": "/a/",
}


def prepare(database_url: str) -> None:
    """Create the schema and the poll, as init-db and sync-polls would."""
    app = create_app({"POLL_DATABASE_URL": database_url, "POLL_SECRET_KEY": "test-secret-key-0123456789abcdef",
                      "POLL_SITE_URL": "https://www.example.org"})
    try:
        with app.app_context():
            migrate(get_engine())
            with get_engine().connect() as conn, transaction(conn, write=True):
                sync_polls(conn, [poll_from_manifest(POLL)])
    finally:
        dispose(app)


def request(url: str, method: str, path: str, headers: dict[str, str] | None = None, body: str | None = None):
    """Send one request with http.client; return (status, headers, body)."""
    connection = http.client.HTTPConnection(url.removeprefix("http://"), timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def raw(url: str, data: bytes) -> bytes:
    """Send raw bytes (a malformed request); return what came back."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(data)
        chunks = []
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except (TimeoutError, ConnectionResetError):
            pass
    return b"".join(chunks)


def test_the_configuration_trusts_no_forwarding_peer():
    assert forwarded_allow_ips == "" and secure_scheme_headers == {}


@pytest.mark.parametrize("configured", [True, False], ids=["documented-config", "gunicorn-defaults"])
def test_gunicorn_believes_no_forwarded_scheme_with_the_documented_configuration(gunicorn, tmp_path, configured):
    args = (*CONFIG, *PROBE) if configured else PROBE
    server = gunicorn(f"sqlite:///{tmp_path}/unused.sqlite3", workers=1, args=args, app="environ_probe:app")
    _, _, body = request(server.url, "GET", "/evil/page", {**FORGED_SCHEME, "SCRIPT_NAME": "/evil"})
    seen = json.loads(body)
    assert seen["REMOTE_ADDR"] == "127.0.0.1"
    if configured:
        assert seen["wsgi.url_scheme"] == "http" and seen["SCRIPT_NAME"] in ("", None)
        assert seen["PATH_INFO"] == "/evil/page"
    else:
        # What the configuration prevents: gunicorn's defaults trust 127.0.0.1, where nginx is.
        assert seen["wsgi.url_scheme"] == "https" and seen["SCRIPT_NAME"] == "/evil"


def test_x_forwarded_proto_changes_nothing_in_the_service_at_zero_trusted_proxies(database_url, gunicorn, tmp_path):
    prepare(database_url)
    # Cookie dedup: every request below, all from 127.0.0.1 and without cookie, is a new voter.
    server = gunicorn(database_url, workers=1, args=CONFIG, POLL_DEDUP="cookie", POLL_TRUSTED_PROXIES="0")
    site = {"Origin": server.url, "Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html"}
    answers = []
    for extra in ({}, FORGED_SCHEME):
        status, headers, _ = request(server.url, "POST", "/api/polls/affluence/votes", {**site, **extra}, "choices=a")
        cookie = headers["Set-Cookie"]
        attributes = sorted(part.strip().split("=")[0].lower() for part in cookie.split(";")[1:])
        https_origin = {**site, **extra, "Origin": server.url.replace("http://", "https://")}
        refused, _, _ = request(server.url, "POST", "/api/polls/affluence/votes", https_origin, "choices=a")
        page_status, _, page = request(server.url, "GET", "/polls/affluence/", extra)
        answers.append((status, headers["Location"], attributes, refused, page_status, page.count(b"https")))
    assert answers[0] == answers[1]
    assert answers[0][:2] == (303, "/polls/affluence/") and "secure" not in answers[0][2] and answers[0][3] == 403


def test_gunicorns_logs_hold_no_client_address(database_url, gunicorn, tmp_path):
    prepare(database_url)
    access, errors = tmp_path / "access.log", tmp_path / "error.log"
    args = (*CONFIG, "--access-logfile", str(access), "--error-logfile", str(errors), "--log-level", "debug")
    server = gunicorn(database_url, workers=1, args=args)
    headers = {"Origin": server.url, "Content-Type": "application/json"}
    assert request(server.url, "POST", "/api/polls/affluence/votes", headers, '{"choices": ["a"]}')[0] == 201
    assert request(server.url, "POST", "/api/polls/affluence/votes", headers, '{"choices": ["b"]}')[0] == 409
    assert request(server.url, "GET", "/api/polls/affluence")[0] == 200
    malformed = [
        b"GARBAGE\r\n\r\n",
        b"GET / HTTP/9.9\r\nHost: x\r\n\r\n",
        b"G@T / HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n",
        b"GET /" + b"a" * 10000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Ssl: off\r\n\r\n",
        b"POST /api/polls/affluence/votes HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n",
    ]
    for data in malformed:
        raw(server.url, data)
    server.stop()
    error_text, access_text = errors.read_text(errors="replace"), access.read_text(errors="replace")
    # The malformed requests were logged, their address blanked ...
    assert "Invalid request from ip=-" in error_text
    assert '"POST /api/polls/affluence/votes HTTP/1.1" 201' in access_text
    # ... and no address is anywhere, not even the one gunicorn listens on.
    for text in (error_text, access_text, server.log.read_text(errors="replace")):
        assert "127.0.0.1" not in text


def test_the_documented_setup_and_the_bench_use_the_configuration():
    deploy = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    assert "-c python:poll_service.gunicorn_conf" in deploy
    command = gunicorn_command("poll_service:create_app()", 8001)
    assert command[command.index("-c") + 1] == "python:poll_service.gunicorn_conf"
