"""Crew login: password form, one-time login URLs, and the check every crew surface uses."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections import deque
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_socketio import disconnect
from itsdangerous import BadSignature, URLSafeSerializer

from ..extensions import runtime, socketio

bp = Blueprint("crew_auth", __name__)
F = TypeVar("F", bound=Callable[..., Any])

LOGIN_ATTEMPTS = 10  # wrong passwords allowed per address ...
LOGIN_WINDOW = 60.0  # ... in this many seconds


def password_ok(given: Any) -> bool:
    expected = runtime().settings["crew_password"]
    return isinstance(given, str) and hmac.compare_digest(given.encode(), expected.encode())


def is_crew() -> bool:
    """A crew session the server still holds (not logged out, not expired), made with
    the current crew password."""
    if session.get("crew") is not True:
        return False
    ident, made_with = session.get("crew_id"), session.get("crew_pw")
    if not isinstance(ident, str) or made_with != _password_fingerprint():
        return False
    expires = _sessions().get(_key(ident))
    return expires is not None and expires > time.time()


# ---- server-side crew sessions ----------------------------------------------------------
# The cookie holds a random id; the server keeps (a hash of) each live id with its expiry in
# the data directory, so logout, "log out everywhere" and a new crew password revoke
# sessions, and a restarted show keeps its crew logged in. A /crew socket opened on a
# session joins that session's room (Socket.IO's own map from a room to its sids, emptied
# as sockets go), so ending the session disconnects its sockets at once: the cookie was
# only checked when the socket connected, and an open socket could otherwise still GO.

SESSION_HOURS = 16.0  # a show day
SESSIONS_KEY = "crew_sessions"


def _key(ident: str) -> str:
    return hashlib.sha256(ident.encode()).hexdigest()


def _password_fingerprint() -> str:
    rt = runtime()
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, rt.settings["crew_password"].encode(), "sha256").hexdigest()[:32]


def _sessions() -> dict[str, float]:
    raw = runtime().store.meta_get(SESSIONS_KEY)
    try:
        held = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return held if isinstance(held, dict) else {}


def _keep(held: dict[str, float]) -> None:
    now = time.time()
    live = {k: v for k, v in held.items() if isinstance(v, (int, float)) and v > now}
    runtime().store.meta_set(SESSIONS_KEY, json.dumps(live))


def start_crew_session() -> None:
    """Log this browser in: a new session id, kept server-side until it expires."""
    ident = secrets.token_urlsafe(24)
    session.clear()
    session["crew"] = True
    session["crew_id"] = ident
    session["crew_pw"] = _password_fingerprint()
    session.permanent = True
    held = _sessions()
    held[_key(ident)] = time.time() + SESSION_HOURS * 3600
    _keep(held)


def end_crew_sessions(everywhere: bool = False) -> int:
    """Log this browser out (and, ``everywhere``, every crew session), and disconnect the
    /crew sockets opened on it (``everywhere``: every /crew socket, those that logged in
    with the password too). Returns how many sockets were disconnected."""
    ident = session.get("crew_id")
    held = {} if everywhere else _sessions()
    if isinstance(ident, str):
        held.pop(_key(ident), None)
    _keep(held)
    session.clear()
    if everywhere:
        return disconnect_crew_sockets(None)
    return disconnect_crew_sockets(session_room(ident)) if isinstance(ident, str) else 0


CREW_NAMESPACE = "/crew"


def session_room(ident: str) -> str:
    """The /crew room of the sockets opened on crew session ``ident`` (named by its hash,
    like the store: the id itself is the credential)."""
    return f"crew-session:{_key(ident)}"


def crew_session_room() -> str | None:
    """The room of this request's crew session, if it is one the server still holds."""
    ident = session.get("crew_id")
    return session_room(ident) if isinstance(ident, str) and is_crew() else None


def disconnect_crew_sockets(room: str | None) -> int:
    """Disconnects every /crew socket in ``room`` (None: every /crew socket)."""
    server = socketio.server
    if server is None:
        return 0
    sids = [sid for sid, _ in server.manager.get_participants(CREW_NAMESPACE, room)]
    for sid in sids:
        disconnect(sid, namespace=CREW_NAMESPACE)
    return len(sids)


