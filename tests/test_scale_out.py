"""Past one process (issue 10): `liveshow serve --workers 2` on a real redis-server, behind
a real nginx. Phones from different addresses land on both workers; a GO on the dashboard
reaches every one of them; a submission from a phone on the phone worker is stored once and
reaches the crew's queue; a phone that comes back on the other worker gets the current rev."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import socketio

from tests.helpers.cluster import (
    AddressPhone,
    cluster_of,
    connect_counted,
    need_debian_packages,
    start_redis,
)
from tests.helpers.crew import Crew
from tests.helpers.phone import new_id
from tests.helpers.server import ServerProcess, stop_process
from tests.helpers.shows import write_prompt_show
from tests.helpers.sockets import cue_is

PHONES = 16


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[ServerProcess]:
    need_debian_packages("redis-server", "nginx")
    redis, url = start_redis(tmp_path)
    srv = ServerProcess(
        data=tmp_path / "data",
        show=write_prompt_show(tmp_path),
        extra_env={"LIVESHOW_WORKERS": "2", "LIVESHOW_MESSAGE_QUEUE": url},
    )
    try:
        yield srv.start(timeout=60)
    finally:
        srv.stop()
        stop_process(redis)


def test_a_go_reaches_phones_on_every_worker(cluster: ServerProcess) -> None:
    srv = cluster
    where = cluster_of(srv)
    show_worker, phone_worker = where["show_worker"], where["workers"][1]
    crew = Crew(srv)  # no phone cookie: nginx sends it to the show worker
    phones: dict[str, list[AddressPhone]] = {show_worker: [], phone_worker: []}
    try:
        for n in range(PHONES):
            phone, worker = connect_counted(srv, f"127.0.{n + 1}.1")
            phones[worker].append(phone)
            phone.join(f"Phone {n}")
        assert phones[show_worker] and phones[phone_worker], {w: len(p) for w, p in phones.items()}
        everyone = [p for held in phones.values() for p in held]

        # A GO on the dashboard: every phone, on both workers, hears the prompt open.
        crew.goto("ask-text")
        rev = srv.state()["rev"]
        for phone in everyone:
            state = phone.wait_state(cue_is("ask-text"), "the GO")
            assert state["rev"] == rev and state["prompt"]["id"] == "ask-text"

        # A submission through the phone worker: stored once, in the crew's queue once,
        # however often the phone resends it.
        relayed = phones[phone_worker][0]
        sub = new_id()
        data = {"id": sub, "prompt": "ask-text", "kind": "text", "text": "Far away"}
        first = relayed.call("submit", data)
        again = relayed.call("submit", data)
        assert first["ok"] and again == first
        crew.wait_for("submission", lambda s: s["id"] == sub, what="the submission")
        assert len([s for s in crew.events("submission") if s["id"] == sub]) == 1
        rows = srv.rows("select id, text from submissions where id = ?", (sub,))
        assert [tuple(r) for r in rows] == [(sub, "Far away")]

        # Each worker's phones come back on the other one, having missed a GO: the current
        # rev straight away, and their place in the show (their token).
        movers = [phones[show_worker][0], phones[phone_worker][-1]]
        for phone in movers:
            phone.close()
        crew.goto("text-wall")
        rev = srv.state()["rev"]
        for phone, worker in ((movers[0], phone_worker), (movers[1], show_worker)):
            back = _back_on(srv, worker, device=phone.device, token=phone.token, rev=rev - 2)
            try:
                state = back.wait_state(lambda s: True, "the state on connect")
                assert state["rev"] == rev and state["cue"]["id"] == "text-wall"
                assert back.heard["welcome"][0]["joined"] is True
                assert all(s["rev"] >= rev for s in back.states())
            finally:
                back.close()
        # and rev only rose, for every phone that stayed
        for phone in everyone:
            if phone not in movers:
                revs = [s["rev"] for s in phone.states()]
                assert revs == sorted(revs)
        # The crew pointed at a phone worker is refused, with the reason.
        assert "phones only" in _crew_refusal(phone_worker, srv.password)
    finally:
        crew.close()
        for held in phones.values():
            for phone in held:
                phone.close()
    # Stopped, the cluster takes its cluster.json with it: it would name dead workers.
    srv.stop()
    assert not (srv.data / "cluster.json").exists()


def _back_on(srv: ServerProcess, worker: str, **phone: Any) -> AddressPhone:
    """The phone, connected again from an address nginx sends to ``worker``."""
    for n in range(100, 200):
        back, reached = connect_counted(srv, f"127.0.{n}.1", **phone)
        if reached == worker:
            return back
        back.close()
    raise AssertionError(f"no address of 127.0.100-199.1 reaches {worker}")


def _crew_refusal(worker: str, password: str) -> str:
    refusals: list[Any] = []
    client = socketio.Client(reconnection=False)
    client.on("connect_error", refusals.append, namespace="/crew")
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(
            worker,
            namespaces=["/crew"],
            auth={"password": password},
            transports=["websocket"],
            wait_timeout=10,
        )
    client.disconnect()
    return str(refusals)
