"""make check: each mistake a volunteer can make, with its exact French message and line.

A small sound site is built in a temporary folder; each case adds one broken article
(content/cas.md) and expects exactly the listed problems. The same checker runs in the build:
a few cases go through ``pelican`` too, and must stop it with the same lines.
"""

from __future__ import annotations

import locale
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import checks
from checks import MEMORY_FILE, ContentCheckFailed, documents, inline_code, memory_file
from checks.checker import check_site
from checks.config import CheckConfig
from pelican import Pelican, signals
from pelican.generators import ArticlesGenerator
from pelican.settings import read_settings

ROOT = Path(__file__).resolve().parents[2]
PELICAN = Path(sys.executable).with_name("pelican")

# Lines 1-5 of most cases; extra header lines start at 6, the text after a blank line.
HEADER = ("Title: Un article\nDate: 2026-11-20 10:00\nCategory: Vie associative\nTags: essai\n"
          "Summary: Un résumé.\n")
POLL = "```poll\nid: budget\nquestion: Votre avis ?\noptions:\n  - oui: Oui\n  - non: Non\n```\n"
BASE = {
    "pages/contact.md": "Title: Contact\nSlug: contact\nSummary: Nous écrire.\n\nTexte.\n",
    "reference.md": HEADER.replace("Un article", "Référence").replace("2026-11-20", "2026-10-01")
    + "Slug: reference\n\n" + POLL,
    "autre.md": HEADER.replace("Un article", "Autre").replace("2026-11-20", "2026-10-02") + "\nTexte.\n",
    "brouillon.md": HEADER.replace("Un article", "Brouillon") + "Status: draft\n\nTexte.\n",
}
TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082")

CHECK_NAME = ("Vérifiez le nom du fichier ; un chemin commençant par « / » part du dossier "
              "content/.")
NO_DESCRIPTION = ("Cette image n'a pas de description : écrivez entre les crochets ce qu'elle "
                  "montre, par exemple « ![Affiche de la fête de quartier]({static}/images/affiche.png) » "
                  "(en HTML : alt=\"Affiche de la fête de quartier\").")
