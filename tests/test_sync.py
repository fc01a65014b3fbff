"""The night goes back to the catalogue: two real processes, a show server and a catalogue.

Only approved or featured work leaves the venue, each item once, credited, with consent,
origin and lineage; a submission moderated again before it was sent is sent as it ended."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.helpers import CAMERA_KEY
from tests.helpers.catalogue import TOKEN, CatalogueProcess, run_pull
from tests.helpers.crew import Crew
from tests.helpers.phone import LivePhone
from tests.helpers.samples import jpeg
from tests.helpers.server import ServerProcess
from tests.helpers.shows import write_show
from tests.helpers.sync import (
    NIGHT_SHOW,
    PULLED_RECORD,
    catalogue_records,
    performance_of,
    register_take,
    run_sync,
    upload_to_show,
)
from tests.helpers.waiting import wait_until

ROOT = Path(__file__).resolve().parents[1]
CLIP = ROOT / "media" / "demo" / "tide-pools.mp4"
OTHER_CLIP = ROOT / "media" / "demo" / "night-market.mp4"


@pytest.fixture
def catalogue(tmp_path: Path) -> Iterator[CatalogueProcess]:
    server = CatalogueProcess(tmp_path / "catalogue", empty=True).start()
    yield server
    server.stop()


def show_server(tmp_path: Path, **env: str) -> ServerProcess:
    show = write_show(tmp_path, NIGHT_SHOW, "night.yaml")
    return ServerProcess(
        tmp_path / "data",
        show,
        extra_env={"LIVESHOW_CAMERA_KEY": CAMERA_KEY, **env},
    )


def by_submission(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["origin"]["submission"]: r for r in records if r["origin"].get("submission")}


def test_the_whole_loop_pull_screen_make_and_sync_back_credited_with_lineage(
    tmp_path: Path, demo_show: Path
) -> None:
    # the community's catalogue, with its demo works; the show pulls the one it screens
    catalogue = CatalogueProcess(tmp_path / "catalogue").start()
    try:
        night = make_a_night(tmp_path, catalogue)
        check_the_night(catalogue, night)
    finally:
        catalogue.stop()


def make_a_night(tmp_path: Path, catalogue: CatalogueProcess) -> dict[str, Any]:
    """Pull, screen the pulled record, take stories and photos, moderate, film a take and
    replay it, with the server's background sender on; what was made, once it has arrived."""
    srv = show_server(
        tmp_path,
        LIVESHOW_CATALOGUE_URL=catalogue.url,
        LIVESHOW_CATALOGUE_TOKEN=TOKEN,
        LIVESHOW_SYNC_DELAY="0",
    )
    pulled = run_pull(srv.data, srv.show, catalogue.url)
    assert pulled.returncode == 0, pulled.stdout + pulled.stderr
    srv.start()
    crew = Crew(srv)
    ana, ben = LivePhone(srv, "Ana"), LivePhone(srv, "Ben")
    night: dict[str, Any] = {"srv": srv, "take": "take-harbour-0001"}
    try:
        crew.goto("screen-photo")
        crew.goto("ask-story")
        night["story"] = ana.text("ask-story", "The lighthouse cat sang to the tide.")["id"]
        rude = ben.text("ask-story", "something the crew will reject")["id"]
        night["best"] = ben.text("ask-story", "Paper boats carry the moon home.")["id"]
        crew.moderate(night["story"], "approve")
        crew.moderate(rude, "reject")
        crew.moderate(night["best"], "feature")
        crew.goto("ask-photo")
        night["photo"] = ana.photo("ask-photo", jpeg(colour=(20, 40, 200)))
        unmoderated = ben.photo("ask-photo", jpeg(colour=(200, 40, 20)))
        crew.moderate(night["photo"], "approve")

        night["raw"] = upload_to_show(srv, CLIP.read_bytes())
        night["composite"] = upload_to_show(srv, OTHER_CLIP.read_bytes())
        register_take(
            srv,
            {
                "id": night["take"],
                "camera": "cam1",
                "raw": night["raw"],
                "composite": night["composite"],
                "backgrounds": [
                    {"submission": night["photo"], "start": 0.0, "end": 1.5},
                    {"submission": unmoderated, "start": 1.5, "end": 3.0},
                ],
            },
        )
        crew.command("take_credit", {"take": night["take"], "performer": "Jonas Lind"})
        crew.goto("replay")
        performance = wait_until(lambda: performance_of(srv), 30, "the night's performance id")
        night["performance"] = performance

        def arrived() -> list[dict[str, Any]] | None:
            screened = requests.get(
                f"{catalogue.url}/api/v1/records",
                params={"screened_in": performance},
                timeout=10,
            ).json()["records"]
            records = catalogue_records(catalogue.url, performance)  # after: it has them all
            return records if len(records) >= 5 and len(screened) >= 2 else None

        night["records"] = wait_until(arrived, 60, "the night's records in the catalogue")
        crew.wait_state(lambda s: s["sync"]["counts"]["pending"] == 0, "an empty outbox", 30)
    finally:
        crew.close()
        ana.close()
        ben.close()
        srv.stop()
    return night


