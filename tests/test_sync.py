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
from tests.helpers.crew import Crew
from tests.helpers.phone import LivePhone
from tests.helpers.samples import jpeg
from tests.helpers.server import ServerProcess
from tests.helpers.shows import write_show
from tests.helpers.sync import (
    NIGHT_SHOW,
    catalogue_records,
    performance_of,
    register_take,
    run_sync,
    upload_to_show,
)
from tests.helpers.waiting import wait_until
from tests.test_catalogue_structure import TOKEN, CatalogueProcess

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


def test_the_nights_approved_work_reaches_the_catalogue_credited_with_its_lineage(
    tmp_path: Path, catalogue: CatalogueProcess, demo_show: Path
) -> None:
    srv = show_server(
        tmp_path,
        LIVESHOW_CATALOGUE_URL=catalogue.url,
        LIVESHOW_CATALOGUE_TOKEN=TOKEN,
        LIVESHOW_SYNC_DELAY="0",
    ).start()
    crew = Crew(srv)
    ana, ben = LivePhone(srv, "Ana"), LivePhone(srv, "Ben")
    try:
        crew.goto("ask-story")
        story = ana.text("ask-story", "The lighthouse cat sang to the tide.")["id"]
        rude = ben.text("ask-story", "something the crew will reject")["id"]
        best = ben.text("ask-story", "Paper boats carry the moon home.")["id"]
        crew.moderate(story, "approve")
        crew.moderate(rude, "reject")
        crew.moderate(best, "feature")
        crew.goto("ask-photo")
        photo = ana.photo("ask-photo", jpeg(colour=(20, 40, 200)))
        unmoderated = ben.photo("ask-photo", jpeg(colour=(200, 40, 20)))
        crew.moderate(photo, "approve")

        raw = upload_to_show(srv, CLIP.read_bytes())
        composite = upload_to_show(srv, OTHER_CLIP.read_bytes())
        take_id = "take-harbour-0001"
        register_take(
            srv,
            {
                "id": take_id,
                "camera": "cam1",
                "raw": raw,
                "composite": composite,
                "backgrounds": [
                    {"submission": photo, "start": 0.0, "end": 1.5},
                    {"submission": unmoderated, "start": 1.5, "end": 3.0},
                ],
            },
        )
        crew.command("take_credit", {"take": take_id, "performer": "Jonas Lind"})
        crew.goto("replay")
        performance = wait_until(lambda: performance_of(srv), 30, "the night's performance id")

        def arrived() -> list[dict[str, Any]] | None:
            records = catalogue_records(catalogue.url, performance)
            screened = requests.get(
                f"{catalogue.url}/api/v1/records",
                params={"screened_in": performance},
                timeout=10,
            ).json()["records"]
            return records if len(records) >= 5 and screened else None

        records = wait_until(arrived, 60, "the night's records in the catalogue")
        crew.wait_state(lambda s: s["sync"]["counts"]["pending"] == 0, "an empty outbox", 30)
    finally:
        crew.close()
        ana.close()
        ben.close()
        srv.stop()

    # exactly the approved and featured work, once each, and the take's two parts
    subs = by_submission(records)
    assert set(subs) == {story, best, photo}, "only approved or featured work leaves"
    assert len(records) == 5, [r["origin"] for r in records]
    takes = {r["origin"]["part"]: r for r in records if r["origin"].get("take") == take_id}
    assert set(takes) == {"plate", "composite"}

    # credits and consent, under a pseudonymous handle with the name typed on the phone
    told = subs[story]
    assert told["kind"] == "text" and told["text"] == "The lighthouse cat sang to the tide."
    assert [(c["name"], c["role"]) for c in told["credits"]] == [("Ana", "writer")]
    assert told["credits"][0]["artist"].startswith("aud-")
    assert told["consent"] and told["consent"][0]["artist"] == told["credits"][0]["artist"]
    assert told["consent"][0]["terms_version"]
    assert told["origin"]["prompt"] == "ask-story" and told["origin"]["performance"] == performance
    pic = subs[photo]
    assert pic["kind"] == "picture" and pic["credits"][0]["role"] == "photographer"
    served = requests.get(f"{catalogue.url}/api/v1/media/{pic['media']['sha256']}", timeout=10)
    assert hashlib.sha256(served.content).hexdigest() == pic["media"]["sha256"]

    # the take: performer credited, the composite made from the plate and the approved photo
    # (with its time range); the unmoderated photo behind the performer stays in the venue
    comp = takes["composite"]
    assert comp["media"]["sha256"] == composite and takes["plate"]["media"]["sha256"] == raw
    assert ("Jonas Lind", "performer") in [(c["name"], c["role"]) for c in comp["credits"]]
    parents = {p["record"]: p for p in comp["parents"]}
    assert set(parents) == {takes["plate"]["id"], pic["id"]}
    assert (parents[pic["id"]]["start"], parents[pic["id"]]["end"]) == (0.0, 1.5)
    assert parents[pic["id"]]["role"] == "background"
    assert (
        comp["id"]
        in requests.get(f"{catalogue.url}/api/v1/records/{pic['id']}", timeout=10).json()[
            "children"
        ]
    )
    # the play log: the replay screened the composite at this performance
    assert [s["performance"] for s in comp["screenings"]] == [performance]

    # people can browse it
    page = requests.get(f"{catalogue.url}/records/{comp['id']}", timeout=10).text
    assert "Jonas Lind" in page and "Ana" in page

    # and the show's outbox says so: everything sent, nothing failed
    rows = srv.rows("select kind, status from outbox order by id")
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
