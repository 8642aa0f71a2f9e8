"""The poll itself, in plain Python: shared by the site's build and the poll service.

- ``model``: ``Poll``, ``PollOption``, ``PollReference``, ``PollSyntaxError``;
- ``validator``: the one validator (a block's fields or a manifest entry's), site-wide rules;
- ``blocks``: ```poll blocks in Markdown, lines split as Python-Markdown splits them;
- ``manifest``: output/polls.json, written by the build and read by ``sync-polls``;
- ``dates``: Europe/Paris dates; ``slugs``: the slug rule and ``slugify``;
- ``formatting``: numbers, percentages and dates through Babel, with the one locale map;
- ``markup``: the poll's shared Jinja2 macros (``templates/polls/_poll.html``).
- ``files``: files the build keeps between runs, replaced whole (plugins/checks, fast_build).

It imports neither Pelican, Flask nor a database; its messages are the writers' (French).
"""

from .blocks import PollBlock, find_poll_blocks, may_hold_polls, parse_block, parse_poll, split_lines
from .dates import PARIS, parse_datetime
from .manifest import ManifestError, poll_from_manifest, read_manifest, write_manifest
from .model import Poll, PollOption, PollReference, PollSyntaxError
from .slugs import SLUG_RE, slugify
from .validator import check_reference, check_shown_once, check_unique

__all__ = [
    "PARIS",
    "SLUG_RE",
    "ManifestError",
    "Poll",
    "PollBlock",
    "PollOption",
    "PollReference",
    "PollSyntaxError",
    "check_reference",
    "check_shown_once",
    "check_unique",
    "find_poll_blocks",
    "may_hold_polls",
    "parse_block",
    "parse_datetime",
    "parse_poll",
    "poll_from_manifest",
    "read_manifest",
    "slugify",
    "split_lines",
    "write_manifest",
]
