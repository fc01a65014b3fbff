"""L2: password guessing is throttled across addresses too, and the throttle cannot lock
the crew out: a browser that logged in before keeps its own allowance, so a room behind the
venue's NAT guessing from the crew's own address does not stop the crew logging in."""

from __future__ import annotations

import http.client
import urllib.parse
from collections.abc import Callable
from pathlib import Path

import requests

from tests.helpers.server import ServerProcess
from tests.helpers.shows import ONE_CUE_SHOW, write_show

ADDRESSES = [f"127.0.0.{n}" for n in range(10, 50)]  # 40 addresses


def guess(srv: ServerProcess, source: str, password: str, cookie: str = "") -> int:
    """One login attempt from ``source``: the HTTP status."""
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10, source_address=(source, 0))
    try:
        body = urllib.parse.urlencode({"password": password})
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if cookie:
            headers["Cookie"] = cookie
        conn.request("POST", "/crew/login", body=body, headers=headers)
        return conn.getresponse().status
    finally:
        conn.close()


def test_guesses_from_many_addresses_are_throttled_together(
    server_factory: Callable[..., ServerProcess], tmp_path: Path
) -> None:
    srv = server_factory(write_show(tmp_path, ONE_CUE_SHOW))
    answers = [guess(srv, a, f"guess-{n}") for a in ADDRESSES for n in range(10)]
    assert answers.count(401) + answers.count(429) == len(answers)
    assert answers.count(429) >= 300, f"{answers.count(401)} wrong guesses went unthrottled"


def test_a_throttled_address_does_not_lock_out_a_known_crew_browser(
    server_factory: Callable[..., ServerProcess], tmp_path: Path
) -> None:
    srv = server_factory(write_show(tmp_path, ONE_CUE_SHOW))
    # the crew's laptop logged in earlier tonight (from the venue's NAT address)
    laptop = requests.Session()
    assert laptop.post(srv.url + "/crew/login", data={"password": srv.password}, timeout=10).ok
    laptop.post(srv.url + "/crew/logout", timeout=10)
    cookie = "; ".join(f"{c.name}={c.value}" for c in laptop.cookies)
    # phones behind the same address guess until the address is throttled
    statuses = [guess(srv, "127.0.0.1", f"guess-{n}") for n in range(12)]
    assert statuses[-1] == 429
    assert guess(srv, "127.0.0.1", srv.password) == 429, "an unknown browser is still throttled"
    assert guess(srv, "127.0.0.1", srv.password, cookie) == 302
