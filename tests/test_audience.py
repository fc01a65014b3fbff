"""Joining, prompts, text and votes over /audience, moderation, the wall and the poll."""

from __future__ import annotations

import json
from typing import Any

import pytest

from liveshow.audience.terms import TERMS_VERSION
from liveshow.extensions import socketio
from tests.helpers import DISPLAY_KEY, JOIN_CODE
from tests.helpers.crew import goto
from tests.helpers.phone import Phone
from tests.helpers.shows import PROMPT_SHOW

pytestmark = pytest.mark.show(PROMPT_SHOW)


@pytest.fixture
def screen(app: Any) -> Any:
    c = socketio.test_client(app, namespace="/display", auth={"key": DISPLAY_KEY, "name": "main"})
    yield c
    c.disconnect(namespace="/display")


def moderate(crew: Any, sub_id: str, action: str) -> Any:
    return crew.emit(
        "moderate", {"submission": sub_id, "action": action}, namespace="/crew", callback=True
    )


def text(phone: Phone, sub_id: str, words: str, prompt: str = "ask-text") -> Any:
    return phone.emit("submit", {"id": sub_id, "prompt": prompt, "kind": "text", "text": words})


def test_joining_records_handle_and_consent_with_terms_version(app: Any) -> None:
    phone = Phone(app)
    welcome = phone.received()[0]
    assert welcome["name"] == "welcome" and welcome["args"][0]["joined"] is False
    assert welcome["args"][0]["terms"]["version"] == TERMS_VERSION
    ack = phone.join("  Ana\u202e  ")  # bidi override stripped
    assert ack["ok"] and ack["handle"] == "Ana" and len(ack["token"]) > 20
    row = app.extensions["liveshow"].audience.device(phone.device)
    assert row["terms_version"] == TERMS_VERSION and row["consented_at"] > 0


@pytest.mark.parametrize(
    "payload, words",
    [
        (
            {"handle": "Ana", "consent": {"accepted": False, "terms_version": TERMS_VERSION}},
            "accept the contribution terms",
        ),
        (
            {"handle": "Ana", "consent": {"accepted": True, "terms_version": "1999"}},
            "terms have changed",
        ),
        ({"handle": "", "consent": {"accepted": True, "terms_version": TERMS_VERSION}}, "empty"),
        (
            {"handle": "x" * 40, "consent": {"accepted": True, "terms_version": TERMS_VERSION}},
            "limit is 32",
        ),
        ({"handle": ["Ana"], "consent": True}, "must be text"),
        ("Ana", "join needs"),
    ],
)
def test_a_bad_join_is_refused_with_a_reason(app: Any, payload: Any, words: str) -> None:
    phone = Phone(app)
    ack = phone.emit("join", payload)
    assert ack["ok"] is False and words in ack["error"]
    assert app.extensions["liveshow"].audience.device(phone.device) is None


@pytest.mark.parametrize(
    "auth",
    [
        {"code": "wrong", "device": "phone-device-0001"},
        {"code": JOIN_CODE, "device": "short"},
        {"code": JOIN_CODE},
        None,
    ],
)
def test_wrong_join_code_or_device_id_cannot_connect(app: Any, auth: Any) -> None:
    c = socketio.test_client(app, namespace="/audience", auth=auth)
    assert not c.is_connected("/audience")


def test_a_rotated_join_code_stops_old_links(app: Any, crew: Any) -> None:
    ack = crew.emit("join_rotate", namespace="/crew", callback=True)
    assert ack["ok"] and JOIN_CODE not in ack["join_url"]
    new_code = ack["join_url"].rsplit("/", 1)[1]
    old = socketio.test_client(
        app, namespace="/audience", auth={"code": JOIN_CODE, "device": "phone-device-0001"}
    )
    assert not old.is_connected("/audience")
    http = app.test_client()
    page = http.get(f"/join/{JOIN_CODE}")
    assert page.status_code == 404 and b"expired" in page.data
    assert http.get(f"/join/{new_code}").status_code == 200


def freeze_rate_limits(app: Any) -> None:
    """No refill during the test, so a slow machine cannot make a flood look slow."""
    app.extensions["liveshow"].limiter.clock = lambda: 1000.0


def test_a_join_flood_from_one_device_is_cut_off(app: Any) -> None:
    freeze_rate_limits(app)
    phone = Phone(app)
    acks = [phone.join(f"Name{i}") for i in range(8)]
    assert [a["ok"] for a in acks] == [True] * 3 + [False] * 5
    assert "too many" in acks[-1]["error"]


def test_an_event_flood_from_one_device_is_cut_off(app: Any, crew: Any) -> None:
    goto(crew, "ask-text")
    phone = Phone(app)
    phone.join()
    freeze_rate_limits(app)
    acks = [text(phone, f"flood-{i:06d}", f"story {i}") for i in range(30)]
    assert [a["ok"] for a in acks] == [True] * 10 + [False] * 20
    assert "slow down" in acks[-1]["error"]