FIX_DATE = "Écrivez-la « Date: 2026-11-18 09:30 » (année-mois-jour heure:minute)."
CASES: dict[str, tuple[str, list[str]]] = {
    "no title": (
        "Date: 2026-11-20 10:00\nCategory: Vie associative\nSummary: Un résumé.\n\nTexte.\n",
        ["1 : Il manque le titre. Ajoutez en toute première ligne du fichier « Title: Le titre », "
         "suivie des autres informations (Date, Category…), puis une ligne vide avant le texte."]),
    "an empty title": (
        HEADER.replace("Title: Un article", "Title:") + "\nTexte.\n",
        ["1 : Le titre est vide : écrivez-le après « Title: »."]),
    "no date": (
        HEADER.replace("Date: 2026-11-20 10:00\n", "") + "\nTexte.\n",
        ["1 : Il manque la date de publication. Ajoutez une ligne « Date: 2026-11-18 09:30 » "
         "(année-mois-jour heure:minute)."]),
    "a date written the French way": (
        HEADER.replace("2026-11-20 10:00", "20/11/2026 à 10h30") + "\nTexte.\n",
        ["2 : La date « 20/11/2026 à 10h30 » n'est pas écrite comme le site l'attend. "
         "Écrivez-la « Date: 2026-11-20 10:30 » (année-mois-jour heure:minute)."]),
    "a date in words": (
        HEADER.replace("2026-11-20 10:00", "mardi 20 novembre 2026") + "\nTexte.\n",
        ["2 : La date « mardi 20 novembre 2026 » n'est pas écrite comme le site l'attend. "
         "Écrivez-la « Date: 2026-11-20 » (année-mois-jour)."]),
    "an hour written 9h30": (
        HEADER.replace("2026-11-20 10:00", "2026-11-20 9h30") + "\nTexte.\n",
        ["2 : La date « 2026-11-20 9h30 » n'est pas écrite comme le site l'attend. "
         "Écrivez-la « Date: 2026-11-20 09:30 » (année-mois-jour heure:minute)."]),
    "a date the site cannot guess": (
        HEADER.replace("2026-11-20 10:00", "la semaine prochaine") + "\nTexte.\n",
        ["2 : La date « la semaine prochaine » n'est pas écrite comme le site l'attend. " + FIX_DATE]),
    "a date that does not exist": (
        HEADER.replace("2026-11-20", "2026-02-30") + "\nTexte.\n",
        ["2 : La date « 2026-02-30 10:00 » n'existe pas : février 2026 a 28 jours. Corrigez le "
         "jour, le mois ou l'heure."]),
    "a French date that does not exist": (
        HEADER.replace("2026-11-20 10:00", "31/02/2026") + "\nTexte.\n",
        ["2 : La date « 31/02/2026 » n'existe pas : février 2026 a 28 jours. Corrigez le jour, le "
         "mois ou l'heure, en l'écrivant dans l'ordre année-mois-jour heure:minute (« Date: "
         "2026-11-18 09:30 »)."]),
    "an hour that does not exist": (
        HEADER.replace("10:00", "25:00") + "\nTexte.\n",
        ["2 : La date « 2026-11-20 25:00 » n'existe pas : il n'y a pas d'heure 25:00 (de 00:00 à "
         "23:59). Corrigez le jour, le mois ou l'heure."]),
    "a date in the future (a warning)": (
        HEADER.replace("2026-11-20", "2062-11-20") + "\nTexte.\n",
        ["2 : avertissement : La date « 2062-11-20 10:00 » est dans le futur : l'article sera "
         "pourtant mis en ligne dès la prochaine publication, avec cette date, et restera en tête "
         "des listes. Si c'est une faute de frappe, corrigez-la ; s'il doit attendre ce jour-là, "
         "gardez « Status: draft » jusque-là."]),
    "an unreadable update date": (
        HEADER + "Modified: demain\n\nTexte.\n",
        ["6 : La date de mise à jour (Modified) « demain » n'est pas écrite comme le site "
         "l'attend. Écrivez-la « Modified: 2026-11-18 09:30 » (année-mois-jour heure:minute)."]),
    "no category (a warning)": (
        HEADER.replace("Category: Vie associative\n", "") + "\nTexte.\n",
        ["1 : avertissement : L'article n'a pas de rubrique : il sera rangé dans la rubrique par "
         "défaut. Ajoutez une ligne « Category: » suivie d'une rubrique existante, par exemple "
         "« Category: Vie associative »."]),
    "a category misspelt (a warning)": (
        HEADER.replace("Vie associative", "Vie asociative") + "\nTexte.\n",
        ["3 : avertissement : La rubrique « Vie asociative » n'est utilisée nulle part ailleurs : "
         "vouliez-vous écrire « Vie associative » ? Une faute de frappe crée une nouvelle rubrique."]),
    "a category with another capital (a warning)": (
        HEADER.replace("Vie associative", "vie associative") + "\nTexte.\n",
        ["3 : avertissement : La rubrique « vie associative » est écrite « Vie associative » dans "
         "content/reference.md : choisissez une seule orthographe (majuscules et accents compris), "
         "sinon le site n'en garde qu'une."]),
    "no summary (a warning)": (
        HEADER.replace("Summary: Un résumé.\n", "") + "\nTexte.\n",
        ["1 : avertissement : Il manque le résumé : la page d'accueil et les partages sur les "
         "réseaux montreront le début du texte, coupé. Ajoutez une ligne « Summary: » avec une "
         "ou deux phrases."]),
    "a status in French": (
        HEADER + "Status: brouillon\n\nTexte.\n",
        ["6 : Statut inconnu « brouillon ». Écrivez « Status: draft » pour un brouillon (visible "
         "seulement dans l'aperçu), ou supprimez la ligne pour publier."]),
    "a field name in French": (
        HEADER + "Auteur: Claire\n\nTexte.\n",
        ["6 : avertissement : Champ inconnu « Auteur: », le site l'ignore. Vouliez-vous écrire "
         "« Authors: » ? Les noms de champ possibles sont dans le guide (docs/guide-redaction.md)."]),
    "a field name with an accent": (
        "Title: Un article\nDate: 2026-11-20 10:00\nCategory: Vie associative\nRésumé: Un résumé.\n\nTexte.\n",
        ["1 : avertissement : Il manque le résumé : la page d'accueil et les partages sur les "
         "réseaux montreront le début du texte, coupé. Ajoutez une ligne « Summary: » avec une "
         "ou deux phrases.",
         "4 : La ligne « Résumé: » n'est pas comprise comme une information de l'article : écrivez "
         "« Summary: ». Tant qu'elle reste ainsi, cette ligne et les suivantes s'affichent comme du "
         "texte."]),
    "a field given twice": (
        HEADER + "Title: Encore\n\nTexte.\n",
        ["6 : La ligne « Title: » apparaît deux fois (déjà à la ligne 1). Gardez-en une seule."]),
    "an address with spaces": (
        HEADER + "Slug: Mon Article\n\nTexte.\n",
        ["6 : L'adresse « Mon Article » ne convient pas : seulement des minuscules sans accents, "
         "des chiffres et des tirets. Écrivez par exemple « Slug: mon-article »."]),
    "an address the site uses": (
        HEADER + "Slug: archives\n\nTexte.\n",
        ["6 : L'adresse « archives/ » est déjà utilisée par le site lui-même. Choisissez-en une "
         "autre avec une ligne « Slug: », par exemple « Slug: archives-un-article »."]),
    "an address of another article": (
        HEADER + "Slug: reference\n\nTexte.\n",
        ["6 : L'adresse « reference/ » est déjà celle de content/reference.md : deux textes ne "
         "peuvent pas avoir la même adresse. Changez la ligne « Slug: » de l'un des deux (ou "
         "ajoutez-en une), par exemple « Slug: reference-2 »."]),
    "an address of a page": (
        HEADER.replace("Un article", "Contact") + "\nTexte.\n",
        ["1 : L'adresse « contact/ » est déjà celle de content/pages/contact.md : deux textes ne "
         "peuvent pas avoir la même adresse. Changez la ligne « Slug: » de l'un des deux (ou "
         "ajoutez-en une), par exemple « Slug: contact-2 »."]),
    "an image that does not exist": (
        HEADER + "Image: images/phot.png\nImage_alt: Une photo\n\nTexte.\n",
        ["6 : L'image « images/phot.png » n'existe pas dans content/. Vouliez-vous dire "
         "« images/photo.png » ? Vérifiez le nom (majuscules et extension comprises : .png, .jpg…)."]),
    "an image written with {static}": (
        HEADER + "Image: {static}/images/photo.png\nImage_alt: Une photo\n\nTexte.\n",
        ["6 : Écrivez le chemin de l'image tel qu'il est dans le dossier content/, sans « / » ni "
         "« {static} » au début : « Image: images/photo.png » (l'image doit être dans content/images/)."]),
    "an image without a description": (
        HEADER + "Image: images/photo.png\n\nTexte.\n",
        ["6 : L'image n'a pas de description pour les personnes qui ne la voient pas. Ajoutez une "
         "ligne « Image_alt: » qui décrit l'image en une phrase, par exemple « Image_alt: Des "
         "bénévoles trient des vêtements autour d'une grande table »."]),
    "a link to an article that does not exist": (
        HEADER + "\nVoir [cet article]({filename}referenc.md).\n",
        ["7 : Le lien « {filename}referenc.md » mène à un article ou une page qui n'existe pas "
         "(content/referenc.md). Vouliez-vous écrire « {filename}reference.md » ? " + CHECK_NAME]),
    "a link to a page from the wrong folder": (
        HEADER + "\nVoir [la page]({filename}contact.md).\n",
        ["7 : Le lien « {filename}contact.md » mène à un article ou une page qui n'existe pas "
         "(content/contact.md). Vouliez-vous écrire « {filename}pages/contact.md » ? " + CHECK_NAME]),
    "a link without {filename}": (
        HEADER + "\nVoir [cet article](reference.md).\n",
        ["7 : Le lien « reference.md » vers un autre texte du site ne fonctionnera pas : écrivez "
         "« {filename}reference.md » pour que le site le transforme en adresse de page."]),
    "a link to another site without https://": (
        HEADER + "\nVoir [leur site](www.exemple.org/agenda).\n",
        ["7 : Le lien « www.exemple.org/agenda » mène à un autre site : écrivez l'adresse complète, "
         "« https://www.exemple.org/agenda », sinon il mène à une page de ce site qui n'existe pas."]),
    "a link relative to the page's address (a warning)": (
        HEADER + "\nÉcrivez-nous (page [contact](contact/)).\n",
        ["7 : avertissement : Le lien « contact/ » part de l'adresse de cette page : sur le site il "
         "mène à une page qui n'existe sans doute pas. Pour une page du site, écrivez « /contact/ » "
         "(depuis la racine du site), ou « {filename}… » suivi du fichier de l'article."]),
    "a link to a draft (a warning)": (
        HEADER + "\nVoir [le brouillon]({filename}brouillon.md).\n",
        ["7 : avertissement : Ce lien mène au brouillon content/brouillon.md : il ne fonctionnera "
         "qu'une fois ce brouillon publié (retirez « Status: draft » de ce fichier-là quand il "
         "sera prêt)."]),
    "an image in the text that does not exist": (
        HEADER + "\n![Une photo]({static}/images/phot.png)\n",
        ["7 : Le fichier « {static}/images/phot.png » n'existe pas (content/images/phot.png). "
         "Vouliez-vous écrire « {static}/images/photo.png » ? Vérifiez le nom et le dossier ; un "
         "chemin commençant par « / » part du dossier content/."]),
    "an image in the text without {static}": (
        HEADER + "\n![Une photo](images/photo.png)\n",
        ["7 : L'image « images/photo.png » ne s'affichera pas sur le site ni dans les flux : "
         "écrivez « {static}/images/photo.png » (le fichier doit être dans le dossier content/)."]),
    "an image in the text without a description (a warning)": (
        HEADER + "\n![]({static}/images/photo.png)\n",
        ["7 : avertissement : " + NO_DESCRIPTION]),
    "example text left in a published article": (
        HEADER.replace("Un résumé.", "[À compléter : une ou deux phrases]") + "\nTexte.\n",
        ["5 : Il reste un texte d'exemple « [À compléter … ] » : remplacez-le par votre texte avant "
         "de publier, ou remettez « Status: draft » tant que l'article n'est pas prêt."]),
    "a poll without a question": (
        HEADER + "\n```poll\nid: autre\noptions:\n  - Oui\n  - Non\n```\n",
        ["8 : Le sondage n'a pas de question. Ajoutez une ligne « question: Votre question ? »."]),
    "a poll with an unknown field": (
        HEADER + "\n```poll\nid: autre\nquestion: Votre avis ?\nreponses:\n  - Oui\n```\n",
        ["10 : Champ inconnu « reponses ». Les champs possibles sont : id, question, options, "
         "multiple, opens, closes, results."]),
    "a poll block never closed": (
        HEADER + "\n```poll\nid: autre\nquestion: Votre avis ?\noptions:\n  - Oui\n  - Non\n",
        ["7 : Le bloc ```poll n'est jamais fermé : ajoutez une ligne ``` après sa dernière ligne."]),
    "a poll id defined twice": (
        HEADER + "\n" + POLL,
        ["8 : Le sondage « budget » est déjà défini dans content/reference.md:9. Si c'est un autre "
         "sondage, donnez-lui un autre identifiant (par exemple « id: budget-2 ») ; pour afficher ici "
         "le même sondage, gardez seulement la ligne « id: budget » dans ce bloc."]),
    "a poll shown twice in one page": (
        HEADER + "\n```poll\nid: budget\n```\n\nEncore :\n\n```poll\nid: budget\n```\n",
        ["14 : Le sondage « budget » est déjà affiché dans cette page, à la ligne 8 : un sondage "
         "ne s'affiche qu'une fois par page. Retirez ce bloc."]),
    "a poll shown from an unknown id": (
        HEADER + "\n```poll\nid: budjet\n```\n",
        ["8 : Aucun sondage « budjet » n'est défini sur le site. Vérifiez l'identifiant, ou "
         "définissez ici le sondage complet (question et réponses)."]),
    # Refused by the site's Content-Security-Policy; code, comments and mere words are not.
    "raw HTML with a style, a script or an event handler": (
        HEADER + '\n<p style="color: red">Rouge</p>\n\n<button onclick="voter()">Voter</button>\n\n'
        "<script>alert(1)</script>\n\n<style>p { color: red }</style>\n\nEn bleu.\n"
        '{: style="color: blue" }\n\n`<b style="x">` et <!-- <i onclick="y"> --> sans effet.\n\n'
        '```html\n<p style="z">un exemple</p>\n```\n\nLe style du site, onze = 11.\n',
        ["7 : L'attribut « style » de la balise <p> sera ignoré : le site refuse la mise en forme "
         "écrite dans le texte (sa politique de sécurité) : retirez-le, le thème met en forme. Pour "
         "aligner une colonne de tableau, écrivez « |---:| » (à droite) ou « |:---:| » (au centre) "
         "sous son titre.",
         "9 : L'attribut « onclick » de la balise <button> ne s'exécutera pas : le site refuse tout "
         "code JavaScript écrit dans le texte (sa politique de sécurité) : retirez-le. Pour intégrer "
         "un service extérieur, demandez à l'équipe du site.",
         "11 : Le script écrit dans le texte (<script>) ne s'exécutera pas : le site refuse tout code "
         "JavaScript écrit dans le texte (sa politique de sécurité) : retirez-le. Pour intégrer un "
         "service extérieur, demandez à l'équipe du site.",
         "13 : La feuille de style écrite dans le texte (<style>) sera ignorée : le site refuse la mise "
         "en forme écrite dans le texte (sa politique de sécurité) : retirez-la, le thème met en "
         "forme. Pour aligner une colonne de tableau, écrivez « |---:| » (à droite) ou « |:---:| » "
         "(au centre) sous son titre.",
         "16 : L'attribut « style » écrit entre accolades sera ignoré : le site refuse la mise en "
         "forme écrite dans le texte (sa politique de sécurité) : retirez-le, le thème met en forme. "
         "Pour aligner une colonne de tableau, écrivez « |---:| » (à droite) ou « |:---:| » (au "
         "centre) sous son titre."]),
}


