"""The smaller copies of one image: which widths, their names, and making them with Pillow.

A raster image (PNG, JPEG) gets a WebP copy at each width of ``IMAGE_WIDTHS`` narrower than
itself, and one at its own width. Each copy is made once: it is kept in a cache folder under a
name made of the source's digest, the width and the encoder settings, so a rebuild (the dev
server) only copies it into the output folder.
"""

from __future__ import annotations

import hashlib
import io
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path, PurePosixPath

import PIL
from PIL import Image

RASTER_SUFFIXES = (".png", ".jpg", ".jpeg")
# Quality 65 with the slowest, best method: flat illustrations lose nothing visible on a phone
# and weigh about a third of the PNG at the same width; at 75 the home page's eight cards came
# within 3 KB of the 60 KB budget on Lighthouse's phone (bench/results.md).
WEBP_OPTIONS = {"format": "WEBP", "quality": 65, "method": 6}
# Part of each cached file's name: a new Pillow or new settings make new copies.
ENCODER = hashlib.sha256(repr((PIL.__version__, sorted(WEBP_OPTIONS.items()))).encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Variant:
    """One WebP copy: its width and height in pixels and its path beside the original."""

    width: int
    height: int
    path: str


@dataclass(frozen=True)
class ImagePlan:
    """An image's own size and the copies made of it (narrowest first)."""

    width: int
    height: int
    variants: tuple[Variant, ...]


def is_raster(path: str) -> bool:
    """Tell whether ``path`` names an image this plugin makes copies of."""
    return path.lower().endswith(RASTER_SUFFIXES)


def variant_path(path: str, width: int) -> str:
    """Return where the copy of ``path`` (a path in the output folder) at ``width`` goes."""
    original = PurePosixPath(path)
    return str(original.with_name(f"{original.stem}-{width}w.webp"))


def plan(source: Path, path: str, widths: tuple[int, ...]) -> ImagePlan:
    """Return the size of ``source`` and the copies to make of it, ``path`` being its output path."""
    stat = source.stat()
    width, height = _size(str(source), stat.st_size, stat.st_mtime_ns)
    chosen = sorted({w for w in widths if w < width} | {width})
    return ImagePlan(width, height, tuple(
        Variant(w, max(1, round(height * w / width)), variant_path(path, w)) for w in chosen))


@lru_cache(maxsize=4096)
def _size(source: str, size: int, mtime_ns: int) -> tuple[int, int]:
    # Pillow reads only the header; the cache key changes when the file does.
    with Image.open(source) as image:
        return image.size


@lru_cache(maxsize=4096)
def _digest(source: str, size: int, mtime_ns: int) -> str:
    return hashlib.sha256(Path(source).read_bytes()).hexdigest()


def source_digest(source: Path) -> str:
    """Return the SHA-256 of ``source``, read again only when its size or time change."""
    stat = source.stat()
    return _digest(str(source), stat.st_size, stat.st_mtime_ns)


def encode(source: Path, variant: Variant) -> bytes:
    """Return ``source`` resized to ``variant``'s size, as WebP."""
    with Image.open(source) as image:
        image.load()
        # WebP keeps transparency: RGBA when the source has any, RGB otherwise.
        has_alpha = image.mode in ("RGBA", "LA") or "transparency" in image.info
        image = image.convert("RGBA" if has_alpha else "RGB")
        if image.size != (variant.width, variant.height):
            image = image.resize((variant.width, variant.height), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        image.save(buffer, **WEBP_OPTIONS)
        return buffer.getvalue()


# (digest, width) -> WebP bytes made or read by this process: a build decides from the copy at
# full width whether the image gets copies at all, then writes them all.
_MADE: dict[tuple[str, int], bytes] = {}


def variant_bytes(source: Path, variant: Variant, cache: Path | None) -> tuple[bytes, bool]:
    """Return the WebP bytes of ``variant`` and whether they were encoded (not found in the cache)."""
    key = (source_digest(source), variant.width)
    known = _MADE.get(key)
    if known is not None:
        return known, False
    cached = cache / f"{key[0]}-{variant.width}-{ENCODER}.webp" if cache else None
    encoded = False
    if cached is not None and cached.is_file():
        data = cached.read_bytes()
    else:
        data = encode(source, variant)
        encoded = True
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            # Written whole, then renamed: two builds at once never read half a file.
            partial = cached.with_name(f"{cached.name}.{os.getpid()}.part")
            partial.write_bytes(data)
            os.replace(partial, cached)
    _MADE[key] = data
    return data, encoded


def worth_it(source: Path, path: str, widths: tuple[int, ...], cache: Path | None) -> ImagePlan | None:
    """Return the plan of ``source`` with only the copies lighter than ``source`` itself.

    WebP is not always lighter: a flat diagram with few colours often weighs less as PNG,
    above all at full width. When the copy at full width is not kept, the original stands for
    that width in the ``srcset``; an image with no copy worth it gets no plan (None).
    """
    found = plan(source, path, widths)
    size = source.stat().st_size
    kept = tuple(v for v in found.variants if len(variant_bytes(source, v, cache)[0]) < size)
    if not kept:
        return None
    if kept[-1].width != found.width:
        kept += (Variant(found.width, found.height, path),)
    return ImagePlan(found.width, found.height, kept)


def write_variant(source: Path, variant: Variant, output: Path, cache: Path | None) -> bool:
    """Put ``variant`` of ``source`` under ``output``; return True when it had to be encoded."""
    data, encoded = variant_bytes(source, variant, cache)
    destination = output / variant.path
    if destination.is_file() and destination.stat().st_size == len(data) and destination.read_bytes() == data:
        return encoded  # unchanged: leave its time alone, as Pelican does for static files
    destination.parent.mkdir(parents=True, exist_ok=True)
    destination.write_bytes(data)
    return encoded
