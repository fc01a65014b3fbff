"""Crew login: password form, one-time login URLs, and the check every crew surface uses."""

from __future__ import annotations

import hmac
import time
from collections import deque
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, Response, redirect, render_template, request, session, url_for

from ..extensions import runtime

bp = Blueprint("crew_auth", __name__)
F = TypeVar("F", bound=Callable[..., Any])

LOGIN_ATTEMPTS = 10  # wrong passwords allowed per address ...
LOGIN_WINDOW = 60.0  # ... in this many seconds


def password_ok(given: Any) -> bool:
    expected = runtime().settings["crew_password"]
    return isinstance(given, str) and hmac.compare_digest(given.encode(), expected.encode())


def is_crew() -> bool:
    return session.get("crew") is True


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
    Wrong guesses count per address, for both ways in (10 a minute, then refused)."""
    if given is None:  # no guess (e.g. a dashboard whose session expired)
        return "crew login required"
    if _throttled(address):
        return "too many wrong passwords: wait a minute and try again"
    if password_ok(given):
        return None
    _failures(address).append(time.monotonic())
    return "crew login required"


def _failures(address: str) -> deque[float]:
    return runtime().login_failures[address]


def _throttled(address: str) -> bool:
    now = time.monotonic()
    recent = _failures(address)
    while recent and now - recent[0] > LOGIN_WINDOW:
        recent.popleft()
    return len(recent) >= LOGIN_ATTEMPTS


@bp.get("/crew/login")
def login() -> Any:
    token = request.args.get("token")
    if token is not None:
        tokens = runtime().login_tokens
        if token in tokens:
            tokens.discard(token)  # one-time: a photographed URL is useless afterwards
            session.clear()
            session["crew"] = True
            session.permanent = True
            return redirect(url_for("pages.crew"))
        return render_template(
            "login.html",
            error="That login link was already used or is "
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
    session.clear()
    session["crew"] = True
    session.permanent = True
    return redirect(url_for("pages.crew"))


@bp.post("/crew/logout")
def logout() -> Response:
    session.clear()
    return redirect(url_for("crew_auth.login"))  # type: ignore[return-value]