def test_submitting_needs_a_join_and_an_open_prompt(app: Any, crew: Any) -> None:
    phone = Phone(app)
    early = text(phone, "early-000001", "hi")
    # the phone keeps the work queued (it retries on the server's flag, not on the wording)
    assert "join the show first" in early["error"] and early.get("retry") is True
    phone.join()
    assert "not open" in text(phone, "early-000002", "hi")["error"]
    goto(crew, "ask-text")
    assert text(phone, "early-000003", "hi")["ok"]
    assert (
        "asks for text"
        in phone.emit(
            "submit", {"id": "early-000004", "prompt": "ask-text", "kind": "vote", "option": "A"}
        )["error"]
    )


def test_text_is_normalised_and_limited(app: Any, crew: Any) -> None:
    goto(crew, "ask-text")
    phone = Phone(app)
    phone.join()
    assert "limit is 50" in text(phone, "long-0000001", "x" * 51)["error"]
    assert text(phone, "ctrl-0000001", "  a\x00b\u200fc\n\n\n\nd  ")["ok"]
    row = app.extensions["liveshow"].submissions.get("ctrl-0000001")
    assert row["text"] == "abc\n\nd"


def test_a_text_repeat_is_answered_with_the_first_result(app: Any, crew: Any) -> None:
    goto(crew, "ask-text")
    phone = Phone(app)
    phone.join()
    first = text(phone, "repeat-00001", "the sea")
    assert first == text(phone, "repeat-00001", "the sea")
    assert "already used" in text(phone, "repeat-00001", "the sky")["error"]
    count = (
        app.extensions["liveshow"]
        .store.db.execute("select count(*) from submissions")
        .fetchone()[0]
    )
    assert count == 1


def test_an_unapproved_submission_never_reaches_a_display(app: Any, crew: Any, screen: Any) -> None:
    goto(crew, "ask-text")
    phone = Phone(app)
    phone.join()
    text(phone, "secret-00001", "UNAPPROVED WORDS")
    text(phone, "secret-00002", "REJECTED WORDS")
    moderate(crew, "secret-00002", "reject")
    goto(crew, "text-wall")
    api_state = json.dumps(app.test_client().get(f"/api/state?key={DISPLAY_KEY}").get_json())
    shown = json.dumps(screen.get_received("/display"))
    for words in ("UNAPPROVED WORDS", "REJECTED WORDS"):
        assert words not in shown and words not in api_state
    queue = [m for m in crew.get_received("/crew") if m["name"] == "submission"]
    assert {m["args"][0]["id"] for m in queue} >= {"secret-00001", "secret-00002"}


def test_approve_and_feature_put_work_on_the_wall_and_tell_the_phone(
    app: Any, crew: Any, screen: Any
) -> None:
    goto(crew, "ask-text")
    phone = Phone(app)
    phone.join("Mira")
    text(phone, "story-000001", "<script>window.pwned=1</script> a tide of stars")
    goto(crew, "text-wall")
    assert moderate(crew, "story-000001", "approve") == {"ok": True, "status": "approved"}
    state = screen.get_received("/display")[-1]["args"][0]
    items = state["cue"]["wall"]["items"]
    assert items[0]["text"].startswith("<script>") and items[0]["handle"] == "Mira"
    assert "device" not in items[0]
    phone.received()
    assert moderate(crew, "story-000001", "feature")["status"] == "featured"
    told = [m for m in phone.received() if m["name"] == "featured"]
    assert told and told[0]["args"][0]["submission"] == "story-000001"
    state = screen.get_received("/display")[-1]["args"][0]
    assert state["cue"]["wall"]["featured"]["id"] == "story-000001"


def test_ban_rejects_the_device_and_its_pending_work(app: Any, crew: Any) -> None:
    goto(crew, "ask-text")
    phone = Phone(app)
    phone.join()
    text(phone, "ban-00000001", "rude")
    text(phone, "ban-00000002", "ruder")
    assert moderate(crew, "ban-00000001", "ban")["ok"]
    subs = app.extensions["liveshow"].submissions
    assert subs.get("ban-00000002")["status"] == "rejected"
    assert "no longer take part" in text(phone, "ban-00000003", "more")["error"]
    assert "no longer take part" in phone.join("New name")["error"]


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"submission": "nope", "action": "approve"},
        {"submission": "x", "action": "destroy"},
        "approve",
    ],
)
def test_bad_moderation_is_refused(crew: Any, data: Any) -> None:
    ack = crew.emit("moderate", data, namespace="/crew", callback=True)
    assert ack["ok"] is False and ack["error"]


def test_one_vote_per_phone_changeable_and_counted_live(app: Any, crew: Any) -> None:
    goto(crew, "ask-vote")
    a, b = Phone(app, "phone-device-000a"), Phone(app, "phone-device-000b")
    a.join("A")
    b.join("B")

    def vote(phone: Phone, sub_id: str, option: str) -> Any:
        return phone.emit(
            "submit", {"id": sub_id, "prompt": "ask-vote", "kind": "vote", "option": option}
        )

    assert vote(a, "vote-a-00001", "A")["ok"]
    assert vote(a, "vote-a-00002", "B")["ok"]  # changed their mind
    assert vote(b, "vote-b-00001", "B")["ok"]
    assert "not one of the options" in vote(b, "vote-b-00002", "Z")["error"]
    goto(crew, "results")
    poll = app.test_client().get(f"/api/state?key={DISPLAY_KEY}").get_json()["cue"]["poll"]
    assert poll == {
        "options": [
            {"option": "A", "votes": 0},
            {"option": "B", "votes": 2},
            {"option": "C", "votes": 0},
        ],
        "total": 2,
    }


