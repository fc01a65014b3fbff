"""The full-house load generator (benchmarks/loadgen) against a real server: its light phones
connect, hear a GO, and it reports a GO nobody could see as received by nobody."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
import loadgen.session  # noqa: E402
from loadgen.clients import Clients  # noqa: E402
from loadgen.session import Session, start_target  # noqa: E402
from loadgen.targets import Target  # noqa: E402

PHONES = 20


@pytest.fixture(scope="module")
def clients():
    pool = Clients(2)
    yield pool
    pool.close()


def test_every_phone_connects_and_gets_the_go(tmp_path: Path, clients: Clients) -> None:
    target, sample = start_target("liveshow", tmp_path, None, {})
    try:
        assert sample["state"]["cue"]["id"] == "a"  # what the Node reference copies
        session = Session(target, PHONES, clients)
        ramp = session.connect(rate=200)
        assert ramp["ok"] == PHONES, ramp
        go = session.go("b", timeout=10)
        assert go["ok"] and go["phones"] == PHONES
        assert go["received"] == PHONES, go
        # the cue already on stage: no phone sees a change, and none is counted as having it
        again = session.go("b", timeout=2)
        assert again["received"] == 0, again
        assert session.connected() == PHONES
        session.close()
    finally:
        target.stop()


@pytest.mark.skipif(
    not (ROOT / "node_modules" / "socket.io").exists() or shutil.which("node") is None,
    reason="the Node reference needs node and `npm ci`",
)
def test_the_node_reference_sends_the_same_go(tmp_path: Path, clients: Clients) -> None:
    sample = {
        "open": {"pingInterval": 5000},
        "welcome": {"joined": False},
        "state": {"rev": 1, "show": {"title": "t"}, "cue": {"id": "a", "kind": "title"}},
    }
    target, _ = start_target("node", tmp_path, sample, {})
    try:
        session = Session(target, PHONES, clients)
        assert session.connect(rate=200)["ok"] == PHONES
        go = session.go("b", timeout=10)
        assert go["received"] == PHONES, go
        session.close()
    finally:
        target.stop()


def test_a_server_whose_probe_fails_is_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """start_target raises before it returns the target: the server it started must not be
    left running (two such leftovers were found after a session)."""
    started: list[Target] = []
    start = loadgen.session.start_liveshow

    def start_and_keep(*args: Any, **kwargs: Any) -> Target:
        started.append(start(*args, **kwargs))
        return started[-1]

    def refuse(port: int) -> dict[str, Any]:
        raise RuntimeError("the probe failed")

    monkeypatch.setattr(loadgen.session, "start_liveshow", start_and_keep)
    monkeypatch.setattr(loadgen.session, "probe", refuse)
    try:
        with pytest.raises(RuntimeError, match="the probe failed"):
            start_target("liveshow", tmp_path, None, {})
        assert len(started) == 1
        assert started[0].proc.poll() is not None, "the server is still running"
    finally:
        for target in started:
            target.stop()
