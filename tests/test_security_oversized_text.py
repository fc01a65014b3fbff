"""H2: oversized text must be refused before any work is done on it. A handle or a story of
a megabyte is measured first and refused at once, so a room sending them cannot stall the
event loop: the crew's and the projector's sockets stay connected."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tests.helpers.crew import Crew
from tests.helpers.phone import LivePhone, consent, new_id
from tests.helpers.server import ServerProcess
from tests.helpers.sockets import Display, SocketClient

HUGE = "a" * 990_000  # 990 KB: one message under the 1 MB buffer
ATTACKERS = 40  # phones; each may try to join 3 times at once (the per-device burst)


def test_huge_handles_are_refused_and_the_crew_and_projector_stay_connected(
    prompt_server: ServerProcess, prompt_crew: Crew
) -> None:
    display = Display(prompt_server)
    attackers = [
        SocketClient(
            prompt_server, "/audience", {"code": prompt_server.join_code, "device": new_id("dev")}
        )
        for _ in range(ATTACKERS)
    ]
    try:

        def join_three(phone: SocketClient) -> list[Any]:
            return [phone.call("join", consent(HUGE), timeout=120) for _ in range(3)]

        with ThreadPoolExecutor(ATTACKERS) as pool:
            acks = [a for batch in pool.map(join_three, attackers) for a in batch]
        assert len(acks) == 3 * ATTACKERS
        assert all(not a["ok"] and "limit is 32" in a["error"] for a in acks), acks[:3]
        # the loop never stalled long enough for a ping to go unanswered
        assert prompt_crew.client.connected and display.client.connected
        assert prompt_crew.command("preflight")["ok"]
        assert display.call("clock", {"t": 1})["ok"]
    finally:
        display.close()
        for a in attackers:
            a.close()


def test_huge_stories_are_refused_and_the_crew_stays_connected(
    prompt_server: ServerProcess,
    prompt_crew: Crew,
    phone_of: Callable[..., LivePhone],
) -> None:
    prompt_crew.goto("ask-text")
    phones = [phone_of(prompt_server, f"P{i}") for i in range(20)]

    def send_five(phone: LivePhone) -> list[dict[str, Any]]:
        return [phone.text("ask-text", HUGE) for _ in range(5)]

    with ThreadPoolExecutor(len(phones)) as pool:
        acks = [a for batch in pool.map(send_five, phones) for a in batch]
    assert all(not a["ok"] and "limit is 50" in a["error"] for a in acks), acks[:3]
    assert prompt_crew.client.connected
    assert prompt_crew.command("preflight")["ok"]
    assert not prompt_server.rows("select id from submissions")
