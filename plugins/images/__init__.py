"""images: responsive images made at build time, lighter on a phone.

Each PNG or JPEG among the static files gets WebP copies at the widths of ``IMAGE_WIDTHS``
(narrower than itself) and at its own (``variants``, with Pillow). The theme shows an
article's illustration with the ``picture`` filter and a text's own images with the
``responsive_images`` filter (``markup``): a ``<picture>`` whose ``srcset`` and ``sizes`` let
the browser take the smallest copy that fills the space, the original as fallback, width
and height kept. Copies are kept between builds in ``IMAGE_CACHE_PATH`` (by default
``<CACHE_PATH>/images``; "" for none), named after the source's digest and the width, so a
rebuild only copies them (``site``).
"""

from __future__ import annotations

from blinker import signal
from pelican import signals

from . import site


def register() -> None:
    """Connect the handlers (module-level functions: blinker keeps weak references)."""
    signals.generator_init.connect(site.add_filters)
    signals.static_generator_finalized.connect(site.remember)
    signals.finalized.connect(site.write_all)
    # plugins/fast_build asks what a text's page shows beyond its HTML (its images' sizes).
    signal("fast_build.text_inputs").connect(site.fast_build_inputs)
