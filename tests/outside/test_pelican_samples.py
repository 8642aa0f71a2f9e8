"""make check on Pelican's own sample site (from its sdist) says nothing false.

Pelican's samples give categories by folder (USE_FOLDER_AS_CATEGORY) and copy a single file
listed in STATIC_PATHS: neither is a mistake. What remains is advice that holds there too.
"""

from __future__ import annotations

import locale

from checks.checker import check_site
from checks.config import CheckConfig
from outside_suites import sdist
from pelican.settings import read_settings


def test_pelican_sample_site_raises_no_false_warning() -> None:
    samples = sdist("pelican") / "samples"
    saved = locale.setlocale(locale.LC_ALL)  # read_settings applies the samples' LOCALE
    try:
        settings = read_settings(str(samples / "pelican.conf.py"), override={"PATH": str(samples / "content")})
    finally:
        locale.setlocale(locale.LC_ALL, saved)
    result = check_site(CheckConfig.from_settings(settings))
    assert [str(problem) for problem in result.problems] == [
        "content/cat1/markdown-article.md:1 : avertissement : Il manque le résumé : la page "
        "d'accueil et les partages sur les réseaux montreront le début du texte, coupé. Ajoutez "
        "une ligne « Summary: » avec une ou deux phrases."]