def make_site(root: Path) -> Path:
    """Write a small sound site under ``root``/content and return the content folder."""
    content = root / "content"
    for relative, text in BASE.items():
        (content / relative).parent.mkdir(parents=True, exist_ok=True)
        (content / relative).write_text(text, encoding="utf-8")
    (content / "images").mkdir()
    (content / "images" / "photo.png").write_bytes(TINY_PNG)
    return content


def problems_of(root: Path, monkeypatch: pytest.MonkeyPatch, settings: str = "pelicanconf.py",
                **override: object) -> list[str]:
    """Check the site under ``root`` with the project's settings; return the report lines."""
    monkeypatch.chdir(root)
    # read_settings applies LOCALE ("C") to the whole process: put the test runner's back, or
    # later tests would decode French output as ASCII.
    saved = locale.setlocale(locale.LC_ALL)
    try:
        config = read_settings(str(ROOT / settings), override={"PATH": str(root / "content"), **override})
    finally:
        locale.setlocale(locale.LC_ALL, saved)
    return [str(problem) for problem in check_site(CheckConfig.from_settings(config)).problems]


def run_cli(root: Path, *args: str) -> subprocess.CompletedProcess:
    """Run ``python -m checks`` in ``root``, as ``make check`` does."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "plugins"), str(ROOT)])}
    return subprocess.run([sys.executable, "-m", "checks", "content", "-s", str(ROOT / "pelicanconf.py"),
                           *args], cwd=root, env=env, capture_output=True, encoding="utf-8", timeout=120)


def run_build(root: Path, settings: str = "pelicanconf.py") -> subprocess.CompletedProcess:
    """Build the site under ``root`` with the project's settings, as ``make html`` does."""
    command = [str(PELICAN), "content", "-o", "output", "-s", str(ROOT / settings),
               "--ignore-cache", "--cache-path", "cache", "--fatal", "errors"]
    # publishconf.py imports pelicanconf, which lives in the project, not in ``root``.
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(command, cwd=root, env=env, capture_output=True, encoding="utf-8", timeout=300)


