"""The images of one build: which static files have copies, the theme's filters, the writing.

The static generator tells which raster images the site has (``remember``); the templates ask
for their ``<picture>`` (``picture`` filter, for an article's illustration) or have a text's
HTML rewritten (``responsive_images`` filter); at the end of the build the copies are written
(``write_all``), from the cache folder when it holds them.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from markupsafe import Markup
from PIL import Image

from . import markup
from .variants import ImagePlan, is_raster, worth_it, write_variant

log = logging.getLogger(__name__)

DEFAULT_WIDTHS = (360, 480, 640, 720, 960)


class Images:
    """The raster static files of the build in progress, by their path in the output folder."""

    def __init__(self) -> None:
        self.sources: dict[str, Path] = {}
        self.plans: dict[str, ImagePlan | None] = {}
        self.settings: dict[str, Any] = {}

    def widths(self) -> tuple[int, ...]:
        return tuple(self.settings.get("IMAGE_WIDTHS", DEFAULT_WIDTHS))

    def plan_of(self, path: str) -> ImagePlan | None:
        """Return the plan of the image at ``path`` in the output folder (None: not ours)."""
        return self.plans.get(path.lstrip("/"))

    def choose(self) -> None:
        """Plan every image, with only the copies lighter than the image itself."""
        cache = cache_folder(self.settings)
        self.plans = {}
        for path, source in self.sources.items():
            try:
                self.plans[path] = worth_it(source, path, self.widths(), cache)
            except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as problem:
                # Not an image Pillow can read (a placeholder file, a truncated upload): served as
                # it is, as before this plugin; plugins/checks is where a writer hears of files.
                log.info("images: %s left as it is (%s)", source, problem)
                self.plans[path] = None

    def plan_for_address(self, src: str) -> tuple[ImagePlan, str] | None:
        """Return the plan of the image a page links to as ``src``, and its copies' base address."""
        siteurl = self.settings.get("SITEURL", "")
        if siteurl and src.startswith(siteurl + "/"):
            path = src[len(siteurl):]
        elif src.startswith("/"):
            path = src
        else:
            return None  # relative or on another host: left as it is
        found = self.plan_of(path.split("?", 1)[0].split("#", 1)[0])
        return (found, siteurl) if found is not None else None


IMAGES = Images()


def remember(generator: Any) -> None:
    """Keep the raster images the static generator found (``static_generator_finalized``)."""
    IMAGES.settings = generator.settings
    IMAGES.sources = {static.save_as: Path(static.source_path)
                      for static in generator.staticfiles if is_raster(static.save_as)}
    # Before the pages are rendered (by forked workers too): they all see the same plans.
    IMAGES.choose()


def picture_filter(path: str, sizes: str, **attributes: str) -> Markup:
    """Jinja filter: the ``<picture>`` of the image at ``path`` (an output path, as ``Image:``).

    ``attributes`` go on the ``<img>`` (``class_`` for ``class``); an image with no copies is a
    plain ``<img>``.
    """
    attributes = {name.rstrip("_").replace("_", "-"): str(value) for name, value in attributes.items()}
    siteurl = IMAGES.settings.get("SITEURL", "")
    src = f"{siteurl}/{path.lstrip('/')}"
    found = IMAGES.plan_of(path)
    if found is None:
        return Markup(markup.img({"src": src, **attributes}))
    return Markup(markup.picture(found, siteurl, src, attributes, sizes))


def responsive_images_filter(html: str, sizes: str) -> Markup:
    """Jinja filter: a text's HTML with each of its images of this site as a ``<picture>``."""
    return Markup(markup.rewrite_images(str(html), IMAGES.plan_for_address, sizes))


def add_filters(generator: Any) -> None:
    """Give the generator's templates the ``picture`` and ``responsive_images`` filters."""
    IMAGES.settings = generator.settings
    generator.env.filters["picture"] = picture_filter
    generator.env.filters["responsive_images"] = responsive_images_filter


def cache_folder(settings: dict[str, Any]) -> Path | None:
    """Return where copies are kept between builds (``IMAGE_CACHE_PATH``; "" for none)."""
    configured = settings.get("IMAGE_CACHE_PATH")
    if configured == "":
        return None
    return Path(configured or os.path.join(settings["CACHE_PATH"], "images"))


def write_all(pelican: Any) -> None:
    """Write every copy of every image into the output folder (``finalized``)."""
    output = Path(pelican.output_path)
    cache = cache_folder(pelican.settings)
    encoded = 0
    for path in sorted(IMAGES.plans):
        found = IMAGES.plans[path]
        if found is None:
            continue
        for variant in found.variants:
            if variant.path == path:
                continue  # the original itself, copied by Pelican
            encoded += write_variant(IMAGES.sources[path], variant, output, cache)
    if encoded:
        log.info("images: %d copies WebP faites (les suivantes viendront du cache)", encoded)


def fast_build_inputs(text: Any) -> tuple[Any, ...] | None:
    """What a text's page shows of its images: their sizes (``fast_build.text_inputs``)."""
    paths = [text.metadata["image"]] if isinstance(text.metadata.get("image"), str) else []
    paths += sorted(link for link in text.get_static_links() if is_raster(link))
    plans = [(path, IMAGES.plan_of(path)) for path in paths]
    found = tuple((path, found.width, found.height) for path, found in plans if found is not None)
    return found or None
