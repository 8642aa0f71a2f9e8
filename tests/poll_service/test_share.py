"""Sharing on the visitor's own Mastodon instance without JavaScript: sent on, nothing kept."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import lxml.html
import pytest

from poll_service.share import instance_host

TEXT = "Le don en ligne https://tisser.example.org/don-en-ligne/"
FROM_OUR_PAGE = {"Sec-Fetch-Site": "same-origin"}


@pytest.mark.parametrize(("typed", "host"), [
    ("piaille.fr", "piaille.fr"),
    ("  Mastodon.Social ", "mastodon.social"),
    ("@moi@piaille.fr", "piaille.fr"),
    ("https://piaille.fr/@moi", "piaille.fr"),
    ("http://social.example.org/", "social.example.org"),
    ("réseau.fr", "xn--rseau-bsa.fr"),
    ("piaille", None),
    ("", None),
    ("piaille.fr:8443", None),
    ("evil.example\\@piaille.fr", "piaille.fr"),
    ("javascript:alert(1)", None),
    ("pi aille.fr", None),
    ("-piaille.fr", None),
    ("a" * 64 + ".fr", None),
])
def test_an_instance_is_read_as_people_write_it(typed: str, host: str | None) -> None:
    assert instance_host(typed) == host


def test_the_form_sent_from_our_page_goes_to_the_visitors_instance(client) -> None:
    response = client.get("/api/share/mastodon", query_string={"instance": "@moi@piaille.fr", "text": TEXT},
                          headers=FROM_OUR_PAGE)
    # A refresh, not a 303: the site's policy (form-action 'self') forbids a form to end elsewhere.
    assert response.status_code == 200 and "Location" not in response.headers
    delay, _, target_url = response.headers["Refresh"].partition("; url=")
    target = urlsplit(target_url)
    assert delay == "0" and (target.scheme, target.netloc, target.path) == ("https", "piaille.fr", "/share")
    assert parse_qs(target.query) == {"text": [TEXT]}
    page = lxml.html.document_fromstring(response.get_data(as_text=True))
    assert page.xpath("//main//a[.='Continuer vers piaille.fr pour partager']/@href") == [target_url]
    assert "Set-Cookie" not in response.headers
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_an_older_browser_is_known_by_its_referrer(client) -> None:
    response = client.get("/api/share/mastodon", query_string={"instance": "piaille.fr", "text": TEXT},
                          headers={"Referer": "http://localhost/don-en-ligne/"})
    assert "Refresh" in response.headers


def test_a_link_from_another_site_is_asked_to_confirm_not_redirected(client) -> None:
    for headers in ({"Sec-Fetch-Site": "cross-site"}, {"Referer": "https://evil.example/"}, {}):
        response = client.get("/api/share/mastodon", query_string={"instance": "evil.example", "text": "x"},
                              headers=headers)
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and "Refresh" not in response.headers
        assert "Vous allez quitter notre site pour partager sur votre instance, evil.example." in page
        assert 'action="/api/share/mastodon"' in page


def test_an_address_that_is_no_instance_asks_again_in_french(client) -> None:
    response = client.get("/api/share/mastodon", query_string={"instance": "<b>piaille</b>", "text": TEXT},
                          headers=FROM_OUR_PAGE)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Refresh" not in response.headers
    assert "« &lt;b&gt;piaille&lt;/b&gt; » n'est pas l'adresse d'une instance." in page
    assert f'value="{TEXT}"' in page  # the text is kept for the next try
    assert page.startswith("<!DOCTYPE html>") and '<html lang="fr">' in page


def test_the_share_text_is_cut_to_a_reasonable_length(client) -> None:
    response = client.get("/api/share/mastodon", query_string={"instance": "piaille.fr", "text": "x" * 5000},
                          headers=FROM_OUR_PAGE)
    assert parse_qs(urlsplit(response.headers["Refresh"].partition("url=")[2]).query)["text"] == ["x" * 500]
