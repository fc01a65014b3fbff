"""The three web apps' pages and their static files: crew dashboard, projector, phone."""

from __future__ import annotations

import hmac
from typing import Any

from flask import (
    Blueprint,
    abort,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)

from ..audience import joining
from ..extensions import runtime
from ..show.cues import ID_PATTERN, ContinueMode, CueKind, PromptKind, RecordType
from . import assets
from .auth import crew_required

bp = Blueprint("pages", __name__)
STAGE_DISPLAY = assets.app_folder("stage_display")
AUDIENCE_CLIENT = assets.app_folder("audience_client")
SOCKET_IO_CLIENT = assets.socket_io_client()


@bp.get("/")
def index() -> Any:
    return render_template("index.html")


@bp.get("/crew")
@crew_required
def crew() -> Any:
    # The editor's choices come from the enums, so a new cue or prompt kind needs no template edit.
    return render_template(
        "crew.html",
        cue_kinds=[k.value for k in CueKind],
        record_types=[t.value for t in RecordType],
        prompt_kinds=[k.value for k in PromptKind],
        continue_modes=[m.value for m in ContinueMode],
    )


@bp.get("/display/<name>")
def display(name: str) -> Any:
    if not ID_PATTERN.match(name):
        return render_template(
            "message.html",
            title="Bad display name",
            message="A display name is letters, digits, - and _.",
        ), 400
    key = request.args.get("key", "")
    if not hmac.compare_digest(key.encode(), runtime().settings["display_key"].encode()):
        return render_template(
            "message.html",
            title="Wrong display key",
            message="Open the display URL printed when the server started (it carries ?key=…).",
        ), 403
    return send_from_directory(STAGE_DISPLAY, "index.html", max_age=0)


@bp.get("/join")
def join_typed() -> Any:
    """The code typed on the landing page: spaces and capitals forgiven (codes are lower case)."""
    code = "".join(request.args.get("code", "").split()).lower()
    if not code:
        return redirect(url_for("pages.index"))
    return redirect(url_for("pages.join", code=code))


# Set by the phone app once it has joined (its audience token, for the link it came in on
# only): after the crew rotates the code, a phone that reloads its old link still gets the
# app (and then connects with its token), while a newcomer on that link is told it expired.
JOINED_COOKIE = "liveshow_joined"


@bp.get("/join/<code>")
def join(code: str) -> Any:
    rt = runtime()
    if not hmac.compare_digest(code.encode(), rt.settings["join_code"].encode()):
        known = rt.audience.by_token(request.cookies.get(JOINED_COOKIE))
        if known is not None and not known["banned"]:
            return send_from_directory(AUDIENCE_CLIENT, "index.html", max_age=0)
        if joining.was_join_code(rt.store, code):
            title, message = "This join link has expired", "Scan the QR code on the screen again."
        else:  # most likely a typo: an old link's advice (scan again) would not help
            title = f"No show has the code “{code[:32]}”"
            message = "Check the code on the screen and type it again, or scan the QR code."
        return render_template("message.html", title=title, message=message), 404
    return send_from_directory(AUDIENCE_CLIENT, "index.html", max_age=0)


@bp.get("/display-app/<path:filename>")
def display_asset(filename: str) -> Any:
    return send_from_directory(STAGE_DISPLAY, filename, max_age=0)


@bp.get("/phone-app/<path:filename>")
def phone_asset(filename: str) -> Any:
    return send_from_directory(AUDIENCE_CLIENT, filename, max_age=0)


@bp.get("/vendor/socket.io.min.js")
def socket_io_client() -> Any:
    if not (SOCKET_IO_CLIENT / "socket.io.min.js").is_file():
        abort(500, "socket.io-client is not installed: run `npm ci` in the repository")
    return send_from_directory(SOCKET_IO_CLIENT, "socket.io.min.js", max_age=3600)
