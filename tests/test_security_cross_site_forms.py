"""L1: a page on another site cannot drive the crew's forms: a cross-site POST to a crew
route (logout, login) is refused by its Origin (or Sec-Fetch-Site), and changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import requests

from tests.helpers.server import ServerProcess
from tests.helpers.shows import ONE_CUE_SHOW, write_show


def test_a_cross_site_page_cannot_log_the_crew_out(
    server_factory: Callable[..., ServerProcess], tmp_path: Path
) -> None:
    srv = server_factory(write_show(tmp_path, ONE_CUE_SHOW))
    crew = requests.Session()
    assert crew.post(srv.url + "/crew/login", data={"password": srv.password}, timeout=10).ok
    for headers in ({"Origin": "http://evil.example"}, {"Sec-Fetch-Site": "cross-site"}):
        answer = crew.post(
            srv.url + "/crew/logout", headers=headers, allow_redirects=False, timeout=10
        )
        assert answer.status_code == 403, answer.text
        assert crew.get(srv.url + "/crew", allow_redirects=False, timeout=10).status_code == 200
    forged = requests.post(
        srv.url + "/crew/login",
        data={"password": srv.password},
        headers={"Origin": "http://evil.example"},
        allow_redirects=False,
        timeout=10,
    )
    assert forged.status_code == 403
    same = crew.post(
        srv.url + "/crew/logout", headers={"Origin": srv.url}, allow_redirects=False, timeout=10
    )
    assert same.status_code == 302
    assert crew.get(srv.url + "/crew", allow_redirects=False, timeout=10).status_code == 302
