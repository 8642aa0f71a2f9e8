"""Development settings of the association's site (``make html``, ``make serve``).

Production overrides live in publishconf.py. Upper-case names are Pelican settings; the
``POLL_*`` ones are read by plugins/polls.
"""

AUTHOR = "L'équipe de Tisser"
SITENAME = "Tisser"
SITESUBTITLE = "Le carnet de la vie associative"
SITEDESCRIPTION = (
    "Tisser accompagne les associations de quartier : communication, bénévolat, "
    "financement et outils numériques libres."
)
# Empty in development: links are root-relative, so the site works on any host and port.
SITEURL = ""

PATH = "content"
THEME = "theme"
TIMEZONE = "Europe/Paris"
# Interface language of the theme (fr or en); dates and strings follow it through Babel.
DEFAULT_LANG = "fr"
LOCALE = ("C.UTF-8", "C")  # never depend on installed locales: dates go through Babel
# Lists (home, categories, tags, authors): 3 rows of 3 cards per page.
DEFAULT_PAGINATION = 9
DEFAULT_CATEGORY = "Vie associative"
SUMMARY_MAX_LENGTH = 40
TYPOGRIFY = False

PLUGIN_PATHS = ["plugins"]
# checks: the content checker (make check) also runs first in every build and stops it on errors.
# drafts: drafts only in the preview, never published (before checks, which reads headers with
# drafts.header: Pelican makes a plugin importable only once it is loaded).
# fast_build: rebuilds redo only what changed (FAST_REBUILD); before checks, so that its workers
# read the texts while checks reads them for its rules.
# table_align: aligned table columns as classes (the site's Content-Security-Policy refuses
# style attributes).
# images: WebP copies of the illustrations at several widths, for <picture> with srcset.
# search: Pagefind's index of the built pages (pagefind/), for the "Rechercher" page; only
# where SEARCH_INDEX is on (below). It waits for fast_build's pages (fast_build.pages_written).
PLUGINS = ["i18n", "polls", "feeds", "drafts", "fast_build", "checks", "images", "table_align", "search"]
# Widths of the WebP copies (plugins/images); each image also gets one at its own width.
IMAGE_WIDTHS = (360, 480, 640, 720, 960)

# The search index is made by `make publish` (publishconf.py) and `make serve`, not by every
# preview build: Pagefind reads the whole site again (about 8 s and 900 MiB at 5,000
# articles, more than the rest of the build), the way it is meant to run, after the build.
SEARCH_INDEX = False

STATIC_PATHS = ["images", "extra"]
EXTRA_PATH_METADATA = {"extra/favicon.svg": {"path": "favicon.svg"}}
ARTICLE_EXCLUDES = ["extra"]

# Readable addresses, in French, good for sharing.
ARTICLE_URL = "{slug}/"
ARTICLE_SAVE_AS = "{slug}/index.html"
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
CATEGORY_URL = "categorie/{slug}/"
CATEGORY_SAVE_AS = "categorie/{slug}/index.html"
CATEGORIES_URL = "categories/"
CATEGORIES_SAVE_AS = "categories/index.html"
TAG_URL = "etiquette/{slug}/"
TAG_SAVE_AS = "etiquette/{slug}/index.html"
TAGS_URL = "etiquettes/"
TAGS_SAVE_AS = "etiquettes/index.html"
AUTHOR_URL = "auteur/{slug}/"
AUTHOR_SAVE_AS = "auteur/{slug}/index.html"
AUTHORS_URL = "auteurs/"
AUTHORS_SAVE_AS = "auteurs/index.html"
ARCHIVES_URL = "archives/"
ARCHIVES_SAVE_AS = "archives/index.html"
DRAFT_URL = "brouillons/{slug}/"
DRAFT_SAVE_AS = "brouillons/{slug}/index.html"
DRAFT_PAGE_URL = "brouillons/pages/{slug}/"
DRAFT_PAGE_SAVE_AS = "brouillons/pages/{slug}/index.html"
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"),
)
DIRECT_TEMPLATES = ["index", "categories", "authors", "archives", "tags", "404", "sitemap", "robots",
                    "poll_frame", "search"]
SEARCH_URL = "rechercher/"
SEARCH_SAVE_AS = "rechercher/index.html"
SITEMAP_SAVE_AS = "sitemap.xml"
ROBOTS_SAVE_AS = "robots.txt"
# The page frame the poll service sets its results page in (header, menu, footer): where the
# service looks for it, poll_spec.frame.FRAME_FILE. Under /polls/, which nginx never serves.
POLL_FRAME_SAVE_AS = "polls/_frame.tmpl"
TEMPLATE_PAGES = {}
YEAR_ARCHIVE_SAVE_AS = ""
MONTH_ARCHIVE_SAVE_AS = ""
DAY_ARCHIVE_SAVE_AS = ""

# Feeds: written by plugins/feeds with feedgen, under its own settings. With SITEURL empty,
# their absolute URLs use the local placeholder fallback_siteurl (the address of make serve).
FEEDS = {
    "all_atom": "feeds/all.atom.xml",
    "all_rss": "feeds/all.rss.xml",
    "category_atom": "feeds/categorie-{slug}.atom.xml",
    "category_rss": "feeds/categorie-{slug}.rss.xml",
    "tag_atom": "feeds/etiquette-{slug}.atom.xml",
    "tag_rss": "feeds/etiquette-{slug}.rss.xml",
    "max_items": 20,
    "fallback_siteurl": "http://127.0.0.1:8000",
}
# Pelican's own feed writer is off (these have defaults in Pelican).
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None

# Polls: where the vote service answers. Empty means same origin (/api/... on this site).
POLL_API_URL = ""
# Pages and feeds show a poll closed (or not yet open) at the build's time as such. That time is
# taken once per build; POLL_BUILD_NOW = "2027-01-15T12:00:00+01:00" fixes it (tests).

# Menu: pages are listed by the theme; these are extra links.
DISPLAY_PAGES_ON_MENU = True
DISPLAY_CATEGORIES_ON_MENU = False
MENUITEMS = ()
SOCIAL_SHARE = ("mastodon", "facebook", "linkedin", "email", "copy")

# Drafts are visible while writing (make html/serve/devserver), never in publishconf.py:
# built at brouillons/<slug>/ and listed on the home page (plugins/drafts, theme's index.html).
SHOW_DRAFTS = True
WITH_FUTURE_DATES = True
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
# Uncompressed: Pelican rewrites its whole cache after each build, and compressing it took
# longer than the rest of a one-article rebuild's writing.
GZIP_CACHE = False
CONTENT_CACHING_LAYER = "reader"
CHECK_MODIFIED_METHOD = "mtime"
# Rebuilds render only the pages whose inputs changed since the previous build (plugins/fast_build,
# records kept in CACHE_PATH); `pelican --ignore-cache` renders everything. Off in publishconf.py.
FAST_REBUILD = True
# The code besides plugins/ whose change makes the caches of earlier builds useless.
FAST_REBUILD_PACKAGES = ["poll_spec"]

# Autoescape: every text (a title with ", < or &, a summary, a tag) is escaped wherever a
# template writes it, attributes included; HTML written by the build (content, summary) is
# marked |safe where it is shown.
JINJA_ENVIRONMENT = {"trim_blocks": True, "lstrip_blocks": True, "autoescape": True}
