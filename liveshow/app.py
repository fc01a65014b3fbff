"""liveshow: the live half of a collaborative art community's theatre shows."""
from __future__ import annotations

import hashlib
import logging
from collections import defaultdict, deque
import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

from flask import Flask, current_app
from flask_socketio import SocketIO

from . import joining, settings, snapshot, workers
from .demo import DEMO_SHOW, demo_media_ready, ensure_demo_media
from .displays import DisplayRegistry
from .audience import Audience
from .cameras import CameraRegistry
from .cues import Cue, CueKind
from .media import MediaLibrary
from .prompts import Prompts
from .ratelimit import AUDIENCE_LIMITS, RateLimiter
from .show import ShowEngine
from .store import Store
from .submissions import Submissions
from .takes import Takes
from .uploads import Uploads

REPO_ROOT = Path(__file__).resolve().parent.parent
log = logging.getLogger("liveshow")

socketio = SocketIO()


@dataclass
class Runtime:
    """Everything one running show needs, reachable as ``current_app.extensions['liveshow']``."""
    settings: dict[str, Any]
    store: Store
    media: MediaLibrary
    engine: ShowEngine
    data_dir: Path
    displays: DisplayRegistry = field(default_factory=DisplayRegistry)
    login_tokens: set[str] = field(default_factory=set)
    login_failures: defaultdict[str, deque[float]] = field(
        default_factory=lambda: defaultdict(deque))
    generated: list[str] = field(default_factory=list)
    cameras: CameraRegistry = field(default_factory=CameraRegistry)
    takes: Takes = field(init=False)
    uploads: Uploads = field(init=False)
    audience: Audience = field(init=False)
    prompts: Prompts = field(init=False)
    submissions: Submissions = field(init=False)
    limiter: RateLimiter = field(default_factory=lambda: RateLimiter(AUDIENCE_LIMITS))
    pending_refresh: set[str] = field(default_factory=set)
    upload_slots: threading.Semaphore = field(init=False)
    offload: Callable[..., Any] = field(init=False)

    def __post_init__(self) -> None:
        clock = self.engine.clock
        self.offload = workers.offload(self.settings["async_mode"])
        self.upload_slots = threading.Semaphore(self.settings["upload_workers"])
        self.audience = Audience(self.store, clock)
        self.prompts = Prompts(self.store, clock)
        self.submissions = Submissions(self.store, self.media, self.prompts, clock)
        self.takes = Takes(self.store, self.media, clock)
        self.uploads = Uploads(self.store, self.media, self.data_dir / "uploads")

        def on_start(cue: Cue, at: float) -> None:
            if cue.kind is CueKind.PROMPT:
                self.prompts.open(cue, at)
            elif cue.kind is CueKind.REPLAY:
                self.takes.log_replay(cue)
            elif cue.kind is CueKind.CAMERA and cue.camera:
                from .realtime.camera import key_for_cue
                key_for_cue(self, cue.camera, cue.keyed)
        self.engine.start_hooks.append(on_start)

    def public_state(self) -> dict[str, Any]:
        return snapshot.public_state(self.engine, self.join_url(), self.submissions,
                                     self.takes)

    def crew_state(self) -> dict[str, Any]:
        return snapshot.crew_state(self.engine, self.displays.listing(), self.join_url(),
                                   self.submissions, self.takes)

    def preflight(self) -> list[dict[str, Any]]:
        from .preflight import preflight
        cameras = {c.name for c in self.cameras.connected()}
        return [p.to_json() for p in preflight(self.engine, self.displays.names(), cameras)]

    def join_url(self) -> str:
        return joining.join_url(self.settings)

    def rotate_join_code(self) -> str:
        code = settings.new_join_code()
        self.store.meta_set("join_code_rotated", code)
        self.settings["join_code"] = code
        self.engine.record("join-code-rotated", {}, "crew")
        return code

    def new_login_token(self) -> str:
        token = secrets.token_urlsafe(24)
        self.login_tokens.add(token)
        return token


def runtime() -> Runtime:
    return current_app.extensions["liveshow"]  # type: ignore[no-any-return]


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app. ``config`` holds setting overrides (see liveshow.settings)."""
    values = settings.load(overrides=config)
    data = settings.data_dir(values)
    store = Store(data / "show.db")
    generated = settings.fill_secrets(values, store.meta_get, store.meta_set)
    rotated = store.meta_get("join_code_rotated")
    if rotated:                 # the crew rotated the join code: old links stay dead
        values["join_code"] = rotated
    media = MediaLibrary(store, data / "media")
    engine = ShowEngine(store, media, min_go_interval=values["min_go_interval"])
    rt = Runtime(settings=values, store=store, media=media, engine=engine, data_dir=data,
                 generated=generated)
    load_initial_show(engine, values)

    app = Flask(__name__, static_folder="static", static_url_path="/static")
    app.config["SECRET_KEY"] = values["secret_key"] or _stored_secret(store)
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["MAX_CONTENT_LENGTH"] = 24 * 1024 * 1024   # the largest upload + form fields
    app.extensions["liveshow"] = rt

    from .api import bp as api_bp
    from .camera_api import bp as camera_bp
    from .crew_auth import bp as auth_bp
    from .pages import bp as pages_bp
    app.register_blueprint(auth_bp)
    app.register_blueprint(pages_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(camera_bp)

    from .realtime import broadcaster, register_namespaces
    register_namespaces(socketio)
    # cors_allowed_origins=None: only pages this server served may open a socket (a page
    # elsewhere in a crew browser must not ride its session cookie into /crew).
    socketio.init_app(app, async_mode=values["async_mode"], cors_allowed_origins=None,
                      ping_interval=5, ping_timeout=5, max_http_buffer_size=1_000_000)
    engine.listeners.append(broadcaster(app))
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
    from .showfile import load_file
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
