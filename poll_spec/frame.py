"""The page frame of the results page: where the build writes it and the slots it leaves.

The site's build renders the theme's ``poll_frame.html`` (header, menu, footer, stylesheets,
language) into ``FRAME_FILE`` of its output, with ``TITLE_SLOT`` in the page title and
``CONTENT_SLOT`` in ``<main>``; the poll service reads that file and fills both slots at request
time. This module is the whole contract between them: the service never imports the build, and
the build never imports the service.
"""

from __future__ import annotations

# Under /polls/, which nginx hands to the service: never sent to a visitor as it is. Not an
# .html file, so no HTML indexer, validator or search index of the output folder takes it for a page.
FRAME_FILE = "polls/_frame.tmpl"
# HTML comments: the frame stays a well-formed page, and no text of a page can look like them
# (the service escapes what it puts in the title, and only fills the first of each).
TITLE_SLOT = "<!--poll-frame:title-->"
CONTENT_SLOT = "<!--poll-frame:content-->"
# Keyed "main", not "content": plugins/fast_build reads ".content" in a template as a text's HTML.
SLOTS = {"title": TITLE_SLOT, "main": CONTENT_SLOT}
