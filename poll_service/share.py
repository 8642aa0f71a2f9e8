"""Share an article on the visitor's own Mastodon instance, for a browser without JavaScript.

The article's "Partager sur Mastodon" form asks for the visitor's instance. With JavaScript, the
site's script goes there directly (and remembers the instance in the browser only). Without
it, the form is sent here, and this answers with a page that goes on at once (a ``Refresh``
header, and a link) to ``https://<instance>/share`` with the article's title and address: no third party is asked anything before the visitor chooses,
nothing is stored or logged. A request coming from another site (a link made to send someone
elsewhere through our address) gets a page asking the visitor to confirm, never goes on by itself.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

from flask import Blueprint, Response, render_template, request

from . import frame

bp = Blueprint("share", __name__)

MAX_TEXT = 500  # a title and an address; more is not an article's share text
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
HOST_RE = re.compile(rf"^{_LABEL}(?:\.{_LABEL})+$")


def instance_host(value: str) -> str | None:
    """Return the host of an instance as people write it ("piaille.fr", "@moi@piaille.fr",
    "https://piaille.fr/@moi"), or None when it is no host name."""
    text = value.strip().lower()
    text = re.sub(r"^[a-z]+://", "", text)
    text = text.split("/", 1)[0].rsplit("@", 1)[-1].rstrip(".")
    try:
        text = text.encode("idna").decode("ascii")  # "réseau.fr" -> "xn--rseau-bsa.fr"
    except UnicodeError:
        return None
    return text if len(text) <= 253 and HOST_RE.match(text) else None


def share_url(host: str, text: str) -> str:
    """Return the share page of ``host`` with ``text``."""
    return f"https://{host}/share?text={quote(text, safe='')}"


def _from_our_pages() -> bool:
    """Tell whether the form was sent from a page of this site (the browser says so)."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site == "same-origin"
    referrer = urlsplit(request.headers.get("Referer", ""))
    return bool(referrer.netloc) and referrer.netloc == request.host


@bp.get("/api/share/mastodon")
def mastodon() -> Response:
    """Send the visitor on to their instance's share page, or ask again."""
    text = request.args.get("text", "")[:MAX_TEXT]
    typed = request.args.get("instance", "")[:300]
    host = instance_host(typed)
    go = share_url(host, text) if host is not None and _from_our_pages() else None
    body = render_template("share.html", text=text, typed=typed, host=host, go=go)
    # An HTML page: the site's Content-Security-Policy comes with it (site_policy).
    response = Response(frame.page("Partager sur Mastodon", body), 422 if host is None else 200,
                        mimetype="text/html")
    if go is not None:
        # Not a 303: the site's policy (form-action 'self') forbids a form to end on another
        # site through a redirect. A refresh is a new navigation, which it allows; the page
        # also holds the link, for a browser that ignores the header.
        response.headers["Refresh"] = f"0; url={go}"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