def test_the_sound_site_has_no_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_site(tmp_path)
    assert problems_of(tmp_path, monkeypatch) == []


@pytest.mark.parametrize("text, expected", CASES.values(), ids=CASES.keys())
def test_each_mistake_is_reported_once_with_its_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      text: str, expected: list[str]) -> None:
    content = make_site(tmp_path)
    (content / "cas.md").write_text(text, encoding="utf-8")
    assert problems_of(tmp_path, monkeypatch) == [f"content/cas.md:{line}" for line in expected]


def test_a_file_that_is_not_utf8_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content = make_site(tmp_path)
    (content / "cas.md").write_bytes((HEADER + "\nUn été.\n").encode("latin-1"))
    assert problems_of(tmp_path, monkeypatch) == [
        "content/cas.md:5 : Le fichier n'est pas enregistré en UTF-8, l'encodage du site. Dans "
        "votre éditeur, choisissez « Enregistrer sous… » puis l'encodage « UTF-8 »."]


def test_a_text_file_that_the_site_ignores_is_a_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content = make_site(tmp_path)
    (content / "cas.txt").write_text(HEADER + "\nTexte.\n", encoding="utf-8")
    assert problems_of(tmp_path, monkeypatch) == [
        "content/cas.txt:1 : avertissement : Ce fichier n'est pas lu par le site : seuls les "
        "fichiers « .md » le sont. Si c'est un article, renommez-le « cas.md » (et commencez-le "
        "par « Title: »)."]