def crew_required(view: F) -> F:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not is_crew():
            if request.path.startswith("/api/"):
                return {"error": "crew login required"}, 401
            return redirect(url_for("crew_auth.login"))
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def password_attempt(given: Any, address: str) -> str | None:
    """Check a password from the login form or a socket: None when right, else why not.

    Wrong guesses are counted, for both ways in, against the browser when it has logged
    in here before (its signed ``BROWSER_COOKIE``), else against its address (10 a
    minute) and against every unknown browser together (GLOBAL_ATTEMPTS a minute, so
    many addresses cannot guess in parallel). Over either, the attempt is refused even
    with the right password; a known crew browser keeps its own allowance, so a room
    guessing from the crew's own NAT address cannot lock the crew out (nor can anyone
    stop the one-time login links)."""
    if given is None:  # no guess (e.g. a dashboard whose session expired)
        return "crew login required"
    browser = known_browser()
    keys = [f"browser:{browser}"] if browser else [f"address:{address}", "unknown-browsers"]
    if any(_throttled(key) for key in keys):
        return "too many wrong passwords: wait a minute and try again"
    if password_ok(given):
        return None
    for key in keys:
        _failures(key).append(time.monotonic())
    return "crew login required"


BROWSER_COOKIE = "liveshow_crew_browser"
GLOBAL_ATTEMPTS = 30  # wrong passwords a minute from all unknown browsers together


def _browser_signer() -> URLSafeSerializer:
    return URLSafeSerializer(str(current_app.config["SECRET_KEY"]), salt="crew-browser")


def known_browser() -> str | None:
    """The id of this browser if it logged in to this server before (signed cookie)."""
    raw = request.cookies.get(BROWSER_COOKIE)
    if not raw:
        return None
    try:
        value = _browser_signer().loads(raw)
    except BadSignature:
        return None
    return value if isinstance(value, str) else None


def remember_browser(response: Response) -> Response:
    """After a login: this browser is known from now on (for the login throttle)."""
    ident = known_browser() or secrets.token_urlsafe(16)
    response.set_cookie(
        BROWSER_COOKIE,
        _browser_signer().dumps(ident),
        max_age=365 * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=bool(runtime().settings["https"]),
    )
    return response


def _failures(key: str) -> deque[float]:
    return runtime().login_failures[key]


def _throttled(key: str) -> bool:
    now = time.monotonic()
    recent = _failures(key)
    while recent and now - recent[0] > LOGIN_WINDOW:
        recent.popleft()
    limit = GLOBAL_ATTEMPTS if key == "unknown-browsers" else LOGIN_ATTEMPTS
    return len(recent) >= limit


@bp.get("/crew/login")
def login() -> Any:
    token = request.args.get("token")
    if token is not None:
        rt = runtime()
        issued = rt.login_tokens.pop(token, None)  # one-time: a photographed URL is useless
        if issued is not None and time.time() - issued <= rt.settings["login_link_seconds"]:
            start_crew_session()
            return remember_browser(redirect(url_for("pages.crew")))  # type: ignore[arg-type]
        return render_template(
            "login.html",
            error="That login link was already used, has expired or is "
            "not valid. Log in with the crew password.",
        ), 403
    return render_template("login.html", error=None)


@bp.post("/crew/login")
def login_post() -> Any:
    refused = password_attempt(request.form.get("password"), request.remote_addr or "?")
    if refused is not None and refused.startswith("too many"):
        return render_template(
            "login.html", error="Too many wrong passwords: wait a minute and try again."
        ), 429
    if refused is not None:
        return render_template("login.html", error="Wrong password."), 401
    start_crew_session()
    return remember_browser(redirect(url_for("pages.crew")))  # type: ignore[arg-type]


@bp.post("/crew/logout")
def logout() -> Any:
    """Ends this session; with form field ``everywhere=1``, every crew session. Only a
    live crew session may end the others: the route needs no login (any browser may end
    its own session), and a phone on the venue Wi-Fi must not drop the crew mid-show."""
    everywhere = request.form.get("everywhere") == "1"
    if everywhere and not is_crew():
        return render_template(
            "login.html", error="Log in first: only the crew can log out everywhere."
        ), 403
    end_crew_sessions(everywhere=everywhere)
    return redirect(url_for("crew_auth.login"))


UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@bp.before_app_request
def same_site_forms_only() -> Any:
    """A crew route that changes something answers only pages of this server: a page on
    another site cannot log the crew out (or in as someone else). Browsers send Origin (or
    Sec-Fetch-Site) with every such POST; tools that send neither are not browsers."""
    if request.method not in UNSAFE or not request.path.startswith("/crew"):
        return None
    if request.headers.get("Sec-Fetch-Site") == "cross-site" or not _same_origin(
        request.headers.get("Origin")
    ):
        return {"error": "this form must be sent from this server's own page"}, 403
    return None


def _same_origin(origin: str | None) -> bool:
    if origin is None:
        return True
    host = urlsplit(origin).netloc
    public = runtime().settings.get("public_url")
    return host == request.host or (bool(public) and host == urlsplit(str(public)).netloc)


@bp.after_app_request
def https_headers(response: Response) -> Response:
    """Behind TLS (setting ``https``), browsers are told to use nothing else."""
    if runtime().settings["https"]:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response
