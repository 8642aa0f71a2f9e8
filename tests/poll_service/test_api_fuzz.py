"""Property: whatever a client sends, the service never answers 500, and /api/ errors are JSON."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

KNOWN_PATHS = [
    "/api/polls/don-en-ligne",
    "/api/polls/don-en-ligne/votes",
    "/api/polls/outils/votes",
    "/api/polls/ancien/votes",
    "/api/polls/don-en-ligne/results.svg",
    "/api/admin/polls",
    "/api/admin/polls/don-en-ligne/votes.csv",
    "/api/admin/polls/don-en-ligne/close",
    "/polls/don-en-ligne/",
    "/healthz",
]
# Header values as a client could send them over HTTP: latin-1, no line breaks.
header_text = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"), max_size=60)
segment = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)

paths = st.one_of(
    st.sampled_from(KNOWN_PATHS),
    st.builds(lambda s: "/api/polls/" + quote(s, safe=""), segment),
    st.builds(lambda s: "/api/polls/" + quote(s, safe="") + "/votes", segment),
    st.builds(lambda s: "/polls/" + quote(s, safe="") + "/", segment),
    # Never "//...": the test client would read it as a host name, not a path.
    st.builds(lambda a, b: "/" + quote(a or "x") + "/" + quote(b), segment, segment),
    st.builds(lambda s: "/api/polls/don-en-ligne/votes?" + quote(s, safe="=&"), segment),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=20,
)
bodies = st.one_of(
    st.binary(max_size=400),
    json_values.map(lambda value: json.dumps(value).encode()),
    st.lists(st.sampled_from(["oui", "non", "forum", "tableur", "x", ""]), max_size=5).map(
        lambda choices: json.dumps({"choices": choices}).encode()
    ),
    st.lists(st.tuples(st.sampled_from(["choices", "x"]), segment), max_size=4).map(
        lambda pairs: "&".join(f"{quote(k)}={quote(v)}" for k, v in pairs).encode()
    ),
    st.just(b"[" * 3000),
)
headers = st.dictionaries(
    st.sampled_from(
        ["Origin", "Referer", "Sec-Fetch-Site", "X-Forwarded-For", "X-Forwarded-Proto", "Authorization", "Cookie", "Accept", "Host"]
    ),
    st.one_of(
        header_text,
        st.sampled_from(["http://localhost", "same-origin", "Bearer jeton-admin-de-test-0123456789abcdef", "votant=abc.def", "text/html"]),
    ),
    max_size=5,
)
content_types = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "application/json",
            "application/json; charset=latin-1",
            "application/x-www-form-urlencoded",
            "multipart/form-data",
            "multipart/form-data; boundary=x",
            "text/plain",
        ]
    ),
    header_text,
)
methods = st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"])


@pytest.fixture
def proxied_app(make_app):
    """One app for all the examples of a run (votes pile up, which is realistic too)."""
    return make_app(POLL_TRUSTED_PROXIES=1)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(method=methods, path=paths, body=bodies, content_type=content_types, extra=headers)
def test_no_request_ever_gets_a_500(proxied_app, method, path, body, content_type, extra):
    request_headers = dict(extra)
    if content_type is not None:
        request_headers["Content-Type"] = content_type
    response = proxied_app.test_client().open(path, method=method, data=body, headers=request_headers)
    assert response.status_code < 500, (response.status_code, response.data[:300])
    # The one HTML exception under /api/: a browser that posted the no-JavaScript form.
    browser_form = method == "POST" and response.mimetype == "text/html" and "form" in (content_type or "")
    if path.startswith("/api/") and response.status_code >= 400 and method != "HEAD" and not browser_form:
        payload = response.get_json(silent=True)
        assert isinstance(payload, dict) and {"error", "message"} <= set(payload), response.data[:300]