def test_a_category_or_date_that_pelican_gives_from_the_path_is_not_missing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content = make_site(tmp_path)
    (content / "evenements").mkdir()
    # USE_FOLDER_AS_CATEGORY (Pelican's default): the folder is the category.
    text = HEADER.replace("Category: Vie associative\n", "").replace("Un article", "Dans un dossier")
    (content / "evenements" / "cas.md").write_text(text + "\nTexte.\n", encoding="utf-8")
    # FILENAME_METADATA (Pelican's default reads a date at the start of the name).
    text = HEADER.replace("Date: 2026-11-20 10:00\n", "").replace("Un article", "Daté par son nom")
    (content / "2026-11-20-cas.md").write_text(text + "\nTexte.\n", encoding="utf-8")
    assert problems_of(tmp_path, monkeypatch) == []
    assert problems_of(tmp_path, monkeypatch, USE_FOLDER_AS_CATEGORY=False, FILENAME_METADATA=None) == [
        "content/2026-11-20-cas.md:1 : Il manque la date de publication. Ajoutez une ligne "
        "« Date: 2026-11-18 09:30 » (année-mois-jour heure:minute).",
        "content/evenements/cas.md:1 : avertissement : L'article n'a pas de rubrique : il sera "
        "rangé dans la rubrique par défaut. Ajoutez une ligne « Category: » suivie d'une "
        "rubrique existante, par exemple « Category: Vie associative »."]


def test_a_file_listed_in_static_paths_is_copied_not_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content = make_site(tmp_path)
    (content / "fichiers").mkdir()
    (content / "fichiers" / "robots.txt").write_text("User-agent: *\n", encoding="utf-8")
    (content / "fichiers" / "notes.txt").write_text("Title: Notes\n", encoding="utf-8")
    assert problems_of(tmp_path, monkeypatch, STATIC_PATHS=["images", "fichiers/robots.txt"]) == [
        "content/fichiers/notes.txt:1 : avertissement : Ce fichier n'est pas lu par le site : seuls "
        "les fichiers « .md » le sont. Si c'est un article, renommez-le « notes.md » (et "
        "commencez-le par « Title: »)."]


# A mistake in a link or an image: (the file, what the writer wrote, where it is written).
# The fix offered, pasted in place of what was written, must pass.
PASTE_CASES = {
    "an article's name misspelt": ("cas.md", "[l'article]({filename}referense.md)", "{filename}referense.md"),
    "a page named from an article": ("cas.md", "[écrire]({filename}contact.md#bas)", "{filename}contact.md#bas"),
    "an article named from a page": ("pages/cas.md", "[l'article]({filename}reference.md)",
                                     "{filename}reference.md"),
    "an article named from the root": ("cas.md", "[l'article]({filename}/referense.md)", "{filename}/referense.md"),
    "an image misspelt": ("cas.md", "![Le groupe]({static}/images/Photo de grupe.png)",
                          "{static}/images/Photo de grupe.png"),
    "an image in a folder of its own": ("cas.md", "![Le groupe]({static}/Photo de groupe.png)",
                                        "{static}/Photo de groupe.png"),
    "an image without {static}": ("pages/cas.md", "![Le groupe](../images/photo.png)", "../images/photo.png"),
    "an HTML image without {static}": ("cas.md", '<img src="images/photo.png" alt="Le groupe">', "images/photo.png"),
    "an HTML srcset without {static}": ("cas.md", '<img src="{static}/images/Photo de groupe.png" alt="Le groupe" '
                                        'srcset="images/photo.png 2x">', "images/photo.png"),
    "an HTML link to an article": ("cas.md", '<a href="reference.md">l\'article</a>', "reference.md"),
    "a link to a document without {static}": ("cas.md", "[le document](images/photo.png)", "images/photo.png"),
}


