"""Production settings (``make publish``, into public/): absolute addresses, feeds, no drafts."""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: E402,F403

SITEURL = os.environ.get("SITEURL", "https://tisser.example.org")
RELATIVE_URLS = False
# The vote service sits on the same origin behind nginx (see docs/deploy.md).
POLL_API_URL = os.environ.get("POLL_API_URL", "")
# A complete, clean build every time: empty output folder, every text read, every page
# rendered by Pelican's own writer; nothing read from or written to the cache folder.
DELETE_OUTPUT_DIRECTORY = True
LOAD_CONTENT_CACHE = False
CACHE_CONTENT = False
FAST_REBUILD = False
IMAGE_CACHE_PATH = ""  # WebP copies made again (plugins/images)
# Drafts are left out entirely: no page, no feed entry, no sitemap line, no poll (plugins/drafts).
SHOW_DRAFTS = False
# The "Rechercher" page's index (plugins/search), of the published texts only.
SEARCH_INDEX = True