def test_closing_a_prompt_refuses_late_answers_after_the_grace_period(app: Any, crew: Any) -> None:
    goto(crew, "ask-text")
    phone = Phone(app)
    phone.join()
    assert crew.emit("prompt_close", namespace="/crew", callback=True)["ok"]
    assert app.test_client().get(f"/api/state?key={DISPLAY_KEY}").get_json()["prompt"] is None
    assert text(phone, "late-0000001", "just in time")["ok"]  # within the grace
    rt = app.extensions["liveshow"]
    rt.store.db.execute("update prompts set closed_at = closed_at - 60")
    assert "closed" in text(phone, "late-0000002", "too late")["error"]
    assert crew.emit("prompt_close", namespace="/crew", callback=True)["ok"] is False


def test_the_open_prompt_is_in_the_state_phones_get(app: Any, crew: Any) -> None:
    phone = Phone(app)
    goto(crew, "ask-vote")
    state = [m for m in phone.received() if m["name"] == "state"][-1]["args"][0]
    assert state["prompt"]["id"] == "ask-vote" and state["prompt"]["options"] == ["A", "B", "C"]
    goto(crew, "ask-text")  # a new prompt closes the previous one
    state = [m for m in phone.received() if m["name"] == "state"][-1]["args"][0]
    assert state["prompt"]["id"] == "ask-text" and state["prompt"]["max_length"] == 50


def test_credits_include_audience_members_whose_work_was_approved(app: Any, crew: Any) -> None:
    goto(crew, "ask-text")
    yes, no = Phone(app, "phone-device-00yes"), Phone(app, "phone-device-000no")
    yes.join("Approved Artist")
    no.join("Pending Person")
    text(yes, "credit-00001", "a story")
    text(no, "credit-00002", "another")
    moderate(crew, "credit-00001", "approve")
    goto(crew, "roll")
    cue = app.test_client().get(f"/api/state?key={DISPLAY_KEY}").get_json()["cue"]
    assert cue["audience"] == [{"handle": "Approved Artist", "works": 1}]


def test_a_joined_phone_keeps_its_place_after_the_join_code_rotates(app: Any, crew: Any) -> None:
    phone = Phone(app)
    phone.join()
    crew.emit("join_rotate", namespace="/crew", callback=True)
    back = socketio.test_client(
        app,
        namespace="/audience",
        auth={"code": JOIN_CODE, "device": phone.device, "token": phone.token},
    )
    assert back.is_connected("/audience")
    stranger = socketio.test_client(
        app,
        namespace="/audience",
        auth={"code": JOIN_CODE, "device": "phone-device-0002", "token": phone.token},
    )
    assert not stranger.is_connected("/audience")


def test_a_ban_tells_the_crew_about_every_row_it_rejects(app: Any, crew: Any) -> None:
    goto(crew, "ask-text")
    phone = Phone(app)
    phone.join()
    for i in range(3):
        text(phone, f"banned-{i:06d}", f"words {i}")
    crew.get_received("/crew")
    moderate(crew, "banned-000000", "ban")
    told = {
        m["args"][0]["id"]: m["args"][0]["status"]
        for m in crew.get_received("/crew")
        if m["name"] == "submission"
    }
    assert told == {f"banned-{i:06d}": "rejected" for i in range(3)}


def test_a_reconnecting_moderator_gets_every_pending_item(app: Any, crew: Any) -> None:
    goto(crew, "ask-text")
    subs = app.extensions["liveshow"].submissions
    phone = Phone(app)
    phone.join()
    app.extensions["liveshow"].limiter.clock = lambda: 1000.0
    text(phone, "oldest-pend1", "still waiting")
    text(phone, "decided-0001", "done")
    moderate(crew, "decided-0001", "approve")
    queue = subs.queue(decided=0)
    assert [q["id"] for q in queue] == ["oldest-pend1"]
    assert {q["id"] for q in subs.queue()} == {"oldest-pend1", "decided-0001"}


def test_phones_get_a_small_state_without_wall_contents(app: Any, crew: Any) -> None:
    goto(crew, "ask-text")
    phone = Phone(app)
    phone.join()
    text(phone, "small-000001", "a story")
    moderate(crew, "small-000001", "approve")
    goto(crew, "text-wall")
    state = [m for m in phone.received() if m["name"] == "state"][-1]["args"][0]
    assert state["cue"] == {
        "id": "text-wall",
        "kind": "wall",
        "title": "",
        "subtitle": "",
        "stopped": False,
    }
    assert set(state) == {
        "rev",
        "show",
        "blackout",
        "server_time",
        "prompt",
        "cue",
        "claim_base",
        "ended",
    }
    assert state["claim_base"] is None  # no catalogue configured: no claim link
    assert "a story" not in json.dumps(state)
