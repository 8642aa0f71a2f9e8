"""The generated corpus of the build benchmarks: deterministic, valid, a poll in one article in ten."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bench import corpus
from poll_spec import Poll, find_poll_blocks, parse_poll

N = 40
REQUIRED = ("Title", "Date", "Category", "Tags", "Slug", "Authors", "Summary")


def files(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> corpus.Corpus:
    return corpus.generate(tmp_path_factory.mktemp("corpus"), N)


def header(article: Path) -> dict[str, str]:
    head = article.read_text(encoding="utf-8").split("\n\n", 1)[0]
    return dict(line.split(": ", 1) for line in head.splitlines())


def test_the_same_seed_writes_the_same_bytes(tmp_path: Path, generated: corpus.Corpus) -> None:
    again = corpus.generate(tmp_path / "again", N)
    assert files(again.path) == files(generated.path)


def test_another_seed_writes_other_articles(tmp_path: Path, generated: corpus.Corpus) -> None:
    other = corpus.generate(tmp_path / "other", N, seed=corpus.SEED + 1)
    assert files(other.path) != files(generated.path)


def test_every_article_has_the_metadata_a_writer_fills_in(generated: corpus.Corpus) -> None:
    assert len(generated.articles) == N
    for article in generated.articles:
        metadata = header(article)
        assert set(REQUIRED) <= set(metadata), article
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", metadata["Date"])
        assert metadata["Category"] in corpus.CATEGORIES


def test_articles_hold_headings_lists_links_and_images(generated: corpus.Corpus) -> None:
    text = "\n".join(article.read_text(encoding="utf-8") for article in generated.articles)
    assert "\n## " in text and "\n### " in text
    assert "\n- " in text and "\n1. " in text
    assert "](https://exemple.org/" in text and "]({filename}/article-" in text
    assert "![" in text and "({static}/images/illustration-" in text


def test_one_article_in_ten_has_a_valid_poll(generated: corpus.Corpus) -> None:
    polls = []
    for article in generated.articles:
        for block in find_poll_blocks(article.read_text(encoding="utf-8")):
            assert block.closed
            polls.append(parse_poll(block.body, str(article), block.body_line))
    assert len(polls) == N // corpus.POLL_EVERY
    assert all(isinstance(poll, Poll) for poll in polls)
    assert [poll.id for poll in polls] == list(generated.poll_ids)


def test_internal_links_and_images_point_at_files_that_exist(generated: corpus.Corpus) -> None:
    for article in generated.articles:
        text = article.read_text(encoding="utf-8")
        for target in re.findall(r"\{filename\}/([^)]+)", text):
            assert (generated.path / target).is_file(), (article, target)
        for target in re.findall(r"\{static\}/([^)]+)", text):
            assert (generated.path / target).is_file(), (article, target)
        image = header(article).get("Image")
        assert image is None or (generated.path / image).is_file()


def test_images_are_png_files(generated: corpus.Corpus) -> None:
    images = sorted((generated.path / "images").glob("*.png"))
    assert len(images) == corpus.IMAGE_COUNT
    assert all(image.read_bytes().startswith(b"\x89PNG\r\n\x1a\n") for image in images)


def test_the_vanilla_corpus_is_the_same_text_with_polls_as_plain_code(
        tmp_path: Path, generated: corpus.Corpus) -> None:
    vanilla = corpus.generate(tmp_path / "vanilla", N, polls=False)
    for ours, plain in zip(generated.articles, vanilla.articles):
        plain_text = plain.read_text(encoding="utf-8")
        assert "```poll" not in plain_text
        assert plain_text.replace("```text\n", "```poll\n") == ours.read_text(encoding="utf-8")


def test_no_article_is_dated_in_the_future_whatever_the_size(tmp_path: Path) -> None:
    generated = corpus.generate(tmp_path / "content", 60)
    dates = [line.split(": ", 1)[1] for article in generated.articles
             for line in article.read_text(encoding="utf-8").splitlines() if line.startswith("Date: ")]
    assert len(dates) == 60 and dates == sorted(dates)
    assert dates[-1] < "2026-01-01" and dates[0] > "2025-08-01"  # two days apart
