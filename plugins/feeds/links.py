"""Make every URL of an HTML fragment absolute, so feed readers can follow links and show images.

Pure functions on strings: no Pelican import. A feed entry is read away from the site, where a
root-relative ``/images/x.png`` or a relative ``../autre/`` means nothing.
"""

from __future__ import annotations

import html
from urllib.parse import urljoin

import lxml.html
from lxml import etree

# Attributes whose value is one URL. srcset (a list of candidates) is handled apart.
URL_ATTRIBUTES = ("href", "src", "poster", "action", "cite", "data", "background")


def absolutize_srcset(srcset: str, base: str) -> str:
    """Resolve each candidate URL of a srcset against ``base``, keeping its descriptor."""
    candidates = []
    for candidate in srcset.split(","):
        parts = candidate.split()
        if parts:
            candidates.append(" ".join([urljoin(base, parts[0]), *parts[1:]]))
    return ", ".join(candidates)


def absolutize(fragment: str, base: str) -> str:
    """Return the HTML ``fragment`` with its URLs resolved against the absolute URL ``base``."""
    if not fragment or not fragment.strip():
        return fragment
    root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    # etree.Element as the tag filter skips comments and processing instructions.
    for element in root.iter(etree.Element):
        for name in URL_ATTRIBUTES:
            value = element.get(name)
            if value is not None:
                element.set(name, urljoin(base, value.strip()))
        srcset = element.get("srcset")
        if srcset is not None:
            element.set("srcset", absolutize_srcset(srcset, base))
    return inner_html(root)


def inner_html(root: lxml.html.HtmlElement) -> str:
    """Serialize the children of ``root`` (with the text before them), without ``root`` itself."""
    leading = html.escape(root.text or "", quote=False)
    return leading + "".join(lxml.html.tostring(child, encoding="unicode") for child in root)
