"""A reconnect storm: the server is killed (SIGKILL) under 100 connected clients and started
again; every phone and display reconnects at once with the rev it last held while the crew
moves the show on, and each ends on the server's current rev and cue."""

from __future__ import annotations

import signal
from collections.abc import Callable
from pathlib import Path

from tests.helpers.crew import Crew
from tests.helpers.crowd import crowd, disperse
from tests.helpers.server import ServerProcess
from tests.helpers.shows import write_prompt_show
from tests.helpers.waiting import wait_until

PHONES, DISPLAYS = 96, 4


def test_every_client_of_a_killed_server_ends_on_the_current_rev(
    server_factory: Callable[..., ServerProcess], tmp_path: Path
) -> None:
    srv = server_factory(write_prompt_show(tmp_path))
    desk = Crew(srv)
    desk.goto("hello")
    desk.close()
    people = crowd(srv, PHONES, DISPLAYS)
    try:
        before = srv.state()["rev"]
        wait_until(lambda: all(c.rev == before for c in people), 30, "every client on the rev")
        srv.stop(signal.SIGKILL)
        srv.start()  # the same port: every client is reconnecting to it
        desk = Crew(srv)
        desk.goto("ask-text")  # the show moves on while the storm is still arriving
        desk.close()
        now = srv.state()["rev"]
        assert now > before

        def behind() -> list[tuple[int, str | None]]:
            return [(c.rev, c.cue) for c in people if (c.rev, c.cue) != (now, "ask-text")]

        wait_until(lambda: not behind(), 60, "every client on the current rev and cue")
        assert all(c.connects >= 2 and c.client.connected for c in people)
    finally:
        disperse(people)
