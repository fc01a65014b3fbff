"""The objects every view and namespace shares: the Socket.IO server and the show's Runtime.

A leaf: it imports the domain packages and no view, so ``web/`` and ``realtime/`` import it
without a cycle (the factory in ``app.py`` imports them all). Views reach the runtime through
:func:`runtime`, as Flask-SocketIO's own helpers reach it through ``current_app.extensions``.
"""

from __future__ import annotations

import secrets
import shutil
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import current_app
from flask_socketio import SocketIO

from . import settings, state, workers
from .audience import joining, profanity
from .audience.devices import Audience
from .audience.limits import AUDIENCE_LIMITS, RateLimiter
from .audience.prompts import Prompts
from .audience.submissions import Submissions
from .events import Actor, EventKind, ShowChanged
from .filming.cameras import CameraRegistry
from .filming.take_uploads import Uploads
from .filming.takes import Takes
from .media.library import MediaLibrary
from .show.cues import Cue, CueKind
from .show.displays import DisplayRegistry
from .show.engine import ShowEngine
from .show.preflight import MB, disk_problems, preflight
from .store import outbox
from .store.database import Store
from .store.outbox import OutboxKind
from .store.writer import Writer
from .sync.service import SyncService

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
    login_tokens: dict[str, float] = field(default_factory=dict)  # token -> issued at
    login_failures: defaultdict[str, deque[float]] = field(
        default_factory=lambda: defaultdict(deque)
    )
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
    sync: SyncService = field(init=False)

    def __post_init__(self) -> None:
        clock = self.engine.clock
        record = self.engine.record
        self.offload = workers.offload(self.settings["async_mode"])
        self.upload_slots = threading.Semaphore(self.settings["upload_workers"])
        commits = Writer(self.store.path)  # joins, answers, votes, uploads: off the loop
        self.audience = Audience(self.store, clock, commits)
        self.prompts = Prompts(self.store, clock, record)
        if self.settings["flag_text"]:
            profanity.load()  # about a second, at start-up: never mid-show
        score_text = profanity.score if self.settings["flag_text"] else profanity.no_score
        self.submissions = Submissions(
            self.store, self.media, self.prompts, clock, record, commits, score_text
        )
        self.takes = Takes(self.store, self.media, clock, record)
        self.uploads = Uploads(self.store, self.media, self.data_dir / "uploads")
        # the outbox's sender; realtime/sync.py gives it a green sleep and runs it
        self.sync = SyncService(self.store, self.media.root, self.settings, clock=clock)

        def on_start(cue: Cue, at: float) -> None:
            """Runs inside the transaction that starts ``cue``."""
            if cue.kind is CueKind.PROMPT:
                self.prompts.open(cue, at)
            elif cue.kind is CueKind.REPLAY:
                self.takes.log_replay(cue)
            if cue.kind is CueKind.REPLAY or cue.catalogue_record is not None:
                # the play log of what screened goes back to the catalogue
                played = self.store.db.execute(
                    "select max(id) from play_log where cue_id = ?", [cue.id]
                ).fetchone()[0]
                if played is not None:
                    outbox.enqueue(self.store.db, OutboxKind.SCREENING, str(played), at)

        self.engine.start_hooks.append(on_start)

    def public_state(self) -> dict[str, Any]:
        public = state.public_state(self.engine, self.join_url(), self.submissions, self.takes)
        public["claim_base"] = self.claim_base()
        return public

    def claim_base(self) -> str | None:
        """Where a phone's claim link points (``<catalogue>/claim/``), or None without one."""
        url = self.settings.get("catalogue_public_url") or self.settings.get("catalogue_url")
        return f"{str(url).rstrip('/')}/claim/" if url else None

    def crew_state(self, public: dict[str, Any] | None = None) -> dict[str, Any]:
        return state.crew_state(
            self.engine,
            self.displays.listing(),
            public or self.public_state(),
            self.submissions,
            self.sync.status(),
            self.disk(),
        )

    def disk(self) -> dict[str, int] | None:
        """The data folder's free space and the min_free_mb floor, in bytes (None: unknown)."""
        try:
            free = shutil.disk_usage(self.data_dir).free
        except OSError:
            return None
        return {"free": free, "floor": self.settings["min_free_mb"] * MB}

    def preflight(self) -> list[dict[str, Any]]:
        cameras = {c.name for c in self.cameras.connected()}
        found = preflight(self.engine, self.displays.names(), cameras)
        found += disk_problems(self.data_dir, self.settings["min_free_mb"])
        return [p.to_json() for p in found]

    def join_url(self) -> str:
        return joining.join_url(self.settings)

    def rotate_join_code(self) -> str:
        code = settings.new_join_code()
        joining.retire(self.store, self.settings["join_code"])
        self.store.meta_set("join_code_rotated", code)
        self.settings["join_code"] = code
        self.engine.record(ShowChanged(EventKind.JOIN_CODE_ROTATED, {}, Actor.CREW.value))
        return code

    def new_login_token(self) -> str:
        token = secrets.token_urlsafe(24)
        self.login_tokens[token] = time.time()
        return token


def runtime() -> Runtime:
    return current_app.extensions["liveshow"]  # type: ignore[no-any-return]