def check_the_night(catalogue: CatalogueProcess, night: dict[str, Any]) -> None:
    performance, records = night["performance"], night["records"]
    get = lambda path: requests.get(f"{catalogue.url}{path}", timeout=10)  # noqa: E731

    # the pulled record screened tonight: the play log went back as a screening
    screened = get(f"/api/v1/records/{PULLED_RECORD}").json()
    assert performance in [s["performance"] for s in screened["screenings"]]

    # exactly the approved and featured work, once each, and the take's two parts
    subs = by_submission(records)
    assert set(subs) == {night["story"], night["best"], night["photo"]}, "only approved work"
    assert len(records) == 5, [r["origin"] for r in records]
    takes = {r["origin"]["part"]: r for r in records if r["origin"].get("take") == night["take"]}
    assert set(takes) == {"plate", "composite"}

    # credits and consent, under a pseudonymous handle with the name typed on the phone
    told = subs[night["story"]]
    assert told["kind"] == "text" and told["text"] == "The lighthouse cat sang to the tide."
    assert [(c["name"], c["role"]) for c in told["credits"]] == [("Ana", "writer")]
    assert told["credits"][0]["artist"].startswith("aud-")
    assert told["consent"] and told["consent"][0]["artist"] == told["credits"][0]["artist"]
    assert told["consent"][0]["terms_version"]
    assert told["origin"]["prompt"] == "ask-story" and told["origin"]["performance"] == performance
    pic = subs[night["photo"]]
    assert pic["kind"] == "picture" and pic["credits"][0]["role"] == "photographer"
    served = get(f"/api/v1/media/{pic['media']['sha256']}")
    assert hashlib.sha256(served.content).hexdigest() == pic["media"]["sha256"]

    # the take: performer credited, the composite made from the plate and the approved photo
    # (with its time range); the unmoderated photo behind the performer stays in the venue
    comp = takes["composite"]
    assert comp["media"]["sha256"] == night["composite"]
    assert takes["plate"]["media"]["sha256"] == night["raw"]
    assert ("Jonas Lind", "performer") in [(c["name"], c["role"]) for c in comp["credits"]]
    parents = {p["record"]: p for p in comp["parents"]}
    assert set(parents) == {takes["plate"]["id"], pic["id"]}
    assert (parents[pic["id"]]["start"], parents[pic["id"]]["end"]) == (0.0, 1.5)
    assert parents[pic["id"]]["role"] == "background"
    assert comp["id"] in get(f"/api/v1/records/{pic['id']}").json()["children"]
    # the play log: the replay screened the composite at this performance
    assert [s["performance"] for s in comp["screenings"]] == [performance]

    # people can browse it
    page = get(f"/records/{comp['id']}").text
    assert "Jonas Lind" in page and "Ana" in page

    # and the show's outbox says so: everything sent, nothing failed
    rows = night["srv"].rows("select kind, status from outbox order by id")
    assert {(r["kind"], r["status"]) for r in rows} == {
        ("submission", "sent"),
        ("take", "sent"),
        ("screening", "sent"),
    }


def test_liveshow_sync_sends_work_as_its_moderation_ended_and_exits_0_only_when_empty(
    tmp_path: Path, catalogue: CatalogueProcess
) -> None:
    srv = show_server(tmp_path).start()  # no catalogue configured: the server keeps it all
    crew = Crew(srv)
    ana = LivePhone(srv, "Ana")
    try:
        crew.goto("ask-story")
        changed_mind = ana.text("ask-story", "approved, then rejected")["id"]
        came_round = ana.text("ask-story", "rejected, then approved")["id"]
        kept = ana.text("ask-story", "approved once")["id"]
        crew.moderate(changed_mind, "approve")
        crew.moderate(changed_mind, "reject")
        crew.moderate(came_round, "reject")
        crew.moderate(came_round, "feature")
        crew.moderate(kept, "approve")
        # written with the decision, in its transaction: there the moment the ack is
        rows = {r["ref"]: r["status"] for r in srv.rows("select ref, status from outbox")}
        assert rows == {changed_mind: "dropped", came_round: "pending", kept: "pending"}
        state = crew.wait_state(lambda s: s["sync"] is not None, "the sync status")
        assert state["sync"]["configured"] is False and state["sync"]["state"] == "off"
    finally:
        crew.close()
        ana.close()
        srv.stop()
    data = tmp_path / "data"

    # the catalogue is down: the command says so and exits 1, having sent nothing
    catalogue.stop()
    down = run_sync(data, catalogue.url, TOKEN, "--timeout", "2")
    assert down.returncode == 1, down.stdout + down.stderr
    assert "did not answer" in down.stderr
    catalogue.start()

    # a wrong token: refused, exit 1, nothing sent
    refused = run_sync(data, catalogue.url, "not-the-token", "--timeout", "5")
    assert refused.returncode == 1 and "401" in refused.stderr + refused.stdout

    done = run_sync(data, catalogue.url, TOKEN)
    assert done.returncode == 0, done.stdout + done.stderr
    performance = performance_of(srv)
    assert performance is not None
    records = by_submission(catalogue_records(catalogue.url, performance))
    assert set(records) == {came_round, kept}
    # once more: nothing to send, nothing doubled
    again = run_sync(data, catalogue.url, TOKEN)
    assert again.returncode == 0 and "sent 0" in again.stdout
    assert len(catalogue_records(catalogue.url, performance)) == 2
    dropped = srv.rows("select status, last_error from outbox where ref = ?", (changed_mind,))
    assert dropped[0]["status"] == "dropped" and "rejected" in dropped[0]["last_error"]
