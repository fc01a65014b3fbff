"""Faults while phones send work: acknowledgements lost (phones retry the same id: stored
exactly once) and the server killed with SIGKILL at a random moment (everything that was
acknowledged is there after the restart, nothing twice, the database intact, the show back
on the cue it was on, paused)."""

from __future__ import annotations

import random
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.helpers.crew import Crew
from tests.helpers.phone import LivePhone, new_id
from tests.helpers.server import ServerProcess
from tests.helpers.shows import write_prompt_show
from tests.helpers.waiting import wait_until

PHONES = 20
ROUNDS = 2


def test_dropped_acknowledgements_are_retried_and_stored_exactly_once(
    prompt_server: ServerProcess, prompt_crew: Crew, phone_of: Callable[..., LivePhone]
) -> None:
    prompt_crew.goto("ask-text")
    phones = [phone_of(prompt_server, f"P{i}") for i in range(PHONES)]
    chance = random.Random(12)
    sent: dict[str, str] = {}

    def send(phone: LivePhone) -> list[tuple[str, dict[str, object]]]:
        out = []
        for n in range(4):
            sub, text = new_id(), f"story {n} from {phone.device}"
            first = answered(phone, sub, text)
            while chance.random() < 0.3:  # the ack was lost: the phone sends it again
                again = answered(phone, sub, text)
                assert again["ok"] and again["status"] == first["status"], (first, again)
            out.append((sub, first))
        return out

    with ThreadPoolExecutor(8) as pool:
        for batch in pool.map(send, phones):
            for sub, ack in batch:
                assert ack["ok"], ack
                sent[sub] = str(ack["status"])
    rows = prompt_server.rows("select id, count(*) as n from submissions group by id")
    assert {r["id"] for r in rows} == set(sent) and all(r["n"] == 1 for r in rows)


def answered(phone: LivePhone, sub: str, text: str) -> dict[str, object]:
    """Sends a story as a phone does: a refusal that says retry (the rate limit) is sent
    again a moment later (at most 40 times)."""
    for _ in range(40):
        ack = phone.text("ask-text", text, sub)
        if not ack.get("retry"):
            return ack
        time.sleep(0.25)
    raise AssertionError(f"{sub} was never answered: {ack}")


def test_kill_9_while_phones_submit_loses_nothing_and_the_show_resumes_paused(
    server_factory: Callable[..., ServerProcess], tmp_path: Path
) -> None:
    srv = server_factory(write_prompt_show(tmp_path))
    desk = Crew(srv)
    desk.goto("ask-text")
    desk.goto("text-wall")  # the wall runs; its prompt still takes stories
    desk.close()
    chance = random.Random(9)
    acknowledged: set[str] = set()
    for round_ in range(ROUNDS):
        desk = Crew(srv)
        if srv.state()["paused"]:
            desk.command("resume")  # the cue runs when the kill comes
        seen = srv.state()
        assert seen["cue"]["id"] == "text-wall" and seen["paused"] is False, seen
        kill_mid_submissions(srv, f"R{round_}", acknowledged, chance.randint(20, 200))
        desk.close()
        srv.start()
        stored = {r["id"] for r in srv.rows("select id from submissions")}
        assert acknowledged <= stored, f"{len(acknowledged - stored)} acknowledged but lost"
        assert srv.rows("pragma integrity_check")[0][0] == "ok"
        state = srv.state()
        assert state["cue"]["id"] == "text-wall", "the show is back on its cue"
        assert state["paused"] is True, "the cue that was running comes back paused"
        assert state["rev"] > seen["rev"], "the restart is a new rev"


def kill_mid_submissions(srv: ServerProcess, tag: str, acknowledged: set[str], more: int) -> None:
    """PHONES phones send stories as fast as they are let; once ``more`` further ones were
    acknowledged, the server gets SIGKILL."""
    with ThreadPoolExecutor(8) as pool:
        phones = list(pool.map(lambda i: LivePhone(srv, f"{tag}P{i}"), range(PHONES)))
    lock = threading.Lock()
    stop = threading.Event()

    def send(phone: LivePhone) -> None:
        while not stop.is_set():
            try:
                ack = phone.text("ask-text", f"a story in {tag}")
            except Exception:  # the server died under it
                return
            if ack.get("ok"):
                with lock:
                    acknowledged.add(ack["id"])

    workers = [threading.Thread(target=send, args=(p,)) for p in phones]
    for w in workers:
        w.start()
    target = len(acknowledged) + more
    wait_until(lambda: len(acknowledged) >= target, timeout=60, what="acknowledged work")
    srv.stop(signal.SIGKILL)
    stop.set()
    for w in workers:
        w.join(30)
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda p: p.client.disconnect(), phones))