@pytest.mark.parametrize("relative, written, target", PASTE_CASES.values(), ids=PASTE_CASES.keys())
def test_the_fix_offered_for_a_link_passes_once_pasted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       relative: str, written: str, target: str) -> None:
    content = make_site(tmp_path)
    (content / "images" / "Photo de groupe.png").write_bytes(TINY_PNG)
    header = HEADER if relative == "cas.md" else "Title: Cas\nSlug: cas\nSummary: Une page.\n"
    (content / relative).write_text(f"{header}\n{written}\n", encoding="utf-8")
    [problem] = problems_of(tmp_path, monkeypatch)
    assert f"« {target} »" in problem or f"« {{filename}}{target} »" in problem, problem
    fix = re.search(r"(?:Vouliez-vous écrire|écrivez) « ([^»]+) »", problem).group(1)
    (content / relative).write_text(f"{header}\n{written.replace(target, fix)}\n", encoding="utf-8")
    assert problems_of(tmp_path, monkeypatch) == [], fix


def test_links_in_an_html_comment_are_not_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content = make_site(tmp_path)
    hidden = "<!-- plus tard :\n![]({static}/images/absente.png)\n-->\nTexte <!-- [x](y.md) --> suite.\n"
    (content / "cas.md").write_text(HEADER + "\n" + hidden, encoding="utf-8")
    assert problems_of(tmp_path, monkeypatch) == []


def test_links_shown_as_code_are_not_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content = make_site(tmp_path)
    example = "Écrivez `[texte]({filename}absent.md)` ou :\n\n```markdown\n![]({static}/x.png)\n```\n"
    (content / "cas.md").write_text(HEADER + "\n" + example, encoding="utf-8")
    assert problems_of(tmp_path, monkeypatch) == []


