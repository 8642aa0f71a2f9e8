"""The built site loads nothing from another host: no font, script, style, image or frame."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from site_html import html_pages, parse

# Everything a browser fetches by itself when it renders a page (links the visitor clicks are not).
LOADED = (
    "//script/@src | //img/@src | //img/@srcset | //source/@src | //source/@srcset"
    " | //iframe/@src | //frame/@src | //embed/@src | //object/@data | //video/@src"
    " | //video/@poster | //audio/@src | //track/@src | //input[@type='image']/@src"
    " | //link[not(contains(concat(' ', @rel, ' '), ' alternate ')"
    " or contains(concat(' ', @rel, ' '), ' canonical '))]/@href"
)
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)""")
CSS_IMPORT = re.compile(r"""@import\s+['"]([^'"]+)""")
JS_ABSOLUTE_URL = re.compile(r"""['"`]((?:https?:)?//[^'"`\s]+)""")


def third_party(url: str, own_host: str | None) -> bool:
    """Tell whether a URL points at another host than the site's own."""
    url = url.strip().split()[0] if url.strip() else url
    parts = urlsplit(url)
    if url.startswith("//"):
        return parts.netloc != own_host
    return bool(parts.scheme) and parts.scheme not in ("data",) and parts.netloc != own_host


@pytest.fixture(params=["site", "published_site"])
def output(request) -> Path:
    return request.getfixturevalue(request.param)


def test_no_page_loads_a_resource_from_another_host(output: Path) -> None:
    own_host = "tisser.example.org" if "publishconf" in str(output) else None
    found = []
    for path in html_pages(output):
        page = parse(path)
        urls = list(page.xpath(LOADED))
        for srcset in page.xpath("//@srcset"):
            urls += [candidate.strip().split()[0] for candidate in srcset.split(",") if candidate.strip()]
        for css in page.xpath("//style/text() | //@style"):
            urls += CSS_URL.findall(css) + CSS_IMPORT.findall(css)
        found += [f"{path.relative_to(output)}: {url}" for url in urls if third_party(url, own_host)]
    assert not found, "\n".join(found)


def test_no_stylesheet_or_script_imports_from_another_host(output: Path) -> None:
    found = []
    for path in list(output.rglob("*.css")) + list(output.rglob("*.js")):
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".css":
            urls = CSS_URL.findall(text) + CSS_IMPORT.findall(text)
        else:  # our scripts talk to their own origin only: no absolute address at all
            urls = JS_ABSOLUTE_URL.findall(text)
            if path.parent.name == "pagefind":
                # Pagefind parses result addresses against a dummy base, never requested
                # (tests/e2e/test_search_browser.py watches every request of a search).
                urls = [url for url in urls if not url.startswith("https://example.com${")]
        found += [f"{path.relative_to(output)}: {url}" for url in urls if third_party(url, None)]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("url, expected", [
    ("https://fonts.googleapis.com/css", True),
    ("//cdn.example.net/x.js", True),
    ("/theme/css/site.css", False),
    ("https://tisser.example.org/theme/js/polls.js", False),
    ("data:image/png;base64,AAAA", False),
])
def test_the_third_party_detector_itself(url: str, expected: bool) -> None:
    assert third_party(url, "tisser.example.org") is expected
