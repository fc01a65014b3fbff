"""The night's book on the dashboard: ``GET /crew/book/`` (crew only) builds it and shows its
pages as thumbnails, with the PDF and the imposed PDF (for folding) to download.

Each build runs ``liveshow book`` in its own process, as the show report does: WeasyPrint
(Pango, fonts) is never imported into the show server, and the seconds of typesetting hold no
lock the event loop needs (the wait is off the loop, ``rt.offload``). Thumbnails come from
Debian's ``pdftoppm`` (poppler-utils).
"""

from __future__ import annotations

import re
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, render_template, request, send_from_directory

from ..extensions import runtime
from .auth import crew_required

bp = Blueprint("book", __name__)
ORDERS = ("written", "prompt", "featured")
FILE = re.compile(r"^(book\.pdf|page-\d{1,4}\.png)$")
TIMEOUT = 120.0
THUMBNAIL_DPI = 40
_building = threading.Lock()  # one build at a time: two would write one folder


def folder() -> Path:
    return Path(runtime().data_dir) / "book"


def run(command: list[str]) -> str | None:
    """None when ``command`` worked, else what went wrong."""
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return f"it took longer than {TIMEOUT:.0f} s"
    except OSError as exc:
        return str(exc)
    return None if done.returncode == 0 else (done.stderr.strip() or "it failed")


def build(data_dir: Path, out: Path, extra: list[str], imposed: bool) -> str | None:
    """``liveshow book`` into ``out``, then (for the plain book) its thumbnails."""
    name = "book-imposed.pdf" if imposed else "book.pdf"
    command = [sys.executable, "-m", "liveshow", "book", "--data", str(data_dir)]
    problem = run([*command, "--out", str(out / name), *extra, *(["--imposed"] if imposed else [])])
    if problem or imposed:
        return problem
    for old in out.glob("page-*.png"):
        old.unlink()
    return run(["pdftoppm", "-r", str(THUMBNAIL_DPI), "-png", str(out / name), str(out / "page")])


def choices() -> tuple[list[str], dict[str, Any]]:
    """The command-line options the crew chose in the form, and the form's values."""
    order = request.args.get("order", "written")
    if order not in ORDERS:
        abort(400)
    stills = request.args.get("stills") == "1"
    venue = request.args.get("venue", "")[:200]
    extra = ["--order", order, "--venue", venue] + (["--stills"] if stills else [])
    catalogue = runtime().settings.get("catalogue_url")
    claims = request.args.get("claims") == "1" and bool(catalogue)
    if claims:
        extra += ["--claims", "--catalogue-url", str(catalogue)]
    chosen = {"order": order, "stills": stills, "venue": venue, "claims": claims}
    return extra, {**chosen, "catalogue": bool(catalogue)}


def page_number(path: Path) -> int:
    return int(path.stem.split("-")[1])


@bp.get("/crew/book/")
@crew_required
def book_page() -> Any:
    extra, chosen = choices()
    rt = runtime()
    with _building:
        problem = rt.offload(build, Path(rt.data_dir), folder(), extra, False)
    if problem:
        return {"error": f"could not make the book: {problem}"}, 500
    pages = sorted(folder().glob("page-*.png"), key=page_number)
    return render_template(
        "book.html",
        pages=[p.name for p in pages],
        orders=ORDERS,
        query=request.query_string.decode(),
        **chosen,
    )


@bp.get("/crew/book/book-imposed.pdf")
@crew_required
def imposed() -> Any:
    extra, _ = choices()
    rt = runtime()
    with _building:
        problem = rt.offload(build, Path(rt.data_dir), folder(), extra, True)
    if problem:
        return {"error": f"could not make the imposed book: {problem}"}, 500
    return send_from_directory(folder(), "book-imposed.pdf", max_age=0)


@bp.get("/crew/book/<name>")
@crew_required
def book_file(name: str) -> Any:
    if not FILE.match(name):
        abort(404)
    return send_from_directory(folder(), name, max_age=0)
