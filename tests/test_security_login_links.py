"""L7: the one-time crew login link printed at start-up expires (login_link_seconds): a
photographed banner or QR code is useless once the crew has had time to use it."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

import requests

from tests.helpers.server import ServerProcess
from tests.helpers.shows import ONE_CUE_SHOW, write_show
from tests.helpers.waiting import wait_until


def printed_link(srv: ServerProcess) -> str:
    found = wait_until(
        lambda: re.search(r"One-time login : (\S+)", srv.log_text()), what="the banner"
    )
    return str(found.group(1)).replace(
        re.match(r"https?://[^/]+", found.group(1)).group(0),
        srv.url,  # type: ignore[union-attr]
    )


def test_the_printed_login_link_expires(
    server_factory: Callable[..., ServerProcess], tmp_path: Path
) -> None:
    srv = server_factory(
        write_show(tmp_path, ONE_CUE_SHOW), extra_env={"LIVESHOW_LOGIN_LINK_SECONDS": "1"}
    )
    link = printed_link(srv)
    time.sleep(1.5)  # let it expire (not a measurement: nothing here is timed)
    late = requests.get(link, allow_redirects=False, timeout=10)
    assert late.status_code == 403 and "expired" in late.text
    assert "session" not in late.cookies
