"""Development only: the service also serves the built site (``make serve``)."""

from __future__ import annotations

import pytest


@pytest.fixture
def site_client(make_app, site_dir):
    return make_app(POLL_ENV="development", POLL_SITE_DIR=str(site_dir)).test_client()


def test_the_home_page_is_the_site_index(site_client):
    response = site_client.get("/")
    assert response.status_code == 200 and b"Accueil" in response.data


def test_an_article_address_serves_its_index_file(site_client):
    assert b"Le don en ligne" in site_client.get("/don-en-ligne/").data


def test_a_folder_without_its_slash_is_redirected(site_client):
    response = site_client.get("/don-en-ligne")
    assert response.status_code == 308 and response.headers["Location"].endswith("/don-en-ligne/")


def test_a_static_file_is_served_as_it_is(site_client):
    response = site_client.get("/theme/css/site.css")
    assert response.status_code == 200 and response.mimetype == "text/css"


@pytest.mark.parametrize("path", ["/nulle-part/", "/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt"])
def test_an_unknown_or_escaping_path_is_the_site_404_page(site_client, path):
    response = site_client.get(path)
    assert response.status_code == 404 and b"Page introuvable" in response.data
    assert b"ne doit pas sortir" not in response.data


def test_the_api_and_results_page_still_answer_next_to_the_site(site_client):
    assert site_client.get("/api/polls/don-en-ligne").status_code == 200
    assert site_client.get("/polls/don-en-ligne/").status_code == 200
    unknown = site_client.get("/api/nulle-part")
    assert unknown.status_code == 404 and unknown.get_json()["error"] == "not_found"


def test_without_a_site_folder_the_site_is_not_served(client):
    assert client.get("/").status_code == 404
