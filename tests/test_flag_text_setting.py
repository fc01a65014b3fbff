"""The flag_text setting: a night in another language turns the English profanity model off,
so its texts carry no misleading flag (the model's own flags, on by default, are tested in
test_moderation_browser.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.helpers.crew import Crew
from tests.helpers.server import ServerProcess
from tests.helpers.shows import write_prompt_show


def test_with_flag_text_off_a_profane_text_carries_no_flag(
    server_factory: Callable[..., ServerProcess], tmp_path: Path, phone_of: Any
) -> None:
    srv = server_factory(write_prompt_show(tmp_path), extra_env={"LIVESHOW_FLAG_TEXT": "false"})
    crew = Crew(srv)
    try:
        assert crew.call("goto", {"cue": "ask-text"})["ok"]
        rude = phone_of(srv, "Dan").text("ask-text", "fuck this shit")
        assert rude["ok"], rude
        heard = crew.wait_for("submission", lambda s: s["id"] == rude["id"])
    finally:
        crew.close()
    assert heard["flagged"] is False and heard["flag_score"] is None, heard
    (row,) = srv.rows("select flagged, flag_score from submissions where id = ?", (rude["id"],))
    assert tuple(row) == (0, None)
