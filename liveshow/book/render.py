"""Setting the book with WeasyPrint (HTML + CSS paged media; Pango and HarfBuzz shape every
script, right-to-left included), and reading back what it could not set.

Imported only by ``liveshow book`` when it runs (``liveshow.book.cli``), never by the show
server: WeasyPrint and its fonts stay out of ``liveshow serve``.
"""

from __future__ import annotations

import logging
import os
import re
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from weasyprint import HTML
from weasyprint.urls import URLFetcher

from .imposition import impose
from .layout import Options, book_html, media_root
from .night import Night, read_night

NOTDEF = re.compile(r'unsupported by fonts: "(.*)" \((U\+[0-9A-F]+)\)', re.S)


class MediaOnly(URLFetcher):  # type: ignore[misc]
    """Fetches the night's media files and nothing else: no network, no other file."""

    def __init__(self, root: Path) -> None:
        super().__init__(allowed_protocols=("file",))
        self.root = root

    def fetch(self, url: str, headers: Any = None) -> Any:
        if not url.startswith("file://"):
            raise ValueError(f"the book fetches only the night's media, not {url}")
        path = Path(url[len("file://") :]).resolve()
        if path.parent != self.root:
            raise ValueError(f"the book fetches only the night's media, not {url}")
        return super().fetch(url, headers)


class GlyphReport(logging.Handler):
    """Collects WeasyPrint's warnings that a character had no glyph in any font (it draws
    .notdef there: the empty box a reader would see)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.missing: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        found = NOTDEF.search(record.getMessage())
        if found:
            self.missing.append(f"{found.group(1)} ({found.group(2)})")


@dataclass
class Made:
    pdf: Path
    pages: int
    seconds: float
    stories: int
    pictures: int
    contributors: list[str]
    missing_glyphs: list[str] = field(default_factory=list)
    imposed_from: int = 0  # pages of the book before imposition (0: not imposed)


def render_html(document: str, root: Path) -> tuple[bytes, int, list[str]]:
    """``document`` as PDF bytes, its page count and the characters it had no glyph for."""
    report = GlyphReport()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(report)
    try:
        rendered = HTML(string=document, base_url=root.as_uri() + "/", url_fetcher=MediaOnly(root))
        pdf = rendered.render()
        data = pdf.write_pdf()
    finally:
        logger.removeHandler(report)
    return data, len(pdf.pages), sorted(set(report.missing))


def write_atomically(out: Path, data: bytes) -> None:
    """A crash never leaves half a book under the final name."""
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    with partial.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, out)


def renamed(night: Night, names: dict[str, str]) -> Night:
    """The night with each claimed handle replaced by the name it is credited under now."""
    night.stories = [replace(s, handle=names.get(s.handle, s.handle)) for s in night.stories]
    night.pictures = [replace(p, handle=names.get(p.handle, p.handle)) for p in night.pictures]
    return night


def build_book(
    data: Path,
    out: Path,
    options: Options,
    imposed: bool = False,
    names: dict[str, str] | None = None,
) -> Made:
    """The night's book from the data directory ``data``, as the PDF ``out``. Contributors
    are credited by their handles as typed, or by ``names`` (handle as typed -> the name
    claimed on the catalogue since, see ``claims``)."""
    started = time.perf_counter()
    night: Night = renamed(read_night(data), names or {})
    credited = night.contributors(options.stills)
    pdf, pages, missing = render_html(book_html(night, options, credited), media_root(data))
    made = Made(out, pages, 0.0, len(night.stories), len(night.pictures), credited, missing)
    if imposed:
        made.imposed_from = pages
        pdf, made.pages = impose(pdf)
    write_atomically(out, pdf)
    made.seconds = time.perf_counter() - started
    return made
