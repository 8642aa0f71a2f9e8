"""plugins/images: WebP copies at several widths, <picture> with srcset and sizes, the cache."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest
from PIL import Image

from images import markup
from images.variants import is_raster, plan, variant_path, worth_it, write_variant
from sitebuild import ROOT

ILLUSTRATED = "associations-reseaux-sociaux-sondage"


def parse(page: Path) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(page.read_bytes())


def _png(path: Path, size: tuple[int, int]) -> Path:
    # Noise does not compress: a real photo-like worst case for the encoder.
    Image.effect_noise(size, 60).convert("RGB").save(path)
    return path


def test_the_copies_are_narrower_than_the_source_and_one_keeps_its_width(tmp_path: Path) -> None:
    source = _png(tmp_path / "a.png", (800, 420))
    found = plan(source, "images/a.png", (360, 720, 960))
    assert (found.width, found.height) == (800, 420)
    assert [(v.width, v.height, v.path) for v in found.variants] == [
        (360, 189, "images/a-360w.webp"), (720, 378, "images/a-720w.webp"), (800, 420, "images/a-800w.webp")]


def test_a_file_pillow_cannot_read_is_left_as_it_is(tmp_path: Path) -> None:
    from images.site import Images  # noqa: PLC0415

    fake = tmp_path / "fake.png"
    fake.write_bytes(b"\x89PNG not really")
    images = Images()
    images.settings = {"CACHE_PATH": str(tmp_path / "cache")}
    images.sources = {"images/fake.png": fake, "images/gone.jpg": tmp_path / "gone.jpg"}
    images.choose()
    assert images.plans == {"images/fake.png": None, "images/gone.jpg": None}


def test_only_png_and_jpeg_get_copies() -> None:
    assert is_raster("images/a.PNG") and is_raster("b.jpeg") and is_raster("c.jpg")
    assert not is_raster("favicon.svg") and not is_raster("d.gif")
    assert variant_path("images/x.y.png", 360) == "images/x.y-360w.webp"


def test_a_copy_comes_from_the_cache_the_second_time(tmp_path: Path) -> None:
    source = _png(tmp_path / "a.png", (500, 300))
    variant = plan(source, "images/a.png", (360,)).variants[0]
    cache = tmp_path / "cache"
    assert write_variant(source, variant, tmp_path / "out1", cache) is True
    assert write_variant(source, variant, tmp_path / "out2", cache) is False
    first, second = (tmp_path / f"out{n}" / "images/a-360w.webp" for n in (1, 2))
    assert first.read_bytes() == second.read_bytes()
    with Image.open(first) as image:
        assert (image.format, image.size) == ("WEBP", (360, 216))
    # A changed source is a new digest: a new copy, never the old one.
    _png(source, (500, 300))
    assert write_variant(source, variant, tmp_path / "out3", cache) is True


def test_a_text_image_of_the_site_becomes_a_picture_and_others_stay(tmp_path: Path) -> None:
    source = _png(tmp_path / "a.png", (800, 400))
    found = plan(source, "images/a.png", (360,))
    html = ('<p><img alt="Un &quot;schéma&quot; d\'agenda" src="https://x.org/images/a.png"></p>'
            '<p><img alt="" src="https://ailleurs.example/b.png"></p>')
    known = {"https://x.org/images/a.png": (found, "https://x.org")}
    out = markup.rewrite_images(html, known.get, "100vw")
    assert out.count("<picture>") == 1
    assert ('<picture><source type="image/webp" srcset="https://x.org/images/a-360w.webp 360w, '
            'https://x.org/images/a-800w.webp 800w" sizes="100vw"><img src="https://x.org/images/a.png" '
            'alt="Un &quot;schéma&quot; d\'agenda" loading="lazy" decoding="async" width="800" height="400">'
            '</picture>') in out
    assert '<img alt="" src="https://ailleurs.example/b.png">' in out


def _sources(page: Path) -> list:
    return parse(page).xpath("//picture")


@pytest.mark.parametrize("page", ["index.html", f"{ILLUSTRATED}/index.html"])
def test_built_pages_show_pictures_with_srcset_sizes_and_size(site: Path, page: str) -> None:
    pictures = _sources(site / page)
    assert pictures, f"no <picture> in {page}"
    for picture in pictures:
        source, img = picture.xpath(".//source")[0], picture.xpath(".//img")[0]
        assert source.get("type") == "image/webp" and source.get("sizes")
        candidates = [part.split() for part in source.get("srcset").split(",")]
        assert len(candidates) >= 3
        for url, descriptor in candidates:
            assert (site / url.lstrip("/")).is_file(), url
            assert descriptor.endswith("w")
        assert candidates[0][0].endswith("-360w.webp")
        # The original as fallback, with its own size: no layout shift while it loads.
        original = site / img.get("src").lstrip("/")
        with Image.open(original) as image:
            assert (img.get("width"), img.get("height")) == tuple(map(str, image.size))
        assert img.get("alt") is not None


def test_the_copies_a_phone_loads_are_much_lighter_than_the_originals(site: Path) -> None:
    """A phone takes a copy about 700 pixels wide: at least 40 % lighter than the PNG sent today."""
    illustrations = [line.split(":", 1)[1].strip() for text in (ROOT / "content").glob("*.md")
                     for line in text.read_text(encoding="utf-8").splitlines() if line.startswith("Image:")]
    assert len(illustrations) >= 10
    for path in illustrations:
        original = ROOT / "content" / path
        copy = site / path.replace(".png", "-720w.webp")
        assert copy.is_file(), copy
        assert copy.stat().st_size < original.stat().st_size * 0.6, path


def test_an_image_lighter_as_png_keeps_its_png_alone(tmp_path: Path) -> None:
    """A fine two-colour pattern weighs less as PNG than as WebP at any width: no copies."""
    flat = tmp_path / "flat.png"
    image = Image.new("P", (380, 200), 0)
    image.putpalette([255, 255, 255, 20, 60, 200] + [0] * 762)
    pixels = image.load()
    for y in range(200):
        for x in range(380):
            pixels[x, y] = (x + y) % 2
    image.save(flat, optimize=True)
    assert worth_it(flat, "images/flat.png", (360,), None) is None
    noisy = _png(tmp_path / "noisy.png", (800, 420))
    assert [v.path for v in worth_it(noisy, "images/noisy.png", (360,), None).variants] == [
        "images/noisy-360w.webp", "images/noisy-800w.webp"]


def test_the_original_stands_for_its_width_when_its_webp_copy_is_heavier(tmp_path: Path) -> None:
    """A PNG of few colours: lighter as WebP when narrow, heavier at its own width."""
    source = tmp_path / "few.png"
    Image.effect_noise((1200, 630), 40).convert("L").point(lambda v: 255 if v > 128 else 0).convert(
        "P").save(source, optimize=True)
    found = worth_it(source, "images/few.png", (360,), None)
    assert found is not None
    kinds = [v.path for v in found.variants]
    assert kinds[0] == "images/few-360w.webp"
    assert kinds[-1] in ("images/few.png", "images/few-1200w.webp")


def test_a_diagram_in_an_article_is_a_picture_too(site: Path) -> None:
    page = parse(site / "logiciels-libres-pour-associations" / "index.html")
    diagram = page.xpath("//img[contains(@src, 'agenda-partage-exemple')]")[0]
    assert diagram.getparent().tag == "picture" or diagram.getparent().getparent().tag == "picture"
    assert diagram.get("loading") == "lazy"
    assert (diagram.get("width"), diagram.get("height")) == ("800", "420")


def test_the_article_illustration_is_no_longer_lazy_but_cards_are(site: Path) -> None:
    hero = parse(site / ILLUSTRATED / "index.html").xpath("//figure[@class='article__figure']//img")[0]
    assert hero.get("loading") is None  # the largest paint of the page: loaded at once
    cards = parse(site / "index.html").xpath("//img[@class='card__image']")
    assert cards and all(card.get("loading") == "lazy" for card in cards)
