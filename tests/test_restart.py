"""A server that crashes or is restarted comes back where the show was: the same cue, paused
at the position its last heartbeat wrote down; a show file changed in between is reloaded."""

from __future__ import annotations

import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.crew import Crew
from tests.helpers.server import ServerProcess
from tests.helpers.waiting import wait_until


def test_a_restarted_server_comes_back_at_the_same_cue_paused(
    server_factory: Callable[..., ServerProcess],
    crew_of: Callable[..., Crew],
    demo_show: Path,
    tmp_path: Path,
) -> None:
    data = tmp_path / "restart-data"
    first = server_factory(demo_show, data=data)
    desk = crew_of(first)
    desk.command("mode", {"mode": "show"})
    desk.goto("night-market")

    def written_position() -> float:
        """How far into the cue the server has written down (its own clock, on disk)."""
        (row,) = first.rows("select * from show_state")
        assert row["current_cue"] == "night-market" and not row["paused"], dict(row)
        return float(row["heartbeat_at"] - row["cue_started_at"])

    # A heartbeat at least a second into the cue, however long the machine takes to write it.
    wait_until(lambda: written_position() >= 1.0, 20, "a heartbeat a second into the cue")
    first.stop(signal.SIGKILL)  # a crash, not a clean stop
    at_crash = written_position()
    second = server_factory(demo_show, data=data)
    state = second.state()
    assert state["cue"]["id"] == "night-market"
    assert state["paused"] is True and state["mode"] == "show"
    assert state["position"] == pytest.approx(at_crash, abs=0.001)


def test_the_show_file_is_reloaded_when_it_changed_between_runs(
    server_factory: Any, tmp_path: Path
) -> None:
    show = tmp_path / "show.yaml"
    show.write_text("title: One\ncues:\n  - {id: a, kind: title, title: A}\n")
    data = tmp_path / "reload-data"
    first = server_factory(show, data=data)
    assert first.state()["show"]["title"] == "One"
    first.stop()
    show.write_text("title: Two\ncues:\n  - {id: b, kind: title, title: B}\n")
    second = server_factory(show, data=data)
    assert second.state()["show"]["title"] == "Two"
