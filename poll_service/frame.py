"""The page the results page is set in: the site's frame, written by the build, filled here.

The site's build writes its header, menu, footer and stylesheets around two slots into a frame
file (``poll_spec.frame``: its name and slots). The service keeps no copy of the theme: it reads
that file, from POLL_FRAME_FILE (production) or POLL_SITE_DIR's ``polls/_frame.tmpl``
(development), and puts each page's title and content in the slots. The file is read once and
read again only when it changes (another size, time or inode: a new release); a results GET
costs one ``stat``. Without the file, or with one that lost its slots, the page is set in a
plain frame: a minimal French HTML5 page with a link home and to the privacy page, styled by
the service's own /polls/resultats.css. The site's Content-Security-Policy comes with every
page (site_policy.py).
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app
from markupsafe import Markup, escape

from poll_spec.frame import CONTENT_SLOT, FRAME_FILE, TITLE_SLOT

logger = logging.getLogger(__name__)

PLAIN_FRAME_FILE = Path(__file__).resolve().parent / "templates" / "plain_frame.html"


@dataclass(frozen=True)
class Frame:
    """A page cut at its two slots: head, title slot, middle, content slot, tail."""

    head: str
    middle: str
    tail: str

    def fill(self, title: str, content: str) -> str:
        """Return the page with ``title`` (escaped) and ``content`` (HTML) in the slots."""
        return f"{self.head}{escape(title)}{self.middle}{Markup(content)}{self.tail}"


def cut(text: str) -> Frame | None:
    """Cut a frame's text at its slots; None when one is missing or out of order."""
    head, found, rest = text.partition(TITLE_SLOT)
    if not found:
        return None
    middle, found, tail = rest.partition(CONTENT_SLOT)
    if not found:
        return None
    return Frame(head, middle, tail)


def plain_frame() -> Frame:
    """Return the service's own plain frame."""
    frame = cut(PLAIN_FRAME_FILE.read_text(encoding="utf-8"))
    assert frame is not None, "plain_frame.html must hold both slots"
    return frame


class FrameSource:
    """The frame file of the built site, read again only when it changes."""

    def __init__(self, path: str | None):
        self.path = path
        self.plain = plain_frame()
        self._lock = threading.Lock()
        self._seen: tuple[int, int, int] | None = None
        self._frame = self.plain

    def get(self) -> Frame:
        """Return the current frame: the site's when its file is readable and whole, else the plain one."""
        if not self.path:
            return self.plain
        try:
            info = os.stat(self.path)
        except OSError:
            if self._seen is not None:
                logger.warning("Page frame %s is gone: results pages use the plain frame", self.path)
            self._seen, self._frame = None, self.plain
            return self.plain
        key = (info.st_ino, info.st_size, info.st_mtime_ns)
        if key != self._seen:
            with self._lock:
                if key != self._seen:
                    self._frame = self._read(key)
                    self._seen = key
        return self._frame

    def _read(self, key: tuple[int, int, int]) -> Frame:
        try:
            text = Path(self.path or "").read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            logger.warning("Page frame %s unreadable (%s): plain frame", self.path, type(error).__name__)
            return self.plain
        frame = cut(text)
        if frame is None:
            logger.warning("Page frame %s has no title or content slot: plain frame", self.path)
            return self.plain
        return frame


def frame_path(settings: dict) -> str | None:
    """Return where the frame file is: POLL_FRAME_FILE, or the one in POLL_SITE_DIR, or None."""
    if settings.get("POLL_FRAME_FILE"):
        return str(settings["POLL_FRAME_FILE"])
    if settings.get("POLL_SITE_DIR"):
        return os.path.join(settings["POLL_SITE_DIR"], FRAME_FILE)
    return None


def init_app(app: Flask) -> None:
    """Give the app its frame source."""
    app.extensions["poll_frame"] = FrameSource(frame_path(app.config))


def page(title: str, content: str) -> str:
    """Set a page's ``title`` (text) and ``content`` (HTML) in the current frame."""
    return current_app.extensions["poll_frame"].get().fill(title, content)
