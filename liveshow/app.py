"""The app factory: settings, the show's runtime, the blueprints and the namespaces.

It lives here, not in ``liveshow/__init__.py``, so that ``import liveshow.cli`` stays light:
``liveshow serve`` must monkey-patch for eventlet or gevent before Flask is imported."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask

from . import settings
from .extensions import Runtime, socketio
from .media.library import MediaLibrary
from .realtime import guard
from .realtime.fanout import tell
from .realtime.guard import PacketJSON
from .realtime.rooms import IndexedManager
from .realtime.wire import PHONE_PING
from .scaleout import roles
from .show.demo import DEMO_SHOW, demo_media_ready, ensure_demo_media
from .show.engine import ShowEngine
from .show.showfile import load_file
from .store.database import Store
from .web import register_blueprints
from .web.auth import SESSION_HOURS


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app. ``config`` holds setting overrides (see liveshow.settings)."""
    values = settings.load(overrides=config)
    data = settings.data_dir(values)
    store = Store(data / "show.db")
    generated = settings.fill_secrets(values, store.meta_get, store.meta_set)
    rotated = store.meta_get("join_code_rotated")
    if rotated:  # the crew rotated the join code: old links stay dead
        values["join_code"] = rotated
    media = MediaLibrary(store, data / "media")
    engine = ShowEngine(store, media, min_go_interval=values["min_go_interval"])
    rt = Runtime(
        settings=values, store=store, media=media, engine=engine, data_dir=data, generated=generated
    )
    # Prompts close on their own as cues start (close_prompt, a poll's reveal, the show's end).
    engine.start_hooks.append(
        lambda cue, at: rt.prompts.on_cue_start(cue, at, last=cue.id == engine.cues[-1].id)
    )
    if not roles.phones_only(values):  # restoring is a write: only the show worker's
        load_initial_show(engine, values)

    app = Flask(__name__, static_folder="static", static_url_path="/static")
    app.config["SECRET_KEY"] = values["secret_key"] or _stored_secret(store)
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SECURE"] = values["https"]
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=SESSION_HOURS)
    app.config["MAX_CONTENT_LENGTH"] = 24 * 1024 * 1024  # the largest upload + form fields
    app.extensions["liveshow"] = rt

    register_blueprints(app)
    roles.namespaces(socketio, values)  # every namespace, or a phone worker's relay
    # cors_allowed_origins=None: only pages this server served may open a socket (a page
    # elsewhere in a crew browser must not ride its session cookie into /crew).
    socketio.init_app(
        app,
        async_mode=values["async_mode"],
        cors_allowed_origins=None,
        ping_interval=PHONE_PING[0],  # displays, cameras, the crew: wire.QUICK_PING
        ping_timeout=PHONE_PING[1],
        max_http_buffer_size=1_000_000,
        json=PacketJSON,
        **(roles.queue_options(values) or {"client_manager": IndexedManager()}),
    )
    guard.install(socketio.server, values["max_connections_per_address"])
    socketio.on_error_default(guard.failed_event)
    roles.install(app, values)
    engine.listeners.append(lambda event: tell(event, app))
    return app


def _stored_secret(store: Store) -> str:
    key = store.meta_get("secret_key")
    if key is None:
        key = secrets.token_hex(32)
        store.meta_set("secret_key", key)
    return key


def load_initial_show(engine: ShowEngine, values: Mapping[str, Any]) -> None:
    """``--show`` loads that file unless the same file is already loaded (then it resumes);
    without ``--show`` the stored show resumes, or the demo show is loaded."""
    show_path = values.get("show")
    restored = engine.restore()
    if show_path is None:
        if restored:
            return
        show_path = str(DEMO_SHOW)
        if not demo_media_ready():
            ensure_demo_media()
    path = Path(show_path).resolve()
    text = path.read_bytes() if path.is_file() else b""
    digest = hashlib.sha256(text).hexdigest()
    if restored and engine.stored_source() == (str(path), digest):
        return
    engine.load(load_file(path), str(path), digest)
