"""The cue engine: the playhead, GO/back/go-to, waits and continue modes, and the event log.

The engine owns the show state. Every change is written to SQLite as an event with a rising
``rev`` (in the same transaction as the new state) before anyone is told about it. Time comes
from an injected clock, so tests walk through waits without sleeping; a background task
calls :meth:`ShowEngine.tick` to fire due pre-waits, auto-continues and auto-follows."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from ..events import Actor, CueStarted, EventKind, ShowChanged
from ..media.library import MediaLibrary
from ..store.database import Store
from . import loading, stopping
from .cue_groups import all_cues, group_length
from .cue_numbers import numbered
from .cues import ContinueMode, Cue, CueKind, CueState, ShowMode
from .finite import finite_in
from .load_to_time import start_offset
from .playhead import Playhead, save_playhead
from .showfile import Show


class CueError(Exception):
    """An operator action that cannot be done; the message is shown to the crew."""


Listener = Callable[[ShowChanged], None]


class ShowEngine:
    def __init__(
        self,
        store: Store,
        media: MediaLibrary,
        clock: Callable[[], float] = time.time,
        min_go_interval: float = 1.0,
    ) -> None:
        self.store = store
        self.media = media
        self.clock = clock
        self.default_min_go_interval = min_go_interval
        self.show = Show(title="(no show loaded)", cues=[])
        self.media_of: dict[str, str] = {}  # cue id -> media sha256
        self.pulled: dict[str, loading.PulledRecord] = {}  # cue id -> its catalogue record
        self.state = Playhead()
        self.played: set[str] = set()
        self.listeners: list[Listener] = []
        # Run inside the transaction that starts a cue (e.g. a prompt cue opens its prompt).
        self.start_hooks: list[Callable[[Cue, float], None]] = []
        self.lock = threading.RLock()
        self.source_path: str | None = None

    # ---- reading --------------------------------------------------------------------------
    @property
    def cues(self) -> list[Cue]:
        return self.show.cues

    @property
    def min_go_interval(self) -> float:
        if self.show.min_go_interval is not None:
            return self.show.min_go_interval
        return self.default_min_go_interval

    def index_of(self, cue_id: str | None) -> int | None:
        for i, cue in enumerate(self.cues):
            if cue.id == cue_id:
                return i
        return None

    def cue(self, cue_id: str | None) -> Cue | None:
        i = self.index_of(cue_id)
        return None if i is None else self.cues[i]

    def standby(self) -> Cue | None:
        """The cue the next GO fires: the one after the pending or current cue."""
        anchor = self.state.pending or self.state.current
        if anchor is None:
            return self.cues[0] if self.cues else None
        i = self.index_of(anchor)
        if i is None or i + 1 >= len(self.cues):
            return None
        return self.cues[i + 1]

    def duration(self, cue: Cue, infos: Mapping[str, dict[str, Any]] | None = None) -> float | None:
        """The cue's length: its own, its group's longest, or its media's. ``infos``: the
        media rows already read (MediaLibrary.infos), so a whole cue list asks once."""
        if cue.duration is not None:
            return cue.duration
        if cue.children:
            return group_length(self.duration(c, infos) for c in cue.children)
        sha = self.media_of.get(cue.id)
        info = self.media.info(sha) if infos is None else infos.get(sha or "")
        return info["duration"] if info else None

    def position(self, now: float | None = None) -> float | None:
        st = self.state
        if st.current is None or st.started_at is None:
            return None
        if st.paused:
            return st.paused_position
        return max(0.0, (self.clock() if now is None else now) - st.started_at)

    def follow_due(self) -> float | None:
        """When the current cue's continue mode fires the next cue, if it will."""
        st = self.state
        cue = self.cue(st.current)
        if cue is None or st.paused or st.followed or st.started_at is None or st.pending:
            return None
        if cue.id in stopping.stopped_on_stage(cue, st.stopped):
            return None  # as QLab: a cue the crew stopped (every cue of a group) follows nothing
        if cue.continue_mode is ContinueMode.AUTO_CONTINUE:
            return st.started_at + cue.post_wait
        if cue.continue_mode is ContinueMode.AUTO_FOLLOW:
            length = self.duration(cue)
            return None if length is None else st.started_at + length + cue.post_wait
        return None

    def cue_state(self, cue: Cue) -> CueState:
        """One cue's state (a walk over the list: for many, :meth:`cue_states`)."""
        return self.cue_states()[cue.id]

    def cue_states(self) -> dict[str, CueState]:
        """Every cue's state by id, a group's cues too, in one pass over the list."""
        standby = self.standby()
        standby_id = standby.id if standby is not None else None
        states: dict[str, CueState] = {}
        for cue in self.cues:
            states[cue.id] = own = self._state_of(cue, standby_id)
            for inner in cue.children:  # running, paused, stopped with its group
                states[inner.id] = stopping.inner_state(own, inner.id in self.state.stopped)
        return states

    def _state_of(self, cue: Cue, standby_id: str | None) -> CueState:
        """The state of a cue of the list itself (not one inside a group)."""
        st = self.state
        if cue.id == st.current and cue.id in stopping.stopped_on_stage(cue, st.stopped):
            return CueState.STOPPED
        if cue.id == st.current:
            return CueState.PAUSED if st.paused else CueState.RUNNING
        if cue.id == st.pending:
            return CueState.PRE_WAIT
        if cue.id == standby_id:
            return CueState.STANDBY
        return CueState.DONE if cue.id in self.played else CueState.IDLE

    # ---- operator actions -----------------------------------------------------------------
    def go(self, actor: str = Actor.CREW.value) -> Cue:
        with self.lock:
            now = self.clock()
            self._check_go_interval(now)
            cue = self.standby()
            if cue is None:
                raise CueError("end of the cue list: there is no cue to GO")
            self._fire(cue, now, EventKind.GO, actor, use_pre_wait=True)
            return cue

    def back(self, actor: str = "crew") -> Cue:
        with self.lock:
            now = self.clock()
            anchor = self.state.pending or self.state.current
            i = self.index_of(anchor)
            if i is None or i == 0:
                raise CueError("already at the first cue: there is no cue to go back to")
            self._check_go_interval(now)
            cue = self.cues[i - 1]
            self._fire(cue, now, EventKind.BACK, actor, use_pre_wait=False)
            return cue

    def goto(self, cue_id: Any, actor: str = "crew", at: Any = None) -> Cue:
        """Start a cue named by its id or its number, now; ``at`` starts it that many
        seconds in (load to time)."""
        with self.lock:
            if not isinstance(cue_id, str):
                raise CueError('goto needs {"cue": "<cue id>"}')
            is_id = stopping.find(self.cues, cue_id) is not None  # an id wins, a group's cues' too
            if not is_id and (named := numbered(self.cues, cue_id)) is not None:
                cue_id = named.id
            cue = self.cue(cue_id) or stopping.group_of(self.cues, cue_id)  # lands on a group
            if cue is None:
                raise CueError(f"no cue with id {cue_id!r}")
            try:
                offset = 0.0 if at is None else start_offset(at, self.duration(cue), cue.id)
            except ValueError as exc:
                raise CueError(str(exc)) from None
            now = self.clock()
            self._check_go_interval(now)
            self._fire(cue, now, EventKind.GOTO, actor, use_pre_wait=False, offset=offset)
            return cue

    def stop_cue(self, cue_id: Any, actor: str = "crew") -> list[str]:
        """Stop one cue on stage (a group's sound, its picture, or the whole cue) where it is;
        the playhead stays. Returns every cue stopped in this showing."""
        with self.lock:
            st = self.state
            try:
                stopped = stopping.plan_stop(self.cues, self.cue(st.current), st.stopped, cue_id)
            except stopping.StopError as exc:
                raise CueError(str(exc)) from None
            new, now, db = stopped[len(st.stopped) :], self.clock(), self.store.db
            event = ShowChanged(EventKind.STOP_CUE, {"cue": cue_id, "stopped": list(new)}, actor)
            ended = lambda: stopping.log_stop(db, new, now)  # noqa: E731
            self._commit(replace(st, stopped=stopped), event, ended)
            return list(stopped)

    def set_blackout(self, on: Any, actor: str = "crew") -> None:
        if not isinstance(on, bool):
            raise CueError('blackout needs {"on": true|false}')
        with self.lock:
            was = self.state.blackout  # phones on a wall hear of it again when light returns
            changed = ShowChanged(EventKind.BLACKOUT, {"on": on, "was": was}, actor)
            self._commit(replace(self.state, blackout=on), changed)

    def set_volume(self, level: Any, actor: str = "crew") -> None:
        """The master volume every display plays at (a cue's level is on top of it)."""
        if not finite_in(level, 0, 1):
            raise CueError(f'volume needs {{"level": a number from 0 to 1}}, got {level!r}')
        with self.lock:
            new = replace(self.state, volume=float(level))
            self._commit(new, ShowChanged(EventKind.VOLUME, {"level": float(level)}, actor))

    def panic(self, actor: str = "crew") -> None:
        """Fade to black, stop the running cue where it is, cancel every wait."""
        with self.lock:
            now = self.clock()
            st = self.state
            position = self.position(now) or 0.0
            new = replace(
                st,
                blackout=True,
                pending=None,
                pending_at=None,
                paused=st.current is not None,
                paused_position=position,
            )
            self._commit(
                new, ShowChanged(EventKind.PANIC, {"cue": st.current, "position": position}, actor)
            )

    def pause(self, actor: str = "crew") -> None:
        with self.lock:
            st = self.state
            if st.current is None:
                raise CueError("nothing is running to pause")
            if st.paused:
                raise CueError("already paused")
            position = self.position() or 0.0
            self._commit(
                replace(st, paused=True, paused_position=position),
                ShowChanged(EventKind.PAUSE, {"cue": st.current, "position": position}, actor),
            )

    def resume(self, actor: str = "crew") -> None:
        with self.lock:
            st = self.state
            if st.current is None or not st.paused:
                raise CueError("nothing is paused")
            now = self.clock()
            new = replace(st, paused=False, started_at=now - st.paused_position)
            self._commit(
                new,
                ShowChanged(
                    EventKind.RESUME, {"cue": st.current, "position": st.paused_position}, actor
                ),
            )

    def set_mode(self, mode: Any, actor: str = "crew") -> None:
        try:
            new_mode = ShowMode(mode)
        except ValueError:
            raise CueError(
                f"mode must be one of {', '.join(m.value for m in ShowMode)}, got {mode!r}"
            ) from None
        with self.lock:
            self._commit(
                replace(self.state, mode=new_mode),
                ShowChanged(EventKind.MODE, {"mode": new_mode.value}, actor),
            )

    # ---- time -----------------------------------------------------------------------------
    def tick(self, now: float | None = None) -> bool:
        """Fire whatever is due by ``now``. Returns True when anything changed."""
        changed = False
        with self.lock:
            now = self.clock() if now is None else now
            for _ in range(len(self.cues) + 2):  # a chain of zero-length cues is finite
                st = self.state
                if st.pending and st.pending_at is not None and st.pending_at <= now:
                    cue = self.cue(st.pending)
                    if cue is not None:
                        self._start(cue, st.pending_at, EventKind.START, "clock", st)
                    changed = True
                    continue
                due = self.follow_due()
                if due is not None and due <= now:
                    nxt = self.standby()
                    if nxt is None:
                        self._commit(
                            replace(st, followed=True),
                            ShowChanged(EventKind.FOLLOW_END, {"cue": st.current}, "clock"),
                        )
                    else:
                        self._fire(
                            nxt,
                            due,
                            EventKind.FOLLOW,
                            "clock",
                            use_pre_wait=True,
                            base=replace(st, followed=True),
                        )
                    changed = True
                    continue
                break
        return changed

    def heartbeat(self) -> None:
        """Record that the clock is still running (to resume at the right place on restart)."""
        with self.store.write() as db:
            db.table("show_state").update(1, {"heartbeat_at": self.clock()})

    # ---- internals ------------------------------------------------------------------------
    def _check_go_interval(self, now: float) -> None:
        st = self.state
        if st.mode is ShowMode.SHOW and st.last_go_at is not None:
            since = now - st.last_go_at
            if since < self.min_go_interval:
                raise CueError(
                    f"GO refused: {since:.1f} s since the last GO; show mode "
                    f"needs {self.min_go_interval:.1f} s between GOs"
                )

    def _fire(
        self,
        cue: Cue,
        at: float,
        kind: EventKind,
        actor: str,
        use_pre_wait: bool,
        base: Playhead | None = None,
        offset: float = 0.0,
    ) -> None:
        st = replace(
            base or self.state,
            last_go_at=at if actor != "clock" else (base or self.state).last_go_at,
        )
        if use_pre_wait and cue.pre_wait > 0:
            new = replace(st, pending=cue.id, pending_at=at + cue.pre_wait)
            self._commit(
                new, ShowChanged(kind, {"cue": cue.id, "starts_at": at + cue.pre_wait}, actor)
            )
        else:
            self._start(cue, at, kind, actor, st, offset)

    def _start(
        self, cue: Cue, at: float, kind: EventKind, actor: str, base: Playhead, offset: float = 0.0
    ) -> None:
        """``offset``: the cue starts that far in (load to time); its play log says ``at``."""
        new = replace(
            base,
            current=cue.id,
            started_at=at - offset,
            paused=False,
            paused_position=0.0,
            blackout=False if cue.kind is not CueKind.BLACKOUT else base.blackout,
            pending=None,
            pending_at=None,
            followed=False,
            stopped=(),
        )

        def log() -> None:
            shown = [self.screened(c) for c in all_cues([cue])]
            stopping.log_play(self.store.db, cue, shown, self.media_of, at)
            self.played.update(c.id for c in shown if cue.kind is not CueKind.BLACKOUT)
            for started in all_cues([cue]):  # a group's cues start with it
                for hook in self.start_hooks:
                    hook(started, at)

        started = CueStarted(
            kind,
            {"cue": cue.id, "started_at": at - offset, **({"at": offset} if offset else {})},
            actor,
            cue=cue.id,
            cue_kind=cue.kind.value,
            camera=cue.camera,
            keyed=cue.keyed,
        )
        self._commit(new, started, log=log)

    def _commit(
        self, new: Playhead, event: ShowChanged, log: Callable[[], None] | None = None
    ) -> None:
        """Write the event and the new state in one transaction, then tell the listeners; what
        ``log`` changed in memory is put back if the write fails (memory = the database)."""
        new = replace(new, rev=self.state.rev + 1)
        kept = self.show, self.show.cues, dict(self.media_of), dict(self.pulled), self.source_path
        played = set(self.played)
        try:
            with self.store.write():
                self.store.append_event(
                    new.rev, event.kind.value, event.data, event.actor, self.clock()
                )
                save_playhead(self.store, new, self.clock())
                if log is not None:
                    log()
        except BaseException:
            self.show, self.show.cues, self.media_of, self.pulled, self.source_path = kept
            self.played = played
            raise
        self.state = new
        self.notify(event)

    def record(self, event: ShowChanged, change: Callable[[], None] | None = None) -> None:
        """Log an event that is not a playhead change (moderation...) and tell everyone.
        ``change`` runs inside the event's transaction."""
        with self.lock:
            self._commit(self.state, event, log=change)

    def notify(self, event: ShowChanged) -> None:
        for listener in list(self.listeners):
            listener(event)

    # ---- loading and restoring ------------------------------------------------------------
    def load(
        self, show: Show, source_path: str | None, source_sha: str | None, actor: str = "server"
    ) -> None:
        """Replace the cue list with ``show``: copy its media in, reset the playhead."""
        media_of = loading.ingest_media(show, self.media)

        def write() -> None:
            loading.write_show(self.store, show, source_path, source_sha, self.clock())
            self.show, self.media_of, self.source_path = show, media_of, source_path
            self.save_cues()
            self.played = set()

        with self.lock:
            new = Playhead(rev=self.state.rev, mode=self.state.mode, volume=self.state.volume)
            loaded = {"title": show.title, "cues": len(show.cues), "source": source_path}
            self._commit(new, ShowChanged(EventKind.SHOW_LOADED, loaded, actor), log=write)

    def save_cues(self) -> None:
        self.resolve_records()
        loading.write_cues(self.store, self.cues, self.media_of)

    def resolve_records(self) -> None:
        """Point the cues that name a catalogue record at its pulled copy (no network)."""
        media_of, self.pulled = loading.resolve(list(all_cues(self.cues)), self.store, self.media)
        for cue in all_cues(self.cues):
            if cue.catalogue_record is not None:
                self.media_of.pop(cue.id, None)
        self.media_of.update(media_of)

    def screened(self, cue: Cue) -> Cue:
        """The cue as displays and the play log see it (a catalogue record's credits...)."""
        return loading.screened(cue, self.pulled.get(cue.id))

    def stored_source(self) -> tuple[str | None, str | None]:
        return loading.stored_source(self.store)

    def restore(self) -> bool:
        """Bring back the stored show; a cue that was running comes back paused in place."""
        stored = loading.read_show(self.store)
        if stored is None:
            return False
        self.show, self.media_of = stored.show, stored.media_of
        self.source_path, self.played = stored.source_path, stored.played
        self.resolve_records()
        row = stored.state
        if row is None:
            return True
        current = row["current_cue"] if self.index_of(row["current_cue"]) is not None else None
        position = row["paused_position"] or 0.0
        if current and not row["paused"] and row["cue_started_at"] is not None:
            position = max(
                0.0, (row["heartbeat_at"] or row["cue_started_at"]) - row["cue_started_at"]
            )
        self.state = Playhead(
            rev=row["rev"],
            mode=ShowMode(row["mode"]),
            current=current,
            started_at=row["cue_started_at"] if current else None,
            paused=current is not None,
            paused_position=position,
            blackout=bool(row["blackout"]),
            volume=row.get("volume", 1.0),
            stopped=tuple(json.loads(row.get("stopped_cues") or "[]")) if current else (),
            last_go_at=None,
        )
        with self.lock:
            self._commit(
                self.state,
                ShowChanged(EventKind.RESTORED, {"cue": current, "position": position}, "server"),
            )
        return True
