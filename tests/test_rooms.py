"""The room index (liveshow/realtime/rooms.py) must answer exactly as python-socketio's own
manager does, which looks through every room: the risk is a phone left in a room after it
left (a "featured" meant for another phone), or missing from one it is in."""

from __future__ import annotations

import random
from typing import Any

import pytest
import socketio
from bidict import ValueDuplicationError

from liveshow.realtime.rooms import IndexedManager


class _Server:
    """What a manager asks of its server here: new ids."""

    def __init__(self) -> None:
        self.count = 0
        self.eio = self
        self.packet_class = socketio.packet.Packet

    def generate_id(self) -> str:
        self.count += 1
        return f"sid{self.count}"


def _pair() -> tuple[Any, Any]:
    managers = (socketio.Manager(), IndexedManager())
    for manager in managers:
        manager.set_server(_Server())
        manager.initialize()
    return managers


def _same(stock: Any, indexed: Any, sids: list[tuple[str, str]]) -> None:
    assert {
        ns: {room: dict(members) for room, members in rooms.items()}
        for ns, rooms in stock.rooms.items()
    } == {
        ns: {room: dict(members) for room, members in rooms.items()}
        for ns, rooms in indexed.rooms.items()
    }
    for ns, sid in sids:
        assert sorted(map(str, stock.get_rooms(sid, ns))) == sorted(
            map(str, indexed.get_rooms(sid, ns))
        )
    assert stock.pending_connect == indexed.pending_connect


@pytest.mark.parametrize("seed", range(5))
def test_rooms_after_random_joins_leaves_and_disconnects_match_python_socketios(seed: int) -> None:
    rnd = random.Random(seed)
    stock, indexed = _pair()
    live: list[tuple[str, str]] = []  # (namespace, sid), same in both
    gone: list[tuple[str, str]] = []
    for step in range(600):
        action = rnd.random()
        if action < 0.35 or not live:
            ns = rnd.choice(["/audience", "/crew"])
            eio = f"eio{step}"
            sid = stock.connect(eio, ns)
            assert indexed.connect(eio, ns) == sid
            live.append((ns, sid))
        elif action < 0.6:
            ns, sid = rnd.choice(live)
            room = f"device:{rnd.randrange(20)}"
            stock.enter_room(sid, ns, room)
            indexed.enter_room(sid, ns, room)
        elif action < 0.75:
            ns, sid = rnd.choice(live)
            room = rnd.choice([f"device:{rnd.randrange(20)}", sid])
            stock.leave_room(sid, ns, room)
            indexed.leave_room(sid, ns, room)
        elif action < 0.8:
            ns = rnd.choice(["/audience", "/crew"])
            room = f"device:{rnd.randrange(20)}"
            stock.close_room(room, ns)
            indexed.close_room(room, ns)
        else:
            ns, sid = live.pop(rnd.randrange(len(live)))
            stock.disconnect(sid, ns)
            indexed.disconnect(sid, ns)
            gone.append((ns, sid))
        if step % 50 == 0:
            _same(stock, indexed, live + gone)
    _same(stock, indexed, live + gone)
    for ns, sid in gone:
        assert indexed.get_rooms(sid, ns) == []


def test_a_second_connect_of_one_client_is_refused_and_leaves_no_trace() -> None:
    stock, indexed = _pair()
    for manager in (stock, indexed):
        sid = manager.pre_connect("eio1", "/audience")
        with pytest.raises(ValueDuplicationError):
            manager.basic_enter_room("other", "/audience", None, eio_sid="eio1")
        manager.disconnect(sid, "/audience")
    assert stock.rooms == indexed.rooms == {}
    assert indexed.get_rooms("other", "/audience") == []
