"""M5: the per-address limit is a cap on what one address holds at once, on every
namespace and on bare Engine.IO sessions (a polling session holds no connection, so the cap
at accept cannot see it), not just a rate on /audience."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

from liveshow.serving.limits import AddressLimits
from tests.helpers.server import ServerProcess
from tests.helpers.shows import ONE_CUE_SHOW, write_show

CAP = 50


def new_session(http: requests.Session, srv: ServerProcess) -> bool:
    """Opens a bare Engine.IO polling session (no namespace): was it accepted?"""
    answer = http.get(srv.url + "/socket.io/?EIO=4&transport=polling", timeout=10)
    return answer.status_code == 200 and answer.text.startswith("0{")


def test_one_address_holds_at_most_its_cap_of_sessions(
    server_factory: Callable[..., ServerProcess], tmp_path: Path
) -> None:
    srv = server_factory(
        write_show(tmp_path, ONE_CUE_SHOW),
        extra_env={"LIVESHOW_MAX_CONNECTIONS_PER_ADDRESS": str(CAP)},
    )
    http = requests.Session()
    accepted = sum(new_session(http, srv) for _ in range(CAP + 30))
    assert accepted == CAP
    other = requests.Session()
    adapter = requests.adapters.HTTPAdapter()
    adapter.init_poolmanager(1, 1, source_address=("127.0.0.2", 0))
    other.mount("http://", adapter)
    assert new_session(other, srv), "another address is not affected"


@pytest.fixture
def switch_often() -> Iterator[None]:
    """Threads swap every microsecond, so a read-modify-write race shows within a second."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(before)


def test_connection_counts_do_not_drift_when_threads_admit_and_release_at_once(
    switch_often: None,
) -> None:
    # Under the threading mode the accept loop admits and each connection's thread
    # releases: unguarded, lost updates left addresses holding connections they did not.
    limits = AddressLimits(total=10**9, per_address=10**9)

    def connections(n: int) -> None:
        address = f"10.0.0.{n % 3}"
        for _ in range(50_000):
            if limits.admit(address):
                limits.release(address)

    threads = [threading.Thread(target=connections, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert (limits.open, limits.held) == (0, {})
