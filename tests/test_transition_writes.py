"""A cue change whose database write fails changes nothing: not the camera transition the
desk picks in any mode, not a cue edit, not a show imported over the cue list. Before, the
cue list in memory was changed first, so after a refused write the dashboard and displays
showed a cue the database did not hold (and a restart lost it). The write is refused here
by a trigger the test puts in the server's own database, as a full disk or a broken file
would refuse it."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from tests.helpers.crew import Crew
from tests.helpers.server import ServerProcess
from tests.helpers.shows import write_show

SHOW = """\
title: Refused writes
cues:
  - {id: hello, kind: title, title: Hello}
  - {id: live, kind: camera, camera: cam1, transition: cut}
"""


OTHER_SHOW = """\
title: Another show
cues:
  - {id: other, kind: title, title: Other}
"""


@pytest.fixture(scope="module")
def srv(module_server_factory: Any, tmp_path_factory: pytest.TempPathFactory) -> ServerProcess:
    return module_server_factory(write_show(tmp_path_factory.mktemp("transition-writes"), SHOW))


def refuse_cue_writes(srv: ServerProcess, refuse: bool) -> None:
    db = sqlite3.connect(srv.data / "show.db", timeout=10, isolation_level=None)
    try:
        if refuse:
            db.execute(
                "create trigger refuse_cue_writes before insert on cues "
                "begin select raise(abort, 'cue writes refused by the test'); end"
            )
        else:
            db.execute("drop trigger refuse_cue_writes")
    finally:
        db.close()


def stored(srv: ServerProcess) -> dict[str, object]:
    row = srv.rows("select transition, fade_in, title from cues where id = 'live'")[0]
    return dict(row)


def in_memory(srv: ServerProcess) -> dict[str, object]:
    """The cue as the server holds it: what a dashboard that connects now is sent."""
    crew = Crew(srv)
    try:
        state = crew.wait_for("state")
    finally:
        crew.close()
    cue = next(c for c in state["cues"] if c["id"] == "live")
    return {"transition": cue["transition"], "fade_in": cue["fade_in"], "title": cue["title"]}


def test_a_refused_write_leaves_the_cue_as_the_database_holds_it(srv: ServerProcess) -> None:
    crew = Crew(srv)
    try:
        before, rev = stored(srv), srv.state()["rev"]
        assert in_memory(srv) == before
        refuse_cue_writes(srv, True)
        try:
            transition = crew.call(
                "camera_transition", {"cue": "live", "transition": "fade", "seconds": 2}
            )
            edit = crew.call("cue_update", {"id": "live", "cue": {"title": "Renamed"}})
            imported = crew.call("show_import", {"text": OTHER_SHOW})
        finally:
            refuse_cue_writes(srv, False)
        for ack in (transition, edit):
            assert ack["ok"] is False and "not saved" in ack["error"], ack
        # a whole show loaded over it is refused the same way: the old show stays, whole
        assert imported["ok"] is False and "not loaded" in imported["error"], imported
        fresh = Crew(srv)  # what a dashboard that connects now is sent
        try:
            assert [c["id"] for c in fresh.wait_for("state")["cues"]] == ["hello", "live"]
        finally:
            fresh.close()
        assert stored(srv) == before
        assert in_memory(srv) == before, "memory and the database parted"
        assert srv.state()["rev"] == rev

        # and once writes work again, the same change is made in both
        fade = {"cue": "live", "transition": "fade", "seconds": 2}
        assert crew.call("camera_transition", fade)["ok"]
        assert stored(srv) == in_memory(srv) == {**before, "transition": "fade", "fade_in": 2}
    finally:
        crew.close()
