"""The cue engine: continue modes, waits, list edges, double GO, restart. A fake clock drives it."""

from __future__ import annotations

from pathlib import Path

import pytest

from liveshow.media.library import MediaLibrary
from liveshow.show.cues import ContinueMode, CueState, ShowMode
from liveshow.show.engine import CueError, ShowEngine
from liveshow.show.showfile import parse
from liveshow.store.database import Store

SHOW = """\
title: Engine test
cues:
  - {id: one, kind: title, title: One}
  - {id: two, kind: title, title: Two, pre_wait: 2}
  - {id: three, kind: record, title: Three, text: "a story", duration: 5,
     continue: auto-follow, post_wait: 1, credits: [{name: Ana, role: writer}]}
  - {id: four, kind: title, title: Four, continue: auto-continue, post_wait: 3}
  - {id: five, kind: title, title: Five}
"""


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make_engine(folder: Path, clock: FakeClock, text: str = SHOW) -> ShowEngine:
    store = Store(folder / "show.db")
    engine = ShowEngine(
        store, MediaLibrary(store, folder / "media"), clock=clock, min_go_interval=1.0
    )
    if not engine.restore():
        engine.load(parse(text, base_dir=folder), None, None)
    return engine


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def engine(tmp_path: Path, clock: FakeClock) -> ShowEngine:
    return make_engine(tmp_path, clock)


def test_go_fires_the_standby_cue_and_moves_standby_on(engine: ShowEngine) -> None:
    assert engine.standby().id == "one"
    assert engine.go().id == "one"
    assert engine.state.current == "one"
    assert engine.standby().id == "two"
    assert engine.cue_state(engine.cues[0]) is CueState.RUNNING
    assert engine.cue_state(engine.cues[1]) is CueState.STANDBY


def test_pre_wait_delays_the_start_until_it_has_passed(
    engine: ShowEngine, clock: FakeClock
) -> None:
    engine.go()
    clock.now += 5
    engine.go()  # "two" has a 2 s pre-wait
    assert engine.state.current == "one" and engine.state.pending == "two"
    assert engine.cue_state(engine.cues[1]) is CueState.PRE_WAIT
    assert not engine.tick(clock.now + 1.9)
    assert engine.state.current == "one"
    assert engine.tick(clock.now + 2.0)
    assert engine.state.current == "two"
    assert engine.state.started_at == pytest.approx(clock.now + 2.0)


def test_auto_follow_fires_next_cue_after_duration_plus_post_wait(
    engine: ShowEngine, clock: FakeClock
) -> None:
    engine.goto("three")
    start = clock.now
    engine.tick(start + 5.9)
    assert engine.state.current == "three"
    engine.tick(start + 6.0)  # duration 5 + post_wait 1
    assert engine.state.current == "four"
    assert engine.state.started_at == pytest.approx(start + 6.0)


def test_auto_continue_fires_next_cue_post_wait_after_start(
    engine: ShowEngine, clock: FakeClock
) -> None:
    engine.goto("four")
    engine.tick(clock.now + 2.9)
    assert engine.state.current == "four"
    engine.tick(clock.now + 3.0)
    assert engine.state.current == "five"


def test_continue_none_waits_for_the_operator(engine: ShowEngine, clock: FakeClock) -> None:
    engine.goto("five")
    assert engine.cues[4].continue_mode is ContinueMode.NONE
    assert not engine.tick(clock.now + 3600)
    assert engine.state.current == "five"


def test_chained_continues_in_one_late_tick_keep_their_own_times(
    engine: ShowEngine, clock: FakeClock
) -> None:
    engine.goto("three")
    start = clock.now
    engine.tick(start + 100)  # the clock task was late: both follows are due
    assert engine.state.current == "five"
    assert engine.state.started_at == pytest.approx(start + 6 + 3)


def test_auto_continue_on_the_last_cue_stops_cleanly(tmp_path: Path, clock: FakeClock) -> None:
    engine = make_engine(
        tmp_path,
        clock,
        """\
title: t
cues:
  - {id: only, kind: title, title: Only, continue: auto-continue, post_wait: 1}
""",
    )
    engine.go()
    assert engine.tick(clock.now + 2)
    assert engine.state.current == "only" and engine.state.followed
    assert not engine.tick(clock.now + 3)


def test_go_past_the_end_of_the_list_is_refused(engine: ShowEngine) -> None:
    engine.goto("five")
    rev = engine.state.rev
    with pytest.raises(CueError, match="end of the cue list"):
        engine.go()
    assert engine.state.rev == rev


