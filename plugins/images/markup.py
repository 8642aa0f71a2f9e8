"""The HTML of a responsive image: ``<picture>`` with WebP copies and the original as fallback.

Browsers that read WebP choose, from ``srcset`` and ``sizes``, the narrowest copy that fills
the space the image takes at the screen's pixel density; the others load the original. The
``<img>`` keeps its width and height, so the page does not move while images load.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser

from .variants import ImagePlan

_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)


def attribute(value: str) -> str:
    """Escape ``value`` for a double-quoted attribute (apostrophes stay readable)."""
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")


def img(attributes: dict[str, str]) -> str:
    """Return an ``<img>`` tag with ``attributes`` in their order."""
    return "<img " + " ".join(f'{name}="{attribute(value)}"' for name, value in attributes.items()) + ">"


def srcset(plan: ImagePlan, base: str) -> str:
    """Return the ``srcset`` of the WebP copies, each address starting with ``base``."""
    return ", ".join(f"{base}/{variant.path} {variant.width}w" for variant in plan.variants)


def picture(plan: ImagePlan, base: str, src: str, attributes: dict[str, str], sizes: str) -> str:
    """Return ``<picture>`` around an ``<img>`` of ``src`` with ``attributes`` (in their order).

    ``width`` and ``height`` are the image's own unless ``attributes`` gives them.
    """
    attributes = {"src": src, **{k: v for k, v in attributes.items() if k != "src"}}
    attributes.setdefault("width", str(plan.width))
    attributes.setdefault("height", str(plan.height))
    return (f'<picture><source type="image/webp" srcset="{attribute(srcset(plan, base))}" '
            f'sizes="{attribute(sizes)}">{img(attributes)}</picture>')


class _Attributes(HTMLParser):
    """Read the attributes of one tag."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.attributes: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attributes = {name: value or "" for name, value in attrs}

    handle_startendtag = handle_starttag


def tag_attributes(tag: str) -> dict[str, str]:
    """Return the attributes of an HTML start tag such as ``<img src="a.png" alt="">``."""
    parser = _Attributes()
    parser.feed(tag)
    parser.close()
    return parser.attributes


def rewrite_images(html: str, plan_for: Callable[[str], tuple[ImagePlan, str] | None], sizes: str) -> str:
    """Turn each ``<img>`` of ``html`` whose ``src`` ``plan_for`` knows into a ``<picture>``.

    ``plan_for(src)`` returns the image's plan and the address its copies' paths start from,
    or None for an image left as it is (another host, SVG, unknown file). Images in a text
    are below its title: they load lazily.
    """
    def replace(match: re.Match[str]) -> str:
        attributes = tag_attributes(match.group(0))
        found = plan_for(attributes.get("src", ""))
        if found is None:
            return match.group(0)
        plan, base = found
        attributes.setdefault("loading", "lazy")
        attributes.setdefault("decoding", "async")
        return picture(plan, base, attributes["src"], attributes, sizes)

    # An image already in a <picture> is the writer's choice: left alone.
    if "<picture" in html:
        return html
    return _IMG.sub(replace, html)
