"""Credit that stays the contributor's, end to end with a real show server and a real
catalogue: a phone's claim link attaches its synced work to an artist account once; work taken
back before the sync leaves the wall and never leaves the venue; work taken back after the sync
disappears from the catalogue too; the crew cannot put withdrawn work back."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.helpers.catalogue import TOKEN, CatalogueProcess
from tests.helpers.crew import Crew
from tests.helpers.phone import LivePhone
from tests.helpers.server import ServerProcess
from tests.helpers.shows import write_show
from tests.helpers.sync import catalogue_records, performance_of, run_sync

SHOW = """\
title: Claim Night
cues:
  - {id: ask, kind: prompt, prompt: {kind: text, question: "A tiny story"}}
  - {id: wall, kind: wall, source: ask}
"""


@pytest.fixture
def catalogue(tmp_path: Path) -> Iterator[CatalogueProcess]:
    server = CatalogueProcess(tmp_path / "catalogue", empty=True).start()
    yield server
    server.stop()


def on_the_wall(srv: ServerProcess) -> set[str]:
    cue = srv.state()["cue"]
    return {item["id"] for item in cue["wall"]["items"]}


def by_submission(url: str, performance: str) -> dict[str, dict[str, Any]]:
    return {r["origin"]["submission"]: r for r in catalogue_records(url, performance)}


def test_claim_and_withdraw_from_the_phone_before_and_after_the_sync(
    tmp_path: Path, catalogue: CatalogueProcess
) -> None:
    show = write_show(tmp_path, SHOW)
    srv = ServerProcess(
        tmp_path / "data",
        show,
        # the server's own sender waits an hour: this test says when the night syncs
        extra_env={
            "LIVESHOW_CATALOGUE_URL": catalogue.url,
            "LIVESHOW_CATALOGUE_TOKEN": TOKEN,
            "LIVESHOW_SYNC_DELAY": "3600",
        },
    ).start()
    crew = Crew(srv)
    ana, ben = LivePhone(srv, "Ana"), LivePhone(srv, "Ben")
    try:
        assert ana.claim and ana.claim != ben.claim
        crew.goto("ask")
        early, late, kept = (ana.text("ask", f"Ana's story {n}")["id"] for n in range(3))
        bens = ben.text("ask", "Ben's story")["id"]
        for sub in (early, late, kept, bens):
            crew.moderate(sub)
        crew.goto("wall")
        assert on_the_wall(srv) == {early, late, kept, bens}
        state = ana.wait_for("state", lambda s: s.get("claim_base"), what="the claim base")
        assert state["claim_base"] == f"{catalogue.url}/claim/"

        # taken back before the sync: off the wall at once, and it never leaves the venue
        assert ana.withdraw(early) == {"ok": True, "submission": early, "status": "withdrawn"}
        assert on_the_wall(srv) == {late, kept, bens}
        refused = ben.withdraw(late)  # only the phone that made it
        assert refused["ok"] is False and on_the_wall(srv) == {late, kept, bens}
        again = crew.call("moderate", {"submission": early, "action": "approve"})
        assert again["ok"] is False and "took it back" in again["error"]

        synced = run_sync(srv.data, catalogue.url, TOKEN)
        assert synced.returncode == 0, synced.stdout + synced.stderr
        performance = performance_of(srv)
        assert performance is not None
        assert set(by_submission(catalogue.url, performance)) == {late, kept, bens}

        # taken back after the sync: off the wall, and withdrawn from the catalogue
        late_id = by_submission(catalogue.url, performance)[late]["id"]
        assert ana.withdraw(late)["ok"] is True
        assert on_the_wall(srv) == {kept, bens}
        synced = run_sync(srv.data, catalogue.url, TOKEN)
        assert synced.returncode == 0, synced.stdout + synced.stderr
        gone = requests.get(f"{catalogue.url}/api/v1/records/{late_id}", timeout=5)
        assert gone.status_code == 410
        assert set(by_submission(catalogue.url, performance)) == {kept, bens}
        rows = srv.rows("select kind, ref, status from outbox where ref in (?, ?)", (early, late))
        assert {(r["kind"], r["ref"], r["status"]) for r in rows} == {
            ("submission", early, "dropped"),
            ("submission", late, "sent"),
            ("withdrawal", late, "sent"),
        }
    finally:
        crew.close()
        ana.close()
        ben.close()
        srv.stop()

    # Ana claims her night: what she kept is credited to her account, once
    link = f"{catalogue.url}/claim/{ana.claim}"
    page = requests.get(link, timeout=5)
    assert page.status_code == 200 and "Claim your credit" in page.text
    claimed = requests.post(link, data={"handle": "ana-lind", "name": "Ana Lind"}, timeout=5)
    assert claimed.status_code == 201 and "ana-lind" in claimed.text
    mine = requests.get(
        f"{catalogue.url}/api/v1/records", params={"artist": "ana-lind"}, timeout=5
    ).json()["records"]
    assert [r["origin"]["submission"] for r in mine] == [kept]
    assert mine[0]["credits"][0]["name"] == "Ana Lind"
    assert mine[0]["consent"][0]["artist"] == "ana-lind"
    second = requests.post(
        f"{catalogue.url}/api/v1/claims/{ana.claim}", json={"handle": "someone-else"}, timeout=5
    )
    assert second.status_code == 409
    # Ben's work is still his pseudonym's; a made-up link is not known
    theirs = by_submission(catalogue.url, performance)[bens]["credits"][0]["artist"]
    assert theirs.startswith("aud-")
    made_up = requests.get(f"{catalogue.url}/claim/{secrets.token_urlsafe(32)}", timeout=5)
    assert made_up.status_code == 404