def test_back_at_the_first_cue_is_refused(engine: ShowEngine) -> None:
    with pytest.raises(CueError, match="first cue"):
        engine.back()
    engine.go()
    with pytest.raises(CueError, match="first cue"):
        engine.back()
    assert engine.state.current == "one"


def test_back_fires_the_previous_cue_without_its_pre_wait(
    engine: ShowEngine, clock: FakeClock
) -> None:
    engine.goto("three")
    clock.now += 2
    assert engine.back().id == "two"
    assert engine.state.current == "two" and engine.state.pending is None


def test_goto_unknown_or_malformed_cue_changes_nothing(engine: ShowEngine) -> None:
    engine.go()
    before = engine.state
    for bad in ("nope", None, 3, {"cue": "one"}):
        with pytest.raises(CueError):
            engine.goto(bad)
    assert engine.state == before


def test_double_go_in_show_mode_is_refused(engine: ShowEngine, clock: FakeClock) -> None:
    engine.set_mode("show")
    engine.go()
    clock.now += 0.3
    with pytest.raises(CueError, match="GO refused"):
        engine.go()
    assert engine.state.current == "one"
    clock.now += 0.8
    assert engine.go().id == "two"


def test_quick_gos_are_allowed_in_rehearsal(engine: ShowEngine, clock: FakeClock) -> None:
    engine.set_mode("rehearsal")
    engine.go()
    clock.now += 0.1
    engine.goto("five")
    assert engine.state.current == "five"


def test_auto_follow_is_not_limited_by_the_go_interval(
    engine: ShowEngine, clock: FakeClock
) -> None:
    engine.set_mode("show")
    engine.goto("three")
    engine.tick(clock.now + 6.0)
    assert engine.state.current == "four"
    clock.now += 6.5  # operator GO 0.5 s after the automatic one is fine
    assert engine.go().id == "five"


def test_panic_blacks_out_pauses_and_cancels_waits(engine: ShowEngine, clock: FakeClock) -> None:
    engine.goto("three")
    clock.now += 2
    engine.panic()
    st = engine.state
    assert st.blackout and st.paused and st.paused_position == pytest.approx(2)
    assert not engine.tick(clock.now + 100)  # the auto-follow does not fire while stopped
    assert engine.state.current == "three"
    engine.set_blackout(False)
    engine.resume()
    assert engine.position() == pytest.approx(2)


def test_pre_wait_pending_is_cancelled_by_panic(engine: ShowEngine, clock: FakeClock) -> None:
    engine.go()
    engine.go()
    assert engine.state.pending == "two"
    engine.panic()
    assert not engine.tick(clock.now + 10)
    assert engine.state.current == "one"


def test_go_clears_blackout_but_a_blackout_cue_keeps_it(engine: ShowEngine) -> None:
    engine.set_blackout(True)
    engine.go()
    assert not engine.state.blackout


def test_bad_mode_and_blackout_values_change_nothing(engine: ShowEngine) -> None:
    before = engine.state
    with pytest.raises(CueError, match="mode must be one of"):
        engine.set_mode("party")
    with pytest.raises(CueError):
        engine.set_blackout("yes")
    assert engine.state == before


def test_every_change_is_logged_with_a_rising_rev(engine: ShowEngine) -> None:
    start = engine.state.rev
    engine.go()
    engine.set_blackout(True)
    engine.set_mode("show")
    events = engine.store.events_since(start)
    assert [e["rev"] for e in events] == [start + 1, start + 2, start + 3]
    assert [e["kind"] for e in events] == ["go", "blackout", "mode"]


def test_state_survives_a_restart_at_the_same_cue_paused(tmp_path: Path, clock: FakeClock) -> None:
    engine = make_engine(tmp_path, clock)
    engine.set_mode("show")
    engine.goto("three")
    clock.now += 3
    engine.heartbeat()
    rev = engine.state.rev
    engine.store.close()

    clock.now += 60  # the server was down for a minute
    again = make_engine(tmp_path, clock)
    st = again.state
    assert st.current == "three" and st.paused
    assert st.paused_position == pytest.approx(3)
    assert st.mode is ShowMode.SHOW
    assert st.rev == rev + 1  # the restore is itself an event
    assert not again.tick(clock.now + 100)  # paused: nothing auto-fires
    again.resume()
    assert again.position() == pytest.approx(3)


def test_credits_roll_lists_only_what_actually_screened(engine: ShowEngine) -> None:
    from liveshow.state import credits_roll

    engine.goto("three")
    engine.goto("three")
    roll = credits_roll(engine)
    assert roll == [
        {"cue": "three", "title": "Three", "credits": [{"name": "Ana", "role": "writer"}]}
    ]
