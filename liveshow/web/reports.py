"""The show report on the dashboard, after the show: ``GET /crew/report/`` (crew only).

Each visit writes the report afresh into ``<data>/report`` by running ``liveshow report`` in
its own process: matplotlib is never imported into the show server, and seconds of plotting
hold neither the GIL nor the event loop (eventlet and gevent patch ``subprocess``, so waiting
for it yields; under threading each request has its own thread). The page is the same file
``liveshow report`` writes; its images and CSV files are served beside it.
"""

from __future__ import annotations

import re
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, send_from_directory

from ..extensions import runtime
from .auth import crew_required

bp = Blueprint("reports", __name__)
FILE = re.compile(r"^[a-z]+\.(png|csv)$")
TIMEOUT = 120.0
_building = threading.Lock()  # one report at a time: two visits would write one folder


def folder() -> Path:
    return Path(runtime().data_dir) / "report"


def build(data_dir: Path, out: Path) -> str | None:
    """Run ``liveshow report``; None when it worked, else what it said."""
    command = [sys.executable, "-m", "liveshow", "report", "--data", str(data_dir)]
    try:
        done = subprocess.run(
            [*command, "--out", str(out)], capture_output=True, text=True, timeout=TIMEOUT
        )
    except subprocess.TimeoutExpired:
        return f"the report took longer than {TIMEOUT:.0f} s"
    return None if done.returncode == 0 else (done.stderr.strip() or "the report failed")


@bp.get("/crew/report/")
@crew_required
def report_page() -> Any:
    with _building:
        problem = build(Path(runtime().data_dir), folder())
    if problem:
        return {"error": f"could not write the report: {problem}"}, 500
    return send_from_directory(folder(), "index.html", max_age=0)


@bp.get("/crew/report/<name>")
@crew_required
def report_file(name: str) -> Any:
    if not FILE.match(name):
        abort(404)
    return send_from_directory(folder(), name, max_age=0)