def test_a_draft_may_keep_example_text_and_have_no_date(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content = make_site(tmp_path)
    text = HEADER.replace("Date: 2026-11-20 10:00\n", "").replace("Un résumé.", "[À compléter : un résumé]")
    (content / "cas.md").write_text(text + "Status: draft\n\nTexte.\n", encoding="utf-8")
    assert problems_of(tmp_path, monkeypatch) == []


def test_drafts_are_not_checked_for_publishing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content = make_site(tmp_path)
    (content / "cas.md").write_text("Status: draft\n\n```poll\nid: x\n```\n", encoding="utf-8")
    assert problems_of(tmp_path, monkeypatch, "publishconf.py") == []
    assert problems_of(tmp_path, monkeypatch) != []


DRAFT_WITH_AN_ERROR = HEADER.replace("Un article", "Le brouillon de Karim") + "Image: images/photo.png\nStatus: draft\n\nTexte.\n"
DRAFT_ERROR = ("content/karim.md:6 : brouillon, erreur : L'image n'a pas de description pour les personnes "
               "qui ne la voient pas.")


def test_an_error_in_a_draft_is_reported_as_the_drafts_and_does_not_fail_make_check(tmp_path: Path) -> None:
    content = make_site(tmp_path)
    (content / "karim.md").write_text(DRAFT_WITH_AN_ERROR, encoding="utf-8")
    result = run_cli(tmp_path)
    assert result.returncode == 0, result.stdout
    assert result.stdout.startswith(DRAFT_ERROR)
    assert result.stdout.endswith(
        "Vérification du contenu (5 fichiers vérifiés) : 1 erreur dans un brouillon.\n"
        "Les erreurs de brouillons n'empêchent pas la publication (make publish laisse les brouillons "
        "de côté) : corrigez-les avant de publier ces brouillons. Si un brouillon n'est pas le vôtre, "
        "prévenez son auteur.\n")
    # An error of a published text still fails, and both are told apart.
    (content / "cas.md").write_text(CASES["an empty title"][0], encoding="utf-8")
    result = run_cli(tmp_path)
    assert result.returncode == 1
    assert " : 1 erreur et 1 erreur dans un brouillon.\n" in result.stdout


@pytest.mark.slow
def test_the_preview_builds_despite_a_drafts_error_and_says_draft_not_published(tmp_path: Path) -> None:
    content = make_site(tmp_path)
    (content / "karim.md").write_text(DRAFT_WITH_AN_ERROR, encoding="utf-8")
    result = run_build(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert DRAFT_ERROR in result.stderr
    page = (tmp_path / "output" / "brouillons" / "le-brouillon-de-karim" / "index.html").read_text(encoding="utf-8")
    assert "Brouillon, pas encore publié" in page and "Publié le" not in page
    published = (tmp_path / "output" / "reference" / "index.html").read_text(encoding="utf-8")
    assert "Publié le" in published


DRAFT_POLL = HEADER.replace("Un article", "Brouillon à sondage") + "Status: draft\n\n" + POLL.replace("budget", "futur")
DRAFT_POLL_SHOWN = ("content/cas.md:8 : Le sondage « futur » est défini dans un brouillon "
                    "(content/brouillon-sondage.md) : une page publiée ne peut pas le montrer. "
                    "Publiez d'abord ce brouillon, ou retirez ce bloc.")


@pytest.mark.parametrize("settings", ["pelicanconf.py", "publishconf.py"])
def test_a_published_page_cannot_show_the_poll_of_a_draft(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          settings: str) -> None:
    content = make_site(tmp_path)
    (content / "brouillon-sondage.md").write_text(DRAFT_POLL, encoding="utf-8")
    (content / "cas.md").write_text(HEADER + "\n```poll\nid: futur\n```\n", encoding="utf-8")
    assert problems_of(tmp_path, monkeypatch, settings) == [DRAFT_POLL_SHOWN]
    # Another draft may show it: both are published together, or not at all.
    (content / "cas.md").write_text(HEADER + "Status: draft\n\n```poll\nid: futur\n```\n", encoding="utf-8")
    assert problems_of(tmp_path, monkeypatch, settings) == []


@pytest.mark.slow
def test_publishing_stops_on_a_page_showing_the_poll_of_a_draft(tmp_path: Path) -> None:
    content = make_site(tmp_path)
    (content / "brouillon-sondage.md").write_text(DRAFT_POLL, encoding="utf-8")
    (content / "cas.md").write_text(HEADER + "\n```poll\nid: futur\n```\n", encoding="utf-8")
    built = run_build(tmp_path, "publishconf.py")
    assert built.returncode == 1
    assert DRAFT_POLL_SHOWN + "\n" in built.stderr
    assert "Traceback" not in built.stderr + built.stdout


# Several mistakes in two files, one run: every one is listed, errors and warnings together.
MANY = ("Titre: Mauvais début\nDate: 18/11/2026\nImage: images/absente.png\n\n"
        "Voir [ici]({filename}nulle-part.md).\n\n"
        "```poll\nid: budget\nquestion: Encore ?\noptions:\n  - Oui\n  - Non\n```\n\n"
        "```poll\nid: x\noptions:\n  - Oui\n  - Non\n```\n")


def test_the_command_lists_every_problem_at_once_and_fails(tmp_path: Path) -> None:
    content = make_site(tmp_path)
    (content / "plusieurs.md").write_text(MANY, encoding="utf-8")
    (content / "autre-cas.md").write_text(HEADER.replace("Summary: Un résumé.\n", "") + "Slug: reference\n\nTexte.\n",
                                          encoding="utf-8")
    result = run_cli(tmp_path)
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    starts = ["content/autre-cas.md:1 : avertissement : Il manque le résumé",
              "content/autre-cas.md:5 : L'adresse « reference/ » est déjà celle de content/reference.md",
              "content/plusieurs.md:1 : Il manque le titre.",
              "content/plusieurs.md:1 : avertissement : Champ inconnu « Titre: », le site l'ignore. "
              "Vouliez-vous écrire « Title: » ?",
              "content/plusieurs.md:5 : Le lien « {filename}nulle-part.md » mène à un article",
              "content/plusieurs.md:2 : La date « 18/11/2026 » n'est pas écrite comme le site "
              "l'attend. Écrivez-la « Date: 2026-11-18 » (année-mois-jour).",
              "content/plusieurs.md:3 : L'image « images/absente.png » n'existe pas",
              "content/plusieurs.md:3 : L'image n'a pas de description",
              "content/plusieurs.md:8 : Le sondage « budget » est déjà défini dans content/reference.md:9.",
              "content/plusieurs.md:16 : Le sondage n'a pas de question."]
    for start in starts:
        assert any(line.startswith(start) for line in lines), (start, result.stdout)
    assert lines[-2].startswith("Vérification du contenu (")
    assert lines[-2].endswith(" : 8 erreurs et 4 avertissements.")


def test_the_command_exits_zero_with_warnings_only(tmp_path: Path) -> None:
    content = make_site(tmp_path)
    (content / "cas.md").write_text(HEADER.replace("Summary: Un résumé.\n", "") + "\nTexte.\n", encoding="utf-8")
    result = run_cli(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("content/cas.md:1 : avertissement : Il manque le résumé")
    assert "Les avertissements n'empêchent pas la publication" in result.stdout


def test_the_command_says_when_all_is_well(tmp_path: Path) -> None:
    make_site(tmp_path)
    result = run_cli(tmp_path)
    assert (result.returncode, result.stdout) == (
        0, "Vérification du contenu (4 fichiers vérifiés) : Aucun problème trouvé.\n")
    assert result.stderr == ""


BUILD_CASES = ["a date written the French way", "an image without a description",
               "a link to an article that does not exist", "a poll id defined twice"]


@pytest.mark.slow
@pytest.mark.parametrize("case", BUILD_CASES)
def test_the_build_stops_with_the_same_message(tmp_path: Path, case: str) -> None:
    content = make_site(tmp_path)
    text, expected = CASES[case]
    (content / "cas.md").write_text(text, encoding="utf-8")
    result = run_build(tmp_path)
    assert result.returncode == 1
    assert f"content/cas.md:{expected[0]}\n" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not (tmp_path / "output" / "index.html").exists()


@pytest.mark.slow
def test_the_build_goes_on_with_warnings_and_prints_them(tmp_path: Path) -> None:
    content = make_site(tmp_path)
    (content / "cas.md").write_text(HEADER.replace("Summary: Un résumé.\n", "") + "\nTexte.\n", encoding="utf-8")
    result = run_build(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "content/cas.md:1 : avertissement : Il manque le résumé" in result.stderr
    assert (tmp_path / "output" / "un-article" / "index.html").exists()


@pytest.fixture
def checks_registered() -> Iterator[None]:
    """Let Pelican register the checks plugin in this process, and disconnect it afterwards.

    Signals are process-wide: left connected, the checks would run in the other tests' builds.
    """
    yield
    signals.get_generators.disconnect(checks.note_build)
    signals.generator_init.disconnect(checks.check_before_build)


@pytest.mark.usefixtures("checks_registered")
def test_only_a_build_runs_the_checks(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    content = make_site(tmp_path)
    (content / "cas.md").write_text(CASES["no title"][0], encoding="utf-8")
    settings = settings_of(tmp_path, PLUGINS=["checks"], PLUGIN_PATHS=[str(ROOT / "plugins")],
                           OUTPUT_PATH=str(tmp_path / "output"))
    pelican = Pelican(settings)
    # Asking for the generator classes (as Pelican's own tests do) is not a build...
    signals.get_generators.send(pelican)
    # ...nor is a generator made on its own (Pelican's tests make many).
    ArticlesGenerator(context=dict(settings), settings=dict(settings), path=settings["PATH"],
                      theme=settings["THEME"], output_path=settings["OUTPUT_PATH"])
    assert capsys.readouterr().err == ""
    with pytest.raises(ContentCheckFailed):
        pelican.run()
    assert "content/cas.md:1 : Il manque le titre." in capsys.readouterr().err
    assert not (tmp_path / "output").exists()


# What a build keeps between checks (make html, make devserver: FAST_REBUILD).

def settings_of(root: Path, settings: str = "pelicanconf.py", **extra: object) -> dict:
    saved = locale.setlocale(locale.LC_ALL)
    try:
        return read_settings(str(ROOT / settings), override={
            "PATH": str(root / "content"), "CACHE_PATH": str(root / "cache"), **extra})
    finally:
        locale.setlocale(locale.LC_ALL, saved)


def forget_this_process() -> None:
    documents._LOADED.clear()
    documents._MEMORY.clear()


def test_a_document_keeps_what_the_rules_need_not_its_text(tmp_path: Path) -> None:
    content = make_site(tmp_path)
    (content / "cas.md").write_text(CASES["example text left in a published article"][0], encoding="utf-8")
    doc = documents.load(content / "cas.md", "content/cas.md", "cas.md", "article")
    assert not hasattr(doc, "text") and not hasattr(doc, "lines")
    assert doc.placeholders and doc.fields["title"].value == "Un article"
    reference = documents.load(content / "reference.md", "content/reference.md", "reference.md", "article")
    assert [block.line for block in reference.poll_blocks] == [8]  # the ```poll line


def test_a_development_build_reads_again_only_the_files_that_changed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content = make_site(tmp_path)
    settings = settings_of(tmp_path, FAST_REBUILD=True)
    memory = memory_file(settings)
    assert memory == tmp_path / "cache" / MEMORY_FILE
    forget_this_process()
    assert check_site(CheckConfig.from_settings(settings), memory).problems == []
    assert memory.is_file()
    reads: list[str] = []
    original = documents._read
    monkeypatch.setattr(documents, "_read", lambda path, *rest: reads.append(Path(path).name) or original(path, *rest))
    forget_this_process()  # as a new `make html`
    (content / "autre.md").write_text(CASES["no date"][0], encoding="utf-8")
    result = check_site(CheckConfig.from_settings(settings), memory)
    assert reads == ["autre.md"]
    assert [str(p) for p in result.problems] == [f"content/autre.md:{CASES['no date'][1][0]}"]


def test_a_memory_written_by_another_version_of_the_checker_is_ignored(tmp_path: Path) -> None:
    make_site(tmp_path)
    settings = settings_of(tmp_path, FAST_REBUILD=True)
    memory = memory_file(settings)
    memory.parent.mkdir(parents=True)
    memory.write_bytes(b"not a pickle")
    forget_this_process()
    assert check_site(CheckConfig.from_settings(settings), memory).problems == []
    assert memory.read_bytes() != b"not a pickle"


def test_make_publish_and_make_check_keep_nothing(tmp_path: Path) -> None:
    make_site(tmp_path)
    assert memory_file(settings_of(tmp_path, "publishconf.py")) is None
    assert run_cli(tmp_path).returncode == 0
    assert not (tmp_path / "cache").exists()


def test_a_copied_article_is_told_about_its_poll_id_not_the_original(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    content = make_site(tmp_path)
    original = content / "zz-original.md"
    original.write_text(BASE["reference.md"].replace("Slug: reference", "Slug: original")
                        .replace("budget", "collecte"), encoding="utf-8")
    copy = content / "aa-copie.md"  # sorts first, same date: only the file's age tells
    copy.write_text(original.read_text(encoding="utf-8").replace("Slug: original", "Slug: copie"), encoding="utf-8")
    os.utime(original, ns=(1_700_000_000_000_000_000,) * 2)
    problems = problems_of(tmp_path, monkeypatch)
    assert problems == [
        "content/aa-copie.md:9 : Le sondage « collecte » est déjà défini dans content/zz-original.md:9. Si "
        "c'est un autre sondage, donnez-lui un autre identifiant (par exemple « id: collecte-2 ») ; pour "
        "afficher ici le même sondage, gardez seulement la ligne « id: collecte » dans ce bloc."]


@pytest.mark.parametrize("text", ["Texte.\n", "Un STYLE sobre.\n", "Un \u017ftyle ancien.\n", "Le stylo.\n",
                                  "onze = 11\n", "Bonjour ONCLICK =\n", "a < b\n", "<SCRIPT>x</script>\n"])
def test_the_quick_look_for_raw_html_answers_as_its_pattern(text: str) -> None:
    assert inline_code.may_hold(text) == bool(inline_code.MAY_HOLD.search(text))
